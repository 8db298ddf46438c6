//! The other RUN rules, as hadolint defines them: pointless commands (DL3001), `cd` (DL3003),
//! `sudo` (DL3004), archives copied then extracted (DL3010), `useradd` with a high UID (DL3046),
//! `wget` progress (DL3047), consecutive RUNs (DL3059), curl and wget (DL4001), `ln /bin/sh`
//! (DL4005), pipes without pipefail (DL4006).

use super::base::drop_quotes;
use super::shell::{Cmd, Script};
use super::{Findings, Item};

/// hadolint's archive extensions (ADD extracts these).
pub(crate) const ARCHIVES: [&str; 15] = [
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];

pub(crate) fn is_archive(path: &str) -> bool {
    let p = drop_quotes(path);
    ARCHIVES.iter().any(|e| p.ends_with(e))
}

fn basename(p: &str) -> &str {
    let p = drop_quotes(p);
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

fn simple_rules(item: &Item<'_>, s: &Script, out: &mut Findings) {
    let line = item.line();
    const POINTLESS: [&str; 9] = [
        "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
    ];
    if s.cmds.iter().any(|c| POINTLESS.contains(&c.name.as_str())) {
        out.push("DL3001", line);
    }
    if !item.onbuild && s.uses("cd") {
        out.push("DL3003", line);
    }
    if s.uses("sudo") {
        out.push("DL3004", line);
    }
    let high_uid = |c: &Cmd| {
        c.name == "useradd"
            && !c.has_any_flag(&["l", "no-log-init"])
            && c.has_any_flag(&["u", "uid"])
            && c.flag_values("u").iter().any(|v| v.chars().count() > 5)
    };
    if s.cmds.iter().any(high_uid) {
        out.push("DL3046", line);
    }
    let noisy_wget = |c: &Cmd| {
        c.name == "wget"
            && !c.has_flag("progress")
            && !c.has_any_flag(&[
                "q",
                "quiet",
                "o",
                "output-file",
                "a",
                "append-output",
                "no-verbose",
            ])
            && !c.has_arg("-nv")
    };
    if s.cmds.iter().any(noisy_wget) {
        out.push("DL3047", line);
    }
    if s.cmds.iter().any(|c| c.has_args("ln", &["/bin/sh"])) {
        out.push("DL4005", line);
    }
}

fn extracts(c: &Cmd, archive: &str) -> bool {
    const UNZIP: [&str; 9] = [
        "unzip",
        "gunzip",
        "bunzip2",
        "unlzma",
        "unxz",
        "zgz",
        "uncompress",
        "zcat",
        "gzcat",
    ];
    let tar = c.name == "tar"
        && c.args
            .iter()
            .any(|a| a == "--extract" || a == "--get" || (a.starts_with('-') && a.contains('x')));
    (tar || UNZIP.contains(&c.name.as_str()))
        && c.args_no_flags().iter().any(|a| basename(a) == archive)
}

/// DL3010: archives COPYed in the last stage and extracted by a later RUN (hadolint keeps only the
/// last stage's state).
fn dl3010(items: &[Item<'_>], out: &mut Findings) {
    let mut archives: Vec<(usize, String)> = Vec::new();
    let mut extracted: Vec<usize> = Vec::new();
    for item in items.iter().filter(|i| !i.onbuild) {
        match item.kw {
            "FROM" => {
                archives.clear();
                extracted.clear();
            }
            "COPY" if item.inst.flag("from").is_none() && item.inst.args.len() >= 2 => {
                let (target, sources) = item
                    .inst
                    .args
                    .split_last()
                    .unwrap_or((&item.inst.args[0], &[]));
                if is_archive(target) {
                    archives.push((item.line(), basename(target).to_string()));
                } else {
                    archives.extend(
                        sources
                            .iter()
                            .map(|s| basename(s))
                            .filter(|s| is_archive(s))
                            .map(|s| (item.line(), s.to_string())),
                    );
                }
            }
            "RUN" => {
                let Some(s) = &item.script else { continue };
                for (line, a) in &archives {
                    if s.cmds.iter().any(|c| extracts(c, a)) && !extracted.contains(line) {
                        extracted.push(*line);
                    }
                }
            }
            _ => {}
        }
    }
    extracted.sort_unstable();
    for line in extracted {
        out.push("DL3010", line);
    }
}

/// DL3059: consecutive RUNs with the same flags, each of a single command (hadolint 2.x skips a
/// pair when either has several commands, read as a deliberate split).
fn dl3059(items: &[Item<'_>], out: &mut Findings) {
    let mut prev: Option<(Vec<String>, usize)> = None;
    for item in items {
        if !item.is("RUN") {
            prev = None;
            continue;
        }
        let count = item.script.as_ref().map_or(0, |s| s.cmds.len());
        let mut flags = item.inst.flags.clone();
        flags.sort();
        if let Some((pflags, pcount)) = &prev
            && *pflags == flags
            && count <= 1
            && *pcount <= 1
        {
            out.push("DL3059", item.line());
            continue;
        }
        prev = Some((flags, count));
    }
}

fn dl4001(items: &[&Item<'_>], out: &mut Findings) {
    let mut used: Vec<&str> = Vec::new();
    for item in items {
        if item.kw == "FROM" && !item.onbuild {
            used.clear();
            continue;
        }
        let (true, Some(s)) = (item.kw == "RUN", &item.script) else {
            continue;
        };
        let here: Vec<&str> = ["curl", "wget"].into_iter().filter(|t| s.uses(t)).collect();
        for t in &here {
            if !used.contains(t) {
                used.push(t);
            }
        }
        if !here.is_empty() && used.len() >= 2 {
            out.push("DL4001", item.line());
        }
    }
}

fn dl4006(items: &[Item<'_>], out: &mut Findings) {
    let mut pipefail = false;
    for item in items.iter().filter(|i| !i.onbuild) {
        match item.kw {
            "FROM" => pipefail = false,
            "SHELL" => {
                let text = item.inst.args.join(" ");
                let non_posix = ["pwsh", "powershell", "cmd"]
                    .iter()
                    .any(|p| text.starts_with(p));
                let has_option = item.script.as_ref().is_some_and(|s| {
                    s.cmds.iter().any(|c| {
                        let base = c.name.rsplit('/').next().unwrap_or_default();
                        ["bash", "zsh", "ash"].contains(&base)
                            && c.has_flag("o")
                            && c.has_arg("pipefail")
                    })
                });
                pipefail = non_posix || has_option;
            }
            "RUN" if !pipefail && item.script.as_ref().is_some_and(|s| s.has_pipes) => {
                out.push("DL4006", item.line());
            }
            _ => {}
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(items: &[Item<'_>], out: &mut Findings) {
    for item in items.iter().filter(|i| i.kw == "RUN") {
        if let Some(s) = &item.script {
            simple_rules(item, s, out);
        }
    }
    dl3010(items, out);
    dl3059(items, out);
    let (onbuild, plain): (Vec<&Item<'_>>, Vec<&Item<'_>>) = items.iter().partition(|i| i.onbuild);
    dl4001(&plain, out);
    dl4001(&onbuild, out);
    dl4006(items, out);
}
