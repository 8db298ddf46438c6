//! End to end in a real terminal: dockhand in tmux pulls an image from a REAL local registry
//! through the pull dialog; the jobs pane shows the per-layer progress and the images pane the
//! image. Follows the `DOCKHAND_REQUIRE_ENGINE` rule.

mod common;
mod registry_support;

use std::time::Duration;

use common::tmux::Spawn;
use registry_support::{AuthMode, Registry};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_through_the_dialog_shows_progress_and_the_image() {
    let reg = Registry::start(AuthMode::Open);
    let Some(docker) = registry_support::engine::connect().await else {
        return;
    };
    registry_support::engine::ensure_fixtures();
    let tags = registry_support::engine::LocalTags::default();
    let mut cleanup = common::engine::Cleanup::new();
    let name = format!("e2e{}", std::process::id() % 100_000);
    let repo = format!("{}/{name}", reg.addr);
    let reference = cleanup.image(format!("{repo}:1"));
    let source = cleanup.image(format!("{}:1", common::engine::unique("dh-e2e-src")));
    let payload: Vec<u8> = (0..2_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    common::engine::image_from_dockerfile(
        &docker,
        &source,
        &format!(
            "FROM {}\nCOPY payload /payload\n",
            registry_support::engine::BASE_IMAGE
        ),
        &[("payload", &payload)],
    )
    .await;
    registry_support::engine::push(&docker, &tags, &source, &repo, "1", None)
        .await
        .expect("push the fixture");
    // Gone locally: the pull has to download the payload layer.
    for r in [&reference, &source] {
        common::engine::remove_image_quiet(&docker, r).await;
    }

    let config = tempfile::tempdir().expect("temp dir");
    let term = Spawn::dockhand()
        .env("DOCKER_CONFIG", config.path().join("docker"))
        .env("XDG_CONFIG_HOME", config.path().join("xdg"))
        .size(120, 36)
        .start()
        .expect("start dockhand in tmux");
    term.wait_for("Images", WAIT).expect("first frame");
    term.wait_for("Docker Engine", WAIT).expect("connected");
    term.send_keys(&["P"]).expect("open the pull dialog");
    term.wait_for("Pull image", WAIT).expect("pull dialog");
    term.send_literal(&format!("{repo}:x y")).expect("type");
    term.send_keys(&["Enter"]).expect("enter");
    term.wait_for("invalid reference format", WAIT)
        .expect("bad input is refused before sending");
    for _ in 0..4 {
        term.send_keys(&["BSpace"]).expect("erase");
    }
    term.send_literal(":1").expect("type");
    term.send_keys(&["Enter"]).expect("pull");
    term.send_keys(&["3"]).expect("jobs pane");
    let screen = term.wait_for("✓ done", WAIT).expect("pull finished");
    assert!(screen.contains(&format!("pull {repo}:1")), "{screen}");
    assert!(screen.contains("Pull complete"), "{screen}");
    assert!(screen.contains("Already exists"), "{screen}");
    assert!(screen.contains("overall"), "{screen}");
    term.send_keys(&["1"]).expect("images pane");
    let screen = term.wait_for(&name, WAIT).expect("image listed");
    assert!(screen.contains(&reg.addr), "{screen}");
    term.send_keys(&["q"]).expect("quit");
    assert_eq!(term.wait_exit(WAIT).expect("exit"), 0);
}
