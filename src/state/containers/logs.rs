//! The logs view of one container: bounded scrollback of sanitised lines, search, wrap, follow.
use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent};

use crate::engine::container_streams::LogLine;
use crate::state::widgets::input::TextInput;
use crate::util::sanitize::sanitize;

/// The line shown where a log resumed after the engine connection came back.
pub const RESUMED: &str = "— engine reconnected, resumed —";

/// Lines kept; older ones are dropped.
pub const SCROLLBACK: usize = 10_000;

/// One stored line, already sanitised for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownLine {
    /// From stderr.
    pub stderr: bool,
    /// `HH:MM:SS` part of the engine timestamp (empty when none).
    pub time: String,
    /// The sanitised text.
    pub text: String,
}

/// The logs view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsView {
    /// Container ID.
    pub id: String,
    /// Container name, for the title.
    pub name: String,
    /// The scrollback, oldest first.
    pub lines: VecDeque<ShownLine>,
    /// Lines dropped off the top so far.
    pub dropped: u64,
    /// Stick to the newest line.
    pub follow: bool,
    /// First visible line when not following.
    pub top: usize,
    /// Wrap long lines.
    pub wrap: bool,
    /// Show timestamps.
    pub timestamps: bool,
    /// The search being typed.
    pub search_input: Option<TextInput>,
    /// The active search (case-insensitive).
    pub query: String,
    /// Why the stream ended, when it did.
    pub ended: Option<String>,
    /// The stream ended because the engine connection went: it resumes when the engine is back.
    pub resume: bool,
    /// The engine's timestamp of the newest line (where a resumed stream picks up).
    pub last_timestamp: String,
    /// Visible lines in the last frame (set by the loop).
    pub height: usize,
}

/// Cuts `2026-11-23T10:00:00.123Z` down to `10:00:00`.
pub fn short_time(ts: &str) -> String {
    ts.split_once('T')
        .map(|(_, t)| t.chars().take(8).collect())
        .unwrap_or_default()
}

impl LogsView {
    /// An empty view that follows the newest line.
    pub fn new(id: &str, name: &str) -> LogsView {
        LogsView {
            id: id.to_string(),
            name: name.to_string(),
            lines: VecDeque::new(),
            dropped: 0,
            follow: true,
            top: 0,
            wrap: false,
            timestamps: true,
            search_input: None,
            query: String::new(),
            ended: None,
            resume: false,
            last_timestamp: String::new(),
            height: 20,
        }
    }

    /// Appends lines from the engine (sanitising each), dropping the oldest beyond the scrollback.
    pub fn push(&mut self, lines: Vec<LogLine>) {
        for l in lines {
            if !l.timestamp.is_empty() {
                self.last_timestamp.clone_from(&l.timestamp);
            }
            self.lines.push_back(ShownLine {
                stderr: l.stderr,
                time: short_time(&l.timestamp),
                text: sanitize(&l.text),
            });
        }
        let extra = self.lines.len().saturating_sub(SCROLLBACK);
        if extra > 0 {
            self.lines.drain(..extra);
            self.dropped += extra as u64;
            self.top = self.top.saturating_sub(extra);
        }
    }

    /// Appends a line of dockhand's own (not from the container).
    pub fn push_marker(&mut self, text: &str) {
        self.lines.push_back(ShownLine {
            stderr: false,
            time: String::new(),
            text: text.to_string(),
        });
    }

    fn max_top(&self) -> usize {
        self.lines.len().saturating_sub(self.height.max(1))
    }

    /// The first visible line.
    pub fn first_visible(&self) -> usize {
        if self.follow {
            self.max_top()
        } else {
            self.top.min(self.max_top())
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        let top = self.first_visible().saturating_add_signed(delta);
        self.top = top.min(self.max_top());
        self.follow = self.top >= self.max_top();
    }

    fn matches(&self, i: usize) -> bool {
        !self.query.is_empty()
            && self.lines[i]
                .text
                .to_lowercase()
                .contains(&self.query.to_lowercase())
    }

    /// Jumps to the next (or previous) line matching the search.
    pub fn find(&mut self, forward: bool) -> bool {
        let n = self.lines.len();
        let start = self.first_visible();
        let hit = if forward {
            (start + 1..n).find(|&i| self.matches(i))
        } else {
            (0..start).rev().find(|&i| self.matches(i))
        };
        match hit {
            Some(i) => {
                self.follow = false;
                self.top = i;
                true
            }
            None => false,
        }
    }

    /// Handles a key; returns false when the view should close.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        if let Some(input) = &mut self.search_input {
            match key.code {
                KeyCode::Esc => self.search_input = None,
                KeyCode::Enter => {
                    self.query = input.text.clone();
                    self.search_input = None;
                    if !self.find(true) {
                        self.find(false);
                    }
                }
                _ => {
                    input.handle(key);
                }
            }
            return true;
        }
        let page = isize::try_from(self.height.max(1)).unwrap_or(10);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('l') => return false,
            KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
            KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
            KeyCode::PageUp => self.scroll_by(-page),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll_by(page),
            KeyCode::Home | KeyCode::Char('g') => {
                self.follow = false;
                self.top = 0;
            }
            KeyCode::End | KeyCode::Char('G') => self.follow = true,
            KeyCode::Char('w') => self.wrap = !self.wrap,
            KeyCode::Char('t') => self.timestamps = !self.timestamps,
            KeyCode::Char('/') => self.search_input = Some(TextInput::with(&self.query)),
            KeyCode::Char('n') => {
                self.find(true);
            }
            KeyCode::Char('N') => {
                self.find(false);
            }
            _ => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn line(text: &str) -> LogLine {
        LogLine {
            stderr: false,
            timestamp: "2026-11-23T10:11:12.000Z".into(),
            text: text.into(),
        }
    }

    #[test]
    fn lines_are_sanitised_and_bounded() {
        let mut v = LogsView::new("id", "web");
        v.push(vec![line("\x1b[31mred\x1b[0m \x1b]0;title\x07bell\x07")]);
        assert_eq!(v.lines[0].text, "red bell␇");
        assert_eq!(v.lines[0].time, "10:11:12");
        v.push((0..SCROLLBACK + 5).map(|i| line(&i.to_string())).collect());
        assert_eq!(v.lines.len(), SCROLLBACK);
        assert_eq!(v.dropped, 6);
        assert_eq!(v.lines[0].text, "5");
    }

    #[test]
    fn scrolling_leaves_and_end_rejoins_follow() {
        let mut v = LogsView::new("id", "web");
        v.height = 5;
        v.push((0..20).map(|i| line(&i.to_string())).collect());
        assert_eq!(v.first_visible(), 15);
        v.on_key(&key(KeyCode::Up));
        assert!(!v.follow);
        assert_eq!(v.first_visible(), 14);
        v.push(vec![line("new")]);
        assert_eq!(v.first_visible(), 14);
        v.on_key(&key(KeyCode::Char('G')));
        assert_eq!(v.first_visible(), 16);
        v.on_key(&key(KeyCode::Char('w')));
        assert!(v.wrap);
        assert!(!v.on_key(&key(KeyCode::Esc)));
    }

    #[test]
    fn search_jumps_between_matches() {
        let mut v = LogsView::new("id", "web");
        v.height = 2;
        v.push(
            ["a", "ERROR one", "b", "c", "error two", "d", "e"]
                .iter()
                .map(|t| line(t))
                .collect(),
        );
        v.on_key(&key(KeyCode::Char('/')));
        for c in "error".chars() {
            v.on_key(&key(KeyCode::Char(c)));
        }
        v.on_key(&key(KeyCode::Enter));
        assert_eq!(v.query, "error");
        // From the bottom (following), the nearest match above is found.
        assert_eq!(v.first_visible(), 4);
        assert!(!v.follow);
        v.on_key(&key(KeyCode::Char('N')));
        assert_eq!(v.first_visible(), 1);
        v.on_key(&key(KeyCode::Char('n')));
        assert_eq!(v.first_visible(), 4);
    }
}
