//! Prune: `prune_plan` then `prune`, checked image by image through the engine.
//!
//! On the shared engine only the dangling scope is exercised (it may also take other tests'
//! dangling images, so the assertions are about our own images, and the figures are reported).
//! Both scopes, and the exact equality of the planned and the reclaimed bytes, are checked on a
//! private engine where nothing else happens.

use bollard::Docker;
use dockhand::engine::{PrunePlan, PruneScope, images};

use crate::common::engine::{self as fx, Cleanup};
use crate::private_engine;
use crate::support::{build, create_container, fixture, fixture_with_blob, image_id};

/// A child of `base` whose only new layer is `/blob`, `bytes` random bytes.
async fn child(docker: &Docker, base: &str, tag: &str, bytes: u64, salt: &str) -> String {
    let dockerfile = format!("FROM {base}\nRUN head -c {bytes} /dev/urandom > /blob && : {salt}\n");
    build(docker, tag, &dockerfile).await
}

fn candidate<'a>(plan: &'a PrunePlan, id: &str) -> Option<&'a dockhand::engine::PruneCandidate> {
    plan.images.iter().find(|c| c.id == id)
}

/// Every image the plan deletes is gone; every image it only untags is still there without the
/// tags the plan said would go.
async fn check_plan_applied(docker: &Docker, plan: &PrunePlan) {
    for c in &plan.images {
        let now = docker.inspect_image(&c.id).await;
        if c.untag_only {
            let tags = now
                .unwrap_or_else(|e| panic!("untag-only {} was deleted: {e}", c.id))
                .repo_tags
                .unwrap_or_default();
            for gone in &c.repo_tags {
                assert!(
                    !tags.contains(gone),
                    "{} still tagged {gone} ({tags:?})",
                    c.id
                );
            }
        } else {
            assert!(
                now.is_err(),
                "{} ({:?}) survived the prune",
                c.id,
                c.repo_tags
            );
        }
    }
}

#[tokio::test]
async fn prune_dangling_on_the_shared_engine() {
    let Some(docker) = fx::docker().await else {
        return;
    };
    let _exclusive = crate::SHARED.write().await;
    let mut guard = Cleanup::new();
    let salt = fx::unique("dhi-prune");
    const BLOB: u64 = 96 * 1024;

    // Dangling, unused: goes. Its only unique layer is the blob.
    let dtag = guard.image(format!("{salt}-d:1"));
    let dangling = guard.image(fixture_with_blob(&docker, &dtag, BLOB, &salt).await);
    let kept = fixture(&docker, &dtag, "").await;
    // Dangling but used by a container: stays.
    let utag = guard.image(format!("{salt}-u:1"));
    let used = guard.image(fixture_with_blob(&docker, &utag, 1024, &format!("{salt}u")).await);
    let cname = guard.container(fx::unique("dhi-prune-c"));
    create_container(&docker, &used, &cname).await;
    fixture(&docker, &utag, "").await;

    let plan = images::prune_plan(&docker, PruneScope::Dangling, false)
        .await
        .expect("plan");
    assert_eq!(plan.scope, PruneScope::Dangling);
    let c = candidate(&plan, &dangling).expect("the dangling image is in the plan");
    assert!(!c.untag_only && c.repo_tags.is_empty(), "{c:?}");
    assert_eq!(
        c.reclaim, BLOB,
        "the dangling image frees exactly its blob layer"
    );
    assert!(candidate(&plan, &used).is_none(), "used image planned");
    assert!(candidate(&plan, &kept).is_none(), "tagged image planned");
    assert!(plan.images.iter().all(|c| c.repo_tags.is_empty()));

    let report = images::prune(&docker, PruneScope::Dangling, false)
        .await
        .expect("prune");
    eprintln!(
        "shared engine, dangling: plan {} images, {} bytes; engine reclaimed {} bytes",
        plan.images.len(),
        plan.reclaim,
        report.reclaimed
    );
    // (Not asserted: another test's prune may have taken our dangling image first.)
    eprintln!(
        "  our dangling image deleted by this prune: {}",
        report.deleted.contains(&format!("deleted {dangling}"))
    );
    assert_eq!(report.build_cache_reclaimed, None);
    check_plan_applied(&docker, &plan).await;
    assert_eq!(image_id(&docker, &dtag).await, Some(kept));
    assert!(
        image_id(&docker, &used).await.is_some(),
        "used image pruned"
    );
}

#[tokio::test]
async fn prune_both_scopes_on_a_private_engine_reclaims_what_was_planned() {
    let Some(private) = private_engine::start_or_skip() else {
        return;
    };
    let docker = private.docker().await;

    let base = "dhp-base:1";
    let base_id = fixture(&docker, base, "").await;
    // a: dangling (100 KiB unique layer); b: the same tag rebuilt (200 KiB).
    let a = child(&docker, base, "dhp-app:1", 100 * 1024, "a").await;
    let b = child(&docker, base, "dhp-app:1", 200 * 1024, "b").await;
    // u: tagged, used by a container.
    let u = child(&docker, base, "dhp-used:1", 50 * 1024, "u").await;
    create_container(&docker, &u, "dhp-used-c").await;
    // du: dangling and used; du2: its tag's new, unused image.
    let du = child(&docker, base, "dhp-dused:1", 30 * 1024, "du").await;
    create_container(&docker, &du, "dhp-dused-c").await;
    let du2 = child(&docker, base, "dhp-dused:1", 31 * 1024, "du2").await;

    // Dangling scope: exactly `a`, exactly its blob.
    let plan = images::prune_plan(&docker, PruneScope::Dangling, false)
        .await
        .expect("dangling plan");
    let ids: Vec<&str> = plan.images.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec![a.as_str()], "{plan:#?}");
    assert_eq!(plan.reclaim, 100 * 1024);
    let report = images::prune(&docker, PruneScope::Dangling, false)
        .await
        .expect("dangling prune");
    eprintln!(
        "private engine, dangling: plan.reclaim={} engine SpaceReclaimed={}",
        plan.reclaim, report.reclaimed
    );
    assert_eq!(report.reclaimed, plan.reclaim, "{report:#?}");
    assert_report_counts_the_plan(&plan, &report);
    check_plan_applied(&docker, &plan).await;
    for kept in [&base_id, &b, &u, &du, &du2] {
        assert!(image_id(&docker, kept).await.is_some(), "{kept} was pruned");
    }

    // All unused (and build cache): b and du2 go, the base (a parent) is only untagged,
    // the images used by containers stay.
    let plan = images::prune_plan(&docker, PruneScope::AllUnused, true)
        .await
        .expect("all-unused plan");
    let mut gone: Vec<(&str, bool)> = plan
        .images
        .iter()
        .map(|c| (c.id.as_str(), c.untag_only))
        .collect();
    gone.sort();
    let mut expected = vec![
        (b.as_str(), false),
        (du2.as_str(), false),
        (base_id.as_str(), true),
    ];
    expected.sort();
    assert_eq!(gone, expected, "{plan:#?}");
    assert_eq!(candidate(&plan, &b).map(|c| c.reclaim), Some(200 * 1024));
    assert_eq!(candidate(&plan, &du2).map(|c| c.reclaim), Some(31 * 1024));
    assert_eq!(plan.reclaim, 231 * 1024);
    assert!(plan.build_cache);
    let report = images::prune(&docker, PruneScope::AllUnused, true)
        .await
        .expect("all-unused prune");
    eprintln!(
        "private engine, all unused: plan.reclaim={} engine SpaceReclaimed={} build cache={:?}",
        plan.reclaim, report.reclaimed, report.build_cache_reclaimed
    );
    assert_eq!(report.reclaimed, plan.reclaim, "{report:#?}");
    assert!(report.build_cache_reclaimed.is_some());
    assert_report_counts_the_plan(&plan, &report);
    check_plan_applied(&docker, &plan).await;
    assert_eq!(image_id(&docker, "dhp-used:1").await, Some(u.clone()));
    assert!(
        image_id(&docker, &du).await.is_some(),
        "dangling used image pruned"
    );
    assert_eq!(image_id(&docker, base).await, None, "base still tagged");
    assert!(image_id(&docker, &base_id).await.is_some(), "base deleted");
    drop(private);
}

/// Every tag of every image: image ID -> sorted tags.
async fn all_tags(docker: &Docker) -> std::collections::BTreeMap<String, Vec<String>> {
    let inv = images::inventory(docker).await.expect("inventory");
    inv.images
        .into_iter()
        .map(|i| {
            let mut tags = i.repo_tags;
            tags.sort();
            (i.id, tags)
        })
        .collect()
}

// An image used by a container loses all its tags but the last (dockerd refuses only the removal
// that would delete it): the plan must list those tags as going.
#[tokio::test]
async fn prune_all_unused_changes_nothing_outside_the_plan() {
    let Some(private) = private_engine::start_or_skip() else {
        return;
    };
    let docker = private.docker().await;
    let multi = fixture(&docker, "dhp-multi:1", "").await;
    images::tag(&docker, &multi, "dhp-multi:2")
        .await
        .expect("second tag");
    create_container(&docker, &multi, "dhp-multi-c").await;
    let unused = fixture(&docker, "dhp-unused:1", "").await;

    let before = all_tags(&docker).await;
    let plan = images::prune_plan(&docker, PruneScope::AllUnused, false)
        .await
        .expect("plan");
    images::prune(&docker, PruneScope::AllUnused, false)
        .await
        .expect("prune");
    check_plan_applied(&docker, &plan).await;
    assert!(candidate(&plan, &unused).is_some(), "{plan:#?}");
    let after = all_tags(&docker).await;
    for (id, tags) in &before {
        if candidate(&plan, id).is_some() {
            continue;
        }
        assert_eq!(
            after.get(id),
            Some(tags),
            "image {id} is not in the prune plan but the prune changed it"
        );
    }
    drop(private);
}

// A tagged parent pruned together with its only child is deleted, not just untagged: the engine
// deletes untagged parents left childless. Plan and reclaimed bytes must agree.
#[tokio::test]
async fn prune_all_unused_of_a_parent_with_its_only_child() {
    let Some(private) = private_engine::start_or_skip() else {
        return;
    };
    let docker = private.docker().await;
    let parent = fixture(&docker, "dhp-parent:1", "").await;
    let kid = child(&docker, "dhp-parent:1", "dhp-kid:1", 10 * 1024, "kid").await;
    let plan = images::prune_plan(&docker, PruneScope::AllUnused, false)
        .await
        .expect("plan");
    let report = images::prune(&docker, PruneScope::AllUnused, false)
        .await
        .expect("prune");
    eprintln!(
        "parent+child: plan {:?} reclaim={} engine SpaceReclaimed={} deleted={:?}",
        plan.images
            .iter()
            .map(|c| (&c.id[7..19], c.untag_only, c.reclaim))
            .collect::<Vec<_>>(),
        plan.reclaim,
        report.reclaimed,
        report.deleted
    );
    assert!(candidate(&plan, &kid).is_some_and(|c| !c.untag_only));
    assert!(candidate(&plan, &parent).is_some());
    check_plan_applied(&docker, &plan).await;
    assert_eq!(report.reclaimed, plan.reclaim, "{plan:#?}\n{report:#?}");
    drop(private);
}

/// The result names images and layers apart, and its image and tag counts are the preview's.
fn assert_report_counts_the_plan(
    plan: &dockhand::engine::PrunePlan,
    report: &dockhand::engine::PruneReport,
) {
    let mut planned: Vec<&str> = plan
        .images
        .iter()
        .filter(|c| !c.untag_only)
        .map(|c| c.id.as_str())
        .collect();
    planned.sort();
    let mut deleted: Vec<&str> = report.removed.images.iter().map(String::as_str).collect();
    deleted.sort();
    assert_eq!(deleted, planned, "{report:#?}");
    let tags: usize = plan.images.iter().map(|c| c.repo_tags.len()).sum();
    assert_eq!(report.removed.untagged.len(), tags, "{report:#?}");
    assert!(report.removed.layers >= 1, "{report:#?}");
    let items = report.deleted.len();
    let r = &report.removed;
    assert_eq!(
        items,
        r.untagged.len() + r.images.len() + r.intermediate + r.layers,
        "every engine record is counted once: {report:#?}"
    );
    eprintln!("  result: {}", report.removed.summary());
}
