//! Docker image references (`[registry[:port]/]path[:tag][@digest]`).
//!
//! The grammar follows `distribution/reference` (`regexp.go`):
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [domain "/"] path-component ["/" path-component]*
//! domain           := host [":" port]        host: domain-name | "[" ipv6 "]"
//! path-component   := [a-z0-9]+ (separator [a-z0-9]+)*   separator: "." | "_" | "__" | "-"+
//! tag              := [\w][\w.-]{0,127}
//! digest           := algorithm ":" hex      (sha256: 64, sha384: 96, sha512: 128 lowercase hex)
//! ```
//!
//! Repository names must be lower case; the whole name (domain included) is at most 255 characters.
//! [`Reference::parse`] keeps what was written; [`Reference::normalized`] applies the Docker CLI's
//! rules (`docker.io`, `library/`, `latest`).

use std::fmt;
use std::str::FromStr;

use super::digest::{Digest, DigestError, check_algorithm_grammar};

/// Longest allowed name (domain and path), as in distribution's `NameTotalLengthMax`.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// Longest allowed tag.
pub const TAG_LENGTH_MAX: usize = 128;
/// The canonical Docker Hub domain.
pub const DOCKER_HUB_DOMAIN: &str = "docker.io";
/// The legacy Docker Hub domain, normalised to [`DOCKER_HUB_DOMAIN`].
pub const DOCKER_HUB_LEGACY_DOMAIN: &str = "index.docker.io";
/// The host that serves the Registry API for Docker Hub.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// Tag used when a reference has neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";

/// What is wrong with a reference; positions are byte offsets into the input (0-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceErrorKind {
    /// Nothing was given.
    #[error("repository name must have at least one component")]
    Empty,
    /// `:tag` or `@digest` with no name before it.
    #[error("missing repository name before {0:?}")]
    MissingName(char),
    /// The name (domain and path) is over 255 characters.
    #[error("repository name must not be more than 255 characters (it has {len})")]
    NameTooLong {
        /// Length of the name.
        len: usize,
    },
    /// A path component has upper-case letters.
    #[error("repository name must be lowercase: {component:?} at position {position}")]
    Uppercase {
        /// The offending component.
        component: String,
        /// Where it starts.
        position: usize,
    },
    /// A path component is empty (doubled, leading or trailing `/`).
    #[error("empty path component at position {position} (doubled, leading or trailing '/')")]
    EmptyComponent {
        /// Where the empty component is.
        position: usize,
    },
    /// A path component breaks the grammar.
    #[error("invalid path component {component:?} at position {position}: {reason}")]
    InvalidComponent {
        /// The offending component.
        component: String,
        /// Byte offset of the offending character.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// The registry part (`host[:port]`) breaks the grammar.
    #[error("invalid registry address {domain:?} at position {position}: {reason}")]
    InvalidDomain {
        /// The offending domain.
        domain: String,
        /// Byte offset of the offending character.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// `name:` with nothing after the colon.
    #[error("tag after ':' at position {position} is empty")]
    EmptyTag {
        /// Where the tag would start.
        position: usize,
    },
    /// The tag is over 128 characters.
    #[error("tag is longer than 128 characters (it has {len})")]
    TagTooLong {
        /// Length of the tag.
        len: usize,
    },
    /// The tag has a character outside `[A-Za-z0-9_.-]` or starts with `.`/`-`.
    #[error("invalid tag {tag:?}: {reason} at position {position}")]
    InvalidTag {
        /// The offending tag.
        tag: String,
        /// Byte offset of the offending character.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// The digest after `@` is malformed, unsupported or of the wrong length.
    #[error("{source} (digest at position {position})")]
    InvalidDigest {
        /// What is wrong with the digest.
        source: DigestError,
        /// Where the digest starts.
        position: usize,
    },
    /// A bare 64-character hex string, which Docker reads as an image ID, not a name.
    #[error(
        "cannot specify 64-byte hexadecimal strings as a repository name (is this an image ID?)"
    )]
    HexIdentifier,
}

/// A reference that could not be parsed: the input and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid reference format {input:?}: {kind}")]
pub struct ReferenceError {
    /// The text that was parsed.
    pub input: String,
    /// What is wrong.
    pub kind: ReferenceErrorKind,
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    domain: Option<String>,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference exactly as written (distribution's `Parse`): no defaults are added.
    ///
    /// As upstream, a first component that looks like a host (`foo/bar`) is taken as the domain;
    /// use [`Reference::parse_normalized`] for the Docker CLI's reading.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        parse_inner(input).map_err(|kind| ReferenceError {
            input: input.to_string(),
            kind,
        })
    }

    /// Parses like Docker's `ParseNormalizedNamed` and then applies [`Reference::normalized`]:
    /// `busybox` becomes `docker.io/library/busybox:latest`.
    pub fn parse_normalized(input: &str) -> Result<Self, ReferenceError> {
        let err = |kind| ReferenceError {
            input: input.to_string(),
            kind,
        };
        if input.len() == 64
            && input
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(err(ReferenceErrorKind::HexIdentifier));
        }
        let normalized = Self::parse(input)?.normalized();
        let len = normalized.name().len();
        if len > NAME_TOTAL_LENGTH_MAX {
            return Err(err(ReferenceErrorKind::NameTooLong { len }));
        }
        Ok(normalized)
    }

    /// The Docker CLI's reading of this reference: a first component without `.` or `:` that is
    /// not `localhost` belongs to the path on Docker Hub, `index.docker.io` becomes `docker.io`,
    /// single-component Hub paths get `library/`, and `latest` is added when there is neither
    /// tag nor digest.
    pub fn normalized(&self) -> Self {
        let (domain, path) = match self.domain.as_deref() {
            None => (DOCKER_HUB_DOMAIN.to_string(), self.path.clone()),
            Some(d)
                if !d.contains(['.', ':']) && d != "localhost" && d.to_ascii_lowercase() == d =>
            {
                (DOCKER_HUB_DOMAIN.to_string(), format!("{d}/{}", self.path))
            }
            Some(DOCKER_HUB_LEGACY_DOMAIN) => (DOCKER_HUB_DOMAIN.to_string(), self.path.clone()),
            Some(d) => (d.to_string(), self.path.clone()),
        };
        let path = if domain == DOCKER_HUB_DOMAIN && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = match (&self.tag, &self.digest) {
            (None, None) => Some(DEFAULT_TAG.to_string()),
            (t, _) => t.clone(),
        };
        Self {
            domain: Some(domain),
            path,
            tag,
            digest: self.digest.clone(),
        }
    }

    /// The registry part (`host[:port]`) as written, if any.
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// The repository path inside the registry, e.g. `library/busybox`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if any.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The name: `domain/path`, or just `path` without a domain.
    pub fn name(&self) -> String {
        match &self.domain {
            Some(d) => format!("{d}/{}", self.path),
            None => self.path.clone(),
        }
    }

    /// What to ask the registry for: the digest if there is one, else the tag, else `latest`.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => DEFAULT_TAG.to_string(),
        }
    }

    /// True when the normalised reference points at Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.normalized().domain.as_deref() == Some(DOCKER_HUB_DOMAIN)
    }

    /// The normalised registry domain (`docker.io` for Hub references).
    pub fn registry(&self) -> String {
        self.normalized()
            .domain
            .unwrap_or_else(|| DOCKER_HUB_DOMAIN.to_string())
    }

    /// The `host[:port]` to send Registry API calls to (`registry-1.docker.io` for Docker Hub).
    pub fn registry_host(&self) -> String {
        let registry = self.registry();
        if registry == DOCKER_HUB_DOMAIN {
            DOCKER_HUB_API_HOST.to_string()
        } else {
            registry
        }
    }

    /// The repository path on the registry after normalisation (`library/busybox`).
    pub fn repository(&self) -> String {
        self.normalized().path
    }

    /// The short form the Docker CLI shows (`busybox:latest`, `me/app`, `host:5000/x`).
    pub fn familiar(&self) -> String {
        let n = self.normalized();
        let mut out = if n.domain.as_deref() == Some(DOCKER_HUB_DOMAIN) {
            match n.path.strip_prefix("library/") {
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => n.path.clone(),
            }
        } else {
            n.name()
        };
        if let Some(t) = &self.tag {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = &self.digest {
            out.push('@');
            out.push_str(&d.to_string());
        }
        out
    }

    /// A copy with the given tag (validated).
    pub fn with_tag(&self, tag: &str) -> Result<Self, ReferenceError> {
        check_tag(tag, 0).map_err(|kind| ReferenceError {
            input: tag.to_string(),
            kind,
        })?;
        Ok(Self {
            tag: Some(tag.to_string()),
            ..self.clone()
        })
    }

    /// A copy with the given digest.
    pub fn with_digest(&self, digest: Digest) -> Self {
        Self {
            digest: Some(digest),
            ..self.clone()
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn parse_inner(input: &str) -> Result<Reference, ReferenceErrorKind> {
    if input.is_empty() {
        return Err(ReferenceErrorKind::Empty);
    }
    // Digest: everything after the first '@'.
    let (rest, digest) = match input.find('@') {
        Some(at) => {
            let text = &input[at + 1..];
            (&input[..at], Some(parse_digest(text, at + 1)?))
        }
        None => (input, None),
    };
    // Tag: a ':' in the last '/'-separated segment (path components never contain ':').
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    if last_slash == 0 && rest.starts_with('[') {
        return Err(ReferenceErrorKind::InvalidDomain {
            domain: rest.to_string(),
            position: 0,
            reason: "a registry address must be followed by '/' and a repository path".to_string(),
        });
    }
    let (name, tag) = match rest[last_slash..].find(':') {
        Some(colon) => {
            let colon = last_slash + colon;
            let tag = &rest[colon + 1..];
            check_tag(tag, colon + 1)?;
            (&rest[..colon], Some(tag.to_string()))
        }
        None => (rest, None),
    };
    if name.is_empty() {
        let c = if tag.is_some() { ':' } else { '@' };
        return Err(ReferenceErrorKind::MissingName(c));
    }
    let segments: Vec<(usize, &str)> = {
        let mut pos = 0;
        name.split('/')
            .map(|s| {
                let item = (pos, s);
                pos += s.len() + 1;
                item
            })
            .collect()
    };
    let (domain, path_segments) = match segments.split_first() {
        Some((&(pos, first), rest)) if !rest.is_empty() => match check_domain(first, pos) {
            Ok(()) => (Some(first.to_string()), rest),
            Err(e) if looks_like_domain(first) => return Err(e),
            Err(_) => (None, segments.as_slice()),
        },
        _ => (None, segments.as_slice()),
    };
    for &(pos, component) in path_segments {
        check_path_component(component, pos)?;
    }
    if name.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceErrorKind::NameTooLong { len: name.len() });
    }
    let path_start = path_segments.first().map_or(0, |(p, _)| *p);
    Ok(Reference {
        domain,
        path: name[path_start..].to_string(),
        tag,
        digest,
    })
}

/// A first segment that can only be meant as a registry (it has a port or brackets).
fn looks_like_domain(s: &str) -> bool {
    s.contains([':', '[', ']'])
}

fn parse_digest(text: &str, position: usize) -> Result<Digest, ReferenceErrorKind> {
    let wrap = |source| ReferenceErrorKind::InvalidDigest { source, position };
    if let Some((algorithm, _)) = text.split_once(':')
        && let Err(at) = check_algorithm_grammar(algorithm)
    {
        return Err(wrap(DigestError::Format {
            reason: format!("bad algorithm {algorithm:?} at character {}", at + 1),
        }));
    }
    Digest::parse(text).map_err(wrap)
}

fn check_tag(tag: &str, position: usize) -> Result<(), ReferenceErrorKind> {
    if tag.is_empty() {
        return Err(ReferenceErrorKind::EmptyTag { position });
    }
    let invalid = |i: usize, reason: String| ReferenceErrorKind::InvalidTag {
        tag: tag.to_string(),
        position: position + i,
        reason,
    };
    for (i, c) in tag.char_indices() {
        let word = c.is_ascii_alphanumeric() || c == '_';
        if i == 0 && !word {
            return Err(invalid(
                i,
                format!("must start with a letter, digit or '_', not {c:?}"),
            ));
        }
        if !word && c != '.' && c != '-' {
            return Err(invalid(
                i,
                format!("character {c:?} is not allowed (only letters, digits, '_', '.', '-')"),
            ));
        }
    }
    if tag.len() > TAG_LENGTH_MAX {
        return Err(ReferenceErrorKind::TagTooLong { len: tag.len() });
    }
    Ok(())
}

/// `host[:port]` where host is a domain name / IPv4 or a bracketed IPv6 address.
fn check_domain(domain: &str, position: usize) -> Result<(), ReferenceErrorKind> {
    let invalid = |i: usize, reason: &str| ReferenceErrorKind::InvalidDomain {
        domain: domain.to_string(),
        position: position + i,
        reason: reason.to_string(),
    };
    let (host_len, port) = if let Some(inner) = domain.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(invalid(0, "'[' without a closing ']'"));
        };
        let addr = &inner[..close];
        if addr.is_empty() {
            return Err(invalid(1, "empty IPv6 address"));
        }
        if let Some(i) = addr.find(|c: char| !(c.is_ascii_hexdigit() || c == ':')) {
            return Err(invalid(
                1 + i,
                "IPv6 addresses may only hold hex digits and ':' (no zones or IPv4 forms)",
            ));
        }
        (close + 2, &domain[close + 2..])
    } else {
        let host_len = domain.find(':').unwrap_or(domain.len());
        let host = &domain[..host_len];
        let mut pos = 0;
        for label in host.split('.') {
            let bytes = label.as_bytes();
            if bytes.is_empty() {
                return Err(invalid(pos, "empty label in host name"));
            }
            if let Some(i) = label.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
                return Err(invalid(
                    pos + i,
                    "host names may only hold letters, digits, '-' and '.'",
                ));
            }
            if bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
                return Err(invalid(
                    pos,
                    "host name labels cannot start or end with '-'",
                ));
            }
            pos += label.len() + 1;
        }
        (host_len, &domain[host_len..])
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').unwrap_or(port);
        if port.len() == digits.len() {
            return Err(invalid(host_len, "expected ':' before the port"));
        }
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(host_len + 1, "port must be a number"));
        }
    }
    Ok(())
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*` with separator `.`, `_`, `__` or one or more `-`.
fn check_path_component(component: &str, position: usize) -> Result<(), ReferenceErrorKind> {
    if component.is_empty() {
        return Err(ReferenceErrorKind::EmptyComponent { position });
    }
    let lower = component.to_ascii_lowercase();
    if lower != component && component_error(&lower).is_none() {
        return Err(ReferenceErrorKind::Uppercase {
            component: component.to_string(),
            position,
        });
    }
    match component_error(component) {
        None => Ok(()),
        Some((i, reason)) => Err(ReferenceErrorKind::InvalidComponent {
            component: component.to_string(),
            position: position + i,
            reason,
        }),
    }
}

fn component_error(component: &str) -> Option<(usize, String)> {
    let bytes = component.as_bytes();
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_alnum(b) {
            i += 1;
            continue;
        }
        if !matches!(b, b'.' | b'_' | b'-') {
            let c = component[i..].chars().next().unwrap_or('?');
            let reason = if c.is_ascii_uppercase() {
                "repository name must be lowercase".to_string()
            } else {
                format!("character {c:?} is not allowed (only a-z, 0-9, '.', '_', '-')")
            };
            return Some((i, reason));
        }
        let start = i;
        while i < bytes.len() && matches!(bytes[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let sep = &component[start..i];
        if start == 0 {
            return Some((
                start,
                "must start with a lowercase letter or digit".to_string(),
            ));
        }
        if i == bytes.len() {
            return Some((
                start,
                "must end with a lowercase letter or digit".to_string(),
            ));
        }
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-');
        if !ok {
            return Some((
                start,
                format!("separator {sep:?} is not allowed (use '.', '_', '__' or dashes)"),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests;
