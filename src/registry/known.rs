//! Registries known without being added by hand: the engine's trusted (insecure) registries and
//! mirrors, and the hosts of the Docker config's `auths` and `credHelpers`. Pure merging.

use super::RegistryEntry;
use super::credentials::{DockerConfig, auth_key, convert_to_hostname};

/// Where a known registry was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// The registries file (added by hand).
    File,
    /// The engine's index configs (e.g. `--insecure-registry host:port`).
    Engine,
    /// An engine registry mirror.
    Mirror,
    /// The Docker config's `auths`.
    Auths,
    /// The Docker config's `credHelpers`.
    CredHelper,
}

impl Origin {
    /// Short label shown beside the registry.
    pub fn label(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::Engine => "engine",
            Origin::Mirror => "mirror",
            Origin::Auths => "login",
            Origin::CredHelper => "helper",
        }
    }
}

/// One registry host found outside the registries file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRegistry {
    /// `host[:port]` (or a mirror's URL).
    pub url: String,
    /// The engine talks to it over plain HTTP / unchecked TLS.
    pub insecure: bool,
    /// Where it was found.
    pub origin: Origin,
}

/// The engine's registry settings (`/info` `RegistryConfig`), as plain data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineRegistries {
    /// `IndexConfigs`: name and whether it is secure.
    pub index: Vec<(String, bool)>,
    /// Mirror URLs (top level and per index).
    pub mirrors: Vec<String>,
    /// `InsecureRegistryCIDRs`: address ranges trusted over plain HTTP.
    pub insecure_cidrs: Vec<String>,
}

/// Everything found: registries, trusted address ranges, and why the engine part is missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KnownRegistries {
    /// Registries, in the order found (engine first, then the Docker config).
    pub registries: Vec<KnownRegistry>,
    /// Address ranges the engine trusts over plain HTTP.
    pub insecure_cidrs: Vec<String>,
    /// Why the engine's settings could not be read.
    pub engine_error: Option<String>,
}

impl KnownRegistries {
    /// Collects the engine's settings and the Docker config's hosts.
    pub fn collect(engine: Result<EngineRegistries, String>, docker: &DockerConfig) -> Self {
        let mut out = KnownRegistries::default();
        match engine {
            Ok(e) => {
                let insecure_hosts: Vec<String> = e
                    .index
                    .iter()
                    .filter(|(_, secure)| !secure)
                    .map(|(name, _)| auth_key(name))
                    .collect();
                for (name, secure) in &e.index {
                    out.registries.push(KnownRegistry {
                        url: name.clone(),
                        insecure: !secure,
                        origin: Origin::Engine,
                    });
                }
                for m in &e.mirrors {
                    let insecure =
                        m.starts_with("http://") || insecure_hosts.contains(&auth_key(m));
                    out.registries.push(KnownRegistry {
                        url: m.trim_end_matches('/').to_string(),
                        insecure,
                        origin: Origin::Mirror,
                    });
                }
                out.insecure_cidrs = e.insecure_cidrs;
            }
            Err(e) => out.engine_error = Some(e),
        }
        let from_config = docker
            .registries()
            .into_iter()
            .map(|k| (k, Origin::Auths))
            .chain(
                docker
                    .cred_helpers()
                    .into_keys()
                    .map(|k| (k, Origin::CredHelper)),
            );
        for (key, origin) in from_config {
            let insecure = key.starts_with("http://");
            out.registries.push(KnownRegistry {
                url: convert_to_hostname(&key).to_string(),
                insecure,
                origin,
            });
        }
        out
    }
}

/// The registries list with `known` merged in: one row per registry (compared by the key
/// Docker stores logins under), each with every origin it was found in. Rows already listed
/// keep their place and settings; new ones are appended in the order found.
pub fn merge(
    listed: &[(RegistryEntry, Vec<Origin>)],
    known: &[KnownRegistry],
) -> Vec<(RegistryEntry, Vec<Origin>)> {
    let mut out = listed.to_vec();
    for k in known {
        if k.url.trim().is_empty() {
            continue;
        }
        let key = auth_key(&k.url);
        match out.iter_mut().find(|(e, _)| auth_key(&e.url) == key) {
            Some((e, origins)) => {
                let found_only = !origins.is_empty() && !origins.contains(&Origin::File);
                if found_only {
                    e.insecure |= k.insecure;
                }
                if !origins.contains(&k.origin) {
                    origins.push(k.origin);
                    origins.sort();
                }
            }
            None => out.push((
                RegistryEntry {
                    name: convert_to_hostname(&k.url).to_string(),
                    url: k.url.clone(),
                    insecure: k.insecure,
                },
                vec![k.origin],
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> (tempfile::TempDir, DockerConfig) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, text).unwrap();
        let cfg = DockerConfig::load(path).unwrap();
        (dir, cfg)
    }

    #[test]
    fn engine_and_docker_config_merge_into_one_row_per_registry() {
        let (_d, docker) = config(
            r#"{"auths": {"https://index.docker.io/v1/": {}, "127.0.0.1:5000": {},
                "https://ghcr.io": {}}, "credHelpers": {"ghcr.io": "gh", "ecr.example:443": "ecr"}}"#,
        );
        let engine = EngineRegistries {
            index: vec![("docker.io".into(), true), ("127.0.0.1:5000".into(), false)],
            mirrors: vec!["https://mirror.example/".into()],
            insecure_cidrs: vec!["127.0.0.0/8".into()],
        };
        let known = KnownRegistries::collect(Ok(engine), &docker);
        assert_eq!(known.insecure_cidrs, vec!["127.0.0.0/8".to_string()]);
        let file = RegistryEntry {
            name: "mine".into(),
            url: "https://ghcr.io/".into(),
            insecure: false,
        };
        let listed = vec![
            (RegistryEntry::docker_hub(), vec![]),
            (file.clone(), vec![Origin::File]),
        ];
        let merged = merge(&listed, &known.registries);
        let rows: Vec<(&str, &str, bool, Vec<Origin>)> = merged
            .iter()
            .map(|(e, o)| (e.name.as_str(), e.url.as_str(), e.insecure, o.clone()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "Docker Hub",
                    "docker.io",
                    false,
                    vec![Origin::Engine, Origin::Auths]
                ),
                (
                    "mine",
                    "https://ghcr.io/",
                    false,
                    vec![Origin::File, Origin::Auths, Origin::CredHelper]
                ),
                (
                    "127.0.0.1:5000",
                    "127.0.0.1:5000",
                    true,
                    vec![Origin::Engine, Origin::Auths]
                ),
                (
                    "mirror.example",
                    "https://mirror.example",
                    false,
                    vec![Origin::Mirror]
                ),
                (
                    "ecr.example:443",
                    "ecr.example:443",
                    false,
                    vec![Origin::CredHelper]
                ),
            ]
        );
        assert_eq!(
            merge(&merged, &known.registries),
            merged,
            "merging twice adds nothing"
        );
    }

    #[test]
    fn an_engine_error_keeps_the_docker_config_hosts() {
        let (_d, docker) = config(r#"{"auths": {"lab:5000": {}}}"#);
        let known = KnownRegistries::collect(Err("not connected".into()), &docker);
        assert_eq!(known.engine_error.as_deref(), Some("not connected"));
        assert_eq!(
            known.registries,
            vec![KnownRegistry {
                url: "lab:5000".into(),
                insecure: false,
                origin: Origin::Auths
            }]
        );
    }
}
