//! `dockhand lint`.
use std::process::ExitCode;

/// Arguments of `dockhand lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Output format.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Dockerfiles to lint.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
}

/// Runs `dockhand lint`.
pub fn run(_args: LintArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("lint is not built yet")
}
