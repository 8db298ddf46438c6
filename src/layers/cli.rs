//! `dockhand analyze`: dive's figures for an image from the engine or an archive, with
//! `dive --ci` compatible rules, figure lines and exit status.
use std::future::Future;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::model::ImageAnalysis;
use super::report::{self, RuleConfig, RuleStatus};
use super::{ImageExport, LayersError, Progress, analyze_image, analyze_path};
use crate::util::sanitize::sanitize_name;

/// Arguments of `dockhand analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Image reference or ID to analyse through the engine.
    pub image: Option<String>,
    /// Analyse a `docker save` tarball or an OCI image layout (directory or tar) instead; no daemon needed.
    #[arg(long, value_name = "PATH", conflicts_with = "image")]
    pub archive: Option<PathBuf>,
    /// CI mode: print dive's figures, inefficient files and rule results; exit 1 when a rule fails.
    #[arg(long)]
    pub ci: bool,
    /// (CI) Fail when the efficiency is below this ratio (0..1), or "disabled".
    #[arg(
        long,
        alias = "lowestEfficiency",
        default_value = "0.9",
        value_name = "R"
    )]
    pub lowest_efficiency: String,
    /// (CI) Fail when more bytes than this are wasted (e.g. 20MB), or "disabled".
    #[arg(
        long,
        alias = "highestWastedBytes",
        default_value = "disabled",
        value_name = "N"
    )]
    pub highest_wasted_bytes: String,
    /// (CI) Fail when wasted bytes exceed this ratio (0..1) of the bytes added above the base layer, or "disabled".
    #[arg(
        long,
        alias = "highestUserWastedPercent",
        default_value = "0.1",
        value_name = "R"
    )]
    pub highest_user_wasted_percent: String,
    /// How many inefficient files the summary lists (without --ci).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

/// Runs `dockhand analyze`. `connect` reaches the engine (only called for an IMAGE): the
/// command line's edge resolves and connects the same way the app does.
pub fn run<C, F, E>(args: AnalyzeArgs, connect: C) -> anyhow::Result<ExitCode>
where
    C: FnOnce() -> F,
    F: Future<Output = Result<E, String>>,
    E: ImageExport,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let show_progress = !args.ci && std::io::stderr().is_terminal();
    let started = Instant::now();
    let (analysis, source) = if let Some(path) = &args.archive {
        let mut ticker = Ticker::new(show_progress);
        let a = analyze_path(path, |p| ticker.tick(p), &cancel)
            .with_context(|| format!("analysing {}", path.display()))?;
        ticker.done();
        (a, format!("docker-archive://{}", path.display()))
    } else {
        let image = args
            .image
            .clone()
            .context("give an IMAGE to analyse through the engine, or --archive PATH")?;
        // One thread drives the export; the parser runs on a blocking thread.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let a = runtime.block_on(async {
            let engine = connect().await.map_err(LayersError::Engine)?;
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let printer = tokio::spawn(async move {
                let mut ticker = Ticker::new(show_progress);
                while let Some(p) = rx.recv().await {
                    ticker.tick(p);
                }
                ticker.done();
            });
            let result = analyze_image(&engine, &image, Some(tx), cancel.clone()).await;
            let _ = printer.await;
            result
        });
        let a = a.with_context(|| format!("analysing image {image}"))?;
        (a, format!("docker://{image}"))
    };
    let elapsed = started.elapsed();
    let mut out = std::io::stdout().lock();
    if args.ci {
        let config = RuleConfig {
            lowest_efficiency: args.lowest_efficiency.clone(),
            highest_wasted_bytes: args.highest_wasted_bytes.clone(),
            highest_user_wasted_percent: args.highest_user_wasted_percent.clone(),
        };
        let results = report::evaluate(&config, &analysis.figures);
        let color = std::io::stdout().is_terminal();
        writeln!(out, "  Using CI rules from the command line")?;
        writeln!(out, "Image Source: {}", sanitize_name(&source))?;
        writeln!(out, "Analyzing image...")?;
        out.write_all(report::ci_report(&analysis.figures, &results, color).as_bytes())?;
        out.flush()?;
        let failed = results.iter().any(|r| r.status == RuleStatus::Fail);
        return Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    out.write_all(summary(&analysis, &source, args.top, elapsed).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The human summary: layers with sizes and commands, the figures, the top inefficient files.
pub fn summary(a: &ImageAnalysis, source: &str, top: usize, elapsed: Duration) -> String {
    let f = &a.figures;
    let mut s = String::new();
    s.push_str(&format!("Image: {}", sanitize_name(source)));
    if !a.tags.is_empty() {
        let tags: Vec<String> = a.tags.iter().map(|t| sanitize_name(t)).collect();
        s.push_str(&format!(" ({})", tags.join(", ")));
    }
    s.push_str(&format!(
        "\nAnalysed in {:.2}s: {}, {} entries\n\nLayers:\n",
        elapsed.as_secs_f64(),
        crate::util::text::count(a.layers.len(), "layer"),
        a.layers.iter().map(|l| l.entries.len()).sum::<usize>()
    ));
    s.push_str(&format!(
        "  {:>3}  {:>10}  {:>8}  Command\n",
        "#", "Size", "Entries"
    ));
    for l in &a.layers {
        // A name-style clean: a multi-line RUN shows its line breaks as `\n` on one line.
        let clean = sanitize_name(&l.command);
        let mut cmd: String = clean.chars().take(100).collect();
        if clean.chars().count() > 100 {
            cmd.push('…');
        }
        s.push_str(&format!(
            "  {:>3}  {:>10}  {:>8}  {}\n",
            l.index + 1,
            report::human_bytes(l.size),
            l.entries.len(),
            cmd
        ));
    }
    s.push_str(&format!(
        "\nTotal size: {} ({} bytes), added above the base layer: {}\n",
        report::human_bytes(f.size_bytes),
        f.size_bytes,
        report::human_bytes(f.user_size_bytes)
    ));
    s.push_str(&report::figure_lines(f));
    if f.inefficient.is_empty() {
        s.push_str("\nInefficient files: none\n");
    } else {
        s.push_str(&format!(
            "\nInefficient files ({} in all, largest first):\n{:>5}  {:>12}  {:<12}  File Path\n",
            f.inefficient.len(),
            "Count",
            "Wasted Space",
            "In Layers"
        ));
        for file in f.inefficient.iter().take(top) {
            s.push_str(&format!(
                "{:>5}  {:>12}  {:<12}  {}\n",
                file.count,
                report::human_bytes(file.size),
                file.layer_list(),
                sanitize_name(&file.path)
            ));
        }
        if f.inefficient.len() > top {
            s.push_str(&format!("  … and {} more\n", f.inefficient.len() - top));
        }
    }
    s
}

/// Throttled progress line on stderr.
struct Ticker {
    enabled: bool,
    last: Instant,
    printed: bool,
}

impl Ticker {
    fn new(enabled: bool) -> Self {
        Self {
            enabled,
            last: Instant::now(),
            printed: false,
        }
    }

    fn tick(&mut self, p: Progress) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        self.printed = true;
        // A write error on stderr (terminal gone) must not panic as `eprint!` would.
        let _ = write!(
            std::io::stderr(),
            "\r  read {} · {} layers · {} files   ",
            report::human_bytes(p.bytes_read),
            p.layers_done,
            p.entries
        );
    }

    fn done(&mut self) {
        if self.printed {
            let _ = write!(std::io::stderr(), "\r{:60}\r", "");
        }
    }
}
