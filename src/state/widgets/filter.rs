//! The filter box of a list pane (`/`): typed live, Enter keeps it, Esc clears it.
use crossterm::event::{KeyCode, KeyEvent};

use super::input::TextInput;

/// A filter being typed, or none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterInput {
    /// The text being typed; `None` when the box is closed.
    pub editing: Option<TextInput>,
}

impl FilterInput {
    /// Opens the box on the current filter.
    pub fn open(&mut self, current: &str) {
        self.editing = Some(TextInput::with(current));
    }

    /// Whether the box is open (it takes every key).
    pub fn is_open(&self) -> bool {
        self.editing.is_some()
    }

    /// Applies a key while open: the new filter to apply, if it changed. `None` when closed.
    pub fn on_key(&mut self, key: &KeyEvent) -> Option<Option<String>> {
        let input = self.editing.as_mut()?;
        Some(match key.code {
            KeyCode::Esc => {
                self.editing = None;
                Some(String::new())
            }
            KeyCode::Enter | KeyCode::Down | KeyCode::Up => {
                self.editing = None;
                None
            }
            _ => {
                input.handle(key);
                Some(input.text.clone())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn types_live_keeps_on_enter_and_clears_on_esc() {
        let mut f = FilterInput::default();
        assert_eq!(f.on_key(&key(KeyCode::Char('a'))), None);
        f.open("b");
        assert_eq!(f.on_key(&key(KeyCode::Char('c'))), Some(Some("bc".into())));
        assert_eq!(f.on_key(&key(KeyCode::Enter)), Some(None));
        assert!(!f.is_open());
        f.open("bc");
        assert_eq!(f.on_key(&key(KeyCode::Esc)), Some(Some(String::new())));
    }
}
