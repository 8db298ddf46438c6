//! Reading a text file for editing: what it is (new, missing directory, symlink, read-only),
//! its text, and a fingerprint to notice later changes on disk.
use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::error::FsError;

/// The largest file [`open`] reads (a Dockerfile is a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// What a file held when it was read: compared before a save to notice changes made meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Length in bytes.
    pub len: u64,
    /// Modification time, where the filesystem has one.
    pub mtime: Option<SystemTime>,
    /// SHA-256 of the content.
    pub hash: [u8; 32],
}

impl Fingerprint {
    /// The fingerprint of `bytes` with the given modification time.
    pub fn of(bytes: &[u8], mtime: Option<SystemTime>) -> Self {
        Self {
            len: bytes.len() as u64,
            mtime,
            hash: Sha256::digest(bytes).into(),
        }
    }

    /// Whether both describe the same content (the modification time alone does not count: a
    /// `touch` changes nothing the editor would lose).
    pub fn same_content(&self, other: &Fingerprint) -> bool {
        self.len == other.len && self.hash == other.hash
    }
}

/// Whether the opened path exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// The file exists and was read.
    Exists,
    /// No file yet, but its directory exists: saving creates it.
    NewFile,
    /// Neither the file nor its directory exists: saving needs the directory created.
    NoSuchDirectory {
        /// The directory that does not exist.
        dir: PathBuf,
    },
}

/// Owner and permission bits of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    /// Permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
}

impl FileMeta {
    pub(crate) fn of(m: &Metadata) -> Self {
        Self {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
        }
    }
}

/// A file read for editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The path as given.
    pub path: PathBuf,
    /// The text (empty for a file that does not exist).
    pub text: String,
    /// Whether it exists.
    pub presence: Presence,
    /// What was read (`None` when the file does not exist).
    pub fingerprint: Option<Fingerprint>,
    /// Owner and mode (of the link's target for a symlink).
    pub meta: Option<FileMeta>,
    /// Where the path points when it is a symlink (as stored in the link).
    pub symlink_target: Option<PathBuf>,
    /// No write permission bit, or this user may not write it.
    pub read_only: bool,
}

/// Reads `path` for editing. A missing file opens empty as [`Presence::NewFile`] or
/// [`Presence::NoSuchDirectory`]; a directory, FIFO or device, a file over [`MAX_FILE_BYTES`],
/// a binary or non-UTF-8 file is an error that says so.
pub fn open(path: &Path) -> Result<Opened, FsError> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(missing(path)),
        Err(e) => return Err(FsError::io("reading", path, e)),
    };
    let symlink_target = if link.file_type().is_symlink() {
        Some(std::fs::read_link(path).map_err(|e| FsError::io("reading the link", path, e))?)
    } else {
        None
    };
    // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        // A dangling symlink: the file it names does not exist yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && symlink_target.is_some() => {
            let mut o = missing(path);
            o.symlink_target = symlink_target;
            return Ok(o);
        }
        Err(e) => return Err(FsError::io("opening", path, e)),
    };
    let meta = file
        .metadata()
        .map_err(|e| FsError::io("reading", path, e))?;
    check_regular(path, &meta)?;
    let bytes = read_capped(path, file, meta.len())?;
    let text = decode(path, &bytes)?;
    let fm = FileMeta::of(&meta);
    Ok(Opened {
        path: path.to_path_buf(),
        text,
        presence: Presence::Exists,
        fingerprint: Some(Fingerprint::of(&bytes, meta.modified().ok())),
        meta: Some(fm),
        symlink_target,
        read_only: fm.mode & 0o222 == 0 || !super::sys::can_write(path),
    })
}

fn missing(path: &Path) -> Opened {
    let dir = parent_of(path);
    let presence = if dir.is_dir() {
        Presence::NewFile
    } else {
        Presence::NoSuchDirectory { dir }
    };
    Opened {
        path: path.to_path_buf(),
        text: String::new(),
        presence,
        fingerprint: None,
        meta: None,
        symlink_target: None,
        read_only: false,
    }
}

/// The directory `path` lives in (`.` for a bare name).
pub(crate) fn parent_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub(crate) fn check_regular(path: &Path, meta: &Metadata) -> Result<(), FsError> {
    let ft = meta.file_type();
    let kind = if ft.is_file() {
        return Ok(());
    } else if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else if ft.is_symlink() {
        "a symlink"
    } else {
        "not a regular file"
    };
    Err(FsError::NotRegular {
        path: path.to_path_buf(),
        kind,
    })
}

/// Reads at most [`MAX_FILE_BYTES`]; a file that is (or grows) larger is refused.
pub(crate) fn read_capped(path: &Path, file: File, size: u64) -> Result<Vec<u8>, FsError> {
    let too_large = |size| FsError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: MAX_FILE_BYTES,
    };
    if size > MAX_FILE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FsError::io("reading", path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The text of `bytes`, or why it is not text.
pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<String, FsError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(FsError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| FsError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}
