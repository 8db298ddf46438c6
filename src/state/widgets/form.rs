//! A dialog form: labelled text fields checked as they are typed and yes/no toggles. Tab and
//! BackTab move between fields (on a file path, Tab first completes it from a listing of its
//! directory, which the file worker makes), Space (or `x`) flips a toggle, Enter submits when every field is
//! valid (else the cursor goes to the first bad one), Esc closes. Save, load, import, export and
//! commit dialogs are forms.
use crossterm::event::KeyEvent;

use super::input::TextInput;
use super::outcome::{DialogKey, Outcome, dialog_key};
use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::state::effect::{Effect, FileOp};

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
    /// A file path: Tab completes it from the directory's listing.
    pub path: bool,
}

/// The entries of a directory, for path completion (listed by the file worker).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// The directory as typed (`""`: the working directory).
    pub dir: String,
    /// Names and whether each is a directory, sorted.
    pub entries: Vec<(String, bool)>,
}

/// `dir/` part and name prefix of a typed path.
fn split_path(text: &str) -> (&str, &str) {
    match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    }
}

/// Completes `text` from `listing` (of its directory): the one match (a directory gets a `/`),
/// or the longest prefix all matches share. Returns the new text and the matching names.
pub fn complete(text: &str, listing: &Listing) -> (String, Vec<String>) {
    let (dir, prefix) = split_path(text);
    let matches: Vec<&(String, bool)> = listing
        .entries
        .iter()
        .filter(|(n, _)| n.starts_with(prefix) && (prefix.starts_with('.') || !n.starts_with('.')))
        .collect();
    let names = matches
        .iter()
        .map(|(n, d)| if *d { format!("{n}/") } else { n.clone() });
    let names: Vec<String> = names.collect();
    match matches.as_slice() {
        [] => (text.to_string(), names),
        [(name, is_dir)] => {
            let slash = if *is_dir { "/" } else { "" };
            (format!("{dir}{name}{slash}"), names)
        }
        [(first, _), rest @ ..] => {
            let mut common = first.len();
            for (n, _) in rest {
                common = first
                    .char_indices()
                    .zip(n.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8())
                    .min(common);
            }
            (format!("{dir}{}", &first[..common]), names)
        }
    }
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
            path: false,
        }
    }

    /// A file path field: like [`FormField::text`], and Tab completes it.
    pub fn path(label: &'static str, text: &str, hint: &'static str, check: Check) -> FormField {
        FormField {
            path: true,
            ..FormField::text(label, text, hint, check)
        }
    }

    /// A toggle.
    pub fn toggle(label: &'static str, on: bool) -> FormField {
        FormField {
            label,
            value: FieldValue::Toggle(on),
            path: false,
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
    /// The listing of the focused path's directory, once asked for.
    pub listing: Option<Listing>,
    /// The names matching the focused path after the last completion (shown below it).
    pub candidates: Vec<String>,
}

impl Form {
    /// A form of `fields`, the cursor on the first.
    pub fn new(fields: Vec<FormField>) -> Form {
        Form {
            fields,
            focus: 0,
            listing: None,
            candidates: Vec::new(),
        }
    }

    /// Tab on a path field: complete from the listing of its directory (asking for it first).
    /// `None` when there is nothing to complete (Tab then moves on).
    fn tab_complete(&mut self) -> Option<Outcome<()>> {
        let field = self.fields.get(self.focus).filter(|f| f.path)?;
        let FieldValue::Text { input, .. } = &field.value else {
            return None;
        };
        let text = input.text.clone();
        let dir = split_path(&text).0.to_string();
        match &self.listing {
            Some(l) if l.dir == dir => {
                let (new, names) = complete(&text, l);
                self.candidates = names;
                if new == text {
                    return (self.candidates.len() > 1).then_some(Outcome::Stay);
                }
                self.set_text(self.focus, &new);
                Some(Outcome::Stay)
            }
            _ => Some(Outcome::Send(vec![Effect::File(FileOp::ListDir { dir })])),
        }
    }

    /// The listing asked for by a Tab arrived: complete with it.
    pub fn on_listing(&mut self, listing: &Listing) {
        let Some(FieldValue::Text { input, .. }) = self
            .fields
            .get(self.focus)
            .filter(|f| f.path)
            .map(|f| &f.value)
        else {
            return;
        };
        let text = input.text.clone();
        if split_path(&text).0 != listing.dir {
            return;
        }
        self.listing = Some(listing.clone());
        let (new, names) = complete(&text, listing);
        self.candidates = names;
        self.set_text(self.focus, &new);
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
            DialogKey::Action(DialogAction::NextField) => {
                if let Some(outcome) = self.tab_complete() {
                    return outcome;
                }
                self.candidates.clear();
                self.move_focus(1);
                Outcome::Stay
            }
            DialogKey::Action(DialogAction::Down) => {
                self.candidates.clear();
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

    fn listing(dir: &str, entries: &[(&str, bool)]) -> Listing {
        Listing {
            dir: dir.into(),
            entries: entries.iter().map(|(n, d)| (n.to_string(), *d)).collect(),
        }
    }

    #[test]
    fn completion_extends_to_the_common_prefix_and_marks_directories() {
        let l = listing(
            "/srv/",
            &[
                ("images", true),
                ("img-1.tar", false),
                ("img-2.tar", false),
                (".hidden", false),
            ],
        );
        assert_eq!(complete("/srv/im", &l).0, "/srv/im");
        assert_eq!(complete("/srv/img", &l).0, "/srv/img-");
        assert_eq!(complete("/srv/ima", &l).0, "/srv/images/");
        assert_eq!(complete("/srv/img-2", &l).0, "/srv/img-2.tar");
        assert_eq!(
            complete("/srv/", &l).1.len(),
            3,
            "hidden names only when asked"
        );
        assert_eq!(complete("/srv/.h", &l).0, "/srv/.hidden");
        assert_eq!(complete("/srv/zz", &l).0, "/srv/zz");
    }

    #[test]
    fn tab_asks_for_the_listing_then_completes() {
        let km = Keymap::defaults();
        let mut f = Form::new(vec![
            FormField::path("File", "/srv/ima", "", required),
            FormField::toggle("gzip", false),
        ]);
        assert_eq!(
            f.on_key(&km, &key(KeyCode::Tab)),
            Outcome::Send(vec![Effect::File(FileOp::ListDir {
                dir: "/srv/".into()
            })])
        );
        f.on_listing(&listing("/srv/", &[("images", true), ("x", false)]));
        assert_eq!(f.text(0), "/srv/images/");
        // Nothing more to complete in a listed directory: Tab moves on.
        f.on_listing(&listing("/srv/images/", &[]));
        f.on_key(&km, &key(KeyCode::Tab));
        assert_eq!(f.focus, 1);
    }

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
