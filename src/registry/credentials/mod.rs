//! Docker CLI credentials: `config.json` (`auths`, `credsStore`, `credHelpers`) and the
//! credential-helper protocol, with lookup and storage following the Docker CLI's rules.
//!
//! - The file is `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
//! - Docker Hub is stored under the key [`DOCKER_HUB_AUTH_KEY`]; other registries under their
//!   `host[:port]`. Lookups also match keys written as URLs (`https://host/v2/`).
//! - A helper is used when `credHelpers[host]` or `credsStore` is set; the file then only keeps an
//!   empty `auths` entry for the registry, as the Docker CLI does.
//! - Saving rewrites the file atomically (temporary file in the same directory, then rename),
//!   keeps the existing mode or creates it 0600, and preserves every other key.
//!
//! Secrets are held in [`Secret`] and never appear in `Debug` output or error messages.

pub mod helper;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::secret::Secret;

/// The key Docker uses for Docker Hub in `auths` and with helpers.
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";
/// Host names that all mean Docker Hub.
const HUB_HOSTS: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// Errors while reading, storing or erasing credentials. None of them carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// No `DOCKER_CONFIG` and no home directory.
    #[error("cannot locate the Docker config: set DOCKER_CONFIG or HOME")]
    NoConfigDir,
    /// Reading or writing the config file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done (`read`, `write`...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The config file is not a JSON object.
    #[error("{path} is not a valid Docker config: {reason}")]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong (position only, never content).
        reason: String,
    },
    /// An `auth` entry is not base64 of `user:password`.
    #[error("the saved login for {registry} in {path} is damaged ({reason}); log in again")]
    InvalidAuth {
        /// The registry key.
        registry: String,
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The configured credential helper program could not be started.
    #[error(
        "credential helper {program} could not be run ({reason}); is it installed and in PATH?"
    )]
    HelperMissing {
        /// The program name.
        program: String,
        /// The OS error.
        reason: String,
    },
    /// The credential helper failed.
    #[error("credential helper {program} {action} failed: {message}")]
    Helper {
        /// The program name.
        program: String,
        /// `get`, `store` or `erase`.
        action: String,
        /// What it said (failure output never holds the secret).
        message: String,
    },
}

/// A login for one registry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    /// The registry key these belong to (`https://index.docker.io/v1/` or `host[:port]`).
    pub server_address: String,
    /// User name (empty with an identity token).
    pub username: String,
    /// Password or personal access token.
    pub password: Option<Secret>,
    /// OAuth identity (refresh) token, used instead of a password when present.
    pub identity_token: Option<Secret>,
}

impl Credentials {
    /// User name and password for `registry` (any spelling; the key is normalised).
    pub fn basic(registry: &str, username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            server_address: auth_key(registry),
            username: username.into(),
            password: Some(password.into()),
            identity_token: None,
        }
    }

    /// For the engine's `X-Registry-Auth` header (pull, push).
    pub fn to_docker_credentials(&self) -> bollard::auth::DockerCredentials {
        bollard::auth::DockerCredentials {
            username: (!self.username.is_empty()).then(|| self.username.clone()),
            password: self.password.as_ref().map(|p| p.expose().to_string()),
            serveraddress: Some(self.server_address.clone()),
            identitytoken: self.identity_token.as_ref().map(|t| t.expose().to_string()),
            ..Default::default()
        }
    }

    /// True when there is nothing to authenticate with.
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.password.as_ref().is_none_or(Secret::is_empty)
            && self.identity_token.as_ref().is_none_or(Secret::is_empty)
    }
}

/// Docker's `ConvertToHostname`: strips `http://`/`https://` and anything after the first `/`.
pub fn convert_to_hostname(server: &str) -> &str {
    let s = server
        .strip_prefix("https://")
        .or_else(|| server.strip_prefix("http://"))
        .unwrap_or(server);
    s.split('/').next().unwrap_or(s)
}

/// The key Docker stores a registry's login under: [`DOCKER_HUB_AUTH_KEY`] for Docker Hub,
/// else `host[:port]`.
pub fn auth_key(registry: &str) -> String {
    let host = convert_to_hostname(registry);
    if HUB_HOSTS.contains(&host) {
        DOCKER_HUB_AUTH_KEY.to_string()
    } else {
        host.to_string()
    }
}

/// The Docker config directory: `$DOCKER_CONFIG`, else `~/.docker`.
pub fn config_dir() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::home_dir().map(|h| h.join(".docker")),
    }
}

/// The Docker CLI config file, kept as JSON so unknown keys survive a rewrite.
/// Its `Debug` output lists registries and helpers only, never the `auths` contents.
#[derive(Clone)]
pub struct DockerConfig {
    path: PathBuf,
    root: Map<String, Value>,
    /// Loaded leniently from a file that could not be read or parsed: never saved over it.
    damaged: bool,
}

impl std::fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerConfig")
            .field("path", &self.path)
            .field("registries", &self.registries())
            .field("creds_store", &self.creds_store())
            .field("cred_helpers", &self.cred_helpers())
            .finish_non_exhaustive()
    }
}

impl DockerConfig {
    /// Loads `config.json` from [`config_dir`]; a missing file is an empty config.
    pub fn load_default() -> Result<Self, CredentialsError> {
        let dir = config_dir().ok_or(CredentialsError::NoConfigDir)?;
        Self::load(dir.join("config.json"))
    }

    /// Loads the given file; a missing (or empty) file is an empty config.
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, CredentialsError> {
        let path = path.into();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(CredentialsError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        if text.trim().is_empty() {
            return Ok(Self {
                path,
                root: Map::new(),
                damaged: false,
            });
        }
        // Parse into a Value first: syntax errors report a position, never content.
        let value: Value = serde_json::from_str(&text).map_err(|e| CredentialsError::Parse {
            path: path.clone(),
            reason: format!("invalid JSON at line {} column {}", e.line(), e.column()),
        })?;
        let Value::Object(root) = value else {
            return Err(CredentialsError::Parse {
                path,
                reason: "the top level is not a JSON object".to_string(),
            });
        };
        Ok(Self {
            path,
            root,
            damaged: false,
        })
    }

    /// [`DockerConfig::load_default`] that never fails: see [`DockerConfig::load_lenient`].
    pub fn load_default_lenient() -> (Self, Vec<String>) {
        match config_dir() {
            Some(dir) => Self::load_lenient(dir.join("config.json")),
            None => (
                Self::damaged(PathBuf::from("config.json")),
                vec![format!(
                    "{} — saved logins ignored",
                    CredentialsError::NoConfigDir
                )],
            ),
        }
    }

    /// Loads `path` without failing: a file that cannot be read or parsed gives an empty
    /// config (anonymous access) and a warning, and that config refuses to be saved over the
    /// file; parts of the file with the wrong shape (`auths`, `credHelpers`, `credsStore`)
    /// are warnings too. Warnings never quote credentials.
    pub fn load_lenient(path: impl Into<PathBuf>) -> (Self, Vec<String>) {
        let path = path.into();
        match Self::load(&path) {
            Ok(config) => {
                let warnings = config.shape_warnings();
                (config, warnings)
            }
            Err(e) => (
                Self::damaged(path),
                vec![format!("{e} — saved logins ignored")],
            ),
        }
    }

    fn damaged(path: PathBuf) -> Self {
        Self {
            path,
            root: Map::new(),
            damaged: true,
        }
    }

    /// What in the file has a shape the Docker CLI would not use (and dockhand ignores).
    pub fn shape_warnings(&self) -> Vec<String> {
        let file = self.path.display();
        let mut out = Vec::new();
        let not = |key: &str, what: &str| format!("{file}: \"{key}\" is not {what}; ignored");
        match self.root.get("auths") {
            None | Some(Value::Object(_)) => {}
            Some(_) => out.push(not("auths", "an object")),
        }
        for (key, entry) in self.auths().into_iter().flatten() {
            if !entry.is_object() {
                out.push(not(&format!("auths.{key}"), "an object"));
            }
        }
        match self.root.get("credHelpers") {
            None => {}
            Some(Value::Object(m)) => {
                for (host, v) in m {
                    if !v.is_string() {
                        out.push(not(&format!("credHelpers.{host}"), "a helper name"));
                    }
                }
            }
            Some(_) => out.push(not("credHelpers", "an object")),
        }
        if self.root.get("credsStore").is_some_and(|v| !v.is_string()) {
            out.push(not("credsStore", "a helper name"));
        }
        out
    }

    /// The file this config was loaded from and is saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `credsStore`, the default helper.
    pub fn creds_store(&self) -> Option<&str> {
        self.root
            .get("credsStore")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `credHelpers`: helper per registry host.
    pub fn cred_helpers(&self) -> BTreeMap<String, String> {
        self.root
            .get("credHelpers")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The helper that holds `registry`'s login: `credHelpers[host]`, else `credsStore`.
    pub fn helper_for(&self, registry: &str) -> Option<String> {
        let key = auth_key(registry);
        let host = convert_to_hostname(&key);
        let helpers = self.cred_helpers();
        helpers
            .get(host)
            .or_else(|| helpers.get(&key))
            .cloned()
            .or_else(|| self.creds_store().map(str::to_string))
    }

    /// Registry keys present in `auths`.
    pub fn registries(&self) -> Vec<String> {
        self.auths()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn auths(&self) -> Option<&Map<String, Value>> {
        self.root.get("auths").and_then(Value::as_object)
    }

    /// The `auths` entry for `registry` (exact key first, then any key with the same host).
    fn auth_entry(&self, registry: &str) -> Option<(&String, &Map<String, Value>)> {
        let auths = self.auths()?;
        let key = auth_key(registry);
        auths
            .get_key_value(&key)
            .or_else(|| auths.iter().find(|(k, _)| auth_key(k) == key))
            .and_then(|(k, v)| Some((k, v.as_object()?)))
    }

    /// The login stored in the file's `auths` for `registry`, ignoring helpers.
    pub fn file_credentials(
        &self,
        registry: &str,
    ) -> Result<Option<Credentials>, CredentialsError> {
        let Some((key, entry)) = self.auth_entry(registry) else {
            return Ok(None);
        };
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (mut username, mut password) = (field("username"), field("password"));
        let auth = field("auth");
        if !auth.is_empty() {
            (username, password) =
                decode_auth(&auth).map_err(|reason| CredentialsError::InvalidAuth {
                    registry: key.clone(),
                    path: self.path.clone(),
                    reason,
                })?;
        }
        let token = field("identitytoken");
        let creds = Credentials {
            server_address: key.clone(),
            username,
            password: (!password.is_empty()).then(|| Secret::new(password)),
            identity_token: (!token.is_empty()).then(|| Secret::new(token)),
        };
        Ok((!creds.is_empty()).then_some(creds))
    }

    /// The login for `registry`, from its helper when one is configured, else from `auths`.
    pub async fn get(&self, registry: &str) -> Result<Option<Credentials>, CredentialsError> {
        match self.helper_for(registry) {
            Some(h) => helper::get(&h, &auth_key(registry)).await,
            None => self.file_credentials(registry),
        }
    }

    /// Stores a login the way `docker login` does and saves the file.
    pub async fn store(&mut self, creds: &Credentials) -> Result<(), CredentialsError> {
        let key = auth_key(&creds.server_address);
        let entry = match self.helper_for(&key) {
            Some(h) => {
                helper::store(&h, &key, creds).await?;
                Map::new()
            }
            None => {
                let mut entry = Map::new();
                let password = creds.password.as_ref().map_or("", Secret::expose);
                if !creds.username.is_empty() || !password.is_empty() {
                    let raw = format!("{}:{password}", creds.username);
                    entry.insert("auth".into(), Value::String(STANDARD.encode(raw)));
                }
                if let Some(token) = &creds.identity_token {
                    entry.insert(
                        "identitytoken".into(),
                        Value::String(token.expose().to_string()),
                    );
                }
                entry
            }
        };
        self.remove_entries(&key);
        let mut auths = match self.root.remove("auths") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        auths.insert(key, Value::Object(entry));
        self.root.insert("auths".into(), Value::Object(auths));
        self.save()
    }

    /// Forgets the login for `registry` (helper and file) and saves the file.
    pub async fn erase(&mut self, registry: &str) -> Result<(), CredentialsError> {
        let key = auth_key(registry);
        if let Some(h) = self.helper_for(&key) {
            helper::erase(&h, &key).await?;
        }
        self.remove_entries(&key);
        self.save()
    }

    fn remove_entries(&mut self, key: &str) {
        if let Some(auths) = self.root.get_mut("auths").and_then(Value::as_object_mut) {
            auths.retain(|k, _| auth_key(k) != key);
        }
    }

    /// Writes the file atomically: temp file in the same directory, fsync, rename. The existing
    /// file's mode is kept (a new file gets 0600); a symlinked config is written through the link.
    pub fn save(&self) -> Result<(), CredentialsError> {
        if self.damaged {
            return Err(CredentialsError::Parse {
                path: self.path.clone(),
                reason: "it could not be read, so it is not overwritten; fix or remove it first"
                    .into(),
            });
        }
        let target = fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let io = |action, path: &Path| {
            let path = path.to_path_buf();
            move |source| CredentialsError::Io {
                action,
                path,
                source,
            }
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        let mode = fs::metadata(&target)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o600);
        let mut text = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
        let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
        serde::Serialize::serialize(&self.root, &mut ser).map_err(|e| CredentialsError::Parse {
            path: target.clone(),
            reason: e.to_string(),
        })?;
        text.push(b'\n');
        let name = target.file_name().map_or_else(
            || "config.json".into(),
            |n| n.to_string_lossy().into_owned(),
        );
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&text)?;
            f.set_permissions(fs::Permissions::from_mode(mode))?;
            f.sync_all()?;
            fs::rename(&tmp, &target)
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io("write", &target)(e)
        })
    }
}

/// Decodes an `auth` field: base64 of `user:password`.
fn decode_auth(auth: &str) -> Result<(String, String), String> {
    let bytes = STANDARD
        .decode(auth.trim())
        .map_err(|_| "the auth field is not valid base64".to_string())?;
    let text =
        String::from_utf8(bytes).map_err(|_| "the auth field is not UTF-8 text".to_string())?;
    let Some((user, password)) = text.split_once(':') else {
        return Err("the auth field has no ':' between user and password".to_string());
    };
    Ok((user.to_string(), password.trim_matches('\0').to_string()))
}

#[cfg(test)]
mod tests;
