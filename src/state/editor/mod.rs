//! The Dockerfile editor pane's state: a textarea buffer with incremental highlighting, live lint,
//! dirty tracking, save/recovery requests, confirmations and builds.
//!
//! Pure like the rest of `state`: file reads and writes are requested as [`FileOp`]s that the app
//! loop performs (see [`crate::state::editor::io`]) and reports back through
//! [`EditorState::on_saved`] / [`EditorState::open`].
pub mod build;
mod events;
pub mod io;
mod keys;

use std::path::{Path, PathBuf};

use ratatui_textarea::{CursorMove, TextArea};

use crate::dockerfile::highlight::Highlighter;
use crate::dockerfile::{Diagnostic, Dockerfile, lint, parse};
use crate::state::Level;
use crate::state::input::TextInput;
use build::{BuildForm, BuildView};

/// Seconds after the last edit before the recovery file is written.
pub const RECOVERY_DELAY: i64 = 2;

/// File work the app loop performs for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// Write `text` to `path` atomically (temp file + rename, mode kept).
    Save {
        /// The file.
        path: PathBuf,
        /// Its new content.
        text: String,
    },
    /// Write the recovery file of `path`.
    WriteRecovery {
        /// The edited file.
        path: PathBuf,
        /// The unsaved content.
        text: String,
    },
    /// Remove the recovery file of `path`.
    RemoveRecovery {
        /// The edited file.
        path: PathBuf,
    },
    /// Read `path` (and its recovery file) and open it.
    Load {
        /// The file.
        path: PathBuf,
    },
    /// Plan the build context of `dockerfile` in `dir` (for the size shown before sending).
    PlanContext {
        /// Context directory.
        dir: PathBuf,
        /// The Dockerfile.
        dockerfile: PathBuf,
    },
}

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
    /// Search pattern (a regex).
    Search(TextInput),
    /// The build dialog.
    Build(Box<BuildForm>),
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
    /// The text as last saved or loaded.
    saved: String,
    /// The buffer differs from the saved text.
    pub dirty: bool,
    /// The parsed buffer.
    pub parsed: Dockerfile,
    /// Lint findings for the buffer.
    pub diagnostics: Vec<Diagnostic>,
    /// The buffer changed since `parsed` and `diagnostics` were computed. The app re-lints when
    /// input is idle, right after drawing the keystroke's frame ([`EditorState::refresh_lint`]).
    pub lint_stale: bool,
    /// The diagnostics list is shown and has the keys.
    pub lint_open: bool,
    /// Selected diagnostic.
    pub lint_cursor: usize,
    /// An open question or form.
    pub modal: Option<Modal>,
    /// File work for the app loop.
    pub ops: Vec<FileOp>,
    /// Unix time of the first edit not yet in the recovery file.
    pub unrecovered_since: Option<i64>,
    /// What to do once the pending save succeeds.
    pub after_save: AfterSave,
    /// The last build and its line marks.
    pub build: BuildView,
    /// Build dialog values kept between builds.
    pub last_form: Option<Box<BuildForm>>,
    /// A status message for the app.
    pub note: Option<(Level, String)>,
    /// The editor asks the app to quit.
    pub quit: bool,
    /// The image to select in the images pane once it is listed.
    pub select_image: Option<String>,
    /// Text just copied or cut, for the app to hand to the terminal's clipboard (OSC 52).
    pub clipboard_out: Option<String>,
}

impl Default for EditorState {
    fn default() -> Self {
        EditorState {
            path: None,
            textarea: TextArea::default(),
            highlighter: None,
            saved: String::new(),
            dirty: false,
            parsed: parse(""),
            diagnostics: Vec::new(),
            lint_stale: false,
            lint_open: false,
            lint_cursor: 0,
            modal: None,
            ops: Vec::new(),
            unrecovered_since: None,
            after_save: AfterSave::Nothing,
            build: BuildView::default(),
            last_form: None,
            note: None,
            quit: false,
            select_image: None,
            clipboard_out: None,
        }
    }
}

impl EditorState {
    /// Opens `text` read from `path`; `recovered` is the recovery file's content when one exists
    /// and differs (the user is asked whether to restore it).
    pub fn open(&mut self, path: &Path, text: &str, recovered: Option<String>) {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        self.textarea = TextArea::new(lines);
        self.textarea.set_max_histories(1000);
        if let Some(h) = Self::highlighter(&mut self.highlighter) {
            let _ = h.set_text(self.textarea.lines());
        }
        self.path = Some(path.to_path_buf());
        self.saved = normalise(text);
        self.dirty = false;
        self.unrecovered_since = None;
        self.after_save = AfterSave::Nothing;
        self.build = BuildView::default();
        self.last_form = None;
        self.lint_cursor = 0;
        self.relint();
        self.modal = recovered
            .filter(|r| normalise(r) != self.saved)
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
        let text = self.text();
        self.parsed = parse(&text);
        self.diagnostics = lint(&self.parsed);
        self.lint_cursor = self
            .lint_cursor
            .min(self.diagnostics.len().saturating_sub(1));
        self.lint_stale = false;
    }

    /// Re-parses and re-lints when the buffer changed since the last time; returns whether it did.
    pub fn refresh_lint(&mut self) -> bool {
        if !self.lint_stale {
            return false;
        }
        self.relint();
        true
    }

    /// Brings highlighting, lint and the dirty flag up to date after the buffer changed.
    pub fn after_edit(&mut self, now: i64) {
        let fresh = self.highlighter.is_none();
        if let Some(h) = Self::highlighter(&mut self.highlighter) {
            let lines = self.textarea.lines();
            if fresh {
                let _ = h.set_text(lines);
            } else {
                let _ = h.sync(lines);
            }
        }
        self.lint_stale = true;
        let dirty = self.text() != self.saved;
        if dirty && self.unrecovered_since.is_none() {
            self.unrecovered_since = Some(now);
        }
        if !dirty && self.dirty {
            // Undone back to the saved text: the recovery file is stale.
            self.unrecovered_since = None;
            if let Some(path) = &self.path {
                self.ops.push(FileOp::RemoveRecovery { path: path.clone() });
            }
        }
        self.dirty = dirty;
    }

    /// The clock ticked: writes the recovery file a few seconds after unsaved edits.
    pub fn tick(&mut self, now: i64) {
        if let (Some(since), Some(path)) = (self.unrecovered_since, &self.path)
            && self.dirty
            && now - since >= RECOVERY_DELAY
        {
            self.ops.push(FileOp::WriteRecovery {
                path: path.clone(),
                text: self.text(),
            });
            self.unrecovered_since = None;
        }
    }

    /// Requests a save of the buffer.
    pub fn save(&mut self) {
        let Some(path) = self.path.clone() else {
            self.note = Some((Level::Info, "no file is open".into()));
            return;
        };
        self.ops.push(FileOp::Save {
            path,
            text: self.text(),
        });
    }

    /// The app finished a save of `text`.
    pub fn on_saved(&mut self, text: &str, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.saved = text.to_string();
                self.dirty = self.text() != self.saved;
                self.unrecovered_since = None;
                if let Some(path) = &self.path {
                    self.ops.push(FileOp::RemoveRecovery { path: path.clone() });
                }
                self.note = Some((Level::Ok, format!("saved {}", self.name())));
                match std::mem::replace(&mut self.after_save, AfterSave::Nothing) {
                    AfterSave::Nothing => {}
                    AfterSave::Quit => self.quit = true,
                    AfterSave::Open(path) => self.ops.push(FileOp::Load { path }),
                    AfterSave::Build => self.open_build(),
                }
            }
            Err(e) => {
                self.after_save = AfterSave::Nothing;
                self.note = Some((Level::Error, format!("saving {} failed: {e}", self.name())));
            }
        }
    }

    /// Quit was asked for: asks first when there are unsaved edits. Returns true to quit now.
    pub fn request_quit(&mut self) -> bool {
        if self.dirty {
            self.modal = Some(Modal::Unsaved {
                then: AfterSave::Quit,
            });
            return false;
        }
        if let Some(path) = &self.path {
            self.ops.push(FileOp::RemoveRecovery { path: path.clone() });
        }
        true
    }

    /// Opening another file was asked for: asks first when there are unsaved edits.
    pub fn request_open(&mut self, path: PathBuf) {
        if self.dirty {
            self.modal = Some(Modal::Unsaved {
                then: AfterSave::Open(path),
            });
        } else {
            self.ops.push(FileOp::Load { path });
        }
    }

    /// Opens the build dialog (saving first when the buffer has unsaved edits).
    pub fn open_build(&mut self) {
        let Some(path) = self.path.clone() else {
            self.note = Some((Level::Info, "open a Dockerfile to build it".into()));
            return;
        };
        if self.build.running() {
            self.note = Some((Level::Info, "a build is already running".into()));
            return;
        }
        if self.dirty {
            self.after_save = AfterSave::Build;
            self.save();
            return;
        }
        let form = match self.last_form.clone() {
            Some(mut f) if f.dockerfile == path => {
                f.size = build::ContextSize::Unknown;
                f.error = None;
                *f
            }
            _ => BuildForm::new(&path),
        };
        self.ops.push(FileOp::PlanContext {
            dir: PathBuf::from(form.context.text.trim()),
            dockerfile: path,
        });
        self.modal = Some(Modal::Build(Box::new(form)));
    }

    /// The context plan for the build dialog arrived.
    pub fn on_context_planned(&mut self, dir: &Path, size: build::ContextSize) {
        if let Some(Modal::Build(form)) = &mut self.modal
            && Path::new(form.context.text.trim()) == dir
        {
            form.size = size;
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
        self.diagnostics
            .iter()
            .filter(|d| d.line == line)
            .min_by_key(|d| d.severity)
    }

    /// A build job started for this editor.
    pub fn on_build_started(&mut self, job: crate::engine::JobId) {
        self.refresh_lint();
        let file = self.parsed.clone();
        self.build.start(job, &file);
    }

    /// The build job ended; on failure the cursor jumps to the failing instruction.
    pub fn on_build_finished(&mut self, result: Result<String, String>) {
        match result {
            Ok(summary) => {
                let id = summary
                    .strip_prefix(crate::engine::build::BUILT_PREFIX)
                    .map(str::to_string)
                    .or_else(|| self.build.image.clone());
                self.build.finish(Ok(()));
                if let Some(id) = id {
                    self.build.image = Some(id.clone());
                    self.select_image = Some(id);
                }
            }
            Err(message) => {
                if let Some(line) = self.build.finish(Err(message)) {
                    self.jump_to(line);
                }
            }
        }
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
mod tests;
