//! A Registry HTTP API v2 client (reqwest, rustls): ping, catalog and tags with `Link`
//! pagination, manifests (Docker v2 schema 2, manifest lists, OCI manifests and indexes) and
//! image configs, with anonymous, basic and bearer-token authentication.
//!
//! HTTPS is used by default; plain HTTP for loopback hosts (`localhost`, `127.0.0.0/8`, `::1`)
//! and for registries marked insecure. An explicit `http://` or `https://` in the address wins.

pub mod auth;
mod authorize;
mod catalog;
mod endpoint;
pub mod error;
pub mod manifest;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header;
use reqwest::{Method, StatusCode, Url};
use tokio::sync::Mutex;

pub use auth::{AuthKind, BearerChallenge, Challenge, parse_challenges};
pub use catalog::{
    CatalogChunk, CatalogCursor, CatalogLimits, MAX_CATALOG_NAMES, MAX_CATALOG_PAGES,
    MAX_TAG_PAGES, MAX_TAGS,
};
pub(crate) use endpoint::next_link;
pub use endpoint::{endpoint, is_loopback_host};
pub use error::RegistryError;
pub use manifest::{
    Descriptor, ImageConfigInfo, ImageManifestInfo, LayerInfo, ManifestInfo, ManifestKind,
    Platform, PlatformEntry,
};

use crate::registry::credentials::Credentials;
use auth::AuthState;
use error::{ErrorBody, chain};

/// Largest JSON body accepted (catalog pages, tag lists, manifests, configs).
const MAX_JSON_BODY: usize = 16 * 1024 * 1024;

/// How to reach and authenticate with a registry.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Use plain HTTP (or accept invalid certificates with an explicit `https://`).
    pub insecure: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Login to use; anonymous when `None`.
    pub credentials: Option<Credentials>,
    /// Page size asked for on catalog and tag lists (`n`); the registry's default when `None`.
    pub page_size: Option<u32>,
    /// Extra CA certificates (PEM files) to trust, besides the system and webpki roots and the
    /// `certs.d/<host>/*.crt` files Docker uses (which are always read).
    pub root_certificates: Vec<std::path::PathBuf>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            insecure: false,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            credentials: None,
            page_size: Some(100),
            root_certificates: Vec::new(),
        }
    }
}

/// What `/v2/` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingInfo {
    /// The base URL used.
    pub url: String,
    /// How the registry wants clients to authenticate.
    pub auth: AuthKind,
    /// `Docker-Distribution-API-Version`, when sent.
    pub api_version: Option<String>,
}

/// Whether a listing reads on after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// The thing a request is about, to word a 404 precisely.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Ping,
    Catalog,
    Repository(&'a str),
    Manifest(&'a str, &'a str),
    Blob(&'a str, &'a str),
}

/// A Registry v2 client for one registry. Cheap to clone (shared token cache).
#[derive(Debug, Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    registry: String,
    options: ClientOptions,
    auth: Mutex<AuthState>,
}

impl RegistryClient {
    /// A client for `registry` (see [`endpoint`] for accepted spellings).
    pub fn new(registry: &str, options: ClientOptions) -> Result<Self, RegistryError> {
        let (base, name) = endpoint(registry, options.insecure)?;
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("dockhand/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .danger_accept_invalid_certs(options.insecure);
        let authority = match (base.host_str(), base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => String::new(),
        };
        let mut cert_files = options.root_certificates.clone();
        cert_files.extend(endpoint::certs_d_files(&authority));
        for path in cert_files {
            let invalid = |reason: String| RegistryError::Certificate {
                path: path.clone(),
                reason,
            };
            let pem = std::fs::read(&path).map_err(|e| invalid(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| invalid(format!("not a PEM certificate: {}", chain(&e))))?;
            if certs.is_empty() {
                return Err(invalid("no certificate in the file".to_string()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| RegistryError::Http {
            registry: name.clone(),
            url: base.to_string(),
            reason: chain(&e),
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                registry: name,
                options,
                auth: Mutex::new(AuthState::default()),
            }),
        })
    }

    /// The registry's name as shown to the user (`docker.io`, `127.0.0.1:5000`).
    pub fn registry(&self) -> &str {
        &self.inner.registry
    }

    /// True for Docker Hub (which has no catalog: browse it through search).
    pub fn is_docker_hub(&self) -> bool {
        self.inner.registry == crate::registry::reference::DOCKER_HUB_DOMAIN
    }

    /// The API base URL (`http://127.0.0.1:5000/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub(crate) fn url(&self, path: &str) -> Result<Url, RegistryError> {
        self.inner
            .base
            .join(path)
            .map_err(|e| RegistryError::InvalidAddress {
                input: path.to_string(),
                reason: e.to_string(),
            })
    }

    /// `GET /v2/` without credentials: is this a v2 registry, and how does it authenticate?
    pub async fn ping(&self) -> Result<PingInfo, RegistryError> {
        let url = self.url("v2/")?;
        let response = self
            .raw_send(self.inner.http.get(url.clone()), &url)
            .await?;
        let api_version = response
            .headers()
            .get("Docker-Distribution-API-Version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let status = response.status();
        let auth = if status.is_success() {
            AuthKind::Anonymous
        } else if status == StatusCode::UNAUTHORIZED {
            let challenges = response
                .headers()
                .get_all(header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(parse_challenges)
                .collect::<Vec<_>>();
            match challenges.into_iter().next() {
                Some(Challenge::Bearer(b)) => AuthKind::Bearer {
                    realm: b.realm,
                    service: b.service,
                },
                Some(Challenge::Basic) => AuthKind::Basic,
                None => {
                    return Err(RegistryError::Unauthorized {
                        registry: self.inner.registry.clone(),
                        reason:
                            "the registry answered 401 without a usable WWW-Authenticate challenge"
                                .to_string(),
                    });
                }
            }
        } else if status == StatusCode::NOT_FOUND {
            return Err(RegistryError::NotRegistry {
                url: url.to_string(),
                status: status.as_u16(),
            });
        } else {
            return Err(self.status_error(response, &url, Target::Ping).await);
        };
        Ok(PingInfo {
            url: self.inner.base.to_string(),
            auth,
            api_version,
        })
    }

    /// Verifies the client's credentials the way `docker login` does: `/v2/` with basic auth,
    /// or a token request to the token service. An open registry accepts anything.
    pub async fn check_login(&self) -> Result<AuthKind, RegistryError> {
        let ping = self.ping().await?;
        match &ping.auth {
            AuthKind::Anonymous => {}
            AuthKind::Basic | AuthKind::Bearer { .. } => {
                let url = self.url("v2/")?;
                let response = self.send(Method::GET, &url, "", None, None).await?;
                if !response.status().is_success() {
                    return Err(self.status_error(response, &url, Target::Ping).await);
                }
            }
        }
        Ok(ping.auth)
    }

    /// The first [`MAX_CATALOG_NAMES`] repository names (`GET /v2/_catalog`); see
    /// [`RegistryClient::catalog_chunk`] to know whether there are more and to read on.
    pub async fn catalog(&self) -> Result<Vec<String>, RegistryError> {
        let chunk = self
            .catalog_chunk(None, CatalogLimits::default(), &mut |_| {})
            .await?;
        Ok(chunk.names)
    }

    /// Repository names from the start (`from: None`) or from a cursor a previous chunk
    /// returned, following `Link` pagination until `limits` are reached; `progress` hears the
    /// number of names collected after each page. Dropping the future stops the requests.
    pub async fn catalog_chunk(
        &self,
        from: Option<&CatalogCursor>,
        limits: CatalogLimits,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<CatalogChunk, RegistryError> {
        if self.is_docker_hub() {
            return Err(RegistryError::CatalogUnavailable {
                registry: self.inner.registry.clone(),
                status: 404,
            });
        }
        let first = match from {
            Some(cursor) => self.same_origin(&cursor.0, None)?,
            None => self.list_url("v2/_catalog", None)?,
        };
        let mut names: Vec<String> = Vec::new();
        let mut truncated = false;
        let mut pages = 0;
        let next = self
            .paginate(
                first,
                "registry:catalog:*",
                Target::Catalog,
                limits.max_pages,
                |bytes, url| {
                    let page: catalog::CatalogPage =
                        self.parse_json(bytes, url, "a catalog object {\"repositories\": [...]}")?;
                    pages += 1;
                    let room = limits.max_names.saturating_sub(names.len());
                    truncated = page.repositories.total > room;
                    names.extend(page.repositories.names.into_iter().take(room));
                    progress(names.len());
                    Ok(if names.len() >= limits.max_names {
                        Flow::Stop
                    } else {
                        Flow::Continue
                    })
                },
            )
            .await?;
        let more = if truncated {
            // The page held more than the budget: continue after the last name kept, as the
            // distribution spec's `last` parameter allows.
            let last = names.last().cloned().unwrap_or_default();
            Some(self.list_url("v2/_catalog", Some(&last))?)
        } else {
            next
        };
        Ok(CatalogChunk {
            names,
            more: more.map(|u| CatalogCursor(u.to_string())),
            pages,
        })
    }

    /// All tags of `repository` (`GET /v2/<name>/tags/list`, following `Link` pagination), up
    /// to [`MAX_TAGS`] in [`MAX_TAG_PAGES`] pages; a longer list is an error that says so.
    pub async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let url = self.list_url(&format!("v2/{repository}/tags/list"), None)?;
        let mut out = Vec::new();
        let mut over = false;
        let scope = format!("repository:{repository}:pull");
        let target = Target::Repository(repository);
        let next = self
            .paginate(url.clone(), &scope, target, MAX_TAG_PAGES, |bytes, url| {
                let page: catalog::TagsPage =
                    self.parse_json(bytes, url, "a tag list {\"name\": ..., \"tags\": [...]}")?;
                over |= page.tags.total > MAX_TAGS - out.len();
                out.extend(page.tags.names.into_iter().take(MAX_TAGS - out.len()));
                Ok(if over { Flow::Stop } else { Flow::Continue })
            })
            .await?;
        if over || next.is_some() {
            return Err(RegistryError::Http {
                registry: self.inner.registry.clone(),
                url: url.to_string(),
                reason: format!(
                    "{repository} lists more than {} tags (or {MAX_TAG_PAGES} pages); dockhand reads no further",
                    out.len()
                ),
            });
        }
        Ok(out)
    }

    /// `path` with the configured page size and, to continue a listing, `last`.
    fn list_url(&self, path: &str, last: Option<&str>) -> Result<Url, RegistryError> {
        let mut url = self.url(path)?;
        if let Some(n) = self.inner.options.page_size {
            url.query_pairs_mut().append_pair("n", &n.to_string());
        }
        if let Some(last) = last {
            url.query_pairs_mut().append_pair("last", last);
        }
        Ok(url)
    }

    /// `link` resolved against the registry, refused when it leaves the registry's origin
    /// (credentials go with every page). `from` is the page that named it.
    fn same_origin(&self, link: &str, from: Option<&Url>) -> Result<Url, RegistryError> {
        let next = self.url(link)?;
        if next.origin() != self.inner.base.origin() {
            return Err(RegistryError::Http {
                registry: self.inner.registry.clone(),
                url: from.unwrap_or(&self.inner.base).to_string(),
                reason: format!(
                    "the next-page Link points to another server ({next}); not followed"
                ),
            });
        }
        Ok(next)
    }

    /// Reads pages from `first` on while `on_page` says continue, at most `max_pages`.
    /// Returns the next page's address when it stopped before the listing's end.
    async fn paginate(
        &self,
        first: Url,
        scope: &str,
        target: Target<'_>,
        max_pages: usize,
        mut on_page: impl FnMut(&[u8], &Url) -> Result<Flow, RegistryError>,
    ) -> Result<Option<Url>, RegistryError> {
        let mut url = first;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..max_pages {
            if !seen.insert(url.to_string()) {
                return Ok(None); // a Link loop: stop rather than spin
            }
            let response = self.send(Method::GET, &url, scope, None, None).await?;
            if !response.status().is_success() {
                return Err(self.status_error(response, &url, target).await);
            }
            let next = next_link(response.headers());
            let bytes = self.read_body(response, &url, MAX_JSON_BODY).await?;
            let flow = on_page(&bytes, &url)?;
            let Some(link) = next else {
                return Ok(None);
            };
            let next = self.same_origin(&link, Some(&url))?;
            if flow == Flow::Stop {
                return Ok(Some(next));
            }
            url = next;
        }
        Ok(Some(url))
    }

    pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
        &self,
        bytes: &[u8],
        url: &Url,
        expected: &str,
    ) -> Result<T, RegistryError> {
        serde_json::from_slice(bytes).map_err(|e| RegistryError::InvalidJson {
            registry: self.inner.registry.clone(),
            url: url.to_string(),
            expected: expected.to_string(),
            reason: e.to_string(),
        })
    }

    /// Sends without any authentication, mapping transport errors.
    async fn raw_send(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
    ) -> Result<reqwest::Response, RegistryError> {
        request
            .send()
            .await
            .map_err(|e| self.transport_error(&e, url))
    }

    pub(crate) fn transport_error(&self, e: &reqwest::Error, url: &Url) -> RegistryError {
        let registry = self.inner.registry.clone();
        if e.is_timeout() {
            RegistryError::Timeout {
                registry,
                url: url.to_string(),
                seconds: self.inner.options.timeout.as_secs(),
            }
        } else if e.is_connect() {
            RegistryError::Unreachable {
                registry,
                url: url.to_string(),
                reason: chain(e),
            }
        } else if e.is_body() || e.is_decode() {
            RegistryError::BodyInterrupted {
                registry,
                url: url.to_string(),
                reason: chain(e),
            }
        } else {
            RegistryError::Http {
                registry,
                url: url.to_string(),
                reason: chain(e),
            }
        }
    }

    /// Sends an authenticated request for `scope`, answering one 401 challenge.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        scope: &str,
        accept: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut challenged = false;
        loop {
            let mut request = self.inner.http.request(method.clone(), url.clone());
            if let Some(accept) = accept {
                request = request.header(header::ACCEPT, accept);
            }
            if let Some((content_type, bytes)) = &body {
                request = request
                    .header(header::CONTENT_TYPE, *content_type)
                    .body(bytes.clone());
            }
            request = self.authorize(request, scope).await?;
            let response = self.raw_send(request, url).await?;
            if response.status() != StatusCode::UNAUTHORIZED || challenged {
                if response.status() == StatusCode::UNAUTHORIZED {
                    return Err(self.unauthorized(response, scope).await);
                }
                return Ok(response);
            }
            challenged = true;
            let challenges: Vec<Challenge> = response
                .headers()
                .get_all(header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(parse_challenges)
                .collect();
            let mut state = self.inner.auth.lock().await;
            state.forget(scope);
            match challenges.into_iter().next() {
                Some(Challenge::Bearer(b)) => {
                    let token_scope = b.scope.clone().unwrap_or_else(|| scope.to_string());
                    let (token, lifetime) = auth::fetch_token(
                        &self.inner.http,
                        &self.inner.registry,
                        &b,
                        &token_scope,
                        self.inner.options.credentials.as_ref(),
                        self.inner.options.timeout,
                    )
                    .await?;
                    state.remember(scope, token.clone(), lifetime);
                    if token_scope != scope {
                        state.remember(&token_scope, token, lifetime);
                    }
                    state.bearer = Some(b);
                }
                Some(Challenge::Basic) => {
                    if self.inner.options.credentials.is_none() || state.basic {
                        drop(state);
                        return Err(self.unauthorized(response, scope).await);
                    }
                    state.basic = true;
                }
                None => {
                    drop(state);
                    return Err(self.unauthorized(response, scope).await);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
