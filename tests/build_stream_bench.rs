//! Frame time while a BuildKit build streams 10,000 log lines into the editor (target: under
//! 16 ms per frame, printed, not asserted): two stages running in parallel, their output arriving as the app gets it
//! (a plain `#N` line and a typed `Logs` event per line), the app's loop applying what queued up
//! and drawing one frame per batch with the step graph open. Ignored by default; run in release:
//!
//! ```text
//! cargo test --release --test build_stream_bench -- --ignored --nocapture
//! ```
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use dockhand::config::keymap::Keymap;
use dockhand::config::theme::Theme;
use dockhand::dockerfile::parse;
use dockhand::dockerfile::vertex::{self, Origin, StepLocation};
use dockhand::engine::build::Builder;
use dockhand::engine::buildkit::progress::{BuildEvent, LOG_PER_VERTEX, VertexInfo, VertexState};
use dockhand::engine::{EngineEvent, JobKind, Progress};
use dockhand::state::{AppState, PaneId};
use dockhand::ui::{Ctx, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SRC: &str = "FROM dh-busybox:1 AS a\nRUN make a\nFROM dh-busybox:1 AS b\nRUN make b\nFROM dh-busybox:1\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n";
const LINES: usize = 10_000;
const BATCH: usize = 50;

fn running(file: &dockhand::dockerfile::Dockerfile, stage: usize, id: &str) -> VertexInfo {
    let stages = vertex::stages(file);
    let s = &stages[stage];
    let ins = s.steps[1];
    let line = file.instructions[ins].start_line;
    VertexInfo {
        id: id.into(),
        number: stage + 1,
        name: format!(
            "[{} 2/2] RUN make {}",
            s.label.clone().unwrap_or_default(),
            id
        ),
        origin: Origin::Step(StepLocation {
            stage,
            stage_label: s.label.clone(),
            index: 2,
            instruction: ins,
            start_line: line,
            end_line: line,
        }),
        inputs: vec![],
        state: VertexState::Running,
        started: Some(SystemTime::now()),
        completed: None,
        error: None,
    }
}

/// Nanoseconds of CPU time this thread has used, so that time the scheduler gave to other
/// processes on a busy machine is not counted.
fn on_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    Some(u64::try_from(ts.tv_sec).ok()? * 1_000_000_000 + u64::try_from(ts.tv_nsec).ok()?)
}

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 99 / 100).min(v.len() - 1)]),
        ms(v[v.len() - 1]),
    )
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn ten_thousand_build_log_lines_keep_frames_short() {
    let path = PathBuf::from("/bench/Dockerfile");
    let mut state = AppState::default();
    state.panes.editor.open(&path, SRC, None);
    state.shared.focus = PaneId::Editor;
    let keymap = Keymap::defaults();
    let theme = Theme::default_theme();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).expect("terminal");
    let file = parse(SRC);
    let id = 1;
    state.on_engine(
        &keymap,
        EngineEvent::JobStarted {
            id,
            kind: JobKind::Build {
                dockerfile: path.display().to_string(),
                tag: None,
            },
        },
    );
    let build = |event| EngineEvent::Build { id, event };
    state.on_engine(
        &keymap,
        build(BuildEvent::Started {
            builder: Builder::BuildKit,
        }),
    );
    for (stage, v) in [(0, "va"), (1, "vb")] {
        state.on_engine(
            &keymap,
            build(BuildEvent::Vertex(Box::new(running(&file, stage, v)))),
        );
    }
    let mut frames = Vec::new();
    let mut cpu_frames = Vec::new();
    let started = Instant::now();
    for batch in 0..LINES / BATCH {
        let cpu = on_cpu_ns();
        let t = Instant::now();
        for i in 0..BATCH {
            let n = batch * BATCH + i;
            let (v, num) = if n.is_multiple_of(2) {
                ("va", 1)
            } else {
                ("vb", 2)
            };
            let line = format!("compiling unit {n} of {LINES}: src/module_{n}.c -O2 -Wall");
            state.on_engine(
                &keymap,
                EngineEvent::JobProgress {
                    id,
                    progress: Progress::Log(format!("#{num} {line}")),
                },
            );
            state.on_engine(
                &keymap,
                build(BuildEvent::Logs {
                    vertex: v.into(),
                    lines: vec![line],
                }),
            );
        }
        terminal
            .draw(|f| {
                draw(f, &state, &ctx);
            })
            .expect("draw");
        frames.push(t.elapsed());
        if let (Some(a), Some(b)) = (cpu, on_cpu_ns()) {
            cpu_frames.push(Duration::from_nanos(b.saturating_sub(a)));
        }
    }
    let total = started.elapsed();
    let frames_len = frames.len();
    let graph = &state.panes.editor.build.graph;
    assert!(graph.logs.values().all(|l| l.len() <= LOG_PER_VERTEX));
    let screen = format!("{:?}", terminal.backend());
    assert!(
        screen.contains(&format!("compiling unit {}", LINES - 1)),
        "{screen}"
    );
    let (median, p99, max) = stats(frames);
    println!(
        "build_stream: {LINES} lines in batches of {BATCH}: frame (apply + draw) wall median {median:.2} ms, p99 {p99:.2} ms, max {max:.2} ms; total {:.0} ms ({:.1} µs/line)",
        total.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1e6 / LINES as f64
    );
    if cpu_frames.len() == frames_len {
        let (median, p99, max) = stats(cpu_frames);
        println!(
            "build_stream: on-CPU per frame median {median:.2} ms, p99 {p99:.2} ms, max {max:.2} ms"
        );
    }
}
