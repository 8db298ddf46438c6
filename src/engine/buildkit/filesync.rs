//! The sending side of fsutil's DiffCopy, the protocol BuildKit syncs local files with: we send
//! a STAT for every entry (sorted as Go's `filepath.Walk` visits them), the engine asks (REQ) for
//! the files its cached copy lacks, we send their DATA, and FIN ends the exchange. A rebuild
//! thus sends only what changed.
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use hyper::body::Frame;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::grpc::{self, Reader};
use super::proto::{self, Packet, Stat};
use crate::dockerfile::ignore::DockerIgnore;
use crate::dockerfile::vertex::cache::FileStamp;

/// What the context syncs of a build sent (path → stamp) and how many bytes of file data.
#[derive(Debug, Default, Clone)]
pub struct SyncedFiles {
    /// Every entry's stamp.
    pub files: BTreeMap<String, FileStamp>,
    /// File bytes the engine asked for.
    pub sent_bytes: u64,
}

/// One DiffCopy request.
#[derive(Debug, Clone)]
pub struct SyncSpec {
    /// The directory.
    pub dir: PathBuf,
    /// Only these (Docker patterns), when not empty.
    pub includes: Vec<String>,
    /// Never these (`.dockerignore` rules).
    pub excludes: Vec<String>,
    /// Only these paths, when not empty.
    pub follow: Vec<String>,
    /// Send owner 0:0 (as the Docker CLI does for the context).
    pub reset_owner: bool,
}

/// Go's `os.FileMode` bits from a unix mode.
pub fn go_mode(mode: u32) -> u32 {
    const S_IFMT: u32 = 0o170000;
    let mut out = mode & 0o777;
    if mode & 0o4000 != 0 {
        out |= 1 << 23;
    }
    if mode & 0o2000 != 0 {
        out |= 1 << 22;
    }
    if mode & 0o1000 != 0 {
        out |= 1 << 20;
    }
    out | match mode & S_IFMT {
        0o040000 => 1 << 31,
        0o120000 => 1 << 27,
        0o010000 => 1 << 25,
        0o140000 => 1 << 24,
        0o020000 => (1 << 26) | (1 << 21),
        0o060000 => 1 << 26,
        _ => 0,
    }
}

struct Walker {
    root: PathBuf,
    excludes: DockerIgnore,
    includes: Option<(DockerIgnore, Vec<String>)>,
    reset_owner: bool,
    out: Vec<(Stat, PathBuf)>,
}

impl Walker {
    fn stat(&self, name: &str, path: &Path, meta: &fs::Metadata) -> Result<Stat, String> {
        let linkname = if meta.file_type().is_symlink() {
            fs::read_link(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .to_string_lossy()
                .into_owned()
        } else {
            String::new()
        };
        let regular = meta.file_type().is_file();
        Ok(Stat {
            path: name.to_string(),
            mode: go_mode(meta.mode() | (meta.permissions().mode() & 0o7777)),
            uid: if self.reset_owner { 0 } else { meta.uid() },
            gid: if self.reset_owner { 0 } else { meta.gid() },
            size: if regular { meta.len() as i64 } else { 0 },
            mod_time: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            linkname,
            ..Default::default()
        })
    }

    /// Whether a directory may hold an included path.
    fn may_contain(&self, dir: &str) -> bool {
        match &self.includes {
            None => true,
            Some((m, raw)) => {
                m.matches(dir)
                    || raw
                        .iter()
                        .any(|p| p.starts_with(&format!("{dir}/")) || p.contains(['*', '?', '[']))
            }
        }
    }

    fn included(&self, name: &str) -> bool {
        self.includes.as_ref().is_none_or(|(m, _)| m.matches(name))
    }

    fn walk(&mut self, dir: &Path, rel: &str) -> Result<(), String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort();
        for file_name in names {
            let name = match rel {
                "" => file_name.to_string_lossy().into_owned(),
                _ => format!("{rel}/{}", file_name.to_string_lossy()),
            };
            let path = dir.join(&file_name);
            let meta =
                fs::symlink_metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let is_dir = meta.file_type().is_dir();
            let excluded = self.excludes.matches(&name);
            if is_dir {
                if (excluded && self.excludes.can_skip_dir(&name)) || !self.may_contain(&name) {
                    continue;
                }
                let at = self.out.len();
                let keep_self = !excluded && self.included(&name);
                self.walk(&path, &name)?;
                if keep_self || self.out.len() > at {
                    let stat = self.stat(&name, &path, &meta)?;
                    self.out.insert(at, (stat, path));
                }
            } else if !excluded && self.included(&name) {
                let stat = self.stat(&name, &path, &meta)?;
                self.out.push((stat, path));
            }
        }
        Ok(())
    }
}

/// The entries a sync sends, in order, with where each is read from.
pub fn entries(spec: &SyncSpec) -> Result<Vec<(Stat, PathBuf)>, String> {
    let excludes = DockerIgnore::new(&spec.excludes).map_err(|e| format!(".dockerignore: {e}"))?;
    let wanted: Vec<String> = spec.includes.iter().chain(&spec.follow).cloned().collect();
    let includes = if wanted.is_empty() {
        None
    } else {
        let m = DockerIgnore::new(&wanted).map_err(|e| format!("include patterns: {e}"))?;
        Some((m, wanted))
    };
    let mut w = Walker {
        root: spec.dir.clone(),
        excludes,
        includes,
        reset_owner: spec.reset_owner,
        out: Vec::new(),
    };
    let root = w.root.clone();
    w.walk(&root, "")?;
    Ok(w.out)
}

/// Size of the DATA chunks.
const CHUNK: usize = 256 * 1024;

fn packet(p: &Packet) -> Frame<Bytes> {
    Frame::data(grpc::frame(p))
}

/// Serves one DiffCopy call.
pub async fn send(
    spec: SyncSpec,
    mut reader: Reader,
    tx: mpsc::Sender<Frame<Bytes>>,
    record: Option<std::sync::Arc<std::sync::Mutex<SyncedFiles>>>,
) -> Result<(), String> {
    let list = tokio::task::spawn_blocking(move || entries(&spec))
        .await
        .map_err(|e| e.to_string())??;
    if let Some(rec) = &record
        && let Ok(mut rec) = rec.lock()
    {
        rec.files.extend(list.iter().map(|(s, _)| {
            let stamp = FileStamp {
                size: s.size as u64,
                mtime_ns: s.mod_time,
                mode: s.mode,
            };
            (s.path.clone(), stamp)
        }));
    }
    let stats: Vec<Stat> = list.iter().map(|(s, _)| s.clone()).collect();
    let stat_tx = tx.clone();
    let stats_task = tokio::spawn(async move {
        for stat in stats {
            let p = Packet {
                kind: proto::PACKET_STAT,
                stat: Some(stat),
                ..Default::default()
            };
            if stat_tx.send(packet(&p)).await.is_err() {
                return;
            }
        }
        let _ = stat_tx
            .send(packet(&Packet {
                kind: proto::PACKET_STAT,
                ..Default::default()
            }))
            .await;
    });
    let result = serve_requests(&list, &mut reader, &tx, record.as_ref()).await;
    stats_task.abort();
    result
}

async fn serve_requests(
    list: &[(Stat, PathBuf)],
    reader: &mut Reader,
    tx: &mpsc::Sender<Frame<Bytes>>,
    record: Option<&std::sync::Arc<std::sync::Mutex<SyncedFiles>>>,
) -> Result<(), String> {
    let gone = |_| "the engine ended the file sync".to_string();
    loop {
        let Some(p) = reader.next::<Packet>().await? else {
            return Ok(());
        };
        match p.kind {
            proto::PACKET_REQ => {
                let Some((stat, path)) = list.get(p.id as usize) else {
                    return Err(format!("the engine asked for unknown file #{}", p.id));
                };
                let sent = send_file(p.id, path, stat.size as u64, tx).await?;
                if let Some(rec) = record
                    && let Ok(mut rec) = rec.lock()
                {
                    rec.sent_bytes += sent;
                }
            }
            proto::PACKET_FIN => {
                let fin = Packet {
                    kind: proto::PACKET_FIN,
                    ..Default::default()
                };
                tx.send(packet(&fin)).await.map_err(gone)?;
                return Ok(());
            }
            proto::PACKET_ERR => {
                return Err(format!(
                    "the engine's file sync failed: {}",
                    String::from_utf8_lossy(&p.data)
                ));
            }
            _ => {}
        }
    }
}

async fn send_file(
    id: u32,
    path: &Path,
    size: u64,
    tx: &mpsc::Sender<Frame<Bytes>>,
) -> Result<u64, String> {
    let gone = |_| "the engine ended the file sync".to_string();
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut sent = 0u64;
    let mut buf = vec![0u8; CHUNK];
    while sent < size {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            return Err(format!(
                "{}: changed while the context was being sent",
                path.display()
            ));
        }
        sent += n as u64;
        let p = Packet {
            kind: proto::PACKET_DATA,
            id,
            data: buf[..n].to_vec(),
            ..Default::default()
        };
        tx.send(packet(&p)).await.map_err(gone)?;
    }
    let end = Packet {
        kind: proto::PACKET_DATA,
        id,
        ..Default::default()
    };
    tx.send(packet(&end)).await.map_err(gone)?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_modes() {
        assert_eq!(go_mode(0o100644), 0o644);
        assert_eq!(go_mode(0o040755), (1 << 31) | 0o755);
        assert_eq!(go_mode(0o120777), (1 << 27) | 0o777);
        assert_eq!(go_mode(0o104755), (1 << 23) | 0o755);
    }

    #[test]
    fn walk_order_excludes_and_includes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("a/b")).unwrap();
        fs::write(d.join("a/b/x"), "x").unwrap();
        fs::write(d.join("a.txt"), "t").unwrap();
        fs::write(d.join("secret"), "s").unwrap();
        fs::write(d.join("Dockerfile"), "FROM scratch").unwrap();
        let spec = SyncSpec {
            dir: d.to_path_buf(),
            includes: vec![],
            excludes: vec!["secret".into()],
            follow: vec![],
            reset_owner: true,
        };
        let names: Vec<String> = entries(&spec)
            .unwrap()
            .into_iter()
            .map(|(s, _)| s.path)
            .collect();
        assert_eq!(names, ["Dockerfile", "a", "a/b", "a/b/x", "a.txt"]);
        let only = SyncSpec {
            includes: vec!["a/b/x".into()],
            excludes: vec![],
            ..spec
        };
        let names: Vec<String> = entries(&only)
            .unwrap()
            .into_iter()
            .map(|(s, _)| s.path)
            .collect();
        assert_eq!(names, ["a", "a/b", "a/b/x"]);
    }
}
