//! The engine task's share for containers: replaceable streams (logs, stats, inspect, networks)
//! and container jobs. The worker delegates to these functions.
use std::collections::HashMap;

use bollard::Docker;
use tokio::task::AbortHandle;

use super::container_run::{self, RunSpec};
use super::containers;
use super::types::{JobKind, JobOutcome};
use super::{Command, EngineError, EngineEvent, JobCtx, Sink, container_streams};

/// Whether the command is a container stream/request handled by [`ContainerTasks`].
pub(super) fn is_stream(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::FollowLogs { .. }
            | Command::WatchStats { .. }
            | Command::InspectContainer { .. }
            | Command::ListNetworks
    )
}

/// The job kind of a container job command.
pub(super) fn job_kind(cmd: &Command) -> Option<JobKind> {
    match cmd {
        Command::ContainerAction { targets, op } => Some(JobKind::Containers {
            verb: op.verb(),
            names: targets.iter().map(|(_, n)| n.clone()).collect(),
        }),
        Command::PruneContainers => Some(JobKind::PruneContainers),
        Command::RunContainer(spec) => Some(JobKind::Run {
            image: spec.image.clone(),
            name: spec.name.clone(),
        }),
        _ => None,
    }
}

/// Runs a container job.
pub(super) async fn run_job(
    docker: &Docker,
    cmd: Command,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    match cmd {
        Command::ContainerAction { targets, op } => {
            containers::apply_all(docker, &targets, &op, job)
                .await
                .map(JobOutcome::Done)
        }
        Command::PruneContainers => containers::prune(docker, None)
            .await
            .map(JobOutcome::Pruned),
        Command::RunContainer(spec) => {
            let spec: RunSpec = *spec;
            container_run::run(docker, &spec)
                .await
                .map(|(id, name)| JobOutcome::Created { id, name })
        }
        _ => Err(EngineError::Invalid("not a job".into())),
    }
}

/// Answers a stream request while disconnected.
pub(super) fn reject(cmd: Command, sink: &Sink) {
    match cmd {
        Command::FollowLogs { id: Some(id) } => sink(EngineEvent::LogsEnded {
            id,
            result: Err(EngineError::NotConnected),
        }),
        Command::InspectContainer { id } => sink(EngineEvent::ContainerInspect {
            id,
            result: Err(EngineError::NotConnected),
        }),
        Command::ListNetworks => sink(EngineEvent::Networks(Err(EngineError::NotConnected))),
        _ => {}
    }
}

/// Running container streams; each is replaced by a newer request and aborted when not wanted.
#[derive(Default)]
pub(super) struct ContainerTasks {
    logs: Option<AbortHandle>,
    stats: HashMap<String, AbortHandle>,
    inspect: Option<AbortHandle>,
}

impl ContainerTasks {
    /// Starts, replaces or stops a stream.
    pub(super) fn handle(&mut self, docker: &Docker, sink: &Sink, cmd: Command) {
        match cmd {
            Command::FollowLogs { id } => {
                if let Some(old) = self.logs.take() {
                    old.abort();
                }
                let Some(id) = id else { return };
                let (docker, sink) = (docker.clone(), sink.clone());
                let task = tokio::spawn(async move {
                    let emit = |lines| {
                        sink(EngineEvent::Logs {
                            id: id.clone(),
                            lines,
                        })
                    };
                    let result = container_streams::follow_logs(&docker, &id, emit).await;
                    sink(EngineEvent::LogsEnded { id, result });
                });
                self.logs = Some(task.abort_handle());
            }
            Command::WatchStats { ids } => {
                self.stats.retain(|id, task| {
                    let keep = ids.contains(id);
                    if !keep {
                        task.abort();
                    }
                    keep
                });
                for id in ids {
                    if self.stats.get(&id).is_some_and(|t| !t.is_finished()) {
                        continue;
                    }
                    let (docker, sink) = (docker.clone(), sink.clone());
                    let key = id.clone();
                    let task = tokio::spawn(async move {
                        let emit = |sample| {
                            sink(EngineEvent::Stats {
                                id: id.clone(),
                                sample,
                            })
                        };
                        let _ = container_streams::stream_stats(&docker, &id, emit).await;
                    });
                    self.stats.insert(key, task.abort_handle());
                }
            }
            Command::InspectContainer { id } => {
                if let Some(old) = self.inspect.take() {
                    old.abort();
                }
                let (docker, sink) = (docker.clone(), sink.clone());
                let task = tokio::spawn(async move {
                    let result = containers::inspect(&docker, &id).await.map(Box::new);
                    sink(EngineEvent::ContainerInspect { id, result });
                });
                self.inspect = Some(task.abort_handle());
            }
            Command::ListNetworks => {
                let (docker, sink) = (docker.clone(), sink.clone());
                tokio::spawn(async move {
                    sink(EngineEvent::Networks(containers::networks(&docker).await));
                });
            }
            _ => {}
        }
    }

    /// Ends every stream (connection lost or quitting).
    pub(super) fn abort_all(&mut self) {
        for task in self
            .logs
            .take()
            .into_iter()
            .chain(self.inspect.take())
            .chain(self.stats.drain().map(|(_, t)| t))
        {
            task.abort();
        }
    }
}
