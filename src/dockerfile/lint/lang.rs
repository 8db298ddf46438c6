//! Language package manager rules, as hadolint defines them: pip (DL3013 pinning, DL3042 cache),
//! npm (DL3016), gem (DL3028), go (DL3062), yarn (DL3060).

use std::collections::{HashMap, HashSet};

use super::apt::has_cache_mount;
use super::base::{From, parse_from, unquote};
use super::shell::{Cmd, Script};
use super::{Findings, Item};

/// hadolint's `isPipInstall`.
fn is_pip_install(c: &Cmd) -> bool {
    let std = c.name.starts_with("pip") && !c.name.starts_with("pipenv") && c.has_arg("install");
    let python =
        c.name.starts_with("python") && c.args.windows(3).any(|w| w == ["-m", "pip", "install"]);
    std || python
}

const PIP_VALUE_FLAGS: [&str; 26] = [
    "abi",
    "b",
    "build",
    "e",
    "editable",
    "extra-index-url",
    "f",
    "find-links",
    "i",
    "index-url",
    "implementation",
    "no-binary",
    "only-binary",
    "platform",
    "prefix",
    "progress-bar",
    "proxy",
    "python",
    "python-version",
    "root",
    "root-user-action",
    "src",
    "t",
    "target",
    "trusted-host",
    "upgrade-strategy",
];

const VCS: [&str; 22] = [
    "git+file",
    "git+https",
    "git+ssh",
    "git+http",
    "git+git",
    "git",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn",
    "svn+svn",
    "svn+http",
    "svn+https",
    "svn+ssh",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
];

/// Words after the first `install` (hadolint's `stripInstallPrefix`).
fn after_install(words: Vec<&str>) -> Vec<&str> {
    words
        .into_iter()
        .skip_while(|w| *w != "install")
        .skip_while(|w| *w == "install")
        .collect()
}

fn pip_unpinned(c: &Cmd) -> bool {
    if !is_pip_install(c) || c.has_flag("constraint") || c.has_flag("c") {
        return false;
    }
    if c.has_arg("--requirement") || c.has_arg("-r") || c.has_arg(".") {
        return false;
    }
    let stripped = c.drop_flag_arg(&PIP_VALUE_FLAGS);
    let pkgs = after_install(stripped.args_no_flags());
    !pkgs.iter().all(|p| {
        let vcs = VCS.iter().any(|v| p.starts_with(v));
        ["==", ">=", "<=", ">", "<", "!=", "~=", "==="]
            .iter()
            .any(|s| p.contains(s))
            || (vcs && p.contains('@'))
            || p.ends_with(".whl")
            || p.ends_with(".tar.gz")
            || (!vcs && p.contains('/'))
    })
}

fn pip_wrapper(c: &Cmd) -> bool {
    ["pipx", "pipenv"].iter().any(|w| {
        c.name.contains(w)
            || (c.name.starts_with("python")
                && c.args.windows(2).any(|p| p[0] == "-m" && p[1] == *w))
    })
}

const TRUTHY: [&str; 10] = [
    "1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES",
];

/// `PIP_NO_CACHE_DIR=<truthy>` in the script text.
fn pip_no_cache_in_script(inst: &crate::dockerfile::parser::Instruction) -> bool {
    let text = super::shell::run_script(inst);
    text.find("PIP_NO_CACHE_DIR=").is_some_and(|i| {
        let rest = &text[i..];
        let value = rest.split_once('=').map_or("", |(_, v)| v);
        TRUTHY.iter().any(|t| value.starts_with(t))
    })
}

/// DL3042 over a sequence of items: stages (and their children) with `ENV PIP_NO_CACHE_DIR` set
/// are exempt.
fn dl3042(items: &[&Item<'_>], out: &mut Findings) {
    let mut stages: HashMap<String, bool> = HashMap::new();
    let mut current: Option<String> = None;
    for item in items {
        match item.kw {
            "FROM" if !item.onbuild => {
                let f = parse_from(item);
                let parent = stages.get(&f.image).copied().unwrap_or(false);
                let name = f.alias.unwrap_or(f.image);
                stages.insert(name.clone(), parent);
                current = Some(name);
            }
            "ENV" => {
                let args = &item.inst.args;
                let value = args
                    .chunks(2)
                    .find(|p| p[0] == "PIP_NO_CACHE_DIR")
                    .map(|p| unquote(p.get(1).map_or("", String::as_str)));
                if let Some(v) = value.filter(|v| TRUTHY.contains(&v.as_str())) {
                    let set = !v.is_empty();
                    stages.insert(current.clone().unwrap_or_default(), set);
                }
            }
            "RUN" => {
                let Some(s) = &item.script else { continue };
                let name = current.clone().unwrap_or_default();
                let exempt = stages.get(&name).copied().unwrap_or(false);
                let forgot = s
                    .cmds
                    .iter()
                    .any(|c| is_pip_install(c) && !c.has_arg("--no-cache-dir") && !pip_wrapper(c));
                if !exempt
                    && forgot
                    && !pip_no_cache_in_script(item.inst)
                    && !has_cache_mount(item.inst, ".cache/pip")
                {
                    out.push("DL3042", item.line());
                }
            }
            _ => {}
        }
    }
}

fn npm_unpinned(c: &Cmd) -> bool {
    if !c.has_args("npm", &["install"]) {
        return false;
    }
    let stripped = c.drop_flag_arg(&["loglevel", "registry"]);
    let words = stripped.args_no_flags();
    if words.first() != Some(&"install") {
        return false;
    }
    !after_install(words).iter().all(|p| {
        if ["git://", "git+ssh://", "git+http://", "git+https://"]
            .iter()
            .any(|g| p.starts_with(g))
        {
            return p.contains('#');
        }
        if [".tar", ".tar.gz", ".tgz"].iter().any(|t| p.ends_with(t))
            || ["/", "./", "../", "~/"].iter().any(|f| p.starts_with(f))
        {
            return true;
        }
        let unscoped = if p.starts_with('@') {
            p.trim_start_matches(|c: char| c > '/')
        } else {
            p
        };
        unscoped.contains('@')
    })
}

fn gem_unpinned(c: &Cmd) -> bool {
    if !c.has_args("gem", &["install", "i"])
        || c.has_arg("-v")
        || c.has_arg("--version")
        || c.has_prefix_arg("gem", "--version=")
    {
        return false;
    }
    let mut gems = Vec::new();
    let mut words = c.args.iter().take_while(|a| *a != "--");
    while let Some(w) = words.next() {
        if w.starts_with('-') {
            words.next();
        } else if w != "install" && w != "i" {
            gems.push(w);
        }
    }
    !gems.iter().all(|g| g.contains(':'))
}

fn go_unpinned(s: &Script) -> bool {
    let run: Vec<&str> = s
        .cmds
        .iter()
        .filter(|c| c.has_args("go", &["run"]))
        .flat_map(|c| {
            c.args_no_flags()
                .into_iter()
                .enumerate()
                .filter(|(i, a)| *a != "run" && *i <= 1)
                .map(|(_, a)| a)
        })
        .collect();
    let pkgs = if run.is_empty() {
        s.cmds
            .iter()
            .filter(|c| c.has_args("go", &["install", "get"]))
            .flat_map(|c| c.args_no_flags())
            .filter(|a| !["install", "get", "tool"].contains(a))
            .collect()
    } else {
        run
    };
    !pkgs.iter().all(|p| {
        *p == "."
            || p.starts_with('/')
            || p.starts_with('.')
            || (p.contains('@') && !p.ends_with("@latest") && !p.ends_with("@none"))
    })
}

/// DL3060 over a sequence of items, reported like DL3009: in the last stage or a stage used as a
/// base later.
fn dl3060(items: &[&Item<'_>], out: &mut Findings) {
    let mut last: Option<From> = None;
    let mut images: HashSet<String> = HashSet::new();
    let mut forgets: Vec<(usize, Option<From>)> = Vec::new();
    for item in items {
        if item.kw == "FROM" && !item.onbuild {
            let f = parse_from(item);
            images.insert(f.image.clone());
            last = Some(f);
            continue;
        }
        let (true, Some(s)) = (item.kw == "RUN", &item.script) else {
            continue;
        };
        let install = |c: &Cmd| c.has_args("yarn", &["install"]);
        let clean = |c: &Cmd| c.has_args("yarn", &["cache", "clean"]);
        let (i, c) = (s.index(install), s.index(clean));
        let missing = i.is_some() && c.is_none() && !has_cache_mount(item.inst, ".cache/yarn");
        let before = matches!((i, c), (Some(i), Some(c)) if c < i);
        if missing || before {
            forgets.push((item.line(), last.clone()));
        }
    }
    for (line, stage) in forgets {
        let used_later = stage
            .as_ref()
            .and_then(|f| f.alias.as_ref())
            .is_some_and(|a| images.contains(a));
        if stage == last || used_later {
            out.push("DL3060", line);
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(items: &[Item<'_>], out: &mut Findings) {
    for item in items.iter().filter(|i| i.kw == "RUN") {
        let Some(s) = &item.script else { continue };
        if s.cmds.iter().any(pip_unpinned) {
            out.push("DL3013", item.line());
        }
        if s.cmds.iter().any(npm_unpinned) {
            out.push("DL3016", item.line());
        }
        if s.cmds.iter().any(gem_unpinned) {
            out.push("DL3028", item.line());
        }
        if go_unpinned(s) {
            out.push("DL3062", item.line());
        }
    }
    let (onbuild, plain): (Vec<&Item<'_>>, Vec<&Item<'_>>) = items.iter().partition(|i| i.onbuild);
    dl3042(&plain, out);
    dl3042(&onbuild, out);
    dl3060(&plain, out);
    dl3060(&onbuild, out);
}
