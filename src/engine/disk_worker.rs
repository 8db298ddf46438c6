//! The engine task's share for disk space: the commands, events and job outcomes of the disk,
//! build-cache, volumes and networks panes and of the system-prune dialog, and their routing.

use super::latest::Latest;
use bollard::Docker;

use super::buildcache::{self, BuildCachePlan, BuildCacheReport, BuilderPruneOptions};
use super::disk_types::{DiskUsage, DiskVolume};
use super::networks::{self, NetworkInfo, NetworkPruneFilters, NetworkPrunePlan, NetworkSpec};
use super::raw_api::RawApi;
use super::system_prune::{self, SystemPruneOptions, SystemPrunePlan, SystemPruneReport};
use super::types::JobOutcome;
use super::volumes::{self, VolumePrunePlan, VolumePruneReport, VolumePruneScope, VolumeSpec};
use super::{EngineError, EngineEvent, Sink};

/// A disk-space command ([`super::Command::Disk`]). Requests (no job) answer with a
/// [`DiskEvent`]; a newer request of a kind replaces an older one still running. Jobs end with
/// [`JobOutcome::Done`] or [`JobOutcome::Disk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskCommand {
    /// `docker system df -v` and the data root's free space → [`DiskEvent::Usage`].
    Usage,
    /// Builder prune preview → [`DiskEvent::BuildCachePlan`].
    BuildCachePreview(BuilderPruneOptions),
    /// Builder prune (job) → [`DiskOutcome::BuildCachePruned`].
    PruneBuildCache(BuilderPruneOptions),
    /// Volumes with sizes and users → [`DiskEvent::Volumes`].
    ListVolumes,
    /// Create a volume (job) → `Done`.
    CreateVolume(VolumeSpec),
    /// Remove a volume (job; refused while used, naming the containers) → `Done`.
    RemoveVolume {
        /// Volume name.
        name: String,
    },
    /// Volume prune preview → [`DiskEvent::VolumePrunePlan`].
    VolumePrunePreview {
        /// Anonymous only or all unused.
        scope: VolumePruneScope,
        /// Label filters.
        labels: Vec<String>,
    },
    /// Volume prune (job) → [`DiskOutcome::VolumesPruned`].
    PruneVolumes {
        /// Anonymous only or all unused.
        scope: VolumePruneScope,
        /// Label filters.
        labels: Vec<String>,
    },
    /// Networks with subnets and containers → [`DiskEvent::Networks`].
    ListNetworks,
    /// Create a network (job) → `Done`.
    CreateNetwork(NetworkSpec),
    /// Remove a network (job; refused for bridge/host/none and while used) → `Done`.
    RemoveNetwork {
        /// Name or ID.
        name: String,
    },
    /// Attach a container to a network (job) → `Done`.
    ConnectNetwork {
        /// Network name or ID.
        network: String,
        /// Container name or ID.
        container: String,
    },
    /// Detach a container from a network (job) → `Done`.
    DisconnectNetwork {
        /// Network name or ID.
        network: String,
        /// Container name or ID.
        container: String,
        /// Even when the container is not running.
        force: bool,
    },
    /// Network prune preview → [`DiskEvent::NetworkPrunePlan`].
    NetworkPrunePreview(NetworkPruneFilters),
    /// Network prune (job) → [`DiskOutcome::NetworksPruned`].
    PruneNetworks(NetworkPruneFilters),
    /// System prune plan → [`DiskEvent::SystemPrunePlan`].
    SystemPrunePreview(SystemPruneOptions),
    /// System prune (job) → [`DiskOutcome::SystemPruned`].
    SystemPrune(SystemPruneOptions),
}

/// Answers to disk-space requests ([`EngineEvent::Disk`]).
#[derive(Debug)]
pub enum DiskEvent {
    /// `docker system df -v` figures and the data root.
    Usage(Result<Box<DiskUsage>, EngineError>),
    /// A builder prune preview.
    BuildCachePlan(Result<BuildCachePlan, EngineError>),
    /// Volumes.
    Volumes(Result<Vec<DiskVolume>, EngineError>),
    /// A volume prune preview.
    VolumePrunePlan(Result<VolumePrunePlan, EngineError>),
    /// Networks.
    Networks(Result<Vec<NetworkInfo>, EngineError>),
    /// A network prune preview.
    NetworkPrunePlan(Result<NetworkPrunePlan, EngineError>),
    /// A system prune plan.
    SystemPrunePlan(Result<Box<SystemPrunePlan>, EngineError>),
}

/// How a disk-space prune job ended ([`JobOutcome::Disk`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskOutcome {
    /// Builder prune.
    BuildCachePruned(BuildCacheReport),
    /// Volume prune.
    VolumesPruned(VolumePruneReport),
    /// Network prune: the names deleted.
    NetworksPruned(Vec<String>),
    /// System prune, per kind.
    SystemPruned(Box<SystemPruneReport>),
}

impl std::fmt::Display for DiskOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::util::text::{bytes, count};
        match self {
            DiskOutcome::BuildCachePruned(r) => write!(
                f,
                "build cache pruned: {} records, {} reclaimed",
                r.deleted.len(),
                bytes(r.reclaimed)
            ),
            DiskOutcome::VolumesPruned(r) => write!(
                f,
                "volumes pruned: {} removed, {} reclaimed",
                r.deleted.len(),
                bytes(r.reclaimed)
            ),
            DiskOutcome::NetworksPruned(n) => write!(f, "networks pruned: {} removed", n.len()),
            DiskOutcome::SystemPruned(r) => write!(
                f,
                "system pruned: {}, {}, {}, images: {}, {}; {} reclaimed",
                count(r.containers_deleted.len(), "container"),
                count(r.networks_deleted.len(), "network"),
                count(r.volumes.as_ref().map_or(0, |v| v.deleted.len()), "volume"),
                r.images_removed.summary(),
                count(r.build_cache.deleted.len(), "cache record"),
                bytes(r.total())
            ),
        }
    }
}

/// What a disk-space job does, for display ([`super::JobKind::Disk`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskJob {
    /// Builder prune.
    PruneBuildCache,
    /// Creating a volume.
    CreateVolume(String),
    /// Removing a volume.
    RemoveVolume(String),
    /// Volume prune.
    PruneVolumes(VolumePruneScope),
    /// Creating a network.
    CreateNetwork(String),
    /// Removing a network.
    RemoveNetwork(String),
    /// Attaching `(network, container)`.
    Connect(String, String),
    /// Detaching `(network, container)`.
    Disconnect(String, String),
    /// Network prune.
    PruneNetworks,
    /// System prune.
    SystemPrune,
}

impl std::fmt::Display for DiskJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiskJob::PruneBuildCache => write!(f, "prune build cache"),
            DiskJob::CreateVolume(n) => write!(f, "create volume {n}"),
            DiskJob::RemoveVolume(n) => write!(f, "remove volume {n}"),
            DiskJob::PruneVolumes(VolumePruneScope::All) => write!(f, "prune unused volumes"),
            DiskJob::PruneVolumes(VolumePruneScope::Anonymous) => {
                write!(f, "prune anonymous volumes")
            }
            DiskJob::CreateNetwork(n) => write!(f, "create network {n}"),
            DiskJob::RemoveNetwork(n) => write!(f, "remove network {n}"),
            DiskJob::Connect(n, c) => write!(f, "connect {c} to {n}"),
            DiskJob::Disconnect(n, c) => write!(f, "disconnect {c} from {n}"),
            DiskJob::PruneNetworks => write!(f, "prune unused networks"),
            DiskJob::SystemPrune => write!(f, "system prune"),
        }
    }
}

/// The job a command starts, or `None` for a request.
pub(super) fn job_kind(cmd: &DiskCommand) -> Option<DiskJob> {
    Some(match cmd {
        DiskCommand::PruneBuildCache(_) => DiskJob::PruneBuildCache,
        DiskCommand::CreateVolume(s) => DiskJob::CreateVolume(s.name.clone()),
        DiskCommand::RemoveVolume { name } => DiskJob::RemoveVolume(name.clone()),
        DiskCommand::PruneVolumes { scope, .. } => DiskJob::PruneVolumes(*scope),
        DiskCommand::CreateNetwork(s) => DiskJob::CreateNetwork(s.name.clone()),
        DiskCommand::RemoveNetwork { name } => DiskJob::RemoveNetwork(name.clone()),
        DiskCommand::ConnectNetwork { network, container } => {
            DiskJob::Connect(network.clone(), container.clone())
        }
        DiskCommand::DisconnectNetwork {
            network, container, ..
        } => DiskJob::Disconnect(network.clone(), container.clone()),
        DiskCommand::PruneNetworks(_) => DiskJob::PruneNetworks,
        DiskCommand::SystemPrune(_) => DiskJob::SystemPrune,
        _ => return None,
    })
}

/// Runs a disk-space job.
pub async fn run_job(
    docker: &Docker,
    endpoint: &str,
    cmd: DiskCommand,
) -> Result<JobOutcome, EngineError> {
    let raw = RawApi::for_endpoint(endpoint, docker);
    let raw = raw.as_ref();
    let disk = |o| Ok(JobOutcome::Disk(o));
    match cmd {
        DiskCommand::PruneBuildCache(o) => disk(DiskOutcome::BuildCachePruned(
            buildcache::prune(docker, raw, &o).await?,
        )),
        DiskCommand::CreateVolume(s) => volumes::create(docker, &s)
            .await
            .map(|n| JobOutcome::Done(format!("created volume {n}"))),
        DiskCommand::RemoveVolume { name } => {
            volumes::remove(docker, &name).await.map(JobOutcome::Done)
        }
        DiskCommand::PruneVolumes { scope, labels } => disk(DiskOutcome::VolumesPruned(
            volumes::prune(docker, scope, &labels).await?,
        )),
        DiskCommand::CreateNetwork(s) => networks::create(docker, &s)
            .await
            .map(|id| JobOutcome::Done(format!("created network {} ({id})", s.name))),
        DiskCommand::RemoveNetwork { name } => networks::remove(docker, raw, &name)
            .await
            .map(JobOutcome::Done),
        DiskCommand::ConnectNetwork { network, container } => {
            networks::connect(docker, &network, &container)
                .await
                .map(JobOutcome::Done)
        }
        DiskCommand::DisconnectNetwork {
            network,
            container,
            force,
        } => networks::disconnect(docker, &network, &container, force)
            .await
            .map(JobOutcome::Done),
        DiskCommand::PruneNetworks(f) => disk(DiskOutcome::NetworksPruned(
            networks::prune(docker, &f).await?,
        )),
        DiskCommand::SystemPrune(o) => disk(DiskOutcome::SystemPruned(Box::new(
            system_prune::execute(docker, raw, &o).await?,
        ))),
        _ => Err(EngineError::Invalid("not a job".into())),
    }
}

/// Answers a request: the event it produces.
pub async fn answer(docker: &Docker, endpoint: &str, cmd: DiskCommand) -> Option<DiskEvent> {
    let raw = RawApi::for_endpoint(endpoint, docker);
    let raw = raw.as_ref();
    Some(match cmd {
        DiskCommand::Usage => DiskEvent::Usage(usage(docker, raw).await.map(Box::new)),
        DiskCommand::BuildCachePreview(o) => {
            DiskEvent::BuildCachePlan(super::disk::raw_df(docker, raw).await.map(|v| {
                let records = super::disk::parse_df(&v).build_cache_items;
                buildcache::plan(&records, &o, chrono::Utc::now())
            }))
        }
        DiskCommand::ListVolumes => DiskEvent::Volumes(volumes::list(docker, raw).await),
        DiskCommand::VolumePrunePreview { scope, labels } => {
            DiskEvent::VolumePrunePlan(volumes::prune_plan(docker, raw, scope, &labels).await)
        }
        DiskCommand::ListNetworks => DiskEvent::Networks(networks::list(docker, raw).await),
        DiskCommand::NetworkPrunePreview(f) => {
            DiskEvent::NetworkPrunePlan(networks::prune_plan(docker, raw, &f).await)
        }
        DiskCommand::SystemPrunePreview(o) => {
            DiskEvent::SystemPrunePlan(system_prune::plan(docker, raw, &o).await.map(Box::new))
        }
        _ => return None,
    })
}

/// Disk usage with per-image shared sizes filled in where the engine leaves them out.
pub async fn usage(docker: &Docker, raw: Option<&RawApi>) -> Result<DiskUsage, EngineError> {
    let mut du = super::disk::disk_usage(docker, raw).await?;
    super::image_share::fill_shared_sizes(docker, &mut du.image_items).await?;
    Ok(du)
}

/// The error event for a request made while disconnected.
pub(super) fn rejected(cmd: &DiskCommand) -> Option<DiskEvent> {
    let e = EngineError::NotConnected;
    Some(match cmd {
        DiskCommand::Usage => DiskEvent::Usage(Err(e)),
        DiskCommand::BuildCachePreview(_) => DiskEvent::BuildCachePlan(Err(e)),
        DiskCommand::ListVolumes => DiskEvent::Volumes(Err(e)),
        DiskCommand::VolumePrunePreview { .. } => DiskEvent::VolumePrunePlan(Err(e)),
        DiskCommand::ListNetworks => DiskEvent::Networks(Err(e)),
        DiskCommand::NetworkPrunePreview(_) => DiskEvent::NetworkPrunePlan(Err(e)),
        DiskCommand::SystemPrunePreview(_) => DiskEvent::SystemPrunePlan(Err(e)),
        _ => return None,
    })
}

/// Running requests, one per kind: a newer one replaces the older.
#[derive(Default)]
pub(super) struct DiskTasks {
    running: Latest<std::mem::Discriminant<DiskCommand>>,
}

impl DiskTasks {
    /// Starts a request, replacing a running one of the same kind.
    pub(super) fn start(&mut self, docker: &Docker, endpoint: &str, sink: &Sink, cmd: DiskCommand) {
        let key = std::mem::discriminant(&cmd);
        let (docker, endpoint, sink) = (docker.clone(), endpoint.to_string(), sink.clone());
        self.running.spawn(key, async move {
            if let Some(ev) = answer(&docker, &endpoint, cmd).await {
                sink(EngineEvent::Disk(ev));
            }
        });
    }

    /// Ends every request (connection lost or quitting).
    pub(super) fn abort_all(&mut self) {
        self.running.abort_all();
    }
}
