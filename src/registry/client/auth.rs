//! Registry authentication: `WWW-Authenticate` challenges, the bearer-token flow and its cache.
//!
//! Flow (distribution's token spec): a request answered 401 with
//! `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` makes the client ask the realm
//! for a token (`GET realm?service=…&scope=…` with basic credentials when it has some, or the
//! OAuth `refresh_token` grant for an identity token), then retry with `Authorization: Bearer`.
//! Tokens are cached per scope until shortly before they expire.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::error::{RegistryError, chain};
use crate::registry::credentials::Credentials;
use crate::registry::secret::Secret;

/// One challenge from a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="…"`.
    Basic,
    /// `Bearer realm="…",service="…",scope="…"`.
    Bearer(BearerChallenge),
}

/// The parameters of a bearer challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerChallenge {
    /// Token endpoint.
    pub realm: String,
    /// `service` parameter to send back.
    pub service: Option<String>,
    /// Scope the registry asked for, if it said.
    pub scope: Option<String>,
    /// `error="insufficient_scope"` and the like.
    pub error: Option<String>,
}

/// How a registry wants clients to authenticate, as learnt from `/v2/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    /// Open registry.
    Anonymous,
    /// HTTP basic authentication.
    Basic,
    /// Token service at this realm.
    Bearer {
        /// Token endpoint.
        realm: String,
        /// Service name.
        service: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` header value (several challenges may share one header).
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut out = Vec::new();
    let mut current: Option<(String, HashMap<String, String>)> = None;
    let mut rest = header.trim();
    let finish = |c: Option<(String, HashMap<String, String>)>, out: &mut Vec<Challenge>| {
        if let Some((scheme, mut params)) = c {
            match scheme.to_ascii_lowercase().as_str() {
                "basic" => out.push(Challenge::Basic),
                "bearer" => {
                    if let Some(realm) = params.remove("realm") {
                        out.push(Challenge::Bearer(BearerChallenge {
                            realm,
                            service: params.remove("service"),
                            scope: params.remove("scope"),
                            error: params.remove("error"),
                        }));
                    }
                }
                _ => {}
            }
        }
    };
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        if rest.is_empty() {
            break;
        }
        let token_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let token = &rest[..token_end];
        let after = rest[token_end..].trim_start();
        if let Some(value_part) = after.strip_prefix('=') {
            // key=value (value quoted or token)
            let value_part = value_part.trim_start();
            let (value, remaining) = if let Some(q) = value_part.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = q.char_indices();
                let mut end = q.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &q[end.min(q.len())..])
            } else {
                let end = value_part.find(',').unwrap_or(value_part.len());
                (value_part[..end].trim().to_string(), &value_part[end..])
            };
            if let Some((_, params)) = current.as_mut() {
                params.insert(token.to_ascii_lowercase(), value);
            }
            rest = remaining;
        } else {
            // A new scheme.
            finish(current.take(), &mut out);
            current = Some((token.to_string(), HashMap::new()));
            rest = after;
        }
    }
    finish(current, &mut out);
    out
}

/// A cached bearer token.
#[derive(Debug, Clone)]
struct CachedToken {
    token: Secret,
    valid_until: Instant,
}

/// What the client knows about a registry's authentication.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    /// The registry asked for basic auth at least once.
    pub basic: bool,
    /// The registry's token service, once seen.
    pub bearer: Option<BearerChallenge>,
    tokens: HashMap<String, CachedToken>,
}

impl AuthState {
    /// A still-valid token for `scope`.
    pub fn token(&self, scope: &str) -> Option<&Secret> {
        self.tokens
            .get(scope)
            .filter(|t| t.valid_until > Instant::now())
            .map(|t| &t.token)
    }

    /// Remembers a token.
    pub fn remember(&mut self, scope: &str, token: Secret, lifetime: Duration) {
        // Renew a little early so a token does not expire in flight.
        let margin = Duration::from_secs(5).min(lifetime / 2);
        self.tokens.insert(
            scope.to_string(),
            CachedToken {
                token,
                valid_until: Instant::now() + lifetime - margin,
            },
        );
    }

    /// Forgets the token for `scope` (it was refused).
    pub fn forget(&mut self, scope: &str) {
        self.tokens.remove(scope);
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Asks the token service for a token for `scope` (empty scope: just check the credentials).
pub(crate) async fn fetch_token(
    http: &reqwest::Client,
    registry: &str,
    challenge: &BearerChallenge,
    scope: &str,
    credentials: Option<&Credentials>,
    timeout: Duration,
) -> Result<(Secret, Duration), RegistryError> {
    let mut url = reqwest::Url::parse(&challenge.realm).map_err(|e| RegistryError::Http {
        registry: registry.to_string(),
        url: challenge.realm.clone(),
        reason: format!("the token service address is not a valid URL: {e}"),
    })?;
    let refresh = credentials.and_then(|c| c.identity_token.as_ref());
    let request = if let Some(refresh) = refresh {
        let mut form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh.expose().to_string()),
            ("client_id", "dockhand".to_string()),
        ];
        if let Some(service) = &challenge.service {
            form.push(("service", service.clone()));
        }
        if !scope.is_empty() {
            form.push(("scope", scope.to_string()));
        }
        http.post(url.clone()).form(&form)
    } else {
        {
            let mut q = url.query_pairs_mut();
            if let Some(service) = &challenge.service {
                q.append_pair("service", service);
            }
            if !scope.is_empty() {
                q.append_pair("scope", scope);
            }
            q.append_pair("client_id", "dockhand");
        }
        let mut req = http.get(url.clone());
        if let Some(c) = credentials.filter(|c| !c.username.is_empty()) {
            req = req.basic_auth(&c.username, c.password.as_ref().map(Secret::expose));
        }
        req
    };
    let shown = challenge.realm.clone();
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            RegistryError::Timeout {
                registry: registry.to_string(),
                url: shown.clone(),
                seconds: timeout.as_secs(),
            }
        } else {
            RegistryError::Unreachable {
                registry: registry.to_string(),
                url: shown.clone(),
                reason: format!("token service: {}", chain(&e)),
            }
        }
    })?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        let reason = match credentials {
            Some(c) if !c.is_empty() => format!(
                "the token service at {shown} rejected the credentials{} (status {})",
                if c.username.is_empty() {
                    String::new()
                } else {
                    format!(" of user {:?}", c.username)
                },
                status.as_u16()
            ),
            _ => format!(
                "the token service at {shown} requires credentials (status {}); log in first",
                status.as_u16()
            ),
        };
        return Err(RegistryError::Unauthorized {
            registry: registry.to_string(),
            reason,
        });
    }
    if !status.is_success() {
        return Err(RegistryError::Status {
            registry: registry.to_string(),
            url: shown,
            status: status.as_u16(),
            detail: " (token service)".to_string(),
        });
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| RegistryError::BodyInterrupted {
            registry: registry.to_string(),
            url: shown.clone(),
            reason: chain(&e),
        })?;
    // No parser detail here: it could quote the token.
    let parsed: TokenResponse =
        serde_json::from_slice(&body).map_err(|e| RegistryError::InvalidJson {
            registry: registry.to_string(),
            url: shown.clone(),
            expected: "a token response {\"token\": …} or {\"access_token\": …}".to_string(),
            reason: format!("at line {} column {}", e.line(), e.column()),
        })?;
    let token = parsed
        .token
        .filter(|t| !t.is_empty())
        .or(parsed.access_token.filter(|t| !t.is_empty()))
        .ok_or_else(|| RegistryError::InvalidJson {
            registry: registry.to_string(),
            url: shown,
            expected: "a token response {\"token\": …} or {\"access_token\": …}".to_string(),
            reason: "neither field is present".to_string(),
        })?;
    // The spec's default lifetime is 60 s.
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(60).max(1));
    Ok((Secret::new(token), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenge() {
        let h = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#;
        assert_eq!(
            parse_challenges(h),
            vec![Challenge::Bearer(BearerChallenge {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:samalba/my-app:pull,push".into()),
                error: None,
            })]
        );
    }

    #[test]
    fn parses_basic_and_mixed_and_escapes() {
        assert_eq!(
            parse_challenges(r#"Basic realm="Registry Realm""#),
            vec![Challenge::Basic]
        );
        let both = parse_challenges(
            r#"Basic realm="x", Bearer realm="http://127.0.0.1:1/t\"x",error="insufficient_scope""#,
        );
        assert_eq!(both.len(), 2);
        match &both[1] {
            Challenge::Bearer(b) => {
                assert_eq!(b.realm, "http://127.0.0.1:1/t\"x");
                assert_eq!(b.error.as_deref(), Some("insufficient_scope"));
                assert_eq!(b.service, None);
            }
            other => panic!("{other:?}"),
        }
        // Unquoted values and odd casing.
        let c = parse_challenges("bearer Realm=http://h/t, service=reg");
        assert_eq!(
            c,
            vec![Challenge::Bearer(BearerChallenge {
                realm: "http://h/t".into(),
                service: Some("reg".into()),
                scope: None,
                error: None
            })]
        );
        assert!(parse_challenges("").is_empty());
        assert!(parse_challenges("Bearer service=x").is_empty());
        assert!(parse_challenges("Negotiate").is_empty());
    }

    #[test]
    fn token_cache_expires() {
        let mut s = AuthState::default();
        s.remember("a", Secret::new("t"), Duration::from_secs(60));
        assert_eq!(s.token("a").map(Secret::expose), Some("t"));
        assert!(s.token("b").is_none());
        s.remember("short", Secret::new("t"), Duration::from_millis(2));
        std::thread::sleep(Duration::from_millis(5));
        assert!(s.token("short").is_none());
        s.forget("a");
        assert!(s.token("a").is_none());
    }
}
