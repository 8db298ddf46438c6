//! Streaming between the engine and files: an engine byte stream written to a new file by one
//! blocking thread (optionally gzip-compressed), and a file read as a request body. Both go
//! through bounded channels, so memory stays at a few chunks whatever the size; bytes and
//! throughput are reported as the job's progress.
use std::io::{Read, Write};
use std::path::PathBuf;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::analyze::{PROGRESS_EVERY, Throttle};
use super::types::Progress;
use super::{EngineError, JobCtx};
use crate::fsio::{CreateError, NewFile};

/// Chunks in flight between the engine and the disk.
const CHANNEL_CHUNKS: usize = 16;
/// Size of the chunks a file is read in.
const READ_CHUNK: usize = 256 * 1024;

/// What the writer thread is told.
enum Chunk {
    Data(Bytes),
    /// The stream ended well: keep the file.
    End,
}

fn create_error(e: CreateError) -> EngineError {
    EngineError::Invalid(e.to_string())
}

/// Writes `stream` to a new file at `path` (gzip when asked), reporting bytes received against
/// `total` (0: unknown). On any failure, or when the job is cancelled, the partial file is
/// removed. Returns the bytes written to disk.
pub async fn write_stream<S, E>(
    stream: S,
    path: PathBuf,
    gzip: bool,
    overwrite: bool,
    total: u64,
    job: &JobCtx,
) -> Result<u64, EngineError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<EngineError>,
{
    let file = NewFile::create(&path, overwrite).map_err(create_error)?;
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL_CHUNKS);
    let writer = tokio::task::spawn_blocking(move || write_chunks(file, rx, gzip));
    let mut stream = std::pin::pin!(stream);
    let mut done = 0u64;
    let mut throttle = Throttle::new(PROGRESS_EVERY);
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(bytes) => {
                done += bytes.len() as u64;
                if tx.send(Chunk::Data(bytes)).await.is_err() {
                    break; // the writer failed: its error is below
                }
                if throttle.ready(Instant::now()) {
                    job.progress(Progress::Bytes {
                        done,
                        total: total.max(done),
                    });
                }
            }
            Err(e) => {
                failure = Some(e.into());
                break;
            }
        }
    }
    if failure.is_none() {
        let _ = tx.send(Chunk::End).await;
    }
    drop(tx);
    let written = writer
        .await
        .map_err(|e| EngineError::Invalid(format!("the writer stopped: {e}")))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let written = written.map_err(create_error)?;
    job.progress(Progress::Bytes { done, total: done });
    Ok(written)
}

/// The writer thread: writes chunks until [`Chunk::End`] (then keeps the file) or until the
/// channel closes without it (then the file is dropped, which removes it).
fn write_chunks(
    file: NewFile,
    mut rx: mpsc::Receiver<Chunk>,
    gzip: bool,
) -> Result<u64, CreateError> {
    let mut out: Box<dyn Sink> = if gzip {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(Plain(file))
    };
    loop {
        match rx.blocking_recv() {
            Some(Chunk::Data(bytes)) => {
                if let Err(e) = out.write_all(&bytes) {
                    return Err(out.error(e));
                }
            }
            Some(Chunk::End) => return out.finish(),
            None => {
                return Err(out.error(std::io::Error::other("the transfer stopped before the end")));
            }
        }
    }
}

/// A file being written, plain or through gzip.
trait Sink: Write + Send {
    fn finish(self: Box<Self>) -> Result<u64, CreateError>;
    fn error(&self, e: std::io::Error) -> CreateError;
}

struct Plain(NewFile);

impl Write for Plain {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Sink for Plain {
    fn finish(self: Box<Self>) -> Result<u64, CreateError> {
        self.0.finish()
    }
    fn error(&self, e: std::io::Error) -> CreateError {
        self.0.error(e)
    }
}

impl Sink for flate2::write::GzEncoder<NewFile> {
    fn finish(self: Box<Self>) -> Result<u64, CreateError> {
        let path = self.get_ref().path().to_path_buf();
        let file = (*self)
            .finish()
            .map_err(|source| CreateError::Io { path, source })?;
        file.finish()
    }
    fn error(&self, e: std::io::Error) -> CreateError {
        self.get_ref().error(e)
    }
}

/// A file as a request body: read by a blocking thread in chunks, reporting bytes sent against
/// `total`. A read error ends the body with that error.
pub fn file_body(
    path: PathBuf,
    total: u64,
    job: JobCtx,
) -> Result<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static, EngineError> {
    let mut file = std::fs::File::open(&path)
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHANNEL_CHUNKS);
    tokio::task::spawn_blocking(move || {
        let mut done = 0u64;
        let mut throttle = Throttle::new(PROGRESS_EVERY);
        loop {
            let mut buf = vec![0u8; READ_CHUNK];
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    done += n as u64;
                    if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                        break;
                    }
                    if throttle.ready(Instant::now()) {
                        job.progress(Progress::Bytes {
                            done,
                            total: total.max(done),
                        });
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    Ok(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}
