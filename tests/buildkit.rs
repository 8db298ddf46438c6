//! BuildKit builds through dockhand's engine task against the real engine (dockerd 20.10's
//! built-in BuildKit): cache mounts, secrets, `COPY --chmod`, parallel stages, `--target` and
//! build args, cache hits and the steps an edit invalidates (compared with the Debian CLI), a
//! failing step's line, cancelling, and the engine going away mid-build.
//!
//! Needs `DOCKER_HOST` and the `dh-busybox:1` fixture (tests/run.sh); skips with a notice when the
//! engine is unreachable, unless `DOCKHAND_REQUIRE_ENGINE=1`.
mod common;
#[path = "buildkit_support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use common::engine::{self as fx, Cleanup};
use dockhand::dockerfile::vertex::cache::MissReason;
use dockhand::engine::EngineError;
use dockhand::engine::build::{BuildOptions, BuildSecret, Builder, SecretSource};
use dockhand::engine::buildkit::progress::{BuildEvent, VertexState};
use support::{Engine, buildkit, cli_build, request};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

async fn setup() -> Option<(bollard::Docker, Engine)> {
    let docker = fx::docker().await?;
    let host = fx::docker_host()?;
    Some((docker, Engine::start(&host).await))
}

async fn cat(docker: &bollard::Docker, image: &str, path: &str) -> String {
    let out = fx::run_to_completion(docker, image, &["cat", path])
        .await
        .expect("run");
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_picks_buildkit_and_a_cache_mount_persists_across_builds() {
    let Some((docker, mut engine)) = setup().await else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let tag = cleanup.image(format!("{}:1", fx::unique("dh-bk-cache")));
    let dir = tempfile::tempdir().expect("tempdir");
    let id = fx::unique("c");
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM dh-busybox:1\nARG N\nRUN --mount=type=cache,target=/cache,id={id} \
             echo $N >> /cache/log && cp /cache/log /seen\n"
        ),
    );
    let mut req = request(dir.path(), &tag);
    req.build_args = vec![("N".into(), "one".into())];
    let first = engine.build(req.clone(), BuildOptions::default()).await;
    assert!(
        first.events.first()
            == Some(&BuildEvent::Started {
                builder: Builder::BuildKit
            }),
        "auto picks BuildKit on dockerd 20.10: {:?}",
        first.events.first()
    );
    assert_eq!(
        first.logs.first().map(String::as_str),
        Some("builder: BuildKit")
    );
    first.image();
    req.build_args = vec![("N".into(), "two".into())];
    let second = engine.build(req, BuildOptions::default()).await;
    assert_eq!(cat(&docker, &second.image(), "/seen").await, "one\ntwo\n");
    let summary = second.summary.expect("summary");
    let cache = summary.cache.expect("cache report");
    assert_eq!(
        cache.first_miss,
        Some((
            3,
            MissReason::ArgChanged {
                name: "N".into(),
                before: Some("one".into()),
                after: Some("two".into())
            }
        ))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_is_read_in_run_and_stored_nowhere() {
    let Some((docker, mut engine)) = setup().await else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let tag = cleanup.image(format!("{}:1", fx::unique("dh-bk-secret")));
    let dir = tempfile::tempdir().expect("tempdir");
    let value = fx::unique("s3cr3t-value");
    let secret_file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(secret_file.path(), &value).expect("write");
    write(
        dir.path(),
        "Dockerfile",
        "FROM dh-busybox:1\nRUN --mount=type=secret,id=tok wc -c < /run/secrets/tok > /len \
         && md5sum /run/secrets/tok | cut -c1-32 > /md5\n",
    );
    let opts = BuildOptions {
        secrets: vec![BuildSecret {
            id: "tok".into(),
            source: SecretSource::File(secret_file.path().to_path_buf()),
        }],
        ..buildkit()
    };
    assert!(!format!("{opts:?}").contains(&value));
    assert!(!format!("{opts:?}").contains(&secret_file.path().display().to_string()));
    let run = engine.build(request(dir.path(), &tag), opts).await;
    let image = run.image();
    assert_eq!(
        cat(&docker, &image, "/len").await.trim(),
        value.len().to_string()
    );
    assert_eq!(
        cat(&docker, &image, "/md5").await.trim(),
        md5_of(value.as_bytes())
    );
    let history = docker.image_history(&image).await.expect("history");
    for h in &history {
        assert!(!h.created_by.contains(&value), "{}", h.created_by);
    }
    let mut export = docker.export_image(&image);
    let mut bytes = Vec::new();
    use futures::StreamExt;
    while let Some(chunk) = export.next().await {
        bytes.extend_from_slice(&chunk.expect("export"));
    }
    assert!(bytes.len() > 1000);
    assert!(
        !contains(&bytes, value.as_bytes()),
        "the secret is in a layer"
    );
    assert!(!run.logs.iter().any(|l| l.contains(&value)));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// md5 by busybox on the host, so the test needs no md5 crate.
/// The hex digest as busybox prints it (a string: a `u128` would drop leading zeros).
fn md5_of(data: &[u8]) -> String {
    let f = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(f.path(), data).expect("write");
    let bb = fx::busybox_path().expect("busybox");
    let out = std::process::Command::new(bb)
        .args(["md5sum", &f.path().display().to_string()])
        .output()
        .expect("md5sum");
    let text = String::from_utf8_lossy(&out.stdout);
    text[..32].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_chmod_and_parallel_stages_target_and_args() {
    let Some((docker, mut engine)) = setup().await else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let tag = cleanup.image(format!("{}:1", fx::unique("dh-bk-stages")));
    let build_tag = cleanup.image(format!("{}:1", fx::unique("dh-bk-target")));
    let dir = tempfile::tempdir().expect("tempdir");
    let n = fx::unique("n");
    write(dir.path(), "app.txt", "app\n");
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM dh-busybox:1 AS left\nARG WHO=nobody\nRUN sleep 1 && echo {n} $WHO > /left\n\n\
             FROM dh-busybox:1 AS right\nRUN sleep 1 && echo {n} > /right\n\n\
             FROM dh-busybox:1\nCOPY --chmod=0751 app.txt /app.txt\nRUN stat -c %a /app.txt > /mode\n\
             COPY --from=left /left /left\nCOPY --from=right /right /right\n"
        ),
    );
    let mut req = request(dir.path(), &tag);
    req.build_args = vec![("WHO".into(), "alice".into())];
    let labelled = BuildOptions {
        labels: vec![("org.dockhand.test".into(), n.clone())],
        ..buildkit()
    };
    let run = engine.build(req.clone(), labelled).await;
    let image = run.image();
    assert_eq!(cat(&docker, &image, "/mode").await.trim(), "751");
    let inspect = docker.inspect_image(&image).await.expect("inspect");
    let labels = inspect.config.and_then(|c| c.labels).unwrap_or_default();
    assert_eq!(labels.get("org.dockhand.test"), Some(&n));
    assert_eq!(
        cat(&docker, &image, "/left").await.trim(),
        format!("{n} alice")
    );
    let step = |line: usize| {
        run.progress
            .vertices
            .iter()
            .find(|v| v.lines() == Some((line, line)))
            .unwrap_or_else(|| panic!("no vertex for line {line}: {:?}", run.progress.vertices))
    };
    let (left, right) = (step(3), step(6));
    assert_eq!(
        (left.state, right.state),
        (VertexState::Done, VertexState::Done)
    );
    let overlap = left.started < right.completed && right.started < left.completed;
    assert!(
        overlap,
        "independent stages run in parallel: {left:?} {right:?}"
    );

    req.target = "left".into();
    req.tags = vec![build_tag.clone()];
    let target = engine.build(req, buildkit()).await;
    let image = target.image();
    assert_eq!(
        cat(&docker, &image, "/left").await.trim(),
        format!("{n} alice")
    );
    let out = fx::run_to_completion(&docker, &image, &["test", "-e", "/mode"])
        .await
        .expect("run");
    assert_eq!(out.exit_code, 1, "the target stage has no later files");
    assert!(
        target
            .progress
            .vertices
            .iter()
            .all(|v| v.lines().is_none_or(|l| l.0 <= 4)),
        "only the target's steps ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_hits_and_an_edit_invalidates_what_the_cli_invalidates() {
    let Some((_docker, mut engine)) = setup().await else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let tag = cleanup.image(format!("{}:1", fx::unique("dh-bk-edit")));
    let cli_tag = cleanup.image(format!("{}:1", fx::unique("dh-bk-cli")));
    let dir = tempfile::tempdir().expect("tempdir");
    let n = fx::unique("n");
    write(dir.path(), "app.txt", "v1\n");
    write(dir.path(), "other.txt", "o\n");
    write(dir.path(), ".dockerignore", "ignored.txt\n");
    write(dir.path(), "ignored.txt", "x\n");
    let src = |word: &str| {
        format!(
            "FROM dh-busybox:1\nWORKDIR /w\nRUN echo {n} > id\nCOPY other.txt ./\n\
             RUN echo {word} > word\nCOPY app.txt ./\nRUN cat app.txt word > all\n"
        )
    };
    write(dir.path(), "Dockerfile", &src("alpha"));
    let first = engine.build(request(dir.path(), &tag), buildkit()).await;
    first.image();
    // Line 1's FROM is left out of the comparisons: whether BuildKit reports a local base image
    // as done or cached depends on what its own store already holds, not on this build.
    let steps = |lines: Vec<usize>| lines.into_iter().filter(|&l| l != 1).collect::<Vec<_>>();
    assert_eq!(
        steps(first.lines_where(true)),
        Vec::<usize>::new(),
        "{:?}",
        first.logs
    );
    assert_eq!(steps(first.lines_where(false)), vec![2, 3, 4, 5, 6, 7]);
    // The CLI sees dockhand's build as cached: both sync the same context the same way.
    let (ran, cached) = cli_build(dir.path(), &cli_tag);
    assert_eq!(
        (steps(ran), steps(cached)),
        (vec![], vec![2, 3, 4, 5, 6, 7])
    );
    let second = engine.build(request(dir.path(), &tag), buildkit()).await;
    second.image();
    assert_eq!(steps(second.lines_where(true)), vec![2, 3, 4, 5, 6, 7]);
    let summary = second.summary.clone().expect("summary");
    assert_eq!(
        summary.cache.as_ref().and_then(|c| c.first_miss.clone()),
        None
    );
    assert_eq!(
        summary.context_bytes_sent, 0,
        "nothing changed, nothing sent"
    );

    // Edit line 5 with the CLI, then edit it again with dockhand: the same steps rebuild.
    write(dir.path(), "Dockerfile", &src("beta"));
    let (cli_ran, cli_cached) = cli_build(dir.path(), &cli_tag);
    write(dir.path(), "Dockerfile", &src("gamma"));
    let third = engine.build(request(dir.path(), &tag), buildkit()).await;
    third.image();
    assert_eq!(steps(third.lines_where(false)), steps(cli_ran.clone()));
    assert_eq!(steps(third.lines_where(true)), steps(cli_cached));
    assert_eq!(
        steps(cli_ran),
        vec![5, 6, 7],
        "the edited RUN and every step after it"
    );
    let cache = third
        .summary
        .clone()
        .expect("summary")
        .cache
        .expect("cache");
    assert_eq!(
        cache.first_miss,
        Some((
            5,
            MissReason::InstructionChanged {
                before: "RUN echo alpha > word".into(),
                after: "RUN echo gamma > word".into()
            }
        ))
    );

    // A changed source file: its COPY is the first miss, named with the file.
    write(dir.path(), "app.txt", "v2 longer\n");
    write(dir.path(), "ignored.txt", "changed but ignored\n");
    let fourth = engine.build(request(dir.path(), &tag), buildkit()).await;
    fourth.image();
    assert_eq!(steps(fourth.lines_where(false)), vec![6, 7]);
    let cache = fourth.summary.expect("summary").cache.expect("cache");
    assert_eq!(
        cache.first_miss,
        Some((
            6,
            MissReason::ContextChanged {
                paths: vec!["app.txt".into()]
            }
        ))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_step_maps_to_its_lines_with_its_last_output() {
    let Some((_docker, mut engine)) = setup().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let n = fx::unique("n");
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM dh-busybox:1\nRUN echo {n}\nRUN echo before-the-end \\\n  && false\nRUN echo never\n"
        ),
    );
    let run = engine
        .build(request(dir.path(), "dh-bk-fail:never"), buildkit())
        .await;
    let Err(EngineError::Api { message, .. }) = &run.result else {
        panic!("{:?}", run.result)
    };
    assert!(
        message.starts_with("lines 3-4: [3/4] RUN echo before-the-end"),
        "{message}"
    );
    let failure = run.summary.expect("summary").failure.expect("failure");
    assert_eq!(failure.lines, Some((3, 4)));
    assert!(
        failure.last_logs.iter().any(|l| l == "before-the-end"),
        "{failure:?}"
    );
    assert!(failure.message.contains("exit code: 1"), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_the_build_in_the_engine() {
    let Some((_docker, mut engine)) = setup().await else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let n = fx::unique("n");
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM dh-busybox:1\nRUN echo {n} && sleep 4 && wget -q -O- http://127.0.0.1:{port}/ || true\n"
        ),
    );
    let job = engine
        .start_build(request(dir.path(), "dh-bk-cancel:never"), buildkit())
        .await;
    engine
        .wait(|m| {
            matches!(m, support::Msg::Build(id, BuildEvent::Vertex(v))
                if *id == job && v.state == VertexState::Running && v.lines() == Some((2, 2)))
        })
        .await;
    let asked = Instant::now();
    engine.handle.send(dockhand::engine::Command::Cancel(job));
    let run = engine.finish(job).await;
    assert!(
        matches!(run.result, Err(EngineError::Cancelled)),
        "{:?}",
        run.result
    );
    assert!(asked.elapsed() < Duration::from_secs(2));
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(
        listener.accept().is_err(),
        "the RUN step went on after the cancel and reached the listener"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_falls_back_to_the_classic_builder_on_podman() {
    let Some(host) = std::env::var("DOCKHAND_PODMAN_HOST")
        .ok()
        .filter(|h| !h.is_empty())
    else {
        assert!(
            std::env::var("DOCKHAND_REQUIRE_PODMAN").is_err(),
            "DOCKHAND_REQUIRE_PODMAN is set but DOCKHAND_PODMAN_HOST is not"
        );
        eprintln!("NOTICE: skipping: DOCKHAND_PODMAN_HOST is not set");
        return;
    };
    let mut engine = Engine::start(&host).await;
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "hello.txt", "hi\n");
    write(
        dir.path(),
        "Dockerfile",
        "FROM scratch\nCOPY hello.txt /hello.txt\n",
    );
    let tag = format!("{}:1", fx::unique("dh-bk-podman"));
    let mut req = request(dir.path(), &tag);
    req.network = String::new();
    let run = engine.build(req, BuildOptions::default()).await;
    assert_eq!(
        run.events.first(),
        Some(&BuildEvent::Started {
            builder: Builder::Classic
        })
    );
    run.image();
    // A secret cannot go to the classic builder: refused before anything is sent.
    let opts = BuildOptions {
        secrets: vec![BuildSecret {
            id: "tok".into(),
            source: SecretSource::Env("HOME".into()),
        }],
        ..BuildOptions::default()
    };
    let refused = engine.build(request(dir.path(), &tag), opts).await;
    assert!(
        matches!(&refused.result, Err(EngineError::Invalid(m)) if m.contains("needs BuildKit")),
        "{:?}",
        refused.result
    );
    if let Ok(podman) = fx::connect(&host).await {
        fx::remove_image_quiet(&podman, &tag).await;
    }
}
