//! The containers pane as a [`Pane`]: its actions, keys, engine events, and the streams it wants
//! (logs of the open view, stats of visible running containers).
use crossterm::event::KeyEvent;

use super::ContainersPane;
use super::dialogs::{ContainerDialog, ContainerOutcome, Submitted, Target};
use super::logs::LogsView;
use super::run_form::{Known, RunForm};
use crate::action::{Action, ContainersAction, ListAction};
use crate::engine::containers::ContainerOp;
use crate::engine::{Command, ContainerState, EngineEvent, JobOutcome};
use crate::state::effect::{Effect, ExecRequest, Level, Msg};
use crate::state::pane::{Cx, Pane, PaneId};
use crate::state::widgets::outcome::Outcome;
use crate::state::widgets::prompt::Prompt;
use crate::state::widgets::scroll::Viewport;

/// Grace period of stop and restart, seconds (like `docker stop`).
pub const STOP_TIMEOUT: u32 = 10;

impl ContainersPane {
    /// Selects the selected container's image in the images pane.
    fn show_image(&self) -> Vec<Effect> {
        self.selected()
            .map(|c| vec![Effect::Msg(Msg::SelectImage(c.image_id.clone()))])
            .unwrap_or_default()
    }

    fn targets(&self) -> Vec<Target> {
        self.table.targets().into_iter().map(Target::of).collect()
    }

    fn op(&mut self, op: ContainerOp, want: fn(&Target) -> bool, what: &str) -> Vec<Effect> {
        let targets: Vec<Target> = self.targets().into_iter().filter(want).collect();
        if targets.is_empty() {
            return vec![Effect::info(format!("no {what} container selected"))];
        }
        self.table.marked.clear();
        vec![Effect::Engine(Command::ContainerAction {
            targets: targets.into_iter().map(|t| (t.id, t.name)).collect(),
            op,
        })]
    }

    /// Opens the run dialog for `image` (a reference or an ID).
    pub fn open_run(&mut self, image: &str) -> Vec<Effect> {
        self.dialog = Some(ContainerDialog::Run(Box::new(RunForm::new(image))));
        vec![Effect::Engine(Command::ListNetworks)]
    }

    fn list_action(&mut self, action: ListAction) -> Vec<Effect> {
        if self.table.navigate(action) {
            return self.show_image();
        }
        match action {
            ListAction::Filter => self.filter.open(&self.table.filter),
            ListAction::Remove => {
                let targets = self.targets();
                if targets.is_empty() {
                    return vec![Effect::info("no container selected")];
                }
                self.dialog = Some(ContainerDialog::Remove {
                    targets,
                    force_step: false,
                });
                return vec![];
            }
            ListAction::Prune => {
                let targets = self.stopped().into_iter().map(Target::of).collect();
                self.dialog = Some(ContainerDialog::Prune {
                    targets,
                    view: Viewport::default(),
                });
                return vec![];
            }
            ListAction::Details => return self.inspect(),
            _ => {}
        }
        vec![]
    }

    fn inspect(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected().map(|c| c.id.clone()) else {
            return vec![];
        };
        self.dialog = Some(ContainerDialog::Inspect {
            id: id.clone(),
            details: None,
            reveal: false,
            view: Viewport::default(),
        });
        vec![Effect::Engine(Command::InspectContainer { id })]
    }

    fn pause(&mut self) -> Vec<Effect> {
        let targets = self.targets();
        let paused = !targets.is_empty()
            && targets
                .iter()
                .all(|t| t.state == ContainerState::Paused.as_str());
        if paused {
            self.op(ContainerOp::Unpause, |t| t.state == "paused", "paused")
        } else {
            self.op(ContainerOp::Pause, |t| t.state == "running", "running")
        }
    }

    fn exec(&mut self, action: ContainersAction) -> Vec<Effect> {
        match self.selected() {
            Some(c) if c.state == ContainerState::Running => {
                let target = Target::of(c);
                if action == ContainersAction::ExecCommand {
                    self.dialog = Some(ContainerDialog::Exec {
                        target,
                        prompt: Prompt::new("/bin/sh", |_| None),
                    });
                    return vec![];
                }
                vec![Effect::Terminal(ExecRequest {
                    id: target.id,
                    name: target.name,
                    cmd: vec!["/bin/sh".into()],
                    attach: false,
                })]
            }
            Some(c) => vec![Effect::info(format!(
                "{} is {}, not running",
                c.name, c.state
            ))],
            None => vec![Effect::info("no container selected")],
        }
    }

    fn action(&mut self, action: ContainersAction) -> Vec<Effect> {
        let timeout = STOP_TIMEOUT;
        match action {
            ContainersAction::Start => self.op(ContainerOp::Start, |t| !t.live, "stopped"),
            ContainersAction::Stop => self.op(ContainerOp::Stop { timeout }, |t| t.live, "running"),
            ContainersAction::Restart => self.op(ContainerOp::Restart { timeout }, |_| true, ""),
            ContainersAction::Pause => self.pause(),
            ContainersAction::Kill => {
                let targets: Vec<Target> = self.targets().into_iter().filter(|t| t.live).collect();
                if targets.is_empty() {
                    return vec![Effect::info("no running container selected")];
                }
                self.dialog = Some(ContainerDialog::Kill { targets, signal: 0 });
                vec![]
            }
            ContainersAction::Rename => {
                if let Some(c) = self.selected() {
                    let target = Target::of(c);
                    self.dialog = Some(ContainerDialog::Rename {
                        prompt: Prompt::new(&target.name, |_| None),
                        target,
                    });
                }
                vec![]
            }
            ContainersAction::Logs => {
                if let Some(c) = self.selected() {
                    self.logs = Some(LogsView::new(&c.id, &c.name));
                }
                vec![]
            }
            ContainersAction::ExecShell | ContainersAction::ExecCommand => self.exec(action),
            ContainersAction::Commit
            | ContainersAction::Export
            | ContainersAction::Diff
            | ContainersAction::CopyOut
            | ContainersAction::CopyIn => self.offline(action),
        }
    }

    /// A directory listing for the path completion of the open dialog.
    pub fn on_listing(&mut self, listing: &crate::state::widgets::form::Listing) {
        if let Some(ContainerDialog::Offline(d)) = &mut self.dialog {
            d.on_listing(listing);
        }
    }

    fn offline(&mut self, action: ContainersAction) -> Vec<Effect> {
        use crate::state::offline::OfflineDialog;
        let Some(c) = self.selected() else {
            return vec![Effect::info("no container selected")];
        };
        let (id, name) = (c.id.clone(), c.name.clone());
        let (dialog, effects) = match action {
            ContainersAction::Commit => (OfflineDialog::commit(&id, &name), vec![]),
            ContainersAction::Export => (OfflineDialog::export(&id, &name), vec![]),
            ContainersAction::CopyOut => (OfflineDialog::copy_out(&id, &name), vec![]),
            ContainersAction::CopyIn => (OfflineDialog::copy_in(&id, &name), vec![]),
            _ => {
                let (d, e) = OfflineDialog::diff(&id, &name);
                (d, vec![e])
            }
        };
        self.dialog = Some(ContainerDialog::Offline(dialog));
        effects
    }

    fn dialog_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let names: Vec<String> = self.table.rows.iter().map(|c| c.name.clone()).collect();
        let known = Known {
            names: &names,
            networks: &self.networks,
        };
        let outcome: ContainerOutcome = self.dialog.as_mut()?.on_key(cx.keymap, key, known);
        Some(match outcome {
            Outcome::Stay => vec![],
            Outcome::Send(effects) => effects,
            Outcome::Close => {
                self.dialog = None;
                vec![]
            }
            Outcome::Submit(submitted) => {
                self.dialog = None;
                self.submitted(submitted)
            }
        })
    }

    fn submitted(&mut self, submitted: Submitted) -> Vec<Effect> {
        match submitted {
            Submitted::Send(cmds) => {
                self.table.marked.clear();
                cmds.into_iter().map(Effect::Engine).collect()
            }
            Submitted::Run { command, attached } => {
                // `-it` attached: created only; the terminal is attached, then it starts.
                let terminal = matches!(&command, Command::RunContainer(spec) if spec.create_only);
                self.attach_next = attached && !terminal;
                self.attach_terminal = attached && terminal;
                vec![Effect::Engine(command)]
            }
            Submitted::Exec(request) => vec![Effect::Terminal(request)],
        }
    }

    /// The engine is connected again: a log that stopped because the connection went picks up
    /// after its last line, below a marker line that says so.
    fn resume_logs(&mut self) -> Vec<Effect> {
        let Some(v) = self.logs.as_mut().filter(|v| v.resume) else {
            return vec![];
        };
        v.resume = false;
        v.ended = None;
        v.push_marker(super::logs::RESUMED);
        self.following = Some(v.id.clone());
        let command = if v.last_timestamp.is_empty() {
            Command::FollowLogs {
                id: Some(v.id.clone()),
            }
        } else {
            Command::ResumeLogs {
                id: v.id.clone(),
                after: v.last_timestamp.clone(),
            }
        };
        vec![Effect::Engine(command)]
    }

    /// A container the user ran was created: select it when listed; attached, open its logs, or
    /// (with a TTY) hand it the terminal and start it.
    fn on_created(&mut self, id: &str, name: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        if std::mem::take(&mut self.attach_next) {
            self.logs = Some(LogsView::new(id, name));
        }
        if std::mem::take(&mut self.attach_terminal) {
            effects.push(Effect::Terminal(ExecRequest {
                id: id.to_string(),
                name: name.to_string(),
                cmd: vec![],
                attach: true,
            }));
        }
        self.pending_select = Some(id.to_string());
        let rows = self.table.rows.clone();
        self.set_rows(rows);
        let text = format!("started {name} ({})", crate::util::text::short_id(id));
        effects.insert(0, Effect::say(Level::Ok, text));
        effects
    }
}

impl Pane for ContainersPane {
    fn on_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        if self.dialog.is_some() {
            return self.dialog_key(key, cx);
        }
        if !cx.focused(PaneId::Containers) {
            return None;
        }
        if let Some(logs) = &mut self.logs {
            if !logs.on_key(key) {
                self.logs = None;
            }
            return Some(vec![]);
        }
        let change = self.filter.on_key(key)?;
        if let Some(text) = change {
            self.table.set_filter(&text);
        }
        Some(self.show_image())
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        match action {
            Action::List(a) => Some(self.list_action(a)),
            Action::Containers(a) => Some(self.action(a)),
            _ => None,
        }
    }

    fn on_engine(&mut self, event: &EngineEvent, cx: &Cx<'_>) -> Vec<Effect> {
        if let Some(ContainerDialog::Offline(d)) = &mut self.dialog {
            d.on_engine(event);
        }
        match event {
            EngineEvent::Inventory(Ok(inv)) => {
                self.listed_at = cx.shared.now;
                self.set_rows(inv.containers.clone())
            }
            EngineEvent::Logs { id, lines } => {
                if let Some(v) = self.logs.as_mut().filter(|v| &v.id == id) {
                    v.push(lines.clone());
                }
            }
            EngineEvent::LogsEnded { id, result } => {
                if let Some(v) = self.logs.as_mut().filter(|v| &v.id == id) {
                    v.resume = matches!(result, Err(e) if e.is_connection());
                    v.ended = Some(match result {
                        Ok(()) => "the container stopped; the log ended".into(),
                        Err(_) if v.resume => {
                            "engine connection lost: the log stopped here (resumes when the engine is back)".into()
                        }
                        Err(e) => format!("log failed: {e}"),
                    });
                }
                if self.following.as_deref() == Some(id.as_str()) {
                    self.following = None;
                }
            }
            EngineEvent::Stats { id, sample } if self.watched.contains(id) => {
                self.stats
                    .entry(id.clone())
                    .or_default()
                    .add(sample.clone());
                self.stats_unseen = true;
            }
            EngineEvent::ContainerInspect { id, result } => {
                if let Some(ContainerDialog::Inspect {
                    id: want, details, ..
                }) = &mut self.dialog
                    && want == id
                {
                    *details = Some(match result {
                        Ok(d) => Ok(d.clone()),
                        Err(e) => Err(e.to_string()),
                    });
                }
            }
            EngineEvent::Networks(Ok(names)) => self.networks = names.clone(),
            EngineEvent::Networks(Err(e)) => {
                return vec![Effect::say(
                    Level::Error,
                    format!("listing networks failed: {e}"),
                )];
            }
            EngineEvent::JobFinished {
                result: Ok(JobOutcome::Created { id, name }),
                ..
            } => return self.on_created(id, name),
            EngineEvent::Connection(crate::engine::Connection::Connected(_)) => {
                return self.resume_logs();
            }
            _ => {}
        }
        vec![]
    }

    fn on_focus(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        self.show_image()
    }

    fn on_tick(&mut self, cx: &Cx<'_>) -> (Vec<Effect>, bool) {
        let before = std::mem::replace(&mut self.ticked, cx.shared.now);
        let status = self.logs.is_none() && self.status_changed(before, cx.shared.now);
        (vec![], std::mem::take(&mut self.stats_unseen) | status)
    }

    fn set_viewport(&mut self, rows: usize) {
        match &mut self.logs {
            Some(logs) => logs.height = rows.max(1),
            None => self.table.viewport.set_height(rows),
        }
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }

    /// Logs of the open view, stats of running containers visible in the focused pane.
    fn sync(&mut self, cx: &Cx<'_>) -> Vec<Effect> {
        let mut cmds = Vec::new();
        let want_logs = self.logs.as_ref().map(|v| v.id.clone());
        let logs_ended = self.logs.as_ref().is_some_and(|v| v.ended.is_some());
        if want_logs != self.following && !(logs_ended && want_logs.is_some()) {
            self.following = want_logs.clone();
            cmds.push(Effect::Engine(Command::FollowLogs { id: want_logs }));
        }
        let want_stats = if cx.focused(PaneId::Containers) && self.logs.is_none() {
            self.visible_running()
        } else {
            Vec::new()
        };
        if want_stats != self.watched {
            self.stats.retain(|id, _| want_stats.contains(id));
            self.watched = want_stats.clone();
            cmds.push(Effect::Engine(Command::WatchStats { ids: want_stats }));
        }
        cmds
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
