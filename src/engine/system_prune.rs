//! System prune: one plan for stopped containers, unused networks, optionally volumes, dangling
//! or all unused images and build cache, executed in the CLI's order, with what the engine
//! reclaimed per kind.
//!
//! Each part of the plan takes into account what the parts before it remove: volumes and images
//! used only by the stopped containers that go are counted as going too. The image part is the
//! image prune's own preview ([`super::images::prune_plan_for`]).
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bollard::Docker;
use chrono::{DateTime, Utc};

use super::EngineError;
use super::buildcache::{self, BuildCachePlan, BuildCacheReport, BuilderPruneOptions, Reclaim};
use super::disk::{self, labels};
use super::disk_types::DiskContainer;
use super::images;
use super::networks::{self, NetworkPruneFilters, NetworkPrunePlan};
use super::raw_api::RawApi;
use super::types::{Inventory, PrunePlan, PruneScope};
use super::volumes::{self, VolumePrunePlan, VolumePruneReport, VolumePruneScope, label_matches};

/// What a system prune covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SystemPruneOptions {
    /// All unused images (not only dangling ones) and all build cache (`-a`).
    pub all: bool,
    /// Prune volumes too, with this scope (`--volumes`).
    pub volumes: Option<VolumePruneScope>,
    /// Only objects created (build cache: used) more than this long ago (`--filter until=`).
    pub until: Option<Duration>,
    /// Label filters (`key` or `key=value`), all of which must match (`--filter label=`).
    pub labels: Vec<String>,
}

/// A container the prune removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPruneItem {
    /// Full ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Bytes of its writable layer.
    pub size_rw: u64,
}

/// Everything a system prune would remove, computed before asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemPrunePlan {
    /// What was asked.
    pub options: SystemPruneOptions,
    /// Stopped containers that go.
    pub containers: Vec<ContainerPruneItem>,
    /// Their bytes.
    pub containers_reclaim: u64,
    /// Networks that go.
    pub networks: NetworkPrunePlan,
    /// Volumes that go, when asked.
    pub volumes: Option<VolumePrunePlan>,
    /// Images that go.
    pub images: PrunePlan,
    /// Bytes the image part frees: an upper bound when a BuildKit-built image goes while
    /// build-cache records share layers with images (the engine then frees those layers with the
    /// build cache, or not at all, rather than with the image).
    pub images_reclaim: Reclaim,
    /// Build-cache records that go.
    pub build_cache: BuildCachePlan,
    /// Bytes freed in all: exact unless the build-cache part is an upper bound.
    pub total: Reclaim,
}

/// What a system prune did, per kind, as the engine reported it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SystemPruneReport {
    /// Container IDs deleted.
    pub containers_deleted: Vec<String>,
    /// Bytes reclaimed from containers.
    pub containers_reclaimed: u64,
    /// Network names deleted.
    pub networks_deleted: Vec<String>,
    /// Volumes, when pruned.
    pub volumes: Option<VolumePruneReport>,
    /// Images deleted and untagged, as the engine listed them.
    pub images_deleted: Vec<String>,
    /// The same, sorted into images, layers and tags.
    pub images_removed: super::types::Removed,
    /// Bytes reclaimed from images.
    pub images_reclaimed: u64,
    /// Build cache.
    pub build_cache: BuildCacheReport,
}

impl SystemPruneReport {
    /// Bytes reclaimed in all.
    pub fn total(&self) -> u64 {
        self.containers_reclaimed
            + self.volumes.as_ref().map_or(0, |v| v.reclaimed)
            + self.images_reclaimed
            + self.build_cache.reclaimed
    }
}

fn cutoff(now: DateTime<Utc>, until: Option<Duration>) -> Option<i64> {
    until.map(|d| now.timestamp() - i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Stopped containers (not running, paused or restarting) matching the filters; `labels_of`
/// gives each container's labels.
pub fn containers_to_prune(
    containers: &[DiskContainer],
    labels_of: &HashMap<String, Vec<(String, String)>>,
    opts: &SystemPruneOptions,
    now: DateTime<Utc>,
) -> Vec<ContainerPruneItem> {
    let cut = cutoff(now, opts.until);
    containers
        .iter()
        .filter(|c| !c.is_active() && c.state != "removing")
        .filter(|c| cut.is_none_or(|t| c.created <= t))
        .filter(|c| {
            let l = labels_of.get(&c.id).map_or(&[][..], Vec::as_slice);
            opts.labels.iter().all(|f| label_matches(f, l))
        })
        .map(|c| ContainerPruneItem {
            id: c.id.clone(),
            name: c.name.clone(),
            size_rw: c.size_rw.unwrap_or(0),
        })
        .collect()
}

/// What the prune filters look at in an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFact {
    /// Image ID.
    pub id: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Labels.
    pub labels: Vec<(String, String)>,
}

/// Image IDs that the filters leave out of an image prune.
pub fn images_excluded(
    images: &[ImageFact],
    opts: &SystemPruneOptions,
    now: DateTime<Utc>,
) -> HashSet<String> {
    let cut = cutoff(now, opts.until);
    images
        .iter()
        .filter(|i| {
            cut.is_some_and(|t| i.created > t)
                || !opts.labels.iter().all(|f| label_matches(f, &i.labels))
        })
        .map(|i| i.id.clone())
        .collect()
}

/// Computes the system prune plan from the engine's current state.
pub async fn plan(
    docker: &Docker,
    raw: Option<&RawApi>,
    opts: &SystemPruneOptions,
) -> Result<SystemPrunePlan, EngineError> {
    if opts.volumes.is_some() && opts.until.is_some() {
        return Err(EngineError::Invalid(
            "the engine does not filter volumes by age: drop `until` or leave volumes out".into(),
        ));
    }
    let now = Utc::now();
    let df_value = disk::raw_df(docker, raw).await?;
    let df = disk::parse_df(&df_value);
    let containers_raw = match raw {
        Some(raw) => raw.get("/containers/json?all=1").await?,
        None => serde_json::to_value(
            docker
                .list_containers(Some(
                    bollard::query_parameters::ListContainersOptionsBuilder::default()
                        .all(true)
                        .build(),
                ))
                .await?,
        )
        .map_err(|e| EngineError::Invalid(e.to_string()))?,
    };
    let container_labels: HashMap<String, Vec<(String, String)>> = containers_raw
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|c| (disk::str_field(c, "Id"), labels(c, "Labels")))
        .collect();
    let containers = containers_to_prune(&df.container_items, &container_labels, opts, now);
    let gone_names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
    let gone_ids: HashSet<&str> = containers.iter().map(|c| c.id.as_str()).collect();
    let net_filters = NetworkPruneFilters {
        until: opts.until,
        labels: opts.labels.clone(),
    };
    let networks = networks::plan(&networks::list(docker, raw).await?, &net_filters, now);
    let volumes = opts.volumes.map(|scope| {
        volumes::plan(
            &df.volume_items,
            scope,
            volumes::api_version(docker),
            &opts.labels,
            &gone_names,
        )
    });
    let mut inventory: Inventory = images::inventory(docker).await?;
    inventory
        .containers
        .retain(|c| !gone_ids.contains(c.id.as_str()));
    let image_facts = image_facts(docker).await?;
    let excluded = images_excluded(&image_facts, opts, now);
    let scope = if opts.all {
        PruneScope::AllUnused
    } else {
        PruneScope::Dangling
    };
    let images = images::prune_plan_for(docker, scope, true, &inventory, &excluded).await?;
    let build_opts = BuilderPruneOptions {
        all: opts.all,
        until: opts.until,
        keep_storage: None,
    };
    let build_cache = buildcache::plan(&df.build_cache_items, &build_opts, now);
    let shared_cache = df.build_cache_items.iter().any(|r| r.shared);
    let images_reclaim = if shared_cache && any_buildkit_image(docker, &images).await? {
        Reclaim::UpTo(images.reclaim)
    } else {
        Reclaim::Exact(images.reclaim)
    };
    let containers_reclaim = containers.iter().map(|c| c.size_rw).sum();
    let fixed = containers_reclaim + volumes.as_ref().map_or(0, |v| v.reclaim);
    let total = match (images_reclaim, build_cache.reclaim) {
        (Reclaim::Exact(i), Reclaim::Exact(b)) => Reclaim::Exact(fixed + i + b),
        (i, b) => Reclaim::UpTo(fixed + i.bytes() + b.bytes()),
    };
    Ok(SystemPrunePlan {
        options: opts.clone(),
        containers,
        containers_reclaim,
        networks,
        volumes,
        images,
        images_reclaim,
        build_cache,
        total,
    })
}

/// Whether an image that goes was built by BuildKit (its history says so).
async fn any_buildkit_image(docker: &Docker, plan: &PrunePlan) -> Result<bool, EngineError> {
    for c in plan.images.iter().filter(|c| !c.untag_only) {
        let d = images::details(docker, &c.id).await?;
        if d.history
            .iter()
            .any(|h| h.comment.contains("buildkit") || h.created_by.ends_with("# buildkit"))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `(id, created, labels)` of every top-level image.
async fn image_facts(docker: &Docker) -> Result<Vec<ImageFact>, EngineError> {
    let list = docker
        .list_images(Some(
            bollard::query_parameters::ListImagesOptionsBuilder::default().build(),
        ))
        .await?;
    Ok(list
        .into_iter()
        .map(|i| {
            let mut labels: Vec<(String, String)> = i.labels.into_iter().collect();
            labels.sort();
            ImageFact {
                id: i.id,
                created: i.created,
                labels,
            }
        })
        .collect())
}

/// Runs the system prune in the CLI's order: containers, networks, volumes, images, build cache.
pub async fn execute(
    docker: &Docker,
    raw: Option<&RawApi>,
    opts: &SystemPruneOptions,
) -> Result<SystemPruneReport, EngineError> {
    if opts.volumes.is_some() && opts.until.is_some() {
        return Err(EngineError::Invalid(
            "the engine does not filter volumes by age: drop `until` or leave volumes out".into(),
        ));
    }
    let filters = networks::prune_filters(opts.until, &opts.labels);
    let c = docker
        .prune_containers(Some(
            bollard::query_parameters::PruneContainersOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await?;
    let net_filters = NetworkPruneFilters {
        until: opts.until,
        labels: opts.labels.clone(),
    };
    let networks_deleted = networks::prune(docker, &net_filters).await?;
    let volumes = match opts.volumes {
        Some(scope) => Some(volumes::prune(docker, scope, &opts.labels).await?),
        None => None,
    };
    let mut image_filters = filters.clone();
    image_filters.insert(
        "dangling".into(),
        vec![if opts.all { "false" } else { "true" }.into()],
    );
    let known = super::images::image_ids(docker).await?;
    let i = docker
        .prune_images(Some(
            bollard::query_parameters::PruneImagesOptionsBuilder::default()
                .filters(&image_filters)
                .build(),
        ))
        .await?;
    let build_opts = BuilderPruneOptions {
        all: opts.all,
        until: opts.until,
        keep_storage: None,
    };
    let build_cache = buildcache::prune(docker, raw, &build_opts).await?;
    let size = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0);
    let images_removed =
        super::images::sort_deleted(i.images_deleted.as_deref().unwrap_or_default(), &known);
    Ok(SystemPruneReport {
        containers_deleted: c.containers_deleted.unwrap_or_default(),
        containers_reclaimed: size(c.space_reclaimed),
        networks_deleted,
        volumes,
        images_deleted: i
            .images_deleted
            .unwrap_or_default()
            .into_iter()
            .flat_map(|d| {
                d.untagged
                    .map(|u| format!("untagged {u}"))
                    .into_iter()
                    .chain(d.deleted.map(|d| format!("deleted {d}")))
            })
            .collect(),
        images_reclaimed: size(i.space_reclaimed),
        images_removed,
        build_cache,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, state: &str, created: i64, size: u64) -> DiskContainer {
        DiskContainer {
            id: id.into(),
            name: format!("n-{id}"),
            state: state.into(),
            created,
            size_rw: Some(size),
            ..Default::default()
        }
    }

    #[test]
    fn stopped_containers_matching_filters_go() {
        let now = DateTime::from_timestamp(10_000, 0).unwrap();
        let list = vec![
            c("a", "exited", 100, 5),
            c("b", "running", 100, 7),
            c("c", "created", 9_990, 1),
            c("d", "paused", 100, 1),
            c("e", "dead", 100, 2),
        ];
        let mut labels = HashMap::new();
        labels.insert(
            "a".to_string(),
            vec![("keep".to_string(), "no".to_string())],
        );
        let all = containers_to_prune(&list, &labels, &SystemPruneOptions::default(), now);
        let ids: Vec<_> = all.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "c", "e"]);
        let old = SystemPruneOptions {
            until: Some(Duration::from_secs(60)),
            ..Default::default()
        };
        let ids: Vec<_> = containers_to_prune(&list, &labels, &old, now)
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, vec!["a", "e"]);
        let labelled = SystemPruneOptions {
            labels: vec!["keep=no".into()],
            ..Default::default()
        };
        assert_eq!(containers_to_prune(&list, &labels, &labelled, now).len(), 1);
    }

    #[test]
    fn image_filters_exclude_new_or_unlabelled_images() {
        let now = DateTime::from_timestamp(10_000, 0).unwrap();
        let fact = |id: &str, created, labels: &[(&str, &str)]| ImageFact {
            id: id.into(),
            created,
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let images = vec![fact("old", 100, &[("team", "a")]), fact("new", 9_999, &[])];
        let opts = SystemPruneOptions {
            until: Some(Duration::from_secs(60)),
            ..Default::default()
        };
        assert_eq!(
            images_excluded(&images, &opts, now),
            HashSet::from(["new".to_string()])
        );
        let opts = SystemPruneOptions {
            labels: vec!["team".into()],
            ..Default::default()
        };
        assert_eq!(
            images_excluded(&images, &opts, now),
            HashSet::from(["new".to_string()])
        );
    }
}
