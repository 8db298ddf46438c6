//! New files for streamed output (saved images, exported filesystems): created with
//! `O_CREAT|O_EXCL|O_NOFOLLOW`, an existing file refused unless overwriting was asked for (then a
//! temp file is renamed over it at the end, never a symlink), and the partial file removed when
//! the writer is dropped before [`NewFile::finish`].
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::sys;

/// Why an output file could not be created or written.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The file exists and overwriting was not asked for.
    #[error("{} already exists (choose overwrite to replace it)", .0.display())]
    Exists(PathBuf),
    /// The path is a symlink: never written through, never replaced.
    #[error("{} is a symlink: not written", .0.display())]
    Symlink(PathBuf),
    /// The path is a directory.
    #[error("{} is a directory: give a file name", .0.display())]
    Directory(PathBuf),
    /// The directory does not exist.
    #[error("{}: no such directory", .0.display())]
    NoSuchDirectory(PathBuf),
    /// Creating, writing or renaming failed (permission, disk full, …).
    #[error("{}: {}", .path.display(), describe(.source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
}

/// Words for the errors a user meets writing big files.
fn describe(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::ENOSPC) => format!("disk full ({e})"),
        Some(libc::EDQUOT) => format!("disk quota exceeded ({e})"),
        Some(libc::EACCES) | Some(libc::EPERM) => format!("permission denied ({e})"),
        Some(libc::EROFS) => format!("read-only file system ({e})"),
        _ => e.to_string(),
    }
}

/// An output file being written. Dropping it without [`NewFile::finish`] removes what was written.
#[derive(Debug)]
pub struct NewFile {
    file: Option<File>,
    /// The file being written (the target, or a temp file next to it).
    writing: PathBuf,
    /// The path asked for.
    target: PathBuf,
    /// Rename `writing` over `target` at the end.
    replace: bool,
    written: u64,
    /// Bytes already handed to writeback.
    flushed: u64,
}

/// Writeback is started after every this many bytes.
const WRITEBACK_EVERY: u64 = 8 << 20;

impl NewFile {
    /// Creates `path` for writing (mode 0644 less the umask). An existing file is refused unless
    /// `overwrite`; a symlink or directory is always refused.
    pub fn create(path: &Path, overwrite: bool) -> Result<NewFile, CreateError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(CreateError::NoSuchDirectory(dir));
        }
        let existing = std::fs::symlink_metadata(path).ok();
        if let Some(meta) = &existing {
            if meta.file_type().is_symlink() {
                return Err(CreateError::Symlink(path.to_path_buf()));
            }
            if meta.is_dir() {
                return Err(CreateError::Directory(path.to_path_buf()));
            }
            if !overwrite {
                return Err(CreateError::Exists(path.to_path_buf()));
            }
        }
        let replace = existing.is_some();
        let writing = if replace {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            dir.join(format!(".{name}.{}.part", sys::random_suffix()))
        } else {
            path.to_path_buf()
        };
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&writing)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => CreateError::Exists(path.to_path_buf()),
                _ => CreateError::Io {
                    path: path.to_path_buf(),
                    source,
                },
            })?;
        Ok(NewFile {
            file: Some(file),
            writing,
            target: path.to_path_buf(),
            replace,
            written: 0,
            flushed: 0,
        })
    }

    /// The path asked for.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes to disk and puts the file in place; only then is it kept.
    pub fn finish(mut self) -> Result<u64, CreateError> {
        let io = |source| CreateError::Io {
            path: self.target.clone(),
            source,
        };
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(io)?;
        }
        if self.replace {
            std::fs::rename(&self.writing, &self.target).map_err(io)?;
        }
        self.replace = false;
        self.writing = PathBuf::new();
        Ok(self.written)
    }

    /// An I/O error of this file in words.
    pub fn error(&self, source: std::io::Error) -> CreateError {
        CreateError::Io {
            path: self.target.clone(),
            source,
        }
    }
}

impl Write for NewFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("file already finished"))?;
        let n = file.write(buf)?;
        self.written += n as u64;
        if self.written - self.flushed >= WRITEBACK_EVERY {
            use std::os::fd::AsFd;
            sys::start_writeback(file.as_fd(), self.flushed, self.written - self.flushed);
            self.flushed = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        if self.file.take().is_some() && !self.writing.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.writing);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_existing_symlink_and_directory() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.tar");
        std::fs::write(&f, b"old").unwrap();
        assert!(matches!(
            NewFile::create(&f, false),
            Err(CreateError::Exists(_))
        ));
        let l = dir.path().join("l.tar");
        std::os::unix::fs::symlink(&f, &l).unwrap();
        assert!(matches!(
            NewFile::create(&l, true),
            Err(CreateError::Symlink(_))
        ));
        assert!(matches!(
            NewFile::create(dir.path(), true),
            Err(CreateError::Directory(_))
        ));
        assert!(matches!(
            NewFile::create(&dir.path().join("no/x.tar"), false),
            Err(CreateError::NoSuchDirectory(_))
        ));
        assert_eq!(std::fs::read(&f).unwrap(), b"old");
    }

    #[test]
    fn dropped_writer_removes_partial_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("new.tar");
        let mut w = NewFile::create(&f, false).unwrap();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert!(!f.exists());
        std::fs::write(&f, b"old").unwrap();
        let mut w = NewFile::create(&f, true).unwrap();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert_eq!(std::fs::read(&f).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn finish_keeps_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.tar");
        std::fs::write(&f, b"old").unwrap();
        let mut w = NewFile::create(&f, true).unwrap();
        w.write_all(b"new!").unwrap();
        assert_eq!(w.finish().unwrap(), 4);
        assert_eq!(std::fs::read(&f).unwrap(), b"new!");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn disk_full_is_named() {
        let e = std::io::Error::from_raw_os_error(libc::ENOSPC);
        let msg = CreateError::Io {
            path: "/x".into(),
            source: e,
        }
        .to_string();
        assert!(msg.contains("disk full"), "{msg}");
    }
}
