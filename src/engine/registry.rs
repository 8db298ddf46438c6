//! Registry requests: Docker Hub search through the engine, and browsing a private registry with
//! the Registry v2 client (catalog, tags, manifest), login, and the registries file. Each kind is a
//! replaceable request: a newer one of the same kind aborts the older, and browsing can be
//! cancelled outright. Listings are bounded (see [`crate::registry::client::CatalogLimits`]).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::SearchImagesOptions;
use tokio::task::AbortHandle;

use super::{EngineError, EngineEvent, Sink};
use crate::registry::client::{CatalogChunk, CatalogCursor, CatalogLimits, ManifestInfo};
use crate::registry::credentials::DockerConfig;
use crate::registry::known::{EngineRegistries, KnownRegistries};
use crate::registry::{Platform, RegistriesConfig, RegistryEntry, Secret, session};

/// How long a Hub search may take before it is reported as unreachable.
const SEARCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A Docker Hub search with the Docker CLI's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// The search term.
    pub term: String,
    /// `--limit N`.
    pub limit: Option<u32>,
    /// `stars>=N` (the `stars=N` filter).
    pub stars: Option<u32>,
    /// `is-official=true`.
    pub official: bool,
    /// `is-automated=true|false`.
    pub automated: Option<bool>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// Repository name, e.g. `library/nginx` or `nginx`.
    pub name: String,
    /// Description.
    pub description: String,
    /// Stars.
    pub stars: u64,
    /// Official image.
    pub official: bool,
    /// Automated build.
    pub automated: bool,
}

/// A tag's manifest as shown: for a list/index, also the image for this machine's platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestView {
    /// The manifest the tag points at.
    pub manifest: ManifestInfo,
    /// For a list/index: the platform looked for and its image manifest (with layers).
    pub platform_image: Option<(String, ManifestInfo)>,
    /// Why the platform's image could not be read, when it could not.
    pub platform_error: Option<String>,
}

/// A registry request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryRequest {
    /// Read the registries file.
    LoadConfig,
    /// Search Docker Hub through the engine.
    Search(SearchQuery),
    /// List the repositories of a registry.
    Catalog(RegistryEntry),
    /// List the tags of a repository.
    Tags {
        /// The registry.
        registry: RegistryEntry,
        /// Repository path.
        repository: String,
    },
    /// Read a tag's manifest.
    Manifest {
        /// The registry.
        registry: RegistryEntry,
        /// Repository path.
        repository: String,
        /// Tag.
        tag: String,
    },
    /// Add a registry to the registries file (replacing one with the same address).
    SaveRegistry(RegistryEntry),
    /// Verify and store a login.
    Login {
        /// Registry address.
        server: String,
        /// User name.
        username: String,
        /// Password (never shown or logged).
        password: Secret,
        /// Plain HTTP / unchecked TLS.
        insecure: bool,
    },
    /// Find the registries the engine trusts and those in the Docker config.
    Known,
}

impl RegistryRequest {
    fn slot(&self) -> &'static str {
        match self {
            RegistryRequest::LoadConfig => "config",
            RegistryRequest::SaveRegistry(_) => "save",
            RegistryRequest::Search(_) => "search",
            RegistryRequest::Catalog(_)
            | RegistryRequest::Tags { .. }
            | RegistryRequest::Manifest { .. } => "browse",
            RegistryRequest::Login { .. } => "login",
            RegistryRequest::Known => "known",
        }
    }
}

/// The answer to a registry request. Errors are user-facing text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryReply {
    /// The registries from the file (Docker Hub first).
    Config(Result<Vec<RegistryEntry>, String>),
    /// Search results.
    Search {
        /// The query answered.
        query: SearchQuery,
        /// Hits.
        result: Result<Vec<SearchHit>, String>,
    },
    /// Repositories.
    Catalog {
        /// Registry address.
        registry: String,
        /// Repositories.
        result: Result<Vec<String>, String>,
    },
    /// Tags.
    Tags {
        /// Registry address.
        registry: String,
        /// Repository.
        repository: String,
        /// Tags.
        result: Result<Vec<String>, String>,
    },
    /// A manifest.
    Manifest {
        /// Registry address.
        registry: String,
        /// Repository.
        repository: String,
        /// Tag.
        tag: String,
        /// The manifest (boxed: large).
        result: Result<Box<ManifestView>, String>,
    },
    /// A login attempt.
    Login {
        /// Registry address.
        server: String,
        /// What happened.
        result: Result<String, String>,
    },
    /// A registry was saved to the registries file (its path), or why not.
    Saved(Result<String, String>),
    /// The registries the engine trusts and those in the Docker config.
    Known(KnownRegistries),
}

/// The running registry requests, one per kind. Clones share the set, so the requests made
/// while no engine is connected and those made while one is replace each other alike.
#[derive(Debug, Default, Clone)]
pub struct Requests {
    running: Arc<Mutex<HashMap<&'static str, AbortHandle>>>,
}

impl Requests {
    /// Starts `request`, aborting the older one of its kind. `docker` is `None` when no engine is
    /// connected: searching then fails, browsing works. Must be called within a tokio runtime.
    pub fn start(&self, docker: Option<Docker>, request: RegistryRequest, sink: Sink) {
        let slot = request.slot();
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = running.remove(slot) {
            old.abort();
        }
        let task = tokio::spawn(async move {
            let reply = answer(docker.as_ref(), request).await;
            sink(EngineEvent::Registry(reply));
        });
        running.insert(slot, task.abort_handle());
    }

    /// Stops the running catalog, tags or manifest request, if any: no reply follows and no
    /// further page is requested.
    pub fn cancel_browse(&self) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(task) = running.remove("browse") {
            task.abort();
        }
    }

    /// Aborts everything.
    pub fn abort_all(&self) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        for (_, task) in running.drain() {
            task.abort();
        }
    }
}

/// The engine's registry settings from `/info`.
pub async fn engine_registries(docker: Option<&Docker>) -> Result<EngineRegistries, String> {
    let docker = docker.ok_or_else(|| EngineError::NotConnected.to_string())?;
    let info = docker.info().await.map_err(|e| e.to_string())?;
    let cfg = info.registry_config.unwrap_or_default();
    let mut index: Vec<(String, bool)> = Vec::new();
    let mut mirrors = cfg.mirrors.unwrap_or_default();
    let mut configs: Vec<_> = cfg.index_configs.unwrap_or_default().into_iter().collect();
    configs.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, info) in configs {
        index.push((info.name.unwrap_or(key), info.secure.unwrap_or(true)));
        for m in info.mirrors.unwrap_or_default() {
            if !mirrors.contains(&m) {
                mirrors.push(m);
            }
        }
    }
    Ok(EngineRegistries {
        index,
        mirrors,
        insecure_cidrs: cfg.insecure_registry_cidrs.unwrap_or_default(),
    })
}

fn load_docker_config() -> Result<DockerConfig, String> {
    DockerConfig::load_default().map_err(|e| e.to_string())
}

/// A client for browsing `entry`. A Docker config that cannot be read does not stop browsing
/// (it goes on anonymously); its warnings are returned to be added to any error, where a
/// missing login may be the cause.
async fn browse_client(
    entry: &RegistryEntry,
) -> (Result<crate::registry::RegistryClient, String>, Vec<String>) {
    let (config, warnings) = DockerConfig::load_default_lenient();
    let client = session::open_client(entry, &config)
        .await
        .map_err(|e| e.to_string());
    (client, warnings)
}

/// `err` with the Docker config's warnings appended.
fn noted(err: String, warnings: &[String]) -> String {
    if warnings.is_empty() {
        err
    } else {
        format!("{err} (note: {})", warnings.join("; "))
    }
}

/// Runs one request to its answer.
pub async fn answer(docker: Option<&Docker>, request: RegistryRequest) -> RegistryReply {
    match request {
        RegistryRequest::LoadConfig => RegistryReply::Config(
            RegistriesConfig::load_default()
                .map(|c| c.registries().to_vec())
                .map_err(|e| e.to_string()),
        ),
        RegistryRequest::SaveRegistry(entry) => RegistryReply::Saved(save_registry(entry)),
        RegistryRequest::Known => {
            let engine = engine_registries(docker).await;
            let (config, _) = DockerConfig::load_default_lenient();
            RegistryReply::Known(KnownRegistries::collect(engine, &config))
        }
        RegistryRequest::Search(query) => {
            let result = match docker {
                Some(d) => search(d, &query).await,
                None => Err(EngineError::NotConnected.to_string()),
            };
            RegistryReply::Search { query, result }
        }
        RegistryRequest::Catalog(entry) => {
            let result = catalog_chunk(&entry, None, CatalogLimits::default(), &mut |_| {})
                .await
                .map(|chunk| chunk.names);
            RegistryReply::Catalog {
                registry: entry.url,
                result,
            }
        }
        RegistryRequest::Tags {
            registry,
            repository,
        } => {
            let (client, warnings) = browse_client(&registry).await;
            let result = async { client?.tags(&repository).await.map_err(|e| e.to_string()) }
                .await
                .map_err(|e| noted(e, &warnings));
            RegistryReply::Tags {
                registry: registry.url,
                repository,
                result,
            }
        }
        RegistryRequest::Manifest {
            registry,
            repository,
            tag,
        } => {
            let (client, warnings) = browse_client(&registry).await;
            let result = async {
                let client = client?;
                let manifest = client
                    .manifest(&repository, &tag)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut view = ManifestView {
                    manifest,
                    platform_image: None,
                    platform_error: None,
                };
                let host = Platform::host();
                if view.manifest.is_index() {
                    match view.manifest.entry_for(&host).map(|e| e.digest.to_string()) {
                        Some(digest) => match client.manifest(&repository, &digest).await {
                            Ok(child) => view.platform_image = Some((host.to_string(), child)),
                            Err(e) => view.platform_error = Some(e.to_string()),
                        },
                        None => {
                            view.platform_error = Some(format!("no image for {host} in the index"))
                        }
                    }
                }
                Ok(Box::new(view))
            }
            .await
            .map_err(|e| noted(e, &warnings));
            RegistryReply::Manifest {
                registry: registry.url,
                repository,
                tag,
                result,
            }
        }
        RegistryRequest::Login {
            server,
            username,
            password,
            insecure,
        } => {
            let result = async {
                let mut config = load_docker_config()?;
                let auth = session::login(&mut config, &server, &username, password, insecure)
                    .await
                    .map_err(|e| e.to_string())?;
                let how = match auth {
                    crate::registry::client::AuthKind::Anonymous => "no authentication needed",
                    crate::registry::client::AuthKind::Basic => "basic auth",
                    crate::registry::client::AuthKind::Bearer { .. } => "token auth",
                };
                Ok(format!(
                    "logged in to {server} as {username} ({how}); saved in {}",
                    config.path().display()
                ))
            }
            .await;
            RegistryReply::Login { server, result }
        }
    }
}

/// Reads part of a registry's catalog: from the start or from `cursor`, within `limits`,
/// reporting the names collected so far to `progress` after each page. What the registry pane
/// uses to show a bounded list with "more available" and to read on when asked.
pub async fn catalog_chunk(
    entry: &RegistryEntry,
    cursor: Option<&CatalogCursor>,
    limits: CatalogLimits,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<CatalogChunk, String> {
    let (client, warnings) = browse_client(entry).await;
    let result = match client {
        Ok(c) => c
            .catalog_chunk(cursor, limits, progress)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    result.map_err(|e| noted(e, &warnings))
}

/// Adds `entry` to the registries file and writes it.
fn save_registry(entry: RegistryEntry) -> Result<String, String> {
    let path = crate::registry::config::default_path()
        .ok_or_else(|| "no home directory to keep registries.toml in".to_string())?;
    let mut config = RegistriesConfig::load(&path).map_err(|e| e.to_string())?;
    config.add(entry);
    config.save(&path).map_err(|e| e.to_string())?;
    Ok(path.display().to_string())
}

/// Searches Docker Hub through the engine (`GET /images/search`).
pub async fn search(docker: &Docker, query: &SearchQuery) -> Result<Vec<SearchHit>, String> {
    let mut filters: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(stars) = query.stars {
        filters.insert("stars".into(), vec![stars.to_string()]);
    }
    if query.official {
        filters.insert("is-official".into(), vec!["true".into()]);
    }
    if let Some(a) = query.automated {
        filters.insert("is-automated".into(), vec![a.to_string()]);
    }
    let options = SearchImagesOptions {
        term: query.term.clone(),
        limit: query.limit.and_then(|l| i32::try_from(l).ok()),
        filters: (!filters.is_empty()).then_some(filters),
    };
    let found = tokio::time::timeout(SEARCH_TIMEOUT, docker.search_images(options))
        .await
        .map_err(|_| {
            format!(
                "the engine could not reach Docker Hub: no answer within {} s",
                SEARCH_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| hub_error(EngineError::from(e)))?;
    Ok(found
        .into_iter()
        .map(|i| SearchHit {
            name: i.name.unwrap_or_default(),
            description: i.description.unwrap_or_default(),
            stars: i
                .star_count
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0),
            official: i.is_official.unwrap_or(false),
            automated: i.is_automated.unwrap_or(false),
        })
        .collect())
}

/// Words a failed search: the usual cause is an engine without internet access.
fn hub_error(err: EngineError) -> String {
    match &err {
        EngineError::Api { message, .. } => {
            let m = message.to_ascii_lowercase();
            let network = [
                "dial tcp",
                "no such host",
                "i/o timeout",
                "connection refused",
                "timeout",
                "network is unreachable",
                "temporary failure",
                "server misbehaving",
            ];
            if network.iter().any(|n| m.contains(n)) {
                format!("the engine cannot reach Docker Hub ({message})")
            } else {
                format!("Docker Hub search failed: {message}")
            }
        }
        _ => format!("search failed: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_failures_say_the_hub_is_unreachable() {
        let e = EngineError::Api {
            status: 500,
            message: "Get \"https://index.docker.io/v1/search?q=x\": dial tcp: lookup index.docker.io: no such host".into(),
        };
        assert!(hub_error(e).starts_with("the engine cannot reach Docker Hub"));
        let e = EngineError::Api {
            status: 400,
            message: "invalid filter".into(),
        };
        assert_eq!(hub_error(e), "Docker Hub search failed: invalid filter");
    }

    #[test]
    fn requests_of_one_kind_share_a_slot() {
        let hub = RegistryEntry::docker_hub();
        assert_eq!(RegistryRequest::Catalog(hub.clone()).slot(), "browse");
        assert_eq!(
            RegistryRequest::Manifest {
                registry: hub,
                repository: "a".into(),
                tag: "1".into()
            }
            .slot(),
            "browse"
        );
        assert_eq!(
            RegistryRequest::Search(SearchQuery::default()).slot(),
            "search"
        );
    }
}
