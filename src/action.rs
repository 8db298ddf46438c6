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
    /// Open the layer explorer on the selected image and layer.
    OpenExplorer,
    /// Focus the layer explorer.
    FocusExplorer,
    /// Explorer: show the layer below.
    PrevLayer,
    /// Explorer: show the layer above.
    NextLayer,
    /// Explorer: move between the layer list and the file tree.
    SwitchSide,
    /// Explorer: collapse or expand the directory.
    ToggleNode,
    /// Explorer: collapse the directory (or go to its parent).
    Collapse,
    /// Explorer: expand the directory (or go to its first entry).
    Expand,
    /// Explorer: collapse every directory, or expand them all again.
    CollapseAll,
    /// Explorer: only the layer's changes, or the whole image up to it.
    ToggleChangesOnly,
    /// Explorer: show or hide added entries.
    ToggleAdded,
    /// Explorer: show or hide modified entries.
    ToggleModified,
    /// Explorer: show or hide removed entries.
    ToggleRemoved,
    /// Explorer: show or hide unchanged entries.
    ToggleUnchanged,
    /// Explorer: show the inefficient files instead of the tree.
    ToggleWasted,
    /// Focus the registry pane.
    FocusRegistry,
    /// Open the pull dialog.
    Pull,
    /// Push the selected image to the registry its name points at.
    Push,
    /// Registry pane: open the selected registry, repository or tag.
    RegistryOpen,
    /// Registry pane: search Docker Hub / type a repository.
    RegistrySearch,
    /// Registry pane: pull the selected search result or tag.
    RegistryPull,
    /// Registry pane: add a registry to browse.
    AddRegistry,
    /// Registry pane: log in to the selected registry.
    Login,
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
    /// Focus the containers pane.
    FocusContainers,
    /// Start the marked or selected containers.
    StartContainer,
    /// Stop the marked or selected containers gracefully.
    StopContainer,
    /// Restart the marked or selected containers.
    RestartContainer,
    /// Pause running / unpause paused containers.
    PauseContainer,
    /// Send a signal to the marked or selected containers.
    KillContainer,
    /// Rename the selected container.
    RenameContainer,
    /// Follow the selected container's logs.
    ContainerLogs,
    /// Open an interactive shell in the selected container.
    ExecShell,
    /// Run a typed command in the selected container with a TTY.
    ExecCommand,
    /// Run a container from the selected image.
    RunImage,
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
        Action::OpenExplorer,
        Action::FocusExplorer,
        Action::PrevLayer,
        Action::NextLayer,
        Action::SwitchSide,
        Action::ToggleNode,
        Action::Collapse,
        Action::Expand,
        Action::CollapseAll,
        Action::ToggleChangesOnly,
        Action::ToggleAdded,
        Action::ToggleModified,
        Action::ToggleRemoved,
        Action::ToggleUnchanged,
        Action::ToggleWasted,
        Action::FocusRegistry,
        Action::Pull,
        Action::Push,
        Action::RegistryOpen,
        Action::RegistrySearch,
        Action::RegistryPull,
        Action::AddRegistry,
        Action::Login,
        Action::FocusEditor,
        Action::Save,
        Action::Build,
        Action::ToggleLint,
        Action::OpenFile,
        Action::Search,
        Action::SearchNext,
        Action::FocusContainers,
        Action::StartContainer,
        Action::StopContainer,
        Action::RestartContainer,
        Action::PauseContainer,
        Action::KillContainer,
        Action::RenameContainer,
        Action::ContainerLogs,
        Action::ExecShell,
        Action::ExecCommand,
        Action::RunImage,
    ];
}
