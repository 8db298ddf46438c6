//! Records what the engine task reports for three BuildKit builds of one Dockerfile against the
//! REAL engine (a cold build with two stages in parallel and a cache mount, a rebuild after one
//! context file changed, a failing step), as the fixtures the editor's state tests and snapshots
//! are fed with (`src/state/editor/fixtures/`).
//!
//! Without `DH_RECORD=1` it checks that a fresh run still agrees with the recorded fixtures (same
//! steps on the same lines ending in the same states), so the fixtures stay true to the engine.
//! Needs `DOCKER_HOST` and the `dh-busybox:1` fixture (tests/run.sh).
mod common;
#[path = "buildkit_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use common::engine::{self as fx, Cleanup};
use dockhand::engine::EngineEvent;
use dockhand::engine::buildkit::progress::{BuildEvent, VertexState};
use dockhand::engine::{JobId, Progress};
use serde::{Deserialize, Serialize};
use support::{Engine, Msg, buildkit, request};

/// One report of a build job, in the order the app gets them.
#[derive(Debug, Serialize, Deserialize)]
enum Recorded {
    /// A plain output line (`Progress::Log`).
    Log(String),
    /// A typed build event.
    Build(BuildEvent),
    /// The job's end: `Ok(summary)` or the error text.
    End(Result<String, String>),
}

/// A recorded build: the Dockerfile built and the reports.
#[derive(Debug, Serialize, Deserialize)]
struct Fixture {
    dockerfile: String,
    stream: Vec<Recorded>,
}

fn dockerfile(tag: &str, failing: bool) -> String {
    let last = if failing {
        "RUN cat /app.txt && echo 'missing config: /etc/app.conf' >&2 && exit 3"
    } else {
        "RUN cat /app.txt /deps /tools > /all"
    };
    format!(
        "FROM dh-busybox:1 AS deps\n\
         RUN --mount=type=cache,target=/cache,id={tag} \\\n    echo deps-{tag} >> /cache/log && cp /cache/log /deps\n\
         \n\
         FROM dh-busybox:1 AS tools\n\
         RUN echo tools-{tag} > /tools && sleep 1\n\
         \n\
         FROM dh-busybox:1\n\
         COPY --from=deps /deps /deps\n\
         COPY --from=tools /tools /tools\n\
         COPY app.txt /app.txt\n\
         {last}\n"
    )
}

async fn record(engine: &mut Engine, dir: &Path, tag: &str) -> Fixture {
    let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
    let job: JobId = engine.start_build(request(dir, tag), buildkit()).await;
    let mut stream = Vec::new();
    loop {
        match engine.wait(|_| true).await {
            Msg::Build(id, ev) if id == job => stream.push(Recorded::Build(ev)),
            Msg::Engine(EngineEvent::JobProgress {
                id,
                progress: Progress::Log(l),
            }) if id == job => stream.push(Recorded::Log(l)),
            Msg::Engine(EngineEvent::JobFinished { id, result }) if id == job => {
                let end = match result {
                    Ok(dockhand::engine::JobOutcome::Done(s)) => Ok(s),
                    Ok(other) => Ok(format!("{other:?}")),
                    Err(e) => Err(e.to_string()),
                };
                stream.push(Recorded::End(end));
                return Fixture {
                    dockerfile: text,
                    stream,
                };
            }
            _ => {}
        }
    }
}

/// (first line, final state) of each step vertex but the base images' (`FROM`).
fn steps(f: &Fixture) -> Vec<(usize, VertexState)> {
    let mut last: Vec<(String, usize, VertexState)> = Vec::new();
    for r in &f.stream {
        if let Recorded::Build(BuildEvent::Vertex(v)) = r
            && let Some((line, _)) = v.lines()
            && !v.name.contains("] FROM ")
        {
            match last.iter_mut().find(|(id, ..)| *id == v.id) {
                Some(e) => e.2 = v.state,
                None => last.push((v.id.clone(), line, v.state)),
            }
        }
    }
    let mut out: Vec<(usize, VertexState)> = last.into_iter().map(|(_, l, s)| (l, s)).collect();
    out.sort_by_key(|(l, _)| *l);
    out
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/state/editor/fixtures")
        .join(format!("buildkit_{name}.json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_rebuild_and_failing_builds_agree_with_the_recorded_fixtures() {
    let Some(_docker) = fx::docker().await else {
        return;
    };
    let Some(host) = fx::docker_host() else {
        return;
    };
    let mut engine = Engine::start(&host).await;
    let mut cleanup = Cleanup::new();
    let unique = fx::unique("dh-bkfx");
    let tag = cleanup.image(format!("{unique}:1"));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("app.txt"), "one\n").expect("write");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile(&unique, false)).expect("write");
    let cold = record(&mut engine, dir.path(), &tag).await;
    std::fs::write(dir.path().join("app.txt"), "two\n").expect("write");
    let rebuild = record(&mut engine, dir.path(), &tag).await;
    std::fs::write(dir.path().join("Dockerfile"), dockerfile(&unique, true)).expect("write");
    let failed = record(&mut engine, dir.path(), &tag).await;

    use VertexState::{Cached, Done, Error};
    // Lines: 2 the cache-mount RUN, 6 the tools RUN, 9-11 the COPYs, 12 the last RUN.
    assert_eq!(
        steps(&cold),
        vec![
            (2, Done),
            (6, Done),
            (9, Done),
            (10, Done),
            (11, Done),
            (12, Done)
        ]
    );
    assert_eq!(
        steps(&rebuild),
        vec![
            (2, Cached),
            (6, Cached),
            (9, Cached),
            (10, Cached),
            (11, Done),
            (12, Done)
        ]
    );
    let failed_steps = steps(&failed);
    assert_eq!(failed_steps.last(), Some(&(12, Error)), "{failed_steps:?}");
    assert!(matches!(failed.stream.last(), Some(Recorded::End(Err(_)))));

    let runs = [("cold", cold), ("rebuild", rebuild), ("failed", failed)];
    if std::env::var_os("DH_RECORD").is_some() {
        for (name, run) in &runs {
            let json = serde_json::to_string_pretty(run).expect("json");
            std::fs::write(fixture_path(name), json).expect("write fixture");
        }
        return;
    }
    for (name, run) in &runs {
        let text = std::fs::read_to_string(fixture_path(name)).expect("recorded fixture");
        let recorded: Fixture = serde_json::from_str(&text).expect("fixture parses");
        assert_eq!(steps(&recorded), steps(run), "{name}: the engine changed");
    }
}
