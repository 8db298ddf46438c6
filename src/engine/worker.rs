//! The engine task: connection lifecycle with backoff, the engine's event subscription, and jobs.
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bollard::Docker;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::latest::Latest;
use tokio::time::Instant;

use super::connect::{connect_any, connect_timeout};
use super::endpoint::Endpoint;
use super::types::{Attempt, Connection, EngineInfo, JobId, JobKind, JobOutcome};
use super::{Command, EngineError, EngineEvent, Sink, container_worker, disk_worker, images};

const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Engine events arrive in bursts (a prune deletes many images): wait this long for quiet.
const DEBOUNCE: Duration = Duration::from_millis(120);

/// How often a connected engine is pinged to tell a hung engine (SIGSTOP, a stuck daemon) from
/// an idle one.
const HEARTBEAT: Duration = Duration::from_secs(3);

/// Messages from the engine task's own helpers.
enum Internal {
    Changed,
    RefreshDone {
        connection_error: bool,
    },
    JobDone(JobId),
    StreamEnded,
    /// The heartbeat ping came back in time (or did not).
    Pinged {
        answered: bool,
    },
    /// The engine's full identity (`/version`) replacing the provisional one from `/_ping`.
    Identity(EngineInfo),
}

enum Exit {
    Quit,
    Lost(String),
}

pub(super) async fn run(
    endpoints: Result<Vec<Endpoint>, String>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    sink: Sink,
    builds: Option<super::BuildSink>,
) {
    let mut backoff = BACKOFF_START;
    // Shared by the connected and disconnected states: registry browsing works without an
    // engine, and a newer request (or a cancel) must stop an older one made in either state.
    let registry = super::registry::Requests::default();
    loop {
        sink(EngineEvent::Connection(Connection::Connecting));
        let attempt = match &endpoints {
            Ok(list) => connect_any(list).await,
            Err(e) => Err(vec![Attempt {
                source: "configuration".into(),
                endpoint: String::new(),
                error: e.clone(),
            }]),
        };
        let attempts = match attempt {
            Ok((docker, info)) => {
                backoff = BACKOFF_START;
                sink(EngineEvent::Connection(Connection::Connected(info.clone())));
                let _live = super::live::register(&info.endpoint, docker.clone());
                let timeout = connect_timeout(&Endpoint {
                    source: info.source.clone(),
                    host: info.endpoint.clone(),
                    tls: None,
                });
                let exit = connected(
                    docker,
                    info.clone(),
                    timeout,
                    &mut rx,
                    (&sink, &builds),
                    &registry,
                )
                .await;
                match exit {
                    Exit::Quit => return,
                    Exit::Lost(error) => vec![Attempt {
                        source: info.source,
                        endpoint: info.endpoint,
                        error: format!("connection lost: {error}"),
                    }],
                }
            }
            Err(attempts) => attempts,
        };
        sink(EngineEvent::Connection(Connection::Disconnected {
            attempts,
            retry_in: backoff,
        }));
        let deadline = tokio::time::sleep(backoff);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => break,
                cmd = rx.recv() => match cmd {
                    None => return,
                    Some(Command::Reconnect) => break,
                    Some(cmd) => reject(cmd, &sink, &registry),
                },
            }
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Asks the engine's `/version` for its full identity (name, version, architecture) to replace
/// the provisional one from `/_ping`, off the start-up path.
async fn complete_identity(docker: Docker, info: EngineInfo, itx: mpsc::UnboundedSender<Internal>) {
    if let Ok(version) = docker.version().await {
        let full = super::connect::info_from_version(
            &info.endpoint,
            &info.source,
            info.api_version,
            version,
        );
        let _ = itx.send(Internal::Identity(full));
    }
}

/// The heartbeat: whether the engine answers a ping within `deadline`.
async fn heartbeat(docker: Docker, deadline: Duration, itx: mpsc::UnboundedSender<Internal>) {
    let answered = matches!(
        tokio::time::timeout(deadline, docker.ping()).await,
        Ok(Ok(_))
    );
    let _ = itx.send(Internal::Pinged { answered });
}

/// Answers a command that arrived while no engine is connected.
fn reject(cmd: Command, sink: &Sink, registry: &super::registry::Requests) {
    match cmd {
        Command::Refresh | Command::Reconnect | Command::Cancel(_) => {}
        Command::Details { image_id } => sink(EngineEvent::Details {
            image_id,
            result: Err(EngineError::NotConnected),
        }),
        Command::PrunePreview { .. } => {
            sink(EngineEvent::PrunePlan(Err(EngineError::NotConnected)))
        }
        Command::Registry(request) => registry.start(None, request, sink.clone()),
        Command::CancelRegistryBrowse => registry.cancel_browse(),
        cmd if container_worker::is_stream(&cmd) => container_worker::reject(cmd, sink),
        Command::Disk(d) if disk_worker::job_kind(&d).is_none() => {
            if let Some(ev) = disk_worker::rejected(&d) {
                sink(EngineEvent::Disk(ev));
            }
        }
        Command::Offline(o) if super::offline::job_kind(&o).is_none() => {
            if let Some(ev) = super::offline::rejected(o) {
                sink(EngineEvent::Offline(ev));
            }
        }
        cmd => {
            if let Some(kind) = job_kind(&cmd) {
                let id = super::new_job_id();
                sink(EngineEvent::JobStarted { id, kind });
                sink(EngineEvent::JobFinished {
                    id,
                    result: Err(EngineError::NotConnected),
                });
            }
        }
    }
}

fn job_kind(cmd: &Command) -> Option<JobKind> {
    match cmd {
        Command::Tag { source, target } => Some(JobKind::Tag {
            source: source.clone(),
            target: target.clone(),
        }),
        Command::Remove { targets, .. } => Some(JobKind::Remove {
            targets: targets.clone(),
        }),
        Command::Prune { scope, .. } => Some(JobKind::Prune(*scope)),
        Command::AnalyzeImage { image } => Some(JobKind::Analyze {
            image: image.clone(),
        }),
        Command::Pull {
            reference,
            platform,
        } => Some(JobKind::Pull {
            reference: reference.clone(),
            platform: platform.clone(),
        }),
        Command::Push { reference } => Some(JobKind::Push {
            reference: reference.clone(),
        }),
        Command::Build(req) | Command::BuildWith { request: req, .. } => Some(JobKind::Build {
            dockerfile: req.dockerfile.display().to_string(),
            tag: req.tags.first().cloned(),
        }),
        Command::Disk(d) => disk_worker::job_kind(d).map(JobKind::Disk),
        Command::Offline(o) => super::offline::job_kind(o).map(JobKind::Offline),
        cmd => container_worker::job_kind(cmd),
    }
}

/// Watches the engine's event stream and reports changes that affect the inventory.
async fn watch_events(docker: Docker, itx: mpsc::UnboundedSender<Internal>) {
    let mut filters = HashMap::new();
    filters.insert("type", vec!["image", "container"]);
    let opts = bollard::query_parameters::EventsOptionsBuilder::default()
        .filters(&filters)
        .build();
    let mut stream = docker.events(Some(opts));
    while let Some(item) = stream.next().await {
        match item {
            Ok(ev) => {
                let action = ev.action.unwrap_or_default();
                if affects_inventory(&action) && itx.send(Internal::Changed).is_err() {
                    return;
                }
            }
            Err(_) => break,
        }
    }
    let _ = itx.send(Internal::StreamEnded);
}

/// Whether an engine event action changes what the panes list.
fn affects_inventory(action: &str) -> bool {
    let noisy = [
        "exec_create",
        "exec_start",
        "exec_die",
        "exec_detach",
        "attach",
        "resize",
        "top",
        "export",
        "save",
        "copy",
        "archive-path",
        "extract-to-dir",
    ];
    !(noisy.contains(&action) || action.starts_with("exec_") || action.starts_with("health_status"))
}

/// The queries whose newest request wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Query {
    /// An image's inspect and history.
    Details,
    /// What a prune would remove.
    PrunePlan,
}

/// A running job: its task, and whether its end was reported (by the task itself, or by a
/// cancel or a lost connection; never twice).
struct RunningJob {
    task: AbortHandle,
    reported: Arc<AtomicBool>,
}

impl RunningJob {
    /// Stops the task and reports `error` as its end, unless it already reported one.
    fn end(self, sink: &Sink, id: JobId, error: EngineError) {
        self.task.abort();
        if !self.reported.swap(true, Ordering::SeqCst) {
            sink(EngineEvent::JobFinished {
                id,
                result: Err(error),
            });
        }
    }
}

struct Connected<'a> {
    docker: Docker,
    sink: &'a Sink,
    builds: Option<super::BuildSink>,
    itx: mpsc::UnboundedSender<Internal>,
    jobs: HashMap<JobId, RunningJob>,
    /// Image details and the prune preview: a newer request replaces an older one.
    queries: Latest<Query>,
    /// The running image analysis, replaced by a newer one.
    analysis: Option<JobId>,
    containers: container_worker::ContainerTasks,
    disk: disk_worker::DiskTasks,
    refreshing: bool,
    refresh_pending: bool,
    endpoint: String,
    /// How long a liveness ping may take.
    timeout: Duration,
    registry: super::registry::Requests,
}

impl Connected<'_> {
    fn refresh(&mut self) {
        if self.refreshing {
            self.refresh_pending = true;
            return;
        }
        self.refreshing = true;
        let (docker, sink, itx) = (self.docker.clone(), self.sink.clone(), self.itx.clone());
        tokio::spawn(async move {
            let result = images::inventory(&docker).await;
            let connection_error = matches!(&result, Err(e) if e.is_connection());
            sink(EngineEvent::Inventory(result));
            let _ = itx.send(Internal::RefreshDone { connection_error });
        });
    }

    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Refresh | Command::Reconnect => self.refresh(),
            Command::Details { image_id } => {
                let (docker, sink) = (self.docker.clone(), self.sink.clone());
                self.queries.spawn(Query::Details, async move {
                    let result = images::details(&docker, &image_id).await.map(Box::new);
                    sink(EngineEvent::Details { image_id, result });
                });
            }
            Command::PrunePreview { scope, build_cache } => {
                let (docker, sink) = (self.docker.clone(), self.sink.clone());
                self.queries.spawn(Query::PrunePlan, async move {
                    let result = images::prune_plan(&docker, scope, build_cache).await;
                    sink(EngineEvent::PrunePlan(result));
                });
            }
            Command::CancelRegistryBrowse => self.registry.cancel_browse(),
            Command::Registry(request) => {
                self.registry
                    .start(Some(self.docker.clone()), request, self.sink.clone());
            }
            cmd if container_worker::is_stream(&cmd) => {
                self.containers.handle(&self.docker, self.sink, cmd)
            }
            Command::Disk(d) if disk_worker::job_kind(&d).is_none() => {
                self.disk.start(&self.docker, &self.endpoint, self.sink, d)
            }
            Command::Offline(o) if super::offline::job_kind(&o).is_none() => {
                let (docker, sink) = (self.docker.clone(), self.sink.clone());
                tokio::spawn(async move { super::offline::request(&docker, &sink, o).await });
            }
            Command::Cancel(id) => {
                if let Some(job) = self.jobs.remove(&id) {
                    job.end(self.sink, id, EngineError::Cancelled);
                }
            }
            cmd => {
                let Some(kind) = job_kind(&cmd) else { return };
                let id = super::new_job_id();
                if matches!(cmd, Command::AnalyzeImage { .. })
                    && let Some(old) = self.analysis.replace(id)
                {
                    self.handle(Command::Cancel(old));
                }
                (self.sink)(EngineEvent::JobStarted { id, kind });
                let (docker, sink, itx) =
                    (self.docker.clone(), self.sink.clone(), self.itx.clone());
                let endpoint = self.endpoint.clone();
                let reported = Arc::new(AtomicBool::new(false));
                let once = reported.clone();
                let builds = self.builds.clone();
                let task = tokio::spawn(async move {
                    let job = super::JobCtx::new(id, sink.clone()).with_builds(builds);
                    let result = run_job(&docker, &endpoint, cmd, &job).await;
                    if !once.swap(true, Ordering::SeqCst) {
                        sink(EngineEvent::JobFinished { id, result });
                    }
                    let _ = itx.send(Internal::JobDone(id));
                });
                let task = task.abort_handle();
                self.jobs.insert(id, RunningJob { task, reported });
            }
        }
    }

    /// Ends every running task; running jobs are reported as failed so nothing stays "running".
    fn abort_all(&mut self, reason: &str) {
        for (id, job) in self.jobs.drain() {
            job.end(self.sink, id, EngineError::Connection(reason.to_string()));
        }
        self.containers.abort_all(self.sink, reason);
        self.queries.abort_all();
        self.disk.abort_all();
        self.registry.abort_all();
    }

    async fn alive(&self) -> bool {
        matches!(
            tokio::time::timeout(self.timeout, self.docker.ping()).await,
            Ok(Ok(_))
        )
    }
}

/// Runs one job to its end; progress goes through `job`.
async fn run_job(
    docker: &Docker,
    endpoint: &str,
    cmd: Command,
    job: &super::JobCtx,
) -> Result<JobOutcome, EngineError> {
    match cmd {
        Command::Pull {
            reference,
            platform,
        } => super::pull::pull(docker, &reference, platform.as_deref(), job).await,
        Command::Push { reference } => super::push::push(docker, endpoint, &reference, job).await,
        Command::Tag { source, target } => images::tag(docker, &source, &target)
            .await
            .map(JobOutcome::Done),
        Command::Remove { targets, force } => images::remove(docker, &targets, force)
            .await
            .map(JobOutcome::Done),
        Command::Prune { scope, build_cache } => images::prune(docker, scope, build_cache)
            .await
            .map(JobOutcome::Pruned),
        Command::AnalyzeImage { image } => super::analyze::run(docker, image, job).await,
        Command::Build(req) => super::build::build(docker, &req, job)
            .await
            .map(JobOutcome::Done),
        Command::Disk(d) => disk_worker::run_job(docker, endpoint, d).await,
        Command::BuildWith { request, options } => {
            super::build::build_with(docker, endpoint, &request, &options, job)
                .await
                .map(JobOutcome::Done)
        }
        Command::Offline(o) => super::offline::run_job(docker, o, job).await,
        cmd => container_worker::run_job(docker, cmd, job).await,
    }
}

async fn connected(
    docker: Docker,
    mut info: EngineInfo,
    timeout: Duration,
    rx: &mut mpsc::UnboundedReceiver<Command>,
    (sink, builds): (&Sink, &Option<super::BuildSink>),
    registry: &super::registry::Requests,
) -> Exit {
    let (itx, mut irx) = mpsc::unbounded_channel();
    // Over ssh every concurrent request needs its own session (a remote process start each):
    // the event stream waits for the first listing, which then has the first session to itself.
    let defer_events = info.endpoint.starts_with("ssh://");
    let mut watcher =
        (!defer_events).then(|| tokio::spawn(watch_events(docker.clone(), itx.clone())));
    let identity = info
        .provisional
        .then(|| tokio::spawn(complete_identity(docker.clone(), info.clone(), itx.clone())));
    let endpoint = info.endpoint.clone();
    let mut beat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut pinging: Option<tokio::task::JoinHandle<()>> = None;
    let mut answering = true;
    let mut st = Connected {
        docker,
        sink,
        builds: builds.clone(),
        itx,
        jobs: HashMap::new(),
        queries: Latest::default(),
        analysis: None,
        containers: Default::default(),
        disk: Default::default(),
        refreshing: false,
        refresh_pending: false,
        endpoint,
        timeout,
        registry: registry.clone(),
    };
    st.refresh();
    let mut debounce: Option<Instant> = None;
    let exit = loop {
        let wake = debounce.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            cmd = rx.recv() => match cmd {
                None => break Exit::Quit,
                Some(cmd) => st.handle(cmd),
            },
            Some(msg) = irx.recv() => match msg {
                Internal::Changed => debounce = Some(Instant::now() + DEBOUNCE),
                Internal::JobDone(id) => {
                    st.jobs.remove(&id);
                    debounce = Some(Instant::now() + DEBOUNCE);
                }
                Internal::RefreshDone { connection_error } => {
                    st.refreshing = false;
                    if connection_error && !st.alive().await {
                        break Exit::Lost("the engine stopped answering".into());
                    }
                    if watcher.is_none() {
                        watcher = Some(tokio::spawn(watch_events(st.docker.clone(), st.itx.clone())));
                        // What changed between the listing and the subscription.
                        debounce = Some(Instant::now() + DEBOUNCE);
                    }
                    if std::mem::take(&mut st.refresh_pending) {
                        st.refresh();
                    }
                }
                Internal::StreamEnded => {
                    if !st.alive().await {
                        break Exit::Lost("the engine's event stream closed".into());
                    }
                    watcher = Some(tokio::spawn(watch_events(st.docker.clone(), st.itx.clone())));
                    st.refresh();
                }
                Internal::Pinged { answered } => {
                    pinging = None;
                    if answered != answering {
                        answering = answered;
                        let state = if answered {
                            st.refresh();
                            Connection::Connected(info.clone())
                        } else {
                            Connection::NotAnswering {
                                info: info.clone(),
                                deadline: timeout,
                            }
                        };
                        sink(EngineEvent::Connection(state));
                    }
                }
                Internal::Identity(full) => {
                    info = full;
                    if answering {
                        sink(EngineEvent::Connection(Connection::Connected(info.clone())));
                    }
                }
            },
            _ = beat.tick() => {
                if pinging.is_none() {
                    pinging = Some(tokio::spawn(heartbeat(st.docker.clone(), timeout, st.itx.clone())));
                }
            }
            () = tokio::time::sleep_until(wake), if debounce.is_some() => {
                debounce = None;
                st.refresh();
            }
        }
    };
    if let Some(task) = watcher {
        task.abort();
    }
    if let Some(task) = identity {
        task.abort();
    }
    if let Some(task) = pinging {
        task.abort();
    }
    let reason = match &exit {
        Exit::Quit => "dockhand is quitting".to_string(),
        Exit::Lost(e) => e.clone(),
    };
    st.abort_all(&reason);
    exit
}

#[cfg(test)]
mod tests {
    use super::affects_inventory;

    #[test]
    fn exec_and_export_events_are_ignored() {
        assert!(affects_inventory("tag"));
        assert!(affects_inventory("delete"));
        assert!(affects_inventory("die"));
        assert!(!affects_inventory("exec_start: sh"));
        assert!(!affects_inventory("save"));
        assert!(!affects_inventory("health_status: healthy"));
    }
}
