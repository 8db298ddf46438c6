//! The `dockhand` binary: the command line (flags, `lint`, `analyze`, `df`) and the TUI.
use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dockhand::util::sanitize::sanitize;

/// dockhand: a keyboard-driven terminal workbench for container images.
#[derive(Debug, Parser)]
#[command(name = "dockhand", version, about)]
struct Cli {
    /// Engine endpoint (unix:///path, tcp://host:port, https://host:port, ssh://[user@]host[:port]). Overrides DOCKER_HOST and contexts.
    #[arg(
        short = 'H',
        long = "host",
        global = true,
        conflicts_with = "engine_context"
    )]
    host: Option<String>,
    /// Docker context to use (like `docker --context`). Overrides DOCKER_HOST and DOCKER_CONTEXT.
    #[arg(id = "engine_context", long = "context", global = true)]
    context: Option<String>,
    /// Colour theme: a name from themes/ or a path to a theme TOML file.
    #[arg(long, global = true)]
    theme: Option<String>,
    /// A Dockerfile to open in the editor pane.
    file: Option<std::path::PathBuf>,
    /// Quit after the first frame that shows loaded data and print `first_full_frame_ms=N` (benchmarks).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
    /// The pane to open first, by its title (e.g. `--pane disk`).
    #[arg(long, value_parser = parse_pane)]
    pane: Option<dockhand::state::PaneId>,
    /// Panic right after the first frame (tests that the terminal is restored on a panic).
    #[arg(long, hide = true)]
    panic_after_first_frame: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint Dockerfiles without starting the TUI.
    Lint(dockhand::dockerfile::cli::LintArgs),
    /// Analyse an image's layers (files, wasted space, efficiency) without starting the TUI.
    Analyze(dockhand::layers::cli::AnalyzeArgs),
    /// Show the engine's disk usage like `docker system df [-v]`, plus the data root's free space.
    Df(dockhand::disk_cli::DfArgs),
    /// Build an image (BuildKit when the engine has it) without starting the TUI.
    Build(dockhand::build_cli::BuildArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(name) = cli.context.clone() {
        dockhand::engine::endpoint::set_context_flag(name);
    }
    let host = cli.host.clone();
    let result = match cli.command {
        Some(Command::Lint(args)) => dockhand::dockerfile::cli::run(args),
        Some(Command::Analyze(args)) => dockhand::layers::cli::run(args, || async move {
            dockhand::engine::connect::connect_resolved(host)
                .await
                .map(|(docker, _)| docker)
        }),
        Some(Command::Df(args)) => dockhand::disk_cli::run(args, cli.host),
        Some(Command::Build(args)) => dockhand::build_cli::run(args, cli.host),
        None => dockhand::app::run(dockhand::app::Options {
            host: cli.host,
            theme: cli.theme,
            file: cli.file,
            exit_after_first_frame: cli.exit_after_first_frame,
            panic_after_first_frame: cli.panic_after_first_frame,
            pane: cli.pane,
        }),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`dockhand analyze IMG | head`): stop quietly with the status a
        // shell reports for a tool ended by SIGPIPE, as `grep … | head` does.
        Err(err) if is_broken_pipe(&err) => ExitCode::from(SIGPIPE_STATUS),
        Err(err) => {
            // Error texts carry names from engines, archives and files: sanitised like all output.
            let _ = writeln!(
                std::io::stderr(),
                "dockhand: {}",
                sanitize(&dockhand::util::text::error_chain(err.as_ref()))
            );
            ExitCode::from(2)
        }
    }
}

/// 128 + SIGPIPE: what a shell reports for a pipeline stage killed by a closed pipe.
const SIGPIPE_STATUS: u8 = 141;

/// Whether any cause of `err` is a write to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A pane named by its title, in any case.
fn parse_pane(name: &str) -> Result<dockhand::state::PaneId, String> {
    dockhand::state::PaneId::ALL
        .iter()
        .copied()
        .find(|p| p.title().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<String> = dockhand::state::PaneId::ALL
                .iter()
                .map(|p| p.title().to_lowercase())
                .collect();
            format!("no pane {name:?}; one of: {}", names.join(", "))
        })
}
