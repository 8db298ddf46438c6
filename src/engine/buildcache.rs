//! Build cache: what each record came from, and builder prune with a preview computed the way
//! BuildKit's cache manager prunes.
//!
//! BuildKit prunes in rounds: a round deletes every record that has no references (no running
//! build, no child record left) and passes the filters; deleting children frees their parents for
//! the next round. Without `all`, internal and frontend records and records shared with images
//! stay. `until` keeps records used within the duration. With a storage budget (`keep-storage`)
//! it deletes one record per round, least recently and least often used first, until the total is
//! below the budget, counting only records whose data no image holds; its order among equal
//! scores depends on map order inside the engine, and its total also counts parents of such
//! records, which this preview cannot tell apart: that preview gives an upper bound.
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bollard::Docker;
use chrono::{DateTime, Utc};

use super::EngineError;
use super::disk_types::BuildCacheRecord;
use super::raw_api::{RawApi, encode_query};

/// What a record was made by, read from its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOrigin {
    /// The root filesystem after a `RUN`.
    Run {
        /// The command as the builder ran it (`/bin/sh -c` removed).
        command: String,
    },
    /// A `RUN --mount=type=cache` directory.
    CacheMount {
        /// Where it was mounted.
        target: String,
        /// The command that used it.
        command: String,
    },
    /// The result of a `COPY` or `ADD` (a file operation).
    Copy,
    /// Files sent by the client: the build context or the Dockerfile.
    Context {
        /// `context`, `dockerfile`, or a named context.
        name: String,
    },
    /// Layers of a base image.
    Image {
        /// The reference.
        reference: String,
    },
    /// A Git checkout.
    Git {
        /// The remote.
        remote: String,
    },
    /// A download.
    Http {
        /// The URL.
        url: String,
    },
    /// A step named by the Dockerfile frontend, e.g. `[stage-1 2/3] RUN make`.
    Step {
        /// The bracketed part, e.g. `stage-1 2/3`.
        stage: String,
        /// The instruction.
        instruction: String,
    },
    /// Anything else, as described.
    Other(String),
}

impl CacheOrigin {
    /// The Dockerfile instruction this record came from, where one can be named.
    pub fn instruction(&self) -> Option<String> {
        match self {
            CacheOrigin::Run { command } => Some(format!("RUN {command}")),
            CacheOrigin::CacheMount { target, command } => {
                Some(format!("RUN --mount=type=cache,target={target} {command}"))
            }
            CacheOrigin::Copy => Some("COPY/ADD".into()),
            CacheOrigin::Image { reference } => Some(format!("FROM {reference}")),
            CacheOrigin::Step { instruction, .. } => Some(instruction.clone()),
            CacheOrigin::Git { .. }
            | CacheOrigin::Http { .. }
            | CacheOrigin::Context { .. }
            | CacheOrigin::Other(_) => None,
        }
    }
}

/// Strips the shell the builder wraps a shell-form `RUN` in.
fn shell_command(exec: &str) -> String {
    let exec = exec.trim();
    for shell in ["/bin/sh -c ", "/bin/bash -c ", "cmd /S /C "] {
        if let Some(rest) = exec.strip_prefix(shell) {
            return rest.to_string();
        }
    }
    exec.to_string()
}

/// Reads what made a record from its BuildKit description.
pub fn origin(description: &str) -> CacheOrigin {
    let d = description.trim();
    if let Some(rest) = d.strip_prefix('[')
        && let Some((stage, instruction)) = rest.split_once("] ")
    {
        return CacheOrigin::Step {
            stage: stage.to_string(),
            instruction: instruction.trim().to_string(),
        };
    }
    if let Some(exec) = d.strip_prefix("mount / from exec ") {
        return CacheOrigin::Run {
            command: shell_command(exec),
        };
    }
    if let Some(rest) = d.strip_prefix("cached mount ")
        && let Some((target, exec)) = rest.split_once(" from exec ")
    {
        return CacheOrigin::CacheMount {
            target: target.to_string(),
            command: shell_command(exec),
        };
    }
    if let Some(name) = d.strip_prefix("local source for ") {
        return CacheOrigin::Context {
            name: name.trim().to_string(),
        };
    }
    if let Some(reference) = d.strip_prefix("pulled from ") {
        return CacheOrigin::Image {
            reference: reference.trim().to_string(),
        };
    }
    if let Some(remote) = d.strip_prefix("git snapshot for ") {
        return CacheOrigin::Git {
            remote: remote.trim().to_string(),
        };
    }
    if let Some(url) = d.strip_prefix("http url ") {
        return CacheOrigin::Http {
            url: url.trim().to_string(),
        };
    }
    if d.starts_with("fileop ") {
        return CacheOrigin::Copy;
    }
    CacheOrigin::Other(d.to_string())
}

/// Which records a builder prune removes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuilderPruneOptions {
    /// Also internal and frontend records and records shared with images (`--all`).
    pub all: bool,
    /// Keep records used within this long (`--filter until=24h`).
    pub until: Option<Duration>,
    /// Stop once the cache is below this many bytes (`--keep-storage`).
    pub keep_storage: Option<u64>,
}

/// Bytes a prune frees: exact, or an upper bound to be shown as "up to".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reclaim {
    /// Exactly this many.
    Exact(u64),
    /// At most this many.
    UpTo(u64),
}

impl Reclaim {
    /// The figure.
    pub fn bytes(self) -> u64 {
        match self {
            Reclaim::Exact(n) | Reclaim::UpTo(n) => n,
        }
    }
}

/// One record a builder prune would remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRecord {
    /// Record ID.
    pub id: String,
    /// Bytes.
    pub size: u64,
    /// Its description.
    pub description: String,
    /// False when it only may go (storage-budget prunes).
    pub certain: bool,
}

/// A builder prune preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildCachePlan {
    /// What was asked.
    pub options: BuilderPruneOptions,
    /// Records that go (or may go, see [`PlannedRecord::certain`]), in the engine's order.
    pub records: Vec<PlannedRecord>,
    /// Bytes freed.
    pub reclaim: Reclaim,
    /// For storage-budget prunes: the bytes expected when the engine breaks ties as this preview
    /// does.
    pub expected: Option<u64>,
}

/// What a builder prune did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildCacheReport {
    /// Record IDs the engine deleted.
    pub deleted: Vec<String>,
    /// Bytes the engine reports reclaimed.
    pub reclaimed: u64,
}

fn eligible(
    r: &BuildCacheRecord,
    opts: &BuilderPruneOptions,
    now: DateTime<Utc>,
    children: &HashMap<&str, usize>,
) -> bool {
    if r.in_use || children.get(r.id.as_str()).is_some_and(|n| *n > 0) {
        return false;
    }
    if !opts.all && (matches!(r.kind.as_str(), "internal" | "frontend") || r.shared) {
        return false;
    }
    if let Some(d) = opts.until {
        let cutoff = now - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        if r.last_used_at.is_some_and(|t| t > cutoff) {
            return false;
        }
    }
    true
}

/// BuildKit's order for storage-budget deletion: by the sum of the normalised ranks of last use
/// (never used first) and usage count.
fn gc_order(candidates: &mut [&BuildCacheRecord]) {
    candidates.sort_by(|a, b| match (a.last_used_at, b.last_used_at) {
        (None, _) => std::cmp::Ordering::Less,
        (_, None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    });
    let mut last_rank: HashMap<&str, f64> = HashMap::new();
    let (mut max_last, mut val) = (0usize, None);
    for r in candidates.iter() {
        if let Some(t) = r.last_used_at
            && val.is_none_or(|v| t > v)
        {
            val = Some(t);
            max_last += 1;
        }
        last_rank.insert(r.id.as_str(), max_last as f64);
    }
    candidates.sort_by_key(|r| r.usage_count);
    let mut count_rank: HashMap<&str, f64> = HashMap::new();
    let (mut max_count, mut count) = (0usize, 0u64);
    for r in candidates.iter() {
        if r.usage_count != count {
            count = r.usage_count;
            max_count += 1;
        }
        count_rank.insert(r.id.as_str(), max_count as f64);
    }
    let score = |r: &BuildCacheRecord| {
        last_rank[r.id.as_str()] / max_last as f64 + count_rank[r.id.as_str()] / max_count as f64
    };
    candidates.sort_by(|a, b| score(a).total_cmp(&score(b)));
}

/// Simulates the prune rounds; returns the deleted records in order.
fn simulate<'a>(
    records: &'a [BuildCacheRecord],
    opts: &BuilderPruneOptions,
    now: DateTime<Utc>,
    keep: Option<u64>,
) -> Vec<&'a BuildCacheRecord> {
    let mut gone: HashSet<&str> = HashSet::new();
    let mut order = Vec::new();
    // The engine always passes a (possibly empty) filter, so BuildKit's budget total leaves out
    // records whose data images hold: the shared ones (and, unseen here, their parents count).
    let mut total: u64 = records.iter().filter(|r| !r.shared).map(|r| r.size).sum();
    loop {
        if keep.is_some_and(|k| total < k) {
            break;
        }
        let mut children: HashMap<&str, usize> = HashMap::new();
        for r in records.iter().filter(|r| !gone.contains(r.id.as_str())) {
            for p in &r.parents {
                *children.entry(p.as_str()).or_default() += 1;
            }
        }
        let mut round: Vec<&BuildCacheRecord> = records
            .iter()
            .filter(|r| !gone.contains(r.id.as_str()) && eligible(r, opts, now, &children))
            .collect();
        if round.is_empty() {
            break;
        }
        if keep.is_some() {
            gc_order(&mut round);
            round.truncate(1);
            total = total.saturating_sub(round[0].size);
        }
        for r in round {
            gone.insert(r.id.as_str());
            order.push(r);
        }
    }
    order
}

/// Computes a builder prune preview from the engine's records at time `now`.
pub fn plan(
    records: &[BuildCacheRecord],
    opts: &BuilderPruneOptions,
    now: DateTime<Utc>,
) -> BuildCachePlan {
    let upper = simulate(records, opts, now, None);
    let upper_bytes: u64 = upper.iter().map(|r| r.size).sum();
    let to_planned = |r: &BuildCacheRecord, certain| PlannedRecord {
        id: r.id.clone(),
        size: r.size,
        description: r.description.clone(),
        certain,
    };
    match opts.keep_storage {
        None => BuildCachePlan {
            options: opts.clone(),
            records: upper.iter().map(|r| to_planned(r, true)).collect(),
            reclaim: Reclaim::Exact(upper_bytes),
            expected: None,
        },
        Some(keep) => {
            let expected = simulate(records, opts, now, Some(keep));
            let mut list: Vec<PlannedRecord> =
                expected.iter().map(|r| to_planned(r, false)).collect();
            let listed: HashSet<&str> = expected.iter().map(|r| r.id.as_str()).collect();
            list.extend(
                upper
                    .iter()
                    .filter(|r| !listed.contains(r.id.as_str()))
                    .map(|r| to_planned(r, false)),
            );
            BuildCachePlan {
                options: opts.clone(),
                records: list,
                reclaim: Reclaim::UpTo(upper_bytes),
                expected: Some(expected.iter().map(|r| r.size).sum()),
            }
        }
    }
}

/// Formats a duration as Go's `time.ParseDuration` reads it (`86400s`).
pub fn go_duration(d: Duration) -> String {
    format!("{}s", d.as_secs())
}

/// The query string of `POST /build/prune` for these options and API version.
pub fn prune_query(opts: &BuilderPruneOptions, api: (u32, u32)) -> String {
    let mut q = Vec::new();
    if opts.all {
        q.push("all=1".to_string());
    }
    if let Some(keep) = opts.keep_storage {
        // API 1.48 renamed the budget; older engines know only `keep-storage`.
        let key = if api >= (1, 48) {
            "reserved-space"
        } else {
            "keep-storage"
        };
        q.push(format!("{key}={keep}"));
    }
    if let Some(d) = opts.until {
        let filters = serde_json::json!({ "until": [go_duration(d)] }).to_string();
        q.push(format!("filters={}", encode_query(&filters)));
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

/// Runs a builder prune and reports what the engine says it deleted.
pub async fn prune(
    docker: &Docker,
    raw: Option<&RawApi>,
    opts: &BuilderPruneOptions,
) -> Result<BuildCacheReport, EngineError> {
    let (deleted, reclaimed) = match raw {
        Some(raw) => {
            let v = raw
                .post(&format!("/build/prune{}", prune_query(opts, raw.version())))
                .await?;
            (
                super::disk::str_list(&v, "CachesDeleted"),
                super::disk::size_field(&v, "SpaceReclaimed").unwrap_or(0),
            )
        }
        None => {
            let mut filters = HashMap::new();
            if let Some(d) = opts.until {
                filters.insert("until".to_string(), vec![go_duration(d)]);
            }
            let o = bollard::query_parameters::PruneBuildOptions {
                all: Some(opts.all),
                reserved_space: opts.keep_storage.and_then(|k| i64::try_from(k).ok()),
                filters: Some(filters),
                ..Default::default()
            };
            let r = docker.prune_build(Some(o)).await?;
            (
                r.caches_deleted.unwrap_or_default(),
                r.space_reclaimed
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            )
        }
    };
    Ok(BuildCacheReport { deleted, reclaimed })
}

#[cfg(test)]
#[path = "buildcache_tests.rs"]
mod tests;
