//! Undo in the steps a user thinks in. The textarea keeps every keystroke as its own history
//! entry; this groups them into steps, undone and redone whole:
//! - a run of typed characters is one step until a word starts after whitespace ("hello world"
//!   is two steps, "hello " and "world"); runs of Backspace or of Delete group the same way;
//! - a cursor move, any other key or action, or a pause of more than a second ends the run;
//! - every other edit (line break, tab, paste, cut, a replaced selection, a quick fix) is a step
//!   of its own, however many entries it made.
//!
//! Recording a keystroke costs O(1); a step remembers only how many entries it holds.
use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::EditorState;

/// How many edits the textarea keeps for undo.
pub(super) const HISTORY: usize = 1000;

/// The longest pause (seconds) between keystrokes of one run.
const PAUSE: i64 = 1;

/// What one edit did, as far as grouping into steps goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EditKind {
    /// A character typed at the cursor (no selection replaced).
    Typed(char),
    /// The character before the cursor erased by Backspace (`'\n'`: a line break).
    ErasedBack(char),
    /// The character at the cursor erased by Delete (`'\n'`: a line break).
    ErasedForward(char),
    /// Any other edit: a step of its own.
    Other,
}

/// The kinds of run a step can grow by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunKind {
    Typing,
    Backspacing,
    Deleting,
}

/// The run the newest step can still grow by.
#[derive(Debug, Clone, Copy)]
struct Run {
    kind: RunKind,
    /// Where the run's last edit left the cursor.
    cursor: (usize, usize),
    /// The run's last character was whitespace.
    after_space: bool,
    /// When the run's last edit was made (Unix seconds).
    at: i64,
}

/// The undo and redo steps, as counts of the textarea's history entries.
#[derive(Debug, Clone, Default)]
pub(super) struct UndoSteps {
    /// Entries per step, oldest first.
    done: VecDeque<usize>,
    /// Entries per undone step, the next to redo last.
    undone: Vec<usize>,
    /// The run the newest step can still grow by.
    run: Option<Run>,
}

impl UndoSteps {
    /// Records an edit. `cap` is the textarea's history size: steps older than that many have
    /// been dropped by it and are forgotten here too.
    pub(super) fn record(&mut self, edit: Edit, cap: usize) {
        if edit.entries == 0 {
            return;
        }
        self.undone.clear();
        let run = match edit.kind {
            EditKind::Typed(c) => Some((RunKind::Typing, c)),
            EditKind::ErasedBack(c) => Some((RunKind::Backspacing, c)),
            EditKind::ErasedForward(c) => Some((RunKind::Deleting, c)),
            EditKind::Other => None,
        };
        let grows = match (run, self.run) {
            (Some((kind, c)), Some(r)) => {
                r.kind == kind
                    && r.cursor == edit.before
                    && edit.now - r.at <= PAUSE
                    // A word starting after whitespace starts a new step.
                    && (c.is_whitespace() || !r.after_space)
            }
            _ => false,
        };
        match self.done.back_mut() {
            Some(last) if grows => *last += edit.entries,
            _ => self.done.push_back(edit.entries),
        }
        while self.done.len() > cap {
            self.done.pop_front();
        }
        self.run = run.map(|(kind, c)| Run {
            kind,
            cursor: edit.after,
            after_space: c.is_whitespace(),
            at: edit.now,
        });
    }

    /// Ends the current run: the next edit starts a new step.
    pub(super) fn seal(&mut self) {
        self.run = None;
    }

    /// Takes the newest step for undoing: how many entries to undo.
    fn undo(&mut self) -> Option<usize> {
        self.run = None;
        let n = self.done.pop_back()?;
        self.undone.push(n);
        Some(n)
    }

    /// Takes the newest undone step for redoing: how many entries to redo.
    fn redo(&mut self) -> Option<usize> {
        self.run = None;
        let n = self.undone.pop()?;
        self.done.push_back(n);
        Some(n)
    }
}

/// One edit to record.
#[derive(Debug, Clone, Copy)]
pub(super) struct Edit {
    pub kind: EditKind,
    /// History entries it added.
    pub entries: usize,
    /// The cursor before and after it.
    pub before: (usize, usize),
    pub after: (usize, usize),
    /// When it was made (Unix seconds).
    pub now: i64,
}

/// The cursor as (row, column).
pub(super) fn cursor(ta: &TextArea<'_>) -> (usize, usize) {
    let c = ta.cursor();
    (c.0, c.1)
}

/// The selected range when it is not empty (an edit replaces or deletes it first).
pub(super) fn selection(ta: &TextArea<'_>) -> Option<((usize, usize), (usize, usize))> {
    ta.selection_range().filter(|(a, b)| a != b)
}

/// History entries an edit added that started with `selected` selected: one, or two when a
/// selection was deleted and something inserted in its place (the cursor left its start).
pub(super) fn entries_of(
    selected: Option<((usize, usize), (usize, usize))>,
    modified: bool,
    cursor: (usize, usize),
) -> usize {
    match selected {
        Some((start, _)) => 1 + usize::from(cursor != start),
        None => usize::from(modified),
    }
}

/// What a key about to be given to the textarea does, as far as steps go.
pub(super) fn kind_of(ta: &TextArea<'_>, key: &KeyEvent) -> EditKind {
    if selection(ta).is_some() {
        return EditKind::Other;
    }
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let (row, col) = cursor(ta);
    let line = ta.lines().get(row).map_or("", String::as_str);
    match key.code {
        KeyCode::Char(c) if plain && c != '\n' && c != '\r' => EditKind::Typed(c),
        KeyCode::Backspace if key.modifiers.is_empty() => EditKind::ErasedBack(
            col.checked_sub(1)
                .and_then(|c| line.chars().nth(c))
                .unwrap_or('\n'),
        ),
        KeyCode::Delete if key.modifiers.is_empty() => {
            EditKind::ErasedForward(line.chars().nth(col).unwrap_or('\n'))
        }
        _ => EditKind::Other,
    }
}

/// The textarea's own undo and redo keys (Ctrl-u, Ctrl-r), taken here so they undo in steps.
pub(super) fn is_textarea_undo(key: &KeyEvent) -> Option<bool> {
    if key.modifiers != KeyModifiers::CONTROL {
        return None;
    }
    match key.code {
        KeyCode::Char('u') => Some(true),
        KeyCode::Char('r') => Some(false),
        _ => None,
    }
}

impl EditorState {
    /// Records an edit of the buffer as (part of) an undo step.
    pub(super) fn record_edit(
        &mut self,
        kind: EditKind,
        entries: usize,
        before: (usize, usize),
        now: i64,
    ) {
        let edit = Edit {
            kind,
            entries,
            before,
            after: cursor(&self.textarea),
            now,
        };
        self.undo_steps.record(edit, self.textarea.max_histories());
    }

    /// Undoes the newest step; whether the text changed.
    pub(super) fn undo(&mut self) -> bool {
        let Some(n) = self.undo_steps.undo() else {
            return false;
        };
        let mut changed = false;
        for _ in 0..n {
            changed |= self.textarea.undo();
        }
        changed
    }

    /// Redoes the newest undone step; whether the text changed.
    pub(super) fn redo(&mut self) -> bool {
        let Some(n) = self.undo_steps.redo() else {
            return false;
        };
        let mut changed = false;
        for _ in 0..n {
            changed |= self.textarea.redo();
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::keymap::Keymap;

    /// An editor on `text` and the keys to press into it, each at a given time.
    struct Ed(EditorState, Keymap);

    impl Ed {
        fn new(text: &str) -> Self {
            let mut e = EditorState::default();
            e.open(Path::new("/w/Dockerfile"), text, None);
            Ed(e, Keymap::defaults())
        }
        fn press(&mut self, key: KeyEvent, now: i64) {
            let _ = self.0.key(&self.1, &key, now);
        }
        fn code(&mut self, code: KeyCode, n: usize) {
            for _ in 0..n {
                self.press(KeyEvent::new(code, KeyModifiers::NONE), 0);
            }
        }
        fn typed(&mut self, text: &str, now: i64) {
            for c in text.chars() {
                self.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), now);
            }
        }
        fn ctrl(&mut self, c: char) {
            self.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL), 0);
        }
        fn line(&self) -> &str {
            &self.0.textarea.lines()[0]
        }
    }

    #[test]
    fn typed_words_undo_a_word_at_a_time_and_redo_the_same_steps() {
        let mut e = Ed::new("");
        e.typed("hello world", 0);
        e.ctrl('z');
        assert_eq!(e.line(), "hello ");
        e.ctrl('z');
        assert_eq!(e.line(), "");
        assert!(!e.0.dirty);
        e.ctrl('y');
        assert_eq!(e.line(), "hello ");
        e.ctrl('y');
        assert_eq!(e.line(), "hello world");
        // The textarea's own keys undo in the same steps.
        e.ctrl('u');
        assert_eq!(e.line(), "hello ");
        e.ctrl('r');
        assert_eq!(e.line(), "hello world");
    }

    #[test]
    fn a_run_of_backspaces_or_deletes_is_undone_a_word_at_a_time() {
        let mut e = Ed::new("FROM scratch AS base");
        e.code(KeyCode::End, 1);
        e.code(KeyCode::Backspace, 7);
        assert_eq!(e.line(), "FROM scratch ");
        e.ctrl('z');
        assert_eq!(e.line(), "FROM scratch AS");
        e.ctrl('z');
        assert_eq!(e.line(), "FROM scratch AS base");
        e.code(KeyCode::Home, 1);
        e.code(KeyCode::Delete, 7);
        assert_eq!(e.line(), "ratch AS base");
        e.ctrl('z');
        assert_eq!(e.line(), "scratch AS base");
        e.ctrl('z');
        assert_eq!(e.line(), "FROM scratch AS base");
    }

    #[test]
    fn a_cursor_move_a_pause_or_a_line_break_starts_a_new_step() {
        let mut e = Ed::new("");
        e.typed("ab", 0);
        e.code(KeyCode::Left, 1);
        e.typed("X", 0);
        assert_eq!(e.line(), "aXb");
        e.ctrl('z');
        assert_eq!(e.line(), "ab");
        e.code(KeyCode::End, 1);
        e.typed("cd", 10);
        e.typed("ef", 12);
        e.ctrl('z');
        assert_eq!(e.line(), "abcd");
        e.code(KeyCode::Enter, 1);
        e.typed("x", 12);
        e.ctrl('z');
        assert_eq!(e.0.textarea.lines(), ["abcd", ""]);
        e.ctrl('z');
        assert_eq!(e.0.textarea.lines(), ["abcd"]);
    }

    #[test]
    fn typing_over_a_selection_is_one_step() {
        let mut e = Ed::new("FROM scratch");
        e.press(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT), 0);
        e.typed("x", 0);
        assert_eq!(e.line(), "x");
        e.ctrl('z');
        assert_eq!(e.line(), "FROM scratch");
        assert!(!e.0.dirty);
        e.ctrl('y');
        assert_eq!(e.line(), "x");
    }

    fn typed(steps: &mut UndoSteps, text: &str, col: &mut usize, now: i64) {
        for c in text.chars() {
            let edit = Edit {
                kind: EditKind::Typed(c),
                entries: 1,
                before: (0, *col),
                after: (0, *col + 1),
                now,
            };
            steps.record(edit, 1000);
            *col += 1;
        }
    }

    #[test]
    fn a_word_and_the_whitespace_after_it_are_one_step() {
        let mut s = UndoSteps::default();
        let mut col = 0;
        typed(&mut s, "hello  world", &mut col, 0);
        assert_eq!(s.done, [7, 5]);
    }

    #[test]
    fn a_pause_a_seal_or_another_kind_ends_the_run() {
        let mut s = UndoSteps::default();
        let mut col = 0;
        typed(&mut s, "ab", &mut col, 0);
        typed(&mut s, "cd", &mut col, 2);
        s.seal();
        typed(&mut s, "e", &mut col, 2);
        let other = Edit {
            kind: EditKind::Other,
            entries: 2,
            before: (0, col),
            after: (1, 0),
            now: 2,
        };
        s.record(other, 1000);
        assert_eq!(s.done, [2, 2, 1, 2]);
    }

    #[test]
    fn an_edit_elsewhere_starts_a_step_and_clears_redo() {
        let mut s = UndoSteps::default();
        let mut col = 0;
        typed(&mut s, "ab", &mut col, 0);
        col = 0;
        typed(&mut s, "c", &mut col, 0);
        assert_eq!(s.undo(), Some(1));
        assert_eq!(s.undone, [1]);
        typed(&mut s, "d", &mut col, 0);
        assert!(s.undone.is_empty());
        assert_eq!(s.done, [2, 1]);
    }

    #[test]
    fn steps_beyond_the_history_size_are_forgotten() {
        let mut s = UndoSteps::default();
        for i in 0..5 {
            let edit = Edit {
                kind: EditKind::Other,
                entries: 1,
                before: (i, 0),
                after: (i + 1, 0),
                now: 0,
            };
            s.record(edit, 3);
        }
        assert_eq!(s.done.len(), 3);
    }
}
