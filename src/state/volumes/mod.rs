//! The volumes pane: name, driver, mountpoint, size, references, the containers using each,
//! labels and creation time; create, remove (refused with the users' names while used) and prune
//! unused volumes with the engine's preview.
use std::cmp::Ordering;
use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent};

use super::disk::plan::Plan;
use super::effect::Effect;
use super::pane::{Cx, Pane, PaneId};
use super::widgets::filter::FilterInput;
use super::widgets::outcome::{DialogKey, Outcome, dialog_key};
use super::widgets::prompt::{Prompt, PromptKey};
use super::widgets::scroll::Viewport;
use super::widgets::table::{Scope, SortOrder, TableRow, TableState};
use super::widgets::text_view::scroll;
use crate::action::{Action, DialogAction, ListAction, StorageAction};
use crate::config::keymap::Keymap;
use crate::engine::disk_types::DiskVolume;
use crate::engine::disk_worker::{DiskCommand, DiskEvent};
use crate::engine::volumes::{VolumePrunePlan, VolumePruneScope, VolumeSpec};
use crate::engine::{Command, Connection, EngineEvent, JobId, JobKind};

/// Sort orders, cycled by a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumeSort {
    /// Alphabetical.
    #[default]
    Name,
    /// Largest first (unknown sizes last).
    Size,
    /// Newest first.
    Created,
}

impl SortOrder for VolumeSort {
    const ALL: &'static [VolumeSort] = &[VolumeSort::Name, VolumeSort::Size, VolumeSort::Created];

    fn label(self) -> &'static str {
        match self {
            VolumeSort::Name => "name",
            VolumeSort::Size => "size",
            VolumeSort::Created => "created",
        }
    }
}

impl TableRow for DiskVolume {
    type Sort = VolumeSort;

    fn key(&self) -> String {
        self.name.clone()
    }

    fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle)
            || self.driver.to_lowercase().contains(needle)
            || self
                .containers
                .iter()
                .any(|c| c.to_lowercase().contains(needle))
            || self
                .labels
                .iter()
                .any(|(k, v)| format!("{k}={v}").to_lowercase().contains(needle))
    }

    fn compare(&self, b: &Self, sort: VolumeSort) -> Ordering {
        match sort {
            VolumeSort::Name => self.name.cmp(&b.name),
            VolumeSort::Size => b.size.cmp(&self.size),
            VolumeSort::Created => b.created.cmp(&self.created),
        }
    }
}

/// The volumes a prune of all unused volumes could remove: no container refers to them.
pub fn unused_scope() -> Scope<DiskVolume> {
    Scope {
        label: "unused",
        keep: |v| v.ref_count == Some(0),
    }
}

/// Why a volume name is refused.
pub fn check_name(text: &str) -> Option<String> {
    let t = text.trim();
    let ok = t.is_empty()
        || (t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
    (!ok).then(|| {
        "letters, digits, _ . - (starting with a letter or digit); empty: a generated name".into()
    })
}

/// A dialog of the volumes pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumesDialog {
    /// Name a new volume.
    Create {
        /// The name being typed.
        prompt: Prompt,
    },
    /// Confirm removing volumes; used ones are refused, with their users.
    Remove {
        /// Volumes that go.
        names: Vec<String>,
        /// Volumes that stay, with the containers that use them.
        refused: Vec<(String, Vec<String>)>,
    },
    /// Prune unused volumes with the engine's preview.
    Prune {
        /// Anonymous only or all unused.
        scope: VolumePruneScope,
        /// The preview.
        plan: Plan<VolumePrunePlan>,
        /// Scroll of the list.
        view: Viewport,
    },
}

/// The volumes pane.
#[derive(Debug, Clone, Default)]
pub struct VolumesPane {
    /// Rows, view, marks, cursor.
    pub table: TableState<DiskVolume>,
    /// The filter box.
    pub filter: FilterInput,
    /// The open dialog.
    pub dialog: Option<VolumesDialog>,
    /// Why the last listing failed.
    pub error: Option<String>,
    /// Disk jobs running (their end relists).
    jobs: HashSet<JobId>,
}

fn prune_preview(scope: VolumePruneScope) -> Vec<Effect> {
    vec![Effect::Engine(Command::Disk(
        DiskCommand::VolumePrunePreview {
            scope,
            labels: vec![],
        },
    ))]
}

impl VolumesDialog {
    fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        match self {
            VolumesDialog::Create { prompt } => match prompt.on_key(keymap, key, check_name) {
                PromptKey::Submit(name) => Outcome::Submit(vec![Effect::Engine(Command::Disk(
                    DiskCommand::CreateVolume(VolumeSpec {
                        name,
                        ..Default::default()
                    }),
                ))]),
                PromptKey::Cancel => Outcome::Close,
                _ => Outcome::Stay,
            },
            VolumesDialog::Remove { names, .. } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Confirm) if names.is_empty() => Outcome::Close,
                DialogKey::Action(DialogAction::Confirm) => Outcome::Submit(
                    names
                        .iter()
                        .map(|n| {
                            Effect::Engine(Command::Disk(DiskCommand::RemoveVolume {
                                name: n.clone(),
                            }))
                        })
                        .collect(),
                ),
                DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
                _ => Outcome::Stay,
            },
            VolumesDialog::Prune { scope, plan, view } => {
                let key_a = key.code == KeyCode::Char('a');
                match dialog_key(keymap, key, false) {
                    DialogKey::Action(
                        DialogAction::NextField | DialogAction::PrevField | DialogAction::Toggle,
                    ) => {}
                    DialogKey::Text if key_a => {}
                    DialogKey::Action(DialogAction::Confirm) => {
                        return match plan {
                            Plan::Ready(p) if p.asked == *scope && p.volumes.is_empty() => {
                                Outcome::Close
                            }
                            Plan::Ready(p) if p.asked == *scope => {
                                Outcome::Submit(vec![Effect::Engine(Command::Disk(
                                    DiskCommand::PruneVolumes {
                                        scope: *scope,
                                        labels: vec![],
                                    },
                                ))])
                            }
                            _ => Outcome::Stay,
                        };
                    }
                    DialogKey::Action(DialogAction::Cancel) => return Outcome::Close,
                    DialogKey::Action(a) => {
                        scroll(view, a);
                        return Outcome::Stay;
                    }
                    DialogKey::Text => return Outcome::Stay,
                }
                *scope = match scope {
                    VolumePruneScope::Anonymous => VolumePruneScope::All,
                    VolumePruneScope::All => VolumePruneScope::Anonymous,
                };
                *plan = Plan::Loading;
                *view = Viewport::default();
                Outcome::Send(prune_preview(*scope))
            }
        }
    }
}

impl VolumesPane {
    fn open_remove(&mut self) -> Vec<Effect> {
        let targets = self.table.targets();
        if targets.is_empty() {
            return vec![Effect::info("no volume selected")];
        }
        let (used, free): (Vec<&DiskVolume>, Vec<&DiskVolume>) =
            targets.into_iter().partition(|v| !v.containers.is_empty());
        self.dialog = Some(VolumesDialog::Remove {
            names: free.iter().map(|v| v.name.clone()).collect(),
            refused: used
                .iter()
                .map(|v| (v.name.clone(), v.containers.clone()))
                .collect(),
        });
        vec![]
    }

    fn list_action(&mut self, action: ListAction) -> Vec<Effect> {
        if self.table.navigate(action) {
            return vec![];
        }
        match action {
            ListAction::Filter => self.filter.open(&self.table.filter),
            ListAction::Remove => return self.open_remove(),
            ListAction::Prune => {
                let scope = VolumePruneScope::Anonymous;
                self.dialog = Some(VolumesDialog::Prune {
                    scope,
                    plan: Plan::Loading,
                    view: Viewport::default(),
                });
                return prune_preview(scope);
            }
            _ => {}
        }
        vec![]
    }

    fn set_volumes(&mut self, result: &Result<Vec<DiskVolume>, String>) {
        match result {
            Ok(v) => {
                self.error = None;
                self.table.set_rows(v.clone(), None);
            }
            Err(e) => self.error = Some(e.clone()),
        }
    }
}

impl Pane for VolumesPane {
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

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        Some(match action {
            Action::List(a) => self.list_action(a),
            Action::Storage(StorageAction::Create) => {
                self.dialog = Some(VolumesDialog::Create {
                    prompt: Prompt::new("", check_name),
                });
                vec![]
            }
            _ => return None,
        })
    }

    fn on_engine(&mut self, event: &EngineEvent, cx: &Cx<'_>) -> Vec<Effect> {
        match event {
            // A listing asked while the engine was away was answered "not connected": ask again.
            EngineEvent::Connection(Connection::Connected(_))
                if cx.focused(PaneId::Volumes) || self.table.loaded =>
            {
                return vec![Effect::Engine(Command::Disk(DiskCommand::ListVolumes))];
            }
            EngineEvent::Disk(DiskEvent::Volumes(r)) => {
                self.set_volumes(&match r {
                    Ok(v) => Ok(v.clone()),
                    Err(e) => Err(e.to_string()),
                });
            }
            EngineEvent::Disk(DiskEvent::Usage(Ok(du))) => {
                let mut volumes = du.volume_items.clone();
                volumes.sort_by(|a, b| a.name.cmp(&b.name));
                self.set_volumes(&Ok(volumes));
            }
            EngineEvent::Disk(DiskEvent::VolumePrunePlan(r)) => {
                if let Some(VolumesDialog::Prune { scope, plan, view }) = &mut self.dialog {
                    match r {
                        Ok(p) if p.asked == *scope => {
                            view.set_len(p.volumes.len());
                            *plan = Plan::Ready(p.clone());
                        }
                        Ok(_) => {}
                        Err(e) => *plan = Plan::Failed(e.to_string()),
                    }
                }
            }
            EngineEvent::JobStarted {
                id,
                kind: JobKind::Disk(_),
            } => {
                self.jobs.insert(*id);
            }
            EngineEvent::JobFinished { id, .. } if self.jobs.remove(id) && self.table.loaded => {
                return vec![Effect::Engine(Command::Disk(DiskCommand::ListVolumes))];
            }
            _ => {}
        }
        vec![]
    }

    fn on_focus(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        vec![Effect::Engine(Command::Disk(DiskCommand::ListVolumes))]
    }

    fn set_viewport(&mut self, rows: usize) {
        self.table.viewport.set_height(rows);
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }
}

#[cfg(test)]
mod tests;
