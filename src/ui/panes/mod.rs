//! One module per pane.
pub mod images;
pub mod layers;
