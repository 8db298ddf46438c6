//! Which engines the app runs: every Docker context as `docker context ls` lists it (the
//! `default` one is the `--host` / `DOCKER_HOST` endpoint, else the default socket with Podman's
//! as fallbacks), then every Podman socket found on this machine. The context in use is the one
//! shown first; one that is asked for but broken is still an engine, failing with its reason,
//! so dockhand never silently shows another engine than the one asked for.
use std::path::PathBuf;

use super::contexts;
use super::endpoint::{Endpoint, ResolveInput, context_endpoints, with_env_tls};
use super::set::{EngineId, EngineSet};

/// One line of the engines list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its engine (`None`: a context with no usable endpoint, not in use).
    pub id: Option<EngineId>,
    /// Context name, or what found the socket.
    pub name: String,
    /// The context's description.
    pub description: String,
    /// The docker endpoint.
    pub endpoint: String,
    /// The context in use.
    pub current: bool,
    /// Why it cannot be used.
    pub error: Option<String>,
}

/// What the app should run, before any engine is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The line to show.
    pub listed: Listed,
    /// The endpoints its engine tries in order, or why it has none.
    pub endpoints: Result<Vec<Endpoint>, String>,
}

/// Podman's sockets that exist here: rootless (`$XDG_RUNTIME_DIR/podman/podman.sock`), rootful.
pub fn podman_sockets(input: &ResolveInput) -> Vec<Endpoint> {
    let mut candidates: Vec<(&str, PathBuf)> = Vec::new();
    if let Some(run) = &input.xdg_runtime_dir {
        candidates.push(("podman (rootless)", run.join("podman/podman.sock")));
    }
    candidates.push(("podman (rootful)", PathBuf::from("/run/podman/podman.sock")));
    candidates
        .into_iter()
        .filter(|(_, path)| path.exists())
        .map(|(name, path)| Endpoint {
            source: name.to_string(),
            host: format!("unix://{}", path.display()),
            tls: None,
        })
        .collect()
}

/// The engines to run, in list order: contexts by name, then Podman sockets.
pub fn plan(input: &ResolveInput) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut current_found = false;
    let wanted = contexts::current_name(input);
    for ctx in contexts::list(input) {
        current_found |= ctx.current;
        let endpoints = if ctx.name == "default" {
            match &input.flag {
                Some(host) => Ok(vec![with_env_tls("--host", host, input)]),
                None => context_endpoints(input, "default", "default context"),
            }
        } else {
            match (ctx.endpoint(), &ctx.error) {
                (Some(e), _) => Ok(vec![e]),
                (None, Some(why)) => Err(why.clone()),
                (None, None) => Err("no docker endpoint".to_string()),
            }
        };
        out.push(Planned {
            listed: Listed {
                id: None,
                name: ctx.name.clone(),
                description: ctx.description.clone(),
                endpoint: ctx.docker_endpoint.clone(),
                current: ctx.current,
                error: endpoints.as_ref().err().cloned(),
            },
            endpoints,
        });
    }
    if !current_found {
        // Asked for (by --context or DOCKER_CONTEXT) but not stored.
        let why = format!("context {wanted:?} does not exist");
        out.push(Planned {
            listed: Listed {
                id: None,
                name: wanted,
                description: String::new(),
                endpoint: String::new(),
                current: true,
                error: Some(why.clone()),
            },
            endpoints: Err(why),
        });
    }
    for socket in podman_sockets(input) {
        out.push(Planned {
            listed: Listed {
                id: None,
                name: socket.source.clone(),
                description: String::new(),
                endpoint: socket.host.clone(),
                current: false,
                error: None,
            },
            endpoints: Ok(vec![socket]),
        });
    }
    out
}

/// Starts the planned engines in `set` (the context in use becomes the active one) and returns
/// the list with each line's engine.
pub fn start(set: &mut EngineSet, planned: Vec<Planned>) -> Vec<Listed> {
    let mut out = Vec::new();
    for Planned {
        mut listed,
        endpoints,
    } in planned
    {
        listed.id = match endpoints {
            Ok(list) => Some(set.add(listed.name.clone(), list)),
            Err(why) if listed.current => Some(set.add_unusable(listed.name.clone(), why)),
            Err(_) => None,
        };
        if listed.current
            && let Some(id) = listed.id
        {
            set.select(id);
        }
        out.push(listed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::endpoint::context_dir_name;

    fn write(dir: &std::path::Path, name: &str, host: &str) {
        let meta = dir.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&meta).unwrap();
        let json = format!(
            r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}"}}}}}}"#
        );
        std::fs::write(meta.join("meta.json"), json).unwrap();
    }

    #[test]
    fn every_context_then_podman_and_the_host_flag_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "far", "ssh://me@far:2222");
        std::fs::create_dir_all(dir.path().join("run/podman")).unwrap();
        std::fs::write(dir.path().join("run/podman/podman.sock"), "").unwrap();
        let input = ResolveInput {
            flag: Some("tcp://127.0.0.1:2375".into()),
            config_dir: Some(dir.path().to_path_buf()),
            xdg_runtime_dir: Some(dir.path().join("run")),
            ..Default::default()
        };
        let plan = plan(&input);
        let names: Vec<_> = plan.iter().map(|p| p.listed.name.as_str()).collect();
        assert_eq!(names, ["default", "far", "podman (rootless)"]);
        assert!(plan[0].listed.current, "--host makes default current");
        assert_eq!(
            plan[0].endpoints.as_ref().unwrap()[0].host,
            "tcp://127.0.0.1:2375"
        );
        assert_eq!(plan[0].listed.endpoint, "tcp://127.0.0.1:2375");
        assert_eq!(
            plan[1].endpoints.as_ref().unwrap()[0].host,
            "ssh://me@far:2222"
        );
        assert!(
            plan[2].endpoints.as_ref().unwrap()[0]
                .host
                .ends_with("run/podman/podman.sock")
        );
    }

    #[test]
    fn a_missing_context_asked_for_is_listed_current_and_failing() {
        let dir = tempfile::tempdir().unwrap();
        let input = ResolveInput {
            docker_context: Some("nope".into()),
            config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let plan = plan(&input);
        let nope = plan.iter().find(|p| p.listed.name == "nope").unwrap();
        assert!(nope.listed.current);
        assert!(
            nope.endpoints
                .as_ref()
                .unwrap_err()
                .contains("does not exist")
        );
        assert!(
            !plan
                .iter()
                .any(|p| p.listed.name == "default" && p.listed.current)
        );
    }
}
