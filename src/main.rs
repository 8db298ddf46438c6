use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// dockhand: a keyboard-driven terminal workbench for container images.
#[derive(Debug, Parser)]
#[command(name = "dockhand", version, about)]
struct Cli {
    /// Engine endpoint (unix:///path, tcp://host:port, https://host:port). Overrides DOCKER_HOST and contexts.
    #[arg(short = 'H', long = "host", global = true)]
    host: Option<String>,
    /// Colour theme: a name from themes/ or a path to a theme TOML file.
    #[arg(long, global = true)]
    theme: Option<String>,
    /// A Dockerfile to open in the editor pane.
    file: Option<std::path::PathBuf>,
    /// Quit after the first frame that shows loaded data and print `first_full_frame_ms=N` (benchmarks).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
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
    /// Build an image (BuildKit when the engine has it) without starting the TUI.
    Build(dockhand::build_cli::BuildArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Lint(args)) => dockhand::dockerfile::cli::run(args),
        Some(Command::Analyze(args)) => dockhand::layers::cli::run(args, cli.host.as_deref()),
        Some(Command::Build(args)) => dockhand::build_cli::run(args, cli.host),
        None => dockhand::app::run(dockhand::app::Options {
            host: cli.host,
            theme: cli.theme,
            file: cli.file,
            exit_after_first_frame: cli.exit_after_first_frame,
            panic_after_first_frame: cli.panic_after_first_frame,
        }),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dockhand: {err:#}");
            ExitCode::from(2)
        }
    }
}
