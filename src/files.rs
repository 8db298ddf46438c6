//! The file worker: performs the [`FileOp`]s that panes ask for, off the state and off the UI
//! thread, in the order they were asked, and reports each result as a [`FileDone`].
use std::io::Write;
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::state::editor::FileDone;
use crate::state::editor::build::ContextSize;
use crate::state::effect::FileOp;

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

/// Performs one operation; `None` when it has nothing to report.
pub fn perform(op: FileOp) -> Option<FileDone> {
    match op {
        FileOp::Save { path, text } => {
            let result = atomic_write(&path, &text).map_err(|e| e.to_string());
            Some(FileDone::Saved { path, text, result })
        }
        FileOp::WriteRecovery { path, text } => std::fs::write(recovery_path(&path), text)
            .err()
            .map(|e| FileDone::RecoveryFailed(e.to_string())),
        FileOp::RemoveRecovery { path } => {
            let _ = std::fs::remove_file(recovery_path(&path));
            None
        }
        FileOp::Load { path } => {
            let result = load(&path).map_err(|e| e.to_string());
            Some(FileDone::Loaded { path, result })
        }
        FileOp::PlanContext { dir, dockerfile } => {
            let size = plan_size(&dir, &dockerfile);
            Some(FileDone::Planned { dir, size })
        }
    }
}

/// The handle the app loop sends file work to.
#[derive(Debug, Clone)]
pub struct FileWorker {
    tx: mpsc::UnboundedSender<FileOp>,
}

impl FileWorker {
    /// Starts the worker on a blocking thread; results go to `done`. Context plans (a walk of a
    /// directory tree of any size) run on their own threads so that saves never wait for them.
    pub fn spawn(done: impl Fn(FileDone) + Send + Sync + Clone + 'static) -> FileWorker {
        let (tx, mut rx) = mpsc::unbounded_channel::<FileOp>();
        tokio::task::spawn_blocking(move || {
            while let Some(op) = rx.blocking_recv() {
                if let FileOp::PlanContext { .. } = op {
                    let done = done.clone();
                    std::thread::spawn(move || perform(op).map(done));
                    continue;
                }
                if let Some(d) = perform(op) {
                    done(d);
                }
            }
        });
        FileWorker { tx }
    }

    /// Queues an operation.
    pub fn send(&self, op: FileOp) {
        let _ = self.tx.send(op);
    }
}

#[cfg(test)]
mod tests;
