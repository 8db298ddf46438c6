//! Application state: a router over the panes and the data they share.
//!
//! Every pane lives in its own folder and implements [`Pane`]: it owns its state, handles its own
//! keys, actions and engine events, and returns [`Effect`]s. [`AppState`] routes keys (a pane's
//! open dialog first, then the focused pane, then the keymap), fans engine events out to every
//! pane, carries out the effects that concern the state (status messages, focus, requests from one
//! pane to another) and hands the rest — engine commands, file work, the clipboard, the terminal —
//! to the app loop. Nothing here does I/O; tests drive it directly.
pub mod containers;
pub mod disk;
pub mod editor;
pub mod effect;
pub mod engines;
pub mod explorer;
pub mod images;
pub mod jobs;
pub mod layers;
pub mod networks;
pub mod offline;
pub mod pane;
pub mod registry;
mod route;
pub mod shared;
pub mod volumes;
pub mod widgets;

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use crate::action::{Action, AppAction};
use crate::config::key::Key;
use crate::config::keymap::Keymap;
use crate::engine::set::{EngineId, EngineState};
use crate::engine::{Command, EngineEvent};
pub use effect::{Effect, ExecRequest, FileOp, Level, Msg, SetOp};
use engines::warm::carried;
pub use pane::{Cx, Pane, PaneId, Panes};
pub use shared::Shared;

/// Everything the UI draws.
#[derive(Debug, Default)]
pub struct AppState {
    /// What the panes share.
    pub shared: Shared,
    /// The panes.
    pub panes: Panes,
    /// The key help is open.
    pub help: bool,
    /// The first line of the help on screen.
    pub help_scroll: usize,
    /// The user asked to quit (and the editor agreed).
    pub quit: bool,
    /// The engine each running job runs on: a cancel goes there, whichever engine is shown.
    pub job_engines: std::collections::HashMap<crate::engine::JobId, EngineId>,
    /// The engines not shown, kept warm (see [`engines::warm`]).
    pub warm: BTreeMap<EngineId, engines::warm::Warm>,
    /// Tests: the file work and clipboard text the test helpers saw leave the state.
    #[cfg(test)]
    pub(crate) seen: Seen,
}

/// Tests: what left the state through the test helpers, besides engine commands.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// File work asked for.
    pub ops: Vec<FileOp>,
    /// The latest clipboard text.
    pub clipboard: Option<String>,
}

impl AppState {
    /// The focused pane.
    pub fn focus(&self) -> PaneId {
        self.shared.focus
    }

    /// The pane whose dialog is open (it takes every key), if any.
    pub fn modal(&self) -> Option<PaneId> {
        PaneId::ALL
            .iter()
            .copied()
            .find(|id| self.panes.get(*id).has_modal())
    }

    /// Handles a key press; returns the effects for the app loop.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Effect> {
        let effects = self.route_key(keymap, key);
        self.run(keymap, effects)
    }

    /// Applies a keymap action as if its key was pressed.
    pub fn on_action(&mut self, keymap: &Keymap, action: Action) -> Vec<Effect> {
        let effects = self.route_action(keymap, action);
        self.run(keymap, effects)
    }

    /// Pasted text: the focused pane (or open dialog) takes it whole, or key by key.
    pub fn on_paste(&mut self, keymap: &Keymap, text: &str) -> Vec<Effect> {
        let target = self.modal().unwrap_or(self.shared.focus);
        let cx = Cx {
            keymap,
            shared: &self.shared,
        };
        if let Some(effects) = self.panes.get_mut(target).on_paste(text, &cx) {
            return self.run(keymap, effects);
        }
        let mut out = Vec::new();
        for c in text.chars().filter(|c| !c.is_control()) {
            let key = KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            );
            out.extend(self.on_key(keymap, &key));
        }
        out
    }

    /// Applies an engine event: shared data first, then every pane.
    pub fn on_engine(&mut self, keymap: &Keymap, event: EngineEvent) -> Vec<Effect> {
        route::shared_event(&mut self.shared, &event);
        let mut effects = Vec::new();
        for id in PaneId::ALL {
            let cx = Cx {
                keymap,
                shared: &self.shared,
            };
            effects.extend(self.panes.get_mut(*id).on_engine(&event, &cx));
        }
        self.run(keymap, effects)
    }

    /// Sets the list of engines and the one shown (the app, once it has started them).
    pub fn set_engines(&mut self, rows: Vec<engines::EngineRow>, active: Option<EngineId>) {
        self.shared.engines = rows;
        self.shared.active_engine = active;
        self.panes.engines.set_rows(&self.shared.engines);
    }

    /// One engine's state changed.
    pub fn on_engine_state(&mut self, id: EngineId, state: EngineState) {
        if let Some(row) = self.shared.engines.iter_mut().find(|r| r.id == Some(id)) {
            row.state = engines::RowState::Engine(state);
        }
        self.panes.engines.set_rows(&self.shared.engines);
        self.refresh_also_on();
    }

    /// An event of engine `id`: the shown engine's go to every pane; another engine's go to its
    /// warm panes and to the [`engines::warm::CARRIED`] ones, never to the shown engine's panes.
    /// The engine commands that come of it go back to `id`.
    pub fn on_engine_from(
        &mut self,
        keymap: &Keymap,
        id: EngineId,
        event: EngineEvent,
    ) -> Vec<Effect> {
        let listing = matches!(event, EngineEvent::Inventory(Ok(_)));
        match &event {
            EngineEvent::JobStarted { id: job, .. } => {
                self.job_engines.insert(*job, id);
            }
            EngineEvent::JobFinished { id: job, .. } => {
                self.job_engines.remove(job);
            }
            _ => {}
        }
        if self.shared.active_engine.is_none_or(|a| a == id) {
            let out = self.on_engine(keymap, event);
            if listing {
                self.refresh_also_on();
            }
            return out;
        }
        let name = self
            .shared
            .engines
            .iter()
            .find(|r| r.id == Some(id))
            .map_or_else(|| format!("engine {}", id.0), |r| r.name.clone());
        let warm = self.warm.entry(id).or_default();
        warm.shared.now = self.shared.now;
        warm.shared.focus = self.shared.focus;
        route::shared_event(&mut warm.shared, &event);
        let mut effects = Vec::new();
        for pane in PaneId::ALL.iter().copied().filter(|p| !carried(*p)) {
            let cx = Cx {
                keymap,
                shared: &warm.shared,
            };
            // A hidden engine's panes may only talk to their engine, or report a failure.
            for effect in warm.panes.get_mut(pane).on_engine(&event, &cx) {
                match effect {
                    Effect::Engine(c) => effects.push(Effect::Set(SetOp::Send(id, c))),
                    Effect::Say(Level::Error, text) => {
                        effects.push(Effect::Say(Level::Error, format!("{name}: {text}")));
                    }
                    _ => {}
                }
            }
        }
        for pane in engines::warm::CARRIED {
            let cx = Cx {
                keymap,
                shared: &self.shared,
            };
            for effect in self.panes.get_mut(*pane).on_engine(&event, &cx) {
                effects.push(match effect {
                    Effect::Engine(c) => Effect::Set(SetOp::Send(id, c)),
                    other => other,
                });
            }
        }
        if listing {
            self.refresh_also_on();
        }
        self.run(keymap, effects)
    }

    /// Shows engine `id` in every pane: the shown engine's panes are kept warm and `id`'s come
    /// back as they were (the carried panes stay). Done without asking the engine anything.
    pub fn switch_engine(&mut self, id: EngineId) -> Vec<Effect> {
        let Some(row) = self.shared.engines.iter().find(|r| r.id == Some(id)) else {
            return vec![Effect::info("no such engine")];
        };
        let name = row.name.clone();
        if self.shared.active_engine == Some(id) {
            return vec![
                Effect::info(format!("{name} is the engine shown")),
                Effect::Focus(PaneId::Images),
            ];
        }
        let mut next = self.warm.remove(&id).unwrap_or_default();
        engines::warm::carry(&mut self.panes, &mut next.panes);
        std::mem::swap(&mut self.panes, &mut next.panes);
        std::mem::swap(&mut self.shared.connection, &mut next.shared.connection);
        std::mem::swap(&mut self.shared.inventory, &mut next.shared.inventory);
        if let Some(old) = self.shared.active_engine {
            self.warm.insert(old, next);
        }
        self.shared.active_engine = Some(id);
        self.refresh_also_on();
        vec![
            Effect::Set(SetOp::Select(id)),
            Effect::info(format!("engine: {name}")),
            Effect::Focus(PaneId::Images),
        ]
    }

    fn refresh_also_on(&mut self) {
        self.shared.also_on =
            engines::warm::also_on(&self.shared.engines, self.shared.active_engine, &self.warm);
    }

    /// The clock ticked; returns the effects and whether the screen must be redrawn.
    pub fn on_tick(&mut self, keymap: &Keymap, now: i64) -> (Vec<Effect>, bool) {
        let mut redraw = now / 60 != self.shared.now / 60;
        self.shared.now = now;
        let mut effects = Vec::new();
        for id in PaneId::ALL {
            let cx = Cx {
                keymap,
                shared: &self.shared,
            };
            let (e, r) = self.panes.get_mut(*id).on_tick(&cx);
            effects.extend(e);
            redraw |= r;
        }
        (self.run(keymap, effects), redraw)
    }

    /// File work finished (see [`crate::files`]).
    pub fn on_file(&mut self, keymap: &Keymap, done: editor::FileDone) -> Vec<Effect> {
        if let editor::FileDone::Listed(listing) = &done {
            self.panes.images.on_listing(listing);
            self.panes.containers.on_listing(listing);
            return vec![];
        }
        let effects = self.panes.editor.on_file(done);
        self.run(keymap, effects)
    }

    /// Records the rows each pane showed in the last frame.
    pub fn set_viewports(&mut self, rows: &[(PaneId, usize)]) {
        for (id, n) in rows {
            self.panes.get_mut(*id).set_viewport(*n);
        }
    }

    /// Records the lines of text the open dialog of pane `id` showed in the last frame.
    pub fn set_dialog_rows(&mut self, rows: Option<(PaneId, usize)>) {
        if let Some((id, n)) = rows {
            self.panes.get_mut(id).set_dialog_rows(n);
        }
    }

    /// The streams the panes want now compared with what was asked before (see [`Pane::sync`]).
    pub fn sync(&mut self, keymap: &Keymap) -> Vec<Effect> {
        let mut effects = Vec::new();
        for id in PaneId::ALL {
            let cx = Cx {
                keymap,
                shared: &self.shared,
            };
            effects.extend(self.panes.get_mut(*id).sync(&cx));
        }
        self.run(keymap, effects)
    }

    fn route_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Effect> {
        let focus = self.shared.focus;
        if self.help {
            return self.help_key(keymap, key);
        }
        let target = self.modal().unwrap_or(focus);
        let cx = Cx {
            keymap,
            shared: &self.shared,
        };
        if let Some(effects) = self.panes.get_mut(target).on_key(key, &cx) {
            return effects;
        }
        match keymap.action(focus.context(), Key::from_event(key)) {
            Some(action) => self.route_action(keymap, action),
            None => vec![],
        }
    }

    /// The focused pane has the first go at an action (the explorer cancels its own analysis);
    /// the router takes the app-wide ones it leaves.
    /// While the help is open: the dialog keys scroll it, quit quits, any other key closes it.
    fn help_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Vec<Effect> {
        use crate::action::DialogAction as D;
        use widgets::outcome::{DialogKey, dialog_key};
        let scroll = &mut self.help_scroll;
        match dialog_key(keymap, key, false) {
            DialogKey::Action(D::Down) => *scroll += 1,
            DialogKey::Action(D::Up) => *scroll = scroll.saturating_sub(1),
            DialogKey::Action(D::PageDown) => *scroll += 10,
            DialogKey::Action(D::PageUp) => *scroll = scroll.saturating_sub(10),
            _ => {
                self.help = false;
                let action = keymap.action(self.shared.focus.context(), Key::from_event(key));
                if action == Some(Action::App(AppAction::Quit)) {
                    return vec![Effect::Quit];
                }
            }
        }
        vec![]
    }

    fn route_action(&mut self, keymap: &Keymap, action: Action) -> Vec<Effect> {
        let cx = Cx {
            keymap,
            shared: &self.shared,
        };
        if let Some(effects) = self.panes.get_mut(self.shared.focus).on_action(action, &cx) {
            return effects;
        }
        match action {
            Action::App(a) => route::app_action(self, keymap, a),
            _ => vec![],
        }
    }

    /// Carries out the effects that concern the state; returns those for the app loop. Once
    /// they are done, the layers pane catches up with the images pane's selection.
    fn run(&mut self, keymap: &Keymap, effects: Vec<Effect>) -> Vec<Effect> {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        let mut out = Vec::new();
        // Effects can ask for more (a focus change, a request to another pane): bounded.
        for _ in 0..1_000 {
            let Some(effect) = queue.pop_front() else {
                let more = route::follow_selection(self);
                if more.is_empty() {
                    break;
                }
                queue.extend(more);
                continue;
            };
            match effect {
                Effect::Say(level, text) => self.shared.say(level, text),
                Effect::Focus(id) => queue.extend(self.focus_on(keymap, id)),
                Effect::Msg(msg) => queue.extend(route::on_msg(self, keymap, msg)),
                Effect::Quit => queue.extend(self.panes.editor.request_quit()),
                Effect::Exit => {
                    self.quit = true;
                    out.push(Effect::Exit);
                }
                Effect::Engine(Command::Cancel(job)) if self.job_engines.contains_key(&job) => {
                    let owner = self.job_engines[&job];
                    out.push(Effect::Set(SetOp::Send(owner, Command::Cancel(job))));
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Focuses `id` and lets it know.
    fn focus_on(&mut self, keymap: &Keymap, id: PaneId) -> Vec<Effect> {
        self.shared.focus = id;
        let cx = Cx {
            keymap,
            shared: &self.shared,
        };
        self.panes.get_mut(id).on_focus(&cx)
    }
}

/// Shorthands for tests: the default keymap, and the engine commands among the effects.
#[cfg(test)]
impl AppState {
    /// Runs effects a test got from a pane directly, as the router would; records what leaves.
    pub(crate) fn capture(&mut self, effects: Vec<Effect>) -> Vec<crate::engine::Command> {
        let out = self.run(&Keymap::defaults(), effects);
        self.record(out)
    }

    fn record(&mut self, out: Vec<Effect>) -> Vec<crate::engine::Command> {
        for e in &out {
            match e {
                Effect::File(op) => self.seen.ops.push(op.clone()),
                Effect::Clipboard(text) => self.seen.clipboard = Some(text.clone()),
                _ => {}
            }
        }
        effect::commands(&out)
    }

    /// File work that finished.
    pub(crate) fn test_file(&mut self, done: editor::FileDone) -> Vec<crate::engine::Command> {
        let out = self.on_file(&Keymap::defaults(), done);
        self.record(out)
    }

    /// A clock tick at `now`.
    pub(crate) fn test_tick(&mut self, now: i64) -> Vec<crate::engine::Command> {
        let (out, _) = self.on_tick(&Keymap::defaults(), now);
        self.record(out)
    }

    /// Pasted text.
    pub(crate) fn test_paste(&mut self, text: &str) -> Vec<crate::engine::Command> {
        let out = self.on_paste(&Keymap::defaults(), text);
        self.record(out)
    }

    /// A key press with the default keymap; the engine commands it sent.
    pub(crate) fn test_key(&mut self, key: &KeyEvent) -> Vec<crate::engine::Command> {
        let out = self.on_key(&Keymap::defaults(), key);
        self.record(out)
    }

    /// An action with the default keymap; the engine commands it sent.
    pub(crate) fn test_action(&mut self, action: Action) -> Vec<crate::engine::Command> {
        let out = self.on_action(&Keymap::defaults(), action);
        self.record(out)
    }

    /// The streams the panes want now; the engine commands that asks for.
    pub(crate) fn test_sync(&mut self) -> Vec<crate::engine::Command> {
        effect::commands(&self.sync(&Keymap::defaults()))
    }

    /// An engine event; the engine commands it sent.
    pub(crate) fn test_engine(&mut self, event: EngineEvent) -> Vec<crate::engine::Command> {
        let out = self.on_engine(&Keymap::defaults(), event);
        self.record(out)
    }
}

#[cfg(test)]
mod tests;
