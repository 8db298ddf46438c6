//! The volumes pane's state: listing, remove refused for used volumes with their users, prune
//! sending the scope its preview showed.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::action::AppAction;
use crate::engine::volumes::plan;
use crate::state::disk::fixtures;
use crate::state::{AppState, PaneId};

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn app() -> AppState {
    let mut s = AppState::default();
    s.shared.now = fixtures::NOW;
    let sent = s.test_action(Action::App(AppAction::FocusVolumes));
    assert_eq!(sent, vec![Command::Disk(DiskCommand::ListVolumes)]);
    let mut volumes = fixtures::usage().volume_items;
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    s.test_engine(EngineEvent::Disk(DiskEvent::Volumes(Ok(volumes))));
    s.set_viewports(&[(PaneId::Volumes, 20)]);
    s
}

fn select(s: &mut AppState, name: &str) {
    assert!(s.panes.volumes.table.select_where(|v| v.name == name));
}

#[test]
fn a_used_volume_is_refused_with_its_users_and_a_free_one_goes() {
    let mut s = app();
    select(&mut s, "dh-fx-data");
    s.test_action(Action::List(ListAction::Remove));
    let Some(VolumesDialog::Remove { names, refused }) = &s.panes.volumes.dialog else {
        panic!("remove dialog");
    };
    assert!(names.is_empty());
    assert_eq!(
        refused,
        &vec![("dh-fx-data".to_string(), vec!["dh-fx-writer".to_string()])]
    );
    // Nothing to remove: Enter only closes.
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    assert!(s.panes.volumes.dialog.is_none());
    select(&mut s, "dh-fx-cache");
    s.test_action(Action::List(ListAction::Remove));
    assert_eq!(
        s.test_key(&key(KeyCode::Char('y'))),
        vec![Command::Disk(DiskCommand::RemoveVolume {
            name: "dh-fx-cache".into()
        })]
    );
}

#[test]
fn create_checks_the_name_as_typed() {
    let mut s = app();
    s.test_action(Action::Storage(StorageAction::Create));
    s.test_key(&key(KeyCode::Char('-')));
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    s.test_key(&key(KeyCode::Backspace));
    for c in "logs".chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
    let sent = s.test_key(&key(KeyCode::Enter));
    assert_eq!(
        sent,
        vec![Command::Disk(DiskCommand::CreateVolume(VolumeSpec {
            name: "logs".into(),
            ..Default::default()
        }))]
    );
}

#[test]
fn prune_sends_the_scope_its_preview_was_for() {
    let mut s = app();
    let sent = s.test_action(Action::List(ListAction::Prune));
    let anon = VolumePruneScope::Anonymous;
    assert_eq!(
        sent,
        vec![Command::Disk(DiskCommand::VolumePrunePreview {
            scope: anon,
            labels: vec![]
        })]
    );
    let sent = s.test_key(&key(KeyCode::Tab));
    let all = VolumePruneScope::All;
    assert_eq!(
        sent,
        vec![Command::Disk(DiskCommand::VolumePrunePreview {
            scope: all,
            labels: vec![]
        })]
    );
    let volumes = fixtures::usage().volume_items;
    // The anonymous-only preview arriving late is not taken for "all".
    let late = plan(&volumes, anon, (1, 41), &[], &[]);
    s.test_engine(EngineEvent::Disk(DiskEvent::VolumePrunePlan(Ok(late))));
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    let p = plan(&volumes, all, (1, 41), &[], &[]);
    assert_eq!(
        p.volumes
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["dh-fx-cache"]
    );
    s.test_engine(EngineEvent::Disk(DiskEvent::VolumePrunePlan(Ok(p))));
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![Command::Disk(DiskCommand::PruneVolumes {
            scope: all,
            labels: vec![]
        })]
    );
}

#[test]
fn a_disk_job_ending_relists() {
    let mut s = app();
    s.test_engine(EngineEvent::JobStarted {
        id: 3,
        kind: JobKind::Disk(crate::engine::disk_worker::DiskJob::RemoveVolume(
            "x".into(),
        )),
    });
    let sent = s.test_engine(EngineEvent::JobFinished {
        id: 3,
        result: Ok(crate::engine::JobOutcome::Done("removed".into())),
    });
    assert!(sent.contains(&Command::Disk(DiskCommand::ListVolumes)));
}
