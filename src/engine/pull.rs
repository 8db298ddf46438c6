//! The pull job: `POST /images/create` with the user's saved login, progress per layer.
use bollard::Docker;
use bollard::query_parameters::CreateImageOptions;
use futures::StreamExt;

use super::transfer::{StreamItem, Tracker, explain};
use super::types::JobOutcome;
use super::{EngineError, JobCtx};
use crate::registry::credentials::DockerConfig;
use crate::registry::{Platform, Reference, session};
use crate::util::text::short_id;

/// The `X-Registry-Auth` credentials for `reference` from the Docker CLI's config; a config that
/// cannot be read is reported in the job's log and the transfer goes on anonymously.
pub(super) async fn credentials_for(
    reference: &Reference,
    job: &JobCtx,
) -> Option<bollard::auth::DockerCredentials> {
    let config = match DockerConfig::load_default() {
        Ok(c) => c,
        Err(e) => {
            job.progress(super::Progress::Log(format!(
                "saved logins unavailable ({e}); going on without credentials"
            )));
            return None;
        }
    };
    match session::engine_credentials(reference, &config).await {
        Ok(creds) => creds,
        Err(e) => {
            job.progress(super::Progress::Log(format!(
                "saved login for {} unavailable ({e}); going on without credentials",
                reference.registry()
            )));
            None
        }
    }
}

/// Maps a failure of the engine's stream: a refusal becomes a user-facing explanation, a broken
/// connection says the engine went away mid-job.
pub(super) fn stream_error(
    verb: &str,
    reference: &Reference,
    err: bollard::errors::Error,
) -> EngineError {
    let registry = reference.registry();
    let shown = reference.familiar();
    match EngineError::from(err) {
        EngineError::Api { status, message } => EngineError::Api {
            status,
            message: explain(verb, &shown, &registry, &message),
        },
        EngineError::Connection(e) => EngineError::Connection(format!(
            "the engine went away during the {verb} of {shown}: {e}"
        )),
        other => other,
    }
}

/// Validates what the user typed: a reference and an optional platform.
pub fn parse_request(
    reference: &str,
    platform: Option<&str>,
) -> Result<(Reference, Option<Platform>), EngineError> {
    let r = Reference::parse(reference.trim()).map_err(|e| EngineError::Invalid(e.to_string()))?;
    let p = match platform.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(Platform::parse(p).map_err(|e| EngineError::Invalid(e.to_string()))?),
        None => None,
    };
    Ok((r, p))
}

/// Pulls `reference` (optionally for `platform`); ends with the image ID.
pub async fn pull(
    docker: &Docker,
    reference: &str,
    platform: Option<&str>,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    let (r, p) = parse_request(reference, platform)?;
    let credentials = credentials_for(&r, job).await;
    let options = CreateImageOptions {
        from_image: Some(r.name()),
        tag: Some(r.manifest_reference()),
        platform: p.as_ref().map(ToString::to_string).unwrap_or_default(),
        ..Default::default()
    };
    let mut stream = docker.create_image(Some(options), None, credentials);
    let mut tracker = Tracker::default();
    let mut digest = None;
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| stream_error("pull", &r, e))?;
        if let Some(err) = info.error_detail {
            let message = err.message.unwrap_or_else(|| "unknown error".into());
            return Err(EngineError::Api {
                status: 0,
                message: explain("pull", &r.familiar(), &r.registry(), &message),
            });
        }
        if let Some(d) = info
            .status
            .as_deref()
            .and_then(|s| s.strip_prefix("Digest: "))
        {
            digest = Some(d.trim().to_string());
        }
        let detail = info.progress_detail.unwrap_or_default();
        for progress in tracker.feed(&StreamItem {
            id: info.id,
            status: info.status,
            current: detail.current,
            total: detail.total,
        }) {
            job.progress(progress);
        }
    }
    let shown = r.familiar();
    let id = match docker.inspect_image(&shown).await {
        Ok(i) => i.id.unwrap_or_default(),
        Err(e) => return Err(stream_error("pull", &r, e)),
    };
    let digest = digest.map(|d| format!(", digest {d}")).unwrap_or_default();
    Ok(JobOutcome::Done(format!(
        "pulled {shown}: image {}{digest}",
        short_id(&id)
    )))
}

#[cfg(test)]
mod tests {
    use super::{parse_request, stream_error};
    use crate::engine::EngineError;
    use crate::registry::Reference;

    #[test]
    fn a_broken_engine_connection_is_not_blamed_on_the_registry() {
        let r = Reference::parse("127.0.0.1:5000/team/app:1").unwrap();
        let gone = bollard::errors::Error::IOError {
            err: std::io::Error::new(std::io::ErrorKind::BrokenPipe, "broken pipe"),
        };
        let e = stream_error("pull", &r, gone);
        assert!(e.is_connection(), "{e:?}");
        assert!(
            e.to_string()
                .contains("the engine went away during the pull of 127.0.0.1:5000/team/app:1"),
            "{e}"
        );
        let refused = bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            message:
                "pull access denied for x, repository does not exist or may require 'docker login'"
                    .into(),
        };
        let e = stream_error("pull", &r, refused);
        assert!(
            matches!(&e, EngineError::Api { status: 404, message } if message.contains("unauthorized at registry 127.0.0.1:5000")),
            "{e:?}"
        );
    }

    #[test]
    fn requests_are_validated_before_sending() {
        assert!(parse_request("Bad:Name:x", None).is_err());
        assert!(parse_request("busybox", Some("linux/")).is_err());
        let (r, p) = parse_request("127.0.0.1:5000/team/app:1", Some("linux/arm64")).unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(p.unwrap().to_string(), "linux/arm64");
        assert!(parse_request("busybox", Some(" ")).unwrap().1.is_none());
    }
}
