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
