//! Raw JSON requests to the engine, for answers whose shape bollard's models do not keep.
//!
//! bollard 0.21 models `/system/df` in the API 1.52 form and drops every field of the older form
//! that API 1.41 engines (Debian's dockerd 20.10) send; it also drops `Parent` of build-cache
//! records and the `SizeRw` of older container lists. Here the request is sent by hand over the
//! engine's unix socket or plain TCP as HTTP/1.0 (the engine ends the body by closing the
//! connection) and the answer is handed back as a `serde_json::Value` to be read tolerantly.
//! TLS endpoints are not served here: callers fall back to bollard for them.
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::EngineError;

/// Where raw requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A unix socket path.
    Unix(String),
    /// `host:port` of a plain-HTTP engine.
    Tcp(String),
}

/// A raw client: transport plus the negotiated API version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawApi {
    /// How to reach the engine.
    pub transport: Transport,
    /// API version, e.g. `1.41`.
    pub api: String,
}

impl RawApi {
    /// The raw client for an endpoint URL, or `None` when the transport needs TLS or is unknown.
    pub fn for_endpoint(endpoint: &str, docker: &bollard::Docker) -> Option<RawApi> {
        let transport = if let Some(path) = endpoint.strip_prefix("unix://") {
            Transport::Unix(path.to_string())
        } else if let Some(rest) = endpoint
            .strip_prefix("tcp://")
            .or_else(|| endpoint.strip_prefix("http://"))
        {
            Transport::Tcp(rest.trim_end_matches('/').to_string())
        } else {
            return None;
        };
        let v = docker.client_version();
        Some(RawApi {
            transport,
            api: format!("{}.{}", v.major_version, v.minor_version),
        })
    }

    /// The API version as `(major, minor)`.
    pub fn version(&self) -> (u32, u32) {
        let (major, minor) = self.api.split_once('.').unwrap_or(("1", "0"));
        (major.parse().unwrap_or(1), minor.parse().unwrap_or(0))
    }

    /// `GET /v{api}{path}` and the JSON answer.
    pub async fn get(&self, path: &str) -> Result<serde_json::Value, EngineError> {
        self.request("GET", path).await
    }

    /// `POST /v{api}{path}` with an empty body and the JSON answer.
    pub async fn post(&self, path: &str) -> Result<serde_json::Value, EngineError> {
        self.request("POST", path).await
    }

    async fn request(&self, method: &str, path: &str) -> Result<serde_json::Value, EngineError> {
        let head = format!(
            "{method} /v{}{path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: dockhand\r\nContent-Length: 0\r\n\r\n",
            self.api
        );
        let raw = match &self.transport {
            Transport::Unix(path) => {
                let s = tokio::net::UnixStream::connect(path)
                    .await
                    .map_err(conn_err)?;
                exchange(s, &head).await?
            }
            Transport::Tcp(addr) => {
                let s = tokio::net::TcpStream::connect(addr.as_str())
                    .await
                    .map_err(conn_err)?;
                exchange(s, &head).await?
            }
        };
        parse_response(&raw)
    }
}

fn conn_err(e: std::io::Error) -> EngineError {
    EngineError::Connection(e.to_string())
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    head: &str,
) -> Result<Vec<u8>, EngineError> {
    stream.write_all(head.as_bytes()).await.map_err(conn_err)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.map_err(conn_err)?;
    Ok(raw)
}

/// Splits an HTTP/1.x response into status and body (de-chunked when chunked) and reads the body
/// as JSON; an error status becomes [`EngineError::Api`] with the engine's message.
pub fn parse_response(raw: &[u8]) -> Result<serde_json::Value, EngineError> {
    let bad = |what: &str| EngineError::Api {
        status: 0,
        message: format!("unexpected answer from the engine: {what}"),
    };
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        body = dechunk(&body).ok_or_else(|| bad("broken chunked body"))?;
    }
    if status >= 400 {
        let text = String::from_utf8_lossy(&body);
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
            .unwrap_or_else(|| text.trim().to_string());
        return Err(EngineError::Api { status, message });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&body).map_err(|e| bad(&e.to_string()))
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let eol = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..eol]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

/// Percent-encodes a query value (filters are JSON).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_chunked_bodies_parse() {
        let plain = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\n";
        assert_eq!(parse_response(plain).unwrap()["a"], 1);
        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:2}\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked).unwrap()["a"], 2);
    }

    #[test]
    fn error_statuses_carry_the_engine_message() {
        let raw = b"HTTP/1.0 409 Conflict\r\n\r\n{\"message\":\"volume is in use\"}";
        match parse_response(raw) {
            Err(EngineError::Api { status, message }) => {
                assert_eq!(status, 409);
                assert_eq!(message, "volume is in use");
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_response(b"garbage").is_err());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query("{\"until\":[\"24h\"]}"),
            "%7B%22until%22%3A%5B%2224h%22%5D%7D"
        );
    }
}
