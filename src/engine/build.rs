//! Image builds from a Dockerfile, with BuildKit or the classic builder.
//!
//! [`BuildRequest`] says what to build; [`BuildOptions`] adds what only the richer
//! [`Command::BuildWith`](super::Command::BuildWith) carries (builder choice, secrets, platform,
//! labels, pull, cache sources). BuildKit builds run through a session (see [`super::buildkit`]);
//! classic builds stream the context as a tar into `/build` while the builder's output comes back
//! as [`Progress::Log`] lines, then extra tags are added.
//!
//! The tar is written on a blocking thread into a bounded channel, so a large context is never
//! held in memory whole.
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;
use bollard::query_parameters::BuildImageOptionsBuilder;
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::buildkit::progress::VertexState;
use super::types::Progress;
use super::{EngineError, JobCtx};
use crate::dockerfile::context::{self, ContextError};
use crate::dockerfile::vertex::cache::CacheReport;

/// What to build.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildRequest {
    /// The Dockerfile.
    pub dockerfile: PathBuf,
    /// The context directory.
    pub context: PathBuf,
    /// Tags (`repo:tag`); the first is passed to the build, the rest added after it.
    pub tags: Vec<String>,
    /// `--build-arg KEY=VALUE` pairs.
    pub build_args: Vec<(String, String)>,
    /// Target stage (empty: the last one).
    pub target: String,
    /// Ignore the build cache.
    pub no_cache: bool,
    /// Network mode for RUN steps: empty or `default`, `host`, `none` (see [`NetworkMode`]);
    /// the classic builder also takes a network name.
    pub network: String,
}

/// Which builder ran (or runs) a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Builder {
    /// The classic builder (`version=1`).
    Classic,
    /// BuildKit (`version=2` with a session).
    BuildKit,
}

impl std::fmt::Display for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Builder::Classic => "classic builder",
            Builder::BuildKit => "BuildKit",
        })
    }
}

/// Which builder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuilderChoice {
    /// BuildKit when the engine has it (see [`builder_for_ping`]), else the classic builder.
    #[default]
    Auto,
    /// Always the classic builder.
    Classic,
    /// Always BuildKit (fails on engines without it).
    BuildKit,
}

/// Where a secret's value is read from, when the build asks for it.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A file.
    File(PathBuf),
    /// An environment variable of dockhand's process.
    Env(String),
}

/// A build secret (`RUN --mount=type=secret,id=…`). Its value is read only when the builder
/// asks for it and is never logged; `Debug` shows the id alone.
#[derive(Clone, PartialEq, Eq)]
pub struct BuildSecret {
    /// The id the Dockerfile uses.
    pub id: String,
    /// Where its value comes from.
    pub source: SecretSource,
}

impl std::fmt::Debug for BuildSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BuildSecret {{ id: {:?}, source: <redacted> }}", self.id)
    }
}

impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretSource(<redacted>)")
    }
}

/// Parses `id=ID,src=FILE` / `id=ID,env=VAR` (Docker's `--secret` syntax; `id=ID` alone reads
/// the environment variable ID). Errors never quote the source.
pub fn parse_secret(s: &str) -> Result<BuildSecret, String> {
    let (mut id, mut source) = (None, None);
    for part in s.split(',') {
        match part.split_once('=') {
            Some(("id", v)) if !v.is_empty() => id = Some(v.to_string()),
            Some(("src" | "source", v)) if !v.is_empty() => {
                source = Some(SecretSource::File(PathBuf::from(v)))
            }
            Some(("env", v)) if !v.is_empty() => source = Some(SecretSource::Env(v.to_string())),
            _ => return Err("a secret is id=ID,src=FILE or id=ID,env=VAR".into()),
        }
    }
    let id = id.ok_or("a secret needs id=ID")?;
    let source = source.unwrap_or_else(|| SecretSource::Env(id.clone()));
    Ok(BuildSecret { id, source })
}

/// RUN steps' network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// The engine's default.
    #[default]
    Default,
    /// The host's network.
    Host,
    /// No network.
    None,
}

impl NetworkMode {
    /// From [`BuildRequest::network`]; `None` for anything BuildKit does not take.
    pub fn parse(s: &str) -> Option<NetworkMode> {
        match s.trim() {
            "" | "default" => Some(NetworkMode::Default),
            "host" => Some(NetworkMode::Host),
            "none" => Some(NetworkMode::None),
            _ => None,
        }
    }
}

/// What [`Command::BuildWith`](super::Command::BuildWith) adds to a [`BuildRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildOptions {
    /// Which builder.
    pub builder: BuilderChoice,
    /// Secrets the build may mount (BuildKit only).
    pub secrets: Vec<BuildSecret>,
    /// Target platform, `os/arch[/variant]`.
    pub platform: Option<String>,
    /// Labels set on the image.
    pub labels: Vec<(String, String)>,
    /// Always pull base images.
    pub pull: bool,
    /// Images to use as cache sources.
    pub cache_from: Vec<String>,
}

/// One step's time in a finished build.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepTiming {
    /// The vertex digest.
    pub vertex: String,
    /// Its name, sanitised.
    pub name: String,
    /// First and last line of its Dockerfile step (`None` for internal work).
    pub lines: Option<(usize, usize)>,
    /// How it ended.
    pub state: VertexState,
    /// How long it took.
    pub duration: Duration,
}

/// Where and why a build failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildFailure {
    /// Lines of the failing step (`None` when the failure is not a step's).
    pub lines: Option<(usize, usize)>,
    /// The failing vertex's name.
    pub step: String,
    /// The builder's message, sanitised.
    pub message: String,
    /// The step's last output lines.
    pub last_logs: Vec<String>,
}

/// How a build went: carried by [`BuildEvent::Finished`](super::buildkit::progress::BuildEvent).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BuildSummary {
    /// The builder that ran it.
    pub builder: Builder,
    /// The image built.
    pub image_id: Option<String>,
    /// Wall time.
    pub elapsed: Duration,
    /// Every step vertex, in order of first appearance.
    pub steps: Vec<StepTiming>,
    /// The failure, if it failed.
    pub failure: Option<BuildFailure>,
    /// Cache hits and why the first miss missed (BuildKit builds).
    pub cache: Option<CacheReport>,
    /// Context bytes the engine asked for (a rebuild sends only changed files).
    pub context_bytes_sent: u64,
}

impl BuildSummary {
    /// The `n` slowest steps that ran (cached ones excluded), slowest first.
    pub fn slowest(&self, n: usize) -> Vec<&StepTiming> {
        let mut ran: Vec<&StepTiming> = self
            .steps
            .iter()
            .filter(|s| s.state != VertexState::Cached)
            .collect();
        ran.sort_by_key(|s| std::cmp::Reverse(s.duration));
        ran.truncate(n);
        ran
    }

    /// The steps taken from the cache.
    pub fn cached(&self) -> Vec<&StepTiming> {
        self.steps
            .iter()
            .filter(|s| s.state == VertexState::Cached)
            .collect()
    }
}

/// Picks the builder from `/_ping`'s headers: `Builder-Version: 2` means BuildKit and `1` the
/// classic builder. Without the header (dockerd before 23.0 announces it only when BuildKit is
/// its default) a Docker engine at API 1.39 or later has BuildKit, as the Docker CLI assumes;
/// Podman (empty header) and older engines use the classic builder.
pub fn builder_for_ping(ping: &super::buildkit::conn::PingHeaders) -> Builder {
    match ping.builder_version.as_deref().map(str::trim) {
        Some("2") => Builder::BuildKit,
        Some(_) => Builder::Classic,
        None => {
            let docker = ping.server.starts_with("Docker/");
            let api = super::connect::parse_api_version(&ping.api_version);
            let recent = api.is_some_and(|v| (v.major_version, v.minor_version) >= (1, 39));
            if docker && recent {
                Builder::BuildKit
            } else {
                Builder::Classic
            }
        }
    }
}

/// Runs a build with the chosen builder. The summary is also sent as the job's last
/// [`BuildEvent::Finished`](super::buildkit::progress::BuildEvent) (with BuildKit).
pub async fn build_with(
    docker: &Docker,
    endpoint: &str,
    req: &BuildRequest,
    opts: &BuildOptions,
    job: &JobCtx,
) -> Result<String, EngineError> {
    let dial = super::buildkit::conn::Dial::parse(endpoint);
    let builder = match (opts.builder, &dial) {
        (BuilderChoice::Classic, _) => Builder::Classic,
        (BuilderChoice::BuildKit, Some(_)) => Builder::BuildKit,
        (BuilderChoice::BuildKit, None) => {
            return Err(EngineError::Invalid(format!(
                "BuildKit sessions need a unix or plain TCP endpoint, not {endpoint}"
            )));
        }
        (BuilderChoice::Auto, None) => Builder::Classic,
        (BuilderChoice::Auto, Some(d)) => builder_for_ping(&super::buildkit::conn::ping(d).await?),
    };
    job.progress(Progress::Log(format!("builder: {builder}")));
    job.build_event(super::buildkit::progress::BuildEvent::Started { builder });
    match (builder, dial) {
        (Builder::BuildKit, Some(dial)) => {
            let summary = super::buildkit::build(docker, &dial, req, opts, job).await?;
            Ok(format!(
                "{BUILT_PREFIX}{}",
                summary.image_id.unwrap_or_default()
            ))
        }
        _ => classic(docker, req, opts, job).await,
    }
}

/// Prefix of the log line that reports the built image's ID (`built sha256:…`).
pub const BUILT_PREFIX: &str = "built ";

impl From<ContextError> for EngineError {
    fn from(e: ContextError) -> Self {
        EngineError::Invalid(format!("build context: {e}"))
    }
}

/// A `Write` that hands chunks to the async side; fails when the receiver is gone.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "build ended"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Runs a build with the classic builder, whose log the editor's step tracker reads; returns a
/// summary naming the image ID. Progress lines are the builder's output.
pub async fn build(
    docker: &Docker,
    req: &BuildRequest,
    job: &JobCtx,
) -> Result<String, EngineError> {
    classic(docker, req, &BuildOptions::default(), job).await
}

async fn classic(
    docker: &Docker,
    req: &BuildRequest,
    extra: &BuildOptions,
    job: &JobCtx,
) -> Result<String, EngineError> {
    if let Some(s) = extra.secrets.first() {
        return Err(EngineError::Invalid(format!(
            "secret {} needs BuildKit: the classic builder has no secrets",
            s.id
        )));
    }
    let dir = req.context.clone();
    let file = req.dockerfile.clone();
    let plan = tokio::task::spawn_blocking(move || context::plan(&dir, &file))
        .await
        .map_err(|e| EngineError::Invalid(format!("planning the context: {e}")))??;
    job.progress(Progress::Log(format!(
        "sending context: {} files, {}",
        plan.file_count(),
        crate::util::text::bytes(plan.tar_size())
    )));
    let args: HashMap<String, String> = req.build_args.iter().cloned().collect();
    let labels: HashMap<String, String> = extra.labels.iter().cloned().collect();
    let mut opts = BuildImageOptionsBuilder::default()
        .dockerfile(&plan.dockerfile)
        .rm(true)
        .forcerm(true)
        .nocache(req.no_cache)
        .pull(if extra.pull { "1" } else { "" })
        .labels(&labels)
        .buildargs(&args);
    if !extra.cache_from.is_empty() {
        opts = opts.cachefrom(&extra.cache_from);
    }
    if let Some(platform) = &extra.platform {
        opts = opts.platform(platform);
    }
    if let Some(tag) = req.tags.first() {
        opts = opts.t(tag);
    }
    if !req.target.is_empty() {
        opts = opts.target(&req.target);
    }
    if !req.network.is_empty() {
        opts = opts.networkmode(&req.network);
    }
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let writer_tx = tx.clone();
    let writer = tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: writer_tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let result = context::write_tar(&plan, &mut out).and_then(|n| {
            out.flush().map_err(ContextError::Write)?;
            Ok(n)
        });
        if let Err(e) = &result {
            let _ = out
                .tx
                .blocking_send(Err(std::io::Error::other(e.to_string())));
        }
        result
    });
    drop(tx);
    let body = bollard::body_try_stream(tokio_stream(rx));
    let mut stream = docker.build_image(opts.build(), None, Some(body));
    let mut image_id = None;
    let mut failure = None;
    while let Some(item) = stream.next().await {
        let info = item?;
        if let Some(text) = info.stream {
            for line in text.split_inclusive('\n') {
                job.progress(Progress::Log(line.trim_end_matches('\n').to_string()));
            }
        }
        if let Some(aux) = info.aux.and_then(|a| a.id) {
            image_id = Some(aux);
        }
        if let Some(detail) = info.error_detail {
            failure = Some(detail.message.unwrap_or_else(|| "the build failed".into()));
        }
    }
    if let Ok(Err(e)) = writer.await
        && failure.is_none()
    {
        return Err(e.into());
    }
    if let Some(message) = failure {
        return Err(EngineError::Api { status: 0, message });
    }
    let Some(id) = image_id else {
        return Err(EngineError::Api {
            status: 0,
            message: "the build ended without an image".into(),
        });
    };
    for more in req.tags.iter().skip(1) {
        super::images::tag(docker, &id, more).await?;
    }
    job.progress(Progress::Log(format!("{BUILT_PREFIX}{id}")));
    Ok(format!("{BUILT_PREFIX}{id}"))
}

fn tokio_stream(
    mut rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::buildkit::conn::PingHeaders;

    fn ping(builder: Option<&str>, server: &str, api: &str) -> PingHeaders {
        PingHeaders {
            builder_version: builder.map(str::to_string),
            server: server.into(),
            api_version: api.into(),
        }
    }

    #[test]
    fn builder_from_real_ping_headers() {
        // dockerd 20.10 (Debian) sends no Builder-Version: BuildKit is built in.
        let docker20 = ping(None, "Docker/20.10.24+dfsg1 (linux)", "1.41");
        assert_eq!(builder_for_ping(&docker20), Builder::BuildKit);
        // Podman 4.3 sends an empty Builder-Version.
        let podman = ping(Some(""), "Libpod/4.3.1 (linux)", "1.41");
        assert_eq!(builder_for_ping(&podman), Builder::Classic);
        assert_eq!(
            builder_for_ping(&ping(Some("2"), "Docker/27.0.1 (linux)", "1.46")),
            Builder::BuildKit
        );
        assert_eq!(
            builder_for_ping(&ping(Some("1"), "Docker/24.0.0 (linux)", "1.43")),
            Builder::Classic
        );
        assert_eq!(
            builder_for_ping(&ping(None, "Docker/18.06.1-ce (linux)", "1.38")),
            Builder::Classic
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let opts = BuildOptions {
            secrets: vec![BuildSecret {
                id: "tok".into(),
                source: SecretSource::Env("MY_TOKEN_VAR".into()),
            }],
            ..Default::default()
        };
        let shown = format!("{opts:?}");
        assert!(shown.contains("tok"), "{shown}");
        assert!(!shown.contains("MY_TOKEN_VAR"), "{shown}");
    }
}
