//! The one typed event channel into the app loop.
use crate::engine::EngineEvent;

/// Everything the app loop reacts to.
#[derive(Debug)]
pub enum Event {
    /// Terminal input (keys, resize, paste).
    Input(crossterm::event::Event),
    /// Reading terminal input failed.
    InputError(String),
    /// A clock tick (relative times, countdowns).
    Tick,
    /// Something from the engine module.
    Engine(EngineEvent),
    /// A build context was planned (off the UI thread) for the editor's build dialog.
    ContextPlanned {
        /// The context directory.
        dir: std::path::PathBuf,
        /// What it holds, or why planning failed.
        size: crate::state::editor::build::ContextSize,
    },
}
