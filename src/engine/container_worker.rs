//! The engine task's share for containers: replaceable streams (logs, stats, inspect, networks)
//! and container jobs. The worker delegates to these functions.

use super::latest::Latest;
use bollard::Docker;

use super::container_run::{self, RunSpec};
use super::containers;
use super::types::{JobKind, JobOutcome};
use super::{Command, EngineError, EngineEvent, JobCtx, Sink, container_streams};

/// Whether the command is a container stream/request handled by [`ContainerTasks`].
pub(super) fn is_stream(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::FollowLogs { .. }
            | Command::ResumeLogs { .. }
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
        Command::FollowLogs { id: Some(id) } | Command::ResumeLogs { id, .. } => {
            sink(EngineEvent::LogsEnded {
                id,
                result: Err(EngineError::NotConnected),
            })
        }
        Command::InspectContainer { id } => sink(EngineEvent::ContainerInspect {
            id,
            result: Err(EngineError::NotConnected),
        }),
        Command::ListNetworks => sink(EngineEvent::Networks(Err(EngineError::NotConnected))),
        _ => {}
    }
}

/// A container stream, the key under which a newer request replaces an older one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Stream {
    /// The followed log.
    Logs,
    /// The inspect answer.
    Inspect,
    /// Stats of one container.
    Stats(String),
}

/// Running container streams; each is replaced by a newer request and aborted when not wanted.
#[derive(Default)]
pub(super) struct ContainerTasks {
    tasks: Latest<Stream>,
    /// The container whose log is followed (its end is reported when the connection goes).
    logs: Option<String>,
}

/// A followed log that ended without an error, while the engine no longer answers, ended because
/// the connection went (not because the container stopped).
async fn log_end(docker: &Docker, result: Result<(), EngineError>) -> Result<(), EngineError> {
    result?;
    let answered = tokio::time::timeout(std::time::Duration::from_secs(2), docker.ping()).await;
    match answered {
        Ok(Ok(_)) => Ok(()),
        _ => Err(EngineError::Connection(
            "the engine stopped answering while the log was followed".into(),
        )),
    }
}

impl ContainerTasks {
    /// Starts, replaces or stops a stream.
    pub(super) fn handle(&mut self, docker: &Docker, sink: &Sink, cmd: Command) {
        let (docker, sink) = (docker.clone(), sink.clone());
        match cmd {
            Command::FollowLogs { id: None } => {
                self.logs = None;
                self.tasks.stop(&Stream::Logs)
            }
            Command::FollowLogs { id: Some(id) } => self.follow(docker, sink, id, None),
            Command::ResumeLogs { id, after } => self.follow(docker, sink, id, Some(after)),
            Command::WatchStats { ids } => {
                self.tasks
                    .retain(|k| !matches!(k, Stream::Stats(id) if !ids.contains(id)));
                for id in ids {
                    let key = Stream::Stats(id.clone());
                    if self.tasks.is_running(&key) {
                        continue;
                    }
                    let (docker, sink) = (docker.clone(), sink.clone());
                    self.tasks.spawn(key, async move {
                        let emit = |sample| {
                            sink(EngineEvent::Stats {
                                id: id.clone(),
                                sample,
                            })
                        };
                        let _ = container_streams::stream_stats(&docker, &id, emit).await;
                    });
                }
            }
            Command::InspectContainer { id } => self.tasks.spawn(Stream::Inspect, async move {
                let result = containers::inspect(&docker, &id).await.map(Box::new);
                sink(EngineEvent::ContainerInspect { id, result });
            }),
            Command::ListNetworks => {
                tokio::spawn(async move {
                    sink(EngineEvent::Networks(containers::networks(&docker).await));
                });
            }
            _ => {}
        }
    }

    /// Follows the log of `id` (from after the timestamp `after` when resuming).
    fn follow(&mut self, docker: Docker, sink: Sink, id: String, after: Option<String>) {
        self.logs = Some(id.clone());
        self.tasks.spawn(Stream::Logs, async move {
            let emit = |lines| {
                sink(EngineEvent::Logs {
                    id: id.clone(),
                    lines,
                })
            };
            let result =
                container_streams::follow_logs_after(&docker, &id, after.as_deref(), emit).await;
            let result = log_end(&docker, result).await;
            sink(EngineEvent::LogsEnded { id, result });
        });
    }

    /// Ends every stream (connection lost or quitting); a followed log still running is
    /// reported ended with `reason`, so that no view keeps "following" a stream that is gone.
    pub(super) fn abort_all(&mut self, sink: &Sink, reason: &str) {
        let followed = self.logs.take();
        if let Some(id) = followed
            && self.tasks.is_running(&Stream::Logs)
        {
            self.tasks.abort_all();
            sink(EngineEvent::LogsEnded {
                id,
                result: Err(EngineError::Connection(reason.to_string())),
            });
            return;
        }
        self.tasks.abort_all();
    }
}
