//! The editor's file I/O, performed by the app loop for the [`FileOp`]s the pure state queues:
//! atomic saves that keep the file mode, recovery files, loading, and context planning.
use std::io::Write;
use std::path::{Path, PathBuf};

use super::build::ContextSize;
use super::{EditorState, FileOp};

/// Where the recovery file of `path` lives: `.<name>.dockhand-recover` next to it.
pub fn recovery_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "Dockerfile".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.dockhand-recover"))
}

/// Writes `text` to `path` atomically: a temp file in the same directory, synced, given the
/// original file's permissions, then renamed over it.
pub fn atomic_write(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.dockhand-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads `path` (a missing file opens empty) and its recovery file, if any.
pub fn load(path: &Path) -> std::io::Result<(String, Option<String>)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let recovered = std::fs::read_to_string(recovery_path(path)).ok();
    Ok((text, recovered))
}

/// Plans a build context and sums it up for the build dialog.
pub fn plan_size(dir: &Path, dockerfile: &Path) -> ContextSize {
    match crate::dockerfile::context::plan(dir, dockerfile) {
        Ok(plan) => ContextSize::Planned {
            files: plan.file_count(),
            bytes: plan.total_bytes(),
            tar: plan.tar_size(),
            ignored: plan.excluded,
        },
        Err(e) => ContextSize::Failed(e.to_string()),
    }
}

/// Performs the editor's queued file work, feeding results back into it (context plans too, on
/// this thread).
pub fn run_ops(editor: &mut EditorState) {
    for _ in 0..4 {
        let plans = run_file_ops(editor);
        if plans.is_empty() {
            return;
        }
        for (dir, dockerfile) in plans {
            let size = plan_size(&dir, &dockerfile);
            editor.on_context_planned(&dir, size);
        }
    }
}

/// Performs the editor's queued file work, except context plans (a walk of a directory tree of
/// any size): those are returned as `(dir, dockerfile)` for the caller to run off the UI thread
/// and hand to [`EditorState::on_context_planned`].
pub fn run_file_ops(editor: &mut EditorState) -> Vec<(PathBuf, PathBuf)> {
    let mut plans = Vec::new();
    // Results may queue more work (a save then a load); bounded to avoid loops.
    for _ in 0..4 {
        let ops = std::mem::take(&mut editor.ops);
        if ops.is_empty() {
            break;
        }
        for op in ops {
            match op {
                FileOp::PlanContext { dir, dockerfile } => plans.push((dir, dockerfile)),
                op => run_op(editor, op),
            }
        }
    }
    plans
}

fn run_op(editor: &mut EditorState, op: FileOp) {
    match op {
        FileOp::Save { path, text } => {
            let result = atomic_write(&path, &text).map_err(|e| e.to_string());
            editor.on_saved(&text, result);
        }
        FileOp::WriteRecovery { path, text } => {
            if let Err(e) = std::fs::write(recovery_path(&path), text) {
                editor.note = Some((
                    crate::state::Level::Error,
                    format!("writing the recovery file failed: {e}"),
                ));
            }
        }
        FileOp::RemoveRecovery { path } => {
            let _ = std::fs::remove_file(recovery_path(&path));
        }
        FileOp::Load { path } => match load(&path) {
            Ok((text, recovered)) => editor.open(&path, &text, recovered),
            Err(e) => {
                editor.note = Some((
                    crate::state::Level::Error,
                    format!("opening {} failed: {e}", path.display()),
                ));
            }
        },
        FileOp::PlanContext { dir, dockerfile } => {
            let size = plan_size(&dir, &dockerfile);
            editor.on_context_planned(&dir, size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn save_and_recovery_round_trip_through_ops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM a\n").unwrap();
        let mut ed = EditorState::default();
        ed.ops.push(FileOp::Load { path: path.clone() });
        run_ops(&mut ed);
        assert_eq!(ed.text(), "FROM a\n");
        ed.paste_text("# x\n", 100);
        assert!(ed.dirty);
        ed.tick(100 + super::super::RECOVERY_DELAY);
        run_ops(&mut ed);
        assert_eq!(
            std::fs::read_to_string(recovery_path(&path)).unwrap(),
            "# x\nFROM a\n"
        );
        // Reopening offers the recovery.
        let mut again = EditorState::default();
        again.ops.push(FileOp::Load { path: path.clone() });
        run_ops(&mut again);
        assert!(matches!(
            again.modal,
            Some(super::super::Modal::Recover { .. })
        ));
        // Saving removes it.
        ed.save();
        run_ops(&mut ed);
        assert!(!ed.dirty);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# x\nFROM a\n");
        assert!(!recovery_path(&path).exists());
    }

    #[test]
    fn context_plans_are_handed_back_not_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        std::fs::write(&path, "FROM a\n").unwrap();
        let mut ed = EditorState::default();
        ed.ops.push(FileOp::Load { path: path.clone() });
        ed.ops.push(FileOp::PlanContext {
            dir: dir.path().to_path_buf(),
            dockerfile: path.clone(),
        });
        let plans = run_file_ops(&mut ed);
        assert_eq!(ed.text(), "FROM a\n", "file work is done");
        assert_eq!(plans, vec![(dir.path().to_path_buf(), path.clone())]);
        assert!(ed.ops.is_empty());
        match plan_size(dir.path(), &path) {
            ContextSize::Planned { files, .. } => assert_eq!(files, 1),
            other => panic!("{other:?}"),
        }
    }
}
