//! Snapshots of the explorer pane: during an analysis and after, at a normal and a small size.
use crate::action::{ExplorerAction, ImagesAction};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::{EngineError, EngineEvent, JobKind, Progress};
use crate::state::AppState;
use crate::state::explorer::tests::{ID, app, opened};
use crate::ui::{Ctx, draw};

fn render(state: &AppState, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::default_theme();
    let keymap = Keymap::defaults();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    terminal
        .draw(|f| {
            draw(f, state, &ctx);
        })
        .unwrap();
    terminal.backend().clone()
}

fn running() -> AppState {
    let mut s = app();
    s.shared.now = 1_000;
    s.test_action(crate::action::Action::Images(ImagesAction::OpenExplorer));
    s.test_engine(EngineEvent::JobStarted {
        id: 5,
        kind: JobKind::Analyze { image: ID.into() },
    });
    s.shared.now = 1_004;
    s.test_engine(EngineEvent::JobProgress {
        id: 5,
        progress: Progress::Bytes {
            done: 120_000_000,
            total: 409_000_000,
        },
    });
    s
}

#[test]
fn explorer_while_analysing() {
    insta::assert_snapshot!(render(&running(), 120, 24));
}

#[test]
fn explorer_while_analysing_small() {
    insta::assert_snapshot!(render(&running(), 60, 16));
}

#[test]
fn explorer_after_analysis_removed_files_marked() {
    insta::assert_snapshot!(render(&opened(3), 140, 26));
}

#[test]
fn explorer_after_analysis_small() {
    insta::assert_snapshot!(render(&opened(2), 72, 20));
}

#[test]
fn explorer_layer_changes_filtered() {
    let mut s = opened(2);
    s.test_action(crate::action::Action::Explorer(
        ExplorerAction::ToggleChangesOnly,
    ));
    s.panes.explorer.state.filter_input.open("app");
    s.panes.explorer.state.opts.path_filter = "app".into();
    s.panes.explorer.state.rebuild();
    insta::assert_snapshot!(render(&s, 120, 20));
}

#[test]
fn explorer_inefficient_files() {
    let mut s = opened(3);
    s.test_action(crate::action::Action::Explorer(
        ExplorerAction::ToggleWasted,
    ));
    insta::assert_snapshot!(render(&s, 120, 18));
}

#[test]
fn explorer_failure_in_words() {
    let mut s = running();
    s.test_engine(EngineEvent::JobFinished {
        id: 5,
        result: Err(EngineError::Api {
            status: 404,
            message: "No such image: demo:1".into(),
        }),
    });
    insta::assert_snapshot!(render(&s, 80, 14));
}
