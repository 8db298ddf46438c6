//! Connecting to an endpoint and negotiating the API version.
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use super::endpoint::Endpoint;
use super::types::{Attempt, EngineInfo};

/// Per-request timeout of the client, in seconds. Long streams (exports, builds, logs) must not be
/// cut, so it is generous; short calls get their own timeouts.
const CLIENT_TIMEOUT_SECS: u64 = 24 * 3600;
/// How long a connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a client for an endpoint, without any I/O.
pub fn client(endpoint: &Endpoint) -> Result<Docker, String> {
    let host = endpoint.host.as_str();
    let result = if host.starts_with("unix://") {
        let path = host.trim_start_matches("unix://");
        if !std::path::Path::new(path).exists() {
            return Err(format!("no socket at {path}"));
        }
        Docker::connect_with_unix(host, CLIENT_TIMEOUT_SECS, API_DEFAULT_VERSION)
    } else if let Some(tls) = &endpoint.tls {
        Docker::connect_with_ssl(
            host,
            &tls.key,
            &tls.cert,
            &tls.ca,
            CLIENT_TIMEOUT_SECS,
            API_DEFAULT_VERSION,
        )
    } else if host.starts_with("https://") {
        return Err("https:// needs TLS files (set DOCKER_TLS_VERIFY and DOCKER_CERT_PATH)".into());
    } else if host.starts_with("tcp://") || host.starts_with("http://") {
        Docker::connect_with_http(host, CLIENT_TIMEOUT_SECS, API_DEFAULT_VERSION)
    } else {
        return Err(format!("unsupported endpoint scheme in {host}"));
    };
    result.map_err(|e| e.to_string())
}

/// Connects to one endpoint: negotiates the API version and reads the engine's identity.
pub async fn connect(endpoint: &Endpoint) -> Result<(Docker, EngineInfo), String> {
    let docker = client(endpoint)?;
    let docker = tokio::time::timeout(CONNECT_TIMEOUT, docker.negotiate_version())
        .await
        .map_err(|_| format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?;
    let version = tokio::time::timeout(CONNECT_TIMEOUT, docker.version())
        .await
        .map_err(|_| format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?;
    let name = version
        .platform
        .as_ref()
        .map(|p| p.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Docker Engine".to_string());
    let info = EngineInfo {
        endpoint: endpoint.host.clone(),
        source: endpoint.source.clone(),
        name,
        version: version.version.unwrap_or_default(),
        api_version: docker.client_version().to_string(),
        platform: format!(
            "{}/{}",
            version.os.unwrap_or_default(),
            version.arch.unwrap_or_default()
        ),
    };
    Ok((docker, info))
}

/// Tries each endpoint in order; returns the first that answers, or every failure.
pub async fn connect_any(endpoints: &[Endpoint]) -> Result<(Docker, EngineInfo), Vec<Attempt>> {
    let mut attempts = Vec::new();
    for endpoint in endpoints {
        match connect(endpoint).await {
            Ok(ok) => return Ok(ok),
            Err(error) => attempts.push(Attempt {
                source: endpoint.source.clone(),
                endpoint: endpoint.host.clone(),
                error,
            }),
        }
    }
    Err(attempts)
}
