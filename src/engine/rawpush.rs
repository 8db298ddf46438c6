//! The push request sent over the engine's unix socket by hand.
//!
//! bollard's `PushImageInfo` drops the `id` of each progress message, so its stream cannot tell
//! layers apart. For `unix://` endpoints the push is sent here as a plain HTTP/1.0 request (the
//! engine then ends the body by closing the connection: no chunked decoding needed) and each JSON
//! line is read with its layer ID. Other transports fall back to bollard in [`super::push`].
use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::EngineError;

/// One JSON message of the engine's push stream.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RawMessage {
    /// Layer ID.
    #[serde(default)]
    pub id: Option<String>,
    /// Status text.
    #[serde(default)]
    pub status: Option<String>,
    /// Bytes.
    #[serde(default, rename = "progressDetail")]
    pub progress_detail: Option<RawDetail>,
    /// An error ends the stream.
    #[serde(default, rename = "errorDetail")]
    pub error_detail: Option<RawError>,
    /// Old-style error text.
    #[serde(default)]
    pub error: Option<String>,
}

/// Bytes of a progress message.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RawDetail {
    /// Done.
    #[serde(default)]
    pub current: Option<i64>,
    /// In all.
    #[serde(default)]
    pub total: Option<i64>,
}

/// An error in the stream.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RawError {
    /// Text.
    #[serde(default)]
    pub message: Option<String>,
}

/// The socket path of a `unix://` endpoint.
pub fn unix_path(endpoint: &str) -> Option<&str> {
    endpoint.strip_prefix("unix://").filter(|p| !p.is_empty())
}

fn conn_err(e: std::io::Error) -> EngineError {
    EngineError::Connection(e.to_string())
}

/// Sends `POST /v{api}/images/{name}/push?tag={tag}` over the unix socket and hands every
/// message to `each`.
pub async fn push(
    socket: &str,
    api: &str,
    name: &str,
    tag: &str,
    credentials: Option<&bollard::auth::DockerCredentials>,
    mut each: impl FnMut(RawMessage),
) -> Result<(), EngineError> {
    let auth = match credentials {
        Some(c) => {
            let json = serde_json::to_string(c)
                .map_err(|e| EngineError::Invalid(format!("credentials: {e}")))?;
            format!(
                "X-Registry-Auth: {}\r\n",
                base64::engine::general_purpose::STANDARD.encode(json)
            )
        }
        // The engine wants the header even for anonymous pushes.
        None => "X-Registry-Auth: e30=\r\n".to_string(),
    };
    let request = format!(
        "POST /v{api}/images/{name}/push?tag={tag} HTTP/1.0\r\nHost: docker\r\nUser-Agent: dockhand\r\nContent-Length: 0\r\n{auth}\r\n"
    );
    let stream = tokio::net::UnixStream::connect(socket)
        .await
        .map_err(conn_err)?;
    let mut reader = BufReader::new(stream);
    reader
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .map_err(conn_err)?;
    let mut line = String::new();
    reader.read_line(&mut line).await.map_err(conn_err)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| EngineError::Connection(format!("unexpected answer: {}", line.trim())))?;
    loop {
        line.clear();
        if reader.read_line(&mut line).await.map_err(conn_err)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    if status >= 400 {
        let mut body = String::new();
        while reader.read_line(&mut body).await.map_err(conn_err)? > 0 {}
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| body.trim().to_string());
        return Err(EngineError::Api { status, message });
    }
    loop {
        line.clear();
        if reader.read_line(&mut line).await.map_err(conn_err)? == 0 {
            return Ok(());
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let msg: RawMessage = serde_json::from_str(text).map_err(|e| EngineError::Api {
            status: 0,
            message: format!("unexpected answer from the engine: {e}"),
        })?;
        each(msg);
    }
}
