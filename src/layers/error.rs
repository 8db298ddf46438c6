//! Errors of the layer analysis.
use std::io;

/// Everything that can go wrong while reading and analysing an image.
#[derive(Debug, thiserror::Error)]
pub enum LayersError {
    /// Reading the underlying stream failed.
    #[error("reading the image stream failed: {0}")]
    Io(#[from] io::Error),
    /// The archive ended in the middle of a header or an entry.
    #[error("the archive is truncated ({0})")]
    Truncated(String),
    /// A tar header is malformed (bad checksum, bad number, ...).
    #[error("malformed tar header in {context}: {reason}")]
    BadHeader {
        /// Where the header was found (outer archive or a layer).
        context: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An entry path escapes the root with `..` components.
    #[error("unsafe path {path:?} in {context}: it escapes the root with '..'")]
    UnsafePath {
        /// Where the entry was found.
        context: String,
        /// The raw path.
        path: String,
    },
    /// A size field or a count is larger than the configured limits allow.
    #[error("limit exceeded in {context}: {reason}")]
    LimitExceeded {
        /// Where the limit was hit.
        context: String,
        /// Which limit and by how much.
        reason: String,
    },
    /// A JSON document (manifest, index, config) could not be parsed.
    #[error("invalid {what}: {reason}")]
    BadJson {
        /// Which document.
        what: String,
        /// The parser's message.
        reason: String,
    },
    /// The archive has no manifest.json nor index.json.
    #[error("not an image archive: no manifest.json or index.json found")]
    NoManifest,
    /// The manifest or index names something the archive does not contain.
    #[error("the manifest names {what} {name:?}, which the archive does not contain")]
    Missing {
        /// What kind of object (layer, config, manifest).
        what: &'static str,
        /// Its path or digest.
        name: String,
    },
    /// A layer blob uses a compression this build cannot read.
    #[error("layer {0:?} uses an unsupported compression ({1})")]
    UnsupportedCompression(String, &'static str),
    /// The analysis was cancelled by the caller.
    #[error("the analysis was cancelled")]
    Cancelled,
    /// The engine refused or failed the export.
    #[error("engine error: {0}")]
    Engine(String),
}

impl LayersError {
    pub(crate) fn bad_header(context: &str, reason: impl Into<String>) -> Self {
        Self::BadHeader {
            context: context.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn limit(context: &str, reason: impl Into<String>) -> Self {
        Self::LimitExceeded {
            context: context.to_string(),
            reason: reason.into(),
        }
    }
}

/// Turns an unexpected end of stream into [`LayersError::Truncated`].
pub(crate) fn map_eof(err: io::Error, context: &str) -> LayersError {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        LayersError::Truncated(context.to_string())
    } else {
        LayersError::Io(err)
    }
}
