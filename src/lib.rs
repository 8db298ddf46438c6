//! dockhand: a keyboard-driven terminal workbench for container images.
//!
//! The crate is split so that the architecture shows in the tree:
//! - [`engine`] drives the container engine (commands in, typed events out) and knows nothing of the UI;
//! - [`state`] holds the application state and the pure functions that change it;
//! - [`ui`] draws the state (pure functions of state and theme);
//! - [`app`] is the event loop that ties them together, [`tui`] guards the terminal;
//! - [`config`] loads keymaps and themes from data;
//! - [`dockerfile`], [`layers`] and [`registry`] are self-contained domain modules.

pub mod action;
pub mod app;
pub mod build_cli;
pub mod config;
pub mod dockerfile;
pub mod engine;
pub mod event;
pub mod exec_tty;
pub mod layers;
pub mod registry;
pub mod state;
pub mod tui;
pub mod ui;
pub mod util;
