//! Build marks from BuildKit's vertex graph (fed with builds recorded from the real engine) and
//! from edits: the line diff, marks moving with their lines.
use super::*;
use crate::state::editor::recorded::{opened, parallel_point, replay};

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn line_edits_keep_head_and_tail() {
    let old = lines("a\nb\nc\nd");
    // Insert after b.
    let e = LineEdit::between(&old, &lines("a\nb\nx\nc\nd")).unwrap();
    assert_eq!((e.start, e.old_end, e.new_end), (2, 2, 3));
    assert_eq!(e.map(2), Some(2));
    assert_eq!(e.map(3), Some(4));
    // Delete c.
    let e = LineEdit::between(&old, &lines("a\nb\nd")).unwrap();
    assert_eq!(e.map(3), None);
    assert_eq!(e.map(4), Some(3));
    // Change b.
    let e = LineEdit::between(&old, &lines("a\nB\nc\nd")).unwrap();
    assert_eq!(e.map(2), None);
    assert_eq!(e.map_range((2, 3)), None);
    assert_eq!(e.map_range((3, 4)), Some((3, 4)));
    // Insertion inside a two-line instruction changes it; before or after it does not.
    let e = LineEdit::between(&old, &lines("a\nb\nx\nc\nd")).unwrap();
    assert_eq!(e.map_range((2, 3)), None);
    assert_eq!(e.map_range((1, 2)), Some((1, 2)));
    assert_eq!(e.map_range((3, 4)), Some((4, 5)));
    // Repeated lines: the tail never overlaps the head.
    let e = LineEdit::between(&lines("a\na"), &lines("a\na\na")).unwrap();
    assert_eq!((e.start, e.old_end, e.new_end), (2, 2, 3));
    assert_eq!(LineEdit::between(&old, &old), None);
}

fn marks(s: &crate::state::AppState) -> Vec<(usize, StepMark)> {
    s.panes
        .editor
        .build
        .marks
        .iter()
        .map(|(l, m)| (*l, *m))
        .collect()
}

#[test]
fn a_recorded_cold_build_marks_every_step_built() {
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, None);
    let b = &s.panes.editor.build;
    assert_eq!(b.builder, Some(Builder::BuildKit));
    assert!(!b.running());
    use StepMark::*;
    // BuildKit resolves the three `FROM dh-busybox:1` as one vertex, named after one stage.
    let (bases, steps): (Vec<_>, Vec<_>) = marks(&s).into_iter().partition(|(_, m)| *m == Base);
    assert_eq!(bases.len(), 1, "{bases:?}");
    assert!([1, 5, 8].contains(&bases[0].0), "{bases:?}");
    assert_eq!(
        steps,
        vec![
            (2, Built),
            (6, Built),
            (9, Built),
            (10, Built),
            (11, Built),
            (12, Built)
        ]
    );
    let summary = b.summary.as_ref().expect("summary kept");
    assert!(summary.image_id.is_some());
    assert_eq!(b.image, summary.image_id);
    assert!(summary.cached().iter().all(|t| t.lines.is_none()));
}

#[test]
fn a_recorded_build_runs_two_stages_at_once_and_marks_them_running() {
    let mut s = opened("cold");
    let at = parallel_point("cold").expect("the two stages ran in parallel");
    replay(&mut s, "cold", 1, Some(at));
    let b = &s.panes.editor.build;
    assert!(b.running());
    let running: Vec<usize> = marks(&s)
        .into_iter()
        .filter(|(_, m)| *m == StepMark::Running)
        .map(|(l, _)| l)
        .collect();
    assert!(running.len() >= 2, "{:?}", marks(&s));
}

#[test]
fn a_recorded_rebuild_marks_cache_hits_and_where_the_cache_was_invalidated() {
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, None);
    replay(&mut s, "rebuild", 2, None);
    use StepMark::*;
    let m = marks(&s);
    for l in [2, 6, 9, 10] {
        assert!(m.contains(&(l, Cached)), "line {l}: {m:?}");
    }
    assert!(m.contains(&(11, Invalidated)), "{m:?}");
    assert!(m.contains(&(12, Rebuilt)), "{m:?}");
    let summary = s.panes.editor.build.summary.as_ref().unwrap();
    let first_miss = summary.cache.as_ref().and_then(|c| c.first_miss.clone());
    assert_eq!(first_miss.map(|(l, _)| l), Some(11));
}

#[test]
fn a_recorded_failure_marks_its_line_with_its_last_output() {
    let mut s = opened("failed");
    replay(&mut s, "failed", 3, None);
    let b = &s.panes.editor.build;
    assert_eq!(b.marks.get(&12), Some(&StepMark::Failed));
    let (line, message) = b.failure.clone().unwrap();
    assert_eq!(line, 12);
    assert!(message.contains("exit code: 3"), "{message}");
    assert!(
        b.failure_log.iter().any(|l| l.contains("missing config")),
        "{:?}",
        b.failure_log
    );
    assert_eq!(
        s.panes.editor.textarea.cursor().0,
        11,
        "cursor on the failing line"
    );
}

#[test]
fn lines_reported_after_an_edit_land_on_the_moved_lines() {
    let mut s = opened("cold");
    let at = parallel_point("cold").unwrap();
    replay(&mut s, "cold", 1, Some(at));
    // Two lines inserted at the top while the build runs.
    s.panes.editor.jump_to(1);
    s.test_key(&crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    ));
    s.test_key(&crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    ));
    let f = crate::state::editor::recorded::fixture("cold");
    for r in f.stream.into_iter().skip(at) {
        match r {
            crate::state::editor::recorded::Recorded::Build(event) => {
                s.test_engine(crate::engine::EngineEvent::Build { id: 1, event });
            }
            crate::state::editor::recorded::Recorded::Log(line) => {
                s.test_engine(crate::engine::EngineEvent::JobProgress {
                    id: 1,
                    progress: crate::engine::Progress::Log(line),
                });
            }
            crate::state::editor::recorded::Recorded::End(_) => {}
        }
    }
    let m = marks(&s);
    assert!(m.contains(&(14, StepMark::Built)), "{m:?}");
    assert!(!m.iter().any(|(l, _)| *l == 1 || *l == 2), "{m:?}");
    assert!(
        m.contains(&(4, StepMark::Built)),
        "the cache-mount RUN, line 2 before: {m:?}"
    );
}

#[test]
fn the_build_job_row_names_its_builder() {
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, None);
    let job = s.panes.jobs.jobs.list.last().expect("the job");
    assert!(job.what().ends_with("(BuildKit)"), "{}", job.what());
    assert!(job.what().starts_with("build /w/app/Dockerfile → app:dev"));
}

#[test]
fn ten_thousand_output_lines_stay_within_bounded_buffers() {
    use crate::engine::EngineEvent;
    let mut s = opened("cold");
    let at = parallel_point("cold").unwrap();
    replay(&mut s, "cold", 1, Some(at));
    let running: Vec<String> = s
        .panes
        .editor
        .build
        .graph
        .running()
        .iter()
        .map(|v| v.id.clone())
        .collect();
    for i in 0..10_000 {
        let vertex = running[i % running.len()].clone();
        s.test_engine(EngineEvent::JobProgress {
            id: 1,
            progress: crate::engine::Progress::Log(format!("#5 line {i}")),
        });
        s.test_engine(EngineEvent::Build {
            id: 1,
            event: BuildEvent::Logs {
                vertex,
                lines: vec![format!("line {i}")],
            },
        });
    }
    let b = &s.panes.editor.build;
    assert_eq!(b.log.len(), LOG_KEEP);
    assert_eq!(b.log.back().map(String::as_str), Some("#5 line 9999"));
    for id in &running {
        let log = &b.graph.logs[id];
        assert_eq!(log.len(), crate::engine::buildkit::progress::LOG_PER_VERTEX);
        assert!(log.back().unwrap().starts_with("line 999"));
    }
    let jobs_log = &s.panes.jobs.jobs.list.last().unwrap().log;
    assert_eq!(jobs_log.len(), crate::state::jobs::LOG_LINES);
}
