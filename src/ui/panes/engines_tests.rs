//! TestBackend snapshots of the engines pane, the copy dialog and what switching changes on
//! screen, from the events an engine set sends (three engines: two connected, one refusing).
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::action::{Action, AppAction, ImagesAction};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::state::AppState;
use crate::state::engines::tests::{switch_to, three_engines};
use crate::ui::{Ctx, draw};

fn render(state: &AppState, w: u16, h: u16) -> String {
    let theme = Theme::default_theme();
    let keymap = Keymap::defaults();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    terminal
        .draw(|f| {
            draw(f, state, &ctx);
        })
        .unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn engines_pane() -> AppState {
    let mut s = three_engines();
    s.on_key(
        &Keymap::defaults(),
        &KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL),
    );
    s
}

#[test]
fn engines_pane_wide() {
    let mut s = engines_pane();
    assert_eq!(s.panes.engines.table.selected().unwrap().name, "default");
    s.on_key(
        &Keymap::defaults(),
        &KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE),
    );
    insta::assert_snapshot!(render(&s, 140, 12));
}

#[test]
fn engines_pane_narrow() {
    insta::assert_snapshot!(render(&engines_pane(), 80, 12));
}

#[test]
fn engines_pane_tiny_does_not_panic() {
    let s = engines_pane();
    for (w, h) in [(20, 5), (40, 8), (41, 9)] {
        render(&s, w, h);
    }
}

#[test]
fn images_name_other_engines_and_the_status_bar_the_engine_shown() {
    let mut s = three_engines();
    s.on_action(&Keymap::defaults(), Action::App(AppAction::FocusImages));
    insta::assert_snapshot!("before_switch", render(&s, 150, 10));
    switch_to(&mut s, "second");
    s.shared.message = None;
    insta::assert_snapshot!("after_switch", render(&s, 150, 10));
}

#[test]
fn copy_dialog() {
    let mut s = three_engines();
    s.on_action(&Keymap::defaults(), Action::App(AppAction::FocusImages));
    s.panes.images.table.marked = ["busybox:1.36", "app:1"]
        .iter()
        .map(|k| k.to_string())
        .collect();
    s.on_action(
        &Keymap::defaults(),
        Action::Images(ImagesAction::CopyToEngine),
    );
    insta::assert_snapshot!(render(&s, 100, 16));
}
