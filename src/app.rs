//! The application event loop.
use std::process::ExitCode;

/// Start-up options from the command line.
#[derive(Debug, Default)]
pub struct Options {
    pub host: Option<String>,
    pub theme: Option<String>,
    pub file: Option<std::path::PathBuf>,
}

/// Runs the TUI until the user quits.
pub fn run(_opts: Options) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the TUI is being built")
}
