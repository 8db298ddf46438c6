//! One module per pane.
pub mod editor;
pub mod editor_modal;
pub mod images;
pub mod jobs;
pub mod layers;
