//! One module per pane.
pub mod container_dialogs;
pub mod container_logs;
pub mod containers;
pub mod images;
pub mod jobs;
pub mod layers;
