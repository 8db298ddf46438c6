//! apt rules as hadolint defines them (DL3008 pinning, DL3009 lists cleanup, DL3014 `-y`, DL3015
//! `--no-install-recommends`, DL3027 `apt`), dockhand's DH3001 (update without install) and DH1002
//! (the whole context copied before a dependency install).

use std::collections::HashSet;

use super::base::parse_from;
use super::shell::{Cmd, Script};
use super::{Findings, Item, Stage};
use crate::dockerfile::parser::{Dockerfile, Instruction};

fn apt_get_install(c: &Cmd) -> bool {
    c.has_args("apt-get", &["install"])
}

/// Packages of `apt-get install` commands (hadolint's `aptGetPackages`).
fn apt_packages(s: &Script) -> Vec<String> {
    s.cmds
        .iter()
        .filter(|c| apt_get_install(c))
        .flat_map(|c| {
            c.drop_flag_arg(&["t", "target-release"])
                .args_no_flags()
                .into_iter()
                .filter(|a| *a != "install")
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn has_yes(c: &Cmd) -> bool {
    c.has_any_flag(&["y", "yes", "qq", "assume-yes"])
        || c.count_flag("q") == 2
        || c.count_flag("quiet") == 2
        || c.has_arg("-q=2")
}

/// Whether a RUN has a cache or tmpfs mount whose target contains `frag`.
pub(crate) fn has_cache_mount(inst: &Instruction, frag: &str) -> bool {
    inst.flags.iter().any(|f| {
        let Some(spec) = f.strip_prefix("--mount=") else {
            return false;
        };
        let mut kind = "bind";
        let mut target = "";
        for part in spec.split(',') {
            match part.split_once('=') {
                Some(("type", v)) => kind = v,
                Some(("target" | "dst" | "destination", v)) => target = v,
                _ => {}
            }
        }
        matches!(kind, "cache" | "tmpfs") && target.contains(frag)
    })
}

fn simple_rules(item: &Item<'_>, s: &Script, out: &mut Findings) {
    let line = item.line();
    if !apt_packages(s)
        .iter()
        .all(|p| p.contains('=') || p.contains('/') || p.ends_with(".deb"))
    {
        out.push("DL3008", line);
    }
    if s.cmds.iter().any(|c| apt_get_install(c) && !has_yes(c)) {
        out.push("DL3014", line);
    }
    let no_recommends =
        |c: &Cmd| c.has_flag("no-install-recommends") || c.has_arg("APT::Install-Recommends=false");
    if s.cmds
        .iter()
        .any(|c| apt_get_install(c) && !no_recommends(c))
    {
        out.push("DL3015", line);
    }
    if s.uses("apt") {
        out.push("DL3027", line);
    }
    let updates = s
        .cmds
        .iter()
        .any(|c| c.names_have_args(&["apt-get", "apt"], &["update"]));
    let installs = s.cmds.iter().any(|c| {
        c.names_have_args(
            &["apt-get", "apt"],
            &[
                "install",
                "upgrade",
                "dist-upgrade",
                "full-upgrade",
                "build-dep",
            ],
        )
    });
    if updates && !installs && !item.onbuild {
        out.push("DH3001", line);
    }
}

/// hadolint's `forgotToCleanup`: an update and no `rm` with `-rf` or the lists glob.
fn forgot_cleanup(s: &Script) -> bool {
    let update = s
        .cmds
        .iter()
        .any(|c| c.names_have_args(&["apt", "apt-get", "aptitude"], &["update"]));
    update
        && !s
            .cmds
            .iter()
            .any(|c| c.has_args("rm", &["-rf", "/var/lib/apt/lists/*"]))
}

/// DL3009 over a sequence of items (hadolint folds the ONBUILD triggers separately).
fn dl3009(items: &[&Item<'_>], out: &mut Findings) {
    let mut last: Option<super::base::From> = None;
    let mut images: HashSet<String> = HashSet::new();
    let mut forgets: Vec<(usize, Option<super::base::From>)> = Vec::new();
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
        let inst = item.inst;
        let mounted = has_cache_mount(inst, "/var/lib/apt/lists")
            || (has_cache_mount(inst, "/var/lib/apt") && has_cache_mount(inst, "/var/cache/apt"));
        if forgot_cleanup(s) && !mounted {
            forgets.push((item.line(), last.clone()));
        }
    }
    for (line, stage) in forgets {
        let used_later = stage
            .as_ref()
            .and_then(|f| f.alias.as_ref())
            .is_some_and(|a| images.contains(a));
        if stage == last || used_later {
            out.push("DL3009", line);
        }
    }
}

/// A dependency-install command, if `cmd` is one (e.g. `npm ci`, `pip install`, `go mod download`).
fn dependency_install(c: &Cmd) -> Option<String> {
    let w = |i: usize| c.args.get(i).map(String::as_str).unwrap_or_default();
    let hit = match c.name.as_str() {
        "npm" | "pnpm" => matches!(w(0), "install" | "i" | "ci"),
        "yarn" => w(0).is_empty() || w(0) == "install" || w(0).starts_with('-'),
        "pip" | "pip3" | "poetry" | "bundle" | "composer" | "pipenv" | "uv" => {
            matches!(w(0), "install" | "sync")
        }
        "python" | "python3" => w(0) == "-m" && w(1) == "pip" && w(2) == "install",
        "go" => (w(0) == "mod" && w(1) == "download") || w(0) == "get",
        "cargo" => matches!(w(0), "fetch" | "build" | "install"),
        "mvn" | "./mvnw" => c
            .args
            .iter()
            .any(|a| a.contains("dependency:") || a == "package" || a == "install"),
        "gradle" | "./gradlew" => true,
        _ => false,
    };
    let mut words = vec![c.name.clone()];
    words.extend(c.args.iter().take(2).cloned());
    hit.then(|| words.join(" "))
}

/// Whether a COPY/ADD copies the whole build context (`COPY . /app`).
fn copies_whole_context(inst: &Instruction) -> bool {
    let kw = inst.keyword();
    if (kw != "COPY" && kw != "ADD") || inst.flag("from").is_some() || inst.args.len() < 2 {
        return false;
    }
    inst.args[..inst.args.len() - 1]
        .iter()
        .any(|s| matches!(s.as_str(), "." | "./" | "./." | "*" | "./*"))
}

fn cache_order_rule(stage: &Stage<'_>, out: &mut Findings) {
    let mut whole_copy: Option<&Instruction> = None;
    for inst in stage.body.iter().filter(|i| i.trigger.is_none()) {
        if copies_whole_context(inst) {
            whole_copy.get_or_insert(inst);
            continue;
        }
        let Some(copy) = whole_copy else { continue };
        if inst.keyword() != "RUN" {
            continue;
        }
        let script = super::shell::parse(&super::shell::run_script(inst));
        if let Some(install) = script.cmds.iter().find_map(dependency_install) {
            out.push_msg(
                "DH1002",
                copy.start_line,
                format!(
                    "The whole build context is copied before `{install}` (line {}): any source change invalidates the dependency cache; copy the dependency manifests first, install, then copy the rest",
                    inst.start_line
                ),
            );
            return;
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(file: &Dockerfile, items: &[Item<'_>], out: &mut Findings) {
    for item in items.iter().filter(|i| i.kw == "RUN") {
        if let Some(s) = &item.script {
            simple_rules(item, s, out);
        }
    }
    let (onbuild, plain): (Vec<&Item<'_>>, Vec<&Item<'_>>) = items.iter().partition(|i| i.onbuild);
    dl3009(&plain, out);
    dl3009(&onbuild, out);
    for stage in super::stages(file) {
        cache_order_rule(&stage, out);
    }
}
