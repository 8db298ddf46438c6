//! Container operations against the engine: listing details, lifecycle jobs, prune, inspect.
//!
//! Streams (logs, stats) live in [`super::container_streams`]; creating containers from a run
//! spec lives in [`super::container_run`].
use bollard::Docker;
use bollard::models::ContainerSummary;
use bollard::query_parameters::{
    InspectContainerOptions, KillContainerOptionsBuilder, RemoveContainerOptionsBuilder,
    RenameContainerOptionsBuilder, RestartContainerOptionsBuilder, StartContainerOptions,
    StopContainerOptionsBuilder,
};

use super::error::EngineError;
use super::types::{ContainerInfo, ContainerState, ContainerTimes, PortBinding, PruneReport};

/// A lifecycle operation applied to one or more containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerOp {
    /// Start a created or stopped container.
    Start,
    /// Stop gracefully: SIGTERM, then SIGKILL after `timeout` seconds.
    Stop {
        /// Seconds to wait before killing.
        timeout: u32,
    },
    /// Stop (with the same grace period) and start again.
    Restart {
        /// Seconds to wait before killing.
        timeout: u32,
    },
    /// Freeze every process (cgroup freezer).
    Pause,
    /// Thaw a paused container.
    Unpause,
    /// Send a signal (default SIGKILL).
    Kill {
        /// Signal name, e.g. `SIGKILL`, `SIGTERM`, `SIGHUP`.
        signal: String,
    },
    /// Remove; `force` kills a running container first.
    Remove {
        /// Remove even when running.
        force: bool,
    },
    /// Give the container a new name.
    Rename {
        /// The new name.
        name: String,
    },
}

impl ContainerOp {
    /// The verb for job titles and messages.
    pub fn verb(&self) -> String {
        match self {
            ContainerOp::Start => "start".into(),
            ContainerOp::Stop { timeout } => format!("stop (grace {timeout}s)"),
            ContainerOp::Restart { timeout } => format!("restart (grace {timeout}s)"),
            ContainerOp::Pause => "pause".into(),
            ContainerOp::Unpause => "unpause".into(),
            ContainerOp::Kill { signal } => format!("kill -{signal}"),
            ContainerOp::Remove { force: true } => "force-remove".into(),
            ContainerOp::Remove { force: false } => "remove".into(),
            ContainerOp::Rename { name } => format!("rename → {name}"),
        }
    }
}

/// Signals offered by the kill dialog, most useful first.
pub const SIGNALS: &[&str] = &[
    "SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2",
];

/// Parses the exit code out of a status like `Exited (137) 3 minutes ago`.
pub fn exit_code_from_status(status: &str) -> Option<i64> {
    let rest = status.strip_prefix("Exited (")?;
    let end = rest.find(')')?;
    rest[..end].trim().parse().ok()
}

/// Converts one listing entry.
pub fn container_from_summary(c: ContainerSummary) -> ContainerInfo {
    let status = c.status.unwrap_or_default();
    let mut ports: Vec<PortBinding> = c
        .ports
        .unwrap_or_default()
        .into_iter()
        .map(|p| PortBinding {
            host_ip: p.ip.unwrap_or_default(),
            host_port: p.public_port,
            container_port: p.private_port,
            proto: p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into()),
        })
        .collect();
    ports.sort_by(|a, b| {
        (a.container_port, &a.proto, &a.host_ip).cmp(&(b.container_port, &b.proto, &b.host_ip))
    });
    ports.dedup();
    ContainerInfo {
        id: c.id.unwrap_or_default(),
        name: c
            .names
            .and_then(|n| n.into_iter().next())
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default(),
        image: c.image.unwrap_or_default(),
        image_id: c.image_id.unwrap_or_default(),
        state: c.state.map_or(ContainerState::Other(String::new()), |s| {
            ContainerState::from(s.to_string().as_str())
        }),
        exit_code: exit_code_from_status(&status),
        status,
        command: c.command.unwrap_or_default(),
        created: c.created.unwrap_or(0),
        ports,
        times: None,
    }
}

/// An RFC 3339 engine timestamp as unix seconds; the zero time (`0001-01-01…`) is None.
fn unix_secs(text: Option<&str>) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(text?)
        .ok()?
        .timestamp();
    (t > 0).then_some(t)
}

/// Reads what STATUS is derived from (start and finish times, health, exit code).
pub async fn times(docker: &Docker, id: &str) -> Result<ContainerTimes, EngineError> {
    let c = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| named(id, e))?;
    let st = c.state.unwrap_or_default();
    let health = st
        .health
        .and_then(|h| h.status)
        .map(|h| h.to_string())
        .filter(|h| !h.is_empty() && h != "none")
        .map(|h| match h.as_str() {
            "starting" => "health: starting".to_string(),
            _ => h,
        });
    Ok(ContainerTimes {
        started: unix_secs(st.started_at.as_deref()),
        finished: unix_secs(st.finished_at.as_deref()),
        health,
        exit_code: st.exit_code.unwrap_or(0),
    })
}

/// Adds each container's [`ContainerTimes`] (eight inspections at a time); a container that
/// cannot be inspected (removed meanwhile) keeps the engine's status text.
pub async fn with_times(docker: &Docker, mut list: Vec<ContainerInfo>) -> Vec<ContainerInfo> {
    use futures::StreamExt;
    let ids: Vec<String> = list.iter().map(|c| c.id.clone()).collect();
    let found: Vec<Option<ContainerTimes>> = futures::stream::iter(ids)
        .map(|id| async move { times(docker, &id).await.ok() })
        .buffered(8)
        .collect()
        .await;
    for (c, t) in list.iter_mut().zip(found) {
        c.times = t;
    }
    list
}

fn named(target: &str, e: bollard::errors::Error) -> EngineError {
    match EngineError::from(e) {
        EngineError::Api { status, message } => EngineError::Api {
            status,
            message: format!("{target}: {message}"),
        },
        other => other,
    }
}

fn secs(t: u32) -> i32 {
    i32::try_from(t).unwrap_or(i32::MAX)
}

/// Applies `op` to one container (ID or name).
pub async fn apply(docker: &Docker, target: &str, op: &ContainerOp) -> Result<(), EngineError> {
    let r = match op {
        ContainerOp::Start => {
            docker
                .start_container(target, None::<StartContainerOptions>)
                .await
        }
        ContainerOp::Stop { timeout } => {
            let o = StopContainerOptionsBuilder::default()
                .t(secs(*timeout))
                .build();
            docker.stop_container(target, Some(o)).await
        }
        ContainerOp::Restart { timeout } => {
            let o = RestartContainerOptionsBuilder::default()
                .t(secs(*timeout))
                .build();
            docker.restart_container(target, Some(o)).await
        }
        ContainerOp::Pause => docker.pause_container(target).await,
        ContainerOp::Unpause => docker.unpause_container(target).await,
        ContainerOp::Kill { signal } => {
            let o = KillContainerOptionsBuilder::default()
                .signal(signal)
                .build();
            docker.kill_container(target, Some(o)).await
        }
        ContainerOp::Remove { force } => {
            let o = RemoveContainerOptionsBuilder::default()
                .force(*force)
                .build();
            docker.remove_container(target, Some(o)).await
        }
        ContainerOp::Rename { name } => {
            let o = RenameContainerOptionsBuilder::default().name(name).build();
            docker.rename_container(target, o).await
        }
    };
    r.map_err(|e| named(target, e))
}

/// Applies `op` to each target in turn; the first failure stops the job and names its target.
pub async fn apply_all(
    docker: &Docker,
    targets: &[(String, String)],
    op: &ContainerOp,
    job: &super::JobCtx,
) -> Result<String, EngineError> {
    for (i, (id, name)) in targets.iter().enumerate() {
        apply(docker, id, op).await?;
        job.progress(super::Progress::Log(format!("{}: {name}", op.verb())));
        job.progress(super::Progress::Bytes {
            done: i as u64 + 1,
            total: targets.len() as u64,
        });
    }
    let names: Vec<&str> = targets.iter().map(|(_, n)| n.as_str()).collect();
    Ok(format!("{}: {}", op.verb(), names.join(", ")))
}

/// Prunes stopped containers (only those carrying `label` when given, `key` or `key=value`) and
/// reports what went and how many bytes were reclaimed.
pub async fn prune(docker: &Docker, label: Option<&str>) -> Result<PruneReport, EngineError> {
    let mut filters = std::collections::HashMap::new();
    if let Some(l) = label {
        filters.insert("label", vec![l]);
    }
    let opts = bollard::query_parameters::PruneContainersOptionsBuilder::default()
        .filters(&filters)
        .build();
    let res = docker.prune_containers(Some(opts)).await?;
    let ids = res.containers_deleted.unwrap_or_default();
    Ok(PruneReport {
        deleted: ids
            .iter()
            .map(|id| format!("deleted container {id}"))
            .collect(),
        reclaimed: u64::try_from(res.space_reclaimed.unwrap_or(0)).unwrap_or(0),
        build_cache_reclaimed: None,
        removed: super::types::Removed {
            containers: ids,
            ..Default::default()
        },
    })
}

/// A container's configuration and runtime facts for the inspect view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerDetails {
    /// Full ID.
    pub id: String,
    /// Name without the slash.
    pub name: String,
    /// Image reference as configured.
    pub image: String,
    /// Creation time (RFC 3339).
    pub created: String,
    /// Entrypoint.
    pub entrypoint: Vec<String>,
    /// Command.
    pub cmd: Vec<String>,
    /// `KEY=value` environment.
    pub env: Vec<String>,
    /// Working directory.
    pub working_dir: String,
    /// User.
    pub user: String,
    /// Whether a TTY is allocated.
    pub tty: bool,
    /// Restart policy name (and max retries when set).
    pub restart_policy: String,
    /// Auto-remove (`--rm`).
    pub auto_remove: bool,
    /// Network mode.
    pub network_mode: String,
    /// Networks joined, with IP addresses when known.
    pub networks: Vec<(String, String)>,
    /// Published ports `host_ip:host_port->container_port/proto`.
    pub port_bindings: Vec<String>,
    /// Mounts: `type source -> destination (rw|ro)`.
    pub mounts: Vec<String>,
    /// Labels, sorted.
    pub labels: Vec<(String, String)>,
    /// State text, e.g. `running`, with PID / exit code.
    pub state: String,
    /// Health status and the last probe output when a healthcheck exists.
    pub health: Option<String>,
}

/// Inspects a container.
pub async fn inspect(docker: &Docker, id: &str) -> Result<ContainerDetails, EngineError> {
    let c = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| named(id, e))?;
    let config = c.config.unwrap_or_default();
    let host = c.host_config.unwrap_or_default();
    let st = c.state.unwrap_or_default();
    let mut labels: Vec<(String, String)> = config.labels.unwrap_or_default().into_iter().collect();
    labels.sort();
    let mut port_bindings: Vec<String> = host
        .port_bindings
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(port, binds)| {
            binds.unwrap_or_default().into_iter().map(move |b| {
                format!(
                    "{}:{}->{port}",
                    b.host_ip.unwrap_or_default(),
                    b.host_port.unwrap_or_default()
                )
            })
        })
        .collect();
    port_bindings.sort();
    let mut networks: Vec<(String, String)> = c
        .network_settings
        .and_then(|n| n.networks)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, ep)| (name, ep.ip_address.unwrap_or_default()))
        .collect();
    networks.sort();
    let mounts = c
        .mounts
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            format!(
                "{} {} -> {} ({})",
                m.typ.map(|t| t.to_string()).unwrap_or_default(),
                m.source.or(m.name).unwrap_or_default(),
                m.destination.unwrap_or_default(),
                if m.rw.unwrap_or(true) { "rw" } else { "ro" }
            )
        })
        .collect();
    let status = st.status.map(|s| s.to_string()).unwrap_or_default();
    let state = match (st.running, st.pid, st.exit_code) {
        (Some(true), Some(pid), _) => format!("{status} (pid {pid})"),
        (_, _, Some(code)) => format!("{status} (exit code {code})"),
        _ => status,
    };
    let health = st.health.map(|h| {
        let last = h
            .log
            .unwrap_or_default()
            .pop()
            .and_then(|l| l.output)
            .unwrap_or_default();
        let status = h.status.map(|s| s.to_string()).unwrap_or_default();
        format!(
            "{status} (failing streak {}) {}",
            h.failing_streak.unwrap_or(0),
            last.trim()
        )
    });
    let policy = host.restart_policy.unwrap_or_default();
    let mut restart_policy = policy.name.map(|n| n.to_string()).unwrap_or_default();
    if let Some(n) = policy.maximum_retry_count.filter(|n| *n > 0) {
        restart_policy = format!("{restart_policy}:{n}");
    }
    Ok(ContainerDetails {
        id: c.id.unwrap_or_default(),
        name: c.name.unwrap_or_default().trim_start_matches('/').into(),
        image: config.image.unwrap_or_default(),
        created: c.created.map(|d| d.to_string()).unwrap_or_default(),
        entrypoint: config.entrypoint.unwrap_or_default(),
        cmd: config.cmd.unwrap_or_default(),
        env: config.env.unwrap_or_default(),
        working_dir: config.working_dir.unwrap_or_default(),
        user: config.user.unwrap_or_default(),
        tty: config.tty.unwrap_or(false),
        restart_policy,
        auto_remove: host.auto_remove.unwrap_or(false),
        network_mode: host.network_mode.unwrap_or_default(),
        networks,
        port_bindings,
        mounts,
        labels,
        state,
        health,
    })
}

/// Names of the engine's networks (for validating the run dialog).
pub async fn networks(docker: &Docker) -> Result<Vec<String>, EngineError> {
    let list = docker
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await?;
    let mut names: Vec<String> = list.into_iter().filter_map(|n| n.name).collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_come_from_the_status_text() {
        assert_eq!(
            exit_code_from_status("Exited (137) 3 minutes ago"),
            Some(137)
        );
        assert_eq!(
            exit_code_from_status("Exited (0) Less than a second ago"),
            Some(0)
        );
        assert_eq!(exit_code_from_status("Up 3 minutes"), None);
        assert_eq!(exit_code_from_status("Exited (x)"), None);
    }

    #[test]
    fn verbs_name_the_operation() {
        assert_eq!(ContainerOp::Stop { timeout: 10 }.verb(), "stop (grace 10s)");
        assert_eq!(
            ContainerOp::Kill {
                signal: "SIGHUP".into()
            }
            .verb(),
            "kill -SIGHUP"
        );
    }
}
