//! What the engine says about its disk: the figures behind `docker system df -v`.
//!
//! Every figure an engine may leave out is an `Option`: `None` means "not reported" and is shown
//! so, never as zero. Strings come from the engine as sent: sanitise them before they reach a
//! terminal ([`crate::util::sanitize`]).
use chrono::{DateTime, Utc};

/// One kind of object (images, containers, volumes, build cache) in the summary table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskCategory {
    /// How many there are.
    pub total_count: u64,
    /// How many are in use (images used by a container, running containers, referenced volumes,
    /// build-cache records in use).
    pub active_count: u64,
    /// Bytes on disk; `None` when the engine does not report it.
    pub size: Option<u64>,
    /// Bytes a prune could free, as `docker system df` counts them.
    pub reclaimable: Option<u64>,
    /// True when `reclaimable` is what a prune of this kind then frees; false when it is the
    /// CLI's estimate (images: shared layers of images in use are counted), to be shown as
    /// "up to". The exact figure comes from a prune preview.
    pub reclaimable_exact: bool,
}

/// An image with its share of the disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskImage {
    /// `sha256:…`.
    pub id: String,
    /// `repo:tag` references (none when dangling).
    pub repo_tags: Vec<String>,
    /// `repo@digest` references.
    pub repo_digests: Vec<String>,
    /// Parent image ID (classic builder), empty when none.
    pub parent_id: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// All its layers' bytes.
    pub size: Option<u64>,
    /// Bytes of layers it shares with other images.
    pub shared_size: Option<u64>,
    /// Bytes only it holds: what removing it alone frees (`size - shared_size`).
    pub unique_size: Option<u64>,
    /// Containers created from it (running or not).
    pub containers: Option<u64>,
}

/// A container's writable layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskContainer {
    /// Full ID.
    pub id: String,
    /// Name without the leading slash.
    pub name: String,
    /// Image as configured.
    pub image: String,
    /// Image ID.
    pub image_id: String,
    /// Command line.
    pub command: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// `running`, `exited`, …
    pub state: String,
    /// Human status.
    pub status: String,
    /// Bytes written in its writable layer (`SizeRw`).
    pub size_rw: Option<u64>,
    /// Bytes of its whole root filesystem, image included (`SizeRootFs`).
    pub size_root_fs: Option<u64>,
    /// Names of the volumes it mounts.
    pub volumes: Vec<String>,
    /// Names of the networks it is attached to.
    pub networks: Vec<String>,
}

impl DiskContainer {
    /// Running, paused or restarting: what `docker system df` counts as active.
    pub fn is_active(&self) -> bool {
        ["running", "paused", "restarting"]
            .iter()
            .any(|s| self.state.contains(s))
    }
}

/// A volume with its size and users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskVolume {
    /// Name (a 64-hex name for anonymous volumes).
    pub name: String,
    /// Volume driver, e.g. `local`.
    pub driver: String,
    /// Where its data lives on the engine's host.
    pub mountpoint: String,
    /// `local` or `global`.
    pub scope: String,
    /// Creation time as the engine words it (RFC 3339), empty when not reported.
    pub created: String,
    /// Labels, sorted by key.
    pub labels: Vec<(String, String)>,
    /// Bytes of its contents; `None` when not reported (e.g. not a local volume).
    pub size: Option<u64>,
    /// How many containers reference it; `None` when not reported.
    pub ref_count: Option<u64>,
    /// Names of the containers that mount it (running or not).
    pub containers: Vec<String>,
    /// Created without a name (`com.docker.volume.anonymous` label on newer engines, else a
    /// 64-hex name).
    pub anonymous: bool,
}

/// One build-cache record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildCacheRecord {
    /// Record ID.
    pub id: String,
    /// Parent record IDs (API 1.42+ lists several; 1.41 one).
    pub parents: Vec<String>,
    /// Record type: `regular`, `source.local`, `exec.cachemount`, `frontend`, `internal`, …
    pub kind: String,
    /// The builder's description, e.g. `mount / from exec /bin/sh -c make`.
    pub description: String,
    /// Held by a running build (or by a record held by one).
    pub in_use: bool,
    /// Its data is shared with an image.
    pub shared: bool,
    /// Bytes.
    pub size: u64,
    /// Creation time.
    pub created_at: Option<DateTime<Utc>>,
    /// Last use; `None` when never used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// How many times it was used.
    pub usage_count: u64,
}

/// The data root's filesystem, where the engine is on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataRoot {
    /// Read with statvfs on the engine's `DockerRootDir`.
    Reported {
        /// The engine's data root.
        path: String,
        /// Bytes of the filesystem.
        total: u64,
        /// Bytes free for an unprivileged user.
        available: u64,
    },
    /// Not known, and why (remote engine, path not on this machine, …).
    NotReported(String),
}

/// Which form the engine's `/system/df` answer had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DfFormat {
    /// API < 1.52: lists plus `LayersSize`; the summary is computed here as the CLI does.
    #[default]
    Legacy,
    /// API 1.52+: per-kind summaries computed by the engine.
    Summaries,
}

/// Everything `docker system df -v` shows, plus the data root's free space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskUsage {
    /// Images.
    pub images: DiskCategory,
    /// Containers' writable layers.
    pub containers: DiskCategory,
    /// Local volumes.
    pub volumes: DiskCategory,
    /// Build cache.
    pub build_cache: DiskCategory,
    /// One entry per image.
    pub image_items: Vec<DiskImage>,
    /// One entry per container.
    pub container_items: Vec<DiskContainer>,
    /// One entry per volume.
    pub volume_items: Vec<DiskVolume>,
    /// One entry per build-cache record.
    pub build_cache_items: Vec<BuildCacheRecord>,
    /// The engine's `BuilderSize` (every record, shared ones too), when reported.
    pub builder_size: Option<u64>,
    /// The data root's filesystem.
    pub data_root: DataRoot,
    /// The answer's form.
    pub format: DfFormat,
}
