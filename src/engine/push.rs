//! The push job: `POST /images/{name}/push` with the user's saved login, progress per layer, and
//! the pushed manifest digest at the end.
use bollard::Docker;
use bollard::query_parameters::PushImageOptions;
use futures::StreamExt;

use super::pull::{credentials_for, stream_error};
use super::transfer::{StreamItem, Tracker, explain};
use super::types::JobOutcome;
use super::{EngineError, JobCtx, rawpush};
use crate::registry::Reference;

/// Reads the digest from dockerd's last push line, `1.0: digest: sha256:… size: 528`.
pub fn digest_from_status(status: &str) -> Option<String> {
    let rest = status.split_once("digest: ")?.1;
    let digest = rest.split_whitespace().next()?;
    digest.starts_with("sha256:").then(|| digest.to_string())
}

/// Pushes `reference` (a local tag) to the registry its name points at; ends with the digest.
/// `endpoint` is the engine's address: over `unix://` layers are told apart by their IDs.
pub async fn push(
    docker: &Docker,
    endpoint: &str,
    reference: &str,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    let r = Reference::parse(reference.trim()).map_err(|e| EngineError::Invalid(e.to_string()))?;
    if r.digest().is_some() {
        return Err(EngineError::Invalid(format!(
            "{reference} names a digest; push a tag instead"
        )));
    }
    let tag = r.tag().unwrap_or("latest").to_string();
    let credentials = credentials_for(&r, job).await;
    let name = r.name();
    let shown = format!("{name}:{tag}");
    let mut tracker = Tracker::default();
    let mut digest = None;
    let mut failure = None;
    let mut handle = |item: StreamItem, error: Option<String>| {
        if failure.is_some() {
            return;
        }
        if let Some(message) = error {
            failure = Some(explain("push", &shown, &r.registry(), &message));
            return;
        }
        if let Some(d) = item.status.as_deref().and_then(digest_from_status) {
            digest = Some(d);
        }
        for progress in tracker.feed(&item) {
            job.progress(progress);
        }
    };
    if let Some(socket) = rawpush::unix_path(endpoint) {
        let v = docker.client_version();
        let api = format!("{}.{}", v.major_version, v.minor_version);
        rawpush::push(socket, &api, &name, &tag, credentials.as_ref(), |m| {
            let detail = m.progress_detail.unwrap_or_default();
            let error = m.error_detail.and_then(|e| e.message).or(m.error);
            handle(
                StreamItem {
                    id: m.id,
                    status: m.status,
                    current: detail.current,
                    total: detail.total,
                },
                error,
            );
        })
        .await
        .map_err(|e| match e {
            EngineError::Api { status, message } => EngineError::Api {
                status,
                message: explain("push", &shown, &r.registry(), &message),
            },
            EngineError::Connection(e) => EngineError::Connection(format!(
                "the engine went away during the push of {shown}: {e}"
            )),
            other => other,
        })?;
    } else {
        let mut stream = docker.push_image(
            &name,
            Some(PushImageOptions {
                tag: Some(tag.clone()),
                platform: None,
            }),
            credentials,
        );
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| stream_error("push", &r, e))?;
            let detail = info.progress_detail.unwrap_or_default();
            handle(
                StreamItem {
                    id: None,
                    status: info.status,
                    current: detail.current,
                    total: detail.total,
                },
                info.error_detail.map(|e| e.message.unwrap_or_default()),
            );
        }
    }
    if let Some(message) = failure {
        return Err(EngineError::Api { status: 0, message });
    }
    match digest {
        Some(d) => Ok(JobOutcome::Done(format!("pushed {shown}: digest {d}"))),
        None => Err(EngineError::Connection(format!(
            "the engine stopped answering before the push of {shown} finished"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::digest_from_status;

    #[test]
    fn digest_is_read_from_the_last_line() {
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            digest_from_status(&format!("1.0: digest: {d} size: 528")),
            Some(d)
        );
        assert_eq!(digest_from_status("Pushed"), None);
    }
}
