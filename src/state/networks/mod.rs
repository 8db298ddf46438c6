//! The networks pane: name, driver, scope, subnets and attached containers; create, remove
//! (refused for the engine's own networks and while containers are attached, naming them),
//! connect and disconnect a container, and prune unused networks with the engine's preview.
use std::cmp::Ordering;
use std::collections::HashSet;

use crossterm::event::KeyEvent;

use super::disk::plan::Plan;
use super::effect::Effect;
use super::pane::{Cx, Pane, PaneId};
use super::widgets::filter::FilterInput;
use super::widgets::outcome::{DialogKey, Outcome, dialog_key};
use super::widgets::prompt::{Prompt, PromptKey};
use super::widgets::scroll::Viewport;
use super::widgets::table::{SortOrder, TableRow, TableState};
use super::widgets::text_view::scroll;
use crate::action::{Action, DialogAction, ListAction, StorageAction};
use crate::config::keymap::Keymap;
use crate::engine::disk_worker::{DiskCommand, DiskEvent};
use crate::engine::networks::{
    NetworkInfo, NetworkMember, NetworkPruneFilters, NetworkPrunePlan, NetworkSpec, removal_refusal,
};
use crate::engine::{Command, Connection, EngineEvent, JobId, JobKind};

/// Sort orders, cycled by a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkSort {
    /// Alphabetical.
    #[default]
    Name,
    /// Most containers first.
    Containers,
    /// By driver.
    Driver,
}

impl SortOrder for NetworkSort {
    const ALL: &'static [NetworkSort] = &[
        NetworkSort::Name,
        NetworkSort::Containers,
        NetworkSort::Driver,
    ];

    fn label(self) -> &'static str {
        match self {
            NetworkSort::Name => "name",
            NetworkSort::Containers => "containers",
            NetworkSort::Driver => "driver",
        }
    }
}

impl TableRow for NetworkInfo {
    type Sort = NetworkSort;

    fn key(&self) -> String {
        self.id.clone()
    }

    fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle)
            || self.driver.to_lowercase().contains(needle)
            || self.subnets.iter().any(|s| s.contains(needle))
            || self
                .containers
                .iter()
                .any(|c| c.name.to_lowercase().contains(needle))
    }

    fn compare(&self, b: &Self, sort: NetworkSort) -> Ordering {
        let ord = match sort {
            NetworkSort::Name => Ordering::Equal,
            NetworkSort::Containers => b.containers.len().cmp(&self.containers.len()),
            NetworkSort::Driver => self.driver.cmp(&b.driver),
        };
        ord.then_with(|| self.name.cmp(&b.name))
    }
}

/// Why a network name is refused.
pub fn check_name(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("type a name for the network".into());
    }
    let ok = t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    (!ok).then(|| "letters, digits, _ . - (starting with a letter or digit)".into())
}

/// A dialog of the networks pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworksDialog {
    /// Name a new bridge network.
    Create {
        /// The name being typed.
        prompt: Prompt,
    },
    /// Confirm removing a network, or say why it cannot be.
    Remove {
        /// The network.
        name: String,
        /// Why it may not be removed.
        refusal: Option<String>,
    },
    /// Attach a container.
    Connect {
        /// The network.
        network: String,
        /// The container being typed.
        prompt: Prompt,
        /// Containers that may be attached (not attached yet).
        candidates: Vec<String>,
    },
    /// Detach one of the attached containers.
    Disconnect {
        /// The network.
        network: String,
        /// The attached containers.
        members: Vec<NetworkMember>,
        /// The one under the cursor.
        cursor: usize,
    },
    /// Prune unused networks with the engine's preview.
    Prune {
        /// The preview.
        plan: Plan<NetworkPrunePlan>,
        /// Scroll of the list.
        view: Viewport,
    },
}

fn disk(cmd: DiskCommand) -> Effect {
    Effect::Engine(Command::Disk(cmd))
}

fn check_candidate(candidates: &[String], text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("type the container's name".into());
    }
    (!candidates.iter().any(|c| c == t)).then(|| {
        let close: Vec<&str> = candidates
            .iter()
            .filter(|c| c.starts_with(t))
            .take(3)
            .map(String::as_str)
            .collect();
        if close.is_empty() {
            format!("no container {t} to attach")
        } else {
            format!("did you mean {}?", close.join(", "))
        }
    })
}

impl NetworksDialog {
    fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        match self {
            NetworksDialog::Create { prompt } => match prompt.on_key(keymap, key, check_name) {
                PromptKey::Submit(name) => {
                    Outcome::Submit(vec![disk(DiskCommand::CreateNetwork(NetworkSpec {
                        name,
                        ..Default::default()
                    }))])
                }
                PromptKey::Cancel => Outcome::Close,
                _ => Outcome::Stay,
            },
            NetworksDialog::Remove { name, refusal } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Confirm) if refusal.is_some() => Outcome::Close,
                DialogKey::Action(DialogAction::Confirm) => {
                    Outcome::Submit(vec![disk(DiskCommand::RemoveNetwork {
                        name: name.clone(),
                    })])
                }
                DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
                _ => Outcome::Stay,
            },
            NetworksDialog::Connect {
                network,
                prompt,
                candidates,
            } => {
                let check = |t: &str| check_candidate(candidates, t);
                match prompt.on_key(keymap, key, check) {
                    PromptKey::Submit(container) => {
                        Outcome::Submit(vec![disk(DiskCommand::ConnectNetwork {
                            network: network.clone(),
                            container,
                        })])
                    }
                    PromptKey::Cancel => Outcome::Close,
                    _ => Outcome::Stay,
                }
            }
            NetworksDialog::Disconnect {
                network,
                members,
                cursor,
            } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Down | DialogAction::NextField) => {
                    *cursor = (*cursor + 1).min(members.len().saturating_sub(1));
                    Outcome::Stay
                }
                DialogKey::Action(DialogAction::Up | DialogAction::PrevField) => {
                    *cursor = cursor.saturating_sub(1);
                    Outcome::Stay
                }
                DialogKey::Action(DialogAction::Confirm) => match members.get(*cursor) {
                    Some(m) => Outcome::Submit(vec![disk(DiskCommand::DisconnectNetwork {
                        network: network.clone(),
                        container: m.name.clone(),
                        force: false,
                    })]),
                    None => Outcome::Close,
                },
                DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
                _ => Outcome::Stay,
            },
            NetworksDialog::Prune { plan, view } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Confirm) => match plan {
                    Plan::Ready(p) if p.networks.is_empty() => Outcome::Close,
                    Plan::Ready(p) => {
                        Outcome::Submit(vec![disk(DiskCommand::PruneNetworks(p.filters.clone()))])
                    }
                    _ => Outcome::Stay,
                },
                DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
                DialogKey::Action(a) => {
                    scroll(view, a);
                    Outcome::Stay
                }
                DialogKey::Text => Outcome::Stay,
            },
        }
    }
}

/// The networks pane.
#[derive(Debug, Clone, Default)]
pub struct NetworksPane {
    /// Rows, view, cursor.
    pub table: TableState<NetworkInfo>,
    /// The filter box.
    pub filter: FilterInput,
    /// The open dialog.
    pub dialog: Option<NetworksDialog>,
    /// Why the last listing failed.
    pub error: Option<String>,
    /// Disk jobs running (their end relists).
    jobs: HashSet<JobId>,
}

impl NetworksPane {
    fn open_remove(&mut self) -> Vec<Effect> {
        let Some(n) = self.table.selected() else {
            return vec![Effect::info("no network selected")];
        };
        self.dialog = Some(NetworksDialog::Remove {
            name: n.name.clone(),
            refusal: removal_refusal(n),
        });
        vec![]
    }

    fn open_connect(&mut self, cx: &Cx<'_>) -> Vec<Effect> {
        let Some(n) = self.table.selected() else {
            return vec![Effect::info("no network selected")];
        };
        if n.name == "none" || n.name == "host" {
            return vec![Effect::info(format!(
                "containers join the {} network only when created",
                n.name
            ))];
        }
        let mut candidates: Vec<String> = cx
            .shared
            .inventory
            .containers
            .iter()
            .filter(|c| !n.containers.iter().any(|m| m.id == c.id))
            .map(|c| c.name.clone())
            .collect();
        candidates.sort();
        let check = |t: &str| check_candidate(&candidates, t);
        let prompt = Prompt::new("", check);
        self.dialog = Some(NetworksDialog::Connect {
            network: n.name.clone(),
            prompt,
            candidates,
        });
        vec![]
    }

    fn open_disconnect(&mut self) -> Vec<Effect> {
        let Some(n) = self.table.selected() else {
            return vec![Effect::info("no network selected")];
        };
        if n.containers.is_empty() {
            return vec![Effect::info(format!(
                "no container is attached to {}",
                n.name
            ))];
        }
        self.dialog = Some(NetworksDialog::Disconnect {
            network: n.name.clone(),
            members: n.containers.clone(),
            cursor: 0,
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
                self.dialog = Some(NetworksDialog::Prune {
                    plan: Plan::Loading,
                    view: Viewport::default(),
                });
                return vec![disk(DiskCommand::NetworkPrunePreview(
                    NetworkPruneFilters::default(),
                ))];
            }
            _ => {}
        }
        vec![]
    }
}

impl Pane for NetworksPane {
    fn on_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        if let Some(dialog) = &mut self.dialog {
            return Some(dialog.on_key(cx.keymap, key).settle(&mut self.dialog).0);
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
            Action::Storage(StorageAction::Create) => {
                self.dialog = Some(NetworksDialog::Create {
                    prompt: Prompt::new("", check_name),
                });
                vec![]
            }
            Action::Storage(StorageAction::Connect) => self.open_connect(cx),
            Action::Storage(StorageAction::Disconnect) => self.open_disconnect(),
            _ => return None,
        })
    }

    fn on_engine(&mut self, event: &EngineEvent, cx: &Cx<'_>) -> Vec<Effect> {
        match event {
            // A listing asked while the engine was away was answered "not connected": ask again.
            EngineEvent::Connection(Connection::Connected(_))
                if cx.focused(PaneId::Networks) || self.table.loaded =>
            {
                return vec![disk(DiskCommand::ListNetworks)];
            }
            EngineEvent::Disk(DiskEvent::Networks(r)) => match r {
                Ok(n) => {
                    self.error = None;
                    self.table.set_rows(n.clone(), None);
                }
                Err(e) => self.error = Some(e.to_string()),
            },
            EngineEvent::Disk(DiskEvent::NetworkPrunePlan(r)) => {
                if let Some(NetworksDialog::Prune { plan, view }) = &mut self.dialog {
                    match r {
                        Ok(p) => {
                            view.set_len(p.networks.len());
                            *plan = Plan::Ready(p.clone());
                        }
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
                return vec![disk(DiskCommand::ListNetworks)];
            }
            _ => {}
        }
        vec![]
    }

    fn on_focus(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        vec![disk(DiskCommand::ListNetworks)]
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
