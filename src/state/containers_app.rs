//! The containers pane's share of [`AppState`]: its actions, keys, engine events, and the streams
//! it wants (logs of the open view, stats of visible running containers).
use crossterm::event::{KeyCode, KeyEvent};

use super::container_dialogs::{ContainerDialog, Outcome, Target};
use super::container_logs::LogsView;
use super::container_run_form::{Known, RunForm};
use super::input::TextInput;
use super::{AppState, Level, Pane};
use crate::action::Action;
use crate::engine::containers::ContainerOp;
use crate::engine::{Command, EngineEvent};

/// Grace period of stop and restart, seconds (like `docker stop`).
pub const STOP_TIMEOUT: u32 = 10;

/// Terminal work the app loop must perform with the TUI suspended: an interactive exec, or
/// attaching to a container created for `docker run -it` and starting it.
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

impl AppState {
    fn known_names(&self) -> Vec<String> {
        self.container_pane
            .rows
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// Moves the images pane's cursor onto the selected container's image.
    fn show_container_image(&mut self) -> Vec<Command> {
        let Some(image_id) = self.container_pane.selected().map(|c| c.image_id.clone()) else {
            return vec![];
        };
        let images = &mut self.images;
        let pos = images
            .view
            .iter()
            .position(|&i| images.rows[i].id == image_id);
        match pos {
            Some(p) => {
                images.cursor = p;
                images.scroll(self.viewport.0);
                self.follow_selection()
            }
            None => vec![],
        }
    }

    fn targets(&self) -> Vec<Target> {
        self.container_pane
            .targets()
            .into_iter()
            .map(Target::of)
            .collect()
    }

    fn op(&mut self, op: ContainerOp, want: fn(&Target) -> bool, what: &str) -> Vec<Command> {
        let targets: Vec<Target> = self.targets().into_iter().filter(want).collect();
        if targets.is_empty() {
            self.say(Level::Info, format!("no {what} container selected"));
            return vec![];
        }
        self.container_pane.marked.clear();
        vec![Command::ContainerAction {
            targets: targets.into_iter().map(|t| (t.id, t.name)).collect(),
            op,
        }]
    }

    /// Opens the run dialog for the selected image (from the images or layers pane).
    pub(super) fn open_run(&mut self) -> Vec<Command> {
        let Some(row) = self.images.selected() else {
            self.say(Level::Info, "no image selected");
            return vec![];
        };
        let image = row.reference.clone().unwrap_or_else(|| row.id.clone());
        self.focus = Pane::Containers;
        self.container_pane.dialog = Some(ContainerDialog::Run(Box::new(RunForm::new(&image))));
        vec![Command::ListNetworks]
    }

    /// The pane's actions; `None` when the action is not the pane's (the caller handles it).
    pub(super) fn on_containers_action(&mut self, action: Action) -> Option<Vec<Command>> {
        if action == Action::FocusContainers {
            self.focus = Pane::Containers;
            return Some(self.show_container_image());
        }
        if action == Action::RunImage {
            return Some(self.open_run());
        }
        if self.focus != Pane::Containers || self.help {
            return None;
        }
        let pane = &mut self.container_pane;
        let page = isize::try_from(pane.viewport.max(1)).unwrap_or(10);
        let moved = |s: &mut AppState, d: isize| {
            s.container_pane.move_by(d);
            s.show_container_image()
        };
        let cmds = match action {
            Action::Up => moved(self, -1),
            Action::Down => moved(self, 1),
            Action::PageUp => moved(self, -page),
            Action::PageDown => moved(self, page),
            Action::Top => moved(self, isize::MIN / 2),
            Action::Bottom => moved(self, isize::MAX / 2),
            Action::Filter => {
                pane.filter_input = Some(TextInput::with(&pane.filter));
                vec![]
            }
            Action::Back => {
                if pane.filter.is_empty() {
                    pane.marked.clear();
                } else {
                    pane.set_filter("");
                }
                vec![]
            }
            Action::CycleSort => {
                pane.cycle_sort();
                vec![]
            }
            Action::ReverseSort => {
                pane.reverse_sort();
                vec![]
            }
            Action::ToggleMark => {
                pane.toggle_mark();
                self.show_container_image()
            }
            Action::StartContainer => self.op(ContainerOp::Start, |t| !t.live, "stopped"),
            Action::StopContainer => self.op(
                ContainerOp::Stop {
                    timeout: STOP_TIMEOUT,
                },
                |t| t.live,
                "running",
            ),
            Action::RestartContainer => self.op(
                ContainerOp::Restart {
                    timeout: STOP_TIMEOUT,
                },
                |_| true,
                "",
            ),
            Action::PauseContainer => {
                let targets = self.targets();
                let paused = !targets.is_empty() && targets.iter().all(|t| t.state == "paused");
                if paused {
                    self.op(ContainerOp::Unpause, |t| t.state == "paused", "paused")
                } else {
                    self.op(ContainerOp::Pause, |t| t.state == "running", "running")
                }
            }
            Action::KillContainer => {
                let targets: Vec<Target> = self.targets().into_iter().filter(|t| t.live).collect();
                if targets.is_empty() {
                    self.say(Level::Info, "no running container selected");
                } else {
                    self.container_pane.dialog = Some(ContainerDialog::Kill { targets, signal: 0 });
                }
                vec![]
            }
            Action::RenameContainer => {
                if let Some(c) = self.container_pane.selected() {
                    let target = Target::of(c);
                    self.container_pane.dialog = Some(ContainerDialog::Rename {
                        input: TextInput::with(&target.name),
                        target,
                        error: None,
                    });
                }
                vec![]
            }
            Action::Remove => {
                let targets = self.targets();
                if targets.is_empty() {
                    self.say(Level::Info, "no container selected");
                } else {
                    self.container_pane.dialog = Some(ContainerDialog::Remove {
                        targets,
                        force_step: false,
                    });
                }
                vec![]
            }
            Action::Prune => {
                let targets = pane.stopped().into_iter().map(Target::of).collect();
                pane.dialog = Some(ContainerDialog::Prune { targets, scroll: 0 });
                vec![]
            }
            Action::ContainerLogs => {
                if let Some(c) = pane.selected() {
                    pane.logs = Some(LogsView::new(&c.id, &c.name));
                }
                vec![]
            }
            Action::ExecShell | Action::ExecCommand => {
                match pane.selected() {
                    Some(c) if c.state == "running" && action == Action::ExecCommand => {
                        pane.dialog = Some(ContainerDialog::Exec {
                            target: Target::of(c),
                            input: TextInput::with("/bin/sh"),
                            error: None,
                        });
                    }
                    Some(c) if c.state == "running" => {
                        pane.exec = Some(ExecRequest {
                            id: c.id.clone(),
                            name: c.name.clone(),
                            cmd: vec!["/bin/sh".into()],
                            attach: false,
                        });
                    }
                    Some(c) => {
                        let text = format!("{} is {}, not running", c.name, c.state);
                        self.say(Level::Info, text)
                    }
                    None => self.say(Level::Info, "no container selected"),
                }
                vec![]
            }
            Action::Details => match pane.selected() {
                Some(c) => {
                    let id = c.id.clone();
                    pane.dialog = Some(ContainerDialog::Inspect {
                        id: id.clone(),
                        details: None,
                        reveal: false,
                        scroll: 0,
                    });
                    vec![Command::InspectContainer { id }]
                }
                None => vec![],
            },
            _ => return None,
        };
        Some(cmds)
    }

    /// Keys for the pane's overlays (dialog, logs view, filter input); `None` when none is open.
    pub(super) fn on_containers_key(&mut self, key: &KeyEvent) -> Option<Vec<Command>> {
        if self.focus != Pane::Containers {
            return None;
        }
        if self.container_pane.dialog.is_some() {
            let names = self.known_names();
            let networks = self.container_pane.networks.clone();
            let known = Known {
                names: &names,
                networks: &networks,
            };
            let outcome = self
                .container_pane
                .dialog
                .as_mut()
                .map_or(Outcome::Close, |d| d.on_key(key, known));
            return Some(match outcome {
                Outcome::Stay => vec![],
                Outcome::Close => {
                    self.container_pane.dialog = None;
                    vec![]
                }
                Outcome::Submit(cmds) => {
                    self.container_pane.dialog = None;
                    self.container_pane.marked.clear();
                    cmds
                }
                Outcome::Run { command, attached } => {
                    self.container_pane.dialog = None;
                    // `-it` attached: created only; the terminal is attached, then it starts.
                    let terminal =
                        matches!(&command, Command::RunContainer(spec) if spec.create_only);
                    self.container_pane.attach_next = attached && !terminal;
                    self.container_pane.attach_terminal = attached && terminal;
                    vec![command]
                }
                Outcome::Exec(request) => {
                    self.container_pane.dialog = None;
                    self.container_pane.exec = Some(request);
                    vec![]
                }
            });
        }
        let pane = &mut self.container_pane;
        if let Some(logs) = &mut pane.logs {
            if !logs.on_key(key) {
                pane.logs = None;
            }
            return Some(vec![]);
        }
        let input = pane.filter_input.as_mut()?;
        match key.code {
            KeyCode::Esc => {
                pane.filter_input = None;
                pane.set_filter("");
            }
            KeyCode::Enter | KeyCode::Down | KeyCode::Up => pane.filter_input = None,
            _ => {
                input.handle(key);
                let text = input.text.clone();
                pane.set_filter(&text);
            }
        }
        Some(self.show_container_image())
    }

    /// Engine events of the pane; gives the event back when it is not the pane's.
    pub(super) fn on_containers_engine(
        &mut self,
        event: EngineEvent,
    ) -> Result<Vec<Command>, Box<EngineEvent>> {
        let pane = &mut self.container_pane;
        match event {
            EngineEvent::Logs { id, lines } => {
                if let Some(v) = pane.logs.as_mut().filter(|v| v.id == id) {
                    v.push(lines);
                }
            }
            EngineEvent::LogsEnded { id, result } => {
                if let Some(v) = pane.logs.as_mut().filter(|v| v.id == id) {
                    v.ended = Some(match result {
                        Ok(()) => "the container stopped; the log ended".into(),
                        Err(e) => format!("log failed: {e}"),
                    });
                }
                if pane.following.as_deref() == Some(id.as_str()) {
                    pane.following = None;
                }
            }
            EngineEvent::Stats { id, sample } => {
                if pane.watched.contains(&id) {
                    pane.stats.entry(id).or_default().add(sample);
                    pane.stats_unseen = true;
                }
            }
            EngineEvent::ContainerInspect { id, result } => {
                if let Some(ContainerDialog::Inspect {
                    id: want, details, ..
                }) = &mut pane.dialog
                    && *want == id
                {
                    *details = Some(result.map_err(|e| e.to_string()));
                }
            }
            EngineEvent::Networks(Ok(names)) => pane.networks = names,
            EngineEvent::Networks(Err(e)) => {
                self.say(Level::Error, format!("listing networks failed: {e}"))
            }
            other => return Err(Box::new(other)),
        }
        Ok(vec![])
    }

    /// A container the user ran was created: select it when listed; attached, open its logs, or
    /// (with a TTY) hand it the terminal and start it.
    pub(super) fn on_container_created(&mut self, id: String, name: String) {
        let pane = &mut self.container_pane;
        if std::mem::take(&mut pane.attach_next) {
            pane.logs = Some(LogsView::new(&id, &name));
        }
        if std::mem::take(&mut pane.attach_terminal) {
            pane.exec = Some(ExecRequest {
                id: id.clone(),
                name: name.clone(),
                cmd: vec![],
                attach: true,
            });
        }
        pane.pending_select = Some(id.clone());
        let rows = pane.rows.clone();
        pane.set_rows(rows);
        self.say(
            Level::Ok,
            format!("started {name} ({})", crate::util::text::short_id(&id)),
        );
    }

    /// Records how many rows (or log lines) the pane showed in the last frame.
    pub fn set_container_viewport(&mut self, rows: usize) {
        let pane = &mut self.container_pane;
        if self.focus != Pane::Containers {
            return;
        }
        match &mut pane.logs {
            Some(logs) => logs.height = rows.max(1),
            None => {
                pane.viewport = rows.max(1);
                pane.move_by(0);
            }
        }
    }

    /// The streams the screen needs now compared with what the engine was last asked for:
    /// logs of the open view, stats of running containers visible in the focused pane.
    /// Returns the commands that bring the engine in line (nothing when nothing changed).
    pub fn sync_container_streams(&mut self) -> Vec<Command> {
        let pane = &mut self.container_pane;
        let mut cmds = Vec::new();
        let want_logs = pane.logs.as_ref().map(|v| v.id.clone());
        let logs_ended = pane.logs.as_ref().is_some_and(|v| v.ended.is_some());
        if want_logs != pane.following && !(logs_ended && want_logs.is_some()) {
            pane.following = want_logs.clone();
            cmds.push(Command::FollowLogs { id: want_logs });
        }
        let want_stats = if self.focus == Pane::Containers && pane.logs.is_none() {
            pane.visible_running()
        } else {
            Vec::new()
        };
        if want_stats != pane.watched {
            pane.stats.retain(|id, _| want_stats.contains(id));
            pane.watched = want_stats.clone();
            cmds.push(Command::WatchStats { ids: want_stats });
        }
        cmds
    }
}

#[cfg(test)]
#[path = "containers_app_tests.rs"]
mod tests;
