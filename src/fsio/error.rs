//! Errors of [`crate::fsio`]: each says what was refused and why, in words a user can act on.
use std::path::PathBuf;

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The directory the file would live in does not exist.
    #[error("{}: no such directory", dir.display())]
    NoSuchDirectory {
        /// The missing directory.
        dir: PathBuf,
    },
    /// The path is a directory, FIFO, device or socket.
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is larger than the editor accepts.
    #[error("{}: {size} bytes is more than the {limit} bytes the editor opens", path.display())]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size (at least).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file holds NUL bytes: a binary file, not text.
    #[error("{}: a binary file (NUL byte at offset {offset}), not text", path.display())]
    Binary {
        /// The path.
        path: PathBuf,
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// The file is not valid UTF-8.
    #[error("{}: not UTF-8 text (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The path.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The path is a symlink and the policy does not allow writing through it.
    #[error("{} is a symlink to {}: not written (allow writing through the link to save)", path.display(), target.display())]
    Symlink {
        /// The link.
        path: PathBuf,
        /// Where it points.
        target: PathBuf,
    },
    /// The file is read-only (no write bit, or not writable by this user).
    #[error("{} is read-only", path.display())]
    ReadOnly {
        /// The path.
        path: PathBuf,
    },
    /// The file changed on disk since it was opened (or appeared, or vanished).
    #[error("{} changed on disk since it was opened", path.display())]
    Conflict {
        /// The path.
        path: PathBuf,
        /// What the file holds now; `None` when it was removed or cannot be read as text.
        on_disk_text: Option<String>,
    },
    /// `save_as` would replace an existing file.
    #[error("{} already exists", path.display())]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// A recovery file or directory is not what this user created (wrong owner, type or mode).
    #[error("{}: refused: {reason}", path.display())]
    Unsafe {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// No directory for recovery files could be determined (no `$XDG_STATE_HOME`, no home).
    #[error("no directory for recovery files: set XDG_STATE_HOME or HOME")]
    NoStateDir,
    /// An I/O call failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done ("reading", "renaming", …).
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl FsError {
    pub(crate) fn io(op: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        FsError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}
