//! The engine actor (`engine::spawn`): commands in, the expected event sequence out, and the
//! inventory refreshing by itself after a change made outside the app.

use std::time::Duration;

use bollard::query_parameters::TagImageOptionsBuilder;
use dockhand::engine::{
    self, Command, Connection, EngineError, EngineEvent, JobKind, JobOutcome, endpoint,
};

use crate::common::engine::{self as fx, Cleanup};
use crate::support::{
    collector, create_container, expect_event, fixture, has_tag, image_id, inventory_where,
};

const WAIT: Duration = Duration::from_secs(20);

/// Waits for the `JobStarted` of a job matching `kind` and returns its ID.
async fn job_started(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    kind: &JobKind,
) -> u64 {
    match expect_event(
        rx,
        &format!("JobStarted {kind}"),
        |ev| matches!(ev, EngineEvent::JobStarted { kind: k, .. } if k == kind),
        WAIT,
    )
    .await
    {
        EngineEvent::JobStarted { id, .. } => id,
        _ => unreachable!(),
    }
}

/// Waits for the end of job `id` and returns its result.
async fn job_finished(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    id: u64,
) -> Result<JobOutcome, EngineError> {
    match expect_event(
        rx,
        &format!("JobFinished {id}"),
        |ev| matches!(ev, EngineEvent::JobFinished { id: i, .. } if *i == id),
        WAIT,
    )
    .await
    {
        EngineEvent::JobFinished { result, .. } => result,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn actor_connects_lists_runs_jobs_and_follows_outside_changes() {
    let Some(docker) = fx::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let repo = fx::unique("dhi-actor");
    let tag = guard.image(format!("{repo}:1"));
    let id = fixture(&docker, &tag, "").await;

    let host = fx::docker_host().unwrap_or_default();
    let (sink, mut rx) = collector();
    let handle = engine::spawn(
        Ok(vec![endpoint::Endpoint {
            source: "test".into(),
            host: host.clone(),
            tls: None,
        }]),
        sink,
    );

    // Connecting, Connected (naming the endpoint), then an inventory without any command.
    let first = expect_event(&mut rx, "first event", |_| true, WAIT).await;
    assert!(
        matches!(first, EngineEvent::Connection(Connection::Connecting)),
        "{first:?}"
    );
    match expect_event(&mut rx, "Connected", |_| true, WAIT).await {
        EngineEvent::Connection(Connection::Connected(info)) => {
            assert_eq!(info.endpoint, host);
            assert_eq!(info.source, "test");
            assert!(!info.version.is_empty(), "{info:?}");
            assert!(info.api_version.starts_with("1."), "{info:?}");
            assert!(info.platform.starts_with("linux/"), "{info:?}");
        }
        other => panic!("expected Connected, got {other:?}"),
    }
    // The identity from /_ping is completed from /version (it matches what the engine says), and
    // the initial inventory with the fixture arrives without any command; in either order.
    let version = docker.version().await.expect("/version");
    let (mut full, mut listed) = (None, false);
    while full.is_none() || !listed {
        match expect_event(
            &mut rx,
            "the full identity and the initial inventory with the fixture",
            |ev| {
                matches!(ev, EngineEvent::Connection(Connection::Connected(i)) if !i.provisional)
                    || inventory_where(ev, |inv| has_tag(inv, &tag))
            },
            WAIT,
        )
        .await
        {
            EngineEvent::Connection(Connection::Connected(info)) => full = Some(info),
            _ => listed = true,
        }
    }
    let info = full.expect("identity");
    assert_eq!(Some(info.version.clone()), version.version, "{info:?}");
    let platform = format!(
        "{}/{}",
        version.os.unwrap_or_default(),
        version.arch.unwrap_or_default()
    );
    assert_eq!(info.platform, platform);

    handle.send(Command::Refresh);
    expect_event(
        &mut rx,
        "inventory after Refresh",
        |ev| matches!(ev, EngineEvent::Inventory(Ok(_))),
        WAIT,
    )
    .await;

    // Tag: JobStarted, JobFinished Ok, then a fresh inventory with the new tag.
    let v2 = guard.image(format!("{repo}:v2"));
    handle.send(Command::Tag {
        source: id.clone(),
        target: v2.clone(),
    });
    let kind = JobKind::Tag {
        source: id.clone(),
        target: v2.clone(),
    };
    let job = job_started(&mut rx, &kind).await;
    match job_finished(&mut rx, job).await {
        Ok(JobOutcome::Done(msg)) => assert!(msg.contains(&v2), "{msg}"),
        other => panic!("tag job: {other:?}"),
    }
    assert_eq!(image_id(&docker, &v2).await, Some(id.clone()));
    expect_event(
        &mut rx,
        "inventory with the new tag",
        |ev| inventory_where(ev, |inv| has_tag(inv, &v2)),
        WAIT,
    )
    .await;

    // Remove: the tag goes, the inventory follows.
    handle.send(Command::Remove {
        targets: vec![v2.clone()],
        force: false,
    });
    let kind = JobKind::Remove {
        targets: vec![v2.clone()],
    };
    let job = job_started(&mut rx, &kind).await;
    assert!(matches!(
        job_finished(&mut rx, job).await,
        Ok(JobOutcome::Done(_))
    ));
    assert_eq!(image_id(&docker, &v2).await, None);
    expect_event(
        &mut rx,
        "inventory without the removed tag",
        |ev| inventory_where(ev, |inv| has_tag(inv, &tag) && !has_tag(inv, &v2)),
        WAIT,
    )
    .await;

    // A failing job reports the engine's reason.
    let cname = guard.container(fx::unique("dhi-actor-c"));
    create_container(&docker, &tag, &cname).await;
    handle.send(Command::Remove {
        targets: vec![tag.clone()],
        force: false,
    });
    let kind = JobKind::Remove {
        targets: vec![tag.clone()],
    };
    let job = job_started(&mut rx, &kind).await;
    match job_finished(&mut rx, job).await {
        Err(EngineError::Api { status, message }) => {
            assert_eq!(status, 409, "{message}");
            assert!(message.contains("conflict"), "{message}");
        }
        other => panic!("removing a used image without force: {other:?}"),
    }

    // Details through the actor.
    handle.send(Command::Details {
        image_id: id.clone(),
    });
    match expect_event(
        &mut rx,
        "Details",
        |ev| matches!(ev, EngineEvent::Details { .. }),
        WAIT,
    )
    .await
    {
        EngineEvent::Details { image_id, result } => {
            assert_eq!(image_id, id);
            let d = result.expect("details");
            assert!(d.repo_tags.contains(&tag));
        }
        _ => unreachable!(),
    }

    // A change made OUTSIDE the app: the event subscription triggers a refresh by itself.
    let outside = guard.image(format!("{repo}:outside"));
    let opts = TagImageOptionsBuilder::default()
        .repo(&repo)
        .tag("outside")
        .build();
    docker
        .tag_image(&id, Some(opts))
        .await
        .expect("tag outside the app");
    expect_event(
        &mut rx,
        "inventory after an outside tag (no command sent)",
        |ev| inventory_where(ev, |inv| has_tag(inv, &outside)),
        WAIT,
    )
    .await;

    // Dropping the last handle ends the engine task: the channel closes.
    drop(handle);
    let closed = tokio::time::timeout(WAIT, async { while rx.recv().await.is_some() {} }).await;
    assert!(
        closed.is_ok(),
        "the engine task kept running after its handle was dropped"
    );
}
