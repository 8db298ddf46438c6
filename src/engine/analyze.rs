//! The image-analysis job: streams `GET /images/{id}/get` through [`crate::layers`]'s parser,
//! reports bytes read (throttled) and hands the finished analysis out as an [`EngineEvent`].
//!
//! Cancelling works two ways, both of which stop the export from being read: the worker aborts
//! the job's task, which drops [`CancelOnDrop`] and raises the parser's cancel flag; the parser
//! then returns, its reader drops, and the export stream's producer stops on the flag.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bollard::Docker;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::types::{JobOutcome, Progress};
use super::{EngineError, EngineEvent, JobCtx};
use crate::layers::{self, ImageAnalysis, LayersError};

impl layers::ImageExport for Docker {
    fn export(&self, image: &str) -> layers::ExportStream {
        Box::pin(
            self.export_image(image)
                .map(|chunk| chunk.map_err(|e| EngineError::from(e).to_string())),
        )
    }
}

/// Minimum time between two byte-progress reports.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Raises a cancel flag when dropped (the job's future was aborted or finished).
#[derive(Debug)]
pub struct CancelOnDrop(pub Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// An image ID shortened for messages (`sha256:` dropped, 12 digits); references stay whole.
pub fn short_image(image: &str) -> &str {
    if image.starts_with("sha256:") {
        crate::util::text::short_id(image)
    } else {
        image
    }
}

/// Maps an analysis error to the engine's error type.
pub fn engine_error(err: LayersError) -> EngineError {
    match err {
        LayersError::Cancelled => EngineError::Cancelled,
        other => EngineError::Analysis(other.to_string()),
    }
}

/// Decides which progress reports go out: the first, then one per [`PROGRESS_EVERY`].
#[derive(Debug)]
pub struct Throttle {
    every: Duration,
    last: Option<Instant>,
}

impl Throttle {
    /// A throttle letting one report through per `every`.
    pub fn new(every: Duration) -> Self {
        Self { every, last: None }
    }

    /// True when a report made at `now` should be sent.
    pub fn ready(&mut self, now: Instant) -> bool {
        match self.last {
            Some(last) if now.duration_since(last) < self.every => false,
            _ => {
                self.last = Some(now);
                true
            }
        }
    }
}

/// Exports and analyses `image`, reporting [`Progress::Bytes`] through `job`.
///
/// The total is the image size the engine reports (the export is slightly larger: tar headers),
/// so the UI clamps. Cancelled analyses yield [`EngineError::Cancelled`].
pub async fn analyze(
    docker: &Docker,
    image: &str,
    job: &JobCtx,
) -> Result<Arc<ImageAnalysis>, EngineError> {
    if let Some(path) = image.strip_prefix(ARCHIVE_PREFIX) {
        return analyze_archive(std::path::PathBuf::from(path), job).await;
    }
    let total = docker
        .inspect_image(image)
        .await
        .map_err(EngineError::from)?
        .size
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(0);
    job.progress(Progress::Bytes { done: 0, total });
    let cancel = Arc::new(AtomicBool::new(false));
    let _guard = CancelOnDrop(cancel.clone());
    let (tx, mut rx) = mpsc::unbounded_channel::<layers::Progress>();
    let reporter = job.clone();
    let forward = tokio::spawn(async move {
        let mut throttle = Throttle::new(PROGRESS_EVERY);
        let mut last = 0;
        while let Some(p) = rx.recv().await {
            last = p.bytes_read;
            if throttle.ready(Instant::now()) {
                reporter.progress(Progress::Bytes { done: last, total });
            }
        }
        last
    });
    let result = layers::analyze_image(docker, image, Some(tx), cancel.clone()).await;
    // The sender is gone once the analysis returned, so the forwarder ends by itself.
    let read = forward.await.unwrap_or(0);
    let analysis = result.map_err(engine_error)?;
    job.progress(Progress::Bytes {
        done: read,
        total: total.max(read),
    });
    Ok(Arc::new(analysis))
}

/// An "image" naming an archive file on this machine (a load preview opens it in the explorer).
pub const ARCHIVE_PREFIX: &str = "docker-archive://";

/// Analyses an archive file (plain or gzip `docker save`, OCI archive, filesystem export) on a
/// blocking thread; dropping the job cancels it.
async fn analyze_archive(
    path: std::path::PathBuf,
    job: &JobCtx,
) -> Result<Arc<ImageAnalysis>, EngineError> {
    let total = std::fs::metadata(&path)
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))?
        .len();
    job.progress(Progress::Bytes { done: 0, total });
    let cancel = Arc::new(AtomicBool::new(false));
    let _guard = CancelOnDrop(cancel.clone());
    let reporter = job.clone();
    let flag = cancel.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut throttle = Throttle::new(PROGRESS_EVERY);
        layers::analyze_path(
            &path,
            |p| {
                if throttle.ready(Instant::now()) {
                    reporter.progress(Progress::Bytes {
                        done: p.bytes_read.min(total),
                        total,
                    });
                }
            },
            &flag,
        )
    })
    .await
    .map_err(|e| EngineError::Analysis(e.to_string()))?;
    Ok(Arc::new(result.map_err(engine_error)?))
}

/// Runs the job: the analysis goes out as [`EngineEvent::Analysis`], the job ends with a summary.
pub async fn run(docker: &Docker, image: String, job: &JobCtx) -> Result<JobOutcome, EngineError> {
    let result = analyze(docker, &image, job).await;
    let outcome = match &result {
        Ok(a) => Ok(JobOutcome::Done(format!(
            "analysed {}: efficiency {} %, {} potentially wasted",
            short_image(&image),
            format_args!("{:.2}", a.figures.efficiency * 100.0),
            crate::util::text::bytes(a.figures.wasted_bytes)
        ))),
        Err(EngineError::Cancelled) => Err(EngineError::Cancelled),
        Err(e) => Err(EngineError::Analysis(e.to_string())),
    };
    (job.sink)(EngineEvent::Analysis {
        job: job.id,
        image,
        result,
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_shortened_references_kept() {
        assert_eq!(
            short_image(&format!("sha256:{}", "ab".repeat(32))),
            "abababababab"
        );
        assert_eq!(short_image("dh-explorer-demo:1"), "dh-explorer-demo:1");
    }

    #[test]
    fn dropping_the_guard_raises_the_flag() {
        let flag = Arc::new(AtomicBool::new(false));
        {
            let _g = CancelOnDrop(flag.clone());
            assert!(!flag.load(Ordering::Relaxed));
        }
        assert!(flag.load(Ordering::Relaxed));
    }

    #[test]
    fn throttle_lets_one_report_per_period() {
        let mut t = Throttle::new(Duration::from_millis(100));
        let t0 = Instant::now();
        assert!(t.ready(t0));
        assert!(!t.ready(t0 + Duration::from_millis(50)));
        assert!(t.ready(t0 + Duration::from_millis(100)));
        assert!(!t.ready(t0 + Duration::from_millis(199)));
        assert!(t.ready(t0 + Duration::from_millis(250)));
    }

    #[test]
    fn cancelled_analysis_maps_to_cancelled() {
        assert!(matches!(
            engine_error(LayersError::Cancelled),
            EngineError::Cancelled
        ));
        assert!(matches!(
            engine_error(LayersError::Engine("boom".into())),
            EngineError::Analysis(m) if m.contains("boom")
        ));
    }
}
