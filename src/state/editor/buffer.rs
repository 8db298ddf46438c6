//! The editor buffer's bookkeeping at a cost independent of the file's size: whether it differs
//! from the saved text (line hashes, the edited line first), highlighting of just the lines a
//! keystroke touched, and lint scheduled off the input path (the app lints a snapshot on a worker
//! thread and hands back a [`LintDone`]; a result for an older buffer is dropped).
use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::EditorState;
use crate::dockerfile::{Diagnostic, lint, parse};
use crate::state::effect::Effect;

/// Lint of one version of the buffer, computed off the input path.
#[derive(Debug)]
pub struct LintDone {
    /// The buffer version it was computed for.
    pub generation: u64,
    /// Its findings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and lints `text` (version `generation` of the buffer): what the app runs on a worker
/// thread for [`EditorState::lint_request`].
pub fn lint_text(generation: u64, text: &str) -> LintDone {
    let diagnostics = lint(&parse(text));
    LintDone {
        generation,
        diagnostics,
    }
}

/// Where a keystroke changed the buffer: lines before `first` and the last `last` lines are as
/// they were.
#[derive(Debug, Clone, Copy)]
pub(super) struct Touched {
    pub first: usize,
    pub last: usize,
}

/// Hashes of the lines of `text` as the editor holds them.
pub(super) fn line_hashes(text: &str) -> Vec<u64> {
    text.lines()
        .map(|l| xxhash_rust::xxh3::xxh3_64(l.as_bytes()))
        .collect()
}

/// The most severe diagnostic of each line (the first of equals), by 1-based line.
pub(super) fn index_by_line(diagnostics: &[Diagnostic]) -> HashMap<usize, usize> {
    let mut index: HashMap<usize, usize> = HashMap::new();
    for (i, d) in diagnostics.iter().enumerate() {
        index
            .entry(d.line)
            .and_modify(|best| {
                if d.severity < diagnostics[*best].severity {
                    *best = i;
                }
            })
            .or_insert(i);
    }
    index
}

/// Undo and redo through the textarea's own keys change lines anywhere.
fn changes_anywhere(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char('u' | 'r' | 'U' | 'R'))
}

impl EditorState {
    /// The buffer's lines as file lines (an empty buffer has none).
    fn file_lines(&self) -> &[String] {
        let lines = self.textarea.lines();
        if lines.len() == 1 && lines[0].is_empty() {
            &[]
        } else {
            lines
        }
    }

    /// Whether the buffer differs from the saved text; `row`, the line just edited, is compared
    /// first (a keystroke usually leaves it different, which settles it at once).
    pub(super) fn differs_from_saved(&self, row: Option<usize>) -> bool {
        let lines = self.file_lines();
        if lines.len() != self.saved.len() {
            return true;
        }
        let hash = |l: &String| xxhash_rust::xxh3::xxh3_64(l.as_bytes());
        if let Some(r) = row.filter(|r| *r < lines.len())
            && hash(&lines[r]) != self.saved[r]
        {
            return true;
        }
        lines.iter().zip(&self.saved).any(|(l, h)| hash(l) != *h)
    }

    /// Where a key about to be given to the textarea can change the buffer (`None`: anywhere).
    pub(super) fn before_key(&self, key: &KeyEvent) -> Option<(usize, usize)> {
        if changes_anywhere(key) {
            return None;
        }
        let row = self.textarea.cursor().0;
        let lo = self
            .textarea
            .selection_range()
            .map_or(row, |((a, _), (b, _))| row.min(a).min(b));
        Some((lo, self.textarea.lines().len()))
    }

    /// The extent of the change a key made, from where it could start ([`Self::before_key`]).
    /// Every edit of the textarea's keys starts at the cursor or the selection's start and ends
    /// on the line the cursor is left on.
    pub(super) fn touched(&self, before: Option<(usize, usize)>) -> Option<Touched> {
        let (lo, _) = before?;
        let row = self.textarea.cursor().0;
        let n = self.textarea.lines().len();
        Some(Touched {
            first: lo.min(row),
            last: n.saturating_sub(1 + row),
        })
    }

    /// Brings highlighting up to date after an edit of known extent (else of any extent).
    pub(super) fn rehighlight(&mut self, touched: Option<Touched>) {
        let fresh = self.highlighter.is_none();
        if let Some(h) = Self::highlighter(&mut self.highlighter) {
            let lines = self.textarea.lines();
            let _ = match touched {
                _ if fresh => h.set_text(lines).map(|()| 0),
                Some(t) => h.sync_edit(lines, t.first, t.last),
                None => h.sync(lines),
            };
        }
    }

    /// After an edit: highlighting, lint scheduling, the dirty flag and the recovery file.
    pub(super) fn edited(&mut self, now: i64, touched: Option<Touched>) -> Vec<Effect> {
        self.rehighlight(touched);
        self.generation += 1;
        self.lint_stale = true;
        self.follow_edit();
        let dirty = self.differs_from_saved(touched.map(|_| self.textarea.cursor().0));
        let mut effects = Vec::new();
        if dirty && self.unrecovered_since.is_none() {
            self.unrecovered_since = Some(now);
        }
        if !dirty && self.dirty {
            // Undone back to the saved text: the recovery file is stale.
            self.unrecovered_since = None;
            effects.extend(self.remove_recovery());
        }
        self.dirty = dirty;
        effects
    }

    /// A snapshot of the buffer to lint off the input path, when the lint is out of date and no
    /// lint is running: its version and text. The app hands the result to
    /// [`EditorState::lint_done`].
    pub fn lint_request(&mut self) -> Option<(u64, String)> {
        if !self.lint_stale || self.lint_running {
            return None;
        }
        self.lint_running = true;
        Some((self.generation, self.text()))
    }

    /// A lint computed off the input path arrived; returns whether it was for the buffer as it is
    /// (and so shown). One for an older version is dropped and the next idle moment lints again.
    pub fn lint_done(&mut self, done: LintDone) -> bool {
        self.lint_running = false;
        if done.generation != self.generation {
            return false;
        }
        self.set_lint(done.diagnostics);
        true
    }

    /// Installs lint findings.
    pub(super) fn set_lint(&mut self, diagnostics: Vec<Diagnostic>) {
        self.lint_index = index_by_line(&diagnostics);
        self.diagnostics = diagnostics;
        self.lint_cursor = self
            .lint_cursor
            .min(self.diagnostics.len().saturating_sub(1));
        self.lint_stale = false;
        self.shellcheck_stale();
    }
}
