//! Errors of the Registry v2 client, worded for the person at the keyboard.

use std::error::Error as _;

/// What went wrong talking to a registry. Messages name the registry (and the repository, tag or
/// address when known) and never carry credentials or tokens.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry address given by the user cannot be used.
    #[error("invalid registry address {input:?}: {reason}")]
    InvalidAddress {
        /// What was given.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// A CA certificate file could not be used.
    #[error("cannot use the CA certificate {path}: {reason}")]
    Certificate {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Connecting failed (refused, DNS, TLS...).
    #[error("registry {registry} is unreachable at {url}: {reason}")]
    Unreachable {
        /// Registry host.
        registry: String,
        /// The address tried.
        url: String,
        /// The underlying cause.
        reason: String,
    },
    /// No answer in time.
    #[error("registry {registry} did not answer within {seconds} s ({url})")]
    Timeout {
        /// Registry host.
        registry: String,
        /// The address tried.
        url: String,
        /// The timeout.
        seconds: u64,
    },
    /// Missing or rejected credentials.
    #[error("unauthorized at registry {registry}: {reason}")]
    Unauthorized {
        /// Registry host.
        registry: String,
        /// Why (no credentials, rejected, token service refused...).
        reason: String,
    },
    /// Authenticated but not allowed (HTTP 403).
    #[error("access denied by registry {registry} for {what}{detail}")]
    Denied {
        /// Registry host.
        registry: String,
        /// What was asked for.
        what: String,
        /// The registry's own message, if any.
        detail: String,
    },
    /// The repository does not exist.
    #[error("repository {repository} not found on registry {registry}")]
    RepositoryNotFound {
        /// Registry host.
        registry: String,
        /// Repository path.
        repository: String,
    },
    /// The tag or digest does not exist in the repository.
    #[error("manifest {reference} not found in repository {repository} on registry {registry}")]
    ManifestNotFound {
        /// Registry host.
        registry: String,
        /// Repository path.
        repository: String,
        /// Tag or digest.
        reference: String,
    },
    /// A blob (config or layer) does not exist.
    #[error("blob {digest} not found in repository {repository} on registry {registry}")]
    BlobNotFound {
        /// Registry host.
        registry: String,
        /// Repository path.
        repository: String,
        /// Blob digest.
        digest: String,
    },
    /// The registry does not offer `_catalog` (Docker Hub never does; others may disable it).
    #[error(
        "registry {registry} does not list its repositories (catalog answered {status}); type a repository name instead"
    )]
    CatalogUnavailable {
        /// Registry host.
        registry: String,
        /// Status received.
        status: u16,
    },
    /// `/v2/` is not there: not a v2 registry, or the wrong address.
    #[error("{url} does not answer like a Registry HTTP API v2 endpoint (status {status})")]
    NotRegistry {
        /// The address tried.
        url: String,
        /// Status received.
        status: u16,
    },
    /// Too many requests (Docker Hub's pull rate limit, for instance).
    #[error(
        "registry {registry} is rate-limiting requests (429){detail}; wait a while, or log in for a higher limit"
    )]
    RateLimited {
        /// Registry host.
        registry: String,
        /// The registry's own message, if any.
        detail: String,
    },
    /// Any other unexpected status.
    #[error("registry {registry} answered {status} ({}) for {url}{detail}", status_text(*status))]
    Status {
        /// Registry host.
        registry: String,
        /// The address requested.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The registry's own message, if any.
        detail: String,
    },
    /// The body is not the JSON that was expected.
    #[error("registry {registry} sent invalid JSON for {url}: expected {expected} ({reason})")]
    InvalidJson {
        /// Registry host.
        registry: String,
        /// The address requested.
        url: String,
        /// What was expected.
        expected: String,
        /// Parser message.
        reason: String,
    },
    /// The connection broke while the body was being read.
    #[error("connection to registry {registry} closed while reading {url}: {reason}")]
    BodyInterrupted {
        /// Registry host.
        registry: String,
        /// The address requested.
        url: String,
        /// The underlying cause.
        reason: String,
    },
    /// A body was larger than the client accepts for its kind.
    #[error("registry {registry} sent more than {limit} bytes for {url}")]
    TooLarge {
        /// Registry host.
        registry: String,
        /// The address requested.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// Content does not match its digest.
    #[error("content from {url} does not match its digest: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The address requested.
        url: String,
        /// Digest announced.
        expected: String,
        /// Digest computed.
        actual: String,
    },
    /// A manifest kind this client does not read.
    #[error("unsupported manifest from registry {registry}: {reason}")]
    UnsupportedManifest {
        /// Registry host.
        registry: String,
        /// What it was.
        reason: String,
    },
    /// Anything else from the HTTP layer.
    #[error("request to registry {registry} failed ({url}): {reason}")]
    Http {
        /// Registry host.
        registry: String,
        /// The address requested.
        url: String,
        /// The underlying cause.
        reason: String,
    },
}

/// `server error`, `client error`... for a status code, with its reason phrase when known.
fn status_text(status: u16) -> String {
    let class = match status {
        500..=599 => "server error",
        400..=499 => "request refused",
        300..=399 => "unexpected redirect",
        _ => "unexpected status",
    };
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{reason}, {class}"),
        None => class.to_string(),
    }
}

/// The informative end of an error's source chain (reqwest's own top-level message only
/// repeats the URL): e.g. `tcp connect error: Connection refused (os error 111)`.
pub(crate) fn chain(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        let generic =
            text.starts_with("client error (") || text.starts_with("error sending request");
        if !generic && !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    let keep = parts.len().saturating_sub(2);
    let tail: Vec<String> = parts.into_iter().skip(keep).collect();
    if tail.is_empty() {
        // URLs we build never contain credentials, so reqwest's message is safe to show.
        err.to_string()
    } else {
        tail.join(": ")
    }
}

/// The registry's JSON error body (`{"errors":[{"code","message","detail"}]}`), if any.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<ErrorEntry>,
}

/// One entry of a registry error body.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ErrorEntry {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl ErrorBody {
    /// Parses an error body; anything unparsable gives an empty body.
    pub fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// True when any entry has this code.
    pub fn has(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// `: CODE: message; ...` for appending to a message, or empty.
    pub fn detail(&self) -> String {
        if self.errors.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
                (false, false) => format!("{}: {}", e.code, e.message),
                (false, true) => e.code.clone(),
                _ => e.message.clone(),
            })
            .collect();
        format!(": {}", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_detail() {
        let body = ErrorBody::parse(
            br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]}"#,
        );
        assert!(body.has("NAME_UNKNOWN"));
        assert!(!body.has("MANIFEST_UNKNOWN"));
        assert_eq!(
            body.detail(),
            ": NAME_UNKNOWN: repository name not known to registry"
        );
        assert_eq!(ErrorBody::parse(b"<html>").detail(), "");
    }
}
