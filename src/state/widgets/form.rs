//! A dialog form: labelled text fields checked as they are typed and yes/no toggles. Tab and
//! BackTab move between fields, Space (or `x`) flips a toggle, Enter submits when every field is
//! valid (else the cursor goes to the first bad one), Esc closes. Save, load, import, export and
//! commit dialogs are forms.
use crossterm::event::KeyEvent;

use super::input::TextInput;
use super::outcome::{DialogKey, Outcome, dialog_key};
use crate::action::DialogAction;
use crate::config::keymap::Keymap;

/// Checks a field's text: `Some(reason)` when it is refused.
pub type Check = fn(&str) -> Option<String>;

/// A field's check, compared as equal to any other (forms compare by what they hold).
#[derive(Clone, Copy)]
pub struct Checker(pub Check);

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Checker")
    }
}

impl PartialEq for Checker {
    fn eq(&self, _: &Checker) -> bool {
        true
    }
}

impl Eq for Checker {}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Text, with its check and the current verdict.
    Text {
        /// The text.
        input: TextInput,
        /// The check.
        check: Checker,
        /// Why the text is refused, shown inline.
        error: Option<String>,
        /// Shown in an empty field.
        hint: &'static str,
    },
    /// Yes or no.
    Toggle(bool),
}

/// One labelled field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The label shown left of it.
    pub label: &'static str,
    /// Its value.
    pub value: FieldValue,
}

impl FormField {
    /// A text field holding `text`.
    pub fn text(label: &'static str, text: &str, hint: &'static str, check: Check) -> FormField {
        FormField {
            label,
            value: FieldValue::Text {
                input: TextInput::with(text),
                check: Checker(check),
                error: check(text),
                hint,
            },
        }
    }

    /// A toggle.
    pub fn toggle(label: &'static str, on: bool) -> FormField {
        FormField {
            label,
            value: FieldValue::Toggle(on),
        }
    }
}

/// Accepts anything.
pub fn any_text(_: &str) -> Option<String> {
    None
}

/// Refuses an empty field.
pub fn required(text: &str) -> Option<String> {
    text.trim().is_empty().then(|| "required".to_string())
}

/// The form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The fields, in order.
    pub fields: Vec<FormField>,
    /// The field with the cursor.
    pub focus: usize,
}

impl Form {
    /// A form of `fields`, the cursor on the first.
    pub fn new(fields: Vec<FormField>) -> Form {
        Form { fields, focus: 0 }
    }

    /// The trimmed text of field `i` (empty for a toggle).
    pub fn text(&self, i: usize) -> &str {
        match self.fields.get(i).map(|f| &f.value) {
            Some(FieldValue::Text { input, .. }) => input.text.trim(),
            _ => "",
        }
    }

    /// The state of toggle `i` (false for a text field).
    pub fn on(&self, i: usize) -> bool {
        matches!(
            self.fields.get(i).map(|f| &f.value),
            Some(FieldValue::Toggle(true))
        )
    }

    /// Replaces the text of field `i` (the check runs again).
    pub fn set_text(&mut self, i: usize, text: &str) {
        if let Some(FieldValue::Text {
            input,
            check,
            error,
            ..
        }) = self.fields.get_mut(i).map(|f| &mut f.value)
        {
            *input = TextInput::with(text);
            *error = (check.0)(text);
        }
    }

    /// Sets a field's inline error from outside (a check that needs more than the text).
    pub fn set_error(&mut self, i: usize, reason: Option<String>) {
        if let Some(FieldValue::Text { error, .. }) = self.fields.get_mut(i).map(|f| &mut f.value) {
            *error = reason;
        }
    }

    /// The first field whose text is refused.
    pub fn first_error(&self) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| matches!(&f.value, FieldValue::Text { error: Some(_), .. }))
    }

    fn typing(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.value),
            Some(FieldValue::Text { .. })
        )
    }

    fn move_focus(&mut self, delta: isize) {
        let n = self.fields.len() as isize;
        if n > 0 {
            self.focus = (self.focus as isize + delta).rem_euclid(n) as usize;
        }
    }

    /// Applies a key. `Submit(())` when Enter found every field valid.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome<()> {
        match dialog_key(keymap, key, self.typing()) {
            DialogKey::Action(DialogAction::Confirm) => match self.first_error() {
                Some(i) => {
                    self.focus = i;
                    Outcome::Stay
                }
                None => Outcome::Submit(()),
            },
            DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
            DialogKey::Action(DialogAction::NextField | DialogAction::Down) => {
                self.move_focus(1);
                Outcome::Stay
            }
            DialogKey::Action(DialogAction::PrevField | DialogAction::Up) => {
                self.move_focus(-1);
                Outcome::Stay
            }
            action => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return Outcome::Stay;
                };
                match &mut field.value {
                    FieldValue::Toggle(on) => {
                        if action == DialogKey::Action(DialogAction::Toggle) {
                            *on = !*on;
                        }
                    }
                    FieldValue::Text {
                        input,
                        check,
                        error,
                        ..
                    } => {
                        if input.handle(key) {
                            *error = (check.0)(&input.text);
                        }
                    }
                }
                Outcome::Stay
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

    #[test]
    fn submits_only_when_valid_and_toggles_with_space() {
        let km = Keymap::defaults();
        let mut f = Form::new(vec![
            FormField::text("Path", "", "", required),
            FormField::toggle("Gzip", false),
        ]);
        f.focus = 1;
        assert_eq!(f.on_key(&km, &key(KeyCode::Enter)), Outcome::Stay);
        assert_eq!(f.focus, 0, "the cursor goes to the bad field");
        // Letters are text in a text field, even the dialog's own letters.
        for c in "a.tar".chars() {
            f.on_key(&km, &key(KeyCode::Char(c)));
        }
        assert_eq!(f.text(0), "a.tar");
        f.on_key(&km, &key(KeyCode::Tab));
        f.on_key(&km, &key(KeyCode::Char(' ')));
        assert!(f.on(1));
        assert_eq!(f.on_key(&km, &key(KeyCode::Enter)), Outcome::Submit(()));
        assert_eq!(f.on_key(&km, &key(KeyCode::Esc)), Outcome::Close);
    }
}
