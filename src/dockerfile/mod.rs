//! Dockerfile parsing (BuildKit-compatible), linting, highlighting, `.dockerignore` and build contexts,
//! and the `dockhand lint` command.
pub mod cli;
pub mod context;
pub mod highlight;
pub mod ignore;
pub mod lint;
pub mod parser;
pub mod report;
pub mod steps;

pub use lint::{Diagnostic, Severity, lint};
pub use parser::{Dockerfile, Heredoc, Instruction, ParseError, parse};
