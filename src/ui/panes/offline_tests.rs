//! TestBackend snapshots of the save, load, import, commit, export and diff dialogs, built by
//! feeding engine events into the state and pressing the default keys; each also checks the
//! command the dialog sends is exactly what it shows.
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::action::{Action, AppAction, ListAction};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::offline::{
    Change, ChangeKind, CommitSpec, ImportSpec, LoadPreview, OfflineCommand, OfflineEvent,
};
use crate::engine::{
    Command, Connection, ContainerInfo, EngineEvent, EngineInfo, ImageInfo, Inventory, JobOutcome,
};
use crate::state::AppState;
use crate::ui::{Ctx, draw};

const NOW: i64 = 1_700_000_000;

fn state() -> AppState {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    let image = |id: &str, tag: &str, size: u64| ImageInfo {
        id: format!("sha256:{id}{}", "0".repeat(64 - id.len())),
        repo_tags: vec![tag.into()],
        repo_digests: vec![],
        created: NOW - 3600,
        size,
    };
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![
            image("aaaa", "team/app:1.2", 4_200_000),
            image("bbbb", "dh-busybox:1", 2_000_000),
        ],
        containers: vec![ContainerInfo {
            id: format!("c1{}", "0".repeat(62)),
            name: "builder".into(),
            image: "dh-busybox:1".into(),
            image_id: format!("sha256:bbbb{}", "0".repeat(60)),
            state: "exited".into(),
            status: "Exited (0) 2 minutes ago".into(),
            command: "sh -c 'echo new > /added'".into(),
            created: NOW - 300,
            ports: vec![],
            exit_code: Some(0),
            times: None,
        }],
    })));
    s.set_viewports(&[(crate::state::PaneId::Images, 10)]);
    s
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(s: &mut AppState, code: KeyCode) -> Vec<Command> {
    s.test_key(&key(code))
}

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        s.test_key(&key(KeyCode::Char(c)));
    }
}

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

fn clear_field(s: &mut AppState) {
    s.test_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
}

#[test]
fn save_marked_images_sends_exactly_what_the_dialog_shows() {
    let mut s = state();
    s.test_action(Action::List(ListAction::ToggleMark));
    s.test_action(Action::List(ListAction::Down));
    s.test_action(Action::List(ListAction::ToggleMark));
    assert!(press(&mut s, KeyCode::Char('W')).is_empty());
    clear_field(&mut s);
    type_text(&mut s, "/tmp/out/ima");
    // Tab asks the file worker for the directory, then completes from its answer.
    press(&mut s, KeyCode::Tab);
    s.test_file(crate::state::editor::FileDone::Listed(
        crate::state::widgets::form::Listing {
            dir: "/tmp/out/".into(),
            entries: vec![
                ("images.tar.gz".into(), false),
                ("imports".into(), true),
                ("old.tar".into(), false),
            ],
        },
    ));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char(' '));
    let screen = render(&s, 100, 24);
    assert!(screen.contains("2 images"), "{screen}");
    insta::assert_snapshot!(screen);
    let _ = render(&s, 20, 5);
    let sent = press(&mut s, KeyCode::Enter);
    let mut images = vec!["team/app:1.2".to_string(), "dh-busybox:1".to_string()];
    images.sort();
    match &sent[..] {
        [
            Command::Offline(OfflineCommand::Save {
                images: got,
                path,
                gzip: true,
                overwrite: false,
            }),
        ] => {
            let mut got = got.clone();
            got.sort();
            assert_eq!(got, images);
            assert_eq!(path, &PathBuf::from("/tmp/out/images.tar.gz"));
        }
        other => panic!("{other:?}"),
    }
}

/// A `docker save` layout of two images sharing a layer, read by the real archive reader.
fn preview() -> LoadPreview {
    let manifest = br#"[{"Config":"abc.json","RepoTags":["team/app:1.2"],"Layers":["l1/layer.tar","l2/layer.tar"]},
        {"Config":"def.json","RepoTags":["tools:latest","tools:3"],"Layers":["l1/layer.tar"]}]"#;
    let c1 = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:d1","sha256:d2"]}}"#;
    let c2 = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:d1"]}}"#;
    let mut b = tar::Builder::new(Vec::new());
    let big = vec![0u8; 1_500_000];
    let small = vec![0u8; 300_000];
    for (name, data) in [
        ("abc.json", &c1[..]),
        ("def.json", &c2[..]),
        ("l1/layer.tar", &big[..]),
        ("l2/layer.tar", &small[..]),
        ("manifest.json", &manifest[..]),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
    }
    let bytes = b.into_inner().unwrap();
    let images = crate::layers::contents::read_images(&bytes[..]).unwrap();
    LoadPreview {
        contents: crate::layers::contents::ArchiveContents {
            images,
            file_bytes: bytes.len() as u64,
            gzip: false,
        },
        image_present: vec![false, true],
        layers_present: ["sha256:d1".to_string()].into_iter().collect(),
        tag_moves: vec![(
            "team/app:1.2".into(),
            format!("sha256:aaaa{}", "0".repeat(60)),
        )],
    }
}

#[test]
fn load_previews_then_loads_and_selects_the_loaded_image() {
    let mut s = state();
    press(&mut s, KeyCode::Char('L'));
    type_text(&mut s, "/srv/images.tar");
    insta::assert_snapshot!("load_path", render(&s, 100, 20));
    let path = PathBuf::from("/srv/images.tar");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent,
        vec![Command::Offline(OfflineCommand::Preview {
            path: path.clone()
        })]
    );
    // Enter does nothing until the preview arrived.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let p = preview();
    assert_eq!(p.new_bytes(), 300_000, "only the layer the engine lacks");
    s.test_engine(EngineEvent::Offline(OfflineEvent::Preview {
        path: path.clone(),
        result: Ok(Box::new(p)),
    }));
    let screen = render(&s, 110, 20);
    assert!(screen.contains("1/2 layers here"), "{screen}");
    assert!(
        screen.contains("moves the tag team/app:1.2 away from aaaa00000000"),
        "{screen}"
    );
    insta::assert_snapshot!("load_preview", screen);
    let _ = render(&s, 20, 5);
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(sent, vec![Command::Offline(OfflineCommand::Load { path })]);
    let id = format!("sha256:bbbb{}", "0".repeat(60));
    s.test_engine(EngineEvent::JobFinished {
        id: 7,
        result: Ok(JobOutcome::Images {
            summary: "loaded".into(),
            ids: vec![id.clone()],
        }),
    });
    assert_eq!(
        s.panes.images.table.selected().map(|r| r.id.clone()),
        Some(id)
    );
    // A load of several images marks them all (ready for the next bulk action).
    s.test_engine(EngineEvent::JobFinished {
        id: 8,
        result: Ok(JobOutcome::Images {
            summary: "loaded".into(),
            ids: vec![
                format!("sha256:aaaa{}", "0".repeat(60)),
                format!("sha256:bbbb{}", "0".repeat(60)),
            ],
        }),
    });
    assert_eq!(s.panes.images.table.marked.len(), 2);
}

#[test]
fn the_preview_opens_the_archive_in_the_explorer() {
    let mut s = state();
    press(&mut s, KeyCode::Char('L'));
    type_text(&mut s, "/srv/images.tar");
    press(&mut s, KeyCode::Enter);
    assert!(
        press(&mut s, KeyCode::Char('f')).is_empty(),
        "not before the preview"
    );
    s.test_engine(EngineEvent::Offline(OfflineEvent::Preview {
        path: "/srv/images.tar".into(),
        result: Ok(Box::new(preview())),
    }));
    let sent = press(&mut s, KeyCode::Char('f'));
    assert_eq!(
        sent,
        vec![Command::AnalyzeImage {
            image: "docker-archive:///srv/images.tar".into()
        }]
    );
    assert_eq!(s.shared.focus, crate::state::PaneId::Explorer);
    assert!(s.panes.images.dialog.is_none());
}

#[test]
fn load_of_a_bad_file_shows_the_reason() {
    let mut s = state();
    press(&mut s, KeyCode::Char('L'));
    type_text(&mut s, "/srv/cut.tar");
    press(&mut s, KeyCode::Enter);
    s.test_engine(EngineEvent::Offline(OfflineEvent::Preview {
        path: PathBuf::from("/srv/cut.tar"),
        result: Err(crate::engine::EngineError::Invalid(
            "/srv/cut.tar: the archive is truncated (failed to fill whole buffer)".into(),
        )),
    }));
    let screen = render(&s, 100, 14);
    assert!(screen.contains("truncated"));
    insta::assert_snapshot!(screen);
    assert!(press(&mut s, KeyCode::Enter).is_empty(), "nothing to load");
}

#[test]
fn import_validates_changes_inline() {
    let mut s = state();
    press(&mut s, KeyCode::Char('I'));
    type_text(&mut s, "/srv/rootfs.tar");
    press(&mut s, KeyCode::Down);
    type_text(&mut s, "Team/App");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "imported");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "RUN rm -rf /");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "EXPOSE 80/tcp");
    let screen = render(&s, 100, 24);
    assert!(screen.contains("not a change instruction"), "{screen}");
    insta::assert_snapshot!(screen);
    assert!(press(&mut s, KeyCode::Enter).is_empty(), "refused");
    // The cursor went to the first bad field (the tag): fix it, then the change.
    clear_field(&mut s);
    type_text(&mut s, "team/app:imported");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    clear_field(&mut s);
    type_text(&mut s, "CMD [\"/bin/sh\"]");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent,
        vec![Command::Offline(OfflineCommand::Import(Box::new(
            ImportSpec {
                path: "/srv/rootfs.tar".into(),
                reference: "team/app:imported".into(),
                message: "imported".into(),
                changes: vec!["CMD [\"/bin/sh\"]".into(), "EXPOSE 80/tcp".into()],
            }
        )))]
    );
}

fn containers(s: &mut AppState) {
    s.test_action(Action::App(AppAction::FocusContainers));
    s.set_viewports(&[(crate::state::PaneId::Containers, 10)]);
}

#[test]
fn commit_dialog_sends_author_message_pause_and_changes() {
    let mut s = state();
    containers(&mut s);
    press(&mut s, KeyCode::Char('c'));
    type_text(&mut s, "team/app:committed");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "Ann <ann@example.org>");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "add files");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char(' '));
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "ENV MODE=test");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "EXPOSE 99999");
    let screen = render(&s, 100, 24);
    assert!(screen.contains("not a port"), "{screen}");
    insta::assert_snapshot!(screen);
    let _ = render(&s, 20, 5);
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    clear_field(&mut s);
    type_text(&mut s, "WORKDIR /srv");
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent,
        vec![Command::Offline(OfflineCommand::Commit(Box::new(
            CommitSpec {
                container: format!("c1{}", "0".repeat(62)),
                name: "builder".into(),
                reference: "team/app:committed".into(),
                author: "Ann <ann@example.org>".into(),
                message: "add files".into(),
                pause: false,
                changes: vec!["ENV MODE=test".into(), "WORKDIR /srv".into()],
            }
        )))]
    );
}

#[test]
fn export_dialog_suggests_the_container_name() {
    let mut s = state();
    containers(&mut s);
    press(&mut s, KeyCode::Char('X'));
    insta::assert_snapshot!(render(&s, 100, 16));
    let sent = press(&mut s, KeyCode::Enter);
    assert_eq!(
        sent,
        vec![Command::Offline(OfflineCommand::Export {
            container: format!("c1{}", "0".repeat(62)),
            name: "builder".into(),
            path: "builder.tar".into(),
            overwrite: false,
        })]
    );
}

#[test]
fn diff_tree_marks_added_changed_and_deleted() {
    let mut s = state();
    containers(&mut s);
    let sent = press(&mut s, KeyCode::Char('f'));
    let id = format!("c1{}", "0".repeat(62));
    assert_eq!(
        sent,
        vec![Command::Offline(OfflineCommand::Diff {
            container: id.clone()
        })]
    );
    // What dockerd 20.10 answered for `echo new > /added && mkdir /newdir && echo x >
    // /newdir/f && rm /bin/yes` (tests/offline_engine.rs checks this list against the engine).
    let ch = |p: &str, kind, size| Change {
        path: p.into(),
        kind,
        size,
    };
    s.test_engine(EngineEvent::Offline(OfflineEvent::Diff {
        container: id,
        result: Ok(vec![
            ch("/added", ChangeKind::Added, Some(4)),
            ch("/bin", ChangeKind::Changed, None),
            ch("/bin/yes", ChangeKind::Deleted, None),
            ch("/newdir", ChangeKind::Added, None),
            ch("/newdir/f", ChangeKind::Added, Some(2)),
        ]),
    }));
    let screen = render(&s, 100, 20);
    assert!(
        screen.contains("3 added · 1 changed · 1 deleted"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    let _ = render(&s, 20, 5);
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.panes.containers.dialog.is_none());
}

#[test]
fn copy_dialogs_check_paths_and_send_docker_cp_requests() {
    let mut s = state();
    containers(&mut s);
    let id = format!("c1{}", "0".repeat(62));
    press(&mut s, KeyCode::Char('o'));
    clear_field(&mut s);
    type_text(&mut s, "etc/hosts");
    let screen = render(&s, 100, 16);
    assert!(
        screen.contains("an absolute path in the container"),
        "{screen}"
    );
    insta::assert_snapshot!("copy_out", screen);
    clear_field(&mut s);
    type_text(&mut s, "/etc/hosts");
    press(&mut s, KeyCode::Down);
    type_text(&mut s, "/tmp/hosts");
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Command::Offline(OfflineCommand::CopyOut {
            container: id.clone(),
            name: "builder".into(),
            src: "/etc/hosts".into(),
            dest: "/tmp/hosts".into(),
        })]
    );
    press(&mut s, KeyCode::Char('O'));
    type_text(&mut s, "/srv/site.tar");
    press(&mut s, KeyCode::Down);
    clear_field(&mut s);
    type_text(&mut s, "srv");
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char(' '));
    insta::assert_snapshot!("copy_in", render(&s, 100, 16));
    let _ = render(&s, 20, 5);
    assert!(
        press(&mut s, KeyCode::Enter).is_empty(),
        "relative path refused"
    );
    s.test_key(&KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
    type_text(&mut s, "/");
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Command::Offline(OfflineCommand::CopyIn {
            container: id,
            name: "builder".into(),
            src: "/srv/site.tar".into(),
            dest: "/srv".into(),
            unpack: true,
        })]
    );
}

#[test]
fn a_commit_selects_the_new_image_in_the_images_pane() {
    let mut s = state();
    containers(&mut s);
    press(&mut s, KeyCode::Char('c'));
    type_text(&mut s, "team/app:c");
    assert_eq!(press(&mut s, KeyCode::Enter).len(), 1);
    let new = format!("sha256:cccc{}", "0".repeat(60));
    s.test_engine(EngineEvent::JobFinished {
        id: 9,
        result: Ok(JobOutcome::Images {
            summary: "committed builder as team/app:c".into(),
            ids: vec![new.clone()],
        }),
    });
    let mut inv = s.shared.inventory.clone();
    inv.images.push(ImageInfo {
        id: new.clone(),
        repo_tags: vec!["team/app:c".into()],
        repo_digests: vec![],
        created: NOW,
        size: 2_000_100,
    });
    s.test_engine(EngineEvent::Inventory(Ok(inv)));
    s.test_action(Action::App(AppAction::FocusImages));
    assert_eq!(
        s.panes.images.table.selected().map(|r| r.id.clone()),
        Some(new)
    );
}
