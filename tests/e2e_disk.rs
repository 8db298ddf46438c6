//! End to end in tmux against the REAL engine: from the disk overview (figures as the engine
//! reports them) into the build-cache records, a build-cache prune with its preview, and the
//! bytes the engine reclaimed beside what the preview said.
mod common;

use std::time::Duration;

use common::engine::{self, Cleanup};
use common::tmux::Spawn;
use dockhand::engine::raw_api::RawApi;

const T: Duration = Duration::from_secs(30);

/// Builds `dockerfile` with BuildKit through `dockhand build` (makes build-cache records).
fn buildkit_build(tag: &str, dockerfile: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.path().join("blob"), vec![7u8; 30_000]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dockhand"))
        .args([
            "build",
            "--builder",
            "buildkit",
            "--network",
            "host",
            "-t",
            tag,
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dockhand build failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The screen line that starts with `label` (after the border).
fn row<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.trim_start_matches(['┃', '│', ' ']).starts_with(label))
        .unwrap_or_else(|| panic!("no {label} row:\n{screen}"))
}

/// Opens the build-cache prune dialog, chooses "all", reads the preview's bytes and confirms;
/// returns the preview's figure and the result line.
fn prune_all_with_preview(term: &common::tmux::Tmux) -> (String, String) {
    term.send_keys(&["p"]).unwrap();
    term.wait_for("Prune build cache", T).unwrap();
    term.send_keys(&["Tab"]).unwrap();
    term.wait_for("docker builder prune --all", T).unwrap();
    let screen = term
        .wait_until(T, |s| s.contains("would go, freeing"))
        .unwrap_or_else(|s| panic!("no preview:\n{s}"));
    let head = screen
        .lines()
        .find(|l| l.contains("would go, freeing"))
        .unwrap();
    let freeing = head
        .split("freeing ")
        .nth(1)
        .unwrap()
        .trim_end_matches(['│', '┃', ' '])
        .to_string();
    term.send_keys(&["Enter"]).unwrap();
    let screen = term
        .wait_until(T, |s| s.contains("Last: build cache pruned"))
        .unwrap_or_else(|s| panic!("no result:\n{s}"));
    let last = screen
        .lines()
        .find(|l| l.contains("Last: build cache pruned"))
        .unwrap();
    (freeing, last.to_string())
}

#[tokio::test]
async fn disk_overview_into_a_build_cache_prune() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-e2e-disk");
    let tag = guard.image(format!("{id}:1"));
    buildkit_build(
        &tag,
        &format!(
            "FROM dh-busybox:1\nCOPY blob /blob\nRUN dd if=/dev/zero of=/x bs=1k count=150 && echo {id}\n"
        ),
    );
    let host = engine::docker_host().unwrap_or_default();
    let raw = RawApi::for_endpoint(&host, &docker).expect("a unix or tcp DOCKER_HOST");
    let du = dockhand::engine::disk_worker::usage(&docker, Some(&raw))
        .await
        .unwrap();
    assert!(
        !du.build_cache_items.is_empty(),
        "the build made cache records"
    );

    let term = Spawn::dockhand()
        .env("DOCKER_HOST", &host)
        .size(150, 40)
        .start()
        .unwrap();
    term.wait_for(&id, T).unwrap();
    term.send_keys(&["8"]).unwrap();
    let screen = term.wait_for("Build Cache", T).unwrap();
    // The figures are the engine's: counts of each kind and the build cache's records.
    let images = row(&screen, "Images");
    assert!(
        images.contains(&format!("Images{:>15}", du.images.total_count)),
        "{screen}"
    );
    let cache = row(&screen, "Build Cache");
    assert!(
        cache.contains(&format!("Build Cache{:>10}", du.build_cache.total_count)),
        "{screen}"
    );
    assert!(screen.contains("Data root "), "{screen}");

    // Into the records: the RUN that made one is named.
    term.send_keys(&["b"]).unwrap();
    term.wait_for("build cache (", T).unwrap();
    term.wait_for("RUN dd if=/dev/zero of=/x bs=1k count=150 && echo", T)
        .unwrap();

    // Prune all records, with the preview first.
    let (freeing, last) = prune_all_with_preview(&term);
    println!(
        "preview: freeing {freeing}; {}",
        last.trim_matches(['┃', '│', ' '])
    );
    // What the engine reclaimed is what the preview said.
    assert!(
        last.contains(&format!("{freeing} reclaimed (preview: {freeing})")),
        "preview {freeing:?}, result: {last}"
    );
    let after = dockhand::engine::disk_worker::usage(&docker, Some(&raw))
        .await
        .unwrap();
    assert!(after.build_cache_items.is_empty(), "{after:?}");
    term.send_keys(&["Escape"]).unwrap();
    let screen = term
        .wait_until(T, |s| {
            s.lines()
                .any(|l| l.contains(&format!("Build Cache{:>10}", 0)))
        })
        .unwrap_or_else(|s| panic!("the summary did not refresh:\n{s}"));
    assert!(screen.contains("Last: build cache pruned"), "{screen}");
}
