//! One module per pane.
pub mod container_dialogs;
pub mod container_logs;
pub mod containers;
pub mod editor;
pub mod editor_build;
pub mod editor_modal;
pub mod engines;
pub mod explorer;
mod explorer_lists;
pub mod images;
pub mod images_copy;
pub mod jobs;
pub mod layers;
pub mod offline;
pub mod registry;
pub mod registry_dialog;
