//! The registries to browse: `$XDG_CONFIG_HOME/dockhand/registries.toml` plus Docker Hub.
//!
//! ```toml
//! [[registry]]
//! name = "local"
//! url = "127.0.0.1:5000"
//!
//! [[registry]]
//! name = "lab"
//! url = "lab.internal:5000"
//! insecure = true   # plain HTTP (or unchecked TLS with an explicit https:// URL)
//! ```
//!
//! Docker Hub is always listed first, whether or not the file mentions it.

use std::path::{Path, PathBuf};

use super::client::{ClientOptions, endpoint};
use super::credentials::auth_key;

/// Name shown for Docker Hub.
pub const DOCKER_HUB_NAME: &str = "Docker Hub";

/// Errors reading or writing the registries file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// OS error.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path} is not a valid registries file: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Parser message (with line and column).
        message: String,
    },
    /// The file could not be saved (see [`crate::fsio::save_as`]).
    #[error("cannot save the registries file: {0}")]
    Save(#[from] crate::fsio::FsError),
    /// An entry has an unusable address.
    #[error("{path}: registry {name:?} has an unusable url: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Entry name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// One registry to browse.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct RegistryEntry {
    /// Display name.
    pub name: String,
    /// Address: `host[:port]` or an `http(s)://` URL.
    pub url: String,
    /// Plain HTTP / unchecked TLS.
    #[serde(default)]
    pub insecure: bool,
}

impl RegistryEntry {
    /// The Docker Hub entry.
    pub fn docker_hub() -> Self {
        Self {
            name: DOCKER_HUB_NAME.to_string(),
            url: "docker.io".to_string(),
            insecure: false,
        }
    }

    /// True when this entry is Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        auth_key(&self.url) == super::credentials::DOCKER_HUB_AUTH_KEY
    }

    /// Client options for this entry (credentials still to be filled in by the caller).
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            insecure: self.insecure,
            ..ClientOptions::default()
        }
    }
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
struct FileShape {
    #[serde(default, rename = "registry")]
    registries: Vec<RegistryEntry>,
}

/// The list of registries, Docker Hub first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistriesConfig {
    registries: Vec<RegistryEntry>,
}

impl Default for RegistriesConfig {
    fn default() -> Self {
        Self {
            registries: vec![RegistryEntry::docker_hub()],
        }
    }
}

/// `$XDG_CONFIG_HOME/dockhand/registries.toml` (else `~/.config/dockhand/registries.toml`).
pub fn default_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => dirs::home_dir()?.join(".config"),
    };
    Some(base.join("dockhand").join("registries.toml"))
}

impl RegistriesConfig {
    /// Loads [`default_path`]; missing file or no home: just Docker Hub.
    pub fn load_default() -> Result<Self, ConfigError> {
        match default_path() {
            Some(p) => Self::load(&p),
            None => Ok(Self::default()),
        }
    }

    /// Loads a file; a missing file gives just Docker Hub.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses the TOML text (`path` is only used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let shape: FileShape = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().to_string(),
        })?;
        let mut config = Self::default();
        for entry in shape.registries {
            if let Err(e) = endpoint(&entry.url, entry.insecure) {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    name: entry.name,
                    reason: e.to_string(),
                });
            }
            config.add(entry);
        }
        Ok(config)
    }

    /// The registries, Docker Hub first.
    pub fn registries(&self) -> &[RegistryEntry] {
        &self.registries
    }

    /// Adds (or replaces, by address) a registry, e.g. from the prompt. Docker Hub stays first.
    pub fn add(&mut self, entry: RegistryEntry) {
        let key = auth_key(&entry.url);
        if let Some(existing) = self.registries.iter_mut().find(|e| auth_key(&e.url) == key) {
            if entry.is_docker_hub() {
                existing.name = entry.name;
            } else {
                *existing = entry;
            }
        } else {
            self.registries.push(entry);
        }
    }

    /// True when the registry at `host` is marked insecure.
    pub fn is_insecure(&self, host: &str) -> bool {
        let key = auth_key(host);
        self.registries
            .iter()
            .any(|e| e.insecure && auth_key(&e.url) == key)
    }

    /// Writes the file (Docker Hub is implicit and not written unless renamed).
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let shape = FileShape {
            registries: self
                .registries
                .iter()
                .filter(|e| **e != RegistryEntry::docker_hub())
                .cloned()
                .collect(),
        };
        let text = toml::to_string(&shape).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // Atomic and never through a planted temp-file link; a symlinked file (dotfiles kept
        // in a repository) is written through, its mode and owner kept.
        let policy = crate::fsio::SavePolicy {
            follow_symlink: true,
            overwrite: true,
            create_dirs: true,
            override_read_only: false,
        };
        crate::fsio::save_as(path, &text, policy)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_is_always_first() {
        let c = RegistriesConfig::parse("", Path::new("r.toml")).unwrap();
        assert_eq!(c.registries(), &[RegistryEntry::docker_hub()]);
        let text = r#"
            [[registry]]
            name = "local"
            url = "127.0.0.1:5000"

            [[registry]]
            name = "lab"
            url = "lab.internal:5000"
            insecure = true

            [[registry]]
            name = "hub mirror name"
            url = "index.docker.io"
        "#;
        let c = RegistriesConfig::parse(text, Path::new("r.toml")).unwrap();
        let names: Vec<_> = c.registries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["hub mirror name", "local", "lab"]);
        assert!(c.registries()[0].is_docker_hub());
        assert_eq!(c.registries()[0].url, "docker.io");
        assert!(c.is_insecure("lab.internal:5000"));
        assert!(c.is_insecure("http://lab.internal:5000/"));
        assert!(!c.is_insecure("127.0.0.1:5000"));
        assert!(c.registries()[2].client_options().insecure);
    }

    #[test]
    fn errors_name_the_file_and_entry() {
        let err = RegistriesConfig::parse("[[registry]]\nname = 1", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("r.toml") && err.contains("line"), "{err}");
        let err = RegistriesConfig::parse(
            "[[registry]]\nname = \"bad\"\nurl = \"ftp://x\"",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("\"bad\"") && err.contains("ftp"), "{err}");
    }

    #[test]
    fn add_replaces_by_address_and_save_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/registries.toml");
        let mut c = RegistriesConfig::load(&path).unwrap();
        assert_eq!(c, RegistriesConfig::default());
        c.add(RegistryEntry {
            name: "a".into(),
            url: "h:1".into(),
            insecure: false,
        });
        c.add(RegistryEntry {
            name: "b".into(),
            url: "http://h:1/".into(),
            insecure: true,
        });
        assert_eq!(c.registries().len(), 2);
        assert_eq!(c.registries()[1].name, "b");
        c.save(&path).unwrap();
        let back = RegistriesConfig::load(&path).unwrap();
        assert_eq!(back, c);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("docker.io"), "{text}");
    }

    #[test]
    fn save_is_atomic_keeps_the_mode_and_writes_through_a_symlinked_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/registries.toml");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("registries.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut c = RegistriesConfig::default();
        c.add(RegistryEntry {
            name: "a".into(),
            url: "h:1".into(),
            insecure: false,
        });
        c.save(&link).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(RegistriesConfig::load(&real).unwrap(), c);
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = std::fs::read_dir(real.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file left");
    }
}
