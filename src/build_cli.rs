//! `dockhand build`: builds an image without the TUI with the engine module's build job,
//! printing BuildKit's progress as plain `#N …` lines and a summary of step times
//! and cache use.
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::engine::build::{
    self, BuildOptions, BuildRequest, BuildSecret, BuildSummary, BuilderChoice,
};
use crate::engine::buildkit::progress::BuildEvent;
use crate::engine::{self, EngineEvent, JobCtx, Progress, connect, endpoint};
use crate::util::sanitize::sanitize;

/// Which builder, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuilderArg {
    /// BuildKit when the engine has it.
    Auto,
    /// The classic builder.
    Classic,
    /// BuildKit.
    Buildkit,
}

/// Arguments of `dockhand build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The context directory. (Its argument id is not `context`: that is the global
    /// `--context` engine option, and clap panics on the clash of types.)
    #[arg(id = "context_dir", value_name = "CONTEXT")]
    pub context: PathBuf,
    /// The Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Tags (repeatable).
    #[arg(short = 't', long = "tag")]
    pub tags: Vec<String>,
    /// KEY=VALUE build arguments (repeatable).
    #[arg(long = "build-arg")]
    pub build_args: Vec<String>,
    /// Target stage.
    #[arg(long, default_value = "")]
    pub target: String,
    /// Do not use the build cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Network for RUN steps: default, host or none.
    #[arg(long, default_value = "")]
    pub network: String,
    /// Secrets: id=ID,src=FILE or id=ID,env=VAR (repeatable).
    #[arg(long = "secret")]
    pub secrets: Vec<String>,
    /// Target platform.
    #[arg(long)]
    pub platform: Option<String>,
    /// KEY=VALUE image labels (repeatable).
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Always pull base images.
    #[arg(long)]
    pub pull: bool,
    /// Images to use as cache sources (repeatable).
    #[arg(long = "cache-from")]
    pub cache_from: Vec<String>,
    /// Which builder.
    #[arg(long, value_enum, default_value = "auto")]
    pub builder: BuilderArg,
    /// Print only the image id.
    #[arg(short, long)]
    pub quiet: bool,
}

fn pair(s: &str) -> anyhow::Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => bail!("{s:?} is not KEY=VALUE"),
    }
}

/// Parses `id=ID,src=FILE` / `id=ID,env=VAR` (Docker's `--secret` syntax).
pub fn parse_secret(s: &str) -> anyhow::Result<BuildSecret> {
    build::parse_secret(s).map_err(|e| anyhow::anyhow!("--secret: {e}"))
}

fn request(args: &BuildArgs) -> anyhow::Result<(BuildRequest, BuildOptions)> {
    let req = BuildRequest {
        dockerfile: args
            .file
            .clone()
            .unwrap_or_else(|| args.context.join("Dockerfile")),
        context: args.context.clone(),
        tags: args.tags.clone(),
        build_args: args
            .build_args
            .iter()
            .map(|a| pair(a))
            .collect::<Result<_, _>>()?,
        target: args.target.clone(),
        no_cache: args.no_cache,
        network: args.network.clone(),
    };
    let opts = BuildOptions {
        builder: match args.builder {
            BuilderArg::Auto => BuilderChoice::Auto,
            BuilderArg::Classic => BuilderChoice::Classic,
            BuilderArg::Buildkit => BuilderChoice::BuildKit,
        },
        secrets: args
            .secrets
            .iter()
            .map(|s| parse_secret(s))
            .collect::<Result<_, _>>()?,
        platform: args.platform.clone(),
        labels: args
            .labels
            .iter()
            .map(|a| pair(a))
            .collect::<Result<_, _>>()?,
        pull: args.pull,
        cache_from: args.cache_from.clone(),
    };
    Ok((req, opts))
}

/// Runs `dockhand build`: connects like the app does and runs the build job's code directly
/// (no inventory or event subscription, which a one-shot build does not need).
pub fn run(args: BuildArgs, host: Option<String>) -> anyhow::Result<ExitCode> {
    let (req, opts) = request(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(host))
            .map_err(anyhow::Error::msg)?;
        let (docker, info) = connect::connect_any(&endpoints).await.map_err(|attempts| {
            let tried: Vec<String> = attempts
                .iter()
                .map(|a| format!("{}: {}", a.endpoint, a.error))
                .collect();
            anyhow::anyhow!("no engine: {}", tried.join("; "))
        })?;
        let quiet = args.quiet;
        let sink: engine::Sink = Arc::new(move |ev| {
            if let EngineEvent::JobProgress {
                progress: Progress::Log(line),
                ..
            } = ev
                && !quiet
            {
                eprintln!("{}", sanitize(&line));
            }
        });
        let summary: Arc<Mutex<Option<Box<BuildSummary>>>> = Arc::default();
        let keep = summary.clone();
        let builds: engine::BuildSink = Arc::new(move |_, ev| {
            if let BuildEvent::Finished(s) = ev
                && let Ok(mut slot) = keep.lock()
            {
                *slot = Some(s);
            }
        });
        let job = JobCtx::new(1, sink).with_builds(Some(builds));
        let result = build::build_with(&docker, &info.endpoint, &req, &opts, &job).await;
        if let Ok(slot) = summary.lock()
            && let Some(s) = slot.as_ref()
            && !quiet
        {
            print_summary(s);
        }
        match result {
            Ok(text) => {
                println!("{}", text.trim_start_matches(build::BUILT_PREFIX));
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("dockhand: build failed: {}", sanitize(&e.to_string()));
                Ok(ExitCode::from(1))
            }
        }
    })
}

fn print_summary(s: &BuildSummary) {
    let cached = s.cached().len();
    eprintln!(
        "{} build: {:.2}s, {} steps, {cached} cached, {} of context sent",
        s.builder,
        s.elapsed.as_secs_f64(),
        s.steps.iter().filter(|t| t.lines.is_some()).count(),
        crate::util::text::bytes(s.context_bytes_sent)
    );
    for t in s.slowest(3).iter().filter(|t| t.lines.is_some()) {
        eprintln!("  slow: {:.2}s {}", t.duration.as_secs_f64(), t.name);
    }
    if let Some((line, why)) = s.cache.as_ref().and_then(|c| c.first_miss.as_ref()) {
        eprintln!("  first cache miss: line {line}: {why:?}");
    }
    if let Some(f) = &s.failure {
        for l in &f.last_logs {
            eprintln!("  | {l}");
        }
    }
}

#[cfg(test)]
mod cli_shape_tests {
    #[test]
    fn the_context_directory_does_not_clash_with_the_global_context_option() {
        use clap::{CommandFactory, Parser};
        #[derive(Debug, Parser)]
        struct Top {
            #[arg(long = "context", global = true)]
            context: Option<String>,
            #[command(subcommand)]
            cmd: Sub,
        }
        #[derive(Debug, clap::Subcommand)]
        enum Sub {
            Build(super::BuildArgs),
        }
        Top::command().debug_assert();
        let top = Top::try_parse_from(["dockhand", "build", "/ctx", "-t", "a:1"]).unwrap();
        let Sub::Build(args) = top.cmd;
        assert_eq!(args.context, std::path::PathBuf::from("/ctx"));
        assert_eq!(top.context, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::build::SecretSource;

    #[test]
    fn secrets_parse_and_never_print_their_source() {
        let s = parse_secret("id=tok,src=/run/tok").unwrap();
        assert_eq!(s.id, "tok");
        assert_eq!(s.source, SecretSource::File("/run/tok".into()));
        assert!(!format!("{s:?}").contains("/run/tok"));
        let e = parse_secret("id=tok,env=TOKEN").unwrap();
        assert_eq!(e.source, SecretSource::Env("TOKEN".into()));
        assert!(!format!("{e:?}").contains("TOKEN"));
        assert!(parse_secret("src=/x").is_err());
    }
}
