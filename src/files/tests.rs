//! The file worker's operations on real files in a temp directory.

use super::*;
use crate::config::keymap::Keymap;
use crate::state::editor::EditorState;
use crate::state::effect::Effect;
use std::os::unix::fs::PermissionsExt;

#[test]
fn atomic_write_keeps_the_mode_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    atomic_write(&path, "FROM b\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b\n");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

/// Performs the file effects among `effects` for the editor, as the app loop's worker does, until
/// no more file work follows.
fn run(ed: &mut EditorState, mut effects: Vec<Effect>) {
    for _ in 0..8 {
        let ops: Vec<FileOp> = effects
            .drain(..)
            .filter_map(|e| match e {
                Effect::File(op) => Some(op),
                _ => None,
            })
            .collect();
        if ops.is_empty() {
            return;
        }
        for op in ops {
            if let Some(done) = perform(op) {
                effects.extend(ed.on_file(done));
            }
        }
    }
}

#[test]
fn save_and_recovery_round_trip_through_the_worker() {
    let _ = Keymap::defaults();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    let mut ed = EditorState::default();
    let open = ed.request_open(path.clone());
    run(&mut ed, open);
    assert_eq!(ed.text(), "FROM a\n");
    let edit = ed.paste_text("# x\n", 100);
    run(&mut ed, edit);
    assert!(ed.dirty);
    let tick = ed.tick(100 + crate::state::editor::RECOVERY_DELAY);
    run(&mut ed, tick);
    assert_eq!(
        std::fs::read_to_string(recovery_path(&path)).unwrap(),
        "# x\nFROM a\n"
    );
    // Reopening offers the recovery.
    let mut again = EditorState::default();
    let open = again.request_open(path.clone());
    run(&mut again, open);
    assert!(matches!(
        again.modal,
        Some(crate::state::editor::Modal::Recover { .. })
    ));
    // Saving removes it.
    let save = ed.save();
    run(&mut ed, save);
    assert!(!ed.dirty);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# x\nFROM a\n");
    assert!(!recovery_path(&path).exists());
}

#[test]
fn context_plans_report_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    let done = perform(FileOp::PlanContext {
        dir: dir.path().to_path_buf(),
        dockerfile: path.clone(),
    });
    match done {
        Some(FileDone::Planned {
            size: ContextSize::Planned { files, .. },
            ..
        }) => assert_eq!(files, 1),
        other => panic!("{other:?}"),
    }
}
