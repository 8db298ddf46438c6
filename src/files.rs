//! The file worker: performs the [`FileOp`]s that panes ask for, off the state and off the UI
//! thread, in the order they were asked, and reports each result as a [`FileDone`]. Files are
//! read and written through [`crate::fsio`]: no symlink or planted temp file is followed, a file
//! changed on disk is not overwritten unasked, and unsaved text is kept in a private directory.
use std::path::Path;

use tokio::sync::mpsc;

use crate::fsio::{self, FsError, Presence, RecoveryStore};
use crate::state::editor::build::ContextSize;
use crate::state::editor::{FileDone, LoadedFile, SaveRefused};
use crate::state::effect::FileOp;

/// Most entries a completion listing keeps.
const MAX_LISTED: usize = 5000;

/// The entries of `dir` (`""`: the working directory) for path completion: names and whether
/// each is a directory (symlinks followed), sorted; unreadable directories list nothing.
fn list_dir(dir: String) -> crate::state::widgets::form::Listing {
    let path = if dir.is_empty() { "." } else { dir.as_str() };
    let mut entries: Vec<(String, bool)> = std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .take(MAX_LISTED)
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
                    Some((name, is_dir))
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    crate::state::widgets::form::Listing { dir, entries }
}

/// What the worker works with: where recovery files go.
pub struct Files {
    recovery: Result<RecoveryStore, String>,
    links: Option<crate::fsio::LinkStore>,
}

impl Files {
    /// Recovery files in the user's state directory (`$XDG_STATE_HOME/dockhand/recover`).
    pub fn new() -> Files {
        Files {
            recovery: RecoveryStore::open_default().map_err(|e| e.to_string()),
            links: crate::fsio::default_links_dir().map(crate::fsio::LinkStore::at),
        }
    }

    /// Recovery files in `dir` (tests).
    pub fn at(dir: std::path::PathBuf) -> Files {
        Files {
            links: Some(crate::fsio::LinkStore::at(dir.with_file_name("links"))),
            recovery: RecoveryStore::at(dir).map_err(|e| e.to_string()),
        }
    }

    /// Performs one operation; `None` when it has nothing to report.
    pub fn perform(&self, op: FileOp) -> Option<FileDone> {
        match op {
            FileOp::Save {
                path,
                text,
                expected,
                policy,
            } => {
                let result = fsio::save(&path, &text, expected.as_ref(), policy);
                Some(saved(path, text, result))
            }
            FileOp::SaveAs { path, text, policy } => {
                let result = fsio::save_as(&path, &text, policy);
                Some(saved(path, text, result))
            }
            FileOp::WriteRecovery { path, text } => {
                let result = match &self.recovery {
                    Ok(store) => store.write(&path, &text).map_err(|e| e.to_string()),
                    Err(e) => Err(e.clone()),
                };
                result.err().map(FileDone::RecoveryFailed)
            }
            FileOp::RemoveRecovery { path } => {
                if let Ok(store) = &self.recovery {
                    let _ = store.remove(&path);
                }
                None
            }
            FileOp::Load { path } => {
                let result = self.load(&path);
                Some(FileDone::Loaded { path, result })
            }
            FileOp::PlanContext { dir, dockerfile } => {
                let size = plan_size(&dir, &dockerfile);
                Some(FileDone::Planned { dir, size })
            }
            FileOp::ShellCheck { text, generation } => Some(shellchecked(&text, generation)),
            FileOp::ListDir { dir } => Some(FileDone::Listed(list_dir(dir))),
            FileOp::SaveLinks { path, links } => match &self.links {
                Some(store) => store.write(&path, &links).err().map(FileDone::LinksFailed),
                None => Some(FileDone::LinksFailed(
                    "no state directory: set XDG_STATE_HOME or HOME".into(),
                )),
            },
        }
    }

    /// Reads `path` for editing, with the unsaved text of an earlier session if there is one.
    fn load(&self, path: &Path) -> Result<LoadedFile, String> {
        let opened = fsio::open(path).map_err(|e| e.to_string())?;
        let recovered = match &self.recovery {
            Ok(store) => store.restore(path).map_err(|e| e.to_string())?,
            Err(_) => None,
        };
        let name = crate::util::sanitize::sanitize_name(&path.display().to_string());
        let notice = match (&opened.presence, &opened.symlink_target) {
            (Presence::NewFile, _) => Some(format!("{name}: a new file (Ctrl-s creates it)")),
            (Presence::NoSuchDirectory { dir }, _) => Some(format!(
                "{name}: no such directory {} (Ctrl-s offers to create it, Ctrl-w saves elsewhere)",
                crate::util::sanitize::sanitize_name(&dir.display().to_string())
            )),
            (Presence::Exists, Some(target)) => Some(format!(
                "{name} is a symlink to {}: saving asks first",
                crate::util::sanitize::sanitize_name(&target.display().to_string())
            )),
            (Presence::Exists, None) if opened.read_only => {
                Some(format!("{name} is read-only: saving asks first"))
            }
            (Presence::Exists, None) => None,
        };
        let links = self
            .links
            .as_ref()
            .and_then(|store| store.read(path, opened.text.lines()));
        Ok(LoadedFile {
            text: opened.text,
            recovered,
            fingerprint: opened.fingerprint,
            notice,
            links,
        })
    }
}

impl Default for Files {
    fn default() -> Self {
        Files::new()
    }
}

/// A save's result as the editor takes it: done, a question to ask, or a failure.
fn saved(path: std::path::PathBuf, text: String, result: Result<fsio::Saved, FsError>) -> FileDone {
    let result = result.map(|s| s.fingerprint).map_err(|e| match e {
        FsError::Conflict { on_disk_text, .. } => SaveRefused::Changed {
            on_disk: on_disk_text,
        },
        FsError::ReadOnly { .. } => SaveRefused::ReadOnly,
        FsError::Symlink { target, .. } => SaveRefused::Symlink {
            target: target.display().to_string(),
        },
        FsError::NoSuchDirectory { dir } => SaveRefused::NoSuchDirectory {
            dir: dir.display().to_string(),
        },
        FsError::Exists { .. } => SaveRefused::Exists,
        other => SaveRefused::Failed(other.to_string()),
    });
    FileDone::Saved { path, text, result }
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

/// ShellCheck on the RUN scripts of an editor buffer (default configuration; the editor applies
/// the file's pragmas).
fn shellchecked(text: &str, generation: u64) -> FileDone {
    use crate::dockerfile::lint::{LintConfig, shellcheck};
    let file = crate::dockerfile::parse(text);
    let result = shellcheck::check(text, &file, &LintConfig::default());
    FileDone::ShellChecked {
        generation,
        missing: matches!(result, Err(shellcheck::ShellcheckError::NotInstalled)),
        result: result.map_err(|e| e.to_string()),
    }
}

/// The handle the app loop sends file work to.
#[derive(Debug, Clone)]
pub struct FileWorker {
    tx: mpsc::UnboundedSender<FileOp>,
}

impl FileWorker {
    /// Starts the worker on a blocking thread; results go to `done`. Context plans (a walk of a
    /// directory tree of any size) and ShellCheck runs have their own threads so that saves never
    /// wait for them.
    pub fn spawn(
        files: Files,
        done: impl Fn(FileDone) + Send + Sync + Clone + 'static,
    ) -> FileWorker {
        let (tx, mut rx) = mpsc::unbounded_channel::<FileOp>();
        tokio::task::spawn_blocking(move || {
            while let Some(op) = rx.blocking_recv() {
                if let FileOp::PlanContext { dir, dockerfile } = op {
                    let done = done.clone();
                    std::thread::spawn(move || {
                        let size = plan_size(&dir, &dockerfile);
                        done(FileDone::Planned { dir, size });
                    });
                    continue;
                }
                if let FileOp::ShellCheck { text, generation } = op {
                    let done = done.clone();
                    std::thread::spawn(move || done(shellchecked(&text, generation)));
                    continue;
                }
                if let Some(d) = files.perform(op) {
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
