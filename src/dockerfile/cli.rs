//! `dockhand lint`: lint Dockerfiles without a TUI, for CI and editors.
use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;

use super::report::FileReport;
use super::{lint, parse};

/// Arguments of `dockhand lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Output format: `text` (`FILE:LINE CODE severity: message`, like hadolint) or `json`.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Dockerfiles to lint (`-` reads standard input).
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
}

/// Lints one source text and builds its report.
pub fn lint_source(name: &str, src: &str) -> FileReport {
    let parsed = parse(src);
    let diagnostics = lint(&parsed);
    FileReport::new(name, &parsed, diagnostics)
}

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).context("reading standard input")?;
        buf
    } else {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Renders reports in the text format.
pub fn render_text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            out.push_str(&format!("{}:{} {} {}: {}\n", r.file, d.line, d.code, d.severity, d.message));
        }
    }
    out
}

/// Runs `dockhand lint`: exit code 1 when any error-level diagnostic is found, 2 on usage or I/O
/// errors (returned as `Err`), 0 otherwise.
pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let mut reports = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let src = read(path)?;
        reports.push(lint_source(&path.display().to_string(), &src));
    }
    let failed = reports.iter().any(|r| super::lint::has_errors(&r.diagnostics));
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&reports)? + "\n",
        "text" => render_text(&reports),
        other => anyhow::bail!("unknown format {other:?} (expected text or json)"),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).context("writing output")?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
