//! Key routing for the editor pane: modal dialogs first, then the `[[editor]]` keymap section
//! (save, build, lint list, focus…), then the diagnostics list, and everything else to the text.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, Input};

use super::build::{ContextSize, FormOutcome};
use super::{AfterSave, EditorState, FileOp, Modal};
use crate::action::Action;
use crate::config::key::Key;
use crate::config::keymap::{Context, Keymap};
use crate::engine::Command;
use crate::state::input::TextInput;
use crate::state::{AppState, Level, Pane};

impl AppState {
    /// Handles a key while the editor pane has focus.
    pub(crate) fn editor_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Command> {
        if self.help {
            self.help = false;
            return vec![];
        }
        let now = self.now;
        let cmds = if self.editor.modal.is_some() {
            self.editor.modal_key(key)
        } else if let Some(action) = editor_action(keymap, key) {
            match action {
                Action::Save => {
                    self.editor.save();
                    vec![]
                }
                Action::Build => {
                    self.editor.open_build();
                    vec![]
                }
                Action::ToggleLint => {
                    self.editor.refresh_lint();
                    self.editor.lint_open = !self.editor.lint_open;
                    vec![]
                }
                Action::OpenFile => {
                    let current = self
                        .editor
                        .path
                        .as_ref()
                        .map_or(String::new(), |p| p.display().to_string());
                    self.editor.modal = Some(Modal::Open(TextInput::with(&current)));
                    vec![]
                }
                Action::Search => {
                    let current = self
                        .editor
                        .textarea
                        .search_pattern()
                        .map_or(String::new(), |r| r.as_str().to_string());
                    self.editor.modal = Some(Modal::Search(TextInput::with(&current)));
                    vec![]
                }
                Action::SearchNext => {
                    if !self.editor.textarea.search_forward(false) {
                        self.say(Level::Info, "no match");
                    }
                    vec![]
                }
                other => self.on_action(other),
            }
        } else if self.editor.lint_open {
            self.editor.lint_key(key);
            vec![]
        } else {
            self.editor.text_key(key, now);
            vec![]
        };
        self.drain_editor();
        cmds
    }

    /// Pasted text while the editor has focus: into the buffer, or typed into the open form.
    pub fn editor_paste(&mut self, keymap: &Keymap, text: &str) -> Vec<Command> {
        if self.editor.modal.is_none() {
            self.editor.paste_text(text, self.now);
            return vec![];
        }
        // Questions (save/discard, restore) never take pasted text as answers.
        if !matches!(
            self.editor.modal,
            Some(Modal::Open(_) | Modal::Search(_) | Modal::Build(_))
        ) {
            return vec![];
        }
        let mut cmds = Vec::new();
        for c in text.chars().filter(|c| !c.is_control()) {
            cmds.extend(
                self.editor_key(keymap, &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
        }
        cmds
    }

    /// Moves the editor's note and quit request into the app state.
    pub fn drain_editor(&mut self) {
        if let Some((level, text)) = self.editor.note.take() {
            self.say(level, text);
        }
        if std::mem::take(&mut self.editor.quit) {
            self.quit = true;
        }
    }

    /// Quit was asked for anywhere: the editor may ask first about unsaved edits.
    pub(crate) fn editor_allows_quit(&mut self) -> bool {
        if self.editor.request_quit() {
            return true;
        }
        self.focus = Pane::Editor;
        false
    }
}

/// The action bound to `key` in the `[[editor]]` section only (global keys type text).
fn editor_action(keymap: &Keymap, key: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(key);
    keymap
        .bindings(Context::Editor)
        .iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

impl EditorState {
    /// A key for the text: editing, movement, selection, undo/redo, copy/paste.
    pub fn text_key(&mut self, key: &KeyEvent, now: i64) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let ta = &mut self.textarea;
        let modified = match key.code {
            KeyCode::Char('z') if ctrl => ta.undo(),
            KeyCode::Char('y') if ctrl => ta.redo(),
            KeyCode::Char('c') if alt => {
                ta.copy();
                false
            }
            KeyCode::Insert if ctrl => {
                ta.copy();
                false
            }
            KeyCode::Char('v') if ctrl => ta.paste(),
            KeyCode::Char('a') if alt => {
                ta.select_all();
                false
            }
            // Start and end of the file (CursorMove::Top/Bottom keep the column).
            KeyCode::Home if ctrl => {
                ta.move_cursor(CursorMove::Jump(0, 0));
                false
            }
            KeyCode::End if ctrl => {
                ta.move_cursor(CursorMove::Bottom);
                ta.move_cursor(CursorMove::End);
                false
            }
            KeyCode::PageDown => {
                ta.scroll(ratatui_textarea::Scrolling::PageDown);
                false
            }
            KeyCode::PageUp => {
                ta.scroll(ratatui_textarea::Scrolling::PageUp);
                false
            }
            _ => ta.input(Input::from(*key)),
        };
        let copy_or_cut = match key.code {
            KeyCode::Char('c') => alt,
            KeyCode::Insert => ctrl,
            KeyCode::Char('x') => ctrl,
            _ => false,
        };
        if copy_or_cut {
            let text = self.textarea.yank_text();
            if !text.is_empty() {
                self.clipboard_out = Some(text);
            }
        }
        if modified {
            self.after_edit(now);
        }
    }

    /// Inserts pasted text at the cursor.
    pub fn paste_text(&mut self, text: &str, now: i64) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        if self.textarea.insert_str(&text) {
            self.after_edit(now);
        }
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
    fn modal_key(&mut self, key: &KeyEvent) -> Vec<Command> {
        let Some(modal) = self.modal.take() else {
            return vec![];
        };
        match modal {
            Modal::Unsaved { then } => match key.code {
                KeyCode::Char('s' | 'y') | KeyCode::Enter => {
                    self.after_save = then;
                    self.save();
                }
                KeyCode::Char('d' | 'n') => {
                    if let Some(path) = &self.path {
                        self.ops.push(FileOp::RemoveRecovery { path: path.clone() });
                    }
                    match then {
                        AfterSave::Quit => self.quit = true,
                        AfterSave::Open(path) => self.ops.push(FileOp::Load { path }),
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
                    if let Some(h) = &mut self.highlighter {
                        let _ = h.set_text(self.textarea.lines());
                    }
                    self.after_edit(0);
                    self.note = Some((Level::Info, "recovered unsaved edits".into()));
                }
                KeyCode::Char('d' | 'n') | KeyCode::Esc => {
                    if let Some(path) = &self.path {
                        self.ops.push(FileOp::RemoveRecovery { path: path.clone() });
                    }
                }
                _ => self.modal = Some(Modal::Recover { text }),
            },
            Modal::Open(mut input) => match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let path = input.text.trim();
                    if !path.is_empty() {
                        self.request_open(std::path::PathBuf::from(path));
                    }
                }
                _ => {
                    input.handle(key);
                    self.modal = Some(Modal::Open(input));
                }
            },
            Modal::Search(mut input) => match key.code {
                KeyCode::Esc => {
                    let _ = self.textarea.set_search_pattern("");
                }
                KeyCode::Enter => match self.textarea.set_search_pattern(&input.text) {
                    Ok(()) => {
                        if !input.text.is_empty() && !self.textarea.search_forward(true) {
                            self.note = Some((Level::Info, "no match".into()));
                        }
                    }
                    Err(e) => {
                        self.note = Some((Level::Error, format!("bad pattern: {e}")));
                        self.modal = Some(Modal::Search(input));
                    }
                },
                _ => {
                    input.handle(key);
                    self.modal = Some(Modal::Search(input));
                }
            },
            Modal::Build(mut form) => match form.on_key(key) {
                FormOutcome::Stay => self.modal = Some(Modal::Build(form)),
                FormOutcome::Replan => {
                    self.ops.push(FileOp::PlanContext {
                        dir: std::path::PathBuf::from(form.context.text.trim()),
                        dockerfile: form.dockerfile.clone(),
                    });
                    self.modal = Some(Modal::Build(form));
                }
                FormOutcome::Cancel => self.last_form = Some(form),
                FormOutcome::Submit(req) => {
                    if let ContextSize::Failed(e) = &form.size {
                        form.error = Some(format!("context: {e}"));
                        self.modal = Some(Modal::Build(form));
                        return vec![];
                    }
                    self.last_form = Some(form);
                    return vec![Command::Build(Box::new(req))];
                }
            },
        }
        vec![]
    }
}
