//! `dockhand lint`: lint Dockerfiles without a TUI, for CI and editors, with hadolint's options
//! (configuration file, severity overrides, failure threshold, output formats) and ShellCheck on RUN
//! scripts when it is installed. Input is capped (`--max-bytes`) and binary files are refused, so a
//! hostile path (`/dev/zero`, an endless pipe) cannot grow memory or flood the terminal.
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::format::{Format, render};
use super::lint::config::{self, LabelType, LintConfig, Threshold};
use super::lint::{self, Severity, shellcheck};
use super::parse;
use super::report::FileReport;
use crate::util::sanitize::sanitize;

/// Default input cap: 10 MB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Arguments of `dockhand lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Output format (`text` is `tty`).
    #[arg(short = 'f', long, value_enum)]
    pub format: Option<Format>,
    /// Configuration file (default: `.hadolint.yaml` where hadolint looks for it).
    #[arg(short = 'c', long)]
    pub config: Option<PathBuf>,
    /// Exit with failure only for findings of this severity or above
    /// (error, warning, info, style, ignore, none).
    #[arg(short = 't', long)]
    pub failure_threshold: Option<String>,
    /// Exit 0 whatever is found.
    #[arg(long)]
    pub no_fail: bool,
    /// No colours in the tty format.
    #[arg(long)]
    pub no_color: bool,
    /// Rules to ignore (replaces the configuration file's `ignored` list).
    #[arg(long = "ignore", value_name = "RULECODE")]
    pub ignore: Vec<String>,
    /// Make these rules errors.
    #[arg(long = "error", value_name = "RULECODE")]
    pub error: Vec<String>,
    /// Make these rules warnings.
    #[arg(long = "warning", value_name = "RULECODE")]
    pub warning: Vec<String>,
    /// Make these rules info.
    #[arg(long = "info", value_name = "RULECODE")]
    pub info: Vec<String>,
    /// Make these rules style.
    #[arg(long = "style", value_name = "RULECODE")]
    pub style: Vec<String>,
    /// Registries allowed in FROM (DL3026).
    #[arg(long = "trusted-registry", value_name = "REGISTRY")]
    pub trusted_registry: Vec<String>,
    /// Required label and its format, `label:format` (DL3049–DL3058).
    #[arg(long = "require-label", value_name = "LABELSCHEMA")]
    pub require_label: Vec<String>,
    /// No labels other than those of the label schema (DL3050).
    #[arg(long)]
    pub strict_labels: bool,
    /// Do not honour inline `# hadolint ignore=` pragmas.
    #[arg(long)]
    pub disable_ignore_pragma: bool,
    /// Do not run ShellCheck on RUN scripts.
    #[arg(long)]
    pub no_shellcheck: bool,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// Dockerfiles to lint (`-` reads standard input).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Why an input was not linted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    /// Larger than the cap.
    #[error("input is larger than {0} bytes (raise --max-bytes to lint it): not linted")]
    TooLarge(u64),
    /// NUL bytes or invalid UTF-8.
    #[error("not a text Dockerfile (binary data): not linted")]
    Binary,
}

/// Reads at most `max` bytes; refuses binary data as soon as a NUL byte is seen. `size_hint`
/// (a file's length) sizes the buffer once instead of doubling it.
pub fn read_capped(
    mut r: impl Read,
    max: u64,
    size_hint: u64,
) -> std::io::Result<Result<String, InputError>> {
    let mut buf = Vec::with_capacity(usize::try_from(size_hint.min(max)).unwrap_or(0));
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk[..n].contains(&0) {
            return Ok(Err(InputError::Binary));
        }
        if buf.len() as u64 + n as u64 > max {
            return Ok(Err(InputError::TooLarge(max)));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8(buf).map_err(|_| InputError::Binary))
}

fn read(path: &Path, max: u64) -> anyhow::Result<Result<String, InputError>> {
    let shown = sanitize(&path.display().to_string());
    if path.as_os_str() == "-" {
        return read_capped(std::io::stdin().lock(), max, 0).context("reading standard input");
    }
    let f = std::fs::File::open(path).with_context(|| format!("reading {shown}"))?;
    let hint = f.metadata().map(|m| m.len()).unwrap_or(0);
    read_capped(f, max, hint).with_context(|| format!("reading {shown}"))
}

/// The configuration: the file (explicit, or found where hadolint looks), then the command line.
pub fn effective_config(args: &LintArgs) -> anyhow::Result<LintConfig> {
    let (mut c, _) = config::load(args.config.as_deref())
        .map_err(|e| anyhow::anyhow!(sanitize(&e.to_string())))?;
    if !args.ignore.is_empty() {
        c.ignored = args.ignore.clone();
    }
    for (codes, sev) in [
        (&args.error, Severity::Error),
        (&args.warning, Severity::Warning),
        (&args.info, Severity::Info),
        (&args.style, Severity::Style),
    ] {
        for code in codes {
            c.overrides.insert(code.clone(), sev);
        }
    }
    c.trusted_registries
        .extend(args.trusted_registry.iter().cloned());
    for spec in &args.require_label {
        let (label, kind) = spec
            .split_once(':')
            .context("--require-label wants label:format")?;
        let kind: LabelType = serde_json::from_value(serde_json::json!(kind))
            .map_err(|_| anyhow::anyhow!("unknown label format {:?}", sanitize(kind)))?;
        c.label_schema.push((label.to_string(), kind));
    }
    c.strict_labels |= args.strict_labels;
    c.disable_ignore_pragma |= args.disable_ignore_pragma;
    c.no_fail |= args.no_fail;
    if let Some(t) = &args.failure_threshold {
        c.failure_threshold = Threshold::from_name(t)
            .with_context(|| format!("unknown failure threshold {:?}", sanitize(t)))?;
    }
    Ok(c)
}

/// Parses and lints one source text with the rules; the text comes back when ShellCheck will need
/// it, else it is dropped (with each instruction's joined line) right after parsing.
fn lint_rules(
    src: String,
    config: &LintConfig,
    keep_text: bool,
) -> (super::Dockerfile, Vec<lint::Diagnostic>, String) {
    let (parsed, src) = if keep_text {
        (parse(&src), src)
    } else {
        // Without the joined lines and comments (nothing quotes them), and the text freed at once.
        let parsed = super::parser::parse_lean(&src);
        drop(src);
        (parsed, String::new())
    };
    let diagnostics = lint::lint_with(&parsed, config);
    (parsed, diagnostics, src)
}

/// Lints one source text: the rules, then ShellCheck when `run_shellcheck` (its error, if any, is
/// returned beside the findings). The text is dropped as soon as it is parsed when ShellCheck does
/// not need it, so a large file is not held twice.
pub fn lint_text(
    src: String,
    config: &LintConfig,
    run_shellcheck: bool,
) -> (
    super::Dockerfile,
    Vec<lint::Diagnostic>,
    Option<shellcheck::ShellcheckError>,
) {
    let (parsed, mut diagnostics, src) = lint_rules(src, config, run_shellcheck);
    let mut sc_error = None;
    if run_shellcheck {
        match shellcheck::check(&src, &parsed, config) {
            Ok(found) => {
                diagnostics.extend(found);
                lint::finish(&parsed, config, &mut diagnostics);
            }
            Err(e) => sc_error = Some(e),
        }
    }
    (parsed, diagnostics, sc_error)
}

/// Lints one source text with the default configuration and builds its report.
pub fn lint_source(name: &str, src: &str) -> FileReport {
    let (parsed, diagnostics, _) = lint_text(src.to_string(), &LintConfig::default(), false);
    FileReport::new(name, &parsed, diagnostics)
}

/// Runs `dockhand lint`: exit 1 when a finding reaches the failure threshold or an input was
/// refused, 2 on usage or I/O errors (returned as `Err`), 0 otherwise.
pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let config = effective_config(&args)?;
    let format = match (args.format, &config.format) {
        (Some(f), _) => f,
        (None, Some(name)) => Format::from_name(name).unwrap_or(Format::Tty),
        (None, None) => Format::Tty,
    };
    let mut run_sc = !args.no_shellcheck;
    if run_sc && !shellcheck::available() {
        eprintln!(
            "note: shellcheck is not installed: RUN scripts were not checked (apt install shellcheck)"
        );
        run_sc = false;
    }
    let mut linted = Vec::with_capacity(args.files.len());
    let mut refused = false;
    for path in &args.files {
        let name = path.display().to_string();
        let src = match read(path, args.max_bytes)? {
            Ok(src) => src,
            Err(e) => {
                eprintln!("{}: {e}", sanitize(&name));
                refused = true;
                continue;
            }
        };
        let (mut parsed, diagnostics, src) = lint_rules(src, &config, run_sc);
        if !run_sc && format != Format::Json {
            // Only the findings are printed: the parse is not held while the rest are read.
            parsed = super::Dockerfile::default();
        }
        linted.push((name, parsed, diagnostics, src));
    }
    if run_sc {
        // One shellcheck process for all the files.
        let inputs: Vec<(&str, &super::Dockerfile)> =
            linted.iter().map(|(_, p, _, s)| (s.as_str(), p)).collect();
        match shellcheck::check_many(&inputs, &config) {
            Ok(found) => {
                for ((_, parsed, diagnostics, _), sc) in linted.iter_mut().zip(found) {
                    diagnostics.extend(sc);
                    lint::finish(parsed, &config, diagnostics);
                }
            }
            Err(e) => eprintln!("note: {}", sanitize(&e.to_string())),
        }
    }
    let reports: Vec<FileReport> = linted
        .into_iter()
        .map(|(name, parsed, diagnostics, _)| {
            if format == Format::Json {
                FileReport::new(&name, &parsed, diagnostics)
            } else {
                FileReport::findings_only(&name, diagnostics)
            }
        })
        .collect();
    let failed = !config.no_fail
        && reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| config.failure_threshold.fails(d.severity));
    let color =
        !args.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let text = render(format, &reports, color)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .context("writing output")?;
    Ok(if failed || refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
