//! What the panes share: the engine connection, the latest inventory, the clock, the focus and
//! the status line.
use super::effect::Level;
use super::pane::PaneId;
use std::collections::HashMap;

use super::engines::EngineRow;
use crate::engine::set::EngineId;
use crate::engine::{Connection, Inventory};

/// Data every pane may read.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Engine connection.
    pub connection: Connection,
    /// The latest listing of images and containers.
    pub inventory: Inventory,
    /// Current time, unix seconds (set by the loop so drawing stays pure).
    pub now: i64,
    /// The focused pane.
    pub focus: PaneId,
    /// Latest message for the status bar.
    pub message: Option<(Level, String)>,
    /// Latest error, kept until the next one.
    pub last_error: Option<String>,
    /// Every engine dockhand runs, with its state (see [`crate::state::engines`]).
    pub engines: Vec<EngineRow>,
    /// The engine every engine pane shows (`None` before the app starts its engines).
    pub active_engine: Option<EngineId>,
    /// For each image ID, the other connected engines that have it.
    pub also_on: HashMap<String, Vec<String>>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            connection: Connection::Connecting,
            inventory: Inventory::default(),
            now: 0,
            focus: PaneId::default(),
            message: None,
            last_error: None,
            engines: Vec::new(),
            active_engine: None,
            also_on: HashMap::new(),
        }
    }
}

impl Shared {
    /// Sets a status message; errors are also kept as the last error.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        if level == Level::Error {
            self.last_error = Some(text.clone());
        }
        self.message = Some((level, text));
    }

    /// The row of the engine shown, when there is one.
    pub fn active_row(&self) -> Option<&EngineRow> {
        let id = self.active_engine?;
        self.engines.iter().find(|r| r.id == Some(id))
    }
}
