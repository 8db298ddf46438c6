use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::config::keymap::Keymap;
use crate::engine::container_streams::{LogLine, StatsSample};
use crate::engine::containers::ContainerOp;
use crate::engine::{
    Command, ContainerInfo, EngineEvent, ImageInfo, Inventory, JobKind, JobOutcome,
};
use crate::state::container_dialogs::ContainerDialog;
use crate::state::{AppState, Pane};

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

fn app() -> AppState {
    let mut s = AppState::default();
    s.container_pane.viewport = 10;
    s.on_engine(EngineEvent::Inventory(Ok(Inventory {
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
    assert_eq!(s.images.selected().unwrap().id, "sha256:img1");
    let cmds = s.on_action(Action::FocusContainers);
    assert_eq!(s.focus, Pane::Containers);
    assert_eq!(s.images.selected().unwrap().id, "sha256:img2");
    assert_eq!(
        cmds,
        vec![Command::Details {
            image_id: "sha256:img2".into()
        }]
    );
    s.on_action(Action::Down);
    assert_eq!(s.container_pane.selected().unwrap().name, "old");
    assert_eq!(s.images.selected().unwrap().id, "sha256:img1");
}

#[test]
fn lifecycle_actions_send_jobs_for_fitting_containers() {
    let mut s = app();
    s.on_action(Action::FocusContainers);
    assert_eq!(
        s.on_action(Action::StopContainer),
        vec![Command::ContainerAction {
            targets: vec![("c1".into(), "web".into())],
            op: ContainerOp::Stop { timeout: 10 }
        }]
    );
    // Starting a running container does nothing but say so.
    assert!(s.on_action(Action::StartContainer).is_empty());
    assert_eq!(
        s.on_action(Action::PauseContainer),
        vec![Command::ContainerAction {
            targets: vec![("c1".into(), "web".into())],
            op: ContainerOp::Pause
        }]
    );
    s.on_action(Action::KillContainer);
    assert!(matches!(
        s.container_pane.dialog,
        Some(ContainerDialog::Kill { .. })
    ));
}

#[test]
fn prune_preview_names_exactly_the_stopped_containers() {
    let mut s = app();
    s.on_action(Action::FocusContainers);
    s.on_action(Action::Prune);
    let Some(ContainerDialog::Prune { targets, .. }) = &s.container_pane.dialog else {
        panic!("no prune dialog")
    };
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["old"]);
    let keymap = Keymap::defaults();
    assert_eq!(
        s.on_key(&keymap, &key(KeyCode::Char('y'))),
        vec![Command::PruneContainers]
    );
    assert!(s.container_pane.dialog.is_none());
}

#[test]
fn streams_follow_what_is_on_screen() {
    let mut s = app();
    assert!(s.sync_container_streams().is_empty());
    s.on_action(Action::FocusContainers);
    assert_eq!(
        s.sync_container_streams(),
        vec![Command::WatchStats {
            ids: vec!["c1".into()]
        }]
    );
    assert!(s.sync_container_streams().is_empty());
    s.on_engine(EngineEvent::Stats {
        id: "c1".into(),
        sample: StatsSample {
            cpu_percent: 3.0,
            ..Default::default()
        },
    });
    assert_eq!(s.container_pane.stats["c1"].cpu.len(), 1);
    assert!(
        s.container_pane.stats_unseen,
        "the next tick draws the sample"
    );
    s.on_action(Action::ContainerLogs);
    assert_eq!(
        s.sync_container_streams(),
        vec![
            Command::FollowLogs {
                id: Some("c1".into())
            },
            Command::WatchStats { ids: vec![] }
        ]
    );
    s.on_engine(EngineEvent::Logs {
        id: "c1".into(),
        lines: vec![LogLine {
            text: "\x1b[2Jhello".into(),
            ..Default::default()
        }],
    });
    assert_eq!(
        s.container_pane.logs.as_ref().unwrap().lines[0].text,
        "hello"
    );
    let keymap = Keymap::defaults();
    s.on_key(&keymap, &key(KeyCode::Esc));
    assert!(s.container_pane.logs.is_none());
    assert_eq!(
        s.sync_container_streams(),
        vec![
            Command::FollowLogs { id: None },
            Command::WatchStats {
                ids: vec!["c1".into()]
            }
        ]
    );
    s.on_action(Action::FocusImages);
    assert_eq!(
        s.sync_container_streams(),
        vec![Command::WatchStats { ids: vec![] }]
    );
}

#[test]
fn run_from_an_image_validates_and_selects_the_new_container() {
    let mut s = app();
    let cmds = s.on_action(Action::RunImage);
    assert_eq!(cmds, vec![Command::ListNetworks]);
    assert_eq!(s.focus, Pane::Containers);
    let keymap = Keymap::defaults();
    for c in "web".chars() {
        s.on_key(&keymap, &key(KeyCode::Char(c)));
    }
    // "web" exists: refused inline.
    assert!(s.on_key(&keymap, &key(KeyCode::Enter)).is_empty());
    assert!(s.container_pane.dialog.is_some());
    s.on_key(&keymap, &key(KeyCode::Char('2')));
    let cmds = s.on_key(&keymap, &key(KeyCode::Enter));
    let Some(Command::RunContainer(spec)) = cmds.first() else {
        panic!("no run: {cmds:?}")
    };
    assert_eq!(spec.name, "web2");
    assert_eq!(spec.image, "one:1");
    assert_eq!(spec.network, "none");
    s.on_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Run {
            image: "one:1".into(),
            name: "web2".into(),
        },
    });
    s.on_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(JobOutcome::Created {
            id: "c3".into(),
            name: "web2".into(),
        }),
    });
    let mut inv_containers = s.containers.clone();
    inv_containers.push(container("c3", "web2", "running", "sha256:img1", 1));
    s.on_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![],
        containers: inv_containers,
    })));
    assert_eq!(s.container_pane.selected().unwrap().name, "web2");
}

#[test]
fn exec_is_requested_only_for_running_containers() {
    let mut s = app();
    s.on_action(Action::FocusContainers);
    s.on_action(Action::ExecShell);
    let req = s.container_pane.exec.take().unwrap();
    assert_eq!(req.id, "c1");
    s.on_action(Action::Down);
    s.on_action(Action::ExecShell);
    assert!(s.container_pane.exec.is_none());
}

#[test]
fn exec_a_typed_command_split_like_a_shell() {
    let keymap = Keymap::defaults();
    let mut s = app();
    s.on_action(Action::FocusContainers);
    s.on_key(&keymap, &key(KeyCode::Char('E')));
    assert!(
        matches!(
            &s.container_pane.dialog,
            Some(ContainerDialog::Exec { input, .. }) if input.text == "/bin/sh"
        ),
        "{:?}",
        s.container_pane.dialog
    );
    // Clear the suggestion, type an unterminated quote: refused inline, nothing runs.
    for _ in 0.."/bin/sh".len() {
        s.on_key(&keymap, &key(KeyCode::Backspace));
    }
    for c in "sh -c 'echo hi".chars() {
        s.on_key(&keymap, &key(KeyCode::Char(c)));
    }
    s.on_key(&keymap, &key(KeyCode::Enter));
    assert!(s.container_pane.exec.is_none());
    assert!(matches!(
        &s.container_pane.dialog,
        Some(ContainerDialog::Exec { error: Some(_), .. })
    ));
    s.on_key(&keymap, &key(KeyCode::Char('\'')));
    s.on_key(&keymap, &key(KeyCode::Enter));
    assert!(s.container_pane.dialog.is_none());
    let req = s.container_pane.exec.take().expect("exec request");
    assert_eq!(req.id, "c1");
    assert_eq!(req.cmd, vec!["sh", "-c", "echo hi"]);
}

#[test]
fn run_dash_it_hands_the_terminal_to_the_new_container() {
    let keymap = Keymap::defaults();
    let mut s = app();
    s.on_action(Action::RunImage);
    assert!(matches!(
        s.container_pane.dialog,
        Some(ContainerDialog::Run(_))
    ));
    if let Some(ContainerDialog::Run(form)) = &mut s.container_pane.dialog {
        form.detached = false;
        form.tty = true;
    }
    let cmds = s.on_key(&keymap, &key(KeyCode::Enter));
    match cmds.as_slice() {
        [Command::RunContainer(spec)] => {
            assert!(spec.tty && spec.create_only, "created only: {spec:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(s.container_pane.attach_terminal && !s.container_pane.attach_next);
    s.on_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Run {
            image: "one:1".into(),
            name: "it".into(),
        },
    });
    s.on_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(JobOutcome::Created {
            id: "c9".into(),
            name: "it".into(),
        }),
    });
    let req = s.container_pane.exec.take().expect("terminal handed over");
    assert!(req.attach, "{req:?}");
    assert_eq!((req.id.as_str(), req.name.as_str()), ("c9", "it"));
    assert!(s.container_pane.logs.is_none());
}
