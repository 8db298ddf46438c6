//! Small pure helpers shared by several modules.
pub mod sanitize;
pub mod text;
pub mod time;
