//! Engine-neutral data the engine module hands to the rest of the app.
use std::time::Duration;

/// Identifies a job run by the engine module.
pub type JobId = u64;

/// Who we are connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    /// The endpoint URL in use, e.g. `unix:///var/run/docker.sock`.
    pub endpoint: String,
    /// Where the endpoint came from (`--host`, `DOCKER_HOST`, `context foo`, `default socket`, …).
    pub source: String,
    /// Engine product name, e.g. "Docker Engine" or "Podman Engine".
    pub name: String,
    /// Engine version, e.g. "20.10.24".
    pub version: String,
    /// Negotiated API version, e.g. "1.41".
    pub api_version: String,
    /// `os/arch` of the engine.
    pub platform: String,
    /// From `/_ping` only (architecture assumed to be this machine's); the worker replaces it
    /// with the full identity from `/version` right after connecting.
    pub provisional: bool,
}

#[cfg(test)]
impl EngineInfo {
    /// Debian's dockerd on the default socket, as tests of drawing and state see it.
    pub fn local_test() -> Self {
        EngineInfo {
            endpoint: "unix:///var/run/docker.sock".into(),
            source: "default socket".into(),
            name: "Docker Engine".into(),
            version: "20.10.24".into(),
            api_version: "1.41".into(),
            platform: "linux/amd64".into(),
            provisional: false,
        }
    }
}

/// One endpoint that was tried and why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Where the endpoint came from.
    pub source: String,
    /// The endpoint URL.
    pub endpoint: String,
    /// What went wrong.
    pub error: String,
}

/// An image as listed by the engine (one entry per image ID; tags are in `repo_tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Full ID, `sha256:…`.
    pub id: String,
    /// `repo:tag` references; empty for a dangling image.
    pub repo_tags: Vec<String>,
    /// `repo@sha256:…` references.
    pub repo_digests: Vec<String>,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Size in bytes (including layers shared with other images).
    pub size: u64,
}

/// A container as listed by the engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerInfo {
    /// Full ID.
    pub id: String,
    /// Name without the leading slash.
    pub name: String,
    /// The image reference the container was created from.
    pub image: String,
    /// The image ID, `sha256:…`.
    pub image_id: String,
    /// Running, exited, paused, created, …
    pub state: ContainerState,
    /// Human status, e.g. "Exited (0) 3 minutes ago".
    pub status: String,
    /// The command line the container runs.
    pub command: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Exposed and published ports.
    pub ports: Vec<PortBinding>,
    /// Exit code of an exited container (parsed from the status).
    pub exit_code: Option<i64>,
    /// What `docker ps` derives STATUS from, read by inspecting the container (None when the
    /// inspection failed: `status` is then shown as the engine said it).
    pub times: Option<ContainerTimes>,
}

/// The timestamps and health of a container, from which its STATUS is derived at any instant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerTimes {
    /// When it last started, unix seconds (None: never started).
    pub started: Option<i64>,
    /// When it last stopped, unix seconds (None: never stopped).
    pub finished: Option<i64>,
    /// The health check's state as `docker ps` words it ("healthy", "health: starting", …).
    pub health: Option<String>,
    /// The last exit code.
    pub exit_code: i64,
}

/// The state of a container, as the engine names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ContainerState {
    /// Created, never started.
    #[default]
    Created,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Restarting.
    Restarting,
    /// Being removed.
    Removing,
    /// Exited.
    Exited,
    /// Dead (removal failed).
    Dead,
    /// A state this version does not know, as the engine spelled it.
    Other(String),
}

impl ContainerState {
    /// The engine's word for the state.
    pub fn as_str(&self) -> &str {
        match self {
            ContainerState::Created => "created",
            ContainerState::Running => "running",
            ContainerState::Paused => "paused",
            ContainerState::Restarting => "restarting",
            ContainerState::Removing => "removing",
            ContainerState::Exited => "exited",
            ContainerState::Dead => "dead",
            ContainerState::Other(s) => s,
        }
    }

    /// Whether a process is alive in it (stop, kill and exec apply).
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            ContainerState::Running | ContainerState::Paused | ContainerState::Restarting
        )
    }

    /// Whether `container prune` removes it.
    pub fn is_stopped(&self) -> bool {
        matches!(
            self,
            ContainerState::Exited | ContainerState::Created | ContainerState::Dead
        )
    }
}

impl From<&str> for ContainerState {
    fn from(s: &str) -> ContainerState {
        match s.to_ascii_lowercase().as_str() {
            "created" => ContainerState::Created,
            "running" => ContainerState::Running,
            "paused" => ContainerState::Paused,
            "restarting" => ContainerState::Restarting,
            "removing" => ContainerState::Removing,
            "exited" => ContainerState::Exited,
            "dead" => ContainerState::Dead,
            other => ContainerState::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for ContainerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One port of a container: published (`host_port` set) or only exposed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortBinding {
    /// Host address the port is bound to (empty when only exposed).
    pub host_ip: String,
    /// Host port, when published.
    pub host_port: Option<u16>,
    /// Port inside the container.
    pub container_port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub proto: String,
}

impl std::fmt::Display for PortBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.host_port {
            Some(hp) => write!(
                f,
                "{}:{hp}->{}/{}",
                self.host_ip, self.container_port, self.proto
            ),
            None => write!(f, "{}/{}", self.container_port, self.proto),
        }
    }
}

/// What the engine holds right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    /// All images (top-level, like `docker images`).
    pub images: Vec<ImageInfo>,
    /// All containers, running or not.
    pub containers: Vec<ContainerInfo>,
}

/// One entry of an image's history (one Dockerfile instruction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Image ID of this step when known locally, else `<missing>`.
    pub id: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// The command that created the entry, as recorded.
    pub created_by: String,
    /// Bytes the layer adds; 0 for metadata-only entries.
    pub size: u64,
    /// The entry's comment.
    pub comment: String,
}

/// The parts of an image's config a user wants to see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageDetails {
    /// Full image ID.
    pub id: String,
    /// All tags.
    pub repo_tags: Vec<String>,
    /// All digests.
    pub repo_digests: Vec<String>,
    /// Creation time as recorded (RFC 3339).
    pub created: String,
    /// `os/arch[/variant]`.
    pub platform: String,
    /// Total size in bytes.
    pub size: u64,
    /// ENTRYPOINT.
    pub entrypoint: Vec<String>,
    /// CMD.
    pub cmd: Vec<String>,
    /// ENV.
    pub env: Vec<String>,
    /// EXPOSE, e.g. `80/tcp`.
    pub exposed_ports: Vec<String>,
    /// LABEL key/values, sorted by key.
    pub labels: Vec<(String, String)>,
    /// WORKDIR.
    pub working_dir: String,
    /// USER.
    pub user: String,
    /// RootFS layer digests (diff IDs), bottom first.
    pub layers: Vec<String>,
    /// History, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// Which images a prune removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PruneScope {
    /// Only dangling (`<none>:<none>`) images not used by a container.
    #[default]
    Dangling,
    /// Every image not used by a container.
    AllUnused,
}

/// One image a prune would remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PruneCandidate {
    /// Image ID.
    pub id: String,
    /// Its tags (empty when dangling).
    pub repo_tags: Vec<String>,
    /// Bytes freed by removing it given everything else that goes with it.
    pub reclaim: u64,
    /// The engine only untags it: it is the parent of another image, so it stays.
    pub untag_only: bool,
}

/// What a prune would do, computed before asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunePlan {
    /// The scope that was asked for.
    pub scope: PruneScope,
    /// Whether build cache is pruned too.
    pub build_cache: bool,
    /// Images that go.
    pub images: Vec<PruneCandidate>,
    /// Bytes freed by the images that go (layers shared with kept images are not counted).
    pub reclaim: u64,
}

/// What a prune actually did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PruneReport {
    /// Deleted/untagged items as the engine reported them.
    pub deleted: Vec<String>,
    /// Bytes reclaimed from images.
    pub reclaimed: u64,
    /// Bytes reclaimed from build cache, when it was pruned.
    pub build_cache_reclaimed: Option<u64>,
    /// What went, sorted into images, layers, tags and containers.
    pub removed: Removed,
}

/// What a remove or prune took away, sorted: the engine lists deleted images and deleted layers
/// alike, as IDs; an ID the engine knew as an image before is an image, the others are layers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Removed {
    /// References untagged.
    pub untagged: Vec<String>,
    /// Image IDs deleted.
    pub images: Vec<String>,
    /// Intermediate images deleted (untagged parents a build left, not listed as images).
    pub intermediate: usize,
    /// Layers deleted.
    pub layers: usize,
    /// Container IDs deleted.
    pub containers: Vec<String>,
}

impl Removed {
    /// "2 images (5 layers), 1 tag untagged", "1 image (2 intermediate images, 0 layers)",
    /// "3 containers", "nothing".
    pub fn summary(&self) -> String {
        use crate::util::text::count;
        let mut parts = Vec::new();
        if !self.images.is_empty() || self.intermediate > 0 || self.layers > 0 {
            let mut inner = Vec::new();
            if self.intermediate > 0 {
                inner.push(count(self.intermediate, "intermediate image"));
            }
            inner.push(count(self.layers, "layer"));
            parts.push(format!(
                "{} ({})",
                count(self.images.len(), "image"),
                inner.join(", ")
            ));
        }
        if !self.untagged.is_empty() {
            parts.push(format!("{} untagged", count(self.untagged.len(), "tag")));
        }
        if !self.containers.is_empty() {
            parts.push(count(self.containers.len(), "container"));
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }
}

/// The kind of a job, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    /// Adding a tag.
    Tag {
        /// Source image.
        source: String,
        /// New reference.
        target: String,
    },
    /// Removing images.
    Remove {
        /// What is removed.
        targets: Vec<String>,
    },
    /// Pruning.
    Prune(PruneScope),
    /// Analysing an image's layers.
    Analyze {
        /// The image.
        image: String,
    },
    /// Pulling an image.
    Pull {
        /// Reference.
        reference: String,
        /// Platform asked for.
        platform: Option<String>,
    },
    /// Pushing an image.
    Push {
        /// Reference.
        reference: String,
    },
    /// Building an image from a Dockerfile.
    Build {
        /// The Dockerfile.
        dockerfile: String,
        /// The first tag, if any.
        tag: Option<String>,
    },
    /// A lifecycle operation on containers.
    Containers {
        /// What is done (e.g. "stop (grace 10s)").
        verb: String,
        /// Container names.
        names: Vec<String>,
    },
    /// Pruning stopped containers.
    PruneContainers,
    /// Copying an image from one engine to another.
    Copy {
        /// The image (ID or reference).
        image: String,
        /// The source engine's name.
        from: String,
        /// The target engine's name.
        to: String,
    },
    /// Creating (and starting) a container.
    Run {
        /// The image.
        image: String,
        /// The container name, when given.
        name: String,
    },
    /// A disk-space job (prunes, volumes, networks).
    Disk(super::disk_worker::DiskJob),
    /// Save, load, import, export or commit.
    Offline(super::offline::OfflineJob),
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobKind::Tag { source, target } => write!(f, "tag {source} → {target}"),
            JobKind::Remove { targets } => write!(f, "remove {}", targets.join(", ")),
            JobKind::Prune(PruneScope::Dangling) => write!(f, "prune dangling images"),
            JobKind::Prune(PruneScope::AllUnused) => write!(f, "prune unused images"),
            JobKind::Analyze { image } => {
                write!(f, "analyse {}", super::analyze::short_image(image))
            }
            JobKind::Pull {
                reference,
                platform: Some(p),
            } => write!(f, "pull {reference} ({p})"),
            JobKind::Pull { reference, .. } => write!(f, "pull {reference}"),
            JobKind::Push { reference } => write!(f, "push {reference}"),
            JobKind::Build { dockerfile, tag } => match tag {
                Some(tag) => write!(f, "build {dockerfile} → {tag}"),
                None => write!(f, "build {dockerfile}"),
            },
            JobKind::Containers { verb, names } => write!(f, "{verb} {}", names.join(", ")),
            JobKind::PruneContainers => write!(f, "prune stopped containers"),
            JobKind::Copy { image, from, to } => write!(
                f,
                "copy {} from {from} to {to}",
                super::analyze::short_image(image)
            ),
            JobKind::Run { image, name } if name.is_empty() => write!(f, "run {image}"),
            JobKind::Run { image, name } => write!(f, "run {image} as {name}"),
            JobKind::Disk(job) => write!(f, "{job}"),
            JobKind::Offline(job) => write!(f, "{job}"),
        }
    }
}

/// A progress report of a running job. Each kind of job uses the variants that fit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// One layer of a pull or push: its phase and bytes.
    Layer {
        /// Short layer ID/digest as the engine reports it.
        id: String,
        /// Phase as the engine words it (Waiting, Downloading, Extracting, Pull complete, …).
        phase: String,
        /// Bytes done.
        current: u64,
        /// Bytes in all (0 when unknown).
        total: u64,
    },
    /// A line of output.
    Log(String),
    /// Overall bytes (0 total when unknown).
    Bytes {
        /// Done.
        done: u64,
        /// In all.
        total: u64,
    },
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// A short summary of what was done.
    Done(String),
    /// A prune's report.
    Pruned(PruneReport),
    /// A container was created (and started unless asked not to).
    Created {
        /// Its ID.
        id: String,
        /// Its name.
        name: String,
    },
    /// A disk-space prune's report.
    Disk(super::disk_worker::DiskOutcome),
    /// Images were made or loaded (load, import, commit).
    Images {
        /// What was done.
        summary: String,
        /// The images' IDs.
        ids: Vec<String>,
    },
}

/// The connection state, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Trying endpoints.
    Connecting,
    /// Connected.
    Connected(EngineInfo),
    /// Nothing reachable; retrying after `retry_in`.
    Disconnected {
        /// What was tried.
        attempts: Vec<Attempt>,
        /// Delay before the next try.
        retry_in: Duration,
    },
    /// Connected, but the engine did not answer a ping within `deadline` (hung or stopped): still
    /// the same connection, `Connected` again once it answers.
    NotAnswering {
        /// The engine.
        info: EngineInfo,
        /// How long the ping was given.
        deadline: Duration,
    },
}
