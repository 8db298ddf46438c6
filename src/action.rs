//! What keys do: actions, grouped by where they apply, named in keymap files in snake_case.
//!
//! [`AppAction`]s work everywhere (the router takes them), [`ListAction`]s are the verbs every
//! list pane understands in its own way, and each pane has its own group, so no pane matches
//! another pane's actions.
use serde::{Deserialize, Deserializer};

macro_rules! group {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every action of the group.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The name keymap files use.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$v => $s,)*
                }
            }
        }
    };
}

group! {
    /// Actions that work in every pane.
    AppAction {
        /// Leave dockhand.
        Quit = "quit",
        /// Open or close the key help.
        Help = "help",
        /// Focus the next pane.
        NextPane = "next_pane",
        /// Focus the previous pane.
        PrevPane = "prev_pane",
        /// Focus the images pane.
        FocusImages = "focus_images",
        /// Focus the layers pane.
        FocusLayers = "focus_layers",
        /// Focus the jobs pane.
        FocusJobs = "focus_jobs",
        /// Focus the layer explorer.
        FocusExplorer = "focus_explorer",
        /// Focus the registry pane.
        FocusRegistry = "focus_registry",
        /// Focus the Dockerfile editor pane.
        FocusEditor = "focus_editor",
        /// Focus the containers pane.
        FocusContainers = "focus_containers",
        /// Open the pull dialog.
        Pull = "pull",
        /// Re-list everything now.
        Refresh = "refresh",
        /// Cancel the selected job in the jobs pane, else the newest running job.
        CancelJob = "cancel_job",
        /// Focus the engines pane.
        FocusEngines = "focus_engines",
        /// Focus the disk-usage pane.
        FocusDisk = "focus_disk",
        /// Focus the volumes pane.
        FocusVolumes = "focus_volumes",
        /// Focus the networks pane.
        FocusNetworks = "focus_networks",
    }
}

group! {
    /// The verbs of every list pane; each pane applies them to its own rows.
    ListAction {
        /// Move the cursor up.
        Up = "up",
        /// Move the cursor down.
        Down = "down",
        /// One page up.
        PageUp = "page_up",
        /// One page down.
        PageDown = "page_down",
        /// First row.
        Top = "top",
        /// Last row.
        Bottom = "bottom",
        /// Start typing a filter.
        Filter = "filter",
        /// Clear the filter / close what is open / go up a level.
        Back = "back",
        /// Cycle the sort order.
        CycleSort = "cycle_sort",
        /// Reverse the sort order.
        ReverseSort = "reverse_sort",
        /// Mark or unmark the row for a bulk action.
        ToggleMark = "toggle_mark",
        /// Show the details view.
        Details = "details",
        /// Remove the marked or selected rows (asks first).
        Remove = "remove",
        /// Prune what is unused (with a preview).
        Prune = "prune",
    }
}

group! {
    /// The images and layers panes' own actions.
    ImagesAction {
        /// Tag the selected image.
        Tag = "tag",
        /// Push the selected image to the registry its name points at.
        Push = "push",
        /// Open the layer explorer on the selected image and layer.
        OpenExplorer = "open_explorer",
        /// Run a container from the selected image.
        RunImage = "run_image",
        /// Copy the marked or selected images to another engine.
        CopyToEngine = "copy_to_engine",
        /// Save the marked (or selected) images to a tar file.
        SaveImages = "save_images",
        /// Load the images of a tar file (with a preview first).
        LoadImages = "load_images",
        /// Import a filesystem tar as an image.
        ImportImage = "import_image",
    }
}

group! {
    /// The layer explorer's own actions.
    ExplorerAction {
        /// Show the layer below.
        PrevLayer = "prev_layer",
        /// Show the layer above.
        NextLayer = "next_layer",
        /// Move between the layer list and the file tree.
        SwitchSide = "switch_side",
        /// Collapse or expand the directory.
        ToggleNode = "toggle_node",
        /// Collapse the directory (or go to its parent).
        Collapse = "collapse",
        /// Expand the directory (or go to its first entry).
        Expand = "expand",
        /// Collapse every directory, or expand them all again.
        CollapseAll = "collapse_all",
        /// Only the layer's changes, or the whole image up to it.
        ToggleChangesOnly = "toggle_changes_only",
        /// Show or hide added entries.
        ToggleAdded = "toggle_added",
        /// Show or hide modified entries.
        ToggleModified = "toggle_modified",
        /// Show or hide removed entries.
        ToggleRemoved = "toggle_removed",
        /// Show or hide unchanged entries.
        ToggleUnchanged = "toggle_unchanged",
        /// Show the inefficient files instead of the tree.
        ToggleWasted = "toggle_wasted",
    }
}

group! {
    /// The registry pane's own actions.
    RegistryAction {
        /// Open the selected registry, repository or tag.
        Open = "registry_open",
        /// Search Docker Hub / type a repository.
        Search = "registry_search",
        /// Pull the selected search result or tag.
        Pull = "registry_pull",
        /// Add a registry to browse.
        Add = "add_registry",
        /// Log in to the selected registry.
        Login = "login",
    }
}

group! {
    /// The Dockerfile editor's own actions.
    EditorAction {
        /// Save the Dockerfile.
        Save = "save",
        /// Save the Dockerfile under another name.
        SaveAs = "save_as",
        /// Build an image from the Dockerfile.
        Build = "build",
        /// Show or hide the lint diagnostics list.
        ToggleLint = "toggle_lint",
        /// Open another Dockerfile.
        OpenFile = "open_file",
        /// Search the Dockerfile (a regex).
        Search = "search",
        /// Next search match.
        SearchNext = "search_next",
        /// Undo the last edit.
        Undo = "undo",
        /// Redo the last undone edit.
        Redo = "redo",
        /// Copy the selection (also to the terminal's clipboard).
        Copy = "copy",
        /// Cut the selection (also to the terminal's clipboard).
        Cut = "cut",
        /// Paste what was copied or cut in the editor.
        Paste = "paste",
        /// Select the whole file.
        SelectAll = "select_all",
        /// Go to the start of the file.
        FileStart = "file_start",
        /// Go to the end of the file.
        FileEnd = "file_end",
        /// Scroll one page up.
        PageUp = "editor_page_up",
        /// Scroll one page down.
        PageDown = "editor_page_down",
        /// Why the lint finding under the cursor (or selected in the list) matters, with examples.
        Explain = "explain",
        /// Apply the finding's mechanical fix as one edit.
        QuickFix = "quick_fix",
    }
}

group! {
    /// The containers pane's own actions.
    ContainersAction {
        /// Start the marked or selected containers.
        Start = "start_container",
        /// Stop the marked or selected containers gracefully.
        Stop = "stop_container",
        /// Restart the marked or selected containers.
        Restart = "restart_container",
        /// Pause running / unpause paused containers.
        Pause = "pause_container",
        /// Send a signal to the marked or selected containers.
        Kill = "kill_container",
        /// Rename the selected container.
        Rename = "rename_container",
        /// Follow the selected container's logs.
        Logs = "container_logs",
        /// Open an interactive shell in the selected container.
        ExecShell = "exec_shell",
        /// Run a typed command in the selected container with a TTY.
        ExecCommand = "exec_command",
        /// Commit the selected container to an image.
        Commit = "commit_container",
        /// Export the selected container's filesystem to a tar file.
        Export = "export_container",
        /// Show the selected container's filesystem changes.
        Diff = "container_diff",
        /// Copy a path of the selected container to this machine.
        CopyOut = "copy_from_container",
        /// Copy a path of this machine into the selected container.
        CopyIn = "copy_to_container",
    }
}

group! {
    /// Keys of every dialog and prompt: answers, fields, options and scrolling.
    DialogAction {
        /// Answer yes / submit the form.
        Confirm = "confirm",
        /// Close without doing anything.
        Cancel = "cancel",
        /// The next field of a form.
        NextField = "next_field",
        /// The previous field of a form.
        PrevField = "prev_field",
        /// Toggle the option under the cursor (or the dialog's main option).
        Toggle = "toggle",
        /// Scroll or move down.
        Down = "dialog_down",
        /// Scroll or move up.
        Up = "dialog_up",
        /// One page down.
        PageDown = "dialog_page_down",
        /// One page up.
        PageUp = "dialog_page_up",
        /// First line.
        Top = "dialog_top",
        /// Last line.
        Bottom = "dialog_bottom",
    }
}

group! {
    /// The engines pane's own actions.
    EnginesAction {
        /// Show the selected engine in every pane.
        Switch = "switch_engine",
    }
}

group! {
    /// The disk pane's own actions.
    DiskAction {
        /// Show the build-cache records.
        BuildCache = "build_cache",
        /// Open the system prune dialog.
        SystemPrune = "system_prune",
    }
}

group! {
    /// The volumes and networks panes' own actions.
    StorageAction {
        /// Create a volume or network.
        Create = "create",
        /// Attach a container to the selected network.
        Connect = "connect_network",
        /// Detach a container from the selected network.
        Disconnect = "disconnect_network",
    }
}

/// Every action a key can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Works everywhere.
    App(AppAction),
    /// A list verb.
    List(ListAction),
    /// Images and layers.
    Images(ImagesAction),
    /// The layer explorer.
    Explorer(ExplorerAction),
    /// The registry pane.
    Registry(RegistryAction),
    /// The Dockerfile editor.
    Editor(EditorAction),
    /// The containers pane.
    Containers(ContainersAction),
    /// Dialogs and prompts.
    Dialog(DialogAction),
    /// The engines pane.
    Engines(EnginesAction),
    /// The disk pane.
    Disk(DiskAction),
    /// The volumes and networks panes.
    Storage(StorageAction),
}

impl Action {
    /// Every action, for completeness checks.
    pub fn all() -> impl Iterator<Item = Action> {
        let app = AppAction::ALL.iter().map(|a| Action::App(*a));
        let list = ListAction::ALL.iter().map(|a| Action::List(*a));
        let images = ImagesAction::ALL.iter().map(|a| Action::Images(*a));
        let explorer = ExplorerAction::ALL.iter().map(|a| Action::Explorer(*a));
        let registry = RegistryAction::ALL.iter().map(|a| Action::Registry(*a));
        let editor = EditorAction::ALL.iter().map(|a| Action::Editor(*a));
        let containers = ContainersAction::ALL.iter().map(|a| Action::Containers(*a));
        let dialog = DialogAction::ALL.iter().map(|a| Action::Dialog(*a));
        let engines = EnginesAction::ALL.iter().map(|a| Action::Engines(*a));
        let disk = DiskAction::ALL.iter().map(|a| Action::Disk(*a));
        let storage = StorageAction::ALL.iter().map(|a| Action::Storage(*a));
        app.chain(list)
            .chain(images)
            .chain(explorer)
            .chain(registry)
            .chain(editor)
            .chain(containers)
            .chain(dialog)
            .chain(engines)
            .chain(disk)
            .chain(storage)
    }

    /// The name keymap files use.
    pub fn name(self) -> &'static str {
        match self {
            Action::App(a) => a.name(),
            Action::List(a) => a.name(),
            Action::Images(a) => a.name(),
            Action::Explorer(a) => a.name(),
            Action::Registry(a) => a.name(),
            Action::Editor(a) => a.name(),
            Action::Containers(a) => a.name(),
            Action::Dialog(a) => a.name(),
            Action::Engines(a) => a.name(),
            Action::Disk(a) => a.name(),
            Action::Storage(a) => a.name(),
        }
    }

    /// The action a keymap file names.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::all().find(|a| a.name() == name)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Action, D::Error> {
        let name = String::deserialize(deserializer)?;
        Action::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown action `{name}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::all() {
            assert!(seen.insert(a.name()), "{} named twice", a.name());
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        assert_eq!(Action::from_name("explode"), None);
    }
}
