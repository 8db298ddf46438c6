//! A validated one-line input: the text, its inline error, and the verdict on each key.
use crossterm::event::KeyEvent;

use super::input::TextInput;
use super::outcome::{DialogKey, dialog_key};
use crate::action::DialogAction;
use crate::config::keymap::Keymap;

/// What a key did to a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKey {
    /// The text changed (the error was checked again).
    Edited,
    /// Enter on valid text: the trimmed text.
    Submit(String),
    /// Enter on invalid text: the error is shown, the prompt stays.
    Refused,
    /// Esc (or another cancel key).
    Cancel,
    /// A key the prompt does not use (Tab, arrows up/down…): the dialog may.
    Other(DialogKey),
}

/// A text input that is checked as it is typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    /// The text.
    pub input: TextInput,
    /// Why the text is not valid (shown inline).
    pub error: Option<String>,
}

impl Prompt {
    /// A prompt holding `text`, checked with `validate`.
    pub fn new(text: &str, validate: impl Fn(&str) -> Option<String>) -> Prompt {
        Prompt {
            input: TextInput::with(text),
            error: validate(text),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.input.text
    }

    /// Applies a key; `validate` says why a text is refused.
    pub fn on_key(
        &mut self,
        keymap: &Keymap,
        key: &KeyEvent,
        validate: impl Fn(&str) -> Option<String>,
    ) -> PromptKey {
        match dialog_key(keymap, key, true) {
            DialogKey::Action(DialogAction::Confirm) => {
                self.error = validate(&self.input.text);
                match self.error {
                    None => PromptKey::Submit(self.input.text.trim().to_string()),
                    Some(_) => PromptKey::Refused,
                }
            }
            DialogKey::Action(DialogAction::Cancel) => PromptKey::Cancel,
            other => {
                if self.input.handle(key) {
                    self.error = validate(&self.input.text);
                    PromptKey::Edited
                } else {
                    PromptKey::Other(other)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn no_spaces(s: &str) -> Option<String> {
        s.contains(' ').then(|| "no spaces".to_string())
    }

    #[test]
    fn checks_as_typed_and_submits_only_valid_text() {
        let km = Keymap::defaults();
        let mut p = Prompt::new("a", no_spaces);
        assert_eq!(
            p.on_key(&km, &key(KeyCode::Char(' ')), no_spaces),
            PromptKey::Edited
        );
        assert_eq!(p.error.as_deref(), Some("no spaces"));
        assert_eq!(
            p.on_key(&km, &key(KeyCode::Enter), no_spaces),
            PromptKey::Refused
        );
        p.on_key(&km, &key(KeyCode::Backspace), no_spaces);
        assert_eq!(
            p.on_key(&km, &key(KeyCode::Enter), no_spaces),
            PromptKey::Submit("a".into())
        );
        assert_eq!(
            p.on_key(&km, &key(KeyCode::Esc), no_spaces),
            PromptKey::Cancel
        );
        // y and q are text in a prompt.
        p.on_key(&km, &key(KeyCode::Char('q')), no_spaces);
        assert_eq!(p.text(), "aq");
    }
}
