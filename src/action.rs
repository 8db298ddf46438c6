//! What a key does: the serde `Action` that keymaps name in data.
use serde::{Deserialize, Serialize};

/// Every action a key can be bound to. Keymap files name them in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave dockhand.
    Quit,
    /// Open or close the key help.
    Help,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Focus the images pane.
    FocusImages,
    /// Focus the layers pane.
    FocusLayers,
    /// Focus the jobs pane.
    FocusJobs,
    /// Move the cursor up.
    Up,
    /// Move the cursor down.
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Start typing a filter.
    Filter,
    /// Clear the filter / close what is open.
    Back,
    /// Cycle the sort order.
    CycleSort,
    /// Reverse the sort order.
    ReverseSort,
    /// Mark or unmark the row for a bulk action.
    ToggleMark,
    /// Tag the selected image.
    Tag,
    /// Remove the marked or selected images.
    Remove,
    /// Prune unused images.
    Prune,
    /// Show the details view.
    Details,
    /// Re-list everything now.
    Refresh,
    /// Cancel the newest running job.
    CancelJob,
    /// Focus the Dockerfile editor pane.
    FocusEditor,
    /// Save the Dockerfile.
    Save,
    /// Build an image from the Dockerfile.
    Build,
    /// Show or hide the lint diagnostics list.
    ToggleLint,
    /// Open another Dockerfile.
    OpenFile,
    /// Search the Dockerfile (a regex).
    Search,
    /// Next search match.
    SearchNext,
}

impl Action {
    /// Every action, for completeness checks.
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Help,
        Action::NextPane,
        Action::PrevPane,
        Action::FocusImages,
        Action::FocusLayers,
        Action::FocusJobs,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Filter,
        Action::Back,
        Action::CycleSort,
        Action::ReverseSort,
        Action::ToggleMark,
        Action::Tag,
        Action::Remove,
        Action::Prune,
        Action::Details,
        Action::Refresh,
        Action::CancelJob,
        Action::FocusEditor,
        Action::Save,
        Action::Build,
        Action::ToggleLint,
        Action::OpenFile,
        Action::Search,
        Action::SearchNext,
    ];
}
