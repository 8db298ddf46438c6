//! Key routing for the editor pane: modal dialogs first, then the `[[editor]]` keymap section
//! (save, build, lint list, undo, copy…), then the diagnostics list, and everything else to the
//! text.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, Input};

use super::undo::{self, EditKind};
use super::{AfterSave, EditorState, FileOp, Modal};
use crate::action::{Action, EditorAction};
use crate::config::key::Key;
use crate::config::keymap::{Context, Keymap};
use crate::engine::Command;
use crate::state::effect::{Effect, Level};
use crate::state::widgets::input::TextInput;
use crate::state::widgets::outcome::Outcome;

impl EditorState {
    /// A key while the editor has focus; `None` for keys of the `[[editor]]` section bound to
    /// app-wide actions (quit, next pane, help…), which the router takes.
    pub(super) fn key(&mut self, keymap: &Keymap, key: &KeyEvent, now: i64) -> Option<Vec<Effect>> {
        if let Some(Modal::Why(view)) = &mut self.modal {
            if view.on_key(keymap, key) == crate::state::widgets::outcome::Outcome::Close {
                self.modal = None;
            }
            return Some(vec![]);
        }
        if self.modal.is_some() {
            return Some(self.modal_key(keymap, key));
        }
        match keymap.local(Context::Editor, Key::from_event(key)) {
            Some(Action::Editor(a)) => Some(self.action(a, now)),
            Some(_) => None,
            None if self.lint_open => {
                self.lint_key(key);
                Some(vec![])
            }
            None => Some(self.text_key(key, now)),
        }
    }

    /// A key as the pane gets it (tests of the file worker drive the editor's questions).
    #[cfg(test)]
    pub(crate) fn key_for_test(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Effect> {
        self.key(keymap, key, 0).unwrap_or_default()
    }

    /// One of the editor's own actions.
    pub fn action(&mut self, action: EditorAction, now: i64) -> Vec<Effect> {
        self.undo_steps.seal();
        match action {
            EditorAction::Save => self.save(),
            EditorAction::SaveAs | EditorAction::OpenFile => {
                let current = self
                    .path
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string());
                let input = TextInput::with(&current);
                self.modal = Some(if action == EditorAction::SaveAs {
                    Modal::SaveAs(input)
                } else {
                    Modal::Open(input)
                });
                vec![]
            }
            EditorAction::Build => self.open_build(),
            EditorAction::ToggleLint => {
                self.refresh_lint();
                self.lint_open = !self.lint_open;
                vec![]
            }
            EditorAction::Search => {
                let current = self
                    .textarea
                    .search_pattern()
                    .map_or(String::new(), |r| r.as_str().to_string());
                self.modal = Some(Modal::Search(TextInput::with(&current)));
                vec![]
            }
            EditorAction::Explain => self.explain(),
            EditorAction::QuickFix => self.apply_fix(now),
            EditorAction::SearchNext => {
                if self.textarea.search_forward(false) {
                    vec![]
                } else {
                    vec![Effect::info("no match")]
                }
            }
            edit => self.edit_action(edit, now),
        }
    }

    /// Undo, redo, clipboard, selection and movement actions.
    fn edit_action(&mut self, action: EditorAction, now: i64) -> Vec<Effect> {
        let changed = match action {
            EditorAction::Undo => self.undo(),
            EditorAction::Redo => self.redo(),
            _ => false,
        };
        if matches!(action, EditorAction::Undo | EditorAction::Redo) {
            return if changed {
                self.after_edit(now)
            } else {
                vec![]
            };
        }
        let selected = undo::selection(&self.textarea);
        let before = undo::cursor(&self.textarea);
        let ta = &mut self.textarea;
        let modified = match action {
            // Pasting over a selection deletes it even when nothing is pasted.
            EditorAction::Paste => ta.paste() || selected.is_some(),
            EditorAction::Cut => ta.cut(),
            EditorAction::Copy => {
                ta.copy();
                false
            }
            EditorAction::SelectAll => {
                ta.select_all();
                false
            }
            // Start and end of the file (CursorMove::Top/Bottom keep the column).
            EditorAction::FileStart => {
                ta.move_cursor(CursorMove::Jump(0, 0));
                false
            }
            EditorAction::FileEnd => {
                ta.move_cursor(CursorMove::Bottom);
                ta.move_cursor(CursorMove::End);
                false
            }
            EditorAction::PageDown => {
                ta.scroll(ratatui_textarea::Scrolling::PageDown);
                false
            }
            EditorAction::PageUp => {
                ta.scroll(ratatui_textarea::Scrolling::PageUp);
                false
            }
            _ => false,
        };
        if modified {
            let entries = undo::entries_of(selected, modified, undo::cursor(&self.textarea));
            self.record_edit(EditKind::Other, entries, before, now);
        }
        let mut effects = Vec::new();
        if matches!(action, EditorAction::Copy | EditorAction::Cut) {
            let text = self.textarea.yank_text();
            if !text.is_empty() {
                effects.push(Effect::Clipboard(text));
            }
        }
        if modified {
            effects.extend(self.after_edit(now));
        }
        effects
    }

    /// Pasted text: into the buffer, or typed into the open form.
    pub(super) fn paste(&mut self, keymap: &Keymap, text: &str, now: i64) -> Vec<Effect> {
        if self.modal.is_none() {
            return self.paste_text(text, now);
        }
        // Questions (save/discard, restore) never take pasted text as answers.
        if !matches!(
            self.modal,
            Some(Modal::Open(_) | Modal::SaveAs(_) | Modal::Search(_) | Modal::Build(_))
        ) {
            return vec![];
        }
        let mut effects = Vec::new();
        for c in text.chars().filter(|c| !c.is_control()) {
            let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            effects.extend(self.key(keymap, &key, now).unwrap_or_default());
        }
        effects
    }
}

/// What typing says while no file is open (the text would go nowhere the user can see).
fn no_file_open() -> Effect {
    Effect::info("no file is open: press Ctrl-o to open one")
}

impl EditorState {
    /// A key for the text: characters, movement and selection (the textarea's own keys).
    pub fn text_key(&mut self, key: &KeyEvent, now: i64) -> Vec<Effect> {
        if self.path.is_none() {
            return vec![no_file_open()];
        }
        if let Some(undo) = undo::is_textarea_undo(key) {
            let action = if undo {
                EditorAction::Undo
            } else {
                EditorAction::Redo
            };
            return self.edit_action(action, now);
        }
        let kind = undo::kind_of(&self.textarea, key);
        let selected = undo::selection(&self.textarea);
        let cursor = undo::cursor(&self.textarea);
        let before = self.before_key(key);
        if self.textarea.input(Input::from(*key)) {
            let entries = undo::entries_of(selected, true, undo::cursor(&self.textarea));
            self.record_edit(kind, entries, cursor, now);
            let touched = self.touched(before);
            return self.edited(now, touched);
        }
        self.undo_steps.seal();
        vec![]
    }

    /// Inserts pasted text at the cursor.
    pub fn paste_text(&mut self, text: &str, now: i64) -> Vec<Effect> {
        if self.path.is_none() {
            return vec![no_file_open()];
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let selected = undo::selection(&self.textarea);
        let cursor = undo::cursor(&self.textarea);
        let before = self.before_key(&KeyEvent::new(KeyCode::Null, KeyModifiers::NONE));
        if self.textarea.insert_str(&text) {
            let entries = undo::entries_of(selected, true, undo::cursor(&self.textarea));
            self.record_edit(EditKind::Other, entries, cursor, now);
            let touched = self.touched(before);
            return self.edited(now, touched);
        }
        vec![]
    }

    fn lint_key(&mut self, key: &KeyEvent) {
        let last = self.diagnostics.len().saturating_sub(1);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => {
                self.lint_cursor = self.lint_cursor.saturating_sub(1)
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.lint_cursor = (self.lint_cursor + 1).min(last)
            }
            KeyCode::Home => self.lint_cursor = 0,
            KeyCode::End => self.lint_cursor = last,
            KeyCode::Enter => self.jump_to_diagnostic(),
            KeyCode::Esc => self.lint_open = false,
            _ => {}
        }
    }

    /// A key while a modal is open.
    fn modal_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Effect> {
        let Some(modal) = self.modal.take() else {
            return vec![];
        };
        let mut effects = Vec::new();
        match modal {
            // Taken by `key` before this (it scrolls with the keymap's dialog keys).
            Modal::Why(view) => self.modal = Some(Modal::Why(view)),
            Modal::Unsaved { then } => match key.code {
                KeyCode::Char('s' | 'y') | KeyCode::Enter => {
                    self.after_save = then;
                    effects.extend(self.save());
                }
                KeyCode::Char('d' | 'n') => {
                    effects.extend(self.remove_recovery());
                    match then {
                        AfterSave::Quit => effects.push(Effect::Exit),
                        AfterSave::Open(path) => effects.push(Effect::File(FileOp::Load { path })),
                        AfterSave::Build | AfterSave::Nothing => {}
                    }
                }
                KeyCode::Esc | KeyCode::Char('c') => {}
                _ => self.modal = Some(Modal::Unsaved { then }),
            },
            Modal::Recover { text } => match key.code {
                KeyCode::Char('r' | 'y') | KeyCode::Enter => {
                    let lines = text.lines().map(str::to_string).collect();
                    self.textarea = ratatui_textarea::TextArea::new(lines);
                    // Line links restored from the last build refer to the text on disk.
                    self.build.image = None;
                    self.build.layers.clear();
                    self.textarea.set_max_histories(undo::HISTORY);
                    self.undo_steps = Default::default();
                    if let Some(h) = &mut self.highlighter {
                        let _ = h.set_text(self.textarea.lines());
                    }
                    effects.extend(self.after_edit(0));
                    effects.push(Effect::info("recovered unsaved edits"));
                }
                KeyCode::Char('d' | 'n') | KeyCode::Esc => {
                    effects.extend(self.remove_recovery());
                }
                _ => self.modal = Some(Modal::Recover { text }),
            },
            Modal::Open(mut input) => match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let path = input.text.trim();
                    if !path.is_empty() {
                        effects.extend(self.request_open(std::path::PathBuf::from(path)));
                    }
                }
                _ => {
                    input.handle(key);
                    self.modal = Some(Modal::Open(input));
                }
            },
            Modal::SaveAs(mut input) => match key.code {
                KeyCode::Esc => self.after_save = AfterSave::Nothing,
                KeyCode::Enter if !input.text.trim().is_empty() => {
                    let path = std::path::PathBuf::from(input.text.trim());
                    effects.extend(self.save_to(path, crate::fsio::SavePolicy::default()));
                }
                _ => {
                    input.handle(key);
                    self.modal = Some(Modal::SaveAs(input));
                }
            },
            Modal::Refused { refused, target } => match key.code {
                KeyCode::Esc => self.after_save = AfterSave::Nothing,
                KeyCode::Char(c) => effects.extend(self.refused_key(refused, target, c)),
                _ => self.modal = Some(Modal::Refused { refused, target }),
            },
            Modal::Search(mut input) => match key.code {
                KeyCode::Esc => {
                    let _ = self.textarea.set_search_pattern("");
                }
                KeyCode::Enter => match self.textarea.set_search_pattern(&input.text) {
                    Ok(()) => {
                        if !input.text.is_empty() && !self.textarea.search_forward(true) {
                            effects.push(Effect::info("no match"));
                        }
                    }
                    Err(e) => {
                        effects.push(Effect::say(Level::Error, format!("bad pattern: {e}")));
                        self.modal = Some(Modal::Search(input));
                    }
                },
                _ => {
                    input.handle(key);
                    self.modal = Some(Modal::Search(input));
                }
            },
            Modal::Build(mut form) => match form.on_key(keymap, key) {
                Outcome::Stay => self.modal = Some(Modal::Build(form)),
                Outcome::Send(more) => {
                    effects.extend(more);
                    self.modal = Some(Modal::Build(form));
                }
                Outcome::Close => self.last_form = Some(form),
                Outcome::Submit(sent) => {
                    self.last_form = Some(form);
                    self.build.detail = sent.detail;
                    return vec![Effect::Engine(Command::BuildWith {
                        request: Box::new(sent.request),
                        options: Box::new(sent.options),
                    })];
                }
            },
        }
        effects
    }
}
