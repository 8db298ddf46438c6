//! What a key did to a dialog, prompt or form: the one outcome type every dialog returns.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::{Action, DialogAction};
use crate::config::key::Key;
use crate::config::keymap::{Context, Keymap};
use crate::state::effect::Effect;

/// What a key did to a dialog. `T` is what a submitted dialog hands its pane (by default the
/// effects to run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T = Vec<Effect>> {
    /// Stay open.
    Stay,
    /// Close without doing anything.
    Close,
    /// Stay open and run these effects (a preview to refresh, a login to try).
    Send(Vec<Effect>),
    /// Close with the dialog's result.
    Submit(T),
}

impl Outcome<Vec<Effect>> {
    /// Carries the outcome out on the slot of the dialog that returned it: `Close` and `Submit`
    /// empty the slot. Returns the effects to run and whether the dialog was submitted.
    pub fn settle<D>(self, slot: &mut Option<D>) -> (Vec<Effect>, bool) {
        match self {
            Outcome::Stay => (vec![], false),
            Outcome::Close => {
                *slot = None;
                (vec![], false)
            }
            Outcome::Send(effects) => (effects, false),
            Outcome::Submit(effects) => {
                *slot = None;
                (effects, true)
            }
        }
    }
}

/// How a dialog reads a key: one of the `[[dialog]]` keymap actions, or text for its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKey {
    /// A dialog action.
    Action(DialogAction),
    /// A key for the focused text field (or, without one, a dialog-specific letter).
    Text,
}

/// Reads `key` in a dialog. While a text field has focus (`typing`), printable characters are
/// text; every other key is looked up in the `[[dialog]]` section.
pub fn dialog_key(keymap: &Keymap, key: &KeyEvent, typing: bool) -> DialogKey {
    let printable = matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if typing && printable {
        return DialogKey::Text;
    }
    match keymap.local(Context::Dialog, Key::from_event(key)) {
        Some(Action::Dialog(a)) => DialogKey::Action(a),
        _ => DialogKey::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_takes_letters_and_the_keymap_the_rest() {
        let km = Keymap::defaults();
        let y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(dialog_key(&km, &y, true), DialogKey::Text);
        assert_eq!(
            dialog_key(&km, &y, false),
            DialogKey::Action(DialogAction::Confirm)
        );
        assert_eq!(
            dialog_key(&km, &enter, true),
            DialogKey::Action(DialogAction::Confirm)
        );
    }
}
