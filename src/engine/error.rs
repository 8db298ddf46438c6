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
            other => EngineError::Connection(other.to_string()),
        }
    }
}
