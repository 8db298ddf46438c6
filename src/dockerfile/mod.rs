//! Dockerfiles: a BuildKit-compatible parser, lint rules, an incremental highlighter, `.dockerignore`
//! matching and build contexts, build-step to line mapping, and the `dockhand lint` command.
//!
//! For the editor and build panes:
//! - [`parse`] (never fails; errors in [`Dockerfile::errors`], every instruction with its lines) and
//!   [`lint()`] (sorted [`Diagnostic`]s with hadolint codes; [`lint::has_errors`]);
//! - [`highlight::Highlighter`]: `set_text(&lines)` once, then `sync(&lines)` after each edit; per
//!   line `line(i)` gives `(byte range, TokenKind)` spans;
//! - [`context::plan`] (files, bytes, `tar_size()` to show before sending) and
//!   [`context::write_tar`] (streams the tar; pass `plan.dockerfile` as the build's `dockerfile`);
//! - [`steps::StepTracker`]: feed the classic builder's stream, get the line each step, cache hit,
//!   layer and failure belongs to;
//! - [`report::FileReport`]: the JSON shape `dockhand lint --format json` prints;
//! - [`lint::explain`] (the why of a rule) and [`lint::quick_fix`] (a mechanical text edit);
//!   [`lint::shellcheck::check_async`] runs ShellCheck on the RUN scripts off the UI thread.
pub mod cli;
pub mod context;
pub mod format;
pub mod highlight;
pub mod ignore;
pub mod lint;
pub mod parser;
pub mod report;
pub mod steps;
pub mod vertex;

pub use lint::{Diagnostic, Severity, lint};
pub use parser::{Dockerfile, Heredoc, Instruction, ParseError, parse, parse_lean};
