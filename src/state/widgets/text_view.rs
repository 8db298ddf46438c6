//! A scrollable text dialog: an image's config, a layer's instruction, a job's output.
use crossterm::event::KeyEvent;

use super::outcome::{DialogKey, Outcome, dialog_key};
use super::scroll::Viewport;
use crate::action::{Action, DialogAction, ListAction};
use crate::config::key::Key;
use crate::config::keymap::{Context, Keymap};

/// Title, lines and where the view is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextView {
    /// Title.
    pub title: String,
    /// Lines (already sanitised by whoever made them).
    pub lines: Vec<String>,
    /// The top line on screen.
    pub view: Viewport,
}

/// Moves a dialog's viewport for one of the scrolling actions; returns whether it was one.
pub fn scroll(view: &mut Viewport, action: DialogAction) -> bool {
    let page = view.page();
    match action {
        DialogAction::Down => view.scroll_by(1),
        DialogAction::Up => view.scroll_by(-1),
        DialogAction::PageDown => view.scroll_by(page),
        DialogAction::PageUp => view.scroll_by(-page),
        DialogAction::Top => view.scroll_by(isize::MIN / 2),
        DialogAction::Bottom => view.scroll_by(isize::MAX / 2),
        _ => return false,
    }
    true
}

impl TextView {
    /// A view of `lines` from the top.
    pub fn new(title: impl Into<String>, lines: Vec<String>) -> TextView {
        let view = Viewport::over(lines.len());
        TextView {
            title: title.into(),
            lines,
            view,
        }
    }

    /// Applies a key: scrolling, or closing (confirm, cancel, or the key that opened it).
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome<()> {
        let opener = [Context::Images, Context::Layers, Context::Jobs]
            .into_iter()
            .any(|c| {
                keymap.local(c, Key::from_event(key)) == Some(Action::List(ListAction::Details))
            });
        match dialog_key(keymap, key, false) {
            DialogKey::Action(DialogAction::Confirm | DialogAction::Cancel) => Outcome::Close,
            _ if opener => Outcome::Close,
            DialogKey::Action(a) => {
                scroll(&mut self.view, a);
                Outcome::Stay
            }
            DialogKey::Text => Outcome::Stay,
        }
    }

    /// The frame showed `height` lines.
    pub fn set_height(&mut self, height: usize) {
        self.view.set_height(height);
        self.view.scroll_by(0);
    }
}
