//! The why of a lint finding in the editor: its explanation with a bad and a good example, and
//! its mechanical fix applied to the buffer as one undo step (one Ctrl-z undoes it).
use ratatui_textarea::CursorMove;

use super::undo::{self, EditKind};
use super::{EditorState, Modal};
use crate::dockerfile::Diagnostic;
use crate::dockerfile::lint::{explain, quick_fix};
use crate::state::effect::Effect;
use crate::state::widgets::text_view::TextView;

impl EditorState {
    /// The finding selected in the lint list, else the most severe one on the cursor's line.
    fn focused_diagnostic(&mut self) -> Option<Diagnostic> {
        self.refresh_lint();
        if self.lint_open {
            return self.diagnostics.get(self.lint_cursor).cloned();
        }
        self.diagnostic_at(self.textarea.cursor().0 + 1).cloned()
    }

    /// Opens the explanation of the focused finding.
    pub(super) fn explain(&mut self) -> Vec<Effect> {
        let Some(d) = self.focused_diagnostic() else {
            return vec![Effect::info("no lint finding on this line")];
        };
        let sanitize = crate::util::sanitize::sanitize;
        let mut lines = vec![
            format!("Line {}: {}", d.line, sanitize(&d.message)),
            String::new(),
        ];
        match explain(d.code) {
            Some(e) => {
                lines.push(e.title.to_string());
                lines.push(String::new());
                lines.extend(e.why.lines().map(str::to_string));
                lines.push(String::new());
                lines.push("Instead of:".into());
                lines.extend(e.bad.lines().map(|l| format!("    {l}")));
                lines.push("write:".into());
                lines.extend(e.good.lines().map(|l| format!("    {l}")));
            }
            None => lines.push("No explanation is written for this code.".into()),
        }
        if let Some(fix) = quick_fix(&d, &self.text()) {
            lines.push(String::new());
            lines.push(format!("Quick fix (F4): {}", fix.title));
        }
        self.modal = Some(Modal::Why(TextView::new(d.code.to_string(), lines)));
        vec![]
    }

    /// Applies the focused finding's fix as one edit.
    pub(super) fn apply_fix(&mut self, now: i64) -> Vec<Effect> {
        let Some(d) = self.focused_diagnostic() else {
            return vec![Effect::info("no lint finding on this line")];
        };
        let Some(fix) = quick_fix(&d, &self.text()) else {
            return vec![Effect::info(format!("{}: no mechanical fix", d.code))];
        };
        let at = |(line, col): (usize, usize)| {
            let row = u16::try_from(line.saturating_sub(1)).unwrap_or(u16::MAX);
            CursorMove::Jump(row, u16::try_from(col).unwrap_or(u16::MAX))
        };
        let before = undo::cursor(&self.textarea);
        let ta = &mut self.textarea;
        ta.cancel_selection();
        ta.move_cursor(at(fix.start));
        ta.start_selection();
        ta.move_cursor(at(fix.end));
        let deleted = fix.start != fix.end && ta.cut();
        let inserted = ta.insert_str(&fix.replacement);
        let entries = usize::from(deleted) + usize::from(inserted);
        self.record_edit(EditKind::Other, entries, before, now);
        let mut effects = self.after_edit(now);
        effects.push(Effect::info(format!("{}: {}", d.code, fix.title)));
        effects
    }
}
