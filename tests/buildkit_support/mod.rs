//! Shared pieces of the BuildKit tests: an engine task with a build sink, a build run to its end
//! with everything it reported, and the Debian CLI (`DOCKER_BUILDKIT=1 /usr/bin/docker build
//! --progress=plain`) as the oracle.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dockhand::dockerfile::parse;
use dockhand::dockerfile::vertex::{self, Origin};
use dockhand::engine::build::{BuildOptions, BuildRequest, BuildSummary, BuilderChoice};
use dockhand::engine::buildkit::progress::{BuildEvent, BuildProgress};
use dockhand::engine::{
    self, Command, Connection, EngineError, EngineEvent, EngineHandle, JobId, JobOutcome, Progress,
    endpoint,
};
use tokio::sync::mpsc;

/// What the engine task sent.
pub enum Msg {
    /// An engine event.
    Engine(EngineEvent),
    /// A build event.
    Build(JobId, BuildEvent),
}

/// An engine task for one endpoint.
pub struct Engine {
    /// The handle.
    pub handle: EngineHandle,
    /// What it reports.
    pub rx: mpsc::UnboundedReceiver<Msg>,
}

/// A finished build.
pub struct Run {
    /// The job id.
    pub job: JobId,
    /// Events in order.
    pub events: Vec<BuildEvent>,
    /// Log lines.
    pub logs: Vec<String>,
    /// The graph.
    pub progress: BuildProgress,
    /// The summary.
    pub summary: Option<BuildSummary>,
    /// How the job ended.
    pub result: Result<JobOutcome, EngineError>,
}

impl Run {
    /// The image id, panicking with the log when the build failed.
    pub fn image(&self) -> String {
        match &self.result {
            Ok(JobOutcome::Done(s)) => s.trim_start_matches("built ").to_string(),
            other => panic!("build failed: {other:?}\n{}", self.logs.join("\n")),
        }
    }

    /// First lines of the steps with each state.
    pub fn lines_where(&self, cached: bool) -> Vec<usize> {
        let mut lines: Vec<usize> = self
            .progress
            .vertices
            .iter()
            .filter(|v| {
                use dockhand::engine::buildkit::progress::VertexState as S;
                matches!(v.state, S::Cached) == cached && matches!(v.state, S::Cached | S::Done)
            })
            .filter_map(|v| v.lines().map(|l| l.0))
            .collect();
        lines.sort();
        lines.dedup();
        lines
    }
}

impl Engine {
    /// An engine task on `host` (a `unix://` or `tcp://` URL), connected.
    pub async fn start(host: &str) -> Engine {
        let (tx, rx) = mpsc::unbounded_channel();
        let btx = tx.clone();
        let sink: engine::Sink = Arc::new(move |ev| {
            let _ = tx.send(Msg::Engine(ev));
        });
        let builds: engine::BuildSink = Arc::new(move |job, ev| {
            let _ = btx.send(Msg::Build(job, ev));
        });
        let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(Some(host.into())));
        let handle = engine::spawn_with_builds(endpoints, sink, builds);
        let mut e = Engine { handle, rx };
        e.wait(|m| {
            matches!(
                m,
                Msg::Engine(EngineEvent::Connection(Connection::Connected(_)))
            )
        })
        .await;
        e
    }

    /// Waits for a message matching `pred`.
    pub async fn wait(&mut self, pred: impl Fn(&Msg) -> bool) -> Msg {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .expect("engine events in time")
                .expect("engine task alive");
            if pred(&msg) {
                return msg;
            }
        }
    }

    /// Starts a build; returns its job id.
    pub async fn start_build(&mut self, req: BuildRequest, opts: BuildOptions) -> JobId {
        self.handle.send(Command::BuildWith {
            request: Box::new(req),
            options: Box::new(opts),
        });
        match self
            .wait(|m| matches!(m, Msg::Engine(EngineEvent::JobStarted { .. })))
            .await
        {
            Msg::Engine(EngineEvent::JobStarted { id, .. }) => id,
            _ => unreachable!(),
        }
    }

    /// Collects a started build to its end.
    pub async fn finish(&mut self, job: JobId) -> Run {
        let mut run = Run {
            job,
            events: Vec::new(),
            logs: Vec::new(),
            progress: BuildProgress::default(),
            summary: None,
            result: Err(EngineError::NotConnected),
        };
        loop {
            match self.wait(|_| true).await {
                Msg::Build(id, ev) if id == job => {
                    run.progress.apply(&ev);
                    if let BuildEvent::Finished(s) = &ev {
                        run.summary = Some((**s).clone());
                    }
                    run.events.push(ev);
                }
                Msg::Engine(EngineEvent::JobProgress {
                    id,
                    progress: Progress::Log(l),
                }) if id == job => run.logs.push(l),
                Msg::Engine(EngineEvent::JobFinished { id, result }) if id == job => {
                    run.result = result;
                    return run;
                }
                _ => {}
            }
        }
    }

    /// Builds and waits.
    pub async fn build(&mut self, req: BuildRequest, opts: BuildOptions) -> Run {
        let job = self.start_build(req, opts).await;
        self.finish(job).await
    }
}

/// A request for `dir` (Dockerfile in it), RUN steps on the host network.
pub fn request(dir: &Path, tag: &str) -> BuildRequest {
    BuildRequest {
        dockerfile: dir.join("Dockerfile"),
        context: dir.to_path_buf(),
        tags: vec![tag.to_string()],
        network: "host".into(),
        ..Default::default()
    }
}

/// BuildKit, explicitly.
pub fn buildkit() -> BuildOptions {
    BuildOptions {
        builder: BuilderChoice::BuildKit,
        ..Default::default()
    }
}

/// The Debian CLI's BuildKit build of `dir`: (lines of steps that ran, lines of cached steps),
/// mapped with the same vertex mapping.
pub fn cli_build(dir: &Path, tag: &str) -> (Vec<usize>, Vec<usize>) {
    let out = std::process::Command::new("/usr/bin/docker")
        .env("DOCKER_BUILDKIT", "1")
        .args([
            "build",
            "--network",
            "host",
            "--progress=plain",
            "-t",
            tag,
            ".",
        ])
        .current_dir(dir)
        .output()
        .expect("run /usr/bin/docker");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "CLI build failed:\n{text}");
    let file = parse(&std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile"));
    let stages = vertex::stages(&file);
    let mut names = std::collections::HashMap::new();
    let (mut ran, mut cached) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let Some((num, rest)) = line.split_once(' ') else {
            continue;
        };
        if rest.starts_with('[') {
            names.insert(num.to_string(), rest.to_string());
        }
        let Some(name) = names.get(num) else { continue };
        let Origin::Step(loc) = vertex::locate(&file, &stages, name) else {
            continue;
        };
        if rest == "CACHED" {
            cached.push(loc.start_line);
        } else if rest.starts_with("DONE") {
            ran.push(loc.start_line);
        }
    }
    for v in [&mut ran, &mut cached] {
        v.sort();
        v.dedup();
    }
    (ran, cached)
}
