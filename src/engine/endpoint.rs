//! Which engine to talk to, resolved the way the Docker CLI does it.
//!
//! Precedence: `--host`, then `--context`, then `DOCKER_HOST`, then the current Docker context
//! (`DOCKER_CONTEXT`, else `currentContext` in the CLI config). An explicit choice is the only candidate: like the CLI we never
//! silently talk to a different engine than the one asked for. With no explicit choice we try the default
//! socket, then Podman's rootless and rootful sockets.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// TLS material for a `tcp://` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA certificate.
    pub ca: PathBuf,
    /// Client certificate.
    pub cert: PathBuf,
    /// Client key.
    pub key: PathBuf,
}

/// One endpoint to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Where it came from, for messages.
    pub source: String,
    /// `unix:///…`, `tcp://…`, `http://…`, `https://…` or `ssh://…`.
    pub host: String,
    /// TLS files when the endpoint needs TLS.
    pub tls: Option<TlsFiles>,
}

/// The inputs of resolution, gathered from the process environment (or given by tests).
#[derive(Debug, Clone, Default)]
pub struct ResolveInput {
    /// The `--host` flag.
    pub flag: Option<String>,
    /// The `--context` flag.
    pub context_flag: Option<String>,
    /// `DOCKER_HOST`.
    pub docker_host: Option<String>,
    /// `DOCKER_CONTEXT`.
    pub docker_context: Option<String>,
    /// `DOCKER_TLS_VERIFY` is set to a non-empty value.
    pub tls_verify: bool,
    /// `DOCKER_CERT_PATH`.
    pub cert_path: Option<PathBuf>,
    /// The CLI config dir: `DOCKER_CONFIG` or `~/.docker`.
    pub config_dir: Option<PathBuf>,
    /// `XDG_RUNTIME_DIR`.
    pub xdg_runtime_dir: Option<PathBuf>,
}

impl ResolveInput {
    /// Reads the inputs from the environment.
    pub fn from_env(flag: Option<String>) -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        ResolveInput {
            flag,
            context_flag: CONTEXT_FLAG.get().cloned(),
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            tls_verify: var("DOCKER_TLS_VERIFY").is_some(),
            cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            config_dir: var("DOCKER_CONFIG")
                .map(PathBuf::from)
                .or_else(|| dirs::home_dir().map(|h| h.join(".docker"))),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR").map(PathBuf::from),
        }
    }
}

static CONTEXT_FLAG: OnceLock<String> = OnceLock::new();

/// Records the `--context` flag for every later [`ResolveInput::from_env`] in this process (the
/// app, exec sessions and `dockhand analyze` all resolve through it). Only the first call counts.
pub fn set_context_flag(name: String) {
    let _ = CONTEXT_FLAG.set(name);
}

/// The default Docker socket.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// Resolves the ordered list of endpoints to try. Errors describe a broken explicit choice
/// (e.g. a context that does not exist), which is reported instead of guessing.
pub fn resolve(input: &ResolveInput) -> Result<Vec<Endpoint>, String> {
    if let Some(host) = &input.flag {
        return Ok(vec![with_env_tls("--host", host, input)]);
    }
    if let Some(name) = &input.context_flag {
        return context_endpoints(input, name, "--context");
    }
    if let Some(host) = &input.docker_host {
        return Ok(vec![with_env_tls("DOCKER_HOST", host, input)]);
    }
    let context = match &input.docker_context {
        Some(c) => Some((c.clone(), "DOCKER_CONTEXT")),
        None => current_context(input.config_dir.as_deref()).map(|c| (c, "config.json")),
    };
    match context {
        Some((name, from)) if name != "default" => context_endpoints(input, &name, from),
        _ => {
            let mut list = default_endpoints(input);
            if let Some(why) = ignored_config(input) {
                for e in &mut list {
                    e.source = format!("{} ({why})", e.source);
                }
            }
            Ok(list)
        }
    }
}

/// The endpoints of the context called `name` (`default` is the CLI's own: `DOCKER_HOST`, else
/// the default socket and Podman's).
pub fn context_endpoints(
    input: &ResolveInput,
    name: &str,
    from: &str,
) -> Result<Vec<Endpoint>, String> {
    if name == "default" {
        return Ok(match &input.docker_host {
            Some(host) => vec![with_env_tls("DOCKER_HOST", host, input)],
            None => default_endpoints(input),
        });
    }
    let dir = input
        .config_dir
        .as_deref()
        .ok_or_else(|| format!("context {name:?} is set but there is no Docker config dir"))?;
    context_endpoint(dir, name)
        .map(|e| vec![e])
        .map_err(|e| format!("context {name:?} (from {from}): {e}"))
}

/// With no explicit choice: the default socket, then Podman's rootless and rootful sockets.
fn default_endpoints(input: &ResolveInput) -> Vec<Endpoint> {
    let mut out = vec![Endpoint {
        source: "default socket".into(),
        host: DEFAULT_SOCKET.into(),
        tls: None,
    }];
    if let Some(run) = &input.xdg_runtime_dir {
        out.push(Endpoint {
            source: "Podman (rootless)".into(),
            host: format!("unix://{}", run.join("podman/podman.sock").display()),
            tls: None,
        });
    }
    out.push(Endpoint {
        source: "Podman (rootful)".into(),
        host: "unix:///run/podman/podman.sock".into(),
        tls: None,
    });
    out
}

pub(super) fn with_env_tls(source: &str, host: &str, input: &ResolveInput) -> Endpoint {
    let host = normalize_host(host);
    let tls = if input.tls_verify && host.starts_with("tcp://") {
        let dir = input
            .cert_path
            .clone()
            .or_else(|| input.config_dir.clone())
            .unwrap_or_default();
        Some(tls_in(&dir))
    } else {
        None
    };
    Endpoint {
        source: source.into(),
        host,
        tls,
    }
}

/// A bare socket path is taken as `unix://`.
pub(super) fn normalize_host(host: &str) -> String {
    if host.starts_with('/') {
        format!("unix://{host}")
    } else {
        host.to_string()
    }
}

pub(super) fn tls_in(dir: &Path) -> TlsFiles {
    TlsFiles {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }
}

pub(super) fn current_context(config_dir: Option<&Path>) -> Option<String> {
    read_current_context(config_dir).ok().flatten()
}

/// `currentContext` of `config.json`: `Ok(None)` when there is no file or no such key; an error
/// says why the file could not be used.
fn read_current_context(config_dir: Option<&Path>) -> Result<Option<String>, String> {
    let Some(dir) = config_dir else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not valid JSON ({e})", path.display()))?;
    Ok(v.get("currentContext")
        .and_then(|c| c.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string))
}

/// When resolution fell back to the default socket because `config.json` could not be read or
/// parsed (so a context it may name was not used): what was ignored and why, for the status bar.
pub fn ignored_config(input: &ResolveInput) -> Option<String> {
    if input.flag.is_some()
        || input.context_flag.is_some()
        || input.docker_host.is_some()
        || input.docker_context.is_some()
    {
        return None;
    }
    read_current_context(input.config_dir.as_deref())
        .err()
        .map(|why| format!("{why} — ignored, using the default engine socket"))
}

/// The directory name the Docker CLI stores a context under: hex SHA-256 of its name.
pub fn context_dir_name(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

fn context_endpoint(config_dir: &Path, name: &str) -> Result<Endpoint, String> {
    let meta = super::contexts::read_meta(config_dir, &context_dir_name(name))?;
    let host = meta.docker_host?;
    Ok(Endpoint {
        source: format!("context {name}"),
        host: normalize_host(&host),
        tls: meta.tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ResolveInput {
        ResolveInput::default()
    }

    #[test]
    fn flag_wins_over_everything() {
        let mut i = input();
        i.flag = Some("unix:///tmp/a.sock".into());
        i.docker_host = Some("tcp://1.2.3.4:2375".into());
        let e = resolve(&i).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].host, "unix:///tmp/a.sock");
        assert_eq!(e[0].source, "--host");
    }

    #[test]
    fn docker_host_then_tls_from_cert_path() {
        let mut i = input();
        i.docker_host = Some("tcp://127.0.0.1:2376".into());
        i.tls_verify = true;
        i.cert_path = Some("/certs".into());
        let e = resolve(&i).unwrap();
        assert_eq!(e[0].source, "DOCKER_HOST");
        assert_eq!(
            e[0].tls.as_ref().unwrap().ca,
            PathBuf::from("/certs/ca.pem")
        );
    }

    #[test]
    fn bare_path_is_a_unix_socket() {
        let mut i = input();
        i.docker_host = Some("/run/x.sock".into());
        assert_eq!(resolve(&i).unwrap()[0].host, "unix:///run/x.sock");
    }

    #[test]
    fn defaults_then_podman() {
        let mut i = input();
        i.xdg_runtime_dir = Some("/run/user/1000".into());
        let hosts: Vec<_> = resolve(&i).unwrap().into_iter().map(|e| e.host).collect();
        assert_eq!(
            hosts,
            vec![
                DEFAULT_SOCKET.to_string(),
                "unix:///run/user/1000/podman/podman.sock".to_string(),
                "unix:///run/podman/podman.sock".to_string()
            ]
        );
    }

    fn write_context(dir: &Path, name: &str, host: &str) {
        let meta = dir.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
        )
        .unwrap();
    }

    #[test]
    fn a_broken_config_json_is_named_with_why_it_was_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            "{\"currentContext\": \"remote\",",
        )
        .unwrap();
        let mut i = input();
        i.config_dir = Some(dir.path().to_path_buf());
        let why = ignored_config(&i).expect("a warning");
        assert!(why.contains("config.json: not valid JSON"), "{why}");
        assert!(why.contains("default engine socket"), "{why}");
        let e = resolve(&i).unwrap();
        assert_eq!(e[0].host, DEFAULT_SOCKET);
        assert!(e[0].source.contains("not valid JSON"), "{}", e[0].source);
        // DOCKER_HOST makes the file irrelevant to the engine: no warning.
        i.docker_host = Some("unix:///x.sock".into());
        assert_eq!(ignored_config(&i), None);
        // A directory where the file should be.
        let dir2 = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir2.path().join("config.json")).unwrap();
        let mut i = input();
        i.config_dir = Some(dir2.path().to_path_buf());
        assert!(ignored_config(&i).is_some());
        // A good file without currentContext: nothing to say.
        let dir3 = tempfile::tempdir().unwrap();
        std::fs::write(dir3.path().join("config.json"), "{}").unwrap();
        i.config_dir = Some(dir3.path().to_path_buf());
        assert_eq!(ignored_config(&i), None);
    }

    #[test]
    fn current_context_from_config_json() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "remote", "tcp://127.0.0.1:9999");
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext":"remote"}"#,
        )
        .unwrap();
        let mut i = input();
        i.config_dir = Some(dir.path().to_path_buf());
        let e = resolve(&i).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].host, "tcp://127.0.0.1:9999");
        assert_eq!(e[0].source, "context remote");
    }

    #[test]
    fn docker_context_env_beats_config_and_default_context_means_socket() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "a", "unix:///a.sock");
        std::fs::write(dir.path().join("config.json"), r#"{"currentContext":"a"}"#).unwrap();
        let mut i = input();
        i.config_dir = Some(dir.path().to_path_buf());
        i.docker_context = Some("default".into());
        assert_eq!(resolve(&i).unwrap()[0].host, DEFAULT_SOCKET);
    }

    #[test]
    fn context_flag_beats_docker_host_and_default_context_is_docker_host() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "far", "ssh://me@far.example:2222");
        let mut i = input();
        i.config_dir = Some(dir.path().to_path_buf());
        i.docker_host = Some("tcp://127.0.0.1:2375".into());
        i.context_flag = Some("far".into());
        let e = resolve(&i).unwrap();
        assert_eq!(e[0].host, "ssh://me@far.example:2222");
        assert_eq!(e[0].source, "context far");
        i.context_flag = Some("default".into());
        assert_eq!(resolve(&i).unwrap()[0].host, "tcp://127.0.0.1:2375");
        i.context_flag = Some("nope".into());
        assert!(resolve(&i).unwrap_err().contains("--context"));
    }

    #[test]
    fn missing_context_is_an_error_not_a_guess() {
        let dir = tempfile::tempdir().unwrap();
        let mut i = input();
        i.config_dir = Some(dir.path().to_path_buf());
        i.docker_context = Some("nope".into());
        let err = resolve(&i).unwrap_err();
        assert!(err.contains("context \"nope\""), "{err}");
    }

    #[test]
    fn context_dir_is_sha256_of_name() {
        assert_eq!(
            context_dir_name("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }
}
