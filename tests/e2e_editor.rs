//! End to end in a real terminal (tmux): open a Dockerfile, type a change, see the lint marker
//! appear in the gutter, undo and redo it a word at a time, save with Ctrl-s and find the change on disk, then quit — with a question
//! first when there are unsaved edits.
mod common;

use std::time::Duration;

use common::tmux::Spawn;

const WAIT: Duration = Duration::from_secs(15);

fn tmux_available() -> bool {
    std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The screen row showing `needle`.
fn row_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

#[test]
fn edit_lint_save_and_quit_in_a_real_terminal() {
    assert!(tmux_available(), "tmux is needed for the e2e tests");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "FROM dh-busybox:1\nWORKDIR /app\nCMD [\"sh\"]\n").expect("write");

    // The editor needs no engine: use the dev engine when one is configured, else a socket that
    // does not exist (never the system's default socket).
    let host = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| format!("unix://{}/no-engine.sock", dir.path().display()));
    let term = Spawn::dockhand()
        .args([file.to_str().expect("utf-8 path")])
        .env("DOCKER_HOST", &host)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .size(100, 24)
        .start()
        .expect("tmux session");
    let screen = term
        .wait_for("Editor — Dockerfile", WAIT)
        .expect("editor opens");
    let row = row_with(&screen, "2 WORKDIR /app").expect("line 2 shown");
    assert!(
        row.starts_with("┃    2"),
        "no marker on a clean line: {row:?}"
    );

    // Type a deprecated instruction at the end: its lint marker appears in the gutter.
    term.send_keys(&["C-End", "End", "Enter"]).expect("keys");
    term.send_literal("MAINTAINER me@example.com")
        .expect("type");
    let screen = term
        .wait_until(WAIT, |s| {
            row_with(s, "MAINTAINER me@example.com").is_some_and(|r| !r.starts_with("┃    "))
        })
        .unwrap_or_else(|e| panic!("lint marker: {e}\n{}", term.capture()));
    assert!(screen.contains("● unsaved"), "{screen}");
    let row = row_with(&screen, "MAINTAINER").expect("row");
    assert!(
        row.starts_with("┃E")
            || row.starts_with("┃W")
            || row.starts_with("┃i")
            || row.starts_with("┃s"),
        "{row:?}"
    );

    // Ctrl-z takes back the last typed word (not one character); Ctrl-y brings it back.
    term.send_keys(&["C-z"]).expect("keys");
    term.wait_until(WAIT, |s| {
        !s.contains("me@example") && row_with(s, "MAINTAINER").is_some_and(|r| r.contains("┃"))
    })
    .unwrap_or_else(|e| panic!("undo a word: {e}\n{}", term.capture()));
    term.send_keys(&["C-y"]).expect("keys");
    term.wait_for("MAINTAINER me@example.com", WAIT)
        .unwrap_or_else(|e| panic!("redo a word: {e}\n{}", term.capture()));

    // Ctrl-s saves: the unsaved marker goes, the file on disk has the edit.
    term.send_keys(&["C-s"]).expect("keys");
    term.wait_until(WAIT, |s| !s.contains("● unsaved"))
        .unwrap_or_else(|e| panic!("save: {e}\n{}", term.capture()));
    let on_disk = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        on_disk,
        "FROM dh-busybox:1\nWORKDIR /app\nCMD [\"sh\"]\nMAINTAINER me@example.com\n"
    );

    // Copy the first line: it reaches the terminal's clipboard (OSC 52; tmux keeps it as a buffer).
    term.send_keys(&["C-Home", "S-End"]).expect("keys");
    std::thread::sleep(Duration::from_millis(200));
    term.send_keys(&["M-c"]).expect("keys");
    let deadline = std::time::Instant::now() + WAIT;
    while term.show_buffer().as_deref() != Some("FROM dh-busybox:1") {
        assert!(
            std::time::Instant::now() < deadline,
            "clipboard: {:?}\n{}",
            term.show_buffer(),
            term.capture()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    term.send_keys(&["C-End"]).expect("keys");

    // Another edit, then Ctrl-c: asked first; Esc keeps editing; Ctrl-c + d discards and quits.
    term.send_literal("x").expect("type");
    term.wait_for("● unsaved", WAIT).expect("dirty again");
    term.send_keys(&["C-c"]).expect("keys");
    term.wait_for("Save them before quitting?", WAIT)
        .unwrap_or_else(|e| panic!("question: {e}\n{}", term.capture()));
    assert_eq!(term.exit_status().expect("status"), None, "still running");
    term.send_keys(&["Escape"]).expect("keys");
    term.wait_until(WAIT, |s| !s.contains("Save them before quitting?"))
        .expect("question closed");
    std::thread::sleep(Duration::from_millis(300));
    term.send_keys(&["C-c"]).expect("keys");
    term.wait_for("Save them before quitting?", WAIT)
        .expect("asked again");
    term.send_keys(&["d"]).expect("keys");
    let code = term.wait_exit(WAIT).expect("exits");
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        on_disk,
        "discarded"
    );
    // Recovery files live in the private state directory, never beside the Dockerfile, and
    // none is left behind.
    let recover = dir.path().join("state/dockhand/recover");
    let left: Vec<_> = std::fs::read_dir(&recover)
        .map(|d| d.map(|e| e.expect("entry").file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "recovery files left behind: {left:?}");
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".Dockerfile"))
        .collect();
    assert!(beside.is_empty(), "files beside the Dockerfile: {beside:?}");
}
