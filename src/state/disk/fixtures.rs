//! Tests: the answers a private dockerd 20.10 (API 1.41) gave after fixture builds, containers,
//! volumes and networks (`tests/fixtures/disk/`), turned into engine events by the engine's own
//! parsers.
use serde_json::Value;

use crate::engine::disk::parse_df;
use crate::engine::disk_types::{DataRoot, DiskUsage};
use crate::engine::networks::{NetworkInfo, assemble};

/// A clock an hour after the capture.
pub const NOW: i64 = CAPTURED + 3_600;

/// When the fixtures were captured (unix seconds).
pub const CAPTURED: i64 = 1796282583;

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture JSON")
}

/// `/system/df?verbose=1`.
pub fn df() -> Value {
    json(include_str!("../../../tests/fixtures/disk/system_df.json"))
}

/// The disk usage the engine reports, with the data root as statvfs read it.
pub fn usage() -> DiskUsage {
    let mut du = parse_df(&df());
    du.data_root = DataRoot::Reported {
        path: "/var/lib/docker".into(),
        total: 50_000_000_000,
        available: 12_345_000_000,
    };
    du
}

/// Networks with their containers, from `/networks` and `/containers/json?all=1`.
pub fn networks() -> Vec<NetworkInfo> {
    assemble(
        &json(include_str!("../../../tests/fixtures/disk/networks.json")),
        &json(include_str!("../../../tests/fixtures/disk/containers.json")),
    )
}

/// The time of `NOW`.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(NOW, 0).expect("a valid time")
}

/// The images and containers of the disk usage as the inventory lists them.
pub fn inventory() -> crate::engine::Inventory {
    let du = parse_df(&df());
    crate::engine::Inventory {
        images: du
            .image_items
            .iter()
            .map(|i| crate::engine::ImageInfo {
                id: i.id.clone(),
                repo_tags: i.repo_tags.clone(),
                repo_digests: i.repo_digests.clone(),
                created: i.created,
                size: i.size.unwrap_or(0),
            })
            .collect(),
        containers: du
            .container_items
            .iter()
            .map(|c| crate::engine::ContainerInfo {
                id: c.id.clone(),
                name: c.name.clone(),
                image: c.image.clone(),
                image_id: c.image_id.clone(),
                state: c.state.as_str().into(),
                status: c.status.clone(),
                command: c.command.clone(),
                created: c.created,
                ..Default::default()
            })
            .collect(),
    }
}

/// A system prune plan for `opts`, computed by the engine's planners over the fixture. The
/// images' layer sizes are not in the fixture: image bytes count as 0 (dangling-only plans have
/// no image in the fixture, so they are exact).
pub fn system_plan(
    opts: &crate::engine::system_prune::SystemPruneOptions,
) -> crate::engine::system_prune::SystemPrunePlan {
    use crate::engine::buildcache::{self, BuilderPruneOptions, Reclaim};
    use crate::engine::{networks, prune, system_prune, volumes};
    let du = parse_df(&df());
    let raw = json(include_str!("../../../tests/fixtures/disk/containers.json"));
    let labels_of = raw
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|c| {
            (
                crate::engine::disk::str_field(c, "Id"),
                crate::engine::disk::labels(c, "Labels"),
            )
        })
        .collect();
    let containers =
        system_prune::containers_to_prune(&du.container_items, &labels_of, opts, now());
    let gone: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
    let filters = networks::NetworkPruneFilters {
        until: opts.until,
        labels: opts.labels.clone(),
    };
    let nets = networks::plan(&networks(), &filters, now());
    let vols = opts
        .volumes
        .map(|scope| volumes::plan(&du.volume_items, scope, (1, 41), &opts.labels, &gone));
    let scope = if opts.all {
        crate::engine::PruneScope::AllUnused
    } else {
        crate::engine::PruneScope::Dangling
    };
    let mut inv = inventory();
    inv.containers.retain(|c| !gone.contains(&c.name));
    let images = prune::plan(scope, true, &inv, &Default::default());
    let cache = buildcache::plan(
        &du.build_cache_items,
        &BuilderPruneOptions {
            all: opts.all,
            until: opts.until,
            keep_storage: None,
        },
        now(),
    );
    let containers_reclaim: u64 = containers.iter().map(|c| c.size_rw).sum();
    let fixed = containers_reclaim + vols.as_ref().map_or(0, |v| v.reclaim);
    let total = match cache.reclaim {
        Reclaim::Exact(b) => Reclaim::Exact(fixed + images.reclaim + b),
        Reclaim::UpTo(b) => Reclaim::UpTo(fixed + images.reclaim + b),
    };
    system_prune::SystemPrunePlan {
        options: opts.clone(),
        containers,
        containers_reclaim,
        networks: nets,
        volumes: vols,
        images_reclaim: Reclaim::Exact(images.reclaim),
        images,
        build_cache: cache,
        total,
    }
}
