//! `dockhand lint` end to end: exit codes, text and JSON formats, and agreement with hadolint on the
//! codes and lines of the rules both implement (hadolint's findings are recorded in
//! `tests/fixtures/dockerfiles/lint/*.hadolint.json` by `regen.py`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles").join(name)
}

fn dockhand(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dockhand")).args(args).output().expect("run dockhand");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Rules that both hadolint and dockhand implement under the same code.
const SHARED: [&str; 16] = [
    "DL3000", "DL3002", "DL3003", "DL3006", "DL3007", "DL3009", "DL3014", "DL3015", "DL3020", "DL3022",
    "DL3025", "DL3064", "DL4000", "DL4003", "DL4004", "DL1000",
];

#[test]
fn agrees_with_hadolint_on_shared_rules() {
    for name in ["bad_node", "bad_apt", "good"] {
        let path = fixture(&format!("lint/{name}.Dockerfile"));
        let (_, stdout, stderr) = dockhand(&["lint", "--format", "json", path.to_str().expect("utf8 path")]);
        let reports: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        let ours: BTreeSet<(String, u64)> = reports[0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| (d["code"].as_str().unwrap_or_default().to_string(), d["line"].as_u64().unwrap_or(0)))
            .filter(|(c, _)| SHARED.contains(&c.as_str()))
            .collect();
        let recorded: Vec<(String, u64)> = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("hadolint.json")).expect("hadolint record"),
        )
        .expect("valid json");
        let theirs: BTreeSet<(String, u64)> =
            recorded.into_iter().filter(|(c, _)| SHARED.contains(&c.as_str())).collect();
        assert_eq!(ours, theirs, "{name}: dockhand vs hadolint on shared rules");
    }
}

#[test]
fn exit_codes_and_text_format() {
    let bad = fixture("lint/bad_node.Dockerfile");
    let good = fixture("lint/good.Dockerfile");
    let (code, stdout, _) = dockhand(&["lint", bad.to_str().expect("utf8")]);
    assert_eq!(code, 1, "error-level findings exit 1");
    let first = stdout.lines().next().expect("a finding");
    assert!(first.ends_with("bad_node.Dockerfile:1 DL3007 warning: Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag"), "{first}");
    let (code, stdout, _) = dockhand(&["lint", good.to_str().expect("utf8")]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (code, _, stderr) = dockhand(&["lint", "/nonexistent/Dockerfile"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = dockhand(&["lint", "--format", "yaml", good.to_str().expect("utf8")]);
    assert_eq!(code, 2);
}

#[test]
fn json_report_shape() {
    let heredocs = fixture("heredocs.Dockerfile");
    let broken = fixture("err_env_one_arg.Dockerfile");
    let (code, stdout, _) =
        dockhand(&["lint", "--format", "json", heredocs.to_str().expect("utf8"), broken.to_str().expect("utf8")]);
    assert_eq!(code, 1, "the broken file has an error");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let files = v.as_array().expect("array");
    assert_eq!(files.len(), 2);
    assert!(files[0]["error"].is_null());
    let run = &files[0]["instructions"][1];
    assert_eq!(run["instruction"], "RUN");
    assert!(run["trigger"].is_null());
    assert_eq!(run["args"], serde_json::json!(["<<EOF"]));
    assert_eq!(run["heredocs"][0]["name"], "EOF");
    assert_eq!(run["heredocs"][0]["content"], "set -e\necho $HOME\n");
    assert_eq!((run["start_line"].as_u64(), run["end_line"].as_u64()), (Some(3), Some(6)));
    assert_eq!(files[1]["error"], "ENV must have two arguments");
    let diag = files[1]["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "DL1000"))
        .expect("a DL1000 diagnostic");
    assert_eq!((diag["code"].as_str(), diag["severity"].as_str(), diag["line"].as_u64()), (Some("DL1000"), Some("error"), Some(2)));
}
