//! Volume, network and system prune previews against what the engine then does, and in-use
//! refusals.
use dockhand::engine::buildcache::Reclaim;
use dockhand::engine::networks::{self, NetworkPruneFilters, NetworkSpec};
use dockhand::engine::system_prune::{self, SystemPruneOptions};
use dockhand::engine::volumes::{self, VolumePruneScope, VolumeSpec};

use crate::common::engine::{self, Cleanup};
use crate::support::*;

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
