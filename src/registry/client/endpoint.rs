//! Registry addresses (`host:port`, URLs, Docker Hub aliases) and `Link` pagination headers.

use reqwest::Url;
use reqwest::header::{self, HeaderMap};

use super::RegistryError;
use crate::registry::reference::{DOCKER_HUB_API_HOST, DOCKER_HUB_DOMAIN};

/// True for `localhost`, `127.0.0.0/8` and `::1`, which get plain HTTP like dockerd does.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Turns a registry address as a user writes it (`host:5000`, `https://host/`, `docker.io`)
/// into the API base URL and the registry's display name.
pub fn endpoint(input: &str, insecure: bool) -> Result<(Url, String), RegistryError> {
    let invalid = |reason: &str| RegistryError::InvalidAddress {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    let (explicit, rest) = if let Some(r) = trimmed.strip_prefix("https://") {
        (Some("https"), r)
    } else if let Some(r) = trimmed.strip_prefix("http://") {
        (Some("http"), r)
    } else if trimmed.contains("://") {
        return Err(invalid("only http:// and https:// are supported"));
    } else {
        (None, trimmed)
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !matches!(path.trim_end_matches('/'), "" | "v2") {
        return Err(invalid(
            "give only the host and port (the API path /v2/ is added automatically)",
        ));
    }
    if authority.is_empty() {
        return Err(invalid("the host is missing"));
    }
    let authority = match authority {
        DOCKER_HUB_DOMAIN | "index.docker.io" => DOCKER_HUB_API_HOST,
        a => a,
    };
    let url = Url::parse(&format!("https://{authority}/"))
        .map_err(|e| invalid(&format!("not a host[:port]: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| invalid("the host is missing"))?;
    let scheme = explicit.unwrap_or(if insecure || is_loopback_host(host) {
        "http"
    } else {
        "https"
    });
    let base = Url::parse(&format!("{scheme}://{authority}/"))
        .map_err(|e| invalid(&format!("not a host[:port]: {e}")))?;
    let name = if authority == DOCKER_HUB_API_HOST {
        DOCKER_HUB_DOMAIN.to_string()
    } else {
        authority.to_string()
    };
    Ok((base, name))
}

/// A `Link: <url>; rel="next"` target, if any.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(header::LINK) {
        let Ok(text) = value.to_str() else { continue };
        for part in text.split(',') {
            let part = part.trim();
            let (Some(start), Some(end)) = (part.find('<'), part.find('>')) else {
                continue;
            };
            let params = &part[end + 1..];
            let is_next = params.split(';').any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            if is_next && start < end {
                return Some(part[start + 1..end].to_string());
            }
        }
    }
    None
}

/// CA certificates Docker would trust for `authority` (`host[:port]`):
/// `/etc/docker/certs.d/<authority>/*.crt` and `<docker config dir>/certs.d/<authority>/*.crt`.
pub fn certs_d_files(authority: &str) -> Vec<std::path::PathBuf> {
    let mut roots = vec![std::path::PathBuf::from("/etc/docker/certs.d")];
    if let Some(dir) = crate::registry::credentials::config_dir() {
        roots.push(dir.join("certs.d"));
    }
    let mut out = Vec::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root.join(authority)) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "crt"))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}
