//! RUN rules: apt-get hygiene (DL3009, DL3014, DL3015, DH3001), `cd` (DL3003), and cache-busting
//! order (DH1002: the whole context copied before a dependency install).

use super::shell::{commands, program, run_script};
use super::{Diagnostic, Severity, Stage};
use crate::dockerfile::parser::Instruction;

/// `(subcommand, words)` of an apt-get/apt command, if `cmd` is one.
fn apt<'a>(cmd: &'a [String]) -> Option<(&'a str, &'a [String])> {
    let words = program(cmd);
    let first = words.first()?;
    if first != "apt-get" && first != "apt" {
        return None;
    }
    let sub = words[1..].iter().find(|w| !w.starts_with('-'))?;
    Some((sub.as_str(), &words[1..]))
}

fn has_yes(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(w.as_str(), "-y" | "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2")
            || (w.starts_with('-') && !w.starts_with("--") && w.contains('y'))
    })
}

fn has_no_recommends(words: &[String]) -> bool {
    words.iter().any(|w| w == "--no-install-recommends" || w.contains("Install-Recommends=false"))
}

fn cleans_lists(cmds: &[Vec<String>], inst: &Instruction) -> bool {
    let cache_mount = inst
        .flags
        .iter()
        .any(|f| f.starts_with("--mount=") && f.contains("type=cache") && f.contains("/var/lib/apt"));
    cache_mount
        || cmds.iter().any(|c| {
            let p = program(c);
            p.first().is_some_and(|w| w == "rm") && p.iter().any(|w| w.starts_with("/var/lib/apt/lists"))
        })
}

fn apt_rules(inst: &Instruction, cmds: &[Vec<String>], final_stage: bool, out: &mut Vec<Diagnostic>) {
    let line = inst.start_line;
    let mut updates = false;
    let mut installs = false;
    for cmd in cmds {
        let Some((sub, words)) = apt(cmd) else { continue };
        match sub {
            "update" => updates = true,
            "install" => {
                installs = true;
                if !has_yes(words) {
                    out.push(Diagnostic::new(
                        "DL3014",
                        Severity::Warning,
                        line,
                        "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
                    ));
                }
                if !has_no_recommends(words) {
                    out.push(Diagnostic::new(
                        "DL3015",
                        Severity::Info,
                        line,
                        "Avoid additional packages by specifying `--no-install-recommends`",
                    ));
                }
            }
            _ => {}
        }
    }
    if updates && !installs {
        out.push(Diagnostic::new(
            "DH3001",
            Severity::Warning,
            line,
            "`apt-get update` without `apt-get install` in the same RUN: the cached update layer goes stale; update and install in one RUN",
        ));
    }
    if updates && final_stage && !cleans_lists(cmds, inst) {
        out.push(Diagnostic::new(
            "DL3009",
            Severity::Info,
            line,
            "Delete the apt-get lists after installing something (`rm -rf /var/lib/apt/lists/*`)",
        ));
    }
}

fn cd_rule(inst: &Instruction, cmds: &[Vec<String>], out: &mut Vec<Diagnostic>) {
    if cmds.iter().any(|c| program(c).first().is_some_and(|w| w == "cd")) {
        out.push(Diagnostic::new(
            "DL3003",
            Severity::Warning,
            inst.start_line,
            "Use WORKDIR to switch to a directory",
        ));
    }
}

/// A dependency-install command, if `cmd` is one (e.g. `npm ci`, `pip install`, `go mod download`).
fn dependency_install(cmd: &[String]) -> Option<String> {
    let p = program(cmd);
    let w = |i: usize| p.get(i).map(String::as_str).unwrap_or_default();
    let hit = match w(0) {
        "npm" | "pnpm" => matches!(w(1), "install" | "i" | "ci"),
        "yarn" => w(1).is_empty() || w(1) == "install" || w(1).starts_with('-'),
        "pip" | "pip3" | "poetry" | "bundle" | "composer" | "pipenv" | "uv" => {
            matches!(w(1), "install" | "sync")
        }
        "python" | "python3" => w(1) == "-m" && w(2) == "pip" && w(3) == "install",
        "go" => (w(1) == "mod" && w(2) == "download") || w(1) == "get",
        "cargo" => matches!(w(1), "fetch" | "build" | "install"),
        "mvn" | "./mvnw" => p.iter().any(|a| a.contains("dependency:") || a == "package" || a == "install"),
        "gradle" | "./gradlew" => true,
        _ => false,
    };
    hit.then(|| p.iter().take(3).cloned().collect::<Vec<_>>().join(" "))
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

fn cache_order_rule(stage: &Stage<'_>, out: &mut Vec<Diagnostic>) {
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
        if let Some(install) = commands(&run_script(inst)).iter().find_map(|c| dependency_install(c)) {
            out.push(Diagnostic::new(
                "DH1002",
                Severity::Warning,
                copy.start_line,
                format!(
                    "The whole build context is copied before `{install}` (line {}): any source change invalidates the dependency cache; copy the dependency manifests first, install, then copy the rest",
                    inst.start_line
                ),
            ));
            return;
        }
    }
}

/// Indexes of the stages whose filesystem ends up in the final image: the last stage and the
/// stages it is built `FROM`, transitively.
fn stages_in_final_image(stages: &[Stage<'_>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut current = stages.len().checked_sub(1);
    while let Some(i) = current {
        out.push(i);
        let base = stages[i].base.to_ascii_lowercase();
        current = stages[..i].iter().rposition(|s| s.name.as_deref() == Some(base.as_str()));
    }
    out
}

/// Runs this family's rules.
pub(super) fn check(stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    let in_final = stages_in_final_image(stages);
    for stage in stages {
        let final_stage = in_final.contains(&stage.index);
        for inst in stage.body.iter().filter(|i| i.effective_keyword() == "RUN") {
            let cmds = commands(&run_script(inst));
            apt_rules(inst, &cmds, final_stage, out);
            cd_rule(inst, &cmds, out);
        }
        cache_order_rule(stage, out);
    }
}
