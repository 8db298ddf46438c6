//! BuildKit progress as a typed vertex graph: the events a build job emits, a fold of them that
//! any consumer can keep ([`BuildProgress`]), and the decoder that turns the engine's
//! `StatusResponse` updates into events and plain `#N …` log lines for the jobs pane.
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::proto;
use crate::dockerfile::Dockerfile;
use crate::dockerfile::vertex::{self, Origin, Stage};
use crate::engine::build::{BuildSummary, Builder};
use crate::util::sanitize::sanitize;

/// Log lines kept per vertex.
pub const LOG_PER_VERTEX: usize = 200;

/// Where a vertex is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VertexState {
    /// Known, not started.
    Queued,
    /// Started, not completed.
    Running,
    /// Taken from the build cache.
    Cached,
    /// Completed.
    Done,
    /// Failed.
    Error,
}

/// One vertex of the build graph (its log lines travel in [`BuildEvent::Logs`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VertexInfo {
    /// The vertex digest.
    pub id: String,
    /// 1-based order of first appearance (the CLI's `#N`).
    pub number: usize,
    /// Display name, sanitised.
    pub name: String,
    /// The Dockerfile step (stage, lines) or internal work it stands for.
    pub origin: Origin,
    /// Digests of the vertices it depends on.
    pub inputs: Vec<String>,
    /// Its state.
    pub state: VertexState,
    /// When it started.
    pub started: Option<SystemTime>,
    /// When it completed.
    pub completed: Option<SystemTime>,
    /// The error, sanitised.
    pub error: Option<String>,
}

impl VertexInfo {
    /// How long it ran (completed − started).
    pub fn duration(&self) -> Option<Duration> {
        self.completed?.duration_since(self.started?).ok()
    }

    /// First and last line of its Dockerfile step.
    pub fn lines(&self) -> Option<(usize, usize)> {
        match &self.origin {
            Origin::Step(s) => Some((s.start_line, s.end_line)),
            _ => None,
        }
    }
}

/// What a build job reports beside its [`Progress::Log`](crate::engine::Progress) lines.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum BuildEvent {
    /// The builder chosen for this job.
    Started {
        /// The builder.
        builder: Builder,
    },
    /// A vertex appeared or changed (full state).
    Vertex(Box<VertexInfo>),
    /// New output lines of a vertex, sanitised, oldest first.
    Logs {
        /// The vertex digest.
        vertex: String,
        /// The lines.
        lines: Vec<String>,
    },
    /// The build ended: timings, cache use, failure (sent just before the job's `JobFinished`).
    Finished(Box<BuildSummary>),
}

/// The graph so far, built by applying [`BuildEvent`]s in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildProgress {
    /// Vertices in order of first appearance.
    pub vertices: Vec<VertexInfo>,
    /// The last [`LOG_PER_VERTEX`] lines of each vertex.
    pub logs: HashMap<String, VecDeque<String>>,
    index: HashMap<String, usize>,
}

impl BuildProgress {
    /// Folds one event in.
    pub fn apply(&mut self, event: &BuildEvent) {
        match event {
            BuildEvent::Vertex(v) => match self.index.get(&v.id) {
                Some(&i) => self.vertices[i] = (**v).clone(),
                None => {
                    self.index.insert(v.id.clone(), self.vertices.len());
                    self.vertices.push((**v).clone());
                }
            },
            BuildEvent::Logs { vertex, lines } => {
                let log = self.logs.entry(vertex.clone()).or_default();
                for line in lines {
                    if log.len() == LOG_PER_VERTEX {
                        log.pop_front();
                    }
                    log.push_back(line.clone());
                }
            }
            BuildEvent::Started { .. } | BuildEvent::Finished(_) => {}
        }
    }

    /// A vertex by digest.
    pub fn vertex(&self, id: &str) -> Option<&VertexInfo> {
        self.index.get(id).map(|&i| &self.vertices[i])
    }

    /// Vertices running right now (parallel stages show as several).
    pub fn running(&self) -> Vec<&VertexInfo> {
        self.vertices
            .iter()
            .filter(|v| v.state == VertexState::Running)
            .collect()
    }

    /// The first vertex that failed.
    pub fn failed(&self) -> Option<&VertexInfo> {
        self.vertices.iter().find(|v| v.state == VertexState::Error)
    }
}

fn time(t: &Option<proto::Timestamp>) -> Option<SystemTime> {
    let t = t.as_ref()?;
    if t.seconds <= 0 {
        return None;
    }
    Some(UNIX_EPOCH + Duration::new(t.seconds as u64, t.nanos.max(0) as u32))
}

fn state(v: &proto::Vertex) -> VertexState {
    if !v.error.is_empty() {
        VertexState::Error
    } else if v.cached {
        VertexState::Cached
    } else if v.completed.is_some() {
        VertexState::Done
    } else if v.started.is_some() {
        VertexState::Running
    } else {
        VertexState::Queued
    }
}

/// Turns `StatusResponse`s into events and log lines, keeping the graph.
pub struct Decoder {
    file: Dockerfile,
    stages: Vec<Stage>,
    /// The graph so far.
    pub progress: BuildProgress,
    partial: HashMap<String, String>,
}

impl Decoder {
    /// A decoder for a build of `file`.
    pub fn new(file: Dockerfile) -> Self {
        let stages = vertex::stages(&file);
        Decoder {
            file,
            stages,
            progress: BuildProgress::default(),
            partial: HashMap::new(),
        }
    }

    /// The Dockerfile being built.
    pub fn file(&self) -> &Dockerfile {
        &self.file
    }

    /// Decodes one update: the events, and plain lines like the CLI's `--progress=plain`.
    pub fn status(&mut self, s: proto::StatusResponse) -> (Vec<BuildEvent>, Vec<String>) {
        let (mut events, mut plain) = (Vec::new(), Vec::new());
        for v in s.vertexes {
            let before = self.progress.vertex(&v.digest).cloned();
            let number = before
                .as_ref()
                .map_or(self.progress.vertices.len() + 1, |b| b.number);
            let name = sanitize(&v.name);
            let info = VertexInfo {
                origin: vertex::locate(&self.file, &self.stages, &v.name),
                id: v.digest.clone(),
                number,
                inputs: v.inputs.clone(),
                state: state(&v),
                started: time(&v.started),
                completed: time(&v.completed),
                error: (!v.error.is_empty()).then(|| sanitize(&v.error)),
                name,
            };
            if before.as_ref() == Some(&info) {
                continue;
            }
            if before
                .as_ref()
                .is_none_or(|b| b.state == VertexState::Queued)
                && info.state != VertexState::Queued
            {
                plain.push(format!("#{number} {}", info.name));
            }
            if before.as_ref().map(|b| b.state) != Some(info.state) {
                match info.state {
                    VertexState::Cached => plain.push(format!("#{number} CACHED")),
                    VertexState::Done => plain.push(format!(
                        "#{number} DONE {:.1}s",
                        info.duration().unwrap_or_default().as_secs_f64()
                    )),
                    VertexState::Error => plain.push(format!(
                        "#{number} ERROR: {}",
                        info.error.as_deref().unwrap_or("")
                    )),
                    VertexState::Queued | VertexState::Running => {}
                }
            }
            let ev = BuildEvent::Vertex(Box::new(info));
            self.progress.apply(&ev);
            events.push(ev);
        }
        for log in s.logs {
            let pending = self.partial.entry(log.vertex.clone()).or_default();
            pending.push_str(&String::from_utf8_lossy(&log.msg));
            let mut lines = Vec::new();
            while let Some(nl) = pending.find('\n') {
                let line: String = pending.drain(..=nl).collect();
                lines.push(sanitize(line.trim_end_matches(['\n', '\r'])));
            }
            if lines.is_empty() {
                continue;
            }
            if let Some(v) = self.progress.vertex(&log.vertex) {
                plain.extend(lines.iter().map(|l| format!("#{} {l}", v.number)));
            }
            let ev = BuildEvent::Logs {
                vertex: log.vertex,
                lines,
            };
            self.progress.apply(&ev);
            events.push(ev);
        }
        (events, plain)
    }
}
