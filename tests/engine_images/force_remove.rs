//! The remove dialog's plan (`state::images::dialogs::remove_plan`) against what dockerd then
//! does with a forced removal: an image under a running container keeps existing untagged, one
//! under a stopped or created container is deleted while the container stays (listed by image
//! ID, still startable), another tag only untags, and an untagged image under a running container
//! is refused even with force (so the plan does not send it).

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, StartContainerOptions,
};
use dockhand::engine::{Command, EngineError, images};
use dockhand::state::images::dialogs::{Fate, remove_command, remove_plan};
use dockhand::state::images::rows::rows_from;

use crate::common::engine::{self, Cleanup};
use crate::support::{create_container, fixture, image_id};

async fn run_sleeping(docker: &Docker, image: &str, name: &str) -> String {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(vec!["sleep".into(), "300".into()]),
        host_config: Some(HostConfig {
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::default().name(name).build();
    let id = docker
        .create_container(Some(options), body)
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"))
        .id;
    docker
        .start_container(&id, None::<StartContainerOptions>)
        .await
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    id
}

async fn container_state(docker: &Docker, id: &str) -> (String, String) {
    let c = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .unwrap_or_else(|e| panic!("inspect {id}: {e}"));
    let status = c
        .state
        .and_then(|s| s.status)
        .map(|s| s.to_string())
        .unwrap_or_default();
    (status, c.image.unwrap_or_default())
}

#[tokio::test]
async fn forced_remove_does_what_the_dialog_plan_says() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _shared = crate::SHARED.read().await;
    let mut guard = Cleanup::new();
    let repo = engine::unique("dhi-force");
    let running = guard.image(format!("{repo}:running"));
    let stopped = guard.image(format!("{repo}:stopped"));
    let shared_a = guard.image(format!("{repo}:shared-a"));
    let shared_b = guard.image(format!("{repo}:shared-b"));
    let lone = guard.image(format!("{repo}:lone"));
    let dangling = guard.image(format!("{repo}:dangling"));
    let running_id = fixture(&docker, &running, "").await;
    let stopped_id = fixture(&docker, &stopped, "").await;
    let shared_id = fixture(&docker, &shared_a, "").await;
    images::tag(&docker, &shared_id, &shared_b).await.unwrap();
    let lone_id = fixture(&docker, &lone, "").await;
    let dangling_id = fixture(&docker, &dangling, "").await;

    let c_running =
        run_sleeping(&docker, &running, &guard.container(engine::unique("dhf-r"))).await;
    let c_created =
        create_container(&docker, &stopped, &guard.container(engine::unique("dhf-c"))).await;
    let c_shared = run_sleeping(
        &docker,
        &shared_a,
        &guard.container(engine::unique("dhf-s")),
    )
    .await;
    let c_dangling = run_sleeping(
        &docker,
        &dangling,
        &guard.container(engine::unique("dhf-d")),
    )
    .await;
    // The last fixture loses its tag (forced, under its running container): an untagged image.
    images::remove(&docker, std::slice::from_ref(&dangling), true)
        .await
        .unwrap();
    assert_eq!(
        image_id(&docker, &dangling_id).await,
        Some(dangling_id.clone())
    );

    let inv = images::inventory(&docker).await.unwrap();
    let rows = rows_from(&inv.images, &inv.containers);
    let pick = |key: &str| {
        rows.iter()
            .find(|r| r.key() == key)
            .unwrap_or_else(|| panic!("row {key}"))
    };
    let chosen = vec![
        pick(&running),
        pick(&stopped),
        pick(&shared_a),
        pick(&lone),
        pick(&dangling_id),
    ];
    let plan = remove_plan(&chosen);
    let fate = |key: &str| &plan.iter().find(|t| t.key == key).unwrap().fate;
    assert!(
        matches!(fate(&running), Fate::UntagKeepImage(_)),
        "{plan:?}"
    );
    assert!(matches!(fate(&stopped), Fate::DeleteUnder(_)), "{plan:?}");
    assert_eq!(fate(&shared_a), &Fate::Untag);
    assert_eq!(fate(&lone), &Fate::Delete);
    assert!(matches!(fate(&dangling_id), Fate::Refused(_)), "{plan:?}");

    let Some(Command::Remove { targets, force }) = remove_command(&plan) else {
        panic!("nothing to send: {plan:?}")
    };
    assert!(force);
    assert!(
        !targets.contains(&dangling_id),
        "a refused image is not sent"
    );
    images::remove(&docker, &targets, force).await.unwrap();

    // Untag, image kept under its running container.
    assert_eq!(image_id(&docker, &running).await, None);
    assert_eq!(
        image_id(&docker, &running_id).await,
        Some(running_id.clone())
    );
    assert_eq!(container_state(&docker, &c_running).await.0, "running");
    // Deleted under a created container, which stays, shows the image ID, and still starts.
    assert_eq!(image_id(&docker, &stopped_id).await, None);
    let (status, image) = container_state(&docker, &c_created).await;
    assert_eq!(
        (status.as_str(), image.as_str()),
        ("created", stopped_id.as_str())
    );
    let inv = images::inventory(&docker).await.unwrap();
    let listed = inv.containers.iter().find(|c| c.id == c_created).unwrap();
    assert!(
        listed
            .image
            .contains(stopped_id.trim_start_matches("sha256:")),
        "{listed:?}"
    );
    docker
        .start_container(&c_created, None::<StartContainerOptions>)
        .await
        .expect("a container whose image was deleted still starts");
    // Another tag: only this one goes.
    assert_eq!(image_id(&docker, &shared_a).await, None);
    assert_eq!(image_id(&docker, &shared_b).await, Some(shared_id.clone()));
    assert_eq!(container_state(&docker, &c_shared).await.0, "running");
    // Unused: deleted.
    assert_eq!(image_id(&docker, &lone_id).await, None);
    // Refused: what the engine says when it is sent anyway.
    match images::remove(&docker, std::slice::from_ref(&dangling_id), true).await {
        Err(EngineError::Api { status, message }) => {
            assert_eq!(status, 409, "{message}");
            assert!(message.contains("running container"), "{message}");
        }
        other => panic!("forced removal by ID under a running container: {other:?}"),
    }
    assert_eq!(
        image_id(&docker, &dangling_id).await,
        Some(dangling_id.clone())
    );
    for c in [&c_running, &c_created, &c_shared, &c_dangling] {
        engine::remove_container_quiet(&docker, c).await;
    }
    for id in [&running_id, &dangling_id, &shared_id] {
        engine::remove_image_quiet(&docker, id).await;
    }
}
