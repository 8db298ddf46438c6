//! The file worker's operations on real files in a temp directory, driven through the editor
//! state as the app loop drives them.
use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::state::editor::{EditorState, Modal};
use crate::state::effect::Effect;

/// Performs the file effects among `effects` for the editor, as the app loop's worker does, until
/// no more file work follows; returns the other effects.
fn run(files: &Files, ed: &mut EditorState, mut effects: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    for _ in 0..8 {
        let mut ops = Vec::new();
        for e in effects.drain(..) {
            match e {
                Effect::File(op) => ops.push(op),
                other => rest.push(other),
            }
        }
        if ops.is_empty() {
            break;
        }
        for op in ops {
            if let Some(done) = files.perform(op) {
                effects.extend(ed.on_file(done));
            }
        }
    }
    rest
}

fn setup() -> (tempfile::TempDir, Files, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let files = Files::at(dir.path().join("state/recover"));
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    (dir, files, path)
}

fn key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    )
}

#[test]
fn save_keeps_the_mode_and_recovery_round_trips_in_the_private_directory() {
    let (dir, files, path) = setup();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut ed = EditorState::default();
    let open = ed.request_open(path.clone());
    run(&files, &mut ed, open);
    assert_eq!(ed.text(), "FROM a\n");
    let edit = ed.paste_text("# x\n", 100);
    run(&files, &mut ed, edit);
    let tick = ed.tick(100 + crate::state::editor::RECOVERY_DELAY);
    run(&files, &mut ed, tick);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Dockerfile", "state"],
        "no recovery file beside the Dockerfile"
    );
    // Reopening offers the recovery.
    let mut again = EditorState::default();
    let open = again.request_open(path.clone());
    run(&files, &mut again, open);
    assert!(matches!(again.modal, Some(Modal::Recover { .. })));
    // Saving removes it and keeps the mode.
    let save = ed.save();
    run(&files, &mut ed, save);
    assert!(!ed.dirty);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# x\nFROM a\n");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let mut third = EditorState::default();
    let open = third.request_open(path.clone());
    run(&files, &mut third, open);
    assert!(
        third.modal.is_none(),
        "the recovery file went with the save"
    );
}

#[test]
fn a_file_changed_on_disk_is_not_overwritten_unasked() {
    let (_dir, files, path) = setup();
    let mut ed = EditorState::default();
    let open = ed.request_open(path.clone());
    run(&files, &mut ed, open);
    let edit = ed.paste_text("# mine\n", 1);
    run(&files, &mut ed, edit);
    std::fs::write(&path, "FROM theirs\n").unwrap();
    let save = ed.save();
    run(&files, &mut ed, save);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM theirs\n");
    assert!(matches!(
        &ed.modal,
        Some(Modal::Refused { refused: SaveRefused::Changed { on_disk: Some(t) }, .. })
            if t == "FROM theirs\n"
    ));
    // "o" overwrites with the buffer, once asked.
    let km = crate::config::keymap::Keymap::defaults();
    let cx_keys = ed.key_for_test(&km, &key('o'));
    run(&files, &mut ed, cx_keys);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\nFROM a\n");
    assert!(ed.modal.is_none() && !ed.dirty);
}

#[test]
fn a_symlinked_dockerfile_is_written_through_only_when_asked() {
    let (dir, files, target) = setup();
    let link = dir.path().join("Linked");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut ed = EditorState::default();
    let open = ed.request_open(link.clone());
    let notes = run(&files, &mut ed, open);
    assert!(
        notes
            .iter()
            .any(|e| matches!(e, Effect::Say(_, t) if t.contains("symlink"))),
        "{notes:?}"
    );
    let edit = ed.paste_text("# x\n", 1);
    run(&files, &mut ed, edit);
    let save = ed.save();
    run(&files, &mut ed, save);
    assert!(matches!(
        &ed.modal,
        Some(Modal::Refused {
            refused: SaveRefused::Symlink { .. },
            ..
        })
    ));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "FROM a\n");
    let km = crate::config::keymap::Keymap::defaults();
    let follow = ed.key_for_test(&km, &key('f'));
    run(&files, &mut ed, follow);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# x\nFROM a\n");
}

#[test]
fn a_missing_directory_is_said_on_open_and_created_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let files = Files::at(dir.path().join("recover"));
    let path = dir.path().join("new/sub/Dockerfile");
    let mut ed = EditorState::default();
    let open = ed.request_open(path.clone());
    let notes = run(&files, &mut ed, open);
    assert!(
        notes
            .iter()
            .any(|e| matches!(e, Effect::Say(_, t) if t.contains("no such directory"))),
        "{notes:?}"
    );
    let edit = ed.paste_text("FROM a\n", 1);
    run(&files, &mut ed, edit);
    let save = ed.save();
    run(&files, &mut ed, save);
    assert!(matches!(
        &ed.modal,
        Some(Modal::Refused {
            refused: SaveRefused::NoSuchDirectory { .. },
            ..
        })
    ));
    let km = crate::config::keymap::Keymap::defaults();
    let create = ed.key_for_test(&km, &key('c'));
    run(&files, &mut ed, create);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ed.text());
    assert!(!ed.dirty);
}

#[test]
fn context_plans_report_their_size() {
    let (dir, files, path) = setup();
    let done = files.perform(FileOp::PlanContext {
        dir: dir.path().to_path_buf(),
        dockerfile: path.clone(),
    });
    match done {
        Some(FileDone::Planned {
            size: ContextSize::Planned { files, .. },
            ..
        }) => assert!(files >= 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn shellcheck_findings_reach_the_editor_through_the_worker() {
    if !crate::dockerfile::lint::shellcheck::available() {
        assert!(
            std::env::var("DOCKHAND_REQUIRE_ENGINE").is_err(),
            "shellcheck is required under CI"
        );
        eprintln!("\n!!!!!!!! shellcheck not installed: editor ShellCheck NOT tested !!!!!!!!\n");
        return;
    }
    let (_d, files, path) = setup();
    std::fs::write(&path, "FROM debian:12\nRUN echo ok\n").expect("write");
    let mut ed = EditorState::default();
    let e = ed.request_open(path.clone());
    run(&files, &mut ed, e);
    let e = ed.paste_text("RUN echo $UNQUOTED\n", 0);
    run(&files, &mut ed, e);
    assert!(ed.refresh_lint());
    let op = ed.shellcheck_request().expect("a check is due");
    let done = files.perform(op).expect("a result");
    assert!(ed.on_file(done).is_empty());
    let sc: Vec<(usize, &str)> = ed
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("SC"))
        .map(|d| (d.line, d.code))
        .collect();
    assert_eq!(sc, [(1, "SC2086")], "{:?}", ed.diagnostics);
}

#[test]
fn build_line_links_survive_a_restart_while_the_text_is_unchanged() {
    use crate::config::keymap::Keymap;
    use crate::engine::{EngineEvent, JobKind, JobOutcome, Progress};
    use crate::state::AppState;
    let (_dir, files, path) = setup();
    std::fs::write(&path, "FROM dh-busybox:1\nRUN echo one\nCOPY a /a\n").unwrap();
    let open = |files: &Files| {
        let mut s = AppState::default();
        let loaded = files.perform(FileOp::Load { path: path.clone() }).unwrap();
        let effects = s.panes.editor.on_file(loaded);
        run(files, &mut s.panes.editor, effects);
        s
    };
    let km = Keymap::defaults();
    let mut s = open(&files);
    assert_eq!(s.panes.editor.build.image, None);
    s.on_engine(
        &km,
        EngineEvent::JobStarted {
            id: 1,
            kind: JobKind::Build {
                dockerfile: path.display().to_string(),
                tag: None,
            },
        },
    );
    for l in [
        "Step 1/3 : FROM dh-busybox:1",
        " ---> d499595d43a3",
        "Step 2/3 : RUN echo one",
        " ---> Running in abc",
        " ---> 1111aaaa2222",
        "Step 3/3 : COPY a /a",
        " ---> 3333bbbb4444",
        "Successfully built 3333bbbb4444",
    ] {
        s.on_engine(
            &km,
            EngineEvent::JobProgress {
                id: 1,
                progress: Progress::Log(l.to_string()),
            },
        );
    }
    let effects = s.on_engine(
        &km,
        EngineEvent::JobFinished {
            id: 1,
            result: Ok(JobOutcome::Done("built sha256:3333bbbb4444ffff".into())),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::File(FileOp::SaveLinks { .. }))),
        "{effects:?}"
    );
    assert!(
        run(&files, &mut s.panes.editor, effects)
            .iter()
            .all(|e| !matches!(e, Effect::Say(..)))
    );

    let restarted = open(&files);
    let build = &restarted.panes.editor.build;
    assert_eq!(build.image.as_deref(), Some("sha256:3333bbbb4444ffff"));
    assert_eq!(build.line_of_layer("sha256:1111aaaa2222dead"), Some(2));
    assert_eq!(build.line_of_layer("sha256:3333bbbb4444ffff"), Some(3));

    files.perform(FileOp::WriteRecovery {
        path: path.clone(),
        text: "FROM dh-busybox:1\nCOPY a /a\n".into(),
    });
    let mut recovered = open(&files);
    assert!(matches!(
        recovered.panes.editor.modal,
        Some(Modal::Recover { .. })
    ));
    assert!(recovered.panes.editor.build.image.is_some());
    recovered.panes.editor.key_for_test(&km, &key('r'));
    let build = &recovered.panes.editor.build;
    assert_eq!(
        build.image, None,
        "links of the disk text are dropped with recovered edits"
    );
    assert_eq!(build.line_of_layer("sha256:3333bbbb4444ffff"), None);
    files.perform(FileOp::RemoveRecovery { path: path.clone() });

    std::fs::write(&path, "FROM dh-busybox:1\nRUN echo two\nCOPY a /a\n").unwrap();
    let changed = open(&files);
    assert_eq!(
        changed.panes.editor.build.image, None,
        "a changed file has no links"
    );
    assert_eq!(
        changed
            .panes
            .editor
            .build
            .line_of_layer("sha256:1111aaaa2222"),
        None
    );
}
