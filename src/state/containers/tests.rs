//! Tests of the containers pane's state.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::{Action, AppAction, ContainersAction, ImagesAction, ListAction};
use crate::config::keymap::Keymap;
use crate::engine::container_streams::{LogLine, StatsSample};
use crate::engine::containers::ContainerOp;
use crate::engine::{
    Command, ContainerInfo, EngineEvent, ImageInfo, Inventory, JobKind, JobOutcome,
};
use crate::state::containers::dialogs::ContainerDialog;
use crate::state::effect::{Effect, ExecRequest};
use crate::state::{AppState, PaneId};

fn container(id: &str, name: &str, state: &str, image_id: &str, created: i64) -> ContainerInfo {
    ContainerInfo {
        id: id.into(),
        name: name.into(),
        image: "dh-busybox:1".into(),
        image_id: image_id.into(),
        state: state.into(),
        status: "Up 1 minute".into(),
        created,
        ..Default::default()
    }
}

fn km() -> Keymap {
    Keymap::defaults()
}

/// The terminal hand-over among the effects, if any.
fn terminal(effects: &[Effect]) -> Option<ExecRequest> {
    effects.iter().find_map(|e| match e {
        Effect::Terminal(r) => Some(r.clone()),
        _ => None,
    })
}

fn app() -> AppState {
    let mut s = AppState::default();
    s.panes.containers.table.viewport.set_height(10);
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![
            ImageInfo {
                id: "sha256:img1".into(),
                repo_tags: vec!["one:1".into()],
                repo_digests: vec![],
                created: 10,
                size: 1,
            },
            ImageInfo {
                id: "sha256:img2".into(),
                repo_tags: vec!["two:1".into()],
                repo_digests: vec![],
                created: 5,
                size: 1,
            },
        ],
        containers: vec![
            container("c1", "web", "running", "sha256:img2", 30),
            container("c2", "old", "exited", "sha256:img1", 20),
        ],
    })));
    s
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

#[test]
fn focusing_the_pane_selects_the_containers_image() {
    let mut s = app();
    assert_eq!(s.panes.images.table.selected().unwrap().id, "sha256:img1");
    let cmds = s.test_action(Action::App(AppAction::FocusContainers));
    assert_eq!(s.shared.focus, PaneId::Containers);
    assert_eq!(s.panes.images.table.selected().unwrap().id, "sha256:img2");
    assert_eq!(
        cmds,
        vec![Command::Details {
            image_id: "sha256:img2".into()
        }]
    );
    s.test_action(Action::List(ListAction::Down));
    assert_eq!(s.panes.containers.selected().unwrap().name, "old");
    assert_eq!(s.panes.images.table.selected().unwrap().id, "sha256:img1");
}

#[test]
fn lifecycle_actions_send_jobs_for_fitting_containers() {
    let mut s = app();
    s.test_action(Action::App(AppAction::FocusContainers));
    assert_eq!(
        s.test_action(Action::Containers(ContainersAction::Stop)),
        vec![Command::ContainerAction {
            targets: vec![("c1".into(), "web".into())],
            op: ContainerOp::Stop { timeout: 10 }
        }]
    );
    // Starting a running container does nothing but say so.
    assert!(
        s.test_action(Action::Containers(ContainersAction::Start))
            .is_empty()
    );
    assert_eq!(
        s.test_action(Action::Containers(ContainersAction::Pause)),
        vec![Command::ContainerAction {
            targets: vec![("c1".into(), "web".into())],
            op: ContainerOp::Pause
        }]
    );
    s.test_action(Action::Containers(ContainersAction::Kill));
    assert!(matches!(
        s.panes.containers.dialog,
        Some(ContainerDialog::Kill { .. })
    ));
}

#[test]
fn prune_preview_names_exactly_the_stopped_containers() {
    let mut s = app();
    s.test_action(Action::App(AppAction::FocusContainers));
    s.test_action(Action::List(ListAction::Prune));
    let Some(ContainerDialog::Prune { targets, .. }) = &s.panes.containers.dialog else {
        panic!("no prune dialog")
    };
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["old"]);
    assert_eq!(
        s.test_key(&key(KeyCode::Char('y'))),
        vec![Command::PruneContainers]
    );
    assert!(s.panes.containers.dialog.is_none());
}

#[test]
fn streams_follow_what_is_on_screen() {
    let mut s = app();
    assert!(s.test_sync().is_empty());
    s.test_action(Action::App(AppAction::FocusContainers));
    assert_eq!(
        s.test_sync(),
        vec![Command::WatchStats {
            ids: vec!["c1".into()]
        }]
    );
    assert!(s.test_sync().is_empty());
    s.test_engine(EngineEvent::Stats {
        id: "c1".into(),
        sample: StatsSample {
            cpu_percent: 3.0,
            ..Default::default()
        },
    });
    assert_eq!(s.panes.containers.stats["c1"].cpu.len(), 1);
    assert!(
        s.panes.containers.stats_unseen,
        "the next tick draws the sample"
    );
    s.test_action(Action::Containers(ContainersAction::Logs));
    assert_eq!(
        s.test_sync(),
        vec![
            Command::FollowLogs {
                id: Some("c1".into())
            },
            Command::WatchStats { ids: vec![] }
        ]
    );
    s.test_engine(EngineEvent::Logs {
        id: "c1".into(),
        lines: vec![LogLine {
            text: "\x1b[2Jhello".into(),
            ..Default::default()
        }],
    });
    assert_eq!(
        s.panes.containers.logs.as_ref().unwrap().lines[0].text,
        "hello"
    );
    s.test_key(&key(KeyCode::Esc));
    assert!(s.panes.containers.logs.is_none());
    assert_eq!(
        s.test_sync(),
        vec![
            Command::FollowLogs { id: None },
            Command::WatchStats {
                ids: vec!["c1".into()]
            }
        ]
    );
    s.test_action(Action::App(AppAction::FocusImages));
    assert_eq!(s.test_sync(), vec![Command::WatchStats { ids: vec![] }]);
}

#[test]
fn run_from_an_image_validates_and_selects_the_new_container() {
    let mut s = app();
    let cmds = s.test_action(Action::Images(ImagesAction::RunImage));
    assert_eq!(cmds, vec![Command::ListNetworks]);
    assert_eq!(s.shared.focus, PaneId::Containers);
    for c in "web".chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
    // "web" exists: refused inline.
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    assert!(s.panes.containers.dialog.is_some());
    s.test_key(&key(KeyCode::Char('2')));
    let cmds = s.test_key(&key(KeyCode::Enter));
    let Some(Command::RunContainer(spec)) = cmds.first() else {
        panic!("no run: {cmds:?}")
    };
    assert_eq!(spec.name, "web2");
    assert_eq!(spec.image, "one:1");
    assert_eq!(spec.network, "none");
    s.test_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Run {
            image: "one:1".into(),
            name: "web2".into(),
        },
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(JobOutcome::Created {
            id: "c3".into(),
            name: "web2".into(),
        }),
    });
    let mut inv_containers = s.shared.inventory.containers.clone();
    inv_containers.push(container("c3", "web2", "running", "sha256:img1", 1));
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![],
        containers: inv_containers,
    })));
    assert_eq!(s.panes.containers.selected().unwrap().name, "web2");
}

#[test]
fn exec_is_requested_only_for_running_containers() {
    let mut s = app();
    s.test_action(Action::App(AppAction::FocusContainers));
    let effects = s.on_action(&km(), Action::Containers(ContainersAction::ExecShell));
    let req = terminal(&effects).unwrap();
    assert_eq!(req.id, "c1");
    s.test_action(Action::List(ListAction::Down));
    let effects = s.on_action(&km(), Action::Containers(ContainersAction::ExecShell));
    assert!(terminal(&effects).is_none());
}

#[test]
fn exec_a_typed_command_split_like_a_shell() {
    let mut s = app();
    s.test_action(Action::App(AppAction::FocusContainers));
    s.test_key(&key(KeyCode::Char('E')));
    assert!(
        matches!(
            &s.panes.containers.dialog,
            Some(ContainerDialog::Exec { prompt, .. }) if prompt.text() == "/bin/sh"
        ),
        "{:?}",
        s.panes.containers.dialog
    );
    // Clear the suggestion, type an unterminated quote: refused inline, nothing runs.
    for _ in 0.."/bin/sh".len() {
        s.test_key(&key(KeyCode::Backspace));
    }
    for c in "sh -c 'echo hi".chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
    let effects = s.on_key(&km(), &key(KeyCode::Enter));
    assert!(terminal(&effects).is_none());
    assert!(matches!(
        &s.panes.containers.dialog,
        Some(ContainerDialog::Exec { prompt, .. }) if prompt.error.is_some()
    ));
    s.test_key(&key(KeyCode::Char('\'')));
    let effects = s.on_key(&km(), &key(KeyCode::Enter));
    assert!(s.panes.containers.dialog.is_none());
    let req = terminal(&effects).expect("exec request");
    assert_eq!(req.id, "c1");
    assert_eq!(req.cmd, vec!["sh", "-c", "echo hi"]);
}

#[test]
fn run_dash_it_hands_the_terminal_to_the_new_container() {
    let mut s = app();
    s.test_action(Action::Images(ImagesAction::RunImage));
    assert!(matches!(
        s.panes.containers.dialog,
        Some(ContainerDialog::Run(_))
    ));
    if let Some(ContainerDialog::Run(form)) = &mut s.panes.containers.dialog {
        form.detached = false;
        form.tty = true;
    }
    let cmds = s.test_key(&key(KeyCode::Enter));
    match cmds.as_slice() {
        [Command::RunContainer(spec)] => {
            assert!(spec.tty && spec.create_only, "created only: {spec:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(s.panes.containers.attach_terminal && !s.panes.containers.attach_next);
    s.test_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Run {
            image: "one:1".into(),
            name: "it".into(),
        },
    });
    let effects = s.on_engine(
        &km(),
        EngineEvent::JobFinished {
            id: 1,
            result: Ok(JobOutcome::Created {
                id: "c9".into(),
                name: "it".into(),
            }),
        },
    );
    let req = terminal(&effects).expect("terminal handed over");
    assert!(req.attach, "{req:?}");
    assert_eq!((req.id.as_str(), req.name.as_str()), ("c9", "it"));
    assert!(s.panes.containers.logs.is_none());
}

/// A followed log cut by a lost engine connection says so, and once the engine is back it picks
/// up after its last line below a marker line; an end for another reason stays ended.
#[test]
fn a_log_cut_by_the_engine_going_resumes_after_reconnecting() {
    use crate::engine::{Connection, EngineError, EngineInfo};
    let mut s = app();
    s.shared.focus = PaneId::Containers;
    s.test_action(Action::Containers(ContainersAction::Logs));
    let id = s.panes.containers.logs.as_ref().unwrap().id.clone();
    s.test_sync();
    let line = |ts: &str, text: &str| LogLine {
        stderr: false,
        timestamp: ts.into(),
        text: text.into(),
    };
    s.test_engine(EngineEvent::Logs {
        id: id.clone(),
        lines: vec![
            line("2026-12-03T07:00:00.1Z", "one"),
            line("2026-12-03T07:00:00.25Z", "two"),
        ],
    });
    s.test_engine(EngineEvent::LogsEnded {
        id: id.clone(),
        result: Err(EngineError::Connection("connection lost".into())),
    });
    let v = s.panes.containers.logs.as_ref().unwrap();
    assert!(
        v.ended
            .as_deref()
            .is_some_and(|e| e.contains("engine connection lost")),
        "{:?}",
        v.ended
    );
    assert_eq!(
        s.test_sync(),
        vec![],
        "nothing is asked while the engine is away"
    );
    let cmds = s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    assert_eq!(
        cmds,
        vec![Command::ResumeLogs {
            id: id.clone(),
            after: "2026-12-03T07:00:00.25Z".into()
        }]
    );
    let v = s.panes.containers.logs.as_ref().unwrap();
    assert_eq!(v.ended, None);
    assert_eq!(
        v.lines.back().map(|l| l.text.as_str()),
        Some("— engine reconnected, resumed —")
    );
    assert_eq!(
        s.test_sync(),
        vec![],
        "the resumed stream is the followed one"
    );
    // A second Connected (the full identity) asks nothing more.
    let again = s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    assert_eq!(again, vec![]);
    // The container stopping ends the log for good.
    s.test_engine(EngineEvent::LogsEnded {
        id: id.clone(),
        result: Ok(()),
    });
    let cmds = s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    assert_eq!(cmds, vec![]);
}
