//! BuildKit builds through the engine API: a session over `/session` serves the context and the
//! Dockerfile (file sync, so a rebuild sends only what changed), secrets and registry logins;
//! `/build?version=2` runs the build and streams BuildKit's progress, decoded here into a typed
//! vertex graph ([`progress`]) tied to Dockerfile lines.
pub mod conn;
pub mod filesync;
mod grpc;
pub mod progress;
mod proto;
mod request;
mod session;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use bollard::Docker;
use sha2::{Digest, Sha256};

use self::conn::Dial;
use self::progress::{BuildEvent, Decoder, VertexState};
use super::build::{
    BuildFailure, BuildOptions, BuildRequest, BuildSummary, Builder, NetworkMode, StepTiming,
};
use super::types::Progress;
use super::{EngineError, JobCtx};
use crate::dockerfile::vertex::Origin;
use crate::dockerfile::vertex::cache::{self, BuildRecord, StepRecord};

/// Output lines kept with a failure.
const FAILURE_LOG_LINES: usize = 20;

/// The last BuildKit build of each (Dockerfile, target), to explain the next one's cache misses.
fn previous() -> &'static Mutex<HashMap<(PathBuf, String), BuildRecord>> {
    static PREVIOUS: OnceLock<Mutex<HashMap<(PathBuf, String), BuildRecord>>> = OnceLock::new();
    PREVIOUS.get_or_init(Default::default)
}

fn random_id() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    let mut h = Sha256::new();
    h.update(bytes);
    h.update(format!("{:?}{}", Instant::now(), std::process::id()));
    hex::encode(&h.finalize()[..16])
}

fn canonical(path: &Path) -> Result<PathBuf, EngineError> {
    std::fs::canonicalize(path)
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))
}

/// Runs a BuildKit build; progress goes to `job` as plain lines and [`BuildEvent`]s, and the
/// summary is sent as [`BuildEvent::Finished`] before returning.
pub async fn build(
    docker: &Docker,
    dial: &Dial,
    req: &BuildRequest,
    opts: &BuildOptions,
    job: &JobCtx,
) -> Result<BuildSummary, EngineError> {
    let started = Instant::now();
    let network = NetworkMode::parse(&req.network).ok_or_else(|| {
        EngineError::Invalid(format!(
            "network {:?}: BuildKit takes default, host or none",
            req.network
        ))
    })?;
    let synced = Arc::new(Mutex::new(filesync::SyncedFiles::default()));
    let Prepared {
        cfg,
        dockerfile,
        dockerfile_name: df_name,
        text,
    } = prepare(req, opts, synced.clone())?;
    let _session = session::open(dial, cfg.clone()).await?;
    let query = request::query(req, opts, network, &cfg.id, &df_name);
    let mut decoder = Decoder::new(crate::dockerfile::parse(&text));
    let outcome = request::run(dial, &query, &mut decoder, job).await;
    let sent = synced.lock().map(|s| s.sent_bytes).unwrap_or(0);
    let files = synced.lock().map(|s| s.files.clone()).unwrap_or_default();
    let (image_id, error) = match outcome {
        Ok(id) => (Some(id), None),
        Err(e) => (None, Some(e)),
    };
    let record = record(&decoder, req, files);
    let key = (dockerfile.clone(), req.target.clone());
    let cache = {
        let mut prev = previous().lock().unwrap_or_else(|p| p.into_inner());
        let report = cache::explain(prev.get(&key), &record);
        if error.is_none() {
            prev.insert(key, record);
        }
        report
    };
    let summary = BuildSummary {
        builder: Builder::BuildKit,
        image_id: image_id.clone(),
        elapsed: started.elapsed(),
        steps: timings(&decoder),
        failure: error.as_ref().map(|e| failure(&decoder, e)),
        cache: Some(cache),
        context_bytes_sent: sent,
    };
    if let Some(id) = &image_id {
        for tag in req.tags.iter().skip(1) {
            super::images::tag(docker, id, tag).await?;
        }
        job.progress(Progress::Log(format!("{}{id}", super::build::BUILT_PREFIX)));
    }
    job.build_event(BuildEvent::Finished(Box::new(summary.clone())));
    match error {
        None => Ok(summary),
        Some(e) => Err(with_line(e, summary.failure.as_ref())),
    }
}

/// What a build reads before it starts.
struct Prepared {
    cfg: Arc<session::SessionConfig>,
    dockerfile: PathBuf,
    dockerfile_name: String,
    text: String,
}

/// Resolves the paths, reads the Dockerfile and `.dockerignore`, and describes the session.
fn prepare(
    req: &BuildRequest,
    opts: &BuildOptions,
    synced: Arc<Mutex<filesync::SyncedFiles>>,
) -> Result<Prepared, EngineError> {
    let context_dir = canonical(&req.context)?;
    let dockerfile = canonical(&req.dockerfile)?;
    let (df_dir, dockerfile_name) = match (dockerfile.parent(), dockerfile.file_name()) {
        (Some(d), Some(n)) => (d.to_path_buf(), n.to_string_lossy().into_owned()),
        _ => {
            return Err(EngineError::Invalid(
                "the Dockerfile path has no name".into(),
            ));
        }
    };
    let text = std::fs::read_to_string(&dockerfile)
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", dockerfile.display())))?;
    let ignore = match std::fs::read_to_string(context_dir.join(".dockerignore")) {
        Ok(s) => crate::dockerfile::ignore::read_patterns(&s),
        Err(_) => Vec::new(),
    };
    let cfg = Arc::new(session::SessionConfig {
        id: random_id(),
        shared_key: hex::encode(Sha256::digest(format!(
            "dockhand:{}",
            context_dir.display()
        ))),
        name: context_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        dirs: HashMap::from([
            ("context".to_string(), context_dir.clone()),
            ("dockerfile".to_string(), df_dir),
        ]),
        ignore,
        secrets: opts.secrets.clone(),
        synced,
    });
    Ok(Prepared {
        cfg,
        dockerfile,
        dockerfile_name,
        text,
    })
}

/// Names the failing step's line in the error the job ends with.
fn with_line(e: EngineError, failure: Option<&BuildFailure>) -> EngineError {
    match (e, failure) {
        (EngineError::Api { status, message }, Some(f)) => {
            let at = match f.lines {
                Some((a, b)) if a == b => format!("line {a}: "),
                Some((a, b)) => format!("lines {a}-{b}: "),
                None => String::new(),
            };
            EngineError::Api {
                status,
                message: format!("{at}{} failed: {message}", f.step),
            }
        }
        (e, _) => e,
    }
}

fn failure(decoder: &Decoder, e: &EngineError) -> BuildFailure {
    let progress = &decoder.progress;
    let failed = progress.failed();
    let last_logs = failed
        .and_then(|v| progress.logs.get(&v.id))
        .map(|l| {
            let skip = l.len().saturating_sub(FAILURE_LOG_LINES);
            l.iter().skip(skip).cloned().collect()
        })
        .unwrap_or_default();
    BuildFailure {
        lines: failed.and_then(|v| v.lines()),
        step: failed.map(|v| v.name.clone()).unwrap_or_default(),
        message: crate::util::sanitize::sanitize(&e.to_string()),
        last_logs,
    }
}

fn timings(decoder: &Decoder) -> Vec<StepTiming> {
    decoder
        .progress
        .vertices
        .iter()
        .map(|v| StepTiming {
            vertex: v.id.clone(),
            name: v.name.clone(),
            lines: v.lines(),
            state: v.state,
            duration: v.duration().unwrap_or_default(),
        })
        .collect()
}

/// The record of this build for the next one's cache explanation.
fn record(
    decoder: &Decoder,
    req: &BuildRequest,
    context: std::collections::BTreeMap<String, cache::FileStamp>,
) -> BuildRecord {
    let file = decoder.file();
    let inputs = cache::step_inputs(file, &req.build_args);
    let mut steps: Vec<StepRecord> = Vec::new();
    for v in &decoder.progress.vertices {
        let Origin::Step(loc) = &v.origin else {
            continue;
        };
        let Some(ins) = file.instructions.get(loc.instruction) else {
            continue;
        };
        if !matches!(
            v.state,
            VertexState::Cached | VertexState::Done | VertexState::Error
        ) {
            continue;
        }
        let (args, sources) = inputs.get(loc.instruction).cloned().unwrap_or_default();
        steps.push(StepRecord {
            stage: loc.stage,
            index: loc.index,
            keyword: ins.keyword(),
            text: ins.original.clone(),
            start_line: loc.start_line,
            cached: v.state == VertexState::Cached,
            args,
            sources,
            millis: v.duration().map_or(0, |d| d.as_millis() as u64),
            digest: v.id.clone(),
        });
    }
    steps.sort_by_key(|s| s.start_line);
    BuildRecord {
        steps,
        context,
        no_cache: req.no_cache,
    }
}
