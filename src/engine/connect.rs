//! Connecting to an endpoint and negotiating the API version.
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, ClientVersion, Docker};

use super::endpoint::{Endpoint, ResolveInput, TlsFiles, resolve};
use super::ssh::{SshTarget, SshTransport};
use super::types::{Attempt, EngineInfo};

/// Per-request timeout of the client, in seconds. Long streams (exports, builds, logs) must not be
/// cut, so it is generous; short calls get their own timeouts.
const CLIENT_TIMEOUT_SECS: u64 = 24 * 3600;
/// How long a connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long connecting over ssh may take.
pub const SSH_CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

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

/// Makes clients for one endpoint at any API version. For `ssh://` endpoints every client made
/// shares one pool of ssh connections, so the version probe's connection serves the next request.
#[derive(Clone)]
pub enum Maker {
    /// `unix://` socket.
    Unix(String),
    /// `tcp://` or `http://` without TLS.
    Http(String),
    /// TLS with client certificates.
    Tls(String, TlsFiles),
    /// `ssh://`, through the system ssh client.
    Ssh(SshTransport),
}

impl Maker {
    /// Checks the endpoint and prepares its transport, without any I/O.
    pub fn new(endpoint: &Endpoint) -> Result<Maker, String> {
        let host = endpoint.host.as_str();
        if let Some(path) = host.strip_prefix("unix://") {
            if !std::path::Path::new(path).exists() {
                return Err(format!("no socket at {path}"));
            }
            Ok(Maker::Unix(host.to_string()))
        } else if host.starts_with("ssh://") {
            Ok(Maker::Ssh(SshTransport::new(SshTarget::parse(host)?)))
        } else if let Some(tls) = &endpoint.tls {
            Ok(Maker::Tls(host.to_string(), tls.clone()))
        } else if host.starts_with("https://") {
            Err("https:// needs TLS files (set DOCKER_TLS_VERIFY and DOCKER_CERT_PATH)".into())
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Ok(Maker::Http(host.to_string()))
        } else {
            Err(format!("unsupported endpoint scheme in {host}"))
        }
    }

    /// A client speaking API `version`.
    pub fn docker(&self, version: &ClientVersion) -> Result<Docker, String> {
        let t = CLIENT_TIMEOUT_SECS;
        let result = match self {
            Maker::Unix(host) => Docker::connect_with_unix(host, t, version),
            Maker::Http(host) => Docker::connect_with_http(host, t, version),
            Maker::Tls(host, tls) => {
                Docker::connect_with_ssl(host, &tls.key, &tls.cert, &tls.ca, t, version)
            }
            Maker::Ssh(transport) => return transport.docker(t, version),
        };
        result.map_err(|e| e.to_string())
    }
}

/// Builds a client for an endpoint speaking API `version`, without any I/O.
pub fn client(endpoint: &Endpoint, version: &ClientVersion) -> Result<Docker, String> {
    Maker::new(endpoint)?.docker(version)
}

/// How long connecting to `endpoint` may take: an ssh login (key exchange, authentication, the
/// far side's `docker` starting) takes longer than a local socket.
pub fn connect_timeout(endpoint: &Endpoint) -> Duration {
    if endpoint.host.starts_with("ssh://") {
        SSH_CONNECT_TIMEOUT
    } else {
        CONNECT_TIMEOUT
    }
}

/// What an engine's `/_ping` answer says in its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ping {
    /// `Api-Version`, e.g. "1.41".
    pub api_version: String,
    /// Product and version from `Server`, e.g. ("Docker Engine", "20.10.24").
    pub server: Option<(String, String)>,
    /// `Ostype`, e.g. "linux".
    pub os: Option<String>,
}

/// Parses the head of a `/_ping` response (status line and headers). None unless it is a 200
/// with an `Api-Version` header.
pub fn parse_ping(head: &str) -> Option<Ping> {
    let mut lines = head.split("\r\n");
    let status = lines.next()?;
    if status.split_whitespace().nth(1) != Some("200") {
        return None;
    }
    let (mut api_version, mut server, mut os) = (None, None, None);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "api-version" => api_version = Some(value.to_string()),
            "ostype" => os = Some(value.to_string()),
            // "Docker/20.10.24+dfsg1 (linux)", "Libpod/4.3.1 (linux)"
            "server" => {
                server = value
                    .split_whitespace()
                    .next()
                    .and_then(|product| product.split_once('/'))
                    .map(|(product, version)| {
                        let name = match product {
                            "Docker" => "Docker Engine".to_string(),
                            "Libpod" => "Podman Engine".to_string(),
                            other => other.to_string(),
                        };
                        (name, version.to_string())
                    })
            }
            _ => {}
        }
    }
    parse_api_version(api_version.as_deref()?)?;
    Some(Ping {
        api_version: api_version?,
        server,
        os,
    })
}

/// `GET /_ping` on a unix socket, reading only the response head. The engine answers it at once,
/// where `/version` makes dockerd ask containerd and runc for theirs (several milliseconds on the
/// start-up path).
async fn ping_unix(path: &str) -> Result<Ping, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::UnixStream::connect(path)
        .await
        .map_err(|e| format!("connect {path}: {e}"))?;
    stream
        .write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.map_err(|e| e.to_string())?;
        if n == 0 || head.len() > 16 * 1024 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    parse_ping(&String::from_utf8_lossy(&head))
        .ok_or_else(|| "not an engine's /_ping answer".into())
}

/// The engine's architecture in Docker's words, for an engine on this machine.
fn local_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// The product name from `/version`: Podman names itself in its components (its platform name
/// is `linux/amd64/debian-12`); Docker's platform name is its edition ("Docker Engine -
/// Community") or empty.
pub fn engine_name(platform: &str, components: &[&str]) -> String {
    if let Some(podman) = components.iter().find(|c| c.contains("Podman")) {
        return (*podman).to_string();
    }
    if platform.is_empty() || platform.contains('/') {
        return "Docker Engine".to_string();
    }
    platform.to_string()
}

/// The engine's identity from its `/version` answer.
pub fn info_from_version(
    host: &str,
    source: &str,
    api_version: String,
    version: bollard::models::SystemVersion,
) -> EngineInfo {
    let components: Vec<&str> = version
        .components
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    let platform = version.platform.as_ref().map_or("", |p| p.name.as_str());
    let name = engine_name(platform, &components);
    EngineInfo {
        endpoint: host.to_string(),
        source: source.to_string(),
        name,
        version: version.version.unwrap_or_default(),
        api_version,
        platform: format!(
            "{}/{}",
            version.os.unwrap_or_default(),
            version.arch.unwrap_or_default()
        ),
        provisional: false,
    }
}

/// Connects to one endpoint. On a unix socket, `/_ping`'s headers give the API version to
/// negotiate down to and a provisional identity (the caller completes it from `/version` off the
/// start-up path); elsewhere, or when the ping says too little, one `/version` call (at an API
/// version every engine answers) gives both.
pub async fn connect(endpoint: &Endpoint) -> Result<(Docker, EngineInfo), String> {
    let limit = connect_timeout(endpoint);
    let timeout = |what: &str| format!("no answer to {what} within {}s", limit.as_secs());
    let maker = Maker::new(endpoint)?;
    if let Some(path) = endpoint.host.strip_prefix("unix://") {
        let ping = tokio::time::timeout(limit, ping_unix(path))
            .await
            .map_err(|_| timeout("/_ping"))?;
        if let Ok(ping) = ping {
            let api = negotiated(parse_api_version(&ping.api_version));
            let docker = maker.docker(&api)?;
            let (name, version) = ping
                .server
                .unwrap_or_else(|| ("Docker Engine".into(), String::new()));
            let info = EngineInfo {
                endpoint: endpoint.host.clone(),
                source: endpoint.source.clone(),
                name,
                version,
                api_version: docker.client_version().to_string(),
                platform: format!("{}/{}", ping.os.as_deref().unwrap_or("linux"), local_arch()),
                provisional: true,
            };
            return Ok((docker, info));
        }
    }
    let probe = maker.docker(&PROBE_VERSION)?;
    let version = tokio::time::timeout(limit, probe.version())
        .await
        .map_err(|_| timeout("/version"))?
        .map_err(|e| super::error::plain(&e))?;
    let api = negotiated(version.api_version.as_deref().and_then(parse_api_version));
    let docker = maker.docker(&api)?;
    let api_version = docker.client_version().to_string();
    let info = info_from_version(&endpoint.host, &endpoint.source, api_version, version);
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

/// Resolves the endpoint the way the app does (`--host`, `--context`, `DOCKER_HOST`, contexts,
/// default socket, Podman) and connects to the first that answers: what `dockhand analyze` and
/// any other command-line use of the engine call.
pub async fn connect_resolved(host_flag: Option<String>) -> Result<(Docker, EngineInfo), String> {
    let endpoints = resolve(&ResolveInput::from_env(host_flag))?;
    connect_any(&endpoints).await.map_err(|attempts| {
        attempts
            .iter()
            .map(|a| format!("{} ({}): {}", a.endpoint, a.source, a.error))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// A client for the engine at `endpoint` (an [`EngineInfo::endpoint`]): the connected worker's
/// own client when one is live, else a fresh connection to that endpoint as resolved from
/// `host_flag` and the environment (or to the URL itself when resolution does not list it).
pub async fn client_for(host_flag: Option<String>, endpoint: &str) -> Result<Docker, String> {
    if let Some(docker) = super::live::client(endpoint) {
        return Ok(docker);
    }
    let resolved = resolve(&ResolveInput::from_env(host_flag)).unwrap_or_default();
    let ep = resolved
        .into_iter()
        .find(|e| e.host == endpoint)
        .unwrap_or_else(|| Endpoint {
            source: "endpoint".into(),
            host: endpoint.to_string(),
            tls: None,
        });
    connect(&ep).await.map(|(docker, _)| docker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_headers_give_api_version_and_identity() {
        let head = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOstype: linux\r\n\
                    Server: Docker/20.10.24+dfsg1 (linux)\r\nContent-Length: 2\r\n\r\n";
        let ping = parse_ping(head).expect("ping");
        assert_eq!(ping.api_version, "1.41");
        assert_eq!(
            ping.server,
            Some(("Docker Engine".into(), "20.10.24+dfsg1".into()))
        );
        assert_eq!(ping.os.as_deref(), Some("linux"));
        let podman = "HTTP/1.1 200 OK\r\nAPI-Version: 1.41\r\nServer: Libpod/4.3.1 (linux)\r\n\r\n";
        assert_eq!(
            parse_ping(podman).and_then(|p| p.server),
            Some(("Podman Engine".into(), "4.3.1".into()))
        );
        // Not an engine, or an error: the caller falls back to /version.
        assert_eq!(
            parse_ping("HTTP/1.1 500 Oops\r\nApi-Version: 1.41\r\n\r\n"),
            None
        );
        assert_eq!(parse_ping("HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n"), None);
        assert_eq!(
            parse_ping("HTTP/1.1 200 OK\r\nApi-Version: x\r\n\r\n"),
            None
        );
        assert_eq!(parse_ping(""), None);
    }

    #[test]
    fn engine_names_from_version() {
        let podman = ["Podman Engine", "Conmon", "OCI Runtime (runc)"];
        assert_eq!(
            engine_name("linux/amd64/debian-12", &podman),
            "Podman Engine"
        );
        let docker = ["Engine", "containerd", "runc", "docker-init"];
        assert_eq!(engine_name("", &docker), "Docker Engine");
        assert_eq!(
            engine_name("Docker Engine - Community", &docker),
            "Docker Engine - Community"
        );
        assert_eq!(engine_name("linux/arm64", &[]), "Docker Engine");
    }

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
