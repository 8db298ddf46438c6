//! Raw HTTP/1.1 connections to the engine for what the client library cannot do: the `/session`
//! upgrade to HTTP/2, the BuildKit `/build` stream, and the `/_ping` headers that say which
//! builder the engine uses.
use std::path::PathBuf;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::super::EngineError;

/// A byte stream to the engine.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// How to reach the engine's API socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dial {
    /// A unix socket.
    Unix(PathBuf),
    /// Plain TCP, `host:port`.
    Tcp(String),
}

impl Dial {
    /// From an endpoint URL; `None` for endpoints spoken over TLS or SSH.
    pub fn parse(endpoint: &str) -> Option<Dial> {
        if let Some(path) = endpoint.strip_prefix("unix://") {
            return Some(Dial::Unix(PathBuf::from(path)));
        }
        let rest = endpoint
            .strip_prefix("tcp://")
            .or_else(|| endpoint.strip_prefix("http://"))?;
        Some(Dial::Tcp(rest.trim_end_matches('/').to_string()))
    }

    async fn connect(&self) -> std::io::Result<Box<dyn Io>> {
        Ok(match self {
            Dial::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
            Dial::Tcp(addr) => Box::new(tokio::net::TcpStream::connect(addr).await?),
        })
    }

    /// Sends one request on a fresh connection (upgrades allowed) and returns the response head.
    pub async fn send(&self, req: Request<Full<Bytes>>) -> Result<Response<Incoming>, EngineError> {
        let conn_err = |e: &dyn std::fmt::Display| EngineError::Connection(e.to_string());
        let io = self.connect().await.map_err(|e| conn_err(&e))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| conn_err(&e))?;
        tokio::spawn(async move {
            let _ = conn.with_upgrades().await;
        });
        sender.send_request(req).await.map_err(|e| conn_err(&e))
    }
}

/// A request with the headers the engine expects.
pub fn request(method: &str, path_and_query: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("Host", "docker")
        .header(
            "User-Agent",
            concat!("dockhand/", env!("CARGO_PKG_VERSION")),
        )
}

/// What `/_ping` says about builders.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PingHeaders {
    /// `Builder-Version` (`None` when absent; Podman sends it empty).
    pub builder_version: Option<String>,
    /// `Server` (`Docker/20.10.24 (linux)`, `Libpod/4.3.1 (linux)`).
    pub server: String,
    /// `Api-Version`.
    pub api_version: String,
}

/// Reads `/_ping`'s headers.
pub async fn ping(dial: &Dial) -> Result<PingHeaders, EngineError> {
    let req = request("GET", "/_ping")
        .body(Full::new(Bytes::new()))
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    let res = dial.send(req).await?;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Ok(PingHeaders {
        builder_version: header("Builder-Version"),
        server: header("Server").unwrap_or_default(),
        api_version: header("Api-Version").unwrap_or_default(),
    })
}
