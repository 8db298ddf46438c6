//! Streaming an image out of the engine (`GET /images/{name}/get`) into the archive parser.
//!
//! The export's async byte stream is bridged into a blocking [`Read`] through a bounded channel;
//! the parser runs on a `spawn_blocking` thread while the export is still streaming, so the
//! analysis finishes about when the export does. Progress goes out on an unbounded channel and a
//! shared flag cancels both sides. The caller hands in the connected engine as an
//! [`ImageExport`].
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use std::pin::Pin;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::archive::Progress;
use super::error::LayersError;
use super::model::ImageAnalysis;

/// Chunks in flight between the export stream and the parser.
const CHANNEL_DEPTH: usize = 16;

/// An image export (`docker save` format) as it arrives, chunk by chunk.
pub type ExportStream = Pin<Box<dyn Stream<Item = Result<Bytes, String>> + Send>>;

/// Something that exports images: an engine connection made by the caller (this module never
/// connects by itself, so every command reaches the engine the app resolved).
pub trait ImageExport {
    /// Starts the export of `image` (`GET /images/{image}/get`).
    fn export(&self, image: &str) -> ExportStream;
}

/// A blocking reader over chunks received from the async side.
struct ChannelReader {
    rx: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// Exports `image` from the engine and analyses it while the export streams.
///
/// Progress events go to `progress` (if given); setting `cancel` stops both the export and the
/// parser and yields [`LayersError::Cancelled`].
pub async fn analyze_image(
    engine: &(impl ImageExport + ?Sized),
    image: &str,
    progress: Option<mpsc::UnboundedSender<Progress>>,
    cancel: Arc<AtomicBool>,
) -> Result<ImageAnalysis, LayersError> {
    let (tx, rx) = mpsc::channel::<Bytes>(CHANNEL_DEPTH);
    let engine_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let mut stream = engine.export(image);
    let producer_cancel = cancel.clone();
    let producer_error = engine_error.clone();
    let producer = tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            if producer_cancel.load(Ordering::Relaxed) {
                break;
            }
            match item {
                Ok(chunk) => {
                    if tx.send(chunk).await.is_err() {
                        break; // the parser is done (or failed) and dropped the reader
                    }
                }
                Err(e) => {
                    if let Ok(mut slot) = producer_error.lock() {
                        *slot = Some(e);
                    }
                    break;
                }
            }
        }
    });
    let parser_cancel = cancel.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        let reader = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        let report = |p: Progress| {
            if let Some(tx) = &progress {
                let _ = tx.send(p);
            }
        };
        super::analyze_reader(reader, report, &parser_cancel)
    })
    .await
    .map_err(|e| LayersError::Engine(format!("analysis thread failed: {e}")))?;
    producer.abort();
    if cancel.load(Ordering::Relaxed) {
        return Err(LayersError::Cancelled);
    }
    let engine_msg = engine_error.lock().ok().and_then(|mut s| s.take());
    match (parsed, engine_msg) {
        (Ok(a), _) => Ok(a),
        (Err(_), Some(msg)) => Err(LayersError::Engine(msg)),
        (Err(e), None) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_reader_reassembles_chunks() {
        let (tx, rx) = mpsc::channel(4);
        let mut r = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        tx.blocking_send(Bytes::from_static(b"hel")).unwrap();
        tx.blocking_send(Bytes::from_static(b"lo")).unwrap();
        drop(tx);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello");
    }
}
