//! `docker cp` as jobs: a container path to this machine (the engine's archive extracted by
//! [`super::copy_files::extract`] on a blocking thread), and a host path (or a tar to unpack)
//! into a container. Both stream through bounded channels; where the copy lands follows
//! `docker cp`: into an existing directory, or as the new name when the target does not exist.
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bollard::Docker;
use bollard::query_parameters::{
    ContainerArchiveInfoOptionsBuilder, DownloadFromContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::copy_files::{archive, check_archive, extract};
use super::offline_io::file_body;
use super::types::{JobOutcome, Progress};
use super::{EngineError, JobCtx};

/// Go's `os.ModeDir` in the engine's path stat.
const GO_MODE_DIR: u32 = 1 << 31;

/// What a container path is, or `None` when it does not exist.
async fn stat(docker: &Docker, container: &str, path: &str) -> Result<Option<bool>, EngineError> {
    let options = ContainerArchiveInfoOptionsBuilder::default()
        .path(path)
        .build();
    match docker
        .get_container_archive_info(container, Some(options))
        .await
    {
        Ok(s) => Ok(Some(s.file_mode & GO_MODE_DIR != 0)),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn invalid(s: impl Into<String>) -> EngineError {
    EngineError::Invalid(s.into())
}

/// A `Read` over chunks arriving from the async side.
struct ChannelReader {
    rx: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(b) => self.current = b,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// A `Write` sending 64 KiB chunks to the async side.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the upload stopped"))
    }
}

/// Where a copy to this machine lands: the directory written into and the new top name.
fn host_target(dest: &Path, src_is_dir: bool) -> Result<(PathBuf, Option<String>), EngineError> {
    match std::fs::metadata(dest) {
        Ok(m) if m.is_dir() => Ok((dest.to_path_buf(), None)),
        Ok(_) if src_is_dir => Err(invalid(format!(
            "{}: cannot copy a directory over a file",
            dest.display()
        ))),
        _ => {
            let parent = match dest.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !parent.is_dir() {
                return Err(invalid(format!("{}: no such directory", parent.display())));
            }
            let name = dest
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| invalid(format!("{}: give a file name", dest.display())))?;
            Ok((parent, Some(name)))
        }
    }
}

/// Copies `src` of `container` to `dest` on this machine.
pub async fn copy_out(
    docker: &Docker,
    container: &str,
    src: &str,
    dest: &Path,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    let is_dir = stat(docker, container, src)
        .await?
        .ok_or_else(|| invalid(format!("{src}: no such path in the container")))?;
    let (base, rename) = host_target(dest, is_dir)?;
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    let writer = tokio::task::spawn_blocking(move || {
        let reader = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        extract(reader, &base, rename.as_deref())
    });
    let options = DownloadFromContainerOptionsBuilder::default()
        .path(src)
        .build();
    let mut stream = std::pin::pin!(docker.download_from_container(container, Some(options)));
    let mut done = 0u64;
    let mut failure = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(bytes) => {
                done += bytes.len() as u64;
                if tx.send(bytes).await.is_err() {
                    break;
                }
                job.progress(Progress::Bytes { done, total: 0 });
            }
            Err(e) => {
                failure = Some(EngineError::from(e));
                break;
            }
        }
    }
    drop(tx);
    let extracted = writer.await.map_err(|e| invalid(e.to_string()))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let written = extracted.map_err(|e| invalid(e.to_string()))?;
    Ok(JobOutcome::Done(format!(
        "copied {src} to {} ({})",
        dest.display(),
        crate::util::text::bytes(written)
    )))
}

/// Copies `src` on this machine into `container` at `dest`. With `unpack`, `src` is a tar whose
/// entries are checked and unpacked into the directory `dest`.
pub async fn copy_in(
    docker: &Docker,
    container: &str,
    src: &Path,
    dest: &str,
    unpack: bool,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    let meta =
        std::fs::symlink_metadata(src).map_err(|e| invalid(format!("{}: {e}", src.display())))?;
    let target = stat(docker, container, dest).await?;
    let (into, top) = match (target, unpack) {
        (Some(true), true) => (dest.to_string(), String::new()),
        (_, true) => return Err(invalid(format!("{dest}: not a directory in the container"))),
        (Some(true), false) => (
            dest.to_string(),
            src.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| invalid(format!("{}: give a file or directory", src.display())))?,
        ),
        (Some(false), false) if meta.is_dir() => {
            return Err(invalid(format!(
                "{dest}: cannot copy a directory over a file"
            )));
        }
        _ => {
            let (parent, name) = match dest.trim_end_matches('/').rsplit_once('/') {
                Some(("", n)) => ("/".to_string(), n.to_string()),
                Some((p, n)) => (p.to_string(), n.to_string()),
                None => return Err(invalid(format!("{dest}: give an absolute path"))),
            };
            if stat(docker, container, &parent).await? != Some(true) {
                return Err(invalid(format!(
                    "{parent}: no such directory in the container"
                )));
            }
            (parent, name)
        }
    };
    let options = UploadToContainerOptionsBuilder::default()
        .path(&into)
        .build();
    let body = if unpack {
        let path = src.to_path_buf();
        let shown = src.display().to_string();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
            check_archive(std::io::BufReader::new(file)).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| invalid(e.to_string()))?
        .map_err(|e| invalid(format!("{shown}: {e}")))?;
        bollard::body_try_stream(file_body(src.to_path_buf(), meta.len(), job.clone())?)
    } else {
        let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(16);
        let path = src.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut out = ChannelWriter {
                tx: tx.clone(),
                buf: Vec::new(),
            };
            if let Err(e) = archive(&path, &top, &mut out).and_then(|_| {
                out.flush().map_err(|e| super::copy_files::CopyError::Io {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })
            }) {
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
        });
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        bollard::body_try_stream(stream)
    };
    docker
        .upload_to_container(container, Some(options), body)
        .await?;
    Ok(JobOutcome::Done(format!(
        "copied {} into {dest}",
        src.display()
    )))
}
