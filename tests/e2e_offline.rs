//! End to end in tmux against the REAL engine: commit a container from the containers pane
//! (the new image is selected), save it to a tar from the images pane, remove it behind
//! dockhand's back, then load the tar (preview first) and find the same image ID and tag again.
mod common;

use std::time::Duration;

use common::engine::{self, Cleanup};
use common::tmux::Spawn;

const T: Duration = Duration::from_secs(30);

#[tokio::test]
async fn commit_then_save_then_load() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let base = guard.image(format!("{}:1", engine::unique("dh-e2e-off")));
    engine::busybox_image(&docker, &base).await;
    let name = guard.container(engine::unique("dh-e2e-offc"));
    let out = engine::run_to_completion(&docker, &base, &["true"]).await;
    assert!(out.is_ok(), "{out:?}");
    // A stopped container with a change to commit.
    let body = bollard::models::ContainerCreateBody {
        image: Some(base.clone()),
        cmd: Some(vec![
            "sh".into(),
            "-c".into(),
            "echo e2e > /committed".into(),
        ]),
        host_config: Some(bollard::models::HostConfig {
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = bollard::query_parameters::CreateContainerOptionsBuilder::default()
        .name(&name)
        .build();
    let id = docker
        .create_container(Some(options), body)
        .await
        .expect("create")
        .id;
    docker.start_container(&id, None).await.expect("start");
    let _ = futures::StreamExt::next(&mut docker.wait_container(&id, None)).await;

    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("committed.tar");
    let committed = guard.image(format!("{}:c", engine::unique("dh-e2e-comm")));

    let term = Spawn::dockhand()
        .env("DOCKER_HOST", engine::docker_host().unwrap_or_default())
        .size(240, 40)
        .start()
        .unwrap();
    term.wait_for("Images (", T).unwrap();
    term.send_keys(&["7"]).unwrap();
    term.wait_for("7 Containers (", T).unwrap();
    term.send_keys(&["/"]).unwrap();
    term.send_literal(&name).unwrap();
    term.send_keys(&["Enter"]).unwrap();
    term.wait_for("Containers (1", T).unwrap();

    // Commit with a tag and a change.
    term.send_keys(&["c"]).unwrap();
    term.wait_for("Commit container", T).unwrap();
    term.send_literal(&committed).unwrap();
    term.send_keys(&["Tab", "Tab", "Tab", "Tab"]).unwrap();
    term.send_literal("ENV FROM_E2E=1").unwrap();
    term.send_keys(&["Enter"]).unwrap();
    // The status line may be narrower than the names: the engine says what was made.
    term.wait_for("committed dh-e2e", T).unwrap();
    let inspect = docker.inspect_image(&committed).await.expect("committed");
    let new_id = inspect.id.clone().unwrap();
    let env = inspect.config.and_then(|c| c.env).unwrap_or_default();
    assert!(env.contains(&"FROM_E2E=1".to_string()), "{env:?}");

    // The images pane has the new image selected: save it.
    term.send_keys(&["1"]).unwrap();
    let short = &new_id.trim_start_matches("sha256:")[..12];
    // Wait for the listing that has the new image (its row: repository and short ID).
    let repo = committed.split(':').next().unwrap_or_default().to_string();
    term.wait_until(T, |s| {
        s.lines().any(|l| {
            (l.starts_with('┃') || l.starts_with('│')) && l.contains(&repo) && l.contains(short)
        })
    })
    .unwrap_or_else(|s| panic!("the committed image is not listed:\n{s}"));
    term.send_keys(&["W"]).unwrap();
    term.wait_for("Save images", T).unwrap();
    let screen = term.capture();
    assert!(
        screen.contains(&committed),
        "the selected image is the commit:\n{screen}"
    );
    term.send_keys(&["C-u"]).unwrap();
    term.send_literal(&tar.display().to_string()).unwrap();
    term.send_keys(&["Enter"]).unwrap();
    term.wait_for("saved 1 image", T).unwrap();
    assert!(tar.exists());

    // Gone from the engine; load it back through the preview.
    let options = bollard::query_parameters::RemoveImageOptionsBuilder::default()
        .force(true)
        .build();
    docker
        .remove_image(&committed, Some(options), None)
        .await
        .expect("remove");
    assert!(docker.inspect_image(&new_id).await.is_err());
    term.send_keys(&["L"]).unwrap();
    term.wait_for("Load images", T).unwrap();
    term.send_literal(&tar.display().to_string()).unwrap();
    term.send_keys(&["Enter"]).unwrap();
    let preview = term.wait_for("Enter load", T).unwrap();
    assert!(preview.contains("1 image ·"), "{preview}");
    assert!(preview.contains(&committed), "{preview}");
    term.send_keys(&["Enter"]).unwrap();
    term.wait_for("loaded ", T).unwrap();
    let back = docker.inspect_image(&committed).await.expect("loaded");
    assert_eq!(back.id.as_deref(), Some(new_id.as_str()));
}
