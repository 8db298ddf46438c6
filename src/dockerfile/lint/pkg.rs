//! OS package manager rules other than apt, as hadolint defines them: apk (DL3018, DL3019), yum
//! (DL3030, DL3032, DL3033), zypper (DL3034–DL3037), dnf/microdnf (DL3038, DL3040, DL3041).

use std::collections::{HashMap, HashSet};

use super::apt::has_cache_mount;
use super::base::{arg_name, parse_from, refers_to_any};
use super::shell::{Cmd, Script};
use super::{Findings, Item};

fn packages(s: &Script, is: impl Fn(&Cmd) -> bool, drop: &[&str], skip: &[&str]) -> Vec<String> {
    s.cmds
        .iter()
        .filter(|c| is(c))
        .flat_map(|c| {
            c.drop_flag_arg(drop)
                .args_no_flags()
                .into_iter()
                .filter(|a| !skip.contains(a))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// hadolint's "clean after install" check: no install, or the first install before the first clean.
fn cleaned_after(s: &Script, install: impl Fn(&Cmd) -> bool, clean: impl Fn(&Cmd) -> bool) -> bool {
    match (s.index(&install), s.index(&clean)) {
        (None, _) => true,
        (Some(i), Some(c)) => i < c,
        (Some(_), None) => false,
    }
}

fn apk_rules(item: &Item<'_>, s: &Script, out: &mut Findings) {
    let apk_add = |c: &Cmd| c.has_args("apk", &["add"]);
    let pkgs = packages(s, apk_add, &["t", "virtual", "repository", "X"], &["add"]);
    let fixed =
        |p: &String| ["=", "~", ">", "<"].iter().any(|v| p.contains(v)) || p.ends_with(".apk");
    if !pkgs.iter().all(fixed) {
        out.push("DL3018", item.line());
    }
    if !has_cache_mount(item.inst, "/var/cache/apk")
        && s.cmds.iter().any(|c| apk_add(c) && !c.has_flag("no-cache"))
    {
        out.push("DL3019", item.line());
    }
}

fn zypper_rules(item: &Item<'_>, s: &Script, out: &mut Findings) {
    let line = item.line();
    let interactive = |c: &Cmd| {
        c.has_args(
            "zypper",
            &[
                "install",
                "in",
                "remove",
                "rm",
                "source-install",
                "si",
                "patch",
            ],
        ) && !c.has_any_flag(&["non-interactive", "n", "no-confirm", "y"])
    };
    if s.cmds.iter().any(interactive) {
        out.push("DL3034", line);
    }
    if s.cmds
        .iter()
        .any(|c| c.has_args("zypper", &["dist-upgrade", "dup"]))
    {
        out.push("DL3035", line);
    }
    let install = |c: &Cmd| c.has_args("zypper", &["install", "in"]);
    let clean = |c: &Cmd| c.has_args("zypper", &["clean", "cc"]);
    if !has_cache_mount(item.inst, "/var/cache/zypp") && !cleaned_after(s, install, clean) {
        out.push("DL3036", line);
    }
    let fixed = |p: &String| ["=", ">", "<"].iter().any(|v| p.contains(v)) || p.ends_with(".rpm");
    if !packages(s, install, &[], &["install", "in"])
        .iter()
        .all(fixed)
    {
        out.push("DL3037", line);
    }
}

const DNF: [&str; 2] = ["dnf", "microdnf"];

fn yum_dnf_rules(item: &Item<'_>, s: &Script, out: &mut Findings) {
    let line = item.line();
    let installs = ["install", "groupinstall", "localinstall"];
    let yes = |c: &Cmd| c.has_any_flag(&["y", "assumeyes"]);
    if s.cmds
        .iter()
        .any(|c| c.has_args("yum", &installs) && !yes(c))
    {
        out.push("DL3030", line);
    }
    let yum_clean = |c: &Cmd| {
        c.has_args("yum", &["clean", "all"]) || c.has_args("rm", &["-rf", "/var/cache/yum/*"])
    };
    if !cleaned_after(s, |c| c.has_args("yum", &["install"]), yum_clean) {
        out.push("DL3032", line);
    }
    if s.cmds
        .iter()
        .any(|c| c.names_have_args(&DNF, &installs) && !yes(c))
    {
        out.push("DL3038", line);
    }
    let dnf_installs = [
        "install",
        "in",
        "upgrade",
        "up",
        "upgrade-minimal",
        "up-min",
        "reinstall",
        "rei",
    ];
    let all_cleaned = DNF.iter().all(|name| {
        cleaned_after(
            s,
            |c| c.has_args(name, &dnf_installs),
            |c| {
                c.has_args(name, &["clean", "all"])
                    || c.has_args("rm", &["-rf", "/var/cache/libdnf5*"])
            },
        )
    });
    let mounted = has_cache_mount(item.inst, "/var/cache/libdnf5")
        || has_cache_mount(item.inst, ".cache/libdnf5");
    if !all_cleaned && !mounted {
        out.push("DL3040", line);
    }
}

/// Variables known in the current stage (ENV, inherited from the stage it is built from) and ARGs.
#[derive(Default)]
struct Vars {
    /// ENV names per stage, in order.
    stages: Vec<HashSet<String>>,
    /// First stage index of each alias.
    aliases: HashMap<String, usize>,
    args: HashSet<String>,
}

impl Vars {
    fn defined(&self, text: &str) -> bool {
        self.stages.last().is_some_and(|s| refers_to_any(text, s))
            || refers_to_any(text, &self.args)
    }

    fn version_fixed(&self, package: &str) -> bool {
        let parts: Vec<&str> = package.split('-').collect();
        if parts.len() <= 1 {
            return false;
        }
        if package.ends_with(".rpm") {
            return true;
        }
        if package.contains('$') {
            return self.defined(package);
        }
        let rest = &parts[1..];
        rest.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".~^_:+".contains(c))
        }) && rest
            .iter()
            .any(|p| p.starts_with(|c: char| c.is_ascii_digit()))
    }
}

/// DL3033 (yum) and DL3041 (dnf) over a sequence of items: package versions, with variables
/// defined by ENV in the stage (or the stage it is built from) or by ARG counting as pinned.
fn versions(items: &[&Item<'_>], out: &mut Findings) {
    let mut vars = Vars::default();
    for item in items {
        match item.kw {
            "FROM" if !item.onbuild => {
                let f = parse_from(item);
                let inherited = vars
                    .aliases
                    .get(&f.image)
                    .and_then(|i| vars.stages.get(*i))
                    .cloned()
                    .unwrap_or_default();
                if let Some(a) = f.alias {
                    vars.aliases.entry(a).or_insert(vars.stages.len());
                }
                vars.stages.push(inherited);
            }
            "ENV" => {
                let names = item.inst.args.iter().step_by(2).cloned();
                if vars.stages.is_empty() {
                    vars.stages.push(HashSet::new());
                }
                if let Some(s) = vars.stages.last_mut() {
                    s.extend(names);
                }
            }
            "ARG" => vars
                .args
                .extend(item.inst.args.iter().map(|a| arg_name(a).to_string())),
            "RUN" => {
                let Some(s) = &item.script else { continue };
                let module_fixed = |m: &String| m.contains(':');
                let yum_pkgs = packages(
                    s,
                    |c| !c.has_args("yum", &["module"]) && c.has_args("yum", &["install"]),
                    &[],
                    &["install", "module"],
                );
                let yum_mods = packages(
                    s,
                    |c| c.has_args("yum", &["module"]) && c.has_args("yum", &["install"]),
                    &[],
                    &["install", "module"],
                );
                if !yum_pkgs.iter().all(|p| vars.version_fixed(p))
                    || !yum_mods.iter().all(module_fixed)
                {
                    out.push("DL3033", item.line());
                }
                let dnf_pkgs = packages(
                    s,
                    |c| {
                        !c.names_have_args(&DNF, &["module", "group"])
                            && c.names_have_args(&DNF, &["install"])
                    },
                    &[],
                    &["install", "module"],
                );
                let dnf_mods = packages(
                    s,
                    |c| {
                        c.names_have_args(&DNF, &["module"])
                            && c.names_have_args(&DNF, &["install"])
                    },
                    &[],
                    &["install", "module"],
                );
                if !dnf_pkgs.iter().all(|p| vars.version_fixed(p))
                    || !dnf_mods.iter().all(module_fixed)
                {
                    out.push("DL3041", item.line());
                }
            }
            _ => {}
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(items: &[Item<'_>], out: &mut Findings) {
    for item in items.iter().filter(|i| i.kw == "RUN") {
        if let Some(s) = &item.script {
            apk_rules(item, s, out);
            zypper_rules(item, s, out);
            yum_dnf_rules(item, s, out);
        }
    }
    let (onbuild, plain): (Vec<&Item<'_>>, Vec<&Item<'_>>) = items.iter().partition(|i| i.onbuild);
    versions(&plain, out);
    versions(&onbuild, out);
    super::lang::check(items, out);
}
