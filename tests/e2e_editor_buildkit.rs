//! End to end in a real terminal (tmux) against the REAL engine's BuildKit: open a Dockerfile
//! with a `RUN --mount=type=cache` step, Ctrl-b, build with BuildKit on the host network, see
//! the built marks beside the lines and the step graph, rebuild and see every step a cache hit,
//! then change a context file and see the cache invalidated on the COPY that reads it.
//!
//! Needs `DOCKER_HOST` and the `dh-busybox:1` fixture (tests/run.sh); skips with a notice when
//! the engine is unreachable, unless `DOCKHAND_REQUIRE_ENGINE=1`.
mod common;

use std::time::Duration;

use common::engine::{self as fx, Cleanup};
use common::tmux::Spawn;

const WAIT: Duration = Duration::from_secs(20);
const BUILD: Duration = Duration::from_secs(120);

/// The screen row showing `needle`.
fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

/// The build mark in the gutter of the row showing `needle` (the column after the lint one).
fn mark(screen: &str, needle: &str) -> char {
    row_with(screen, needle).chars().nth(2).unwrap_or(' ')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_with_buildkit_from_the_editor_then_rebuild_from_cache() {
    let Some(_docker) = fx::docker().await else {
        return;
    };
    let Some(host) = fx::docker_host() else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let unique = fx::unique("dh-e2e-bk");
    let tag = cleanup.image(format!("{unique}:1"));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Dockerfile");
    std::fs::write(
        &file,
        format!(
            "FROM dh-busybox:1\n\
             RUN --mount=type=cache,target=/cache,id={unique} echo run >> /cache/log && cp /cache/log /seen\n\
             COPY app.txt /app.txt\n\
             RUN cat /app.txt /seen\n"
        ),
    )
    .expect("write");
    std::fs::write(dir.path().join("app.txt"), "one\n").expect("write");

    let term = Spawn::dockhand()
        .args([file.to_str().expect("utf-8 path")])
        .env("DOCKER_HOST", &host)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .size(120, 36)
        .start()
        .expect("tmux session");
    term.wait_for("Editor — Dockerfile", WAIT)
        .expect("editor opens");
    term.wait_until(WAIT, |s| !s.contains("connecting"))
        .expect("connected");

    // Ctrl-b: the form opens on Tags, builder auto. Tag, then Network (5 fields on) to host.
    term.send_keys(&["C-b"]).expect("keys");
    let screen = term.wait_for("Build image", WAIT).expect("build form");
    assert!(screen.contains("‹ auto ›"), "{screen}");
    term.send_literal(&tag).expect("type tag");
    term.send_keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Space"])
        .expect("keys");
    term.wait_for("‹ host ›", WAIT).expect("network host");
    term.send_keys(&["Enter"]).expect("keys");

    let screen = term
        .wait_until(BUILD, |s| {
            s.contains("Build (BuildKit): built") || s.contains("Build (BuildKit): failed")
        })
        .expect("first build ends");
    assert!(screen.contains("Build (BuildKit): built"), "{screen}");
    assert!(screen.contains(" 0 cached "), "{screen}");
    assert_eq!(mark(&screen, "2 RUN --mount=type=cache"), '●', "{screen}");
    assert_eq!(mark(&screen, "3 COPY app.txt"), '●', "{screen}");
    assert_eq!(mark(&screen, "4 RUN cat"), '●', "{screen}");
    // The step graph lists the steps with their lines.
    row_with(&screen, "● L2");

    // Rebuild (the form keeps its values): every step is a cache hit.
    term.send_keys(&["C-b"]).expect("keys");
    term.wait_for("Build image", WAIT)
        .expect("build form again");
    term.send_keys(&["Enter"]).expect("keys");
    let screen = term
        .wait_until(BUILD, |s| {
            s.contains("Build (BuildKit): built") && s.contains(" 3 cached ")
                || s.contains("Build (BuildKit): failed")
        })
        .expect("rebuild ends");
    assert!(screen.contains("Build (BuildKit): built"), "{screen}");
    for needle in ["2 RUN --mount=type=cache", "3 COPY app.txt", "4 RUN cat"] {
        assert_eq!(mark(&screen, needle), '✓', "{needle}:\n{screen}");
    }

    // A changed context file: the COPY reading it is where the cache was invalidated.
    std::fs::write(dir.path().join("app.txt"), "two\n").expect("write");
    term.send_keys(&["C-b"]).expect("keys");
    term.wait_for("Build image", WAIT)
        .expect("build form again");
    term.send_keys(&["Enter"]).expect("keys");
    let screen = term
        .wait_until(BUILD, |s| {
            s.contains("Build (BuildKit): built") && s.contains(" 1 cached ")
                || s.contains("Build (BuildKit): failed")
        })
        .expect("third build ends");
    assert_eq!(mark(&screen, "2 RUN --mount=type=cache"), '✓', "{screen}");
    assert_eq!(mark(&screen, "3 COPY app.txt"), '!', "{screen}");
    assert_eq!(mark(&screen, "4 RUN cat"), '↻', "{screen}");

    term.send_keys(&["C-c"]).expect("keys");
    term.wait_exit(WAIT).expect("dockhand exits");
}
