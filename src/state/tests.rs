//! Flows through the pure state functions: keys in, state and engine commands out.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::action::AppAction;
use crate::engine::{Command, ContainerInfo, ImageInfo, Inventory, JobKind, PruneScope};
use crate::state::images::dialogs::ImagesDialog;

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn inventory() -> Inventory {
    Inventory {
        images: vec![
            ImageInfo {
                id: "sha256:aaa".into(),
                repo_tags: vec!["busybox:1".into()],
                repo_digests: vec![],
                created: 100,
                size: 2_000_000,
            },
            ImageInfo {
                id: "sha256:bbb".into(),
                repo_tags: vec!["app:2".into()],
                repo_digests: vec![],
                created: 200,
                size: 5_000_000,
            },
        ],
        containers: vec![ContainerInfo {
            id: "c1".into(),
            name: "web".into(),
            image: "app:2".into(),
            image_id: "sha256:bbb".into(),
            state: "running".into(),
            status: "Up 2 minutes".into(),
            ..Default::default()
        }],
    }
}

fn loaded() -> (AppState, Keymap) {
    let mut s = AppState::default();
    let cmds = s.test_engine(EngineEvent::Inventory(Ok(inventory())));
    assert_eq!(
        cmds,
        vec![Command::Details {
            image_id: "sha256:bbb".into()
        }]
    );
    (s, Keymap::defaults())
}

#[test]
fn moving_the_cursor_loads_the_new_images_layers() {
    let (mut s, _km) = loaded();
    let cmds = s.test_key(&key('j'));
    assert_eq!(
        cmds,
        vec![Command::Details {
            image_id: "sha256:aaa".into()
        }]
    );
    // A late answer for the previous image is ignored.
    s.test_engine(EngineEvent::Details {
        image_id: "sha256:bbb".into(),
        result: Ok(Box::default()),
    });
    assert!(s.panes.layers.details.is_none());
    assert!(s.test_key(&key('j')).is_empty(), "already at the last row");
}

#[test]
fn filter_typing_narrows_and_esc_restores() {
    let (mut s, _km) = loaded();
    s.test_key(&key('/'));
    assert!(s.panes.images.filter.editing.is_some());
    for c in "busy".chars() {
        s.test_key(&key(c));
    }
    assert_eq!(s.panes.images.table.view.len(), 1);
    assert_eq!(s.panes.images.table.selected().unwrap().repo, "busybox");
    s.test_key(&code(KeyCode::Esc));
    assert!(s.panes.images.filter.editing.is_none());
    assert_eq!(s.panes.images.table.view.len(), 2);
    // 'q' typed into the filter is text, not quit.
    s.test_key(&key('/'));
    s.test_key(&key('q'));
    assert!(!s.quit);
    assert_eq!(s.panes.images.table.filter, "q");
}

#[test]
fn tag_flow_produces_a_tag_command() {
    let (mut s, _km) = loaded();
    s.test_key(&key('t'));
    assert!(matches!(
        s.panes.images.dialog,
        Some(ImagesDialog::Tag { .. })
    ));
    for c in "v9".chars() {
        s.test_key(&key(c));
    }
    let cmds = s.test_key(&code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::Tag {
            source: "sha256:bbb".into(),
            target: "app:v9".into()
        }]
    );
    assert!(s.panes.images.dialog.is_none());
}

#[test]
fn remove_of_used_image_names_containers_and_forces_only_after_second_yes() {
    let (mut s, _km) = loaded();
    s.test_key(&key('d'));
    let Some(ImagesDialog::Remove { targets, .. }) = &s.panes.images.dialog else {
        panic!("no remove dialog")
    };
    assert_eq!(targets[0].used_by, vec!["web".to_string()]);
    assert!(s.test_key(&key('y')).is_empty());
    let cmds = s.test_key(&key('y'));
    assert_eq!(
        cmds,
        vec![Command::Remove {
            targets: vec!["app:2".into()],
            force: true
        }]
    );
}

#[test]
fn marked_rows_are_removed_together() {
    let (mut s, _km) = loaded();
    s.test_key(&key(' '));
    s.test_key(&key(' '));
    s.test_key(&key('d'));
    let Some(ImagesDialog::Remove { targets, .. }) = &s.panes.images.dialog else {
        panic!("no remove dialog")
    };
    assert_eq!(targets.len(), 2);
}

#[test]
fn jobs_report_and_clear() {
    let (mut s, _) = loaded();
    let kind = JobKind::Prune(PruneScope::Dangling);
    s.test_engine(EngineEvent::JobStarted { id: 7, kind });
    assert_eq!(s.panes.jobs.jobs.newest_running(), Some(7));
    assert_eq!(
        s.test_action(Action::App(AppAction::CancelJob)),
        vec![Command::Cancel(7)]
    );
    s.test_engine(EngineEvent::JobFinished {
        id: 7,
        result: Err(crate::engine::EngineError::Cancelled),
    });
    assert_eq!(s.panes.jobs.jobs.newest_running(), None);
    assert!(
        s.shared
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("cancelled")
    );
    // A second report of the same end changes nothing.
    s.shared.last_error = None;
    s.test_engine(EngineEvent::JobFinished {
        id: 7,
        result: Err(crate::engine::EngineError::Cancelled),
    });
    assert!(s.shared.last_error.is_none());
}

#[test]
fn x_in_the_jobs_pane_cancels_the_selected_job_not_the_newest() {
    let (mut s, _) = loaded();
    let kind = |n: u64| JobKind::Remove {
        targets: vec![format!("img:{n}")],
    };
    for id in [1, 2, 3] {
        s.test_engine(EngineEvent::JobStarted { id, kind: kind(id) });
    }
    s.test_action(Action::App(AppAction::FocusJobs));
    // Newest first: 3, 2, 1. Down twice selects job 1.
    s.test_key(&key('j'));
    s.test_key(&key('j'));
    assert_eq!(s.panes.jobs.jobs.selected().map(|j| j.id), Some(1));
    assert_eq!(s.test_key(&key('x')), vec![Command::Cancel(1)]);
    // A job starting meanwhile does not move the selection.
    s.test_engine(EngineEvent::JobStarted {
        id: 4,
        kind: kind(4),
    });
    assert_eq!(s.panes.jobs.jobs.selected().map(|j| j.id), Some(1));
    assert_eq!(s.test_key(&key('x')), vec![Command::Cancel(1)]);
    // A finished job is not replaced by the newest running one.
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Err(crate::engine::EngineError::Cancelled),
    });
    assert_eq!(s.test_key(&key('x')), vec![]);
    assert!(
        s.shared
            .message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("#1") && m.contains("not running")),
        "{:?}",
        s.shared.message
    );
    // Away from the jobs pane the global cancel takes the newest running job.
    s.test_action(Action::App(AppAction::FocusImages));
    assert_eq!(
        s.test_action(Action::App(AppAction::CancelJob)),
        vec![Command::Cancel(4)]
    );
}

#[test]
fn help_toggles_and_any_key_closes_it() {
    let (mut s, _km) = loaded();
    s.test_key(&key('?'));
    assert!(s.help);
    // j scrolls a help taller than the screen; another key closes it.
    s.test_key(&key('j'));
    assert!(s.help && s.help_scroll == 1);
    s.test_key(&key('x'));
    assert!(!s.help);
    s.test_key(&code(KeyCode::Tab));
    assert_eq!(s.shared.focus, PaneId::Layers);
    s.test_key(&code(KeyCode::BackTab));
    assert_eq!(s.shared.focus, PaneId::Images);
    s.test_key(&key('q'));
    assert!(s.quit);
}

#[test]
fn removing_every_tag_of_an_image_says_the_image_goes() {
    let mut s = AppState::default();
    let image = ImageInfo {
        id: "sha256:big".into(),
        repo_tags: vec![
            "fx/big:latest".into(),
            "127.0.0.1:5000/walk/big:latest".into(),
        ],
        repo_digests: vec![],
        created: 1,
        size: 10,
    };
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![image],
        containers: vec![],
    })));
    // One tag alone: the other stays.
    s.test_key(&key('d'));
    let Some(ImagesDialog::Remove { targets, .. }) = &s.panes.images.dialog else {
        panic!("no remove dialog")
    };
    assert_eq!(targets[0].other_tags, 1);
    s.test_key(&code(KeyCode::Esc));
    // Both tags marked: neither stays, so the image itself goes.
    s.test_key(&key(' '));
    s.test_key(&key(' '));
    s.test_key(&key('d'));
    let Some(ImagesDialog::Remove { targets, .. }) = &s.panes.images.dialog else {
        panic!("no remove dialog")
    };
    assert_eq!(targets.len(), 2);
    assert!(targets.iter().all(|t| t.other_tags == 0), "{targets:?}");
}
