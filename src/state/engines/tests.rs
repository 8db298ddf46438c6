//! Switching engines and routing their events: flows through the pure state functions, fed the
//! events an [`crate::engine::set::EngineSet`] sends (each tagged with its engine).
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{EngineRow, RowState};
use crate::action::{Action, AppAction, ImagesAction};
use crate::config::keymap::Keymap;
use crate::engine::set::{EngineId, EngineState, next_state};
use crate::engine::{
    Attempt, Command, Connection, EngineEvent, EngineInfo, ImageInfo, Inventory, JobKind,
};
use crate::state::effect::{Effect, SetOp};
use crate::state::images::dialogs::ImagesDialog;
use crate::state::{AppState, PaneId};

pub(crate) const ONE: EngineId = EngineId(1);
pub(crate) const TWO: EngineId = EngineId(2);
pub(crate) const FAR: EngineId = EngineId(3);

pub(crate) fn image(id: &str, tags: &[&str]) -> ImageInfo {
    ImageInfo {
        id: format!("sha256:{id}{}", "0".repeat(64 - id.len())),
        repo_tags: tags.iter().map(|t| t.to_string()).collect(),
        repo_digests: vec![],
        created: 1_700_000_000 - 3600,
        size: 4_261_000,
    }
}

fn row(id: EngineId, order: usize, name: &str, endpoint: &str, current: bool) -> EngineRow {
    EngineRow {
        id: Some(id),
        order,
        name: name.into(),
        description: if name == "default" {
            crate::engine::contexts::DEFAULT_DESCRIPTION.into()
        } else {
            String::new()
        },
        endpoint: endpoint.into(),
        current,
        state: RowState::Engine(EngineState::Connecting),
    }
}

/// Applies one event of engine `id` the way the app does: the state change the set derives
/// from it (as its sink does), then the event itself.
pub(crate) fn feed(s: &mut AppState, id: EngineId, event: EngineEvent) -> Vec<Effect> {
    let old = s
        .shared
        .engines
        .iter()
        .find(|r| r.id == Some(id))
        .and_then(|r| match &r.state {
            RowState::Engine(st) => Some(st.clone()),
            RowState::Unusable(_) => None,
        });
    let new = old.as_ref().and_then(|o| next_state(o, &event));
    let effects = s.on_engine_from(&Keymap::defaults(), id, event);
    if let Some(new) = new
        && Some(&new) != old.as_ref()
    {
        s.on_engine_state(id, new);
    }
    effects
}

pub(crate) fn info(endpoint: &str, version: &str) -> EngineInfo {
    EngineInfo {
        endpoint: endpoint.into(),
        source: "context".into(),
        version: version.into(),
        ..EngineInfo::local_test()
    }
}

/// Three engines as the app starts them: `default` (shown, the context in use), `second` (a
/// second local engine) and `far` (an ssh host that refuses), plus a broken context.
pub(crate) fn three_engines() -> AppState {
    let mut s = AppState::default();
    s.shared.now = 1_700_000_000;
    let mut broken = row(ONE, 1, "broken", "", false);
    broken.id = None;
    broken.state = RowState::Unusable("cannot find docker endpoint in context".into());
    s.set_engines(
        vec![
            broken,
            row(ONE, 2, "default", "unix:///run/dh/engine.sock", true),
            row(FAR, 3, "far", "ssh://dh@127.0.0.1:1", false),
            row(TWO, 4, "second", "unix:///run/dh/engine2.sock", false),
        ],
        Some(ONE),
    );
    for (id, endpoint, version) in [
        (ONE, "unix:///run/dh/engine.sock", "20.10.24"),
        (TWO, "unix:///run/dh/engine2.sock", "20.10.25"),
    ] {
        feed(&mut s, id, EngineEvent::Connection(Connection::Connecting));
        feed(
            &mut s,
            id,
            EngineEvent::Connection(Connection::Connected(info(endpoint, version))),
        );
    }
    feed(&mut s, FAR, EngineEvent::Connection(Connection::Connecting));
    feed(
        &mut s,
        FAR,
        EngineEvent::Connection(Connection::Disconnected {
            attempts: vec![Attempt {
                source: "context far".into(),
                endpoint: "ssh://dh@127.0.0.1:1".into(),
                error: "ssh: connect to host 127.0.0.1 port 1: Connection refused".into(),
            }],
            retry_in: Duration::from_secs(4),
        }),
    );
    let shared = image("aaaa", &["busybox:1.36", "busybox:latest"]);
    feed(
        &mut s,
        ONE,
        EngineEvent::Inventory(Ok(Inventory {
            images: vec![shared.clone(), image("bbbb", &["app:1"])],
            containers: vec![],
        })),
    );
    feed(
        &mut s,
        TWO,
        EngineEvent::Inventory(Ok(Inventory {
            images: vec![shared, image("cccc", &["only-on-two:1"])],
            containers: vec![],
        })),
    );
    s
}

fn press(s: &mut AppState, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    s.on_key(&Keymap::defaults(), &KeyEvent::new(code, mods))
}

fn labels(s: &AppState) -> Vec<String> {
    let mut l: Vec<String> = s
        .panes
        .images
        .table
        .rows
        .iter()
        .map(|r| r.label())
        .collect();
    l.sort();
    l
}

/// Ctrl-e, down to the row named `name`, Enter.
pub(crate) fn switch_to(s: &mut AppState, name: &str) -> Vec<Effect> {
    press(s, KeyCode::Char('e'), KeyModifiers::CONTROL);
    assert_eq!(s.focus(), PaneId::Engines);
    press(s, KeyCode::Char('g'), KeyModifiers::NONE);
    for _ in 0..10 {
        if s.panes.engines.table.selected().map(|r| r.name.as_str()) == Some(name) {
            break;
        }
        press(s, KeyCode::Char('j'), KeyModifiers::NONE);
    }
    press(s, KeyCode::Enter, KeyModifiers::NONE)
}

#[test]
fn a_hidden_engines_events_never_reach_the_shown_panes() {
    let mut s = three_engines();
    assert_eq!(labels(&s), ["app:1", "busybox:1.36", "busybox:latest"]);
    // A newer listing of the hidden engine changes its warm panes only.
    feed(
        &mut s,
        TWO,
        EngineEvent::Inventory(Ok(Inventory {
            images: vec![image("dddd", &["new-on-two:1"])],
            containers: vec![],
        })),
    );
    assert_eq!(labels(&s), ["app:1", "busybox:1.36", "busybox:latest"]);
    assert_eq!(s.shared.inventory.images.len(), 2);
    let Connection::Connected(shown) = &s.shared.connection else {
        panic!("the shown engine is connected");
    };
    assert_eq!(shown.version, "20.10.24");
    let warm = &s.warm[&TWO];
    assert_eq!(warm.panes.images.table.rows[0].label(), "new-on-two:1");
    // A failure of the hidden engine changes its row, not the shown connection.
    feed(&mut s, TWO, EngineEvent::Connection(Connection::Connecting));
    assert!(matches!(s.shared.connection, Connection::Connected(_)));
    assert!(matches!(
        s.shared.engines[3].state,
        RowState::Engine(EngineState::Connecting)
    ));
}

#[test]
fn switching_shows_the_other_engine_and_back_keeps_each_warm() {
    let mut s = three_engines();
    // Leave the cursor on the second row of the default engine.
    s.on_action(&Keymap::defaults(), Action::App(AppAction::FocusImages));
    press(&mut s, KeyCode::Char('j'), KeyModifiers::NONE);
    let cursor = s.panes.images.table.selected().map(|r| r.label());
    let effects = switch_to(&mut s, "second");
    assert_eq!(effects.first(), Some(&Effect::Set(SetOp::Select(TWO))));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Engine(Command::Refresh))),
        "switching asks the engine nothing: {effects:?}"
    );
    assert_eq!(s.shared.active_engine, Some(TWO));
    assert_eq!(s.shared.active_row().unwrap().name, "second");
    assert_eq!(s.focus(), PaneId::Images);
    assert_eq!(
        labels(&s),
        ["busybox:1.36", "busybox:latest", "only-on-two:1"]
    );
    let Connection::Connected(shown) = &s.shared.connection else {
        panic!("second is connected");
    };
    assert_eq!(shown.version, "20.10.25");
    // Now the default engine is the hidden one: its events go to its warm panes.
    feed(
        &mut s,
        ONE,
        EngineEvent::Inventory(Ok(Inventory {
            images: vec![
                image("aaaa", &["busybox:1.36", "busybox:latest"]),
                image("bbbb", &["app:1"]),
            ],
            containers: vec![],
        })),
    );
    assert_eq!(
        labels(&s),
        ["busybox:1.36", "busybox:latest", "only-on-two:1"]
    );
    switch_to(&mut s, "default");
    assert_eq!(s.shared.active_engine, Some(ONE));
    assert_eq!(labels(&s), ["app:1", "busybox:1.36", "busybox:latest"]);
    assert_eq!(
        s.panes.images.table.selected().map(|r| r.label()),
        cursor,
        "the cursor is where it was"
    );
}

#[test]
fn jobs_of_every_engine_share_the_jobs_pane_and_hidden_commands_go_home() {
    let mut s = three_engines();
    feed(
        &mut s,
        TWO,
        EngineEvent::JobStarted {
            id: 77,
            kind: JobKind::Copy {
                image: "sha256:aaaa".into(),
                from: "default".into(),
                to: "second".into(),
            },
        },
    );
    assert_eq!(
        s.panes.jobs.jobs.running().count(),
        1,
        "the job shows whichever engine is shown"
    );
    // Cancelling it goes to the engine it runs on (the set cancels its copies itself).
    let cancel = s.on_action(&Keymap::defaults(), Action::App(AppAction::CancelJob));
    assert_eq!(cancel, [Effect::Set(SetOp::Send(TWO, Command::Cancel(77)))]);
    switch_to(&mut s, "second");
    assert_eq!(
        s.panes.jobs.jobs.running().count(),
        1,
        "and stays after switching"
    );
    // A context with no usable endpoint cannot be shown; it says why.
    assert!(switch_to(&mut s, "broken").is_empty());
    let said = s
        .shared
        .message
        .clone()
        .unwrap_or((crate::state::Level::Ok, String::new()))
        .1;
    assert!(said.contains("cannot find docker endpoint"), "{said}");
    assert_eq!(s.shared.active_engine, Some(TWO));
    // Retrying an engine from its row goes to that engine, not the shown one.
    press(&mut s, KeyCode::Char('e'), KeyModifiers::CONTROL);
    assert_eq!(
        s.panes.engines.table.selected().unwrap().name,
        "second",
        "starts on the shown one"
    );
    press(&mut s, KeyCode::Char('k'), KeyModifiers::NONE);
    assert_eq!(s.panes.engines.table.selected().unwrap().name, "far");
    let retry = s.on_action(&Keymap::defaults(), Action::App(AppAction::Refresh));
    assert_eq!(retry[0], Effect::Set(SetOp::Send(FAR, Command::Reconnect)));
}

#[test]
fn images_name_the_other_engines_with_the_same_id_and_copy_goes_to_a_connected_one() {
    let mut s = three_engines();
    let shared = image("aaaa", &[]).id;
    assert_eq!(
        s.shared.also_on.get(&shared),
        Some(&vec!["second".to_string()])
    );
    assert_eq!(s.shared.also_on.get(&image("bbbb", &[]).id), None);
    s.on_action(&Keymap::defaults(), Action::App(AppAction::FocusImages));
    // Mark both tags of the shared image and app:1: two images, the first with both tags.
    s.panes.images.table.marked = ["busybox:1.36", "busybox:latest", "app:1"]
        .iter()
        .map(|k| k.to_string())
        .collect();
    s.on_action(
        &Keymap::defaults(),
        Action::Images(ImagesAction::CopyToEngine),
    );
    let Some(ImagesDialog::Copy(d)) = &s.panes.images.dialog else {
        panic!("the copy dialog opens: {:?}", s.panes.images.dialog);
    };
    assert_eq!(d.images.len(), 2);
    let busybox = d.images.iter().find(|i| i.id == shared).unwrap();
    let mut tags = busybox.tags.clone();
    tags.sort();
    assert_eq!(tags, ["busybox:1.36", "busybox:latest"]);
    // Only connected engines other than the shown one: "far" refuses.
    assert_eq!(
        d.targets
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["second"]
    );
    assert_eq!(d.targets[0].has, 1);
    let effects = press(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    let Some(Effect::Set(SetOp::Copy { from, to, images })) = effects.first() else {
        panic!("a copy: {effects:?}");
    };
    assert_eq!((*from, *to), (ONE, TWO));
    assert_eq!(images.len(), 2);
    assert!(s.panes.images.dialog.is_none());
    assert!(s.panes.images.table.marked.is_empty());
}

#[test]
fn with_no_other_engine_connected_copy_says_so() {
    let mut s = three_engines();
    assert!(!s.shared.also_on.is_empty());
    feed(&mut s, TWO, EngineEvent::Connection(Connection::Connecting));
    assert!(
        s.shared.also_on.is_empty(),
        "an engine that is not connected is not named: {:?}",
        s.shared.also_on
    );
    s.on_action(&Keymap::defaults(), Action::App(AppAction::FocusImages));
    s.on_action(
        &Keymap::defaults(),
        Action::Images(ImagesAction::CopyToEngine),
    );
    let said = s
        .shared
        .message
        .clone()
        .unwrap_or((crate::state::Level::Ok, String::new()))
        .1;
    assert!(said.contains("no other engine"), "{said}");
    assert!(s.panes.images.dialog.is_none());
}

#[test]
fn ctrl_e_opens_the_engines_pane_from_every_pane() {
    for pane in PaneId::ALL.iter().copied() {
        let mut s = three_engines();
        s.on_action(&Keymap::defaults(), pane.focus_action());
        if s.focus() != pane {
            continue;
        }
        press(&mut s, KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert_eq!(s.focus(), PaneId::Engines, "from {pane:?}");
    }
}
