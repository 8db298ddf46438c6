//! The one typed event channel into the app loop.

/// Everything the app loop reacts to.
#[derive(Debug)]
pub enum Event {
    /// Terminal input (keys, resize, paste).
    Input(crossterm::event::Event),
    /// Reading terminal input failed.
    InputError(String),
    /// A clock tick (relative times, countdowns).
    Tick,
    /// File work finished (see [`crate::files`]).
    File(crate::state::editor::FileDone),
    /// The editor's buffer was linted off the input path.
    Lint(crate::state::editor::LintDone),
    /// Something from one engine of the set (tagged with its ID), or a change of its state.
    Set(crate::engine::set::SetEvent),
}
