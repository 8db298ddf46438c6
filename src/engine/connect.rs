//! Connecting to an endpoint and negotiating the API version.
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, ClientVersion, Docker};

use super::endpoint::Endpoint;
use super::types::{Attempt, EngineInfo};

/// Per-request timeout of the client, in seconds. Long streams (exports, builds, logs) must not be
/// cut, so it is generous; short calls get their own timeouts.
const CLIENT_TIMEOUT_SECS: u64 = 24 * 3600;
/// How long a connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The oldest API version every engine we support answers `/version` on.
const PROBE_VERSION: ClientVersion = ClientVersion {
    major_version: 1,
    minor_version: 24,
};

/// Parses an API version such as `1.41`.
pub fn parse_api_version(s: &str) -> Option<ClientVersion> {
    let (major, minor) = s.trim().split_once('.')?;
    Some(ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    })
}

/// The API version to speak: the engine's, capped at what the client library knows.
pub fn negotiated(server: Option<ClientVersion>) -> ClientVersion {
    let ours = API_DEFAULT_VERSION;
    match server {
        Some(v) if v < *ours => v,
        _ => ClientVersion {
            major_version: ours.major_version,
            minor_version: ours.minor_version,
        },
    }
}

/// Builds a client for an endpoint speaking API `version`, without any I/O.
pub fn client(endpoint: &Endpoint, version: &ClientVersion) -> Result<Docker, String> {
    let host = endpoint.host.as_str();
    let result = if host.starts_with("unix://") {
        let path = host.trim_start_matches("unix://");
        if !std::path::Path::new(path).exists() {
            return Err(format!("no socket at {path}"));
        }
        Docker::connect_with_unix(host, CLIENT_TIMEOUT_SECS, version)
    } else if let Some(tls) = &endpoint.tls {
        Docker::connect_with_ssl(
            host,
            &tls.key,
            &tls.cert,
            &tls.ca,
            CLIENT_TIMEOUT_SECS,
            version,
        )
    } else if host.starts_with("https://") {
        return Err("https:// needs TLS files (set DOCKER_TLS_VERIFY and DOCKER_CERT_PATH)".into());
    } else if host.starts_with("tcp://") || host.starts_with("http://") {
        Docker::connect_with_http(host, CLIENT_TIMEOUT_SECS, version)
    } else {
        return Err(format!("unsupported endpoint scheme in {host}"));
    };
    result.map_err(|e| e.to_string())
}

/// Connects to one endpoint: one `/version` call (at an API version every engine answers) gives
/// both the engine's identity and the API version to negotiate down to.
pub async fn connect(endpoint: &Endpoint) -> Result<(Docker, EngineInfo), String> {
    let probe = client(endpoint, &PROBE_VERSION)?;
    let version = tokio::time::timeout(CONNECT_TIMEOUT, probe.version())
        .await
        .map_err(|_| format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?;
    let api = negotiated(version.api_version.as_deref().and_then(parse_api_version));
    let docker = client(endpoint, &api)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_down_never_up() {
        let v = negotiated(parse_api_version("1.41"));
        assert_eq!((v.major_version, v.minor_version), (1, 41));
        let newest = negotiated(parse_api_version("9.99"));
        assert_eq!(newest.major_version, API_DEFAULT_VERSION.major_version);
        assert_eq!(newest.minor_version, API_DEFAULT_VERSION.minor_version);
        assert!(parse_api_version("x").is_none());
        let fallback = negotiated(None);
        assert_eq!(fallback.minor_version, API_DEFAULT_VERSION.minor_version);
    }
}
