//! Tests of the explorer pane's state.
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::action::AppAction;
use crate::engine::{
    EngineEvent, HistoryEntry, ImageDetails, ImageInfo, Inventory, JobKind, JobOutcome,
};
use crate::layers::analysis::tests::image;
use crate::layers::testutil::TarBuilder;
use crate::layers::tree::Status;
use crate::state::{AppState, PaneId};

/// The image ID of the fixture.
pub(crate) const ID: &str =
    "sha256:e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0";

/// Three layers: a base with /app and /etc/conf, one that overwrites /app/a.txt and adds
/// /app/new.txt, one that removes /app/big.bin and /etc/conf.
pub(crate) fn analysis() -> Arc<ImageAnalysis> {
    Arc::new(image(vec![
        TarBuilder::new()
            .dir("app/")
            .file("app/a.txt", b"hello")
            .file("app/big.bin", &[7; 4000])
            .symlink("app/link", "/app/a.txt")
            .dir("etc/")
            .dir("etc/conf/")
            .file_mode("etc/conf/keep", b"x", 0o600)
            .finish(),
        TarBuilder::new()
            .dir("app/")
            .file("app/a.txt", b"changed content")
            .file("app/new.txt", b"new")
            .finish(),
        TarBuilder::new()
            .dir("app/")
            .file("app/.wh.big.bin", b"")
            .dir("etc/")
            .file("etc/.wh.conf", b"")
            .finish(),
    ]))
}

fn history(created_by: &str, size: u64) -> HistoryEntry {
    HistoryEntry {
        id: "<missing>".into(),
        created: 0,
        created_by: created_by.into(),
        size,
        comment: String::new(),
    }
}

/// An app state with the fixture image listed and its history loaded (layers pane focused).
pub(crate) fn app() -> AppState {
    let mut s = AppState::default();
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![ImageInfo {
            id: ID.into(),
            repo_tags: vec!["demo:1".into()],
            repo_digests: vec![],
            created: 0,
            size: 4100,
        }],
        containers: vec![],
    })));
    s.test_engine(EngineEvent::Details {
        image_id: ID.into(),
        result: Ok(Box::new(ImageDetails {
            id: ID.into(),
            history: vec![
                history("/bin/sh -c step 0", 4006),
                history("/bin/sh -c #(nop)  ENV A=b", 0),
                history("/bin/sh -c step 1", 18),
                history("/bin/sh -c step 2", 0),
                history("/bin/sh -c #(nop)  CMD [\"sh\"]", 0),
            ],
            ..ImageDetails::default()
        })),
    });
    s.shared.focus = PaneId::Layers;
    s
}

fn key(s: &mut AppState, k: &str) -> Vec<Command> {
    let code = match k {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Left" => KeyCode::Left,
        "Backspace" => KeyCode::Backspace,
        "Space" => KeyCode::Char(' '),
        c => KeyCode::Char(c.chars().next().unwrap()),
    };
    s.test_key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        key(s, &c.to_string());
    }
}

/// Opens the explorer from the layers pane with the cursor on history entry `cursor`, and
/// delivers the analysis as job 7.
pub(crate) fn opened(cursor: usize) -> AppState {
    let mut s = app();
    s.panes.layers.view.select(cursor);
    let cmds = key(&mut s, "f");
    assert_eq!(cmds, vec![Command::AnalyzeImage { image: ID.into() }]);
    s.test_engine(EngineEvent::JobStarted {
        id: 7,
        kind: JobKind::Analyze { image: ID.into() },
    });
    s.test_engine(EngineEvent::Analysis {
        job: 7,
        image: ID.into(),
        result: Ok(analysis()),
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 7,
        result: Ok(JobOutcome::Done("analysed demo:1".into())),
    });
    s
}

fn paths(s: &AppState) -> Vec<String> {
    s.panes
        .explorer
        .state
        .rows
        .iter()
        .map(|r| format!("{}{}", "  ".repeat(r.depth), r.name))
        .collect()
}

fn status_of(s: &AppState, name: &str) -> Option<Status> {
    s.panes
        .explorer
        .state
        .rows
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.status)
}

#[test]
fn f_on_a_layer_starts_the_analysis_and_focuses_the_explorer() {
    let mut s = app();
    let cmds = key(&mut s, "f");
    assert_eq!(cmds, vec![Command::AnalyzeImage { image: ID.into() }]);
    assert_eq!(s.shared.focus, PaneId::Explorer);
    assert!(s.panes.explorer.state.running());
    assert_eq!(s.panes.explorer.state.label, "demo:1");
    // Enter on the layers pane still opens the layer's details.
    let mut s = app();
    key(&mut s, "Enter");
    assert!(s.panes.layers.dialog.is_some());
    assert_eq!(s.shared.focus, PaneId::Layers);
}

#[test]
fn progress_of_our_job_only_and_never_backwards() {
    let mut s = app();
    key(&mut s, "f");
    s.test_engine(EngineEvent::JobStarted {
        id: 3,
        kind: JobKind::Analyze {
            image: "other".into(),
        },
    });
    s.test_engine(EngineEvent::JobStarted {
        id: 4,
        kind: JobKind::Analyze { image: ID.into() },
    });
    let bytes = |done, total| Progress::Bytes { done, total };
    s.test_engine(EngineEvent::JobProgress {
        id: 3,
        progress: bytes(999, 1000),
    });
    s.test_engine(EngineEvent::JobProgress {
        id: 4,
        progress: bytes(300, 5000),
    });
    s.test_engine(EngineEvent::JobProgress {
        id: 4,
        progress: bytes(200, 5000),
    });
    assert_eq!(
        s.panes.explorer.state.phase,
        Phase::Running {
            job: Some(4),
            done: 300,
            total: 5000
        }
    );
    // x cancels our job, not the other one.
    assert_eq!(key(&mut s, "x"), vec![Command::Cancel(4)]);
    s.test_engine(EngineEvent::JobFinished {
        id: 4,
        result: Err(EngineError::Cancelled),
    });
    assert_eq!(s.panes.explorer.state.phase, Phase::Cancelled);
    // Ctrl-r (refresh) starts it again.
    let cmds = s.test_action(Action::App(AppAction::Refresh));
    assert!(cmds.contains(&Command::AnalyzeImage { image: ID.into() }));
    assert!(s.panes.explorer.state.running());
}

#[test]
fn errors_show_in_words() {
    let mut s = app();
    key(&mut s, "f");
    s.test_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Analyze { image: ID.into() },
    });
    s.test_engine(EngineEvent::Analysis {
        job: 1,
        image: ID.into(),
        result: Err(EngineError::Analysis("layer 2: truncated tar".into())),
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Err(EngineError::Analysis("layer 2: truncated tar".into())),
    });
    assert_eq!(
        s.panes.explorer.state.phase,
        Phase::Failed("layer 2: truncated tar".into())
    );
}

#[test]
fn the_layer_under_the_cursor_is_the_one_shown() {
    // History entry 1 is `ENV` (no layer): it belongs to layer 0.
    assert_eq!(opened(1).panes.explorer.state.layer, 0);
    assert_eq!(opened(2).panes.explorer.state.layer, 1);
    assert_eq!(opened(4).panes.explorer.state.layer, 2);
    let s = opened(3);
    assert_eq!(s.panes.explorer.state.phase, Phase::Ready);
    assert_eq!(status_of(&s, "big.bin"), Some(Status::Removed));
    assert_eq!(status_of(&s, "conf"), Some(Status::Removed));
}

#[test]
fn brackets_and_jk_on_the_layer_list_switch_layers() {
    let mut s = opened(0);
    assert_eq!(s.panes.explorer.state.layer, 0);
    key(&mut s, "]");
    assert_eq!(s.panes.explorer.state.layer, 1);
    assert_eq!(status_of(&s, "a.txt"), Some(Status::Modified));
    assert_eq!(status_of(&s, "new.txt"), Some(Status::Added));
    key(&mut s, "]");
    key(&mut s, "]");
    assert_eq!(s.panes.explorer.state.layer, 2, "clamped at the top layer");
    key(&mut s, "[");
    assert_eq!(s.panes.explorer.state.layer, 1);
    // j/k move the tree cursor until Tab moves to the layer list.
    key(&mut s, "j");
    assert_eq!(
        (s.panes.explorer.state.layer, s.panes.explorer.state.cursor),
        (1, 1)
    );
    key(&mut s, "Tab");
    assert_eq!(s.panes.explorer.state.side, Side::Layers);
    key(&mut s, "j");
    assert_eq!(s.panes.explorer.state.layer, 2);
    key(&mut s, "k");
    key(&mut s, "k");
    key(&mut s, "k");
    assert_eq!(s.panes.explorer.state.layer, 0);
}

#[test]
fn changes_only_and_status_toggles() {
    let mut s = opened(3);
    assert_eq!(
        paths(&s),
        vec![
            "app",
            "  a.txt",
            "  big.bin",
            "  link",
            "  new.txt",
            "etc",
            "  conf",
            "    keep"
        ]
    );
    key(&mut s, "c");
    assert_eq!(s.panes.explorer.state.opts.mode, ViewMode::LayerChanges);
    assert_eq!(
        paths(&s),
        vec!["app", "  big.bin", "etc", "  conf", "    keep"]
    );
    key(&mut s, "r");
    // Without the removals only the directories the layer rewrote are left.
    assert_eq!(paths(&s), vec!["app", "etc"]);
    key(&mut s, "r");
    key(&mut s, "c");
    key(&mut s, "u");
    // Unchanged hidden: only the removals and their (modified) parents remain.
    assert!(
        s.panes
            .explorer
            .state
            .rows
            .iter()
            .all(|r| r.status != Status::Unchanged)
    );
    assert!(status_of(&s, "a.txt").is_none());
    key(&mut s, "u");
    key(&mut s, "[");
    assert_eq!(status_of(&s, "new.txt"), Some(Status::Added));
    key(&mut s, "a");
    assert_eq!(status_of(&s, "new.txt"), None);
    assert_eq!(status_of(&s, "a.txt"), Some(Status::Modified));
    key(&mut s, "m");
    assert_eq!(status_of(&s, "a.txt"), None);
    assert_eq!(status_of(&s, "big.bin"), Some(Status::Unchanged));
}

#[test]
fn collapse_expand_and_parent_navigation() {
    let mut s = opened(3);
    // Cursor on "app": Enter collapses it.
    key(&mut s, "Enter");
    assert_eq!(paths(&s), vec!["app", "etc", "  conf", "    keep"]);
    assert!(s.panes.explorer.state.rows[0].collapsed);
    key(&mut s, "l");
    assert_eq!(s.panes.explorer.state.rows.len(), 8);
    // l on an expanded directory goes into it; h on a file goes to the parent, then collapses.
    key(&mut s, "l");
    assert_eq!(s.panes.explorer.state.cursor, 1);
    key(&mut s, "h");
    assert_eq!(s.panes.explorer.state.cursor, 0);
    key(&mut s, "h");
    assert!(s.panes.explorer.state.rows[0].collapsed);
    key(&mut s, "Space");
    assert!(!s.panes.explorer.state.rows[0].collapsed);
    // z collapses every directory, z again expands them all.
    key(&mut s, "z");
    assert_eq!(paths(&s), vec!["app", "etc"]);
    key(&mut s, "z");
    assert_eq!(s.panes.explorer.state.rows.len(), 8);
}

#[test]
fn path_filter_keeps_parents_and_esc_clears_then_goes_back() {
    let mut s = opened(3);
    key(&mut s, "/");
    typed(&mut s, "kee");
    assert_eq!(paths(&s), vec!["etc", "  conf", "    keep"]);
    // While typing, letters are text, not actions.
    key(&mut s, "c");
    assert_eq!(s.panes.explorer.state.opts.mode, ViewMode::Aggregated);
    assert!(s.panes.explorer.state.rows.is_empty());
    key(&mut s, "Backspace");
    key(&mut s, "Enter");
    assert_eq!(s.panes.explorer.state.opts.path_filter, "kee");
    assert_eq!(s.panes.explorer.state.rows.len(), 3);
    key(&mut s, "Esc");
    assert_eq!(s.panes.explorer.state.opts.path_filter, "");
    assert_eq!(s.shared.focus, PaneId::Explorer);
    key(&mut s, "Esc");
    assert_eq!(s.shared.focus, PaneId::Layers);
}

#[test]
fn wasted_list_toggle_and_cursor() {
    let mut s = opened(3);
    let n = s
        .panes
        .explorer
        .state
        .analysis
        .as_ref()
        .unwrap()
        .figures
        .inefficient
        .len();
    assert!(n >= 2, "fixture wastes space in several files");
    key(&mut s, "w");
    assert!(s.panes.explorer.state.show_wasted);
    key(&mut s, "G");
    assert_eq!(s.panes.explorer.state.wasted_cursor, n - 1);
    key(&mut s, "Esc");
    assert!(!s.panes.explorer.state.show_wasted);
    assert_eq!(s.shared.focus, PaneId::Explorer);
    // Enter on an inefficient file shows it in the tree.
    key(&mut s, "w");
    key(&mut s, "g");
    key(&mut s, "Enter");
    assert!(!s.panes.explorer.state.show_wasted);
    assert_eq!(s.panes.explorer.state.opts.path_filter, "/app/big.bin");
    assert_eq!(paths(&s), vec!["app", "  big.bin"]);
}

#[test]
fn reopening_the_same_image_keeps_the_analysis() {
    let mut s = opened(0);
    s.shared.focus = PaneId::Layers;
    s.panes.layers.view.select(3);
    assert!(key(&mut s, "f").is_empty());
    assert_eq!(s.panes.explorer.state.layer, 2);
    assert_eq!(s.shared.focus, PaneId::Explorer);
    // 4 focuses it without a new analysis.
    s.shared.focus = PaneId::Images;
    assert!(key(&mut s, "4").is_empty());
    assert_eq!(s.shared.focus, PaneId::Explorer);
}

#[test]
fn a_late_result_of_a_replaced_analysis_is_ignored() {
    let mut s = app();
    key(&mut s, "f");
    s.test_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Analyze { image: ID.into() },
    });
    // The user asks again (Ctrl-r after a failure, say): job 2 replaces job 1.
    s.panes.explorer.state.phase = Phase::Failed("x".into());
    s.test_action(Action::App(AppAction::Refresh));
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Err(EngineError::Cancelled),
    });
    assert!(s.panes.explorer.state.running());
    s.test_engine(EngineEvent::JobStarted {
        id: 2,
        kind: JobKind::Analyze { image: ID.into() },
    });
    s.test_engine(EngineEvent::Analysis {
        job: 1,
        image: ID.into(),
        result: Err(EngineError::Cancelled),
    });
    assert!(s.panes.explorer.state.running());
    s.test_engine(EngineEvent::Analysis {
        job: 2,
        image: ID.into(),
        result: Ok(analysis()),
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 2,
        result: Ok(JobOutcome::Done("ok".into())),
    });
    assert_eq!(s.panes.explorer.state.phase, Phase::Ready);
}

#[test]
fn labels_of_layer_commands() {
    assert_eq!(
        layer_label("#(nop) COPY file:ab in /x "),
        "COPY file:ab in /x"
    );
    assert_eq!(layer_label("apk add  curl"), "RUN apk add curl");
    assert_eq!(
        layer_label("RUN /bin/sh -c make # buildkit"),
        "RUN /bin/sh -c make"
    );
    assert_eq!(layer_label("(missing)"), "(missing)");
}

#[test]
fn history_maps_to_layers_by_command() {
    let a = analysis();
    let h: Vec<String> = [
        "/bin/sh -c step 0",
        "/bin/sh -c #(nop) ENV x=y",
        "/bin/sh -c step 1",
        "/bin/sh -c step 2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(layer_for_history(&h, 0, &a), 0);
    assert_eq!(layer_for_history(&h, 1, &a), 0);
    assert_eq!(layer_for_history(&h, 2, &a), 1);
    assert_eq!(layer_for_history(&h, 3, &a), 2);
    assert_eq!(layer_for_history(&h, 99, &a), 2);
}

#[test]
fn ctrl_r_on_a_finished_analysis_only_relists() {
    let mut s = opened(3);
    s.shared.focus = PaneId::Explorer;
    let cmds = s.test_action(Action::App(AppAction::Refresh));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::AnalyzeImage { .. }))
    );
    assert_eq!(s.panes.explorer.state.phase, Phase::Ready);
    assert_eq!(s.panes.explorer.state.layer, 2);
}
