//! dockhand: a keyboard-driven terminal workbench for container images.
//!
//! The crate is split so that the architecture shows in the tree:
//! - [`engine`] drives the container engine (commands in, typed events out) and knows nothing of the UI;
//! - [`state`] holds the panes — each a folder implementing [`state::Pane`]: it owns its state,
//!   handles its own keys, actions and engine events and returns [`state::Effect`]s — and the
//!   router over them, which carries out the effects that concern the state;
//! - [`ui`] draws the state (pure functions of state and theme);
//! - [`app`] is the event loop that ties them together and the one place effects leave the state
//!   (engine commands, [`files`] work, the clipboard, the terminal hand-over); [`tui`] guards the
//!   terminal;
//! - [`config`] loads keymaps and themes from data;
//! - [`dockerfile`], [`layers`] and [`registry`] are self-contained domain modules;
//! - [`fsio`] reads and writes edited files safely (atomic, no-follow, private recovery files).

pub mod action;
pub mod app;
pub mod build_cli;
pub mod config;
pub mod disk_cli;
pub mod dockerfile;
pub mod engine;
pub mod event;
pub mod exec_tty;
pub mod files;
pub mod fsio;
pub mod layers;
pub mod registry;
pub mod state;
pub mod tui;
pub mod ui;
pub mod util;
