//! The copy dialog of the images pane: the marked (or selected) images, each with every tag it
//! has (the copy carries them all), and the connected engine to copy them to.
use crossterm::event::KeyEvent;

use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::set::EngineId;
use crate::state::effect::{Effect, SetOp};
use crate::state::shared::Shared;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};
use crate::state::widgets::table::TableState;

use super::rows::ImageRow;

/// One image to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyImage {
    /// Its ID (what is sent).
    pub id: String,
    /// Every tag it has here (the target gets them all), empty when it has none.
    pub tags: Vec<String>,
}

/// A connected engine the images can go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyTarget {
    /// Its ID.
    pub id: EngineId,
    /// Its name.
    pub name: String,
    /// How many of the images it already has (same image ID).
    pub has: usize,
}

/// The copy dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyDialog {
    /// The engine shown (the source).
    pub from: EngineId,
    /// Its name.
    pub from_name: String,
    /// What is copied.
    pub images: Vec<CopyImage>,
    /// Where it can go.
    pub targets: Vec<CopyTarget>,
    /// The target under the cursor.
    pub cursor: usize,
}

impl CopyDialog {
    /// The dialog for the images an action applies to, or why there is none.
    pub fn open(table: &TableState<ImageRow>, shared: &Shared) -> Result<CopyDialog, String> {
        let from = shared
            .active_row()
            .and_then(|r| r.id.map(|id| (id, r.name.clone())));
        let Some((from, from_name)) = from else {
            return Err("no engine is shown".into());
        };
        let mut images: Vec<CopyImage> = Vec::new();
        for row in table.targets() {
            if images.iter().any(|i| i.id == row.id) {
                continue;
            }
            let tags = table
                .rows
                .iter()
                .filter(|r| r.id == row.id)
                .filter_map(|r| r.reference.clone())
                .collect();
            images.push(CopyImage {
                id: row.id.clone(),
                tags,
            });
        }
        if images.is_empty() {
            return Err("no image selected".into());
        }
        let targets: Vec<CopyTarget> = shared
            .engines
            .iter()
            .filter(|r| r.connected() && r.id.is_some_and(|id| id != from))
            .filter_map(|r| {
                let has = images
                    .iter()
                    .filter(|i| {
                        shared
                            .also_on
                            .get(&i.id)
                            .is_some_and(|e| e.contains(&r.name))
                    })
                    .count();
                Some(CopyTarget {
                    id: r.id?,
                    name: r.name.clone(),
                    has,
                })
            })
            .collect();
        if targets.is_empty() {
            return Err("no other engine is connected to copy to (Ctrl-e lists them)".into());
        }
        Ok(CopyDialog {
            from,
            from_name,
            images,
            targets,
            cursor: 0,
        })
    }

    /// Handles a key: j/k choose the target, Enter copies, Esc cancels.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        match dialog_key(keymap, key, false) {
            DialogKey::Action(DialogAction::Down | DialogAction::NextField) => {
                self.cursor = (self.cursor + 1).min(self.targets.len().saturating_sub(1));
                Outcome::Stay
            }
            DialogKey::Action(DialogAction::Up | DialogAction::PrevField) => {
                self.cursor = self.cursor.saturating_sub(1);
                Outcome::Stay
            }
            DialogKey::Action(DialogAction::Confirm) => match self.targets.get(self.cursor) {
                Some(t) => Outcome::Submit(vec![
                    Effect::Set(SetOp::Copy {
                        from: self.from,
                        to: t.id,
                        images: self.images.iter().map(|i| i.id.clone()).collect(),
                    }),
                    Effect::info(format!(
                        "copying {} image(s) from {} to {}",
                        self.images.len(),
                        self.from_name,
                        t.name
                    )),
                ]),
                None => Outcome::Close,
            },
            DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
            _ => Outcome::Stay,
        }
    }
}
