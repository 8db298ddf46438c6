//! Differential test: our parser against BuildKit's, as captured by the PyPI `dockerfile` package
//! (which wraps BuildKit's parser) in `tests/fixtures/dockerfiles/*.expected.json`
//! (regenerate with `python3 tests/fixtures/dockerfiles/regen.py`).

use std::path::PathBuf;

use dockhand::dockerfile::parse;
use dockhand::dockerfile::report::InstructionReport;

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfiles");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    out.sort();
    out
}

#[test]
fn parser_agrees_with_buildkit_on_every_fixture() {
    let files = fixtures();
    assert!(files.len() >= 20, "expected a corpus, found {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("read fixture");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json")).expect("expected json exists"),
        )
        .expect("valid json");
        let parsed = parse(&src);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match expected["error"].as_str() {
            Some(err) => {
                let ours = parsed.first_error().map(|e| e.message.clone());
                if ours.as_deref() != Some(err) {
                    failures.push(format!("{name}: expected error {err:?}, got {ours:?}"));
                }
            }
            None => {
                if let Some(e) = parsed.first_error() {
                    failures.push(format!("{name}: unexpected error {e}"));
                }
                let ours: Vec<InstructionReport> = parsed.instructions.iter().map(Into::into).collect();
                let ours = serde_json::to_value(&ours).expect("serialise");
                let theirs = &expected["instructions"];
                if &ours != theirs {
                    let ours = ours.as_array().cloned().unwrap_or_default();
                    let theirs = theirs.as_array().cloned().unwrap_or_default();
                    if ours.len() != theirs.len() {
                        failures.push(format!("{name}: {} instructions, BuildKit has {}", ours.len(), theirs.len()));
                    }
                    for (o, t) in ours.iter().zip(theirs.iter()) {
                        if o != t {
                            failures.push(format!("{name}:\n  ours:     {o}\n  buildkit: {t}"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
