//! The engines pane: every engine dockhand runs (each Docker context as `docker context ls` lists
//! it, the `DOCKER_HOST`/`--host` endpoint, detected Podman sockets) with its state; Enter makes
//! one the engine every pane shows. The warm state of the engines not shown lives in [`warm`].
pub mod warm;

use std::cmp::Ordering;

use super::effect::{Effect, Msg, SetOp};
use super::pane::{Cx, Pane};
use super::widgets::filter::FilterInput;
use super::widgets::table::{SortOrder, TableRow, TableState};
use crate::action::{Action, AppAction, EnginesAction, ListAction};
use crate::engine::Command;
use crate::engine::roster::Listed;
use crate::engine::set::{EngineId, EngineState};

/// What a row knows of its engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// A running engine and its state.
    Engine(EngineState),
    /// A context that names no usable endpoint: why.
    Unusable(String),
}

/// One engine (or unusable context) of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineRow {
    /// Its engine, when it has one.
    pub id: Option<EngineId>,
    /// Position in the list (contexts as the CLI sorts them, then Podman sockets).
    pub order: usize,
    /// The context's name, or what found the socket.
    pub name: String,
    /// The context's description.
    pub description: String,
    /// The docker endpoint.
    pub endpoint: String,
    /// The context in use when dockhand started (`docker context ls` marks it `*`).
    pub current: bool,
    /// Its state.
    pub state: RowState,
}

impl EngineRow {
    /// Whether the engine is connected.
    pub fn connected(&self) -> bool {
        matches!(self.state, RowState::Engine(EngineState::Connected { .. }))
    }
}

/// The rows for the engines the app started (`state_of`: each engine's state right now).
pub fn rows_from(
    listed: Vec<Listed>,
    state_of: impl Fn(EngineId) -> Option<EngineState>,
) -> Vec<EngineRow> {
    listed
        .into_iter()
        .enumerate()
        .map(|(order, l)| EngineRow {
            state: match (l.id, l.error) {
                (Some(id), _) => RowState::Engine(state_of(id).unwrap_or(EngineState::Connecting)),
                (None, why) => RowState::Unusable(why.unwrap_or_default()),
            },
            id: l.id,
            order,
            name: l.name,
            description: l.description,
            endpoint: l.endpoint,
            current: l.current,
        })
        .collect()
}

/// The engines list has one order: as listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineSort {
    /// Contexts by name, then Podman sockets.
    #[default]
    Listed,
}

impl SortOrder for EngineSort {
    const ALL: &'static [EngineSort] = &[EngineSort::Listed];

    fn label(self) -> &'static str {
        "as listed"
    }
}

impl TableRow for EngineRow {
    type Sort = EngineSort;

    fn key(&self) -> String {
        format!("{:06}", self.order)
    }

    fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle) || self.endpoint.to_lowercase().contains(needle)
    }

    fn compare(&self, other: &Self, _sort: EngineSort) -> Ordering {
        self.order.cmp(&other.order)
    }
}

/// The engines pane.
#[derive(Debug, Clone, Default)]
pub struct EnginesPane {
    /// The rows (a copy of [`super::Shared::engines`], kept in step by the router).
    pub table: TableState<EngineRow>,
    /// The filter box.
    pub filter: FilterInput,
}

impl EnginesPane {
    /// Shows `rows` (the router calls this whenever an engine's state changes).
    pub fn set_rows(&mut self, rows: &[EngineRow]) {
        self.table.set_rows(rows.to_vec(), None);
    }

    fn selected_engine(&self) -> Option<(EngineId, String)> {
        let row = self.table.selected()?;
        row.id.map(|id| (id, row.name.clone()))
    }

    fn switch(&self) -> Vec<Effect> {
        match (self.selected_engine(), self.table.selected()) {
            (Some((id, _)), _) => vec![Effect::Msg(Msg::SwitchEngine(id))],
            (None, Some(row)) => vec![Effect::info(format!(
                "{} cannot be used: {}",
                row.name,
                match &row.state {
                    RowState::Unusable(why) => why.as_str(),
                    RowState::Engine(_) => "no engine",
                }
            ))],
            (None, None) => vec![Effect::info("no engine selected")],
        }
    }
}

impl Pane for EnginesPane {
    fn on_key(&mut self, key: &crossterm::event::KeyEvent, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let change = self.filter.on_key(key)?;
        if let Some(text) = change {
            self.table.set_filter(&text);
        }
        Some(vec![])
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        Some(match action {
            Action::List(ListAction::Filter) => {
                self.filter.open(&self.table.filter);
                vec![]
            }
            Action::List(ListAction::Details) | Action::Engines(EnginesAction::Switch) => {
                self.switch()
            }
            Action::List(a) if self.table.navigate(a) => vec![],
            // Re-listing here means: try the selected engine again now.
            Action::App(AppAction::Refresh) => match self.selected_engine() {
                Some((id, name)) => vec![
                    Effect::Set(SetOp::Send(id, Command::Reconnect)),
                    Effect::Set(SetOp::Send(id, Command::Refresh)),
                    Effect::info(format!("trying {name} again")),
                ],
                None => vec![],
            },
            _ => return None,
        })
    }

    /// The cursor starts on the engine shown.
    fn on_focus(&mut self, cx: &Cx<'_>) -> Vec<Effect> {
        if let Some(active) = cx.shared.active_engine {
            self.table.select_where(|r| r.id == Some(active));
        }
        vec![]
    }

    fn set_viewport(&mut self, rows: usize) {
        self.table.viewport.set_height(rows);
    }
}

#[cfg(test)]
pub(crate) mod tests;
