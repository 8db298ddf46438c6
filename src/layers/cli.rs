//! `dockhand analyze`.
use std::process::ExitCode;

/// Arguments of `dockhand analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Image reference or ID to analyse through the engine.
    pub image: Option<String>,
}

/// Runs `dockhand analyze`.
pub fn run(_args: AnalyzeArgs, _host: Option<&str>) -> anyhow::Result<ExitCode> {
    anyhow::bail!("analyze is not built yet")
}
