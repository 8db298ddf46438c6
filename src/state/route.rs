//! The router's share of the work: actions that belong to no pane, requests from one pane to
//! another, and the layers pane following the images pane's selection.
use super::AppState;
use super::effect::{Effect, Level, Msg, Reclaimable};
use super::pane::{Cx, PaneId};
use super::shared::Shared;
use crate::action::AppAction;
use crate::config::keymap::Keymap;
use crate::engine::{Command, Connection, EngineEvent};

/// Engine events that change what panes share.
pub(super) fn shared_event(shared: &mut Shared, event: &EngineEvent) {
    match event {
        EngineEvent::Connection(c) => {
            if let Connection::Disconnected { attempts, .. } = c
                && let Some(a) = attempts.last()
            {
                shared.last_error =
                    Some(format!("engine unreachable: {} ({})", a.error, a.endpoint));
            }
            shared.connection = c.clone();
        }
        EngineEvent::Inventory(Ok(inv)) => shared.inventory = inv.clone(),
        EngineEvent::Inventory(Err(e)) => shared.say(Level::Error, format!("listing failed: {e}")),
        _ => {}
    }
}

/// Actions that work in every pane.
pub(super) fn app_action(state: &mut AppState, keymap: &Keymap, action: AppAction) -> Vec<Effect> {
    let focus = state.shared.focus;
    let next = |step: usize| {
        let all = PaneId::ALL;
        let i = all.iter().position(|p| *p == focus).unwrap_or(0);
        Effect::Focus(all[(i + step) % all.len()])
    };
    match action {
        AppAction::Quit => vec![Effect::Quit],
        AppAction::Help => {
            state.help = !state.help;
            state.help_scroll = 0;
            vec![]
        }
        AppAction::NextPane => vec![next(1)],
        AppAction::PrevPane => vec![next(PaneId::ALL.len() - 1)],
        AppAction::FocusImages => vec![Effect::Focus(PaneId::Images)],
        AppAction::FocusLayers => vec![Effect::Focus(PaneId::Layers)],
        AppAction::FocusJobs => vec![Effect::Focus(PaneId::Jobs)],
        AppAction::FocusRegistry => vec![Effect::Focus(PaneId::Registry)],
        AppAction::FocusEditor => vec![Effect::Focus(PaneId::Editor)],
        AppAction::FocusContainers => vec![Effect::Focus(PaneId::Containers)],
        AppAction::FocusExplorer if state.panes.explorer.state.image.is_some() => {
            vec![Effect::Focus(PaneId::Explorer)]
        }
        AppAction::FocusExplorer => vec![Effect::Msg(Msg::OpenExplorer { from_layers: false })],
        AppAction::Pull => {
            let cx = Cx {
                keymap,
                shared: &state.shared,
            };
            state.panes.registry.open_pull(&cx);
            vec![]
        }
        AppAction::Refresh => vec![
            Effect::Engine(Command::Refresh),
            Effect::Engine(Command::Reconnect),
        ],
        AppAction::CancelJob => state.panes.jobs.cancel(focus == PaneId::Jobs),
        AppAction::FocusEngines => vec![Effect::Focus(PaneId::Engines)],
        AppAction::FocusDisk => vec![Effect::Focus(PaneId::Disk)],
        AppAction::FocusVolumes => vec![Effect::Focus(PaneId::Volumes)],
        AppAction::FocusNetworks => vec![Effect::Focus(PaneId::Networks)],
    }
}

/// A request from one pane to another.
pub(super) fn on_msg(state: &mut AppState, keymap: &Keymap, msg: Msg) -> Vec<Effect> {
    let p = &mut state.panes;
    match msg {
        Msg::SelectImage(id) => {
            p.images.select_image(&id);
            vec![]
        }
        Msg::OpenExplorer { from_layers } => {
            let Some(row) = p.images.table.selected() else {
                return match p.explorer.state.image {
                    Some(_) => vec![Effect::Focus(PaneId::Explorer)],
                    None => vec![Effect::info("no image selected")],
                };
            };
            let (id, label) = (row.id.clone(), row.label());
            let history = p.layers.history_for(&id, from_layers);
            let mut effects = vec![Effect::Focus(PaneId::Explorer)];
            effects.extend(p.explorer.open(&id, &label, history));
            effects
        }
        Msg::ExploreArchive(path) => {
            let shown = path.display().to_string();
            let image = format!("{}{shown}", crate::engine::analyze::ARCHIVE_PREFIX);
            let mut effects = vec![Effect::Focus(PaneId::Explorer)];
            effects.extend(p.explorer.open(&image, &shown, None));
            effects
        }
        Msg::RunImage(image) => {
            // The run dialog comes to the front; the selection stays on the image it runs.
            state.shared.focus = PaneId::Containers;
            state.panes.containers.open_run(&image)
        }
        Msg::Push(reference) => {
            let cx = Cx {
                keymap,
                shared: &state.shared,
            };
            p.registry.open_push(&reference, &cx)
        }
        Msg::Tag => p.images.open_tag(),
        Msg::ShowImageConfig => {
            let title = p
                .images
                .table
                .selected()
                .map_or("Image".to_string(), |r| r.label());
            p.layers.show_config(title);
            vec![]
        }
        Msg::SwitchEngine(id) => state.switch_engine(id),
        Msg::ShowReclaimable(kind) => show_reclaimable(state, kind),
    }
}

/// Focuses the pane of `kind` showing only what a prune of it could free.
fn show_reclaimable(state: &mut AppState, kind: Reclaimable) -> Vec<Effect> {
    let p = &mut state.panes;
    let pane = match kind {
        Reclaimable::Images => {
            p.images
                .table
                .set_scope(Some(crate::state::images::rows::unused_scope()));
            PaneId::Images
        }
        Reclaimable::Containers => {
            p.containers
                .table
                .set_scope(Some(crate::state::containers::stopped_scope()));
            PaneId::Containers
        }
        Reclaimable::Volumes => {
            p.volumes
                .table
                .set_scope(Some(crate::state::volumes::unused_scope()));
            PaneId::Volumes
        }
    };
    vec![Effect::Focus(pane)]
}

/// The layers pane shows the images pane's selected image: asks for its details when the
/// selection moved to another image, or when the image got new tags under the same ID.
pub(super) fn follow_selection(state: &mut AppState) -> Vec<Effect> {
    let selected = state
        .panes
        .images
        .table
        .selected()
        .map(|r| (r.id.clone(), r.tag_count));
    state.panes.layers.follow(selected)
}
