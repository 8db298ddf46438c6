//! Application state and the pure functions that change it.
//!
//! Nothing here does I/O: [`AppState::on_key`] and [`AppState::on_engine`] change the state and
//! return the engine [`Command`]s to send. Tests drive them directly.
pub mod container_dialogs;
pub mod container_logs;
pub mod container_run_form;
pub mod container_stats;
pub mod containers;
pub mod containers_app;
pub mod dialog;
pub mod editor;
pub mod explorer;
pub mod images;
mod images_app;
pub mod input;
pub mod jobs;
pub mod layers;
pub mod registry;
pub mod registry_dialog;
mod registry_glue;
pub mod registry_search;

use crossterm::event::{KeyCode, KeyEvent};

use crate::action::Action;
use crate::config::key::Key;
use crate::config::keymap::{Context, Keymap};
use crate::engine::{Command, Connection, ContainerInfo, EngineEvent, JobOutcome};
use dialog::{Dialog, DialogOutcome, PlanState};
use explorer::ExplorerState;
use images::ImagesState;
use input::TextInput;
use jobs::Jobs;
use layers::LayersState;
use registry::RegistryState;

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    /// Images.
    #[default]
    Images,
    /// Layers of the selected image.
    Layers,
    /// Running and finished jobs with their progress.
    Jobs,
    /// The layer explorer: files of every layer, wasted space, efficiency.
    Explorer,
    /// Registries: Docker Hub search and private registry browsing.
    Registry,
    /// The Dockerfile editor.
    Editor,
    /// Containers: lifecycle, logs, stats, exec.
    Containers,
}

impl Pane {
    /// All panes in Tab order.
    pub const ALL: [Pane; 7] = [
        Pane::Images,
        Pane::Layers,
        Pane::Jobs,
        Pane::Explorer,
        Pane::Registry,
        Pane::Editor,
        Pane::Containers,
    ];

    /// The keymap section of the pane.
    pub fn context(self) -> Context {
        match self {
            Pane::Images => Context::Images,
            Pane::Layers => Context::Layers,
            Pane::Jobs => Context::Jobs,
            Pane::Explorer => Context::Explorer,
            Pane::Registry => Context::Registry,
            Pane::Editor => Context::Editor,
            Pane::Containers => Context::Containers,
        }
    }

    /// The pane's name in the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Images => "Images",
            Pane::Layers => "Layers",
            Pane::Jobs => "Jobs",
            Pane::Explorer => "Explorer",
            Pane::Registry => "Registry",
            Pane::Editor => "Editor",
            Pane::Containers => "Containers",
        }
    }

    /// The action that focuses the pane (its number key in the default keymap).
    pub fn focus_action(self) -> Action {
        match self {
            Pane::Images => Action::FocusImages,
            Pane::Layers => Action::FocusLayers,
            Pane::Jobs => Action::FocusJobs,
            Pane::Explorer => Action::FocusExplorer,
            Pane::Registry => Action::FocusRegistry,
            Pane::Editor => Action::FocusEditor,
            Pane::Containers => Action::FocusContainers,
        }
    }

    /// Whether the pane shares the screen with the images pane.
    pub fn beside_images(self) -> bool {
        matches!(self, Pane::Images | Pane::Layers)
    }
}

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

/// Everything the UI draws.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Focused pane.
    pub focus: Pane,
    /// Engine connection.
    pub connection: Connection,
    /// Images pane.
    pub images: ImagesState,
    /// Layers pane.
    pub layers: LayersState,
    /// Containers, for in-use marks and counts.
    pub containers: Vec<ContainerInfo>,
    /// The containers pane.
    pub container_pane: containers::ContainersState,
    /// Jobs.
    pub jobs: Jobs,
    /// The layer explorer.
    pub explorer: ExplorerState,
    /// Registry pane.
    pub registry: RegistryState,
    /// Open dialog.
    pub dialog: Option<Dialog>,
    /// Filter being typed (the images pane's `/`).
    pub filter_input: Option<TextInput>,
    /// Help overlay open.
    pub help: bool,
    /// Latest message for the status bar.
    pub message: Option<(Level, String)>,
    /// Latest error, kept until the next one.
    pub last_error: Option<String>,
    /// Current time, unix seconds (set by the loop so drawing stays pure).
    pub now: i64,
    /// The user asked to quit.
    pub quit: bool,
    /// Page size for PageUp/PageDown, set from the last drawn frame.
    pub page: usize,
    /// Rows visible in the images and layers tables in the last frame.
    pub viewport: (usize, usize),
    /// The Dockerfile editor.
    pub editor: Box<editor::EditorState>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            focus: Pane::Images,
            connection: Connection::Connecting,
            images: ImagesState::default(),
            layers: LayersState::default(),
            containers: Vec::new(),
            container_pane: Default::default(),
            jobs: Jobs::default(),
            explorer: ExplorerState::default(),
            registry: RegistryState::default(),
            dialog: None,
            filter_input: None,
            help: false,
            message: None,
            last_error: None,
            now: 0,
            quit: false,
            page: 10,
            viewport: (10, 10),
            editor: Box::default(),
        }
    }
}

impl AppState {
    /// Sets a status message; errors are also kept as the last error.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        if level == Level::Error {
            self.last_error = Some(text.clone());
        }
        self.message = Some((level, text));
    }

    /// Asks for the selected image's details when the selection moved to another image.
    fn follow_selection(&mut self) -> Vec<Command> {
        let selected = self.images.selected().map(|r| r.id.clone());
        match selected {
            Some(id) if self.layers.image_id.as_deref() != Some(id.as_str()) => {
                self.layers.load(&id);
                vec![Command::Details { image_id: id }]
            }
            Some(_) => vec![],
            None => {
                self.layers = LayersState::default();
                vec![]
            }
        }
    }

    /// Handles a key press.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Command> {
        if let Some(cmds) = self.registry_key(key) {
            return cmds;
        }
        if let Some(dialog) = &mut self.dialog {
            return match dialog.on_key(key) {
                DialogOutcome::Stay => vec![],
                DialogOutcome::Close => {
                    self.dialog = None;
                    vec![]
                }
                DialogOutcome::Submit(cmds) => {
                    self.dialog = None;
                    self.images.marked.clear();
                    cmds
                }
                DialogOutcome::Send(cmds) => cmds,
            };
        }
        if self.focus == Pane::Explorer && self.explorer.on_filter_key(key) {
            return vec![];
        }
        if self.focus == Pane::Editor && self.dialog.is_none() {
            return self.editor_key(keymap, key);
        }
        if let Some(cmds) = self.on_containers_key(key) {
            return cmds;
        }
        if let Some(input) = &mut self.filter_input {
            match key.code {
                KeyCode::Esc => {
                    self.filter_input = None;
                    self.images.set_filter("");
                }
                KeyCode::Enter | KeyCode::Down | KeyCode::Up => self.filter_input = None,
                _ => {
                    input.handle(key);
                    let text = input.text.clone();
                    self.images.set_filter(&text);
                }
            }
            return self.follow_selection();
        }
        let Some(action) = keymap.action(self.focus.context(), Key::from_event(key)) else {
            return vec![];
        };
        if self.help && !matches!(action, Action::Quit) {
            self.help = false;
            return vec![];
        }
        self.on_action(action)
    }

    /// Applies an action.
    pub fn on_action(&mut self, action: Action) -> Vec<Command> {
        if let Some(cmds) = self.on_containers_action(action) {
            return cmds;
        }
        let page = isize::try_from(self.page.max(1)).unwrap_or(10);
        if self.focus == Pane::Explorer {
            if let Some(cmds) = self.explorer.on_action(action) {
                return cmds;
            }
            if action == Action::Back {
                self.focus = Pane::Layers;
                return vec![];
            }
        }
        match action {
            Action::Quit => self.quit = self.editor_allows_quit(),
            Action::Help => self.help = !self.help,
            Action::NextPane | Action::PrevPane => {
                let i = Pane::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = Pane::ALL.len();
                let next = if action == Action::NextPane {
                    i + 1
                } else {
                    i + n - 1
                };
                self.focus = Pane::ALL[next % n];
                if self.focus == Pane::Registry {
                    return self.registry.on_focus();
                }
            }
            Action::FocusImages => self.focus = Pane::Images,
            Action::FocusLayers => self.focus = Pane::Layers,
            Action::FocusJobs => self.focus = Pane::Jobs,
            Action::FocusExplorer if self.explorer.image.is_some() => self.focus = Pane::Explorer,
            Action::FocusExplorer => return explorer::open(self, false),
            Action::OpenExplorer => return explorer::open(self, self.focus == Pane::Layers),
            // The explorer's own keys do nothing elsewhere.
            Action::PrevLayer
            | Action::NextLayer
            | Action::SwitchSide
            | Action::ToggleNode
            | Action::Collapse
            | Action::Expand
            | Action::CollapseAll
            | Action::ToggleChangesOnly
            | Action::ToggleAdded
            | Action::ToggleModified
            | Action::ToggleRemoved
            | Action::ToggleUnchanged
            | Action::ToggleWasted => {}
            Action::FocusRegistry
            | Action::Pull
            | Action::Push
            | Action::RegistryOpen
            | Action::RegistrySearch
            | Action::RegistryPull
            | Action::AddRegistry
            | Action::Login => return self.registry_action(action),
            Action::FocusEditor => self.focus = Pane::Editor,
            Action::Save
            | Action::Build
            | Action::ToggleLint
            | Action::OpenFile
            | Action::Search
            | Action::SearchNext => self.focus = Pane::Editor,
            Action::Up => return self.move_cursor(-1),
            Action::Down => return self.move_cursor(1),
            Action::PageUp => return self.move_cursor(-page),
            Action::PageDown => return self.move_cursor(page),
            Action::Top => return self.move_cursor(isize::MIN / 2),
            Action::Bottom => return self.move_cursor(isize::MAX / 2),
            Action::Filter => {
                self.focus = Pane::Images;
                self.filter_input = Some(TextInput::with(&self.images.filter));
            }
            Action::Back if self.focus == Pane::Registry => self.registry.back(),
            Action::Back => {
                if !self.images.filter.is_empty() {
                    self.images.set_filter("");
                    return self.follow_selection();
                }
                self.images.marked.clear();
            }
            Action::CycleSort => self.images.cycle_sort(),
            Action::ReverseSort => self.images.reverse_sort(),
            Action::ToggleMark => {
                self.images.toggle_mark();
                return self.follow_selection();
            }
            Action::Tag => self.open_tag(),
            Action::Remove => self.open_remove(),
            Action::Prune => {
                let (dialog, cmd) = Dialog::prune(Default::default(), false);
                self.dialog = Some(dialog);
                return vec![cmd];
            }
            Action::Details => self.open_details(),
            Action::Refresh => return vec![Command::Refresh, Command::Reconnect],
            Action::CancelJob => {
                let selected = self
                    .jobs
                    .selected()
                    .filter(|j| self.focus == Pane::Jobs && j.status == jobs::JobStatus::Running)
                    .map(|j| j.id);
                if let Some(id) = selected.or_else(|| self.jobs.newest_running()) {
                    return vec![Command::Cancel(id)];
                }
                self.say(Level::Info, "no running job to cancel");
            }
            // Container actions outside the containers pane (on_containers_action took the rest).
            Action::FocusContainers
            | Action::StartContainer
            | Action::StopContainer
            | Action::RestartContainer
            | Action::PauseContainer
            | Action::KillContainer
            | Action::RenameContainer
            | Action::ContainerLogs
            | Action::ExecShell
            | Action::ExecCommand
            | Action::RunImage => {}
        }
        vec![]
    }

    fn move_cursor(&mut self, delta: isize) -> Vec<Command> {
        match self.focus {
            Pane::Images => {
                self.images.move_by(delta);
                self.images.scroll(self.viewport.0);
                self.follow_selection()
            }
            Pane::Layers => {
                self.layers.move_by(delta);
                self.layers.offset =
                    images::visible_offset(self.layers.offset, self.layers.cursor, self.viewport.1);
                vec![]
            }
            Pane::Jobs => {
                self.jobs.move_by(delta);
                vec![]
            }
            Pane::Explorer => {
                self.explorer.move_by(delta);
                vec![]
            }
            Pane::Registry => {
                self.registry.move_by(delta);
                vec![]
            }
            Pane::Editor => vec![],
            Pane::Containers => vec![],
        }
    }

    /// Applies an engine event.
    pub fn on_engine(&mut self, event: EngineEvent) -> Vec<Command> {
        let event = match self.on_containers_engine(event) {
            Ok(cmds) => return cmds,
            Err(event) => *event,
        };
        match event {
            EngineEvent::Connection(c) => {
                if let Connection::Disconnected { attempts, .. } = &c
                    && let Some(a) = attempts.last()
                {
                    let error = format!("engine unreachable: {} ({})", a.error, a.endpoint);
                    self.last_error = Some(error);
                }
                self.connection = c;
            }
            EngineEvent::Inventory(Ok(inv)) => {
                self.images
                    .set_rows(images::rows_from(&inv.images, &inv.containers));
                self.container_pane.set_rows(inv.containers.clone());
                self.containers = inv.containers;
                self.editor_select_built();
                let mut cmds = self.follow_selection();
                // The selected image may have changed under the same ID (new tags): reload it.
                if cmds.is_empty()
                    && let Some(id) = self.layers.image_id.clone()
                    && self.layers.details.as_ref().is_some_and(|d| {
                        self.images
                            .selected()
                            .is_some_and(|r| r.tag_count != d.repo_tags.len())
                    })
                {
                    cmds.push(Command::Details { image_id: id });
                }
                return cmds;
            }
            EngineEvent::Inventory(Err(e)) => {
                self.say(Level::Error, format!("listing failed: {e}"))
            }
            EngineEvent::Details { image_id, result } => {
                if self.layers.image_id.as_deref() == Some(image_id.as_str()) {
                    match result {
                        Ok(d) => {
                            self.layers.details = Some(*d);
                            self.layers.error = None;
                            self.layers.move_by(0);
                        }
                        Err(e) => self.layers.error = Some(e.to_string()),
                    }
                }
            }
            EngineEvent::PrunePlan(result) => {
                if let Some(Dialog::Prune {
                    plan,
                    scope,
                    build_cache,
                    ..
                }) = &mut self.dialog
                {
                    *plan = match result {
                        Ok(mut p) if p.scope == *scope => {
                            p.build_cache = *build_cache;
                            PlanState::Ready(p)
                        }
                        Ok(_) => return vec![],
                        Err(e) => PlanState::Failed(e.to_string()),
                    };
                }
            }
            EngineEvent::JobStarted { id, kind } => {
                if let crate::engine::JobKind::Analyze { image } = &kind {
                    self.explorer.on_job_started(id, image);
                }
                self.editor_job_started(id, &kind);
                self.jobs.start(id, kind, self.now)
            }
            EngineEvent::JobProgress { id, progress } => {
                self.explorer.on_job_progress(id, &progress);
                self.editor_job_progress(id, &progress);
                self.jobs.progress(id, progress)
            }
            EngineEvent::Analysis { job, image, result } => {
                self.explorer.on_analysis(job, &image, result)
            }
            EngineEvent::Registry(reply) => self.on_registry_reply(reply),
            // Handled by on_containers_engine.
            EngineEvent::Logs { .. }
            | EngineEvent::LogsEnded { .. }
            | EngineEvent::Stats { .. }
            | EngineEvent::ContainerInspect { .. }
            | EngineEvent::Networks(_) => {}
            // The disk panes are not drawn yet: their answers are dropped.
            EngineEvent::Disk(_) => {}
            EngineEvent::JobFinished { id, result } => {
                self.explorer.on_job_finished(id, &result);
                self.editor_job_finished(id, &result);
                if let Some(kind) = self.jobs.finish(id, &result, self.now) {
                    match result {
                        Ok(JobOutcome::Done(text)) => self.say(Level::Ok, text),
                        Ok(JobOutcome::Pruned(r)) => {
                            let cache = r
                                .build_cache_reclaimed
                                .map(|b| {
                                    format!(" + {} of build cache", crate::util::text::bytes(b))
                                })
                                .unwrap_or_default();
                            self.say(
                                Level::Ok,
                                format!(
                                    "pruned: {} items removed, {} reclaimed{cache}",
                                    r.deleted.len(),
                                    crate::util::text::bytes(r.reclaimed)
                                ),
                            );
                        }
                        Ok(JobOutcome::Created { id, name }) => self.on_container_created(id, name),
                        Ok(JobOutcome::Disk(outcome)) => self.say(Level::Ok, outcome.to_string()),
                        Err(e) => self.say(Level::Error, format!("{kind} failed: {e}")),
                    }
                }
            }
        }
        vec![]
    }
}

#[cfg(test)]
mod tests;
