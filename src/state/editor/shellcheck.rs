//! ShellCheck findings in the editor. Each re-lint (done once input is idle, after the keystroke's
//! frame) makes the findings stale and asks for a check of the new text; the app hands the request
//! to the file worker, which runs `shellcheck` on a thread of its own, and the result comes back as
//! [`FileDone::ShellChecked`](super::FileDone::ShellChecked). One check runs at a time, the newest
//! text wins, and a result for an older text is dropped.

use super::EditorState;
use crate::dockerfile::Diagnostic;
use crate::dockerfile::lint::{LintConfig, finish};
use crate::state::effect::{Effect, FileOp};

/// Where the editor's ShellCheck stands.
#[derive(Debug, Clone, Default)]
pub struct ShellcheckState {
    /// Texts linted so far: a result is kept only for the newest.
    generation: u64,
    /// The newest text has not been asked for yet.
    wanted: bool,
    /// A check is running.
    busy: bool,
    /// `shellcheck` is missing or failed: not asked again (the user was told once).
    off: bool,
}

impl EditorState {
    /// The buffer was re-linted: ShellCheck's findings are for an older text; a check is due.
    pub(super) fn shellcheck_stale(&mut self) {
        self.shellcheck.generation += 1;
        self.shellcheck.wanted = true;
    }

    /// The check to run now, if one is due and none is running (the app sends it to the file
    /// worker once input is idle).
    pub fn shellcheck_request(&mut self) -> Option<FileOp> {
        let sc = &mut self.shellcheck;
        if !sc.wanted || sc.busy || sc.off || self.path.is_none() {
            return None;
        }
        sc.wanted = false;
        sc.busy = true;
        Some(FileOp::ShellCheck {
            text: self.text(),
            generation: self.shellcheck.generation,
        })
    }

    /// A check finished: its findings join the lint findings when they are for the current text.
    pub(super) fn on_shellchecked(
        &mut self,
        generation: u64,
        result: Result<Vec<Diagnostic>, String>,
        missing: bool,
    ) -> Vec<Effect> {
        self.shellcheck.busy = false;
        match result {
            Ok(found) if generation == self.shellcheck.generation && !self.lint_stale => {
                self.diagnostics.retain(|d| !d.code.starts_with("SC"));
                self.diagnostics.extend(found);
                let file = crate::dockerfile::parse(&self.text());
                finish(&file, &LintConfig::default(), &mut self.diagnostics);
                self.lint_index = super::buffer::index_by_line(&self.diagnostics);
                self.lint_cursor = self
                    .lint_cursor
                    .min(self.diagnostics.len().saturating_sub(1));
                vec![]
            }
            Ok(_) => vec![],
            Err(e) => {
                self.shellcheck.off = true;
                let why = if missing {
                    "shellcheck is not installed: RUN scripts are not checked (install the `shellcheck` package)".to_string()
                } else {
                    format!("{e}: RUN scripts are no longer checked")
                };
                vec![Effect::info(why)]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::Severity;
    use std::path::PathBuf;

    fn sc(line: usize) -> Diagnostic {
        Diagnostic {
            code: "SC2086",
            severity: Severity::Info,
            line,
            message: "Double quote to prevent globbing and word splitting.".into(),
            column: Some(10),
        }
    }

    fn opened() -> EditorState {
        let mut ed = EditorState::default();
        ed.open(
            &PathBuf::from("/w/Dockerfile"),
            "FROM debian:12\n# hadolint ignore=SC2086\nRUN echo $A\nRUN echo $B\n",
            None,
        );
        ed.lint_stale = true;
        ed.refresh_lint();
        ed
    }

    #[test]
    fn one_check_at_a_time_and_the_newest_text_wins() {
        let mut ed = opened();
        let Some(FileOp::ShellCheck { generation, text }) = ed.shellcheck_request() else {
            panic!("a check is due after a re-lint");
        };
        assert!(text.contains("RUN echo $B"));
        assert_eq!(ed.shellcheck_request(), None, "one at a time");
        // The buffer changes while the check runs: its result is dropped, a new check follows.
        ed.lint_stale = true;
        ed.refresh_lint();
        assert!(
            ed.on_shellchecked(generation, Ok(vec![sc(4)]), false)
                .is_empty()
        );
        assert!(!ed.diagnostics.iter().any(|d| d.code == "SC2086"));
        let Some(FileOp::ShellCheck { generation, .. }) = ed.shellcheck_request() else {
            panic!("the newer text is checked next");
        };
        // Its result joins the lint findings; the pragma on line 3 holds for SC codes too.
        ed.on_shellchecked(generation, Ok(vec![sc(3), sc(4)]), false);
        let lines: Vec<usize> = ed
            .diagnostics
            .iter()
            .filter(|d| d.code == "SC2086")
            .map(|d| d.line)
            .collect();
        assert_eq!(lines, [4]);
        assert!(ed.diagnostics.iter().any(|d| d.code.starts_with("DL")));
        assert_eq!(ed.shellcheck_request(), None, "nothing changed since");
    }

    #[test]
    fn missing_shellcheck_is_said_once_and_not_asked_again() {
        let mut ed = opened();
        let Some(FileOp::ShellCheck { generation, .. }) = ed.shellcheck_request() else {
            panic!("a check is due");
        };
        let said = ed.on_shellchecked(generation, Err("not installed".into()), true);
        assert!(matches!(said.as_slice(), [Effect::Say(_, m)] if m.contains("not installed")));
        ed.lint_stale = true;
        ed.refresh_lint();
        assert_eq!(ed.shellcheck_request(), None);
    }
}
