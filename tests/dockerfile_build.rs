//! Build steps tied to Dockerfile lines, against the real engine (classic builder): a first build
//! maps every step to its line, a rebuild hits the cache, an edit invalidates from the edited line
//! on, and a failing step maps to its line.
//!
//! Needs `DOCKER_HOST` and the `dh-busybox:1` base fixture (tests/run.sh builds it); skips with a notice when the engine is
//! unreachable, unless `DOCKHAND_REQUIRE_ENGINE=1`.

use std::path::Path;

use bollard::Docker;
use bollard::query_parameters::{BuildImageOptionsBuilder, RemoveImageOptionsBuilder};
use dockhand::dockerfile::context::{plan, write_tar};
use dockhand::dockerfile::parse;
use dockhand::dockerfile::steps::{StepEvent, StepTracker};
use futures::StreamExt;

async fn engine() -> Option<Docker> {
    let required = std::env::var("DOCKHAND_REQUIRE_ENGINE").is_ok_and(|v| v == "1");
    if std::env::var_os("DOCKER_HOST").is_none() {
        assert!(!required, "engine required but DOCKER_HOST is not set");
        eprintln!("skipping: DOCKER_HOST is not set");
        return None;
    }
    let docker = match Docker::connect_with_defaults() {
        Ok(d) => d,
        Err(e) if required => panic!("engine required but not configured: {e}"),
        Err(e) => {
            eprintln!("skipping: no engine ({e})");
            return None;
        }
    };
    match docker.ping().await {
        Ok(_) => Some(docker),
        Err(e) if required => panic!("engine required but unreachable: {e}"),
        Err(e) => {
            eprintln!("skipping: engine unreachable ({e})");
            None
        }
    }
}

/// Builds `dir` and returns the step events (a failure included).
async fn build(docker: &Docker, dir: &Path, tag: &str) -> Vec<StepEvent> {
    let src = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
    let mut tracker = StepTracker::new(&parse(&src));
    let plan = plan(dir, &dir.join("Dockerfile")).expect("plan");
    let mut tar = Vec::new();
    write_tar(&plan, &mut tar).expect("tar");
    let options = BuildImageOptionsBuilder::default()
        .dockerfile(&plan.dockerfile)
        .t(tag)
        .rm(true)
        .forcerm(true)
        .networkmode("none")
        .build();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(tar.into())));
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(s) = info.stream {
                    events.extend(tracker.feed(&s));
                }
                if let Some(detail) = info.error_detail {
                    events.push(tracker.error(detail.message.as_deref().unwrap_or("build failed")));
                }
            }
            Err(e) => events.push(tracker.error(&e.to_string())),
        }
    }
    events
}

fn cached_lines(events: &[StepEvent]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            StepEvent::CacheHit { start_line, .. } => Some(*start_line),
            _ => None,
        })
        .collect()
}

fn started_lines(events: &[StepEvent]) -> Vec<(usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            StepEvent::Started {
                start_line,
                end_line,
                ..
            } => Some((*start_line, *end_line)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn steps_cache_hits_and_failures_map_to_lines() {
    let Some(docker) = engine().await else { return };
    let tag = format!("dockhand-test-steps:{}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let unique = format!(
        "{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    );
    let dockerfile = format!(
        "ARG GREETING=hello\n# a comment\nFROM dh-busybox:1\nRUN echo {unique} > /id\nCOPY app.txt /app.txt\nRUN cat /app.txt \\\n    && echo built\nCMD [\"cat\", \"/app.txt\"]\n"
    );
    std::fs::write(dir.path().join("Dockerfile"), &dockerfile).expect("write");
    std::fs::write(dir.path().join("app.txt"), "v1").expect("write");

    let first = build(&docker, dir.path(), &tag).await;
    assert_eq!(
        started_lines(&first),
        vec![(1, 1), (3, 3), (4, 4), (5, 5), (6, 7), (8, 8)],
        "{first:?}"
    );
    assert!(
        cached_lines(&first).is_empty(),
        "first build uses no cache: {first:?}"
    );
    assert!(
        first.iter().any(|e| matches!(e, StepEvent::Built { .. })),
        "{first:?}"
    );
    assert!(
        first
            .iter()
            .any(|e| matches!(e, StepEvent::Done { start_line: 6, .. })),
        "line 6 made a layer"
    );

    let second = build(&docker, dir.path(), &tag).await;
    assert_eq!(
        cached_lines(&second),
        vec![4, 5, 6, 8],
        "rebuild hits the cache: {second:?}"
    );

    // Changing a copied file invalidates from its COPY on.
    std::fs::write(dir.path().join("app.txt"), "v2").expect("write");
    let third = build(&docker, dir.path(), &tag).await;
    assert_eq!(
        cached_lines(&third),
        vec![4],
        "only the step before the COPY is cached: {third:?}"
    );

    // A failing step maps to its lines.
    std::fs::write(
        dir.path().join("Dockerfile"),
        dockerfile.replace("&& echo built", "&& false"),
    )
    .expect("write");
    let fourth = build(&docker, dir.path(), &tag).await;
    let failure = fourth
        .iter()
        .find(|e| matches!(e, StepEvent::Failed { .. }))
        .expect("a failure");
    match failure {
        StepEvent::Failed {
            step,
            start_line,
            end_line,
            message,
        } => {
            assert_eq!((*step, *start_line, *end_line), (5, 6, 7), "{message}");
            assert!(message.contains("returned a non-zero code"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let _ = docker
        .remove_image(
            &tag,
            Some(RemoveImageOptionsBuilder::default().force(true).build()),
            None,
        )
        .await;
}
