//! Image builds from a Dockerfile: plans the context (honouring `.dockerignore`), streams it as a
//! tar into the engine's `/build` endpoint while the builder's output comes back as
//! [`Progress::Log`] lines, then adds any extra tags.
//!
//! The tar is written on a blocking thread into a bounded channel, so a large context is never
//! held in memory whole.
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use bollard::Docker;
use bollard::query_parameters::BuildImageOptionsBuilder;
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::types::Progress;
use super::{EngineError, JobCtx};
use crate::dockerfile::context::{self, ContextError};

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
    /// Network mode for RUN steps (empty: the engine's default).
    pub network: String,
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

/// Runs a build; returns a summary naming the image ID. Progress lines are the builder's output.
pub async fn build(
    docker: &Docker,
    req: &BuildRequest,
    job: &JobCtx,
) -> Result<String, EngineError> {
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
    let mut args: HashMap<String, String> = HashMap::new();
    for (k, v) in &req.build_args {
        args.insert(k.clone(), v.clone());
    }
    let mut opts = BuildImageOptionsBuilder::default()
        .dockerfile(&plan.dockerfile)
        .rm(true)
        .forcerm(true)
        .nocache(req.no_cache)
        .buildargs(&args);
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
    for extra in req.tags.iter().skip(1) {
        super::images::tag(docker, &id, extra).await?;
    }
    job.progress(Progress::Log(format!("{BUILT_PREFIX}{id}")));
    Ok(format!("{BUILT_PREFIX}{id}"))
}

fn tokio_stream(
    mut rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
