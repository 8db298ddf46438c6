//! The explorer's analysis job against the REAL engine (DOCKER_HOST): `Command::AnalyzeImage`
//! through `engine::spawn`, progress events, the final figures compared with
//! `dockhand::layers` run directly, cancellation, and a newer analysis replacing an older one.
//!
//! Without an engine the tests skip with a notice, unless DOCKHAND_REQUIRE_ENGINE=1.
mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use common::engine::{self, Cleanup, ContextFile};
use dockhand::engine::{
    Command, Connection, EngineError, EngineEvent, EngineHandle, JobId, JobKind, JobOutcome,
    Progress, endpoint,
};
use dockhand::layers::tree::{LayerTree, Status};
use dockhand::layers::{self, ImageAnalysis};
use tokio::sync::mpsc;

/// Builds `FROM scratch` + busybox + `steps` as `tag`; returns the image ID.
async fn build(docker: &bollard::Docker, tag: &str, steps: &str) -> String {
    let path = engine::busybox_path().unwrap_or_else(|e| panic!("{e}"));
    let busybox = std::fs::read(&path).expect("read busybox");
    let dockerfile = format!(
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\n{steps}\n"
    );
    let context = engine::tar_context(&[
        ContextFile::new("Dockerfile", dockerfile, 0o644),
        ContextFile::new("busybox", busybox, 0o755),
    ]);
    engine::try_build(docker, tag, context)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Layers that add, overwrite (contents and mode) and delete files, a directory and a symlink.
const CHANGES: &str = "\
RUN mkdir -p /app/data /etc/conf && echo hello > /app/data/a.txt && dd if=/dev/zero of=/app/data/big.bin bs=1k count=300 2>/dev/null && echo x > /etc/conf/keep && ln -s /app/data/a.txt /app/link
RUN echo changed-content > /app/data/a.txt && chmod 600 /etc/conf/keep && echo new > /app/new.txt
RUN rm /app/data/big.bin && rm -rf /etc/conf";

/// The engine task with its events on a channel, once connected.
async fn start_engine() -> (EngineHandle, mpsc::UnboundedReceiver<EngineEvent>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sink: dockhand::engine::Sink = Arc::new(move |ev| {
        let _ = tx.send(ev);
    });
    let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(None));
    let handle = dockhand::engine::spawn(endpoints, sink);
    let connected = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = rx.recv().await {
            if let EngineEvent::Connection(Connection::Connected(_)) = ev {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(connected, Ok(true), "the engine task did not connect");
    (handle, rx)
}

/// What one analysis job reported.
#[derive(Default)]
struct Run {
    id: Option<JobId>,
    progress: Vec<(u64, u64)>,
    analysis: Option<Result<Arc<ImageAnalysis>, EngineError>>,
    finished: Option<Result<JobOutcome, EngineError>>,
    progress_after_finish: usize,
}

/// Collects the events of the analysis of `image` until its job finished.
async fn collect(rx: &mut mpsc::UnboundedReceiver<EngineEvent>, image: &str, run: &mut Run) {
    while run.finished.is_none() {
        let ev = tokio::time::timeout(Duration::from_secs(300), rx.recv())
            .await
            .expect("the analysis did not finish within 5 minutes")
            .expect("engine task ended");
        record(ev, image, run);
    }
}

fn record(ev: EngineEvent, image: &str, run: &mut Run) {
    match ev {
        EngineEvent::JobStarted {
            id,
            kind: JobKind::Analyze { image: i },
        } if i == image => run.id = Some(id),
        EngineEvent::JobProgress {
            id,
            progress: Progress::Bytes { done, total },
        } if Some(id) == run.id => {
            if run.finished.is_some() {
                run.progress_after_finish += 1;
            }
            run.progress.push((done, total));
        }
        EngineEvent::Analysis { job, result, .. } if Some(job) == run.id => {
            assert!(
                run.finished.is_none(),
                "Analysis must come before JobFinished"
            );
            run.analysis = Some(result);
        }
        EngineEvent::JobFinished { id, result } if Some(id) == run.id => {
            run.finished = Some(result)
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysis_job_reports_progress_and_matches_the_library() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-explorer-fx")));
    let id = build(&docker, &tag, CHANGES).await;
    let (handle, mut rx) = start_engine().await;

    handle.send(Command::AnalyzeImage { image: id.clone() });
    let mut run = Run::default();
    collect(&mut rx, &id, &mut run).await;

    // Progress: at least the start and the end, done never going backwards, one total.
    assert!(run.progress.len() >= 2, "{:?}", run.progress);
    for w in run.progress.windows(2) {
        assert!(
            w[0].0 <= w[1].0,
            "progress went backwards: {:?}",
            run.progress
        );
    }
    let (last_done, last_total) = *run.progress.last().unwrap();
    assert_eq!(run.progress[0].0, 0);
    assert!(run.progress[0].1 > 2_000_000, "total is the image size");
    assert!(last_done >= 2_000_000 && last_total >= last_done);

    let outcome = run.finished.unwrap().expect("job succeeded");
    assert!(matches!(&outcome, JobOutcome::Done(t) if t.contains("efficiency")));
    let from_job = run
        .analysis
        .expect("an Analysis event")
        .expect("analysis ok");

    // The same image through the library directly.
    let (direct_docker, _) = dockhand::engine::connect::connect_resolved(None)
        .await
        .expect("connect");
    let direct = layers::analyze_image(&direct_docker, &id, None, Arc::new(AtomicBool::new(false)))
        .await
        .expect("direct analysis");
    assert_eq!(from_job.figures, direct.figures);
    assert_eq!(from_job.layers.len(), 5);
    assert_eq!(from_job.layers.len(), direct.layers.len());
    let f = &from_job.figures;
    assert_eq!(
        f.wasted_bytes,
        307_200 + 22 + 4,
        "big.bin, a.txt twice, keep twice"
    );
    let paths: Vec<&str> = f.inefficient.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["/app/data/big.bin", "/app/data/a.txt", "/etc/conf/keep"]
    );

    // The explorer's view of the top layer marks the removals.
    let tree = LayerTree::build(&from_job, 4);
    let status = |p: &str| {
        let id = from_job.paths.lookup(p).unwrap_or_else(|| panic!("{p}"));
        tree.node(id).map(|n| n.status)
    };
    assert_eq!(status("/app/data/big.bin"), Some(Status::Removed));
    assert_eq!(status("/etc/conf"), Some(Status::Removed));
    assert_eq!(status("/app/data/a.txt"), Some(Status::Unchanged));
    let tree = LayerTree::build(&from_job, 3);
    let status = |p: &str| {
        tree.node(from_job.paths.lookup(p).unwrap())
            .map(|n| n.status)
    };
    assert_eq!(status("/app/data/a.txt"), Some(Status::Modified));
    assert_eq!(status("/app/new.txt"), Some(Status::Added));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_image_fails_in_words() {
    let Some(_docker) = engine::docker().await else {
        return;
    };
    let (handle, mut rx) = start_engine().await;
    let image = engine::unique("dh-explorer-missing");
    handle.send(Command::AnalyzeImage {
        image: image.clone(),
    });
    let mut run = Run::default();
    collect(&mut rx, &image, &mut run).await;
    let err = run.finished.unwrap().expect_err("no such image");
    assert!(
        err.to_string().to_lowercase().contains("no such image"),
        "{err}"
    );
    assert!(matches!(run.analysis, Some(Err(_))));
}

/// CPU time (user + system) used by this process so far, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

/// An image big enough that its export takes a while: 160 MB of zeros in one layer.
async fn big_image(docker: &bollard::Docker, guard: &mut Cleanup) -> String {
    let tag = guard.image(format!("{}:1", engine::unique("dh-explorer-big")));
    build(
        docker,
        &tag,
        "RUN dd if=/dev/zero of=/big.bin bs=1M count=160 2>/dev/null",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_the_analysis_and_a_newer_one_replaces_an_older_one() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let big = big_image(&docker, &mut guard).await;
    let small_tag = guard.image(format!("{}:1", engine::unique("dh-explorer-small")));
    let small = build(&docker, &small_tag, "RUN echo hi > /hi").await;
    let (handle, mut rx) = start_engine().await;

    // 1. Cancel once bytes are flowing.
    handle.send(Command::AnalyzeImage { image: big.clone() });
    let mut run = Run::default();
    let flowing = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            let ev = rx.recv().await.expect("engine task ended");
            record(ev, &big, &mut run);
            if run.finished.is_some() || run.progress.iter().any(|p| p.0 > 0) {
                return;
            }
        }
    })
    .await;
    assert!(flowing.is_ok(), "no bytes within 2 minutes");
    assert!(
        run.finished.is_none(),
        "finished before it could be cancelled"
    );
    let id = run.id.expect("job started");
    handle.send(Command::Cancel(id));
    tokio::time::timeout(Duration::from_secs(5), collect(&mut rx, &big, &mut run))
        .await
        .expect("the cancel was not acknowledged within 5 s");
    assert!(matches!(run.finished, Some(Err(EngineError::Cancelled))));
    assert!(
        !matches!(run.analysis, Some(Ok(_))),
        "a cancelled job must not deliver an analysis"
    );
    // Nothing more from that job: the parser stopped and the export is no longer read.
    let quiet_until = tokio::time::Instant::now() + Duration::from_secs(2);
    while let Ok(Some(ev)) = tokio::time::timeout_at(quiet_until, rx.recv()).await {
        record(ev, &big, &mut run);
    }
    assert_eq!(run.progress_after_finish, 0, "progress after the cancel");
    // And this process is idle: reading the rest of a 160 MB export through the parser would
    // cost CPU here (about a third of a core on this machine).
    let before = cpu_seconds();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let spent = cpu_seconds() - before;
    assert!(
        spent < 0.15,
        "still busy after the cancel: {spent:.2} s of CPU in 2 s"
    );

    // 2. A newer analysis replaces an older one that is still running.
    handle.send(Command::AnalyzeImage { image: big.clone() });
    handle.send(Command::AnalyzeImage {
        image: small.clone(),
    });
    let mut older = Run::default();
    let mut newer = Run::default();
    tokio::time::timeout(Duration::from_secs(300), async {
        while older.finished.is_none() || newer.finished.is_none() {
            let ev = rx.recv().await.expect("engine task ended");
            let job = match &ev {
                EngineEvent::JobStarted {
                    kind: JobKind::Analyze { image },
                    ..
                } => {
                    if *image == small {
                        newer.id
                    } else {
                        older.id
                    }
                }
                EngineEvent::JobProgress { id, .. }
                | EngineEvent::JobFinished { id, .. }
                | EngineEvent::Analysis { job: id, .. } => Some(*id),
                _ => None,
            };
            let is_small_start = matches!(&ev, EngineEvent::JobStarted {
                kind: JobKind::Analyze { image }, ..
            } if *image == small);
            if is_small_start || (job.is_some() && job == newer.id) {
                record(ev, &small, &mut newer);
            } else {
                record(ev, &big, &mut older);
            }
        }
    })
    .await
    .expect("both jobs should end");
    assert!(
        matches!(older.finished, Some(Err(EngineError::Cancelled))),
        "the older analysis is replaced"
    );
    assert!(
        matches!(newer.finished, Some(Ok(_))),
        "{:?}",
        newer.finished
    );
    let a = newer.analysis.unwrap().unwrap();
    assert_eq!(a.layers.len(), 3);
}
