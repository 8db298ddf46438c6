//! One module per pane.
pub mod images;
pub mod jobs;
pub mod layers;
pub mod registry;
pub mod registry_dialog;
