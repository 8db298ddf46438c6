//! Recovery files for unsaved edits, kept in a private per-user directory
//! (`$XDG_STATE_HOME/dockhand/recover/`, 0700) under a name derived from a hash of the edited
//! file's canonical path, never next to the file where other users could plant links.
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::FsError;
use super::open::{check_regular, decode, read_capped};
use super::save::create_temp;
use super::sys;

/// `$XDG_STATE_HOME/dockhand/recover` (an absolute `XDG_STATE_HOME` only, as the XDG spec says),
/// else `~/.local/state/dockhand/recover`.
pub fn default_recovery_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".local/state")))?;
    Some(state.join("dockhand").join("recover"))
}

/// The private directory of recovery files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryStore {
    dir: PathBuf,
}

impl RecoveryStore {
    /// The store in [`default_recovery_dir`], created 0700 if missing.
    pub fn open_default() -> Result<Self, FsError> {
        Self::at(default_recovery_dir().ok_or(FsError::NoStateDir)?)
    }

    /// The store in `dir`: created 0700 if missing; refused unless it is a real directory (not a
    /// symlink) owned by this user; its mode is tightened to 0700.
    pub fn at(dir: PathBuf) -> Result<Self, FsError> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| FsError::io("creating", &dir, e))?;
        let meta = std::fs::symlink_metadata(&dir).map_err(|e| FsError::io("checking", &dir, e))?;
        let unsafe_dir = |reason: String| FsError::Unsafe {
            path: dir.clone(),
            reason,
        };
        if !meta.file_type().is_dir() {
            return Err(unsafe_dir("not a directory (a symlink?)".into()));
        }
        if meta.uid() != sys::euid() {
            return Err(unsafe_dir(format!(
                "owned by uid {}, not this user ({})",
                meta.uid(),
                sys::euid()
            )));
        }
        if meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| FsError::io("restricting", &dir, e))?;
        }
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the recovery text of `file` is kept.
    pub fn path_for(&self, file: &Path) -> PathBuf {
        let canonical = canonical(file);
        let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
        let name = file
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        // The readable part only helps a human browsing the directory; the hash makes it unique.
        let readable: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .take(40)
            .collect();
        self.dir
            .join(format!("{}-{readable}.recover", hex::encode(&digest[..16])))
    }

    /// Stores `text` as the recovery of `file` (atomically, 0600, never through a symlink).
    pub fn write(&self, file: &Path, text: &str) -> Result<(), FsError> {
        let dest = self.path_for(file);
        let candidates = (0..16).map(|_| self.dir.join(format!(".tmp-{}", sys::random_suffix())));
        let (tmp, f) = create_temp(candidates)?;
        let result = (|| {
            (&f).write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &dest)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(FsError::io("writing", &dest, e));
        }
        Ok(())
    }

    /// The recovery text of `file`, if any. Refuses ([`FsError::Unsafe`]) anything that is not a
    /// regular file owned by this user with no access for others.
    pub fn restore(&self, file: &Path) -> Result<Option<String>, FsError> {
        let path = self.path_for(file);
        let f = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(FsError::Unsafe {
                    path,
                    reason: "a symlink, not a recovery file".into(),
                });
            }
            Err(e) => return Err(FsError::io("reading", &path, e)),
        };
        let meta = f.metadata().map_err(|e| FsError::io("reading", &path, e))?;
        check_regular(&path, &meta).map_err(|e| FsError::Unsafe {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if meta.uid() != sys::euid() {
            return Err(FsError::Unsafe {
                path,
                reason: format!("owned by uid {}, not this user", meta.uid()),
            });
        }
        if meta.mode() & 0o077 != 0 {
            return Err(FsError::Unsafe {
                path,
                reason: format!(
                    "mode {:o} lets others read or write it",
                    meta.mode() & 0o777
                ),
            });
        }
        let bytes = read_capped(&path, f, meta.len())?;
        decode(&path, &bytes).map(Some)
    }

    /// Removes the recovery text of `file` (nothing to remove is fine).
    pub fn remove(&self, file: &Path) -> Result<(), FsError> {
        let path = self.path_for(file);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(FsError::io("removing", &path, e)),
        }
    }
}

/// The canonical form of `file`, also for a file that does not exist yet (its directory
/// canonicalised, else the absolute path).
fn canonical(file: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(file) {
        return c;
    }
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir).map_or(abs.clone(), |d| d.join(name)),
        _ => abs,
    }
}
