//! Plumbing of the archive reader: byte counting with cancellation, the gzip bomb cap,
//! archive-name handling and content sniffing.
use std::cell::Cell;
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::error::LayersError;

/// A reader that counts bytes and honours the cancel flag.
pub(super) struct Counting<'c, R> {
    pub(super) inner: R,
    pub(super) count: Rc<Cell<u64>>,
    pub(super) cancel: &'c AtomicBool,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, CancelMarker));
        }
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

#[derive(Debug)]
struct CancelMarker;
impl std::fmt::Display for CancelMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}
impl std::error::Error for CancelMarker {}

/// Turns the cancel marker into [`LayersError::Cancelled`] and early ends into
/// [`LayersError::Truncated`].
pub(super) fn fix_cancel(err: LayersError) -> LayersError {
    match err {
        LayersError::Io(e) if e.get_ref().is_some_and(|r| r.is::<CancelMarker>()) => {
            LayersError::Cancelled
        }
        LayersError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            LayersError::Truncated(e.to_string())
        }
        other => other,
    }
}

/// A reader that fails once more than `limit` bytes came through (gzip bomb guard).
pub(super) struct Capped<R> {
    pub(super) inner: R,
    pub(super) left: u64,
    pub(super) limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(format!(
                "decompressed layer exceeds {} bytes (gzip bomb guard)",
                self.limit
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// `<id>/layer.tar` -> `<id>`; `blobs/sha256/<hex>` -> `<hex>`.
pub(super) fn layer_id(name: &str) -> String {
    if let Some(dir) = name.strip_suffix("/layer.tar") {
        return dir.to_string();
    }
    name.rsplit('/').next().unwrap_or(name).to_string()
}

pub(super) fn normalize_name(name: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.join("/")
}

pub(super) fn resolve_relative(name: &str, target: &str) -> String {
    if target.starts_with('/') {
        return normalize_name(target);
    }
    let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    normalize_name(&format!("{dir}/{target}"))
}

pub(super) fn looks_like_tar(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if head.iter().all(|&b| b == 0) || &head[257..262] == b"ustar" {
        return true;
    }
    // v7 tar: accept when the checksum adds up.
    let stored = std::str::from_utf8(&head[148..156])
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_matches(|c: char| c == ' ' || c == '\0'), 8).ok());
    let sum: u64 = head
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                b as u64
            }
        })
        .sum();
    stored == Some(sum)
}

pub(super) fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> Result<usize, LayersError> {
    let mut got = 0;
    while got < buf.len() {
        let n = reader.read(&mut buf[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got)
}

pub(super) fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
    depth: usize,
) -> Result<(), LayersError> {
    if depth > 8 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = std::fs::metadata(&path)?;
        if meta.is_dir() {
            collect_files(root, &path, out, depth + 1)?;
        } else if meta.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push((normalize_name(&rel.to_string_lossy()), path));
        }
    }
    Ok(())
}
