//! What the panes share: the engine connection, the latest inventory, the clock, the focus and
//! the status line.
use super::effect::Level;
use super::pane::PaneId;
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
}
