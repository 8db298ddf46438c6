//! Disk space against the REAL engine (DOCKER_HOST) with Debian's docker CLI as the oracle:
//! `system df -v` figures, per-image shared sizes, build-cache, volume, network and system prune
//! previews against what the engine then reclaims, and in-use refusals. Tests take one lock:
//! each compares engine-wide figures, which another test's fixtures would change under it.
//! Prunes are confined to this file's fixtures by labels (the build cache has no labels: a
//! builder prune empties it, which costs later builds time, never correctness).
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use bollard::Docker;
use common::engine::{self, Cleanup};
use dockhand::disk_cli::{human_size, reclaimable_text};
use dockhand::engine::buildcache::{self, BuilderPruneOptions, Reclaim};
use dockhand::engine::disk_types::{DataRoot, DiskUsage};
use dockhand::engine::disk_worker;
use dockhand::engine::image_share;
use dockhand::engine::networks::{self, NetworkPruneFilters, NetworkSpec};
use dockhand::engine::raw_api::RawApi;
use dockhand::engine::system_prune::{self, SystemPruneOptions};
use dockhand::engine::volumes::{self, VolumePruneScope, VolumeSpec};
use serde_json::Value;

static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Debian's docker CLI (20.10, the engine's own), or `$DOCKHAND_DOCKER_CLI`.
fn cli_path() -> String {
    std::env::var("DOCKHAND_DOCKER_CLI").unwrap_or_else(|_| "/usr/bin/docker".into())
}

fn cli(args: &[&str], dir: Option<&Path>) -> String {
    let mut cmd = Command::new(cli_path());
    cmd.args(args).env("DOCKER_BUILDKIT", "1");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("docker {args:?}: {e}"));
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn raw(docker: &Docker) -> RawApi {
    let host = engine::docker_host().unwrap_or_default();
    RawApi::for_endpoint(&host, docker).expect("a unix or tcp DOCKER_HOST")
}

/// Removes volumes and networks when dropped (containers and images go through [`Cleanup`]).
#[derive(Default)]
struct Extra {
    volumes: Vec<String>,
    networks: Vec<String>,
}

impl Drop for Extra {
    fn drop(&mut self) {
        for v in &self.volumes {
            let _ = Command::new(cli_path())
                .args(["volume", "rm", "-f", v])
                .output();
        }
        for n in &self.networks {
            let _ = Command::new(cli_path()).args(["network", "rm", n]).output();
        }
    }
}

/// Builds with BuildKit through the CLI (makes build-cache records); returns the image ID.
fn buildkit_build(tag: &str, label: &str, dockerfile: &str, files: &[(&str, &[u8])]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    for (name, data) in files {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    let args = [
        "build",
        "--network",
        "host",
        "-q",
        "-t",
        tag,
        "--label",
        label,
        ".",
    ];
    cli(&args, Some(dir.path())).trim().to_string()
}

/// Runs `sh -c script` to completion in a named, kept container (`--network none`).
fn run_kept(name: &str, image: &str, extra: &[&str], script: &str) {
    let mut args = vec!["run", "--network", "none", "--name", name];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[image, "sh", "-c", script]);
    cli(&args, None);
}

async fn usage(docker: &Docker) -> DiskUsage {
    disk_worker::usage(docker, Some(&raw(docker)))
        .await
        .unwrap()
}

fn cli_rows() -> BTreeMap<String, Value> {
    cli(&["system", "df", "--format", "{{json .}}"], None)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["Type"].as_str().unwrap_or_default().to_string(), v))
        .collect()
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// `HumanSizeWithPrecision(n, 3)`, which the CLI's item columns use.
fn human3(n: u64) -> String {
    let four = human_size(n);
    let unit_at = four
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(four.len());
    let (num, unit) = four.split_at(unit_at);
    let x: f64 = num.parse().unwrap();
    let digits = if x < 1.0 {
        2
    } else {
        2 - (x.log10().floor() as i32).min(2)
    };
    let mut t = format!("{x:.*}", digits.max(0) as usize);
    if t.contains('.') {
        t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{t}{unit}")
}

#[tokio::test]
async fn system_df_figures_equal_the_clis() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    // Containers go first (the guard is dropped first), then their volumes and networks.
    let mut extra = Extra::default();
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-df");
    let label = format!("dh-disk-test={id}");
    let base = guard.image(format!("{id}-a:1"));
    let blob: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    buildkit_build(
        &base,
        &label,
        "FROM dh-busybox:1\nCOPY blob /blob\nRUN dd if=/dev/zero of=/big bs=1k count=300\n",
        &[("blob", &blob)],
    );
    let child = guard.image(format!("{id}-b:1"));
    buildkit_build(
        &child,
        &label,
        &format!("FROM {base}\nRUN dd if=/dev/zero of=/more bs=1k count=120\n"),
        &[],
    );
    let vol = format!("{id}-vol");
    extra.volumes.push(vol.clone());
    let writer = guard.container(format!("{id}-w"));
    let mount = format!("{vol}:/v");
    run_kept(
        &writer,
        &child,
        &["-v", &mount],
        "dd if=/dev/zero of=/v/x bs=1k count=64 && dd if=/dev/zero of=/w bs=1k count=40",
    );

    let du = usage(&docker).await;
    let rows = cli_rows();
    let kinds = [
        ("Images", &du.images, true),
        ("Containers", &du.containers, true),
        ("Local Volumes", &du.volumes, true),
        ("Build Cache", &du.build_cache, false),
    ];
    for (kind, c, pct) in kinds {
        let row = &rows[kind];
        assert_eq!(
            s(row, "TotalCount"),
            c.total_count.to_string(),
            "{kind} total"
        );
        assert_eq!(
            s(row, "Active"),
            c.active_count.to_string(),
            "{kind} active"
        );
        assert_eq!(s(row, "Size"), human_size(c.size.unwrap()), "{kind} size");
        assert_eq!(
            s(row, "Reclaimable"),
            reclaimable_text(c, pct),
            "{kind} reclaimable"
        );
    }
    let verbose: Value = serde_json::from_str(&cli(
        &["system", "df", "-v", "--format", "{{json .}}"],
        None,
    ))
    .unwrap();
    let images = verbose["Images"].as_array().unwrap();
    assert_eq!(images.len(), du.image_items.len());
    for row in images {
        let ours = du
            .image_items
            .iter()
            .find(|i| i.id == s(row, "ID"))
            .unwrap();
        assert_eq!(s(row, "SharedSize"), human_size(ours.shared_size.unwrap()));
        assert_eq!(s(row, "UniqueSize"), human_size(ours.unique_size.unwrap()));
        assert_eq!(s(row, "Containers"), ours.containers.unwrap().to_string());
    }
    let mine = du
        .image_items
        .iter()
        .find(|i| i.repo_tags.contains(&child))
        .unwrap();
    assert_eq!(
        mine.unique_size,
        Some(120 * 1024),
        "only the last RUN is the child's own"
    );
    for row in verbose["Containers"].as_array().unwrap() {
        let ours = du
            .container_items
            .iter()
            .find(|c| c.id == s(row, "ID"))
            .unwrap();
        assert_eq!(
            s(row, "Size"),
            human3(ours.size_rw.unwrap()),
            "{}",
            ours.name
        );
    }
    let w = du
        .container_items
        .iter()
        .find(|c| c.name == writer)
        .unwrap();
    assert!(w.size_rw.unwrap() >= 40 * 1024);
    for row in verbose["Volumes"].as_array().unwrap() {
        let ours = du
            .volume_items
            .iter()
            .find(|v| v.name == s(row, "Name"))
            .unwrap();
        assert_eq!(
            s(row, "Size"),
            human_size(ours.size.unwrap()),
            "{}",
            ours.name
        );
        assert_eq!(s(row, "Links"), ours.ref_count.unwrap().to_string());
    }
    let v = du.volume_items.iter().find(|v| v.name == vol).unwrap();
    assert_eq!(v.size, Some(64 * 1024));
    assert_eq!(v.containers, vec![writer.clone()]);
    let cache = verbose["BuildCache"].as_array().unwrap();
    assert_eq!(cache.len(), du.build_cache_items.len());
    assert!(!cache.is_empty(), "BuildKit builds leave cache records");
    for row in cache {
        let ours = du
            .build_cache_items
            .iter()
            .find(|r| r.id == s(row, "ID"))
            .unwrap();
        assert_eq!(s(row, "Size"), human3(ours.size), "{}", ours.id);
        assert_eq!(s(row, "UsageCount"), ours.usage_count.to_string());
        assert_eq!(s(row, "Shared"), ours.shared.to_string());
    }
    assert!(du.build_cache_items.iter().any(|r| {
        buildcache::origin(&r.description).instruction().as_deref()
            == Some("RUN dd if=/dev/zero of=/more bs=1k count=120")
    }));
    match &du.data_root {
        DataRoot::Reported {
            total, available, ..
        } => assert!(*available > 0 && available <= total),
        DataRoot::NotReported(why) => panic!("a local engine's data root is readable: {why}"),
    }
}

#[tokio::test]
async fn computed_shared_sizes_equal_the_engines() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-share");
    let base = guard.image(format!("{id}-a:1"));
    engine::image_from_dockerfile(
        &docker,
        &base,
        "FROM dh-busybox:1\nRUN dd if=/dev/zero of=/a bs=1k count=50\n",
        &[],
    )
    .await;
    let child = guard.image(format!("{id}-b:1"));
    let df = format!("FROM {base}\nRUN dd if=/dev/zero of=/b bs=1k count=20\n");
    engine::image_from_dockerfile(&docker, &child, &df, &[]).await;
    let du = usage(&docker).await;
    let ids: Vec<String> = du.image_items.iter().map(|i| i.id.clone()).collect();
    let ours = image_share::shared_sizes(&image_share::image_layers(&docker, &ids).await.unwrap());
    for image in &du.image_items {
        let (shared, unique) = ours[&image.id];
        assert_eq!(
            Some(shared),
            image.shared_size,
            "shared size of {:?}",
            image.repo_tags
        );
        assert_eq!(
            Some(unique),
            image.unique_size,
            "unique size of {:?}",
            image.repo_tags
        );
    }
}

async fn cache_records(docker: &Docker) -> Vec<dockhand::engine::disk_types::BuildCacheRecord> {
    usage(docker).await.build_cache_items
}

fn cache_fixture(id: &str, guard: &mut Cleanup, n: u32) {
    let tag = guard.image(format!("{id}-c{n}:1"));
    let body = format!(
        "FROM dh-busybox:1\nCOPY blob /blob\nRUN dd if=/dev/zero of=/x bs=1k count={}\nRUN echo {id}-{n} > /y\n",
        10 + n
    );
    // The context upload is a build-cache record no image shares.
    let blob: Vec<u8> = (0..20_000 + n).map(|i| (i % 253) as u8).collect();
    buildkit_build(
        &tag,
        &format!("dh-disk-test={id}"),
        &body,
        &[("blob", &blob)],
    );
}

#[tokio::test]
async fn builder_prune_previews_equal_what_the_engine_reclaims() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-bc");
    let r = raw(&docker);
    for (n, opts) in [
        BuilderPruneOptions::default(),
        BuilderPruneOptions {
            until: Some(Duration::from_secs(86_400)),
            all: true,
            keep_storage: None,
        },
        BuilderPruneOptions {
            all: true,
            ..Default::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        cache_fixture(&id, &mut guard, n as u32);
        let plan = buildcache::plan(&cache_records(&docker).await, &opts, chrono::Utc::now());
        let done = buildcache::prune(&docker, Some(&r), &opts).await.unwrap();
        assert_eq!(plan.reclaim, Reclaim::Exact(done.reclaimed), "{opts:?}");
        let planned: BTreeSet<_> = plan.records.iter().map(|p| p.id.clone()).collect();
        let deleted: BTreeSet<_> = done.deleted.iter().cloned().collect();
        assert_eq!(planned, deleted, "{opts:?}");
        if opts.all && opts.until.is_none() {
            assert!(done.reclaimed > 0);
            assert!(cache_records(&docker).await.iter().all(|r| r.in_use));
        }
    }
    // A storage budget: the engine's pick is bounded by the preview's upper bound.
    for n in 10..13 {
        cache_fixture(&id, &mut guard, n);
    }
    let records = cache_records(&docker).await;
    let total: u64 = records.iter().filter(|r| !r.shared).map(|r| r.size).sum();
    let opts = BuilderPruneOptions {
        all: true,
        keep_storage: Some(total / 2),
        until: None,
    };
    let plan = buildcache::plan(&records, &opts, chrono::Utc::now());
    let done = buildcache::prune(&docker, Some(&r), &opts).await.unwrap();
    eprintln!(
        "keep-storage {}: preview expected {:?}, up to {:?}; engine reclaimed {}",
        total / 2,
        plan.expected,
        plan.reclaim,
        done.reclaimed
    );
    assert!(matches!(plan.reclaim, Reclaim::UpTo(_)));
    assert!(done.reclaimed <= plan.reclaim.bytes());
}

#[tokio::test]
async fn volumes_in_use_are_refused_and_prune_previews_hold() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    // Containers go first (the guard is dropped first), then their volumes and networks.
    let mut extra = Extra::default();
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-vol");
    let label = format!("dh-disk-test={id}");
    let spec = |name: &str| VolumeSpec {
        name: name.into(),
        labels: vec![("dh-disk-test".into(), id.clone())],
        ..Default::default()
    };
    let used = format!("{id}-used");
    let idle = format!("{id}-idle");
    for v in [&used, &idle] {
        extra.volumes.push(v.clone());
        volumes::create(&docker, &spec(v)).await.unwrap();
    }
    let holder = guard.container(format!("{id}-holder"));
    run_kept(
        &holder,
        "dh-busybox:1",
        &["-v", &format!("{used}:/v")],
        "true",
    );
    let filler = format!("{id}-filler");
    run_kept(
        &filler,
        "dh-busybox:1",
        &["-v", &format!("{idle}:/v")],
        "dd if=/dev/zero of=/v/d bs=1k count=96",
    );
    cli(&["rm", &filler], None);

    let err = volumes::remove(&docker, &used)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&holder), "{err}");
    let listed = volumes::list(&docker, Some(&raw(&docker))).await.unwrap();
    let u = listed
        .iter()
        .find(|v| v.name == used)
        .expect("refused before sending");
    assert_eq!(u.containers, vec![holder.clone()]);
    assert_eq!(u.labels, vec![("dh-disk-test".to_string(), id.clone())]);

    let labels = vec![label.clone()];
    let plan = volumes::prune_plan(
        &docker,
        Some(&raw(&docker)),
        VolumePruneScope::Anonymous,
        &labels,
    )
    .await
    .unwrap();
    // API 1.41 knows no `all` filter: its prune takes named volumes too, and the plan says so.
    if volumes::api_version(&docker) < (1, 42) {
        assert_eq!(plan.effective, VolumePruneScope::All);
    }
    let names: Vec<_> = plan.volumes.iter().map(|v| v.name.clone()).collect();
    let done = volumes::prune(&docker, plan.asked, &labels).await.unwrap();
    assert_eq!(names, done.deleted);
    assert_eq!(plan.reclaim, done.reclaimed);
    if plan.effective == VolumePruneScope::All {
        assert_eq!(names, vec![idle.clone()]);
        assert_eq!(done.reclaimed, 96 * 1024);
    }
}

#[tokio::test]
async fn networks_in_use_are_refused_and_prune_previews_hold() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    // Containers go first (the guard is dropped first), then their volumes and networks.
    let mut extra = Extra::default();
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-net");
    let spec = |name: &str, subnet: &str| NetworkSpec {
        name: name.into(),
        driver: "bridge".into(),
        subnet: Some(subnet.into()),
        internal: true,
        labels: vec![("dh-disk-test".into(), id.clone())],
        ..Default::default()
    };
    let (busy, idle, stale) = (
        format!("{id}-busy"),
        format!("{id}-idle"),
        format!("{id}-stale"),
    );
    for (n, subnet) in [
        (&busy, "10.231.1.0/24"),
        (&idle, "10.231.2.0/24"),
        (&stale, "10.231.3.0/24"),
    ] {
        extra.networks.push(n.clone());
        networks::create(&docker, &spec(n, subnet)).await.unwrap();
    }
    let runner = guard.container(format!("{id}-run"));
    cli(
        &[
            "run",
            "-d",
            "--network",
            &busy,
            "--name",
            &runner,
            "dh-busybox:1",
            "sleep",
            "300",
        ],
        None,
    );
    let stopped = guard.container(format!("{id}-stopped"));
    cli(
        &[
            "create",
            "--network",
            &stale,
            "--name",
            &stopped,
            "dh-busybox:1",
            "true",
        ],
        None,
    );
    let r = raw(&docker);
    networks::connect(&docker, &idle, &stopped).await.unwrap();
    let members = |list: &[networks::NetworkInfo], name: &str| -> Vec<String> {
        let n = list.iter().find(|n| n.name == name).unwrap();
        n.containers.iter().map(|m| m.name.clone()).collect()
    };
    let list = networks::list(&docker, Some(&r)).await.unwrap();
    assert_eq!(members(&list, &idle), vec![stopped.clone()]);
    networks::disconnect(&docker, &idle, &stopped, false)
        .await
        .unwrap();
    let list = networks::list(&docker, Some(&r)).await.unwrap();
    assert!(members(&list, &idle).is_empty());

    let err = networks::remove(&docker, Some(&r), &busy)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&runner), "{err}");
    let err = networks::remove(&docker, Some(&r), "none")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("engine's own"), "{err}");
    let list = networks::list(&docker, Some(&r)).await.unwrap();
    let b = list
        .iter()
        .find(|n| n.name == busy)
        .expect("refused before sending");
    assert_eq!(b.subnets, vec!["10.231.1.0/24"]);
    assert_eq!(
        b.containers
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>(),
        vec![runner.clone()]
    );

    let filters = NetworkPruneFilters {
        until: None,
        labels: vec![format!("dh-disk-test={id}")],
    };
    let plan = networks::prune_plan(&docker, Some(&r), &filters)
        .await
        .unwrap();
    let mut planned: Vec<_> = plan.networks.iter().map(|n| n.name.clone()).collect();
    let mut deleted = networks::prune(&docker, &filters).await.unwrap();
    planned.sort();
    deleted.sort();
    assert_eq!(planned, deleted);
    let mut expected = vec![idle.clone(), stale.clone()];
    expected.sort();
    assert_eq!(planned, expected);
    let st = plan.networks.iter().find(|n| n.name == stale).unwrap();
    assert_eq!(st.stopped_users, vec![stopped.clone()]);
}

#[tokio::test]
async fn system_prune_plans_equal_what_the_engine_reclaims() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    // Containers go first (the guard is dropped first), then their volumes and networks.
    let mut extra = Extra::default();
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-sys");
    let label = format!("dh-disk-test={id}");
    let image = guard.image(format!("{id}-img:1"));
    let df = format!(
        "FROM dh-busybox:1\nLABEL dh-disk-test={id}\nRUN dd if=/dev/zero of=/z bs=1k count=77\n"
    );
    engine::image_from_dockerfile(&docker, &image, &df, &[]).await;
    // Build cache to prune; its image carries another label and stays.
    cache_fixture(&format!("{id}x"), &mut guard, 1);
    let vol = format!("{id}-vol");
    extra.volumes.push(vol.clone());
    volumes::create(
        &docker,
        &VolumeSpec {
            name: vol.clone(),
            labels: vec![("dh-disk-test".into(), id.clone())],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let gone = guard.container(format!("{id}-gone"));
    run_kept(
        &gone,
        &image,
        &["--label", &label, "-v", &format!("{vol}:/v")],
        "dd if=/dev/zero of=/v/f bs=1k count=33 && dd if=/dev/zero of=/rw bs=1k count=21",
    );
    let net = format!("{id}-net");
    extra.networks.push(net.clone());
    networks::create(
        &docker,
        &NetworkSpec {
            name: net.clone(),
            internal: true,
            subnet: Some("10.231.9.0/24".into()),
            labels: vec![("dh-disk-test".into(), id.clone())],
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let opts = SystemPruneOptions {
        all: true,
        volumes: Some(VolumePruneScope::All),
        until: None,
        labels: vec![label.clone()],
    };
    let r = raw(&docker);
    let plan = system_prune::plan(&docker, Some(&r), &opts).await.unwrap();
    assert_eq!(
        plan.containers
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        vec![gone.clone()]
    );
    assert!(
        plan.images
            .images
            .iter()
            .any(|i| i.repo_tags.contains(&image)),
        "used only by a container that goes"
    );
    let report = system_prune::execute(&docker, Some(&r), &opts)
        .await
        .unwrap();
    assert_eq!(
        report.containers_deleted,
        plan.containers
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(report.containers_reclaimed, plan.containers_reclaim);
    assert_eq!(
        report.networks_deleted,
        plan.networks
            .networks
            .iter()
            .map(|n| n.name.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(report.networks_deleted, vec![net.clone()]);
    let vr = report.volumes.as_ref().unwrap();
    let vp = plan.volumes.as_ref().unwrap();
    assert_eq!(
        vr.deleted,
        vp.volumes
            .iter()
            .map(|v| v.name.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(vr.reclaimed, vp.reclaim);
    assert_eq!(vr.reclaimed, 33 * 1024);
    assert_eq!(plan.images_reclaim, Reclaim::Exact(report.images_reclaimed));
    assert_eq!(
        plan.build_cache.reclaim,
        Reclaim::Exact(report.build_cache.reclaimed)
    );
    assert_eq!(plan.total, Reclaim::Exact(report.total()));
    let after = usage(&docker).await;
    assert!(
        after
            .image_items
            .iter()
            .any(|i| i.repo_tags.iter().any(|t| t == "dh-busybox:1")),
        "the label filter spares other images"
    );
}

#[tokio::test]
async fn a_buildkit_image_in_a_system_prune_is_an_upper_bound() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-sysbk");
    cache_fixture(&id, &mut guard, 2);
    let opts = SystemPruneOptions {
        all: true,
        labels: vec![format!("dh-disk-test={id}")],
        ..Default::default()
    };
    let r = raw(&docker);
    let plan = system_prune::plan(&docker, Some(&r), &opts).await.unwrap();
    assert!(matches!(plan.images_reclaim, Reclaim::UpTo(_)));
    let report = system_prune::execute(&docker, Some(&r), &opts)
        .await
        .unwrap();
    eprintln!(
        "BuildKit image: preview up to {} (+ cache {:?}), engine {} (+ cache {})",
        plan.images.reclaim,
        plan.build_cache.reclaim,
        report.images_reclaimed,
        report.build_cache.reclaimed
    );
    assert!(report.images_reclaimed <= plan.images_reclaim.bytes());
    assert!(report.total() <= plan.total.bytes());
}

/// Waits for the first event `pick` accepts (30 s at most), skipping others.
async fn wait_for<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<dockhand::engine::EngineEvent>,
    mut pick: impl FnMut(dockhand::engine::EngineEvent) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the engine answered in time")
            .expect("the engine task is alive");
        if let Some(t) = pick(ev) {
            return t;
        }
    }
}

#[tokio::test]
async fn the_engine_task_answers_disk_commands_and_runs_disk_jobs() {
    use dockhand::engine::disk_worker::{DiskCommand, DiskEvent, DiskJob};
    use dockhand::engine::{Command as Cmd, EngineEvent, JobKind, JobOutcome, endpoint};
    let Some(_docker) = engine::docker().await else {
        return;
    };
    let _lock = LOCK.lock().await;
    let mut extra = Extra::default();
    let mut guard = Cleanup::new();
    let id = engine::unique("dh-task");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink: dockhand::engine::Sink = std::sync::Arc::new(move |ev| {
        let _ = tx.send(ev);
    });
    let handle = dockhand::engine::spawn(
        Ok(vec![endpoint::Endpoint {
            source: "DOCKER_HOST".into(),
            host: engine::docker_host().unwrap_or_default(),
            tls: None,
        }]),
        sink,
    );
    handle.send(Cmd::Disk(DiskCommand::Usage));
    let du = wait_for(&mut rx, |ev| match ev {
        EngineEvent::Disk(DiskEvent::Usage(r)) => Some(r),
        _ => None,
    })
    .await
    .expect("disk usage");
    assert!(du.images.total_count >= 1);

    let vol = format!("{id}-vol");
    extra.volumes.push(vol.clone());
    handle.send(Cmd::Disk(DiskCommand::CreateVolume(VolumeSpec {
        name: vol.clone(),
        ..Default::default()
    })));
    let done = wait_for(&mut rx, |ev| match ev {
        EngineEvent::JobFinished { result, .. } => Some(result),
        _ => None,
    })
    .await;
    assert!(
        matches!(done, Ok(JobOutcome::Done(ref t)) if t.contains(&vol)),
        "{done:?}"
    );
    let holder = guard.container(format!("{id}-holder"));
    run_kept(
        &holder,
        "dh-busybox:1",
        &["-v", &format!("{vol}:/v")],
        "true",
    );
    handle.send(Cmd::Disk(DiskCommand::RemoveVolume { name: vol.clone() }));
    let kind = wait_for(&mut rx, |ev| match ev {
        EngineEvent::JobStarted { kind, .. } => Some(kind),
        _ => None,
    })
    .await;
    assert_eq!(kind, JobKind::Disk(DiskJob::RemoveVolume(vol.clone())));
    let refused = wait_for(&mut rx, |ev| match ev {
        EngineEvent::JobFinished { result, .. } => Some(result),
        _ => None,
    })
    .await;
    let err = refused.expect_err("a volume in use is refused").to_string();
    assert!(err.contains(&holder), "{err}");
}
