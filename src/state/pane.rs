//! The one shape of a pane: it owns its state, handles its own keys, actions and engine events,
//! and returns [`Effect`]s; its drawing lives beside it under `ui/panes/`.
use crossterm::event::KeyEvent;

use super::effect::Effect;
use super::shared::Shared;
use crate::action::Action;
use crate::config::keymap::Keymap;
use crate::engine::EngineEvent;

/// What a pane may read while it handles something.
pub struct Cx<'a> {
    /// The keys, for dialogs and the editor, which read their own sections.
    pub keymap: &'a Keymap,
    /// What panes share: connection, inventory, clock, focus.
    pub shared: &'a Shared,
}

impl Cx<'_> {
    /// Whether `pane` has the focus.
    pub fn focused(&self, pane: super::PaneId) -> bool {
        self.shared.focus == pane
    }
}

/// A pane. Every method has a default that does nothing, so a pane implements what it uses.
pub trait Pane {
    /// A key, before the keymap: an open dialog or prompt, a filter being typed, the editor's
    /// text. `None` leaves the key to the keymap.
    fn on_key(&mut self, _key: &KeyEvent, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        None
    }

    /// A keymap action while the pane has focus. `None`: not the pane's (the router has a go).
    fn on_action(&mut self, _action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        None
    }

    /// An engine event; every pane sees every event and takes what concerns it.
    fn on_engine(&mut self, _event: &EngineEvent, _cx: &Cx<'_>) -> Vec<Effect> {
        Vec::new()
    }

    /// The pane just got the focus.
    fn on_focus(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        Vec::new()
    }

    /// Text pasted while the pane has focus (or its dialog is open). `None`: typed key by key.
    fn on_paste(&mut self, _text: &str, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        None
    }

    /// The one-second clock ticked; returns effects and whether the pane must be redrawn.
    fn on_tick(&mut self, _cx: &Cx<'_>) -> (Vec<Effect>, bool) {
        (Vec::new(), false)
    }

    /// The last frame showed `rows` rows of the pane's list (or lines of its text).
    fn set_viewport(&mut self, _rows: usize) {}

    /// The last frame showed `rows` lines of text in the pane's open dialog.
    fn set_dialog_rows(&mut self, _rows: usize) {}

    /// A dialog of the pane is open: it takes every key, whichever pane has the focus.
    fn has_modal(&self) -> bool {
        false
    }

    /// After every batch of events and every frame: the engine streams the pane wants now
    /// (logs followed, stats watched) compared with what it asked for before.
    fn sync(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        Vec::new()
    }
}

/// The one list of panes, in Tab order:
/// `Variant field: Type, "Title", keymap section, the app action that focuses it`.
/// Adding a pane is a folder under `state/` and `ui/panes/` and one line here.
#[macro_export]
macro_rules! with_panes {
    ($then:ident) => {
        $then! {
            Images images: $crate::state::images::ImagesPane, "Images", Images, FocusImages;
            Layers layers: $crate::state::layers::LayersPane, "Layers", Layers, FocusLayers;
            Jobs jobs: $crate::state::jobs::JobsPane, "Jobs", Jobs, FocusJobs;
            Explorer explorer: $crate::state::explorer::ExplorerPane, "Explorer", Explorer, FocusExplorer;
            Registry registry: $crate::state::registry::RegistryPane, "Registry", Registry, FocusRegistry;
            Editor editor: $crate::state::editor::EditorPane, "Editor", Editor, FocusEditor;
            Containers containers: $crate::state::containers::ContainersPane, "Containers", Containers, FocusContainers;
            Disk disk: $crate::state::disk::DiskPane, "Disk", Disk, FocusDisk;
            Volumes volumes: $crate::state::volumes::VolumesPane, "Volumes", Volumes, FocusVolumes;
            Networks networks: $crate::state::networks::NetworksPane, "Networks", Networks, FocusNetworks;
            Engines engines: $crate::state::engines::EnginesPane, "Engines", Engines, FocusEngines;
        }
    };
}

/// Defines [`PaneId`] and [`Panes`] from the list in [`with_panes`].
macro_rules! define_panes {
    ($($id:ident $field:ident: $ty:ty, $title:literal, $ctx:ident, $focus:ident;)*) => {
        /// The panes, in Tab order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum PaneId {
            /// The first pane.
            #[default]
            $($id,)*
        }

        impl PaneId {
            /// Every pane in Tab order.
            pub const ALL: &'static [PaneId] = &[$(PaneId::$id,)*];

            /// The pane's name in the tab bar.
            pub fn title(self) -> &'static str {
                match self {
                    $(PaneId::$id => $title,)*
                }
            }

            /// The action that focuses the pane (its number key in the default keymap).
            pub fn focus_action(self) -> $crate::action::Action {
                match self {
                    $(PaneId::$id => $crate::action::Action::App($crate::action::AppAction::$focus),)*
                }
            }

            /// The pane's keymap section.
            pub fn context(self) -> $crate::config::keymap::Context {
                match self {
                    $(PaneId::$id => $crate::config::keymap::Context::$ctx,)*
                }
            }
        }

        /// Every pane's state.
        #[derive(Debug, Default)]
        pub struct Panes {
            $(
                #[doc = $title]
                pub $field: $ty,
            )*
        }

        impl Panes {
            /// A pane by ID.
            pub fn get(&self, id: PaneId) -> &dyn Pane {
                match id {
                    $(PaneId::$id => &self.$field,)*
                }
            }

            /// A pane by ID, to change.
            pub fn get_mut(&mut self, id: PaneId) -> &mut dyn Pane {
                match id {
                    $(PaneId::$id => &mut self.$field,)*
                }
            }
        }
    };
}

with_panes!(define_panes);
