//! The Dockerfile editor pane's state: a textarea buffer with incremental highlighting, live lint,
//! dirty tracking, save/recovery requests, confirmations and builds.
//!
//! Pure like the rest of `state`: file reads and writes are asked for as [`FileOp`] effects that
//! the file worker performs ([`crate::files`]) and reports back as [`FileDone`].
mod buffer;
pub mod build;
mod events;
pub mod form;
mod keys;
mod shellcheck;
mod undo;
mod why;

use std::path::{Path, PathBuf};

use ratatui_textarea::{CursorMove, TextArea};

use crate::dockerfile::highlight::Highlighter;
use crate::dockerfile::{Diagnostic, lint, parse};
use crate::fsio::{Fingerprint, SavePolicy};
use crate::state::effect::Effect;
pub use crate::state::effect::{FileOp, Level};
use crate::state::widgets::input::TextInput;
pub use buffer::{LintDone, lint_text};
use build::{BuildView, LineEdit};
use form::BuildForm;

/// The editor pane.
pub type EditorPane = EditorState;

/// Why a save was not done: the questions to ask, or a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveRefused {
    /// The file changed on disk since it was opened or saved (`None`: it was removed).
    Changed {
        /// What it holds now.
        on_disk: Option<String>,
    },
    /// The file is read-only.
    ReadOnly,
    /// The path is a symlink.
    Symlink {
        /// Where it points.
        target: String,
    },
    /// The directory does not exist.
    NoSuchDirectory {
        /// The missing directory.
        dir: String,
    },
    /// Save as: a file of that name exists.
    Exists,
    /// The save failed.
    Failed(String),
}

/// A file read for opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedFile {
    /// Its text (empty for a new file).
    pub text: String,
    /// The unsaved text of an earlier session, if any.
    pub recovered: Option<String>,
    /// What it held (`None`: it does not exist yet).
    pub fingerprint: Option<Fingerprint>,
    /// What to tell the user about it (a new file, a missing directory, a symlink, read-only).
    pub notice: Option<String>,
    /// The line links of its last build, when that build was of exactly this text.
    pub links: Option<crate::fsio::BuildLinks>,
}

/// File work that finished, as the file worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileDone {
    /// A save (or save-as) of `text` to `path`.
    Saved {
        /// The file.
        path: PathBuf,
        /// What was written.
        text: String,
        /// What the file holds now, or why it was not written.
        result: Result<Fingerprint, SaveRefused>,
    },
    /// A file read for opening.
    Loaded {
        /// The file.
        path: PathBuf,
        /// What was read, or why it could not be.
        result: Result<LoadedFile, String>,
    },
    /// The recovery file could not be written.
    RecoveryFailed(String),
    /// A build context was planned.
    Planned {
        /// Context directory.
        dir: PathBuf,
        /// Its size.
        size: build::ContextSize,
    },
    /// ShellCheck ran on the buffer of `generation`.
    ShellChecked {
        /// The generation asked for.
        generation: u64,
        /// The findings, or why there are none.
        result: Result<Vec<Diagnostic>, String>,
        /// `shellcheck` is not installed (do not ask again).
        missing: bool,
    },
    /// A directory was listed for path completion.
    Listed(crate::state::widgets::form::Listing),
    /// The build's line links could not be kept.
    LinksFailed(String),
}

/// Seconds after the last edit before the recovery file is written.
pub const RECOVERY_DELAY: i64 = 2;

/// What happens after the pending save succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterSave {
    /// Nothing.
    Nothing,
    /// Quit dockhand.
    Quit,
    /// Open another file.
    Open(PathBuf),
    /// Open the build dialog.
    Build,
}

/// A modal question or form inside the editor pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    /// Unsaved edits: save, discard or cancel before `then`.
    Unsaved {
        /// What the user asked for.
        then: AfterSave,
    },
    /// A recovery file with unsaved edits exists for the opened file.
    Recover {
        /// The recovered text.
        text: String,
    },
    /// Path of a Dockerfile to open.
    Open(TextInput),
    /// Path to save the buffer under.
    SaveAs(TextInput),
    /// A save was refused: what to do about it.
    Refused {
        /// Why.
        refused: SaveRefused,
        /// The file the save was for.
        target: PathBuf,
    },
    /// Search pattern (a regex).
    Search(TextInput),
    /// The build dialog.
    Build(Box<BuildForm>),
    /// Why a lint finding matters, with a bad and a good example.
    Why(crate::state::widgets::text_view::TextView),
}

/// The editor pane.
#[derive(Debug, Clone)]
pub struct EditorState {
    /// The open file (None: nothing open).
    pub path: Option<PathBuf>,
    /// The buffer, cursor, selection, undo history and search.
    pub textarea: TextArea<'static>,
    /// Incremental highlighter: made when a file is opened or the buffer first edited (loading
    /// the syntax is kept off the start-up path); None before that or when it failed to load.
    pub highlighter: Option<Highlighter>,
    /// Hashes of the lines as last saved or loaded.
    saved: Vec<u64>,
    /// What the file held when it was opened or last saved (`None`: not on disk yet).
    disk: Option<Fingerprint>,
    /// The buffer differs from the saved text.
    pub dirty: bool,
    /// Lint findings for the buffer.
    pub diagnostics: Vec<Diagnostic>,
    /// The buffer changed since `diagnostics` were computed. The app re-lints a
    /// snapshot off the input path once input is idle ([`EditorState::lint_request`]).
    pub lint_stale: bool,
    /// A lint of a snapshot is running.
    lint_running: bool,
    /// The version of the buffer (one more per edit), to match lint results to it.
    generation: u64,
    /// Per 1-based line, the index of its most severe diagnostic.
    lint_index: std::collections::HashMap<usize, usize>,
    /// The diagnostics list is shown and has the keys.
    pub lint_open: bool,
    /// Selected diagnostic.
    pub lint_cursor: usize,
    /// An open question or form.
    pub modal: Option<Modal>,
    /// Unix time of the first edit not yet in the recovery file.
    pub unrecovered_since: Option<i64>,
    /// What to do once the pending save succeeds.
    pub after_save: AfterSave,
    /// ShellCheck's findings on the buffer, computed off the UI thread.
    pub shellcheck: shellcheck::ShellcheckState,
    /// The undo history grouped into the steps Ctrl-z takes back.
    undo_steps: undo::UndoSteps,
    /// The last build and its line marks.
    pub build: BuildView,
    /// Build dialog values kept between builds.
    pub last_form: Option<Box<BuildForm>>,
    /// The buffer's lines as of the last edit, kept while build marks are tied to lines (to
    /// move them with edits).
    marked_lines: Option<Vec<String>>,
}

impl Default for EditorState {
    fn default() -> Self {
        EditorState {
            path: None,
            textarea: TextArea::default(),
            highlighter: None,
            saved: Vec::new(),
            disk: None,
            dirty: false,
            diagnostics: Vec::new(),
            lint_stale: false,
            lint_running: false,
            generation: 0,
            lint_index: Default::default(),
            lint_open: false,
            lint_cursor: 0,
            modal: None,
            unrecovered_since: None,
            after_save: AfterSave::Nothing,
            shellcheck: Default::default(),
            build: BuildView::default(),
            undo_steps: Default::default(),
            last_form: None,
            marked_lines: None,
        }
    }
}

impl EditorState {
    /// Opens `text` read from `path`; `recovered` is the recovery file's content when one exists
    /// and differs (the user is asked whether to restore it).
    pub fn open(&mut self, path: &Path, text: &str, recovered: Option<String>) {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        self.textarea = TextArea::new(lines);
        self.textarea.set_max_histories(undo::HISTORY);
        self.undo_steps = Default::default();
        if let Some(h) = Self::highlighter(&mut self.highlighter) {
            let _ = h.set_text(self.textarea.lines());
        }
        self.path = Some(path.to_path_buf());
        self.saved = buffer::line_hashes(text);
        self.generation += 1;
        self.dirty = false;
        self.unrecovered_since = None;
        self.after_save = AfterSave::Nothing;
        self.build = BuildView::default();
        self.marked_lines = None;
        self.last_form = None;
        self.lint_cursor = 0;
        self.relint();
        self.modal = recovered
            .filter(|r| normalise(r) != normalise(text))
            .map(|text| Modal::Recover { text });
    }

    /// The highlighter, made on first use (the syntax loads once per process).
    fn highlighter(slot: &mut Option<Highlighter>) -> Option<&mut Highlighter> {
        if slot.is_none() {
            *slot = Highlighter::new().ok();
        }
        slot.as_mut()
    }

    /// The buffer as file content (lines joined, with a final newline when not empty).
    pub fn text(&self) -> String {
        let lines = self.textarea.lines();
        if lines.len() == 1 && lines[0].is_empty() {
            return String::new();
        }
        let mut s = lines.join("\n");
        s.push('\n');
        s
    }

    /// The file name for titles.
    pub fn name(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| "(no file)".into(), |n| n.to_string_lossy().into_owned())
    }

    /// Re-parses and re-lints the buffer.
    fn relint(&mut self) {
        self.set_lint(lint(&parse(&self.text())));
    }

    /// Re-parses and re-lints when the buffer changed since the last time; returns whether it did.
    pub fn refresh_lint(&mut self) -> bool {
        if !self.lint_stale {
            return false;
        }
        self.relint();
        true
    }

    /// Brings highlighting, lint and the dirty flag up to date after the buffer changed
    /// anywhere (undo, a fix, a restore).
    pub fn after_edit(&mut self, now: i64) -> Vec<Effect> {
        self.edited(now, None)
    }

    /// Moves build marks (and the lint findings until the next lint) with the edited lines;
    /// marks of changed lines go. Costs nothing while no build mark is on a line.
    fn follow_edit(&mut self) {
        if !self.build.has_lines() {
            self.marked_lines = None;
            return;
        }
        let lines = self.textarea.lines();
        let edit = match &self.marked_lines {
            Some(old) => LineEdit::between(old, lines),
            None => None,
        };
        if let Some(edit) = edit {
            self.build.edited(edit);
            self.diagnostics.retain_mut(|d| match edit.map(d.line) {
                Some(l) => {
                    d.line = l;
                    true
                }
                None => false,
            });
            self.lint_index = buffer::index_by_line(&self.diagnostics);
        }
        self.marked_lines = Some(lines.to_vec());
    }

    fn remove_recovery(&self) -> Option<Effect> {
        let path = self.path.clone()?;
        Some(Effect::File(FileOp::RemoveRecovery { path }))
    }

    /// The clock ticked: writes the recovery file a few seconds after unsaved edits.
    pub fn tick(&mut self, now: i64) -> Vec<Effect> {
        if let (Some(since), Some(path)) = (self.unrecovered_since, &self.path)
            && self.dirty
            && now - since >= RECOVERY_DELAY
        {
            let op = FileOp::WriteRecovery {
                path: path.clone(),
                text: self.text(),
            };
            self.unrecovered_since = None;
            return vec![Effect::File(op)];
        }
        vec![]
    }

    /// Requests a save of the buffer.
    pub fn save(&mut self) -> Vec<Effect> {
        match self.path.clone() {
            Some(path) => self.save_to(path, SavePolicy::default()),
            None => vec![Effect::info("no file is open")],
        }
    }

    /// Saves the buffer to `path` (the open file, or a new name) with what the user allowed.
    fn save_to(&mut self, path: PathBuf, policy: SavePolicy) -> Vec<Effect> {
        let text = self.text();
        let op = if self.path.as_ref() == Some(&path) {
            FileOp::Save {
                path,
                text,
                expected: self.disk.clone(),
                policy,
            }
        } else {
            FileOp::SaveAs { path, text, policy }
        };
        vec![Effect::File(op)]
    }

    /// The app finished a save of `text`.
    pub fn on_saved(
        &mut self,
        path: PathBuf,
        text: &str,
        result: Result<Fingerprint, SaveRefused>,
    ) -> Vec<Effect> {
        match result {
            Ok(fingerprint) => {
                if self.path.as_ref() != Some(&path) {
                    // Saved under a new name: the old file's recovery text is stale.
                    let mut effects: Vec<Effect> = self.remove_recovery().into_iter().collect();
                    self.path = Some(path);
                    self.disk = Some(fingerprint);
                    effects.extend(self.on_saved_ok(text));
                    return effects;
                }
                self.disk = Some(fingerprint);
                self.on_saved_ok(text)
            }
            Err(SaveRefused::Failed(e)) => {
                self.after_save = AfterSave::Nothing;
                let text = format!("saving {} failed: {e}", self.name());
                vec![Effect::say(Level::Error, text)]
            }
            Err(refused) => {
                self.modal = Some(Modal::Refused {
                    refused,
                    target: path,
                });
                vec![]
            }
        }
    }

    fn on_saved_ok(&mut self, text: &str) -> Vec<Effect> {
        self.saved = buffer::line_hashes(text);
        self.dirty = self.differs_from_saved(None);
        self.unrecovered_since = None;
        let mut effects: Vec<Effect> = self.remove_recovery().into_iter().collect();
        let then = std::mem::replace(&mut self.after_save, AfterSave::Nothing);
        // A save the user did not ask for (Ctrl-b with unsaved edits) says why it happened.
        let why = (then == AfterSave::Build).then_some(" before the build");
        let path = self.path.clone().unwrap_or_default();
        let text = format!("saved {}{}", path.display(), why.unwrap_or_default());
        effects.push(Effect::say(Level::Ok, text));
        match then {
            AfterSave::Nothing => {}
            AfterSave::Quit => effects.push(Effect::Exit),
            AfterSave::Open(path) => effects.push(Effect::File(FileOp::Load { path })),
            AfterSave::Build => effects.extend(self.open_build()),
        }
        effects
    }

    /// The answer to a refused save: try again with what the user allowed, save elsewhere,
    /// reload the file from disk, or leave it.
    fn refused_key(&mut self, refused: SaveRefused, target: PathBuf, key: char) -> Vec<Effect> {
        let mut policy = SavePolicy::default();
        match (&refused, key) {
            (SaveRefused::Changed { .. } | SaveRefused::Exists, 'o') => policy.overwrite = true,
            (SaveRefused::ReadOnly, 'o') => policy.override_read_only = true,
            (SaveRefused::Symlink { .. }, 'f') => policy.follow_symlink = true,
            (SaveRefused::NoSuchDirectory { .. }, 'c') => policy.create_dirs = true,
            (SaveRefused::Changed { .. }, 'r') => {
                self.after_save = AfterSave::Nothing;
                return vec![Effect::File(FileOp::Load { path: target })];
            }
            (_, 'a') => {
                let current = target.display().to_string();
                self.modal = Some(Modal::SaveAs(TextInput::with(&current)));
                return vec![];
            }
            _ => {
                self.modal = Some(Modal::Refused { refused, target });
                return vec![];
            }
        }
        self.save_to(target, policy)
    }

    /// File work finished.
    pub fn on_file(&mut self, done: FileDone) -> Vec<Effect> {
        match done {
            FileDone::Saved { path, text, result } => self.on_saved(path, &text, result),
            FileDone::Loaded {
                path,
                result: Ok(file),
            } => {
                self.open(&path, &file.text, file.recovered);
                self.disk = file.fingerprint;
                if let Some(links) = file.links {
                    self.build.image = Some(links.image);
                    self.build.layers = links.layers;
                }
                file.notice.map(Effect::info).into_iter().collect()
            }
            FileDone::Loaded {
                path,
                result: Err(e),
            } => vec![Effect::say(
                Level::Error,
                format!("opening {} failed: {e}", path.display()),
            )],
            FileDone::RecoveryFailed(e) => vec![Effect::say(
                Level::Error,
                format!("writing the recovery file failed: {e}"),
            )],
            FileDone::Planned { dir, size } => {
                self.on_context_planned(&dir, size);
                vec![]
            }
            FileDone::ShellChecked {
                generation,
                result,
                missing,
            } => self.on_shellchecked(generation, result, missing),
            // Completion listings go to the dialogs that asked (see `AppState::on_file`).
            FileDone::Listed(_) => vec![],
            FileDone::LinksFailed(e) => vec![Effect::say(
                Level::Error,
                format!("keeping the build's line links failed: {e}"),
            )],
        }
    }

    /// Quit was asked for anywhere: with unsaved edits the editor comes to the front and asks
    /// first; otherwise dockhand exits.
    pub fn request_quit(&mut self) -> Vec<Effect> {
        if self.dirty {
            self.modal = Some(Modal::Unsaved {
                then: AfterSave::Quit,
            });
            return vec![Effect::Focus(crate::state::PaneId::Editor)];
        }
        let mut effects: Vec<Effect> = self.remove_recovery().into_iter().collect();
        effects.push(Effect::Exit);
        effects
    }

    /// Opening another file was asked for: asks first when there are unsaved edits.
    pub fn request_open(&mut self, path: PathBuf) -> Vec<Effect> {
        if self.dirty {
            self.modal = Some(Modal::Unsaved {
                then: AfterSave::Open(path),
            });
            vec![]
        } else {
            vec![Effect::File(FileOp::Load { path })]
        }
    }

    /// Opens the build dialog (saving first when the buffer has unsaved edits).
    pub fn open_build(&mut self) -> Vec<Effect> {
        let Some(path) = self.path.clone() else {
            return vec![Effect::info("open a Dockerfile to build it")];
        };
        if self.build.running() {
            return vec![Effect::info("a build is already running")];
        }
        if self.dirty {
            self.after_save = AfterSave::Build;
            return self.save();
        }
        self.refresh_lint();
        let stages: Vec<String> = crate::dockerfile::vertex::stages(&parse(&self.text()))
            .into_iter()
            .filter_map(|s| s.name)
            .collect();
        let form = match self.last_form.clone() {
            Some(mut f) if f.dockerfile == path => {
                f.size = build::ContextSize::Unknown;
                f.stages = stages;
                f.validate();
                f
            }
            _ => Box::new(BuildForm::new(&path, stages)),
        };
        let plan = form.plan();
        self.modal = Some(Modal::Build(form));
        vec![plan]
    }

    /// The context plan for the build dialog arrived.
    pub fn on_context_planned(&mut self, dir: &Path, size: build::ContextSize) {
        if let Some(Modal::Build(form)) = &mut self.modal
            && form.context() == dir
        {
            form.planned(size);
        }
    }

    /// Moves the cursor to the start of 1-based `line`.
    pub fn jump_to(&mut self, line: usize) {
        let row = line.saturating_sub(1).min(u16::MAX as usize) as u16;
        self.textarea.move_cursor(CursorMove::Jump(row, 0));
    }

    /// Jumps to the selected diagnostic and closes the list.
    pub fn jump_to_diagnostic(&mut self) {
        self.refresh_lint();
        if let Some(d) = self.diagnostics.get(self.lint_cursor) {
            let line = d.line;
            self.jump_to(line);
            self.lint_open = false;
        }
    }

    /// The most severe diagnostic on 1-based `line`.
    pub fn diagnostic_at(&self, line: usize) -> Option<&Diagnostic> {
        self.diagnostics.get(*self.lint_index.get(&line)?)
    }
}

/// Text as the editor would save it (lines joined by `\n`, final newline when not empty).
pub fn normalise(text: &str) -> String {
    let mut s = text.lines().collect::<Vec<_>>().join("\n");
    if !s.is_empty() {
        s.push('\n');
    }
    s
}

#[cfg(test)]
pub(crate) mod recorded;
#[cfg(test)]
mod tests;
