//! The `/build?version=2` call: its query, and reading its JSON stream (BuildKit status updates
//! in `moby.buildkit.trace` messages, the image id in `moby.image.id`, errors).
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use prost::Message as _;

use super::conn::{Dial, request};
use super::progress::Decoder;
use super::proto::StatusResponse;
use crate::engine::build::{BuildOptions, BuildRequest, NetworkMode};
use crate::engine::types::Progress;
use crate::engine::{EngineError, JobCtx};

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_map(pairs: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The `/build` path and query for a BuildKit build reading its files from session `session`.
pub fn query(
    req: &BuildRequest,
    opts: &BuildOptions,
    network: NetworkMode,
    session: &str,
    dockerfile: &str,
) -> String {
    let mut q = vec![
        ("version", "2".to_string()),
        ("session", session.to_string()),
        ("remote", "client-session".to_string()),
        ("dockerfile", dockerfile.to_string()),
        ("buildid", session.to_string()),
        ("rm", "1".to_string()),
        ("forcerm", "1".to_string()),
        ("buildargs", json_map(&req.build_args)),
        ("labels", json_map(&opts.labels)),
    ];
    q.extend(req.tags.first().map(|t| ("t", t.clone())));
    if !req.target.is_empty() {
        q.push(("target", req.target.clone()));
    }
    if req.no_cache {
        q.push(("nocache", "1".into()));
    }
    if opts.pull {
        q.push(("pull", "1".into()));
    }
    match network {
        NetworkMode::Default => {}
        NetworkMode::Host => q.push(("networkmode", "host".into())),
        NetworkMode::None => q.push(("networkmode", "none".into())),
    }
    if let Some(p) = &opts.platform {
        q.push(("platform", p.clone()));
    }
    if !opts.cache_from.is_empty() {
        let list = serde_json::to_string(&opts.cache_from).unwrap_or_default();
        q.push(("cachefrom", list));
    }
    let pairs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    format!("/build?{}", pairs.join("&"))
}

/// Runs the build and folds its stream into `decoder`; returns the image id.
pub async fn run(
    dial: &Dial,
    query: &str,
    decoder: &mut Decoder,
    job: &JobCtx,
) -> Result<String, EngineError> {
    let req = request("POST", query)
        .header("Content-Type", "application/x-tar")
        .body(Full::new(Bytes::new()))
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    let res = dial.send(req).await?;
    let status = res.status();
    let mut body = res.into_body();
    if !status.is_success() {
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let message = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_string());
        return Err(EngineError::Api {
            status: status.as_u16(),
            message,
        });
    }
    let mut pending: Vec<u8> = Vec::new();
    let mut image = None;
    let mut failure = None;
    loop {
        let frame = match body.frame().await {
            None => break,
            Some(Ok(f)) => f,
            Some(Err(e)) => {
                return Err(EngineError::Connection(format!(
                    "the engine broke off the build: {e}"
                )));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        pending.extend_from_slice(&data);
        while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=nl).collect();
            message(&line, decoder, job, &mut image, &mut failure);
        }
    }
    if !pending.is_empty() {
        let line = std::mem::take(&mut pending);
        message(&line, decoder, job, &mut image, &mut failure);
    }
    match (failure, image) {
        (Some(message), _) => Err(EngineError::Api { status: 0, message }),
        (None, Some(id)) => Ok(id),
        (None, None) => Err(EngineError::Connection(
            "the build stream ended without an image: the engine stopped or dropped the build"
                .into(),
        )),
    }
}

fn message(
    line: &[u8],
    decoder: &mut Decoder,
    job: &JobCtx,
    image: &mut Option<String>,
    failure: &mut Option<String>,
) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) else {
        return;
    };
    if let Some(e) = v
        .get("errorDetail")
        .and_then(|d| d.get("message"))
        .and_then(|m| m.as_str())
    {
        *failure = Some(e.trim().to_string());
    } else if let Some(e) = v.get("error").and_then(|m| m.as_str()) {
        *failure = Some(e.trim().to_string());
    }
    if let Some(s) = v.get("stream").and_then(|s| s.as_str()) {
        for l in s.lines().filter(|l| !l.trim().is_empty()) {
            job.progress(Progress::Log(crate::util::sanitize::sanitize(l)));
        }
    }
    match v.get("id").and_then(|i| i.as_str()) {
        Some("moby.image.id") => {
            *image = v
                .get("aux")
                .and_then(|a| a.get("ID"))
                .and_then(|i| i.as_str())
                .map(str::to_string);
        }
        Some("moby.buildkit.trace") => {
            let Some(raw) = v.get("aux").and_then(|a| a.as_str()) else {
                return;
            };
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(raw) else {
                return;
            };
            let Ok(status) = StatusResponse::decode(bytes.as_slice()) else {
                return;
            };
            let (events, plain) = decoder.status(status);
            for line in plain {
                job.progress(Progress::Log(line));
            }
            for ev in events {
                job.build_event(ev);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_carries_the_options() {
        let req = BuildRequest {
            tags: vec!["app:1".into(), "app:extra".into()],
            build_args: vec![("V".into(), "a b".into())],
            target: "build".into(),
            no_cache: true,
            ..Default::default()
        };
        let opts = BuildOptions {
            pull: true,
            platform: Some("linux/amd64".into()),
            cache_from: vec!["app:cache".into()],
            labels: vec![("team".into(), "x".into())],
            ..Default::default()
        };
        let q = query(&req, &opts, NetworkMode::Host, "sess", "Dockerfile");
        for part in [
            "version=2",
            "session=sess",
            "remote=client-session",
            "dockerfile=Dockerfile",
            "t=app%3A1",
            "buildargs=%7B%22V%22%3A%22a%20b%22%7D",
            "labels=%7B%22team%22%3A%22x%22%7D",
            "target=build",
            "nocache=1",
            "pull=1",
            "networkmode=host",
            "platform=linux%2Famd64",
            "cachefrom=%5B%22app%3Acache%22%5D",
        ] {
            assert!(q.split(['?', '&']).any(|p| p == part), "{part} in {q}");
        }
        assert!(!q.contains("extra"), "only the first tag goes to the build");
    }
}
