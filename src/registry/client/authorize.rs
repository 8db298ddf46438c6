//! Authorization of registry requests: the header a registry is known to want (basic, or a
//! bearer token fetched through its challenge), and the error for a request it refused.

use super::*;

impl RegistryClient {
    /// Adds the Authorization header the registry is known to want.
    pub(super) async fn authorize(
        &self,
        request: reqwest::RequestBuilder,
        scope: &str,
    ) -> Result<reqwest::RequestBuilder, RegistryError> {
        let creds = self.inner.options.credentials.as_ref();
        let mut state = self.inner.auth.lock().await;
        if let Some(token) = state.token(scope) {
            return Ok(request.bearer_auth(token.expose()));
        }
        if let Some(challenge) = state.bearer.clone() {
            // Known token service: fetch the token for this scope up front.
            let (token, lifetime) = auth::fetch_token(
                &self.inner.http,
                &self.inner.registry,
                &challenge,
                scope,
                creds,
                self.inner.options.timeout,
            )
            .await?;
            let request = request.bearer_auth(token.expose());
            state.remember(scope, token, lifetime);
            return Ok(request);
        }
        match creds {
            Some(c) if state.basic => Ok(request.basic_auth(
                &c.username,
                c.password.as_ref().map(|p| p.expose().to_string()),
            )),
            _ => Ok(request),
        }
    }

    pub(super) async fn unauthorized(
        &self,
        response: reqwest::Response,
        scope: &str,
    ) -> RegistryError {
        let body = ErrorBody::parse(&response.bytes().await.unwrap_or_default());
        let who = match &self.inner.options.credentials {
            Some(c) if !c.is_empty() => format!(
                "the registry rejected the credentials{}",
                if c.username.is_empty() {
                    String::new()
                } else {
                    format!(" of user {:?}", c.username)
                }
            ),
            _ => "the registry requires credentials; log in first".to_string(),
        };
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!(" (access asked: {scope})")
        };
        RegistryError::Unauthorized {
            registry: self.inner.registry.clone(),
            reason: format!("{who}{scope}{}", body.detail()),
        }
    }

    /// Turns a non-success response into the most precise error.
    pub(crate) async fn status_error(
        &self,
        response: reqwest::Response,
        url: &Url,
        target: Target<'_>,
    ) -> RegistryError {
        let status = response.status();
        let registry = self.inner.registry.clone();
        let bytes = response.bytes().await.unwrap_or_default();
        let body = ErrorBody::parse(&bytes[..bytes.len().min(64 * 1024)]);
        if status == StatusCode::NOT_FOUND {
            match target {
                Target::Repository(repo) | Target::Manifest(repo, _) | Target::Blob(repo, _)
                    if body.has("NAME_UNKNOWN") =>
                {
                    return RegistryError::RepositoryNotFound {
                        registry,
                        repository: repo.to_string(),
                    };
                }
                Target::Repository(repo) => {
                    return RegistryError::RepositoryNotFound {
                        registry,
                        repository: repo.to_string(),
                    };
                }
                Target::Manifest(repo, reference) => {
                    return RegistryError::ManifestNotFound {
                        registry,
                        repository: repo.to_string(),
                        reference: reference.to_string(),
                    };
                }
                Target::Blob(repo, digest) => {
                    return RegistryError::BlobNotFound {
                        registry,
                        repository: repo.to_string(),
                        digest: digest.to_string(),
                    };
                }
                Target::Catalog => {
                    return RegistryError::CatalogUnavailable {
                        registry,
                        status: status.as_u16(),
                    };
                }
                Target::Ping => {}
            }
        }
        if status == StatusCode::FORBIDDEN {
            let what = match target {
                Target::Ping => "the API root".to_string(),
                Target::Catalog => "the repository catalog".to_string(),
                Target::Repository(r) => format!("repository {r}"),
                Target::Manifest(r, t) => format!("{r}:{t}"),
                Target::Blob(r, d) => format!("blob {d} of {r}"),
            };
            return RegistryError::Denied {
                registry,
                what,
                detail: body.detail(),
            };
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return RegistryError::RateLimited {
                registry,
                detail: body.detail(),
            };
        }
        RegistryError::Status {
            registry,
            url: url.to_string(),
            status: status.as_u16(),
            detail: body.detail(),
        }
    }

    /// Reads a body up to `limit` bytes, reporting a connection that drops mid-body.
    pub(crate) async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &Url,
        limit: usize,
    ) -> Result<Vec<u8>, RegistryError> {
        let mut out = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if out.len() + chunk.len() > limit {
                        return Err(RegistryError::TooLarge {
                            registry: self.inner.registry.clone(),
                            url: url.to_string(),
                            limit,
                        });
                    }
                    out.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(out),
                Err(e) if e.is_timeout() => return Err(self.transport_error(&e, url)),
                Err(e) => {
                    return Err(RegistryError::BodyInterrupted {
                        registry: self.inner.registry.clone(),
                        url: url.to_string(),
                        reason: chain(&e),
                    });
                }
            }
        }
    }
}
