//! End-to-end tests of the real `dockhand` binary in tmux against the REAL engine at
//! `DOCKER_HOST`: find a fixture, tag it and remove the tag with keystrokes (checked through the
//! engine), help, quitting with the terminal restored; the no-engine screen; resizing.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::engine::{self, Cleanup};
use common::tmux::{Spawn, Tmux};

const WAIT: Duration = Duration::from_secs(20);
/// Between Esc and the next key: in one burst they read as Alt-key.
const PAUSE: Duration = Duration::from_millis(150);

fn pause() {
    std::thread::sleep(PAUSE);
}

fn ok<T>(what: &str, r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// `dockhand` in a shell that reports its exit status and the terminal modes afterwards, with an
/// empty config dir (default keymap and theme).
fn start_in_shell(config: &Path, args: &str, width: u16, height: u16) -> Tmux {
    let script = format!(
        "\"$0\" {args}; echo \"dockhand exited $?\"; \
         stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; \
         echo; echo shell-prompt-back; exec sleep 600"
    );
    ok(
        "start tmux",
        Spawn::new("sh")
            .args(["-c", script.as_str(), env!("CARGO_BIN_EXE_dockhand")])
            .env("XDG_CONFIG_HOME", config)
            .env("RUST_BACKTRACE", "0")
            .env("DOCKER_HOST", engine::docker_host().unwrap_or_default())
            .size(width, height)
            .start(),
    )
}

/// `#{alternate_on}` of the pane: whether the alternate screen is still active.
fn alternate_on(term: &Tmux) -> String {
    let out = Command::new("tmux")
        .args(["-L", term.socket(), "display-message", "-p", "-t", "dh:0.0"])
        .arg("#{alternate_on}")
        .output()
        .expect("tmux display-message");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Quits with `q` and checks the exit status and the restored terminal.
fn quit_and_check_restored(term: &Tmux) {
    ok("q", term.send_keys(&["q"]));
    check_restored(term, 0);
}

/// Waits for dockhand to exit with `status` and checks the terminal was given back intact.
fn check_restored(term: &Tmux, status: i32) -> String {
    let screen = ok("exit", term.wait_for("shell-prompt-back", WAIT));
    assert!(
        screen.contains(&format!("dockhand exited {status}")),
        "{screen}"
    );
    // Raw mode off again: canonical input and echo.
    assert!(
        screen.contains("icanon echo"),
        "terminal modes not restored:\n{screen}"
    );
    assert_eq!(alternate_on(term), "0", "still on the alternate screen");
    assert!(
        !screen.contains("Images"),
        "the UI is still on screen:\n{screen}"
    );
    screen
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let config = tempfile::tempdir().expect("config dir");
    let term = start_in_shell(config.path(), "--host unix:///nonexistent.sock", 100, 30);
    ok("UI", term.wait_for("Images", WAIT));
    ok("C-c", term.send_keys(&["C-c"]));
    check_restored(&term, 0);
}

#[test]
fn a_panic_restores_the_terminal_and_says_what_happened() {
    let config = tempfile::tempdir().expect("config dir");
    let term = start_in_shell(
        config.path(),
        "--host unix:///nonexistent.sock --panic-after-first-frame",
        100,
        30,
    );
    // Rust's panic exit status is 101; the message is printed on the restored screen.
    let screen = check_restored(&term, 101);
    assert!(screen.contains("deliberate panic"), "{screen}");
}

async fn image_id(docker: &bollard::Docker, reference: &str) -> Option<String> {
    docker
        .inspect_image(reference)
        .await
        .ok()
        .and_then(|i| i.id)
}

/// Sets the images filter to `text` (replacing any previous one) and keeps it.
fn filter(term: &Tmux, text: &str) {
    ok("/", term.send_keys(&["/"]));
    pause();
    ok("C-u", term.send_keys(&["C-u"]));
    ok("type filter", term.send_literal(text));
    pause();
    ok("Enter", term.send_keys(&["Enter"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_and_untag_an_image_with_keystrokes() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let repo = engine::unique("dhe");
    let tag = guard.image(format!("{repo}:1"));
    let dockerfile =
        format!("FROM scratch\nCOPY busybox /bin/busybox\nLABEL dockhand.test.tag=\"{tag}\"\n");
    let busybox = std::fs::read(engine::busybox_path().expect("busybox")).expect("read busybox");
    let id = engine::try_build(
        &docker,
        &tag,
        engine::tar_context(&[
            engine::ContextFile::new("Dockerfile", dockerfile, 0o644),
            engine::ContextFile::new("busybox", busybox, 0o755),
        ]),
    )
    .await
    .expect("fixture");
    let new_repo = format!("e2e-{}", engine::unique("t"));
    let new_ref = guard.image(format!("{new_repo}:v1"));

    let config = tempfile::tempdir().expect("config dir");
    let term = start_in_shell(config.path(), "", 140, 40);
    ok("fixture on screen", term.wait_for(&repo, WAIT));

    // Filter to the fixture, tag it.
    filter(&term, &repo);
    ok(
        "filtered",
        term.wait_until(WAIT, |s| {
            s.contains(&repo) && s.contains(&format!("/{repo}"))
        }),
    );
    ok("t", term.send_keys(&["t"]));
    ok("tag dialog", term.wait_for("Tag image", WAIT));
    pause();
    ok("C-u", term.send_keys(&["C-u"]));
    ok("type ref", term.send_literal(&new_ref));
    pause();
    let screen = term.capture();
    assert!(
        !screen.contains('✗'),
        "the new reference is refused:\n{screen}"
    );
    ok("Enter", term.send_keys(&["Enter"]));
    let deadline = std::time::Instant::now() + WAIT;
    while image_id(&docker, &new_ref).await.is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "{new_ref} never appeared on the engine; screen:\n{}",
            term.capture()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(image_id(&docker, &new_ref).await, Some(id.clone()));

    // The new tag shows on screen, then remove that row's tag.
    filter(&term, &new_repo);
    let screen = ok(
        "new tag row",
        term.wait_until(WAIT, |s| {
            s.lines()
                .any(|l| l.contains(&new_repo) && l.contains("v1") && l.contains(&id[7..19]))
        }),
    );
    assert!(!screen.contains(&format!("{repo} ")), "{screen}");
    ok("d", term.send_keys(&["d"]));
    let screen = ok("remove dialog", term.wait_for("Remove", WAIT));
    assert!(screen.contains(&new_ref), "dialog names the tag:\n{screen}");
    pause();
    ok("y", term.send_keys(&["y"]));
    let deadline = std::time::Instant::now() + WAIT;
    while image_id(&docker, &new_ref).await.is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "{new_ref} still on the engine; screen:\n{}",
            term.capture()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(image_id(&docker, &tag).await, Some(id), "only the tag went");

    // Help, then quit with the terminal restored.
    pause();
    ok("Esc", term.send_keys(&["Escape"]));
    pause();
    ok("?", term.send_keys(&["?"]));
    let screen = ok("help", term.wait_for("Quit dockhand", WAIT));
    assert!(screen.contains("Tag the image"), "{screen}");
    ok("close help", term.send_keys(&["Escape"]));
    ok(
        "help closed",
        term.wait_until(WAIT, |s| !s.contains("Quit dockhand")),
    );
    pause();
    quit_and_check_restored(&term);
}

#[test]
fn without_an_engine_it_says_what_it_tried_and_retries() {
    let config = tempfile::tempdir().expect("config dir");
    let term = start_in_shell(config.path(), "--host unix:///nonexistent.sock", 140, 40);
    let screen = ok("no engine screen", term.wait_for("Retrying", WAIT));
    assert!(screen.contains("No container engine reachable"), "{screen}");
    assert!(
        screen.contains("--host unix:///nonexistent.sock"),
        "{screen}"
    );
    assert!(
        screen.contains("no socket at /nonexistent.sock"),
        "{screen}"
    );
    assert!(screen.contains("disconnected"), "status bar:\n{screen}");
    // Still retrying after a while: the countdown comes back.
    std::thread::sleep(Duration::from_millis(2500));
    let screen = ok("still retrying", term.wait_for("Retrying", WAIT));
    assert!(screen.contains("nonexistent.sock"), "{screen}");
    quit_and_check_restored(&term);
}

#[test]
fn survives_a_tiny_terminal_and_redraws_after() {
    let config = tempfile::tempdir().expect("config dir");
    let term = start_in_shell(config.path(), "", 140, 40);
    ok("UI", term.wait_for("Images", WAIT));
    ok("shrink", term.resize(20, 5));
    let screen = ok("needs notice", term.wait_for("needs", WAIT));
    assert!(!screen.contains("Images"), "{screen}");
    assert_eq!(ok("size", term.size()), (20, 5));
    ok("grow", term.resize(140, 40));
    let screen = ok("full UI again", term.wait_for("Images", WAIT));
    assert!(screen.contains("Layers"), "{screen}");
    assert!(!screen.contains("needs"), "{screen}");
    assert_eq!(ok("still running", term.exit_status()), None);
    quit_and_check_restored(&term);
}
