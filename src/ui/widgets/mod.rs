//! Widgets shared by panes: status bar, dialogs, help, size bars.
pub mod bar;
pub mod dialog;
pub mod help;
pub mod status_bar;
pub mod table;
pub mod tabs;
