//! `dockhand analyze` on hostile archives, through the real binary: names from the archive never
//! reach the terminal raw (escape sequences, bidi controls, line breaks), a closed stdout ends the
//! command quietly, and a layer listed thousands of times is refused within the limits.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dockhand");

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, *data).expect("append");
    }
    b.into_inner().expect("tar")
}

/// A `docker save` archive: `layers` listed in order (an index may repeat), each with its
/// `created_by`, tagged `tag`.
fn archive(
    dir: &Path,
    layers: &[Vec<u8>],
    listing: &[usize],
    created_by: &[&str],
    tag: &str,
) -> PathBuf {
    let history: Vec<String> = listing
        .iter()
        .map(|&i| serde_json::json!({ "created_by": created_by[i] }).to_string())
        .collect();
    let diff_ids: Vec<String> = listing
        .iter()
        .map(|i| format!("\"sha256:{i:064}\""))
        .collect();
    let config = format!(
        r#"{{"rootfs":{{"type":"layers","diff_ids":[{}]}},"history":[{}]}}"#,
        diff_ids.join(","),
        history.join(",")
    );
    let names: Vec<String> = listing
        .iter()
        .map(|i| format!("\"l{i}/layer.tar\""))
        .collect();
    let manifest = format!(
        r#"[{{"Config":"cfg.json","RepoTags":[{}],"Layers":[{}]}}]"#,
        serde_json::Value::from(tag),
        names.join(",")
    );
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("cfg.json".into(), config.into_bytes()),
        ("manifest.json".into(), manifest.into_bytes()),
    ];
    for (i, l) in layers.iter().enumerate() {
        files.push((format!("l{i}/layer.tar"), l.clone()));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let path = dir.join("image.tar");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&tar_of(&refs)))
        .expect("write archive");
    path
}

const EVIL_NAME: &str = "etc/\x1b]52;c;cHduZWQ=\x07evil\u{202e}txt.sh\nPASS: fake\x1b[2J\x1b[1;1H";

fn hostile_archive(dir: &Path) -> PathBuf {
    let layer = tar_of(&[(EVIL_NAME, b"12345"), ("etc/plain", b"x")]);
    archive(
        dir,
        &[layer.clone(), layer],
        &[0, 1],
        &["/bin/sh -c #(nop) \x1b]0;pwned\x07ADD x", "RUN a\x1b[2J\nb"],
        "evil:\x1b]0;title\x07tag",
    )
}

fn assert_clean(out: &str) {
    for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}', '\u{2066}'] {
        assert!(!out.contains(bad), "{bad:?} reached the output:\n{out:?}");
    }
}

#[test]
fn names_commands_and_tags_from_an_archive_are_sanitised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = hostile_archive(dir.path());
    for ci in [false, true] {
        let mut cmd = Command::new(BIN);
        cmd.args(["analyze", "--archive"]).arg(&path);
        if ci {
            cmd.arg("--ci");
        }
        let out = cmd.output().expect("run dockhand");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "{out:?}"
        );
        assert_clean(&stdout);
        assert_clean(&String::from_utf8_lossy(&out.stderr));
        // The line break in the name is shown, not obeyed: no line starts with the injected text.
        assert!(
            stdout.lines().all(|l| !l.starts_with("PASS: fake")),
            "{stdout}"
        );
        let line = stdout
            .lines()
            .find(|l| l.contains("etc/evil"))
            .unwrap_or_else(|| panic!("no evil line in\n{stdout}"));
        assert!(
            line.contains("evil") && line.contains("txt.sh\\nPASS: fake"),
            "{line}"
        );
        if !ci {
            assert!(stdout.contains("RUN a\\nb"), "{stdout}");
        }
    }
}

#[test]
fn error_messages_are_sanitised_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x\x1b]0;pwned\x07.tar");
    let out = Command::new(BIN)
        .args(["analyze", "--archive"])
        .arg(&path)
        .output()
        .expect("run dockhand");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dockhand: "), "{stderr}");
    assert_clean(&stderr);
}

/// An image whose reports run to hundreds of kilobytes, more than a pipe buffers.
fn big_report_archive(dir: &Path) -> PathBuf {
    let names: Vec<String> = (0..3000)
        .map(|i| format!("usr/share/a-rather-long-directory-name/file-number-{i:05}.txt"))
        .collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"data"[..])).collect();
    let layer = tar_of(&files);
    archive(
        dir,
        &[layer.clone(), layer],
        &[0, 1],
        &["ADD a", "ADD b"],
        "big:1",
    )
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = big_report_archive(dir.path());
    // The default summary (top 20 files) fits in the pipe's buffer; these do not.
    for extra in ["--ci", "--top 100000"] {
        let script = format!(
            "set -o pipefail; \"$0\" analyze --archive \"$1\" {extra} 2>\"$2\" | head -1; echo \"status=${{PIPESTATUS[0]}}\""
        );
        let err_file = dir.path().join("stderr");
        let out = Command::new("bash")
            .args(["-c", &script, BIN])
            .arg(&path)
            .arg(&err_file)
            .output()
            .expect("run bash");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = std::fs::read_to_string(&err_file).expect("stderr file");
        assert_eq!(stderr, "", "{extra}: stderr must stay quiet");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{extra}: {stdout}");
        assert_eq!(lines[1], "status=141", "{extra}: {stdout}");
    }
}

#[test]
fn a_layer_listed_twenty_thousand_times_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = (0..5000).map(|i| format!("f{i}")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let listing = vec![0; 20_000];
    let path = archive(
        dir.path(),
        &[tar_of(&files)],
        &listing,
        &["RUN x"],
        "many:1",
    );
    let started = std::time::Instant::now();
    let out = Command::new(BIN)
        .args(["analyze", "--ci", "--archive"])
        .arg(&path)
        .output()
        .expect("run dockhand");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("20000 layers listed"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("NaN"));
}

#[test]
fn a_single_layer_image_prints_no_nan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = archive(
        dir.path(),
        &[tar_of(&[("a", b"x")])],
        &[0],
        &["ADD a"],
        "one:1",
    );
    let out = Command::new(BIN)
        .args(["analyze", "--ci", "--archive"])
        .arg(&path)
        .output()
        .expect("run dockhand");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("NaN"), "{stdout}");
    assert!(stdout.contains("userWastedPercent: 0.0000 %"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}
