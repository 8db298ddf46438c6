//! Disk space against the REAL engine (DOCKER_HOST) with Debian's docker CLI as the oracle:
//! `system df -v` figures, per-image shared sizes, build-cache, volume, network and system prune
//! previews against what the engine then reclaims, and in-use refusals. Tests take one lock:
//! each compares engine-wide figures, which another test's fixtures would change under it.
//! Prunes are confined to this file's fixtures by labels (the build cache has no labels: a
//! builder prune empties it, which costs later builds time, never correctness).
mod common;
#[path = "engine_disk/prunes.rs"]
mod prunes;
#[path = "engine_disk/support.rs"]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use common::engine::{self, Cleanup};
use dockhand::disk_cli::{human_size, reclaimable_text};
use dockhand::engine::buildcache::{self, BuilderPruneOptions, Reclaim};
use dockhand::engine::disk_types::DataRoot;
use dockhand::engine::image_share;
use dockhand::engine::volumes::VolumeSpec;
use serde_json::Value;

use support::*;

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
    // Only this test's images: other tests build and remove images on the same engine meanwhile,
    // so theirs can change between the engine's answer and ours.
    let mine = du
        .image_items
        .iter()
        .filter(|i| i.repo_tags.iter().any(|t| *t == base || *t == child))
        .collect::<Vec<_>>();
    assert_eq!(mine.len(), 2, "both fixture images listed");
    for image in mine {
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
        let plan = buildcache::plan(
            &settled_cache_records(&docker).await,
            &opts,
            chrono::Utc::now(),
        );
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
    let records = settled_cache_records(&docker).await;
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
