//! Errors of the engine module.

/// Everything that can go wrong talking to the container engine, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No engine is connected right now.
    #[error("not connected to an engine")]
    NotConnected,
    /// The engine answered with an error status.
    #[error("{message}")]
    Api {
        /// HTTP status code.
        status: u16,
        /// The engine's own message.
        message: String,
    },
    /// The connection failed or broke.
    #[error("engine connection failed: {0}")]
    Connection(String),
    /// The job was cancelled by the user.
    #[error("cancelled")]
    Cancelled,
    /// Bad input that was refused before anything was sent.
    #[error("{0}")]
    Invalid(String),
    /// An image analysis failed (unreadable export, malformed layers, limits exceeded).
    #[error("{0}")]
    Analysis(String),
}

impl EngineError {
    /// True when the error means the engine is gone rather than that a request was refused.
    pub fn is_connection(&self) -> bool {
        matches!(self, EngineError::Connection(_) | EngineError::NotConnected)
    }
}

impl From<bollard::errors::Error> for EngineError {
    fn from(err: bollard::errors::Error) -> Self {
        use bollard::errors::Error as B;
        match err {
            B::DockerResponseServerError {
                status_code,
                message,
            } => EngineError::Api {
                status: status_code,
                message: message.trim().to_string(),
            },
            B::DockerStreamError { error } => EngineError::Api {
                status: 0,
                message: error,
            },
            B::JsonDataError { message, .. } => EngineError::Api {
                status: 0,
                message: format!("unexpected answer from the engine: {message}"),
            },
            other => EngineError::Connection(plain(&other)),
        }
    }
}

/// A transport error in plain words: the innermost cause (`Connection refused (os error 111)`,
/// `deadline has elapsed`…) rather than the client library's wrapping ("Error in the hyper
/// legacy client: client error (Connect)"), which says nothing a user can act on.
pub fn plain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = err;
    let mut io: Option<&std::io::Error> = None;
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<std::io::Error>() {
            io = Some(found);
        }
        innermost = e;
        current = e.source();
    }
    let text = match io {
        Some(e) => e.to_string(),
        None => innermost.to_string(),
    };
    let outer = err.to_string();
    if outer.contains("hyper") || outer.contains("client error") || outer == text {
        text
    } else if text.is_empty() {
        outer
    } else {
        format!("{outer}: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_tcp_connection_reads_plainly() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let docker = bollard::Docker::connect_with_http(
            &format!("tcp://127.0.0.1:{port}"),
            5,
            bollard::API_DEFAULT_VERSION,
        )
        .unwrap();
        let err = EngineError::from(docker.ping().await.unwrap_err()).to_string();
        assert!(!err.contains("hyper"), "{err}");
        assert!(!err.contains("(Connect)"), "{err}");
        assert!(err.to_lowercase().contains("connection refused"), "{err}");
    }
}
