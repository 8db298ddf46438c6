//! Copying an image from one engine to another with no registry: the source's export
//! (`GET /images/get`) is streamed straight into the target's `POST /images/load`.
//!
//! Memory stays bounded: the load request's body is the export stream itself, so hyper pulls the
//! next chunk from the source only when the target has taken the previous one. Progress counts
//! the bytes that went through.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::ImportImageOptionsBuilder;
use bytes::Bytes;
use futures::StreamExt;
use tokio::time::Instant;

use super::analyze::{PROGRESS_EVERY, Throttle, short_image};
use super::types::{JobOutcome, Progress};
use super::{EngineError, JobCtx};

/// How long asking an engine whether it has an image may take.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// What is exported: every tag of the image (so the target gets them too), or its ID when it has
/// none. Returns the image ID and its size as the source reports it.
async fn what_to_export(
    src: &Docker,
    image: &str,
) -> Result<(String, Vec<String>, u64), EngineError> {
    let inspect = src.inspect_image(image).await?;
    let id = inspect
        .id
        .ok_or_else(|| EngineError::Invalid(format!("{image} has no ID")))?;
    let mut names: Vec<String> = inspect
        .repo_tags
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t != "<none>:<none>")
        .collect();
    if names.is_empty() {
        names.push(id.clone());
    }
    let size = inspect
        .size
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(0);
    Ok((id, names, size))
}

/// Copies `image` (ID or reference) from `src` to `dst`; `to` names the target in the summary.
/// Ends once the target reports the same image ID.
pub async fn copy(
    src: &Docker,
    dst: &Docker,
    image: &str,
    to: &str,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    let (id, names, total) = what_to_export(src, image).await?;
    job.progress(Progress::Bytes { done: 0, total });
    let sent = Arc::new(AtomicU64::new(0));
    let export_error: Arc<Mutex<Option<String>>> = Arc::default();
    let (counter, slot, reporter) = (sent.clone(), export_error.clone(), job.clone());
    let mut throttle = Throttle::new(PROGRESS_EVERY);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let body = src.export_images(&refs).map(move |chunk| match chunk {
        Ok(bytes) => {
            let done =
                counter.fetch_add(bytes.len() as u64, Ordering::Relaxed) + bytes.len() as u64;
            if throttle.ready(Instant::now()) {
                reporter.progress(Progress::Bytes {
                    done,
                    total: total.max(done),
                });
            }
            Ok::<Bytes, std::io::Error>(bytes)
        }
        Err(e) => {
            let message = EngineError::from(e).to_string();
            if let Ok(mut s) = slot.lock() {
                *s = Some(message.clone());
            }
            Err(std::io::Error::other(message))
        }
    });
    let options = ImportImageOptionsBuilder::default().quiet(true).build();
    let mut load = Box::pin(dst.import_image_stream(options, body, None));
    let mut failure = None;
    while let Some(item) = load.next().await {
        match item {
            Ok(info) => {
                if let Some(detail) = info.error_detail {
                    failure = Some(EngineError::Api {
                        status: 0,
                        message: detail.message.unwrap_or_default(),
                    });
                }
            }
            Err(e) => {
                failure = Some(EngineError::from(e));
                break;
            }
        }
    }
    let from_export = export_error.lock().ok().and_then(|mut s| s.take());
    if let Some(message) = from_export {
        return Err(EngineError::Connection(format!(
            "export from the source failed: {message}"
        )));
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let loaded = dst.inspect_image(&id).await?;
    if loaded.id.as_deref() != Some(id.as_str()) {
        return Err(EngineError::Invalid(format!(
            "the target loaded {} but reports another image ID",
            short_image(&id)
        )));
    }
    let done = sent.load(Ordering::Relaxed);
    job.progress(Progress::Bytes { done, total: done });
    Ok(JobOutcome::Done(format!(
        "copied {} ({}) to {to}: {}",
        names.join(", "),
        short_image(&id),
        crate::util::text::bytes(done)
    )))
}

/// Whether the engine behind `docker` has the image with ID `image_id` (`sha256:…`).
pub async fn has_image(docker: &Docker, image_id: &str) -> Result<bool, EngineError> {
    match tokio::time::timeout(QUERY_TIMEOUT, docker.inspect_image(image_id)).await {
        Err(_) => Err(EngineError::Connection(format!(
            "no answer within {}s",
            QUERY_TIMEOUT.as_secs()
        ))),
        Ok(Ok(inspect)) => Ok(inspect.id.as_deref() == Some(image_id)),
        Ok(Err(e)) => match EngineError::from(e) {
            EngineError::Api { status: 404, .. } => Ok(false),
            other => Err(other),
        },
    }
}
