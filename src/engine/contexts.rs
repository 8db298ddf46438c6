//! Docker CLI contexts: every context stored under `$DOCKER_CONFIG/contexts`, listed as
//! `docker context ls` lists them (the `default` context included, the current one marked).
use std::path::Path;

use super::endpoint::{
    DEFAULT_SOCKET, Endpoint, ResolveInput, TlsFiles, context_dir_name, current_context,
    normalize_host, tls_in,
};

/// What the CLI says of the `default` context.
pub const DEFAULT_DESCRIPTION: &str = "Current DOCKER_HOST based configuration";

/// One context, as a row of `docker context ls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextInfo {
    /// Its name.
    pub name: String,
    /// `Metadata.Description`.
    pub description: String,
    /// The docker endpoint's host (empty when it has none).
    pub docker_endpoint: String,
    /// TLS material stored with the context (`contexts/tls/<id>/docker/`).
    pub tls: Option<TlsFiles>,
    /// The context in use (`--context`, `DOCKER_CONTEXT`, `currentContext`; `default` when
    /// `--host` or `DOCKER_HOST` decide).
    pub current: bool,
    /// Why it cannot be used, when it cannot.
    pub error: Option<String>,
}

impl ContextInfo {
    /// The endpoint to connect to, when the context has a usable one.
    pub fn endpoint(&self) -> Option<Endpoint> {
        (self.error.is_none() && !self.docker_endpoint.is_empty()).then(|| Endpoint {
            source: format!("context {}", self.name),
            host: self.docker_endpoint.clone(),
            tls: self.tls.clone(),
        })
    }
}

/// A context's `meta.json`, read.
#[derive(Debug, Clone)]
pub(super) struct Meta {
    pub name: Option<String>,
    pub description: String,
    /// The docker endpoint's host, or why there is none.
    pub docker_host: Result<String, String>,
    pub tls: Option<TlsFiles>,
}

/// Reads `contexts/meta/<id>/meta.json` and the TLS files beside it.
pub(super) fn read_meta(config_dir: &Path, id: &str) -> Result<Meta, String> {
    let path = config_dir.join("contexts/meta").join(id).join("meta.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
    let name = v.get("Name").and_then(|n| n.as_str()).map(str::to_string);
    let description = v
        .pointer("/Metadata/Description")
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_string();
    let docker_host = match v.pointer("/Endpoints/docker") {
        None => Err("cannot find docker endpoint in context".to_string()),
        Some(docker) => docker
            .get("Host")
            .and_then(|h| h.as_str())
            .map(normalize_host)
            .ok_or_else(|| format!("{} has no docker Host", path.display())),
    };
    let tls_dir = config_dir.join("contexts/tls").join(id).join("docker");
    let tls = tls_dir.join("ca.pem").exists().then(|| tls_in(&tls_dir));
    Ok(Meta {
        name,
        description,
        docker_host,
        tls,
    })
}

/// The name of the context in use, as the CLI decides it.
pub fn current_name(input: &ResolveInput) -> String {
    if let Some(name) = &input.context_flag {
        return name.clone();
    }
    if input.flag.is_some() || input.docker_host.is_some() {
        return "default".into();
    }
    input
        .docker_context
        .clone()
        .or_else(|| current_context(input.config_dir.as_deref()))
        .unwrap_or_else(|| "default".into())
}

/// Every context, sorted by name like `docker context ls`, the `default` one among them.
/// A context whose `meta.json` cannot be read is listed (by its directory) with the reason.
pub fn list(input: &ResolveInput) -> Vec<ContextInfo> {
    let current = current_name(input);
    let default_host = input
        .flag
        .clone()
        .or_else(|| input.docker_host.clone())
        .map(|h| normalize_host(&h))
        .unwrap_or_else(|| DEFAULT_SOCKET.to_string());
    let mut out = vec![ContextInfo {
        name: "default".into(),
        description: DEFAULT_DESCRIPTION.into(),
        docker_endpoint: default_host,
        tls: None,
        current: current == "default",
        error: None,
    }];
    if let Some(dir) = &input.config_dir {
        for id in meta_dirs(dir) {
            out.push(stored(dir, &id, &current));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn meta_dirs(config_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(config_dir.join("contexts/meta")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().join("meta.json").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect()
}

fn stored(config_dir: &Path, id: &str, current: &str) -> ContextInfo {
    match read_meta(config_dir, id) {
        Ok(meta) => {
            let name = meta.name.unwrap_or_else(|| id.to_string());
            let error = match (&meta.docker_host, context_dir_name(&name) == id) {
                (Err(e), _) => Some(e.clone()),
                (Ok(_), false) => Some(format!("stored under {id}, not under its name's digest")),
                (Ok(_), true) => None,
            };
            ContextInfo {
                current: name == current,
                docker_endpoint: meta.docker_host.unwrap_or_default(),
                name,
                description: meta.description,
                tls: meta.tls,
                error,
            }
        }
        Err(e) => ContextInfo {
            name: id.to_string(),
            description: String::new(),
            docker_endpoint: String::new(),
            tls: None,
            current: false,
            error: Some(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, json: &str) {
        let meta = dir.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(meta.join("meta.json"), json).unwrap();
    }

    #[test]
    fn lists_like_docker_context_ls() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "remote",
            r#"{"Name":"remote","Metadata":{"Description":"far away"},"Endpoints":{"docker":{"Host":"ssh://me@far","SkipTLSVerify":false}}}"#,
        );
        write(
            dir.path(),
            "broken",
            r#"{"Name":"broken","Metadata":{},"Endpoints":{}}"#,
        );
        let input = ResolveInput {
            config_dir: Some(dir.path().to_path_buf()),
            docker_context: Some("remote".into()),
            ..Default::default()
        };
        let list = list(&input);
        let names: Vec<_> = list.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["broken", "default", "remote"]);
        assert_eq!(
            list[0].error.as_deref(),
            Some("cannot find docker endpoint in context")
        );
        assert!(list[0].endpoint().is_none());
        assert_eq!(list[1].docker_endpoint, DEFAULT_SOCKET);
        assert!(!list[1].current);
        assert!(list[2].current);
        assert_eq!(list[2].description, "far away");
        assert_eq!(list[2].endpoint().unwrap().host, "ssh://me@far");
    }

    #[test]
    fn docker_host_makes_default_current() {
        let input = ResolveInput {
            docker_host: Some("tcp://127.0.0.1:2375".into()),
            docker_context: Some("remote".into()),
            ..Default::default()
        };
        let list = list(&input);
        assert_eq!(list.len(), 1);
        assert!(list[0].current);
        assert_eq!(list[0].docker_endpoint, "tcp://127.0.0.1:2375");
    }

    #[test]
    fn unreadable_meta_is_listed_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "bad", "{bad");
        let input = ResolveInput {
            config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let list = list(&input);
        let bad = list.iter().find(|c| c.name != "default").unwrap();
        assert!(bad.error.as_deref().unwrap().contains("not valid JSON"));
        assert!(list.iter().any(|c| c.name == "default" && c.current));
    }
}
