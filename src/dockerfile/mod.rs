//! Dockerfile parsing (BuildKit-compatible), linting, highlighting, `.dockerignore` and build contexts,
//! and the `dockhand lint` command.
pub mod cli;
pub mod parser;

pub use parser::{Dockerfile, Heredoc, Instruction, ParseError, parse};
