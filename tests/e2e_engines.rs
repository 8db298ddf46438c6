//! End-to-end test of the real `dockhand` binary in tmux with two REAL engines (the private
//! dockerds tests/run.sh starts: DOCKER_HOST is the `default` context, a context `second` points
//! at DOCKHAND_ENGINE2_HOST): Ctrl-e lists both, Enter switches, the other engine's images and
//! the status bar change, switching back shows the first again; an image copied from the images
//! pane (C) arrives on the other engine with the same image ID and is then named beside its tag.
//!
//! Without DOCKHAND_ENGINE2_HOST the test returns early unless `DOCKHAND_REQUIRE_ENGINE=1`.

mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::time::Duration;

use common::engine::{self, Cleanup};
use common::tmux::{Spawn, Tmux};

const WAIT: Duration = Duration::from_secs(30);
/// Between Esc and the next key: in one burst they read as Alt-key.
const PAUSE: Duration = Duration::from_millis(200);

fn ok<T>(what: &str, r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn keys(term: &Tmux, keys: &[&str]) {
    ok("keys", term.send_keys(keys));
    std::thread::sleep(PAUSE);
}

/// Ctrl-e, filter the engines list down to `name`, Enter.
fn switch_to(term: &Tmux, name: &str) {
    keys(term, &["C-e"]);
    ok("engines pane", term.wait_for("Engines (", WAIT));
    keys(term, &["Escape"]);
    keys(term, &["/"]);
    ok("filter", term.send_literal(name));
    keys(term, &["Enter"]);
    ok("filtered", term.wait_for("Engines (1)", WAIT));
    keys(term, &["Enter"]);
}

/// The status bar (last non-empty line).
fn status(screen: &str) -> String {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn switch_engines_and_copy_an_image_between_them() {
    let second = match std::env::var("DOCKHAND_ENGINE2_HOST") {
        Ok(h) if !h.is_empty() => h,
        _ if engine::engine_required() => panic!("DOCKHAND_ENGINE2_HOST is unset (tests/run.sh)"),
        _ => return,
    };
    let Some(local) = engine::docker().await else {
        return;
    };
    let far = engine::connect(&second).await.expect("second engine");
    let mut guard = Cleanup::new();
    let one = guard.image(format!("{}:1", engine::unique("dh-e2e-one")));
    let two = format!("{}:1", engine::unique("dh-e2e-two"));
    let one_id = support::fixture(&local, &one, "").await;
    support::fixture(&far, &two, "").await;
    let (one_repo, two_repo) = (
        one.split(':').next().unwrap(),
        two.split(':').next().unwrap(),
    );

    let config = tempfile::tempdir().expect("config");
    let meta = config
        .path()
        .join("contexts/meta")
        .join(dockhand::engine::endpoint::context_dir_name("second"));
    std::fs::create_dir_all(&meta).expect("meta dir");
    std::fs::write(
        meta.join("meta.json"),
        format!(
            r#"{{"Name":"second","Metadata":{{"Description":"the second engine"}},"Endpoints":{{"docker":{{"Host":"{second}","SkipTLSVerify":false}}}}}}"#
        ),
    )
    .expect("meta.json");
    let timings = config.path().join("timings");
    let term = ok(
        "start",
        Spawn::dockhand()
            .env("DOCKER_CONFIG", config.path())
            .env("XDG_CONFIG_HOME", config.path())
            .env("DH_TIMINGS_FILE", &timings)
            .env("DOCKER_HOST", engine::docker_host().unwrap_or_default())
            .env_remove("DOCKER_CONTEXT")
            .size(200, 40)
            .start(),
    );

    // The default engine: its own image, not the other's; the status bar names it.
    let screen = ok("first engine", term.wait_for(one_repo, WAIT));
    assert!(!screen.contains(two_repo), "{screen}");
    assert!(status(&screen).contains("▶ default"), "{}", status(&screen));

    // Both engines listed, connected, the one shown marked.
    keys(&term, &["C-e"]);
    let screen = ok(
        "both connected",
        term.wait_until(WAIT, |s| {
            s.lines().filter(|l| l.contains("● Docker Engine")).count() >= 2
        }),
    );
    assert!(screen.contains("▶ default *"), "{screen}");
    assert!(screen.contains("second"), "{screen}");
    assert!(screen.contains(&second), "{screen}");

    // Switch: the other engine's images and status bar.
    switch_to(&term, "second");
    let screen = ok("second engine", term.wait_for(two_repo, WAIT));
    assert!(!screen.contains(one_repo), "{screen}");
    assert!(status(&screen).contains("▶ second"), "{}", status(&screen));
    assert!(status(&screen).contains(&second), "{}", status(&screen));

    // And back: the first engine's images, at once.
    switch_to(&term, "default");
    let screen = ok("first engine again", term.wait_for(one_repo, WAIT));
    assert!(!screen.contains(two_repo), "{screen}");
    assert!(status(&screen).contains("▶ default"), "{}", status(&screen));

    // Copy the first engine's image to the second from the images pane.
    keys(&term, &["/"]);
    ok("filter", term.send_literal(one_repo));
    keys(&term, &["Enter"]);
    keys(&term, &["C"]);
    let screen = ok("copy dialog", term.wait_for("Copy to engine", WAIT));
    assert!(screen.contains("1 image(s) from default"), "{screen}");
    assert!(screen.contains("▸ second"), "{screen}");
    keys(&term, &["Enter"]);
    ok("copied", term.wait_for("copied", WAIT));
    let copied = far
        .inspect_image(&one)
        .await
        .expect("on the second engine")
        .id;
    assert_eq!(copied.as_deref(), Some(one_id.as_str()), "same image ID");
    // The second engine's listing follows its events: the row names it.
    let row = ok(
        "also on",
        term.wait_until(WAIT, |s| {
            s.lines()
                .any(|l| l.contains(one_repo) && l.contains("second"))
        }),
    );
    assert!(row.contains("ALSO ON"), "{row}");

    keys(&term, &["q"]);
    let figures = std::fs::read_to_string(&timings).unwrap_or_default();
    eprintln!("switch to an already-connected engine, key to frame drawn: {figures}");
    assert_eq!(figures.lines().count(), 2, "two switches timed: {figures}");
    engine::remove_image_quiet(&far, &one).await;
    engine::remove_image_quiet(&far, &two).await;
}
