//! Dockerfile parsing (BuildKit-compatible), linting and the `dockhand lint` command.
pub mod cli;
