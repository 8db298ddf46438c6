//! Integration tests of the engine module (`dockhand::engine`) against the REAL engine at
//! `DOCKER_HOST`: listing, details/history, tag, remove, prune, and the engine actor's event
//! sequence. Without an engine they skip with a notice, unless `DOCKHAND_REQUIRE_ENGINE=1`.
//!
//! Tests run in parallel against one engine. Every fixture has its own image ID (a unique
//! LABEL); tests that create dangling images hold [`SHARED`] for reading, the prune test on the
//! shared engine holds it for writing. Pruning "all unused" images would wipe every unused image
//! of the engine, so that scope is tested on a private engine started by the test
//! (`engine_images/private_engine.rs`).

#[path = "engine_images/actor.rs"]
mod actor;
mod common;
#[path = "engine_images/force_remove.rs"]
mod force_remove;
#[path = "engine_images/private_engine.rs"]
mod private_engine;
#[path = "engine_images/prune.rs"]
mod prune;
#[path = "engine_images/support.rs"]
mod support;

use common::engine::{self, Cleanup};
use dockhand::engine::{EngineError, images};
use support::{create_container, fixture, image_id};

/// Read: a test that must not see its dangling images pruned; write: a dangling prune.
pub static SHARED: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn inventory_lists_tags_dangling_images_and_containers() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _shared = SHARED.read().await;
    let mut guard = Cleanup::new();
    let repo = engine::unique("dhi-list");
    let tag = guard.image(format!("{repo}:1"));
    let second = guard.image(format!("{repo}:second"));
    let id = fixture(&docker, &tag, "").await;
    images::tag(&docker, &id, &second)
        .await
        .expect("second tag");

    // Build a tag twice with different content: the first image becomes `<none>:<none>`.
    let dtag = guard.image(format!("{}:1", engine::unique("dhi-dangling")));
    let old = guard.image(fixture(&docker, &dtag, "RUN echo one > /f\n").await);
    let new = fixture(&docker, &dtag, "RUN echo two > /f\n").await;
    assert_ne!(old, new, "the rebuild must make a new image");

    let cname = guard.container(engine::unique("dhi-list-c"));
    let cid = create_container(&docker, &tag, &cname).await;

    let inv = images::inventory(&docker).await.expect("inventory");
    let image = inv
        .images
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("{id} not listed"));
    let mut tags = image.repo_tags.clone();
    tags.sort();
    assert_eq!(tags, vec![tag.clone(), second.clone()]);
    assert!(image.size > 1_000_000, "busybox image size {}", image.size);
    assert!(
        image.created > now() - 24 * 3600 && image.created <= now() + 60,
        "created {} vs now {}",
        image.created,
        now()
    );

    let dangling = inv
        .images
        .iter()
        .find(|i| i.id == old)
        .unwrap_or_else(|| panic!("dangling {old} not listed"));
    assert!(dangling.repo_tags.is_empty(), "{dangling:?}");
    let rebuilt = inv.images.iter().find(|i| i.id == new).expect("rebuilt");
    assert_eq!(rebuilt.repo_tags, vec![dtag.clone()]);

    let container = inv
        .containers
        .iter()
        .find(|c| c.id == cid)
        .unwrap_or_else(|| panic!("container {cid} not listed"));
    assert_eq!(container.image_id, id);
    assert_eq!(container.name, cname);
    assert_eq!(container.state.as_str(), "created");
}

#[tokio::test]
async fn details_reads_history_oldest_first_and_config() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dhi-details")));
    const BLOB: u64 = 300 * 1024;
    let dockerfile = format!(
        "FROM scratch\n\
         COPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"dd\", \"if=/dev/zero\", \"of=/data.bin\", \"bs=1024\", \"count=300\"]\n\
         ENV APP_MODE=test GREETING=hello\n\
         WORKDIR /srv\n\
         USER 1000:1000\n\
         EXPOSE 8080/tcp 9090/udp\n\
         LABEL org.example.team=dockhand org.example.tag=\"{tag}\"\n\
         ENTRYPOINT [\"/bin/busybox\"]\n\
         CMD [\"sh\", \"-c\", \"echo hi\"]\n"
    );
    let id = support::build(&docker, &tag, &dockerfile).await;
    let busybox_len = support::busybox_bytes().len() as u64;

    let d = images::details(&docker, &tag).await.expect("details");
    assert_eq!(d.id, id);
    assert_eq!(d.repo_tags, vec![tag.clone()]);
    assert_eq!(d.entrypoint, vec!["/bin/busybox".to_string()]);
    assert_eq!(d.cmd, vec!["sh", "-c", "echo hi"]);
    assert!(d.env.contains(&"APP_MODE=test".to_string()), "{:?}", d.env);
    assert!(d.env.contains(&"GREETING=hello".to_string()), "{:?}", d.env);
    assert_eq!(d.working_dir, "/srv");
    assert_eq!(d.user, "1000:1000");
    let mut ports = d.exposed_ports.clone();
    ports.sort();
    assert_eq!(ports, vec!["8080/tcp", "9090/udp"]);
    assert_eq!(
        d.labels,
        vec![
            ("org.example.tag".to_string(), tag.clone()),
            ("org.example.team".to_string(), "dockhand".to_string())
        ]
    );
    assert!(d.platform.starts_with("linux/"), "{}", d.platform);
    assert!(d.size >= busybox_len + BLOB, "size {}", d.size);

    // RootFS layers exactly as the engine reports them.
    let inspect = docker.inspect_image(&tag).await.expect("inspect");
    let rootfs = inspect.root_fs.and_then(|r| r.layers).unwrap_or_default();
    assert_eq!(d.layers, rootfs);
    assert!(d.layers.len() >= 2, "{:?}", d.layers);

    // History oldest first: COPY, RUN, then the metadata-only steps ending with CMD.
    let h = &d.history;
    assert_eq!(h.len(), 9, "{h:#?}");
    assert!(h[0].created_by.contains("COPY"), "{:?}", h[0]);
    assert!(h[1].created_by.contains("of=/data.bin"), "{:?}", h[1]);
    assert!(h[8].created_by.contains("CMD"), "{:?}", h[8]);
    assert!(h.windows(2).all(|w| w[0].created <= w[1].created));
    assert_eq!(h[0].size, busybox_len, "COPY layer = the busybox file");
    assert!(
        (BLOB..BLOB + 16 * 1024).contains(&h[1].size),
        "RUN layer {} vs file {BLOB}",
        h[1].size
    );
    for entry in &h[2..] {
        if ["ENV", "USER", "EXPOSE", "LABEL", "ENTRYPOINT", "CMD"]
            .iter()
            .any(|m| entry.created_by.contains(m))
        {
            assert_eq!(entry.size, 0, "metadata entry {entry:?}");
        }
    }
    let sized = h.iter().filter(|e| e.size > 0).count();
    assert!(sized <= d.layers.len(), "{sized} sized entries");
    // The newest entry is the image itself.
    assert_eq!(h[8].id, id);
}

#[tokio::test]
async fn details_of_a_missing_image_is_an_api_error() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let missing = format!("{}:nope", engine::unique("dhi-missing"));
    match images::details(&docker, &missing).await {
        Err(EngineError::Api { status, message }) => {
            assert_eq!(status, 404, "{message}");
            assert!(message.contains("dhi-missing"), "{message}");
        }
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[tokio::test]
async fn tag_adds_a_reference_and_refuses_invalid_targets() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let repo = engine::unique("dhi-tag");
    let tag = guard.image(format!("{repo}:1"));
    let id = fixture(&docker, &tag, "").await;

    let target = guard.image(format!("localhost:5000/team/{repo}:v2"));
    let msg = images::tag(&docker, &id, &target).await.expect("tag");
    assert!(msg.contains(&target), "{msg}");
    assert_eq!(image_id(&docker, &target).await, Some(id.clone()));

    // No tag given: `latest`.
    let bare = guard.image(format!("{repo}-bare"));
    images::tag(&docker, &tag, &bare).await.expect("tag bare");
    assert_eq!(
        image_id(&docker, &format!("{bare}:latest")).await,
        Some(id.clone())
    );

    // Refused before anything is sent.
    let digest = format!("{repo}@sha256:{}", "a".repeat(64));
    assert!(matches!(
        images::tag(&docker, &id, &digest).await,
        Err(EngineError::Invalid(_))
    ));
    // Refused by the engine: upper-case repository, bad tag characters, missing source.
    let upper = format!("{}:upper", repo.to_ascii_uppercase());
    match images::tag(&docker, &id, &upper).await {
        Err(EngineError::Api { status, message }) => {
            // dockerd 20.10 answers 500 here, newer engines 400.
            assert!(status == 400 || status == 500, "{status} {message}");
            assert!(message.contains("lowercase"), "{message}");
        }
        other => panic!("upper-case repository accepted: {other:?}"),
    }
    assert_eq!(image_id(&docker, &upper.to_ascii_lowercase()).await, None);
    let bad_tag = format!("{repo}:bad tag!");
    assert!(
        images::tag(&docker, &id, &bad_tag).await.is_err(),
        "{bad_tag} accepted"
    );
    let ghost = format!("{}:1", engine::unique("dhi-ghost"));
    match images::tag(&docker, &ghost, &format!("{repo}:ghost")).await {
        Err(EngineError::Api { status, .. }) => assert_eq!(status, 404),
        other => panic!("tagging a missing image: {other:?}"),
    }
}

#[tokio::test]
async fn remove_untags_then_deletes_and_needs_force_for_used_images() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let repo = engine::unique("dhi-rm");
    let a = guard.image(format!("{repo}:a"));
    let b = guard.image(format!("{repo}:b"));
    let id = fixture(&docker, &a, "").await;
    images::tag(&docker, &id, &b).await.expect("tag b");

    let msg = images::remove(&docker, std::slice::from_ref(&a), false)
        .await
        .expect("untag a");
    assert!(msg.ends_with(": 1 tag untagged"), "{msg}");
    assert_eq!(image_id(&docker, &a).await, None);
    assert_eq!(image_id(&docker, &b).await, Some(id.clone()), "image stays");

    let msg = images::remove(&docker, std::slice::from_ref(&b), false)
        .await
        .expect("remove b");
    // One image as `docker images` lists it (its build's intermediate parents go too).
    assert!(msg.contains(": 1 image ("), "{msg}");
    assert!(msg.ends_with("), 1 tag untagged"), "{msg}");
    assert_eq!(image_id(&docker, &id).await, None, "image gone");

    // Used by a (never started) container: refused without force, naming the conflict.
    let used = guard.image(format!("{repo}:used"));
    let used_id = fixture(&docker, &used, "").await;
    let cname = guard.container(engine::unique("dhi-rm-c"));
    let cid = create_container(&docker, &used, &cname).await;
    match images::remove(&docker, std::slice::from_ref(&used), false).await {
        Err(EngineError::Api { status, message }) => {
            assert_eq!(status, 409, "{message}");
            assert!(message.contains(&used), "names the target: {message}");
            assert!(message.contains("conflict"), "{message}");
            assert!(
                message.contains(&cid[..12]),
                "names the container: {message}"
            );
        }
        other => panic!("removing a used image without force: {other:?}"),
    }
    assert_eq!(image_id(&docker, &used).await, Some(used_id.clone()));
    let msg = images::remove(&docker, std::slice::from_ref(&used), true)
        .await
        .expect("forced remove");
    assert!(msg.contains("untagged"), "{msg}");
    assert_eq!(image_id(&docker, &used).await, None);
}
