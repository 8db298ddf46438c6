//! Shared support for dockhand's integration tests.
//!
//! Use it from a test crate in `tests/` with `mod common;`.
//!
//! - [`engine`]: connect to the REAL engine named by `DOCKER_HOST`, unique
//!   names, fixture images built through the engine API, cleanup guards.
//! - [`tmux`]: drive a real binary (usually dockhand) inside a detached tmux
//!   session on a private tmux server and read its screen.
//!
//! `./tests/run.sh` starts a private engine and sets `DOCKER_HOST` and
//! `DOCKHAND_REQUIRE_ENGINE=1`; with that variable set, a missing engine is a
//! test failure, never a skip.

// Every test crate compiles this module but uses only part of it.
#![allow(dead_code)]

pub mod engine;
pub mod tmux;
