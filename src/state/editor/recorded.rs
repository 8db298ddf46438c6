//! Replays build jobs recorded from the real engine's BuildKit (`fixtures/buildkit_*.json`,
//! written by `tests/buildkit_events_fixture.rs` with `DH_RECORD=1`) into an app state, as the
//! app would get them.
use std::path::PathBuf;

use serde::Deserialize;

use crate::engine::buildkit::progress::BuildEvent;
use crate::engine::{EngineError, EngineEvent, JobId, JobKind, JobOutcome, Progress};
use crate::state::{AppState, PaneId};

/// One report of a build job.
#[derive(Debug, Deserialize)]
pub enum Recorded {
    /// A plain output line.
    Log(String),
    /// A typed build event.
    Build(BuildEvent),
    /// The job's end.
    End(Result<String, String>),
}

/// A recorded build.
#[derive(Debug, Deserialize)]
pub struct Fixture {
    /// The Dockerfile built.
    pub dockerfile: String,
    /// The reports, in order.
    pub stream: Vec<Recorded>,
}

/// The recorded builds: a cold build, a rebuild after a context file changed, a failing step.
pub fn fixture(name: &str) -> Fixture {
    let text = match name {
        "cold" => include_str!("fixtures/buildkit_cold.json"),
        "rebuild" => include_str!("fixtures/buildkit_rebuild.json"),
        "failed" => include_str!("fixtures/buildkit_failed.json"),
        _ => panic!("no fixture {name}"),
    };
    serde_json::from_str(text).expect("fixture parses")
}

/// The path the recorded Dockerfile is opened at.
pub const PATH: &str = "/w/app/Dockerfile";

/// A state with the recorded Dockerfile open in the editor.
pub fn opened(name: &str) -> AppState {
    let mut s = AppState::default();
    s.shared.focus = PaneId::Editor;
    s.panes
        .editor
        .open(&PathBuf::from(PATH), &fixture(name).dockerfile, None);
    s
}

/// Replays build `name` as job `id`; stops before the report at `stop` when given (a build
/// still running). Returns the number of reports.
pub fn replay(s: &mut AppState, name: &str, id: JobId, stop: Option<usize>) -> usize {
    let f = fixture(name);
    s.test_engine(EngineEvent::JobStarted {
        id,
        kind: JobKind::Build {
            dockerfile: PATH.into(),
            tag: Some("app:dev".into()),
        },
    });
    let n = f.stream.len();
    for (i, r) in f.stream.into_iter().enumerate() {
        if stop == Some(i) {
            break;
        }
        let ev = match r {
            Recorded::Log(line) => EngineEvent::JobProgress {
                id,
                progress: Progress::Log(line),
            },
            Recorded::Build(event) => EngineEvent::Build { id, event },
            Recorded::End(Ok(text)) => EngineEvent::JobFinished {
                id,
                result: Ok(JobOutcome::Done(text)),
            },
            Recorded::End(Err(message)) => EngineEvent::JobFinished {
                id,
                result: Err(EngineError::Api { status: 0, message }),
            },
        };
        s.test_engine(ev);
    }
    n
}

/// How many reports of build `name` to replay for steps of two stages to be running at once.
pub fn parallel_point(name: &str) -> Option<usize> {
    let f = fixture(name);
    let mut graph = crate::engine::buildkit::progress::BuildProgress::default();
    for (i, r) in f.stream.iter().enumerate() {
        if let Recorded::Build(ev) = r {
            graph.apply(ev);
            let mut stages: Vec<usize> = graph
                .running()
                .iter()
                .filter_map(|v| match &v.origin {
                    crate::dockerfile::vertex::Origin::Step(l) => Some(l.stage),
                    _ => None,
                })
                .collect();
            stages.sort();
            stages.dedup();
            if stages.len() >= 2 {
                return Some(i + 1);
            }
        }
    }
    None
}
