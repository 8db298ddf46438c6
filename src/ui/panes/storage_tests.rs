//! TestBackend snapshots of the volumes and networks panes and their dialogs, fed with what a
//! private dockerd 20.10 answered (see `state::disk::fixtures`).
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::{Action, AppAction, ListAction, StorageAction};
use crate::engine::disk_worker::DiskEvent;
use crate::engine::volumes::{VolumePruneScope, plan};
use crate::engine::{Connection, EngineEvent, EngineInfo};
use crate::state::disk::fixtures;
use crate::state::{AppState, PaneId};
use crate::ui::panes::disk::tests::render;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn state(focus: AppAction) -> AppState {
    let mut s = AppState::default();
    s.shared.now = fixtures::NOW;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    s.test_engine(EngineEvent::Inventory(Ok(fixtures::inventory())));
    s.test_action(Action::App(focus));
    let mut volumes = fixtures::usage().volume_items;
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    s.test_engine(EngineEvent::Disk(DiskEvent::Volumes(Ok(volumes))));
    s.test_engine(EngineEvent::Disk(DiskEvent::Networks(Ok(
        fixtures::networks(),
    ))));
    s.set_viewports(&[(PaneId::Volumes, 20), (PaneId::Networks, 20)]);
    s
}

#[test]
fn volumes_wide() {
    let s = state(AppAction::FocusVolumes);
    insta::assert_snapshot!(render(&s, 180, 12));
}

#[test]
fn volumes_narrow() {
    let s = state(AppAction::FocusVolumes);
    insta::assert_snapshot!(render(&s, 70, 10));
}

#[test]
fn volume_remove_refused_with_users() {
    let mut s = state(AppAction::FocusVolumes);
    s.panes
        .volumes
        .table
        .select_where(|v| v.name == "dh-fx-data");
    s.test_action(Action::List(ListAction::Remove));
    insta::assert_snapshot!(render(&s, 90, 14));
}

#[test]
fn volume_prune_preview() {
    let mut s = state(AppAction::FocusVolumes);
    s.test_action(Action::List(ListAction::Prune));
    let volumes = fixtures::usage().volume_items;
    let p = plan(&volumes, VolumePruneScope::Anonymous, (1, 41), &[], &[]);
    s.test_engine(EngineEvent::Disk(DiskEvent::VolumePrunePlan(Ok(p))));
    insta::assert_snapshot!(render(&s, 100, 16));
}

#[test]
fn networks_table() {
    let s = state(AppAction::FocusNetworks);
    insta::assert_snapshot!(render(&s, 120, 12));
}

#[test]
fn network_connect_dialog() {
    let mut s = state(AppAction::FocusNetworks);
    s.panes
        .networks
        .table
        .select_where(|n| n.name == "dh-fx-net");
    s.test_action(Action::Storage(StorageAction::Connect));
    for c in "dh-fx-w".chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
    insta::assert_snapshot!(render(&s, 100, 14));
}

#[test]
fn network_prune_preview() {
    let mut s = state(AppAction::FocusNetworks);
    s.test_action(Action::List(ListAction::Prune));
    let p =
        crate::engine::networks::plan(&fixtures::networks(), &Default::default(), fixtures::now());
    s.test_engine(EngineEvent::Disk(DiskEvent::NetworkPrunePlan(Ok(p))));
    insta::assert_snapshot!(render(&s, 100, 14));
}

#[test]
fn tiny_terminal_does_not_panic() {
    let mut s = state(AppAction::FocusNetworks);
    render(&s, 20, 5);
    render(&s, 40, 8);
    s.test_action(Action::List(ListAction::Prune));
    render(&s, 40, 8);
    let mut s = state(AppAction::FocusVolumes);
    s.test_action(Action::Storage(StorageAction::Create));
    render(&s, 40, 8);
}
