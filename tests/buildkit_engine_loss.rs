//! The engine going away in the middle of a BuildKit build: the build job ends failed with the
//! reason, not running forever. The engine is reached through a unix-socket proxy this test
//! starts and cuts, as if dockerd had stopped.
//!
//! Needs `DOCKER_HOST` (unix) and the `dh-busybox:1` fixture; skips like the other engine tests.
mod common;
#[path = "buildkit_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use common::engine as fx;
use dockhand::engine::EngineError;
use dockhand::engine::buildkit::progress::{BuildEvent, VertexState};
use support::{Engine, Msg, buildkit, request};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

/// Forwards every connection to the engine until stopped; stopping cuts them all.
fn proxy(path: &Path, engine: PathBuf) -> JoinSet<()> {
    let listener = UnixListener::bind(path).expect("bind proxy");
    let mut tasks = JoinSet::new();
    tasks.spawn(async move {
        let mut conns = JoinSet::new();
        while let Ok((mut client, _)) = listener.accept().await {
            let Ok(mut upstream) = UnixStream::connect(&engine).await else {
                continue;
            };
            conns.spawn(async move {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    tasks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_stopping_mid_build_fails_the_job_with_the_reason() {
    let Some(_docker) = fx::docker().await else {
        return;
    };
    let Some(real) = fx::docker_host().and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
    else {
        eprintln!("NOTICE: skipping: DOCKER_HOST is not a unix socket");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let sock = tmp.path().join("proxy.sock");
    let mut tasks = proxy(&sock, real);
    let mut engine = Engine::start(&format!("unix://{}", sock.display())).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let n = fx::unique("n");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM dh-busybox:1\nRUN echo {n} && sleep 20\n"),
    )
    .expect("write");
    let job = engine
        .start_build(request(dir.path(), "dh-bk-lost:never"), buildkit())
        .await;
    engine
        .wait(|m| {
            matches!(m, Msg::Build(id, BuildEvent::Vertex(v))
                if *id == job && v.state == VertexState::Running && v.lines() == Some((2, 2)))
        })
        .await;
    tasks.shutdown().await;
    let started = std::time::Instant::now();
    let run = engine.finish(job).await;
    assert!(started.elapsed().as_secs() < 15, "the job ended promptly");
    match &run.result {
        Err(e @ EngineError::Connection(reason)) => {
            assert!(e.is_connection());
            assert!(!reason.is_empty());
        }
        other => panic!("expected a connection failure, got {other:?}"),
    }
}
