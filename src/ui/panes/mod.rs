//! One module per pane.
pub mod container_dialogs;
pub mod container_logs;
pub mod containers;
pub mod disk;
pub mod disk_dialogs;
pub mod editor;
pub mod editor_modal;
pub mod explorer;
mod explorer_lists;
pub mod images;
pub mod jobs;
pub mod layers;
pub mod networks;
pub mod registry;
pub mod registry_dialog;
pub mod storage_dialogs;
pub mod volumes;
