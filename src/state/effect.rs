//! What handlers ask for, as data: every pane's key, action and event handler returns
//! [`Effect`]s, and the router ([`super::AppState`]) and the app loop carry them out in one place.
use std::path::PathBuf;

use crate::engine::Command;
use crate::fsio::{Fingerprint, SavePolicy};

/// How a status message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something worked.
    Ok,
    /// Worth knowing.
    Info,
    /// Something failed.
    Error,
}

/// Terminal work the app loop performs with the TUI suspended: an interactive exec, or attaching
/// to a container created for `docker run -it` and starting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRequest {
    /// Container ID.
    pub id: String,
    /// Container name, for messages.
    pub name: String,
    /// The command, e.g. `["/bin/sh"]` (unused when `attach`).
    pub cmd: Vec<String>,
    /// Attach to the container's own process and start it, instead of an exec.
    pub attach: bool,
}

/// File work, performed off the state by the file worker; results come back as
/// [`crate::event::Event::File`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// Write `text` to `path` atomically, refusing (unless `policy` allows) a file changed on
    /// disk since `expected`, a read-only file, a symlink or a missing directory.
    Save {
        /// The file.
        path: PathBuf,
        /// Its new content.
        text: String,
        /// What the file held when it was opened or last saved (`None`: it did not exist).
        expected: Option<Fingerprint>,
        /// What the user allowed after being asked.
        policy: SavePolicy,
    },
    /// Write `text` to a new `path` (an existing file is refused unless `policy.overwrite`).
    SaveAs {
        /// The new file.
        path: PathBuf,
        /// Its content.
        text: String,
        /// What the user allowed after being asked.
        policy: SavePolicy,
    },
    /// Write the recovery file of `path`.
    WriteRecovery {
        /// The edited file.
        path: PathBuf,
        /// The unsaved content.
        text: String,
    },
    /// Remove the recovery file of `path`.
    RemoveRecovery {
        /// The edited file.
        path: PathBuf,
    },
    /// Read `path` (and its recovery file) and open it.
    Load {
        /// The file.
        path: PathBuf,
    },
    /// Plan the build context of `dockerfile` in `dir` (for the size shown before sending).
    PlanContext {
        /// Context directory.
        dir: PathBuf,
        /// The Dockerfile.
        dockerfile: PathBuf,
    },
    /// Run ShellCheck on the RUN scripts of `text` (the editor's buffer at `generation`).
    ShellCheck {
        /// The Dockerfile text.
        text: String,
        /// The editor's count of texts linted, to drop a result for an older text.
        generation: u64,
    },
    /// List a directory for path completion in a dialog.
    ListDir {
        /// The directory as typed (`""` is the working directory).
        dir: String,
    },
    /// Keep the line links of a build of `path` for the next start.
    SaveLinks {
        /// The Dockerfile.
        path: PathBuf,
        /// What the build linked.
        links: crate::fsio::BuildLinks,
    },
}

/// A request from one pane that another pane (or the router) carries out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Select the image whose ID starts with this in the images pane, once it is listed.
    SelectImage(String),
    /// Open the layer explorer on the selected image (at the layers pane's step when asked).
    OpenExplorer {
        /// Start at the step selected in the layers pane.
        from_layers: bool,
    },
    /// Open the run dialog for an image reference (or ID).
    RunImage(String),
    /// Open the push dialog for a local tag.
    Push(String),
    /// Show the selected image's config.
    ShowImageConfig,
    /// Open the tag dialog for the selected image.
    Tag,
    /// Show engine `id` in every pane (its warm state comes back as it was).
    SwitchEngine(crate::engine::set::EngineId),
    /// Open an image archive file in the layer explorer.
    ExploreArchive(PathBuf),
    /// Show, in the pane of that kind, only what a prune of it could free (from the disk pane).
    ShowReclaimable(Reclaimable),
}

/// Work for the set of engines (carried out by the app loop, which owns the set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetOp {
    /// Make this the engine plain [`Effect::Engine`] commands go to.
    Select(crate::engine::set::EngineId),
    /// Send a command to one engine, whichever is shown.
    Send(crate::engine::set::EngineId, Command),
    /// Copy images (by ID) from one engine to another, one job per image.
    Copy {
        /// The source engine.
        from: crate::engine::set::EngineId,
        /// The target engine.
        to: crate::engine::set::EngineId,
        /// Image IDs.
        images: Vec<String>,
    },
}

/// A kind of object the disk pane can show the reclaimable part of, in its own pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reclaimable {
    /// Images no container uses.
    Images,
    /// Containers that are not running.
    Containers,
    /// Volumes no container refers to.
    Volumes,
}

/// Something a handler asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send a command to the engine.
    Engine(Command),
    /// Do file work.
    File(FileOp),
    /// Copy text to the terminal's clipboard (OSC 52).
    Clipboard(String),
    /// Hand the terminal to a container.
    Terminal(ExecRequest),
    /// Show a status message.
    Say(Level, String),
    /// Focus a pane.
    Focus(super::PaneId),
    /// A request for another pane.
    Msg(Msg),
    /// Leave dockhand (the editor may still ask about unsaved edits).
    Quit,
    /// Leave dockhand now (the editor already agreed).
    Exit,
    /// Work for the set of engines.
    Set(SetOp),
}

impl Effect {
    /// A status message.
    pub fn say(level: Level, text: impl Into<String>) -> Effect {
        Effect::Say(level, text.into())
    }

    /// An info message.
    pub fn info(text: impl Into<String>) -> Effect {
        Effect::Say(Level::Info, text.into())
    }
}

impl From<Command> for Effect {
    fn from(c: Command) -> Effect {
        Effect::Engine(c)
    }
}

/// Engine commands as effects.
pub fn engine(cmds: impl IntoIterator<Item = Command>) -> Vec<Effect> {
    cmds.into_iter().map(Effect::Engine).collect()
}

/// The engine commands among `effects` (tests compare them).
pub fn commands(effects: &[Effect]) -> Vec<Command> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Engine(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}
