//! End to end: the real dockhand binary in tmux against the engine at DOCKER_HOST. Select a
//! fixture image, open the layer explorer, wait for dive's figures, switch layers, see a
//! removed file marked, quit.
//!
//! Without an engine the test skips with a notice, unless DOCKHAND_REQUIRE_ENGINE=1.
mod common;

use std::time::Duration;

use common::engine::{self, Cleanup, ContextFile};
use common::tmux::Spawn;

const WAIT: Duration = Duration::from_secs(60);

/// The status letter of the file-tree row showing `name` (the tree is right of the `││`
/// between the layer list and the tree), or `None` when no tree row shows it.
fn status(screen: &str, name: &str) -> Option<char> {
    screen.lines().find_map(|l| {
        let (_, tree) = l.split_once("││")?;
        tree.contains(name).then(|| tree.chars().next())?
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explore_a_fixture_image_in_the_tui() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let repo = engine::unique("dh-e2e-explorer");
    let tag = guard.image(format!("{repo}:1"));
    let busybox = std::fs::read(engine::busybox_path().unwrap()).unwrap();
    let dockerfile = "FROM scratch\n\
        COPY busybox /bin/busybox\n\
        RUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\n\
        RUN mkdir -p /srv && echo one > /srv/kept.txt && dd if=/dev/zero of=/srv/doomed.bin bs=1k count=64 2>/dev/null\n\
        RUN echo two > /srv/kept.txt && echo fresh > /srv/added.txt\n\
        RUN rm /srv/doomed.bin\n";
    engine::try_build(
        &docker,
        &tag,
        engine::tar_context(&[
            ContextFile::new("Dockerfile", dockerfile, 0o644),
            ContextFile::new("busybox", busybox, 0o755),
        ]),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    let config = tempfile::tempdir().unwrap();
    let term = Spawn::dockhand()
        .env("DOCKER_HOST", engine::docker_host().unwrap_or_default())
        .env("XDG_CONFIG_HOME", config.path())
        .size(150, 40)
        .start()
        .expect("start dockhand in tmux");
    term.wait_for(&repo, WAIT).expect("the fixture is listed");

    // Select the fixture with the filter, then open the explorer from the images pane.
    term.send_keys(&["/"]).unwrap();
    term.send_literal(&repo).unwrap();
    term.send_keys(&["Enter"]).unwrap();
    term.wait_for("RUN rm /srv/doomed.bin", WAIT)
        .expect("the layers of the fixture");
    term.send_keys(&["f"]).unwrap();
    let screen = term
        .wait_for("Efficiency", WAIT)
        .expect("the figures once the analysis is done");
    assert!(screen.contains("Files as of layer 5/5"), "{screen}");
    // 64 kB of doomed.bin (added, then removed) plus kept.txt written twice are wasted.
    assert!(screen.contains("Potential wasted 66 kB"), "{screen}");
    assert!(screen.contains("2 inefficient files"), "{screen}");

    // /bin holds hundreds of applets: filter the tree by path.
    term.send_keys(&["/"]).unwrap();
    term.send_literal("srv").unwrap();
    term.send_keys(&["Enter"]).unwrap();
    let screen = term.wait_for("filter: srv", WAIT).unwrap();
    // The top layer removed doomed.bin: marked R.
    assert_eq!(status(&screen, "doomed.bin"), Some('R'), "{screen}");

    // One layer down it is still there, unchanged; kept.txt is modified and added.txt new.
    term.send_keys(&["["]).unwrap();
    let screen = term.wait_for("Files as of layer 4/5", WAIT).unwrap();
    assert_eq!(status(&screen, "doomed.bin"), Some('·'), "{screen}");
    assert_eq!(status(&screen, "kept.txt"), Some('M'), "{screen}");
    assert_eq!(status(&screen, "added.txt"), Some('A'), "{screen}");

    // Only this layer's changes: doomed.bin disappears, the changes stay.
    term.send_keys(&["c"]).unwrap();
    let screen = term.wait_for("Changes in layer 4/5", WAIT).unwrap();
    assert_eq!(status(&screen, "doomed.bin"), None, "{screen}");
    assert_eq!(status(&screen, "added.txt"), Some('A'), "{screen}");

    // Back up to the top layer: its only change is the removal.
    term.send_keys(&["]"]).unwrap();
    let screen = term.wait_for("Changes in layer 5/5", WAIT).unwrap();
    assert_eq!(status(&screen, "doomed.bin"), Some('R'), "{screen}");
    assert_eq!(status(&screen, "kept.txt"), None, "{screen}");

    // The inefficient files list.
    term.send_keys(&["w"]).unwrap();
    let screen = term.wait_for("Inefficient files: 2", WAIT).unwrap();
    assert!(screen.contains("/srv/doomed.bin"), "{screen}");

    term.send_keys(&["q"]).unwrap();
    let status = term
        .wait_exit(Duration::from_secs(10))
        .expect("dockhand exits");
    assert_eq!(status, 0, "{}", term.capture());
}
