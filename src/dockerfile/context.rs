//! Build contexts: which files a build sends (honouring `.dockerignore` with Docker's rules), their
//! size before sending, and a streaming tar writer.
//!
//! ```no_run
//! # fn main() -> Result<(), dockhand::dockerfile::context::ContextError> {
//! use dockhand::dockerfile::context::{plan, write_tar};
//! let plan = plan("./app".as_ref(), "./app/Dockerfile".as_ref())?;
//! println!("{} files, {} bytes", plan.file_count(), plan.total_bytes());
//! write_tar(&plan, std::io::sink())?;
//! # Ok(()) }
//! ```

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::ignore::{DockerIgnore, IgnoreError};

/// Errors while planning or writing a context.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// Reading the file system failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `.dockerignore` has a bad pattern.
    #[error(".dockerignore: {0}")]
    Ignore(#[from] IgnoreError),
    /// A file changed size between planning and sending.
    #[error("{0}: changed while the context was being sent")]
    Changed(PathBuf),
    /// Writing the tar stream failed.
    #[error("writing the context: {0}")]
    Write(std::io::Error),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ContextError + '_ {
    move |source| ContextError::Io { path: path.to_path_buf(), source }
}

/// What kind of entry a context path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link and its target.
    Symlink(PathBuf),
}

/// One path the context will contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextEntry {
    /// Slash-separated path relative to the context root (the name inside the tar).
    pub name: String,
    /// Where it is read from.
    pub source: PathBuf,
    /// Kind of entry.
    pub kind: EntryKind,
    /// Content size in bytes (0 for directories and links).
    pub size: u64,
    /// Permission bits.
    pub mode: u32,
    /// Modification time (seconds since the epoch).
    pub mtime: u64,
}

/// The planned context: every entry that will be sent, in tar order.
#[derive(Debug, Clone)]
pub struct ContextPlan {
    /// The context directory.
    pub root: PathBuf,
    /// Entries in the order they will be written.
    pub entries: Vec<ContextEntry>,
    /// The Dockerfile's name inside the context (pass it as the build's `dockerfile` parameter).
    pub dockerfile: String,
    /// Number of paths `.dockerignore` left out (directories skipped whole count once).
    pub excluded: usize,
}

impl ContextPlan {
    /// Number of regular files.
    pub fn file_count(&self) -> usize {
        self.entries.iter().filter(|e| e.kind == EntryKind::File).count()
    }

    /// Total content bytes of the regular files.
    pub fn total_bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.size).sum()
    }

    /// Size of the tar stream [`write_tar`] produces for short names (one 512-byte header per
    /// entry, contents padded to 512, two zero blocks at the end). Long names add a few blocks.
    pub fn tar_size(&self) -> u64 {
        let body: u64 = self.entries.iter().map(|e| 512 + e.size.div_ceil(512) * 512).sum();
        body + 1024
    }

    /// The entry names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }
}

/// Name of the Dockerfile inside the context when it lives outside the context directory.
pub const OUTSIDE_DOCKERFILE_NAME: &str = ".dockerfile.dockhand";

fn entry(name: String, source: PathBuf, meta: &fs::Metadata) -> Result<Option<ContextEntry>, ContextError> {
    use std::os::unix::fs::PermissionsExt;
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        EntryKind::Dir
    } else if ft.is_file() {
        EntryKind::File
    } else if ft.is_symlink() {
        EntryKind::Symlink(fs::read_link(&source).map_err(io_err(&source))?)
    } else {
        return Ok(None);
    };
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let size = if kind == EntryKind::File { meta.len() } else { 0 };
    Ok(Some(ContextEntry { name, source, kind, size, mode: meta.permissions().mode() & 0o7777, mtime }))
}

fn walk(dir: &Path, rel: &str, ignore: &DockerIgnore, plan: &mut ContextPlan) -> Result<(), ContextError> {
    let mut children: Vec<_> = fs::read_dir(dir)
        .map_err(io_err(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    children.sort();
    for path in children {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = if rel.is_empty() { file_name } else { format!("{rel}/{file_name}") };
        let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
        let is_dir = meta.file_type().is_dir();
        if ignore.matches(&name) {
            if is_dir && !ignore.can_skip_dir(&name) {
                walk(&path, &name, ignore, plan)?;
            } else {
                plan.excluded += 1;
            }
            continue;
        }
        if let Some(e) = entry(name.clone(), path.clone(), &meta)? {
            plan.entries.push(e);
        }
        if is_dir {
            walk(&path, &name, ignore, plan)?;
        }
    }
    Ok(())
}

/// Plans the context of `dir` for the Dockerfile at `dockerfile` (absolute, or relative to the
/// current directory): reads `.dockerignore`, keeps the Dockerfile and `.dockerignore` themselves,
/// and lists every entry to send. A Dockerfile outside `dir` is added as [`OUTSIDE_DOCKERFILE_NAME`].
pub fn plan(dir: &Path, dockerfile: &Path) -> Result<ContextPlan, ContextError> {
    let root = fs::canonicalize(dir).map_err(io_err(dir))?;
    let df_abs = fs::canonicalize(dockerfile).map_err(io_err(dockerfile))?;
    let inside = df_abs.strip_prefix(&root).ok().map(|p| p.to_string_lossy().replace('\\', "/"));
    let ignore_path = root.join(".dockerignore");
    let ignore = match fs::read(&ignore_path) {
        Ok(bytes) => DockerIgnore::parse(&String::from_utf8_lossy(&bytes))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::default(),
        Err(e) => return Err(ContextError::Io { path: ignore_path, source: e }),
    };
    let ignore = ignore.keep_build_files(inside.as_deref().unwrap_or(OUTSIDE_DOCKERFILE_NAME))?;
    let mut plan = ContextPlan {
        root: root.clone(),
        entries: Vec::new(),
        dockerfile: inside.clone().unwrap_or_else(|| OUTSIDE_DOCKERFILE_NAME.to_string()),
        excluded: 0,
    };
    walk(&root, "", &ignore, &mut plan)?;
    if inside.is_none() {
        let meta = fs::metadata(&df_abs).map_err(io_err(&df_abs))?;
        if let Some(e) = entry(OUTSIDE_DOCKERFILE_NAME.to_string(), df_abs, &meta)? {
            plan.entries.push(e);
        }
    }
    Ok(plan)
}

/// Streams the planned context as a tar to `out` (owner 0:0, as the Docker CLI sends it).
/// Returns the number of bytes written.
pub fn write_tar<W: Write>(plan: &ContextPlan, out: W) -> Result<u64, ContextError> {
    let mut counter = CountingWriter { inner: out, count: 0 };
    {
        let mut builder = tar::Builder::new(&mut counter);
        builder.mode(tar::HeaderMode::Complete);
        for e in &plan.entries {
            let mut header = tar::Header::new_gnu();
            header.set_mode(e.mode);
            header.set_mtime(e.mtime);
            header.set_uid(0);
            header.set_gid(0);
            match &e.kind {
                EntryKind::Dir => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_size(0);
                    builder.append_data(&mut header, format!("{}/", e.name), std::io::empty()).map_err(ContextError::Write)?;
                }
                EntryKind::Symlink(target) => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    builder.append_link(&mut header, &e.name, target).map_err(ContextError::Write)?;
                }
                EntryKind::File => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(e.size);
                    let file = fs::File::open(&e.source).map_err(io_err(&e.source))?;
                    let mut reader = ExactReader { inner: file.take(e.size), left: e.size };
                    builder.append_data(&mut header, &e.name, &mut reader).map_err(|err| {
                        if err.kind() == std::io::ErrorKind::UnexpectedEof {
                            ContextError::Changed(e.source.clone())
                        } else {
                            ContextError::Write(err)
                        }
                    })?;
                }
            }
        }
        builder.finish().map_err(ContextError::Write)?;
    }
    counter.flush().map_err(ContextError::Write)?;
    Ok(counter.count)
}

/// Reads exactly `left` bytes, failing with `UnexpectedEof` if the file shrank.
struct ExactReader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "file shrank"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

struct CountingWriter<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
