//! Fixtures and event helpers shared by the engine integration tests.
//!
//! Every fixture image carries a LABEL with its own unique tag, so two tests never end up with
//! the same image ID through the classic builder's cache (which would make "the image is gone"
//! checks depend on other tests).

use std::sync::Arc;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::CreateContainerOptionsBuilder;
use dockhand::engine::{EngineEvent, Sink};
use tokio::sync::mpsc;

use crate::common::engine::{self, ContextFile};

/// The static busybox binary, read once per call.
pub fn busybox_bytes() -> Vec<u8> {
    let path = engine::busybox_path().unwrap_or_else(|e| panic!("{e}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The first lines of every fixture: busybox with its applets, `PATH=/bin`, `CMD sh`.
pub const BUSYBOX_PREFIX: &str = "FROM scratch\n\
    COPY busybox /bin/busybox\n\
    RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
    ENV PATH=/bin\n\
    CMD [\"/bin/sh\"]\n";

/// Builds `dockerfile` (with the static busybox in the context, mode 0755) as `tag`.
pub async fn build(docker: &Docker, tag: &str, dockerfile: &str) -> String {
    let context = engine::tar_context(&[
        ContextFile::new("Dockerfile", dockerfile, 0o644),
        ContextFile::new("busybox", busybox_bytes(), 0o755),
    ]);
    engine::try_build(docker, tag, context)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A busybox image unique to `tag` (same layers as every other fixture, its own image ID),
/// with `extra` Dockerfile lines appended.
pub async fn fixture(docker: &Docker, tag: &str, extra: &str) -> String {
    let dockerfile = format!("{BUSYBOX_PREFIX}{extra}LABEL dockhand.test.tag=\"{tag}\"\n");
    build(docker, tag, &dockerfile).await
}

/// A fixture whose last layer is `/blob`, exactly `bytes` random bytes (so the layer is unique
/// and its size is known). `salt` goes into the command so the build cache never reuses it.
pub async fn fixture_with_blob(docker: &Docker, tag: &str, bytes: u64, salt: &str) -> String {
    let extra = format!("RUN head -c {bytes} /dev/urandom > /blob && : {salt}\n");
    fixture(docker, tag, &extra).await
}

/// Creates (does not start) a container from `image` with `--network none`. Returns its ID.
pub async fn create_container(docker: &Docker, image: &str, name: &str) -> String {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(vec!["true".to_string()]),
        host_config: Some(HostConfig {
            network_mode: Some("none".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::default().name(name).build();
    docker
        .create_container(Some(options), body)
        .await
        .unwrap_or_else(|e| panic!("create container {name} from {image}: {e}"))
        .id
}

/// The image ID a reference points at, or `None` when the engine does not know it.
pub async fn image_id(docker: &Docker, reference: &str) -> Option<String> {
    match docker.inspect_image(reference).await {
        Ok(i) => i.id,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => None,
        Err(e) => panic!("inspect {reference}: unexpected error {e}"),
    }
}

/// A sink that forwards engine events into a channel the test reads.
pub fn collector() -> (Sink, mpsc::UnboundedReceiver<EngineEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let sink: Sink = Arc::new(move |ev| {
        let _ = tx.send(ev);
    });
    (sink, rx)
}

/// One line per event, for failure messages.
pub fn summary(ev: &EngineEvent) -> String {
    match ev {
        EngineEvent::Inventory(Ok(inv)) => format!(
            "Inventory(Ok: {} images, {} containers)",
            inv.images.len(),
            inv.containers.len()
        ),
        other => {
            let s = format!("{other:?}");
            s.chars().take(300).collect()
        }
    }
}

/// Reads events until one matches `pred` and returns it; on timeout (or a closed channel)
/// the error lists the events seen meanwhile.
pub async fn wait_for_event(
    rx: &mut mpsc::UnboundedReceiver<EngineEvent>,
    pred: impl Fn(&EngineEvent) -> bool,
    timeout: Duration,
) -> Result<EngineEvent, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) if pred(&ev) => return Ok(ev),
            Ok(Some(ev)) => seen.push(summary(&ev)),
            Ok(None) => {
                return Err(format!(
                    "event channel closed; seen:\n  {}",
                    seen.join("\n  ")
                ));
            }
            Err(_) => {
                return Err(format!(
                    "no matching event within {timeout:?}; seen:\n  {}",
                    seen.join("\n  ")
                ));
            }
        }
    }
}

/// Like [`wait_for_event`], panicking with `what` and the events seen on failure.
pub async fn expect_event(
    rx: &mut mpsc::UnboundedReceiver<EngineEvent>,
    what: &str,
    pred: impl Fn(&EngineEvent) -> bool,
    timeout: Duration,
) -> EngineEvent {
    wait_for_event(rx, pred, timeout)
        .await
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}"))
}

/// True for an `Ok` inventory in which `pred` holds.
pub fn inventory_where(
    ev: &EngineEvent,
    pred: impl Fn(&dockhand::engine::Inventory) -> bool,
) -> bool {
    matches!(ev, EngineEvent::Inventory(Ok(inv)) if pred(inv))
}

/// True when an inventory lists an image carrying `tag`.
pub fn has_tag(inv: &dockhand::engine::Inventory, tag: &str) -> bool {
    inv.images
        .iter()
        .any(|i| i.repo_tags.iter().any(|t| t == tag))
}
