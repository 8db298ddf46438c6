//! The networks pane's state: remove refused with reasons, connect checked against the
//! containers, disconnect choosing a member, prune from its preview.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::action::AppAction;
use crate::engine::networks::plan;
use crate::state::disk::fixtures;
use crate::state::{AppState, PaneId};

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn app() -> AppState {
    let mut s = AppState::default();
    s.shared.now = fixtures::NOW;
    s.test_engine(EngineEvent::Inventory(Ok(fixtures::inventory())));
    let sent = s.test_action(Action::App(AppAction::FocusNetworks));
    assert_eq!(sent, vec![Command::Disk(DiskCommand::ListNetworks)]);
    s.test_engine(EngineEvent::Disk(DiskEvent::Networks(Ok(
        fixtures::networks(),
    ))));
    s.set_viewports(&[(PaneId::Networks, 20)]);
    s
}

fn select(s: &mut AppState, name: &str) {
    assert!(s.panes.networks.table.select_where(|n| n.name == name));
}

fn disk(cmd: DiskCommand) -> Command {
    Command::Disk(cmd)
}

#[test]
fn remove_is_refused_for_builtin_and_used_networks() {
    let mut s = app();
    select(&mut s, "none");
    s.test_action(Action::List(ListAction::Remove));
    let Some(NetworksDialog::Remove { refusal, .. }) = &s.panes.networks.dialog else {
        panic!("remove dialog");
    };
    assert!(refusal.as_deref().unwrap().contains("engine's own"));
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    select(&mut s, "dh-fx-net");
    s.test_action(Action::List(ListAction::Remove));
    let Some(NetworksDialog::Remove { refusal, .. }) = &s.panes.networks.dialog else {
        panic!("remove dialog");
    };
    assert!(refusal.as_deref().unwrap().contains("dh-fx-member"));
    s.test_key(&key(KeyCode::Esc));
    select(&mut s, "dh-fx-idle");
    s.test_action(Action::List(ListAction::Remove));
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![disk(DiskCommand::RemoveNetwork {
            name: "dh-fx-idle".into()
        })]
    );
}

#[test]
fn connect_takes_only_a_container_not_yet_attached() {
    let mut s = app();
    select(&mut s, "dh-fx-net");
    s.test_action(Action::Storage(StorageAction::Connect));
    let Some(NetworksDialog::Connect { candidates, .. }) = &s.panes.networks.dialog else {
        panic!("connect dialog");
    };
    assert!(!candidates.contains(&"dh-fx-member".to_string()));
    for c in "dh-fx-member".chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    for _ in 0.."member".len() {
        s.test_key(&key(KeyCode::Backspace));
    }
    for c in "writer".chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![disk(DiskCommand::ConnectNetwork {
            network: "dh-fx-net".into(),
            container: "dh-fx-writer".into()
        })]
    );
}

#[test]
fn disconnect_picks_a_member() {
    let mut s = app();
    select(&mut s, "dh-fx-idle");
    s.test_action(Action::Storage(StorageAction::Disconnect));
    assert!(s.panes.networks.dialog.is_none(), "nobody to disconnect");
    select(&mut s, "dh-fx-net");
    s.test_action(Action::Storage(StorageAction::Disconnect));
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![disk(DiskCommand::DisconnectNetwork {
            network: "dh-fx-net".into(),
            container: "dh-fx-member".into(),
            force: false
        })]
    );
}

#[test]
fn prune_confirms_the_previewed_filters() {
    let mut s = app();
    let sent = s.test_action(Action::List(ListAction::Prune));
    let f = NetworkPruneFilters::default();
    assert_eq!(
        sent,
        vec![disk(DiskCommand::NetworkPrunePreview(f.clone()))]
    );
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    let p = plan(&fixtures::networks(), &f, fixtures::now());
    // A network only a created (never started) container refers to goes too: the engine
    // counts endpoints, and the preview names the container.
    assert_eq!(
        p.networks
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
        ["dh-fx-idle", "dh-fx-net"]
    );
    assert_eq!(p.networks[1].stopped_users, ["dh-fx-member"]);
    s.test_engine(EngineEvent::Disk(DiskEvent::NetworkPrunePlan(Ok(p))));
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![disk(DiskCommand::PruneNetworks(f))]
    );
}
