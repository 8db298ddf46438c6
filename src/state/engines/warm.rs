//! The state of the engines not shown, kept warm: each engine has its own panes and its own
//! connection and listing, updated by its own events, so switching to it shows it at once.
//! Panes that are not about one engine (jobs, registry, editor, the engines list) are
//! [`CARRIED`]: one copy, always live, whichever engine is shown.
use std::collections::{BTreeMap, HashMap};

use super::EngineRow;
use crate::engine::set::EngineId;
use crate::state::pane::{PaneId, Panes};
use crate::state::shared::Shared;

/// Panes shared by every engine: they see the events of every engine (jobs and registry answers
/// carry their own IDs) and are never swapped out.
pub const CARRIED: &[PaneId] = &[
    PaneId::Jobs,
    PaneId::Registry,
    PaneId::Editor,
    PaneId::Engines,
];

/// Whether a pane is one of the [`CARRIED`] ones.
pub fn carried(id: PaneId) -> bool {
    CARRIED.contains(&id)
}

/// One engine's state while another one is shown.
#[derive(Debug, Default)]
pub struct Warm {
    /// Its panes (the carried ones are unused placeholders).
    pub panes: Panes,
    /// Its connection and listing (`now` and `focus` are copied from the live state).
    pub shared: Shared,
}

/// Moves the carried panes from `from` to `to` (the rest stays).
pub fn carry(from: &mut Panes, to: &mut Panes) {
    for id in CARRIED {
        match id {
            PaneId::Jobs => std::mem::swap(&mut from.jobs, &mut to.jobs),
            PaneId::Registry => std::mem::swap(&mut from.registry, &mut to.registry),
            PaneId::Editor => std::mem::swap(&mut from.editor, &mut to.editor),
            PaneId::Engines => std::mem::swap(&mut from.engines, &mut to.engines),
            _ => {}
        }
    }
}

/// For each image ID, the other connected engines (by name) whose listing has it.
pub fn also_on(
    engines: &[EngineRow],
    active: Option<EngineId>,
    warm: &BTreeMap<EngineId, Warm>,
) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in engines.iter().filter(|r| r.connected() && r.id != active) {
        let Some(w) = row.id.and_then(|id| warm.get(&id)) else {
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        for image in &w.shared.inventory.images {
            if seen.insert(image.id.as_str()) {
                out.entry(image.id.clone())
                    .or_default()
                    .push(row.name.clone());
            }
        }
    }
    out
}
