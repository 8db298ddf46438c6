//! The images pane: every image, one row per tag, with sort, filter, marks, and the tag, remove
//! and prune dialogs.
pub mod copy;
pub mod dialogs;
pub mod rows;

use std::collections::HashMap;

use crossterm::event::KeyEvent;

use super::effect::{Effect, Msg};
use super::pane::{Cx, Pane};
use super::widgets::filter::FilterInput;
use super::widgets::prompt::Prompt;
use super::widgets::table::TableState;
use crate::action::{Action, ImagesAction, ListAction};
use crate::engine::EngineEvent;
use crate::engine::JobOutcome;
use crate::state::offline::OfflineDialog;
use dialogs::{ImagesDialog, PlanState, RemoveTarget};
use rows::ImageRow;

/// The images pane.
#[derive(Debug, Clone, Default)]
pub struct ImagesPane {
    /// Rows, view, marks, cursor.
    pub table: TableState<ImageRow>,
    /// The filter box.
    pub filter: FilterInput,
    /// The open dialog.
    pub dialog: Option<ImagesDialog>,
    /// An image to select once it is listed (by ID prefix, `sha256:` or not).
    pending_select: Option<String>,
    /// Images to mark once listed (the images a load brought).
    pending_marks: Vec<String>,
    /// Unique and shared bytes per image ID, from the latest disk usage.
    pub share: HashMap<String, (Option<u64>, Option<u64>)>,
    /// A disk usage was asked for the unique sizes and has not arrived.
    share_asked: bool,
}

fn same_image(row_id: &str, wanted: &str) -> bool {
    let wanted = wanted.trim_start_matches("sha256:");
    !wanted.is_empty() && row_id.trim_start_matches("sha256:").starts_with(wanted)
}

impl ImagesPane {
    /// Selects the image whose ID starts with `id`, now or once it is listed.
    pub fn select_image(&mut self, id: &str) {
        if !self.table.select_where(|r| same_image(&r.id, id)) {
            self.pending_select = Some(id.to_string());
        }
    }

    /// The image waiting to be selected once it is listed.
    pub fn pending_select(&self) -> Option<&str> {
        self.pending_select.as_deref()
    }

    /// Opens the tag dialog for the selected image.
    pub fn open_tag(&mut self) -> Vec<Effect> {
        let Some(row) = self.table.selected() else {
            return vec![Effect::info("no image selected")];
        };
        let suggestion = row.reference.as_deref().map_or(String::new(), |r| {
            format!("{}:", crate::engine::images::split_tag(r).0)
        });
        self.dialog = Some(ImagesDialog::Tag {
            source: row.id.clone(),
            source_label: row.label(),
            prompt: Prompt::new(&suggestion, dialogs::validate_tag),
        });
        vec![]
    }

    fn open_remove(&mut self) -> Vec<Effect> {
        let targets: Vec<RemoveTarget> = dialogs::remove_plan(&self.table.targets());
        if targets.is_empty() {
            return vec![Effect::info("no image selected")];
        }
        self.dialog = Some(ImagesDialog::Remove {
            targets,
            force_step: false,
        });
        vec![]
    }

    fn push(&self) -> Vec<Effect> {
        match self.table.selected() {
            None => vec![Effect::info("no image selected")],
            Some(ImageRow {
                reference: None, ..
            }) => vec![Effect::info(
                "this image has no tag: tag it with the registry's name first (t)",
            )],
            Some(ImageRow {
                reference: Some(r), ..
            }) => vec![Effect::Msg(Msg::Push(r.clone()))],
        }
    }

    fn run_image(&self) -> Vec<Effect> {
        match self.table.selected() {
            Some(row) => {
                let image = row.reference.clone().unwrap_or_else(|| row.id.clone());
                vec![Effect::Msg(Msg::RunImage(image))]
            }
            None => vec![Effect::info("no image selected")],
        }
    }

    /// Marks the rows of the images waiting to be marked, once they are listed.
    fn apply_marks(&mut self) {
        if self.pending_marks.is_empty() {
            return;
        }
        let keys: Vec<String> = self
            .table
            .rows
            .iter()
            .filter(|r| self.pending_marks.iter().any(|id| same_image(&r.id, id)))
            .map(ImageRow::key)
            .collect();
        if !keys.is_empty() {
            self.table.marked = keys.into_iter().collect();
            self.pending_marks.clear();
        }
    }

    /// A directory listing for the path completion of the open dialog.
    pub fn on_listing(&mut self, listing: &crate::state::widgets::form::Listing) {
        if let Some(ImagesDialog::Offline(d)) = &mut self.dialog {
            d.on_listing(listing);
        }
    }

    fn open_save(&mut self) -> Vec<Effect> {
        let rows = self.table.targets();
        let Some(first) = rows.first() else {
            return vec![Effect::info("no image selected")];
        };
        let suggested: String = first
            .label()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let images = rows.iter().map(|r| r.key()).collect();
        self.dialog = Some(ImagesDialog::Offline(OfflineDialog::save(
            images,
            &format!("{suggested}.tar"),
        )));
        vec![]
    }

    /// Applies the known unique/shared sizes to rows.
    fn with_share(&self, mut rows: Vec<ImageRow>) -> Vec<ImageRow> {
        for r in &mut rows {
            if let Some((unique, shared)) = self.share.get(&r.id) {
                (r.unique, r.shared) = (*unique, *shared);
            }
        }
        rows
    }

    /// Takes the unique and shared sizes of a disk usage.
    fn take_share(&mut self, images: &[crate::engine::disk_types::DiskImage]) {
        self.share_asked = false;
        self.share = images
            .iter()
            .map(|i| (i.id.clone(), (i.unique_size, i.shared_size)))
            .collect();
        let rows = self.with_share(self.table.rows.clone());
        self.table.set_rows(rows, None);
    }

    fn list_action(&mut self, action: ListAction) -> Vec<Effect> {
        if self.table.navigate(action) {
            let unknown = self.table.rows.iter().any(|r| r.unique.is_none());
            if action == ListAction::CycleSort
                && self.table.sort == rows::SortKey::Unique
                && unknown
                && !self.share_asked
            {
                self.share_asked = true;
                return vec![
                    Effect::info("measuring unique sizes (docker system df -v)…"),
                    Effect::Engine(crate::engine::Command::Disk(
                        crate::engine::disk_worker::DiskCommand::Usage,
                    )),
                ];
            }
            return vec![];
        }
        match action {
            ListAction::Filter => self.filter.open(&self.table.filter),
            ListAction::Details => return vec![Effect::Msg(Msg::ShowImageConfig)],
            ListAction::Remove => return self.open_remove(),
            ListAction::Prune => {
                let (dialog, cmd) = ImagesDialog::prune(Default::default(), false);
                self.dialog = Some(dialog);
                return vec![Effect::Engine(cmd)];
            }
            _ => {}
        }
        vec![]
    }
}

impl Pane for ImagesPane {
    fn on_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        if let Some(dialog) = &mut self.dialog {
            let (effects, submitted) = dialog.on_key(cx.keymap, key).settle(&mut self.dialog);
            if submitted {
                self.table.marked.clear();
            }
            return Some(effects);
        }
        let change = self.filter.on_key(key)?;
        if let Some(text) = change {
            self.table.set_filter(&text);
        }
        Some(vec![])
    }

    fn on_action(&mut self, action: Action, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        Some(match action {
            Action::List(a) => self.list_action(a),
            Action::Images(ImagesAction::Tag) => self.open_tag(),
            Action::Images(ImagesAction::Push) => self.push(),
            Action::Images(ImagesAction::RunImage) => self.run_image(),
            Action::Images(ImagesAction::SaveImages) => self.open_save(),
            Action::Images(ImagesAction::LoadImages) => {
                self.dialog = Some(ImagesDialog::Offline(OfflineDialog::load()));
                vec![]
            }
            Action::Images(ImagesAction::ImportImage) => {
                self.dialog = Some(ImagesDialog::Offline(OfflineDialog::import()));
                vec![]
            }
            Action::Images(ImagesAction::OpenExplorer) => {
                vec![Effect::Msg(Msg::OpenExplorer { from_layers: false })]
            }
            Action::Images(ImagesAction::CopyToEngine) => {
                match copy::CopyDialog::open(&self.table, cx.shared) {
                    Ok(d) => {
                        self.dialog = Some(ImagesDialog::Copy(d));
                        vec![]
                    }
                    Err(why) => vec![Effect::info(why)],
                }
            }
            _ => return None,
        })
    }

    fn on_engine(&mut self, event: &EngineEvent, _cx: &Cx<'_>) -> Vec<Effect> {
        if let Some(ImagesDialog::Offline(d)) = &mut self.dialog {
            d.on_engine(event);
        }
        match event {
            EngineEvent::JobFinished {
                result: Ok(JobOutcome::Images { ids, .. }),
                ..
            } => {
                if let Some(first) = ids.first() {
                    self.select_image(first);
                }
                if ids.len() > 1 {
                    self.pending_marks = ids.clone();
                    self.apply_marks();
                }
            }
            EngineEvent::Inventory(Ok(inv)) => {
                let rows = self.with_share(rows::rows_from(&inv.images, &inv.containers));
                let keep = self.pending_select.as_deref().and_then(|want| {
                    rows.iter()
                        .find(|r| same_image(&r.id, want))
                        .map(ImageRow::key)
                });
                if keep.is_some() {
                    self.pending_select = None;
                }
                self.table.set_rows(rows, keep);
                self.apply_marks();
            }
            EngineEvent::Disk(crate::engine::disk_worker::DiskEvent::Usage(result)) => match result
            {
                Ok(du) => self.take_share(&du.image_items),
                Err(_) => self.share_asked = false,
            },
            EngineEvent::PrunePlan(result) => {
                if let Some(ImagesDialog::Prune {
                    plan,
                    scope,
                    build_cache,
                    view,
                }) = &mut self.dialog
                {
                    *plan = match result {
                        Ok(p) if p.scope == *scope => {
                            let mut p = p.clone();
                            p.build_cache = *build_cache;
                            view.set_len(p.images.len());
                            PlanState::Ready(p)
                        }
                        Ok(_) => return vec![],
                        Err(e) => PlanState::Failed(e.to_string()),
                    };
                }
            }
            _ => {}
        }
        vec![]
    }

    fn set_viewport(&mut self, rows: usize) {
        self.table.viewport.set_height(rows);
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }
}
