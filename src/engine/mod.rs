//! The engine module: owns the engine client, runs jobs on tokio and reports typed events.
//!
//! It knows nothing of the UI. Commands go in through an [`EngineHandle`]; [`EngineEvent`]s come out
//! through a sink the caller provides. Every event that can fail carries a `Result`.
pub mod analyze;
pub mod build;
pub mod buildcache;
pub mod buildkit;
pub mod connect;
pub mod container_exec;
pub mod container_run;
pub mod container_streams;
mod container_worker;
pub mod containers;
pub mod contexts;
pub mod copy;
pub mod copy_files;
pub mod disk;
pub mod disk_types;
pub mod disk_worker;
pub mod endpoint;
pub mod error;
pub mod image_share;
pub mod images;
pub mod latest;
pub mod live;
pub mod networks;
pub mod offline;
mod offline_changes;
mod offline_copy;
mod offline_io;
mod offline_jobs;
pub mod prune;
pub mod pull;
pub mod push;
pub mod raw_api;
mod rawpush;
pub mod registry;
pub mod roster;
pub mod set;
pub mod ssh;
mod ssh_master;
pub mod system_prune;
pub mod transfer;
pub mod types;
pub mod volumes;
mod worker;

use std::sync::Arc;

use tokio::sync::mpsc;

pub use error::EngineError;
pub use types::*;

/// Something for the engine to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Re-list images and containers.
    Refresh,
    /// Stop waiting and try to connect now.
    Reconnect,
    /// Load inspect + history for an image; a newer request replaces an older one.
    Details {
        /// Image ID.
        image_id: String,
    },
    /// Add a tag (job).
    Tag {
        /// Source image (ID or reference).
        source: String,
        /// New reference.
        target: String,
    },
    /// Remove images or tags (job).
    Remove {
        /// References or IDs.
        targets: Vec<String>,
        /// Force removal of images used by containers.
        force: bool,
    },
    /// Compute what a prune would remove; a newer request replaces an older one.
    PrunePreview {
        /// Which images.
        scope: PruneScope,
        /// Build cache too.
        build_cache: bool,
    },
    /// Prune (job).
    Prune {
        /// Which images.
        scope: PruneScope,
        /// Build cache too.
        build_cache: bool,
    },
    /// Cancel a running job.
    Cancel(JobId),
    /// Analyse an image's layers from the engine's export (job); a newer analysis replaces an
    /// older one that is still running.
    AnalyzeImage {
        /// Image ID or reference.
        image: String,
    },
    /// Pull an image (job).
    Pull {
        /// Reference as typed (validated again by the engine).
        reference: String,
        /// `os/arch[/variant]`, when asked for.
        platform: Option<String>,
    },
    /// Push a local tag to the registry its name points at (job).
    Push {
        /// The local tag.
        reference: String,
    },
    /// A registry request (search, browse, login); newest of a kind replaces older.
    Registry(registry::RegistryRequest),
    /// Stop the running registry catalog, tags or manifest request (the user left the view).
    CancelRegistryBrowse,
    /// Build an image from a Dockerfile with the classic builder (job; the builder's output
    /// arrives as log progress, which the editor's step tracker reads).
    Build(Box<build::BuildRequest>),
    /// Build an image with the builder [`build::BuildOptions::builder`] picks (BuildKit when the
    /// engine has it). Besides log lines, the job reports [`buildkit::progress::BuildEvent`]s to
    /// the [`BuildSink`] given to [`spawn_with_builds`]; its outcome is `Done("built <id>")`.
    BuildWith {
        /// What to build.
        request: Box<build::BuildRequest>,
        /// Builder, secrets, platform, labels, pull, cache sources.
        options: Box<build::BuildOptions>,
    },
    /// Apply a lifecycle operation to containers `(id, name)` (job).
    ContainerAction {
        /// `(id, name)` of each container.
        targets: Vec<(String, String)>,
        /// What to do.
        op: containers::ContainerOp,
    },
    /// Prune stopped containers (job).
    PruneContainers,
    /// Create and start a container (job).
    RunContainer(Box<container_run::RunSpec>),
    /// Follow a container's log; `None` stops following. A newer request replaces an older one.
    FollowLogs {
        /// Container ID.
        id: Option<String>,
    },
    /// Stream stats for exactly these containers (others stop; empty stops all).
    WatchStats {
        /// Container IDs.
        ids: Vec<String>,
    },
    /// Inspect a container; a newer request replaces an older one.
    InspectContainer {
        /// Container ID.
        id: String,
    },
    /// List network names.
    ListNetworks,
    /// Disk space: usage, build cache, volumes, networks, system prune (requests and jobs).
    Disk(disk_worker::DiskCommand),
    /// Follow a container's log again after the connection came back, from the line after the
    /// one with timestamp `after` (RFC 3339, as the engine sent it): nothing twice, nothing lost.
    /// Replaces the followed log like [`Command::FollowLogs`].
    ResumeLogs {
        /// Container ID.
        id: String,
        /// Timestamp of the last line already shown.
        after: String,
    },
    /// Images in and out without a registry: save, load, import, export, commit (jobs), load
    /// previews and container diffs (requests).
    Offline(offline::OfflineCommand),
}

/// What the engine reports.
#[derive(Debug)]
pub enum EngineEvent {
    /// Connection state changed.
    Connection(Connection),
    /// A fresh listing of images and containers.
    Inventory(Result<Inventory, EngineError>),
    /// Details for an image.
    Details {
        /// The image asked for.
        image_id: String,
        /// Its details (boxed: they are large and rare).
        result: Result<Box<ImageDetails>, EngineError>,
    },
    /// A prune preview.
    PrunePlan(Result<PrunePlan, EngineError>),
    /// New lines of the followed log.
    Logs {
        /// Container ID.
        id: String,
        /// The lines, oldest first (not sanitised).
        lines: Vec<container_streams::LogLine>,
    },
    /// The followed log ended (container stopped) or failed.
    LogsEnded {
        /// Container ID.
        id: String,
        /// Why.
        result: Result<(), EngineError>,
    },
    /// A stats reading.
    Stats {
        /// Container ID.
        id: String,
        /// The reading.
        sample: container_streams::StatsSample,
    },
    /// A container's inspect answer.
    ContainerInspect {
        /// Container ID.
        id: String,
        /// Details.
        result: Result<Box<containers::ContainerDetails>, EngineError>,
    },
    /// Network names.
    Networks(Result<Vec<String>, EngineError>),
    /// A job started.
    JobStarted {
        /// Its ID.
        id: JobId,
        /// What it does.
        kind: JobKind,
    },
    /// A running job made progress.
    JobProgress {
        /// Its ID.
        id: JobId,
        /// What happened.
        progress: Progress,
    },
    /// The answer to a registry request.
    Registry(registry::RegistryReply),
    /// A job ended.
    JobFinished {
        /// Its ID.
        id: JobId,
        /// How it ended.
        result: Result<JobOutcome, EngineError>,
    },
    /// The result of an [`Command::AnalyzeImage`] job (sent just before its `JobFinished`).
    Analysis {
        /// The job that produced it.
        job: JobId,
        /// The image asked for.
        image: String,
        /// The analysis, shared (it can be large).
        result: Result<Arc<crate::layers::ImageAnalysis>, EngineError>,
    },
    /// The answer to a disk-space request ([`Command::Disk`]).
    Disk(disk_worker::DiskEvent),
    /// The answer to a load preview or container diff ([`Command::Offline`]).
    Offline(offline::OfflineEvent),
    /// Typed progress of a build job (builder chosen, vertices, per-step logs, summary), in
    /// order with its log lines and before its `JobFinished` (engines started with
    /// [`spawn_with_builds`]; the app forwards its [`BuildSink`] here).
    Build {
        /// The build job.
        id: JobId,
        /// What happened.
        event: buildkit::progress::BuildEvent,
    },
}

/// A job ID unique in the whole process, so jobs of different engines never share one.
pub fn new_job_id() -> JobId {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Where engine events go.
pub type Sink = Arc<dyn Fn(EngineEvent) + Send + Sync>;

/// Where the typed progress of build jobs goes (job id, event), in order, before the job's
/// `JobFinished`.
pub type BuildSink = Arc<dyn Fn(JobId, buildkit::progress::BuildEvent) + Send + Sync>;

/// Handed to a running job so it can report progress.
#[derive(Clone)]
pub struct JobCtx {
    /// The job's ID.
    pub id: JobId,
    sink: Sink,
    builds: Option<BuildSink>,
}

impl JobCtx {
    /// Creates the context of job `id`.
    pub fn new(id: JobId, sink: Sink) -> JobCtx {
        JobCtx {
            id,
            sink,
            builds: None,
        }
    }

    /// Also reports build events to `builds`.
    pub fn with_builds(mut self, builds: Option<BuildSink>) -> JobCtx {
        self.builds = builds;
        self
    }

    /// Reports a build event (dropped when nobody listens).
    pub fn build_event(&self, event: buildkit::progress::BuildEvent) {
        if let Some(builds) = &self.builds {
            builds(self.id, event);
        }
    }

    /// Reports progress.
    pub fn progress(&self, progress: Progress) {
        (self.sink)(EngineEvent::JobProgress {
            id: self.id,
            progress,
        });
    }
}

/// The handle the app uses to send commands to the engine task.
#[derive(Debug, Clone)]
pub struct EngineHandle {
    tx: mpsc::UnboundedSender<Command>,
}

impl EngineHandle {
    /// Sends a command. Never blocks; a command sent after the engine task ended is dropped.
    pub fn send(&self, command: Command) {
        let _ = self.tx.send(command);
    }
}

/// Starts the engine task on the current tokio runtime.
pub fn spawn(endpoints: Result<Vec<endpoint::Endpoint>, String>, sink: Sink) -> EngineHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(worker::run(endpoints, rx, sink, None));
    EngineHandle { tx }
}

/// Like [`spawn`], with build jobs' typed progress going to `builds`.
pub fn spawn_with_builds(
    endpoints: Result<Vec<endpoint::Endpoint>, String>,
    sink: Sink,
    builds: BuildSink,
) -> EngineHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(worker::run(endpoints, rx, sink, Some(builds)));
    EngineHandle { tx }
}
