//! Atomic saves that are safe in directories other users can write: an exclusive, no-follow temp
//! file next to the target, the original's owner and mode, fsync, rename.
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::error::FsError;
use super::open::{FileMeta, Fingerprint, check_regular, decode, parent_of, read_capped};
use super::sys;

/// Most symlinks followed when writing through a link (as the kernel's own limit).
const MAX_LINK_HOPS: usize = 40;
/// Temp-file names tried before giving up (each is random; a clash means someone plants files).
const TEMP_ATTEMPTS: usize = 16;

/// What a save may do beyond the safe default. The default refuses symlinks, read-only files,
/// changed files and missing directories, so the caller can ask the user first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SavePolicy {
    /// Write to the file a symlink points at (the link itself stays).
    pub follow_symlink: bool,
    /// Replace a read-only file (its mode is kept).
    pub override_read_only: bool,
    /// Replace the file even if it changed on disk since `expected` (or exists for `save_as`).
    pub overwrite: bool,
    /// Create missing parent directories.
    pub create_dirs: bool,
}

/// A finished save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The file written: the path given, or the symlink's final target.
    pub written: PathBuf,
    /// What it holds now (the `expected` of the next save).
    pub fingerprint: Fingerprint,
}

/// Saves `text` to `path`, which was opened with fingerprint `expected` (`None`: it did not exist).
///
/// Refuses, unless `policy` allows it: a symlink ([`FsError::Symlink`]), a read-only file
/// ([`FsError::ReadOnly`]), a file whose content differs from `expected` or that appeared or
/// vanished ([`FsError::Conflict`] with the text on disk), a missing directory
/// ([`FsError::NoSuchDirectory`]).
pub fn save(
    path: &Path,
    text: &str,
    expected: Option<&Fingerprint>,
    policy: SavePolicy,
) -> Result<Saved, FsError> {
    let target = resolve_target(path, policy)?;
    let existing = existing_meta(&target)?;
    if !policy.overwrite {
        check_unchanged(&target, existing.as_ref(), expected)?;
    }
    write_atomic(&target, text, existing, policy)
}

/// Saves `text` under a new name: refuses to replace an existing file ([`FsError::Exists`])
/// unless `policy.overwrite`; otherwise as [`save`].
pub fn save_as(path: &Path, text: &str, policy: SavePolicy) -> Result<Saved, FsError> {
    let target = resolve_target(path, policy)?;
    let existing = existing_meta(&target)?;
    if existing.is_some() && !policy.overwrite {
        return Err(FsError::Exists {
            path: path.to_path_buf(),
        });
    }
    write_atomic(&target, text, existing, policy)
}

/// The file to write: `path` itself, or (with `follow_symlink`) the end of its symlink chain.
fn resolve_target(path: &Path, policy: SavePolicy) -> Result<PathBuf, FsError> {
    let mut cur = path.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        let meta = match std::fs::symlink_metadata(&cur) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cur),
            Err(e) => return Err(FsError::io("checking", &cur, e)),
        };
        if !meta.file_type().is_symlink() {
            return Ok(cur);
        }
        let link =
            std::fs::read_link(&cur).map_err(|e| FsError::io("reading the link", &cur, e))?;
        if !policy.follow_symlink {
            return Err(FsError::Symlink {
                path: path.to_path_buf(),
                target: link,
            });
        }
        cur = parent_of(&cur).join(link);
    }
    Err(FsError::io(
        "following",
        path,
        std::io::Error::from_raw_os_error(libc::ELOOP),
    ))
}

/// The current target's metadata (`None` if absent); anything but a regular file is refused.
fn existing_meta(target: &Path) -> Result<Option<std::fs::Metadata>, FsError> {
    match std::fs::symlink_metadata(target) {
        Ok(m) => {
            check_regular(target, &m)?;
            Ok(Some(m))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FsError::io("checking", target, e)),
    }
}

fn check_unchanged(
    target: &Path,
    existing: Option<&std::fs::Metadata>,
    expected: Option<&Fingerprint>,
) -> Result<(), FsError> {
    let conflict = |on_disk_text| FsError::Conflict {
        path: target.to_path_buf(),
        on_disk_text,
    };
    match (existing, expected) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(conflict(None)),
        (Some(meta), expected) => {
            let file = open_nofollow(target)?;
            let bytes = read_capped(target, file, meta.len())?;
            let now = Fingerprint::of(&bytes, meta.modified().ok());
            if expected.is_some_and(|e| e.same_content(&now)) {
                Ok(())
            } else {
                Err(conflict(decode(target, &bytes).ok()))
            }
        }
    }
}

fn open_nofollow(path: &Path) -> Result<File, FsError> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| FsError::io("reading", path, e))
}

fn write_atomic(
    target: &Path,
    text: &str,
    existing: Option<std::fs::Metadata>,
    policy: SavePolicy,
) -> Result<Saved, FsError> {
    let existing = existing.as_ref().map(FileMeta::of);
    if let Some(m) = existing
        && !policy.override_read_only
        && (m.mode & 0o222 == 0 || !sys::can_write(target))
    {
        return Err(FsError::ReadOnly {
            path: target.to_path_buf(),
        });
    }
    let dir = parent_of(target);
    ensure_dir(&dir, policy.create_dirs)?;
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let candidates = (0..TEMP_ATTEMPTS)
        .map(|_| dir.join(format!(".{name}.dockhand-{}.tmp", sys::random_suffix())));
    let (tmp_path, file) = create_temp(candidates)?;
    let result = fill_and_rename(&file, &tmp_path, target, text, existing);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    let mtime = result?;
    sync_dir(&dir);
    Ok(Saved {
        written: target.to_path_buf(),
        fingerprint: Fingerprint::of(text.as_bytes(), mtime),
    })
}

fn ensure_dir(dir: &Path, create: bool) -> Result<(), FsError> {
    if dir.is_dir() {
        return Ok(());
    }
    if !create {
        return Err(FsError::NoSuchDirectory {
            dir: dir.to_path_buf(),
        });
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o777)
        .create(dir)
        .map_err(|e| FsError::io("creating the directory", dir, e))
}

/// Creates the first of `candidates` that does not exist yet, exclusively and without following
/// a symlink planted under that name, readable and writable by its owner only.
pub(crate) fn create_temp(
    candidates: impl IntoIterator<Item = PathBuf>,
) -> Result<(PathBuf, File), FsError> {
    let mut last = None;
    for path in candidates {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some((path, e)),
            Err(e) => return Err(FsError::io("creating the temp file", &path, e)),
        }
    }
    let (path, e) =
        last.unwrap_or_else(|| (PathBuf::from("."), std::io::ErrorKind::AlreadyExists.into()));
    Err(FsError::io("creating the temp file", &path, e))
}

/// Writes, gives the temp file the original's owner and mode (a new file gets 0666 less the
/// umask), syncs and renames it over `target`. Returns the new modification time.
fn fill_and_rename(
    mut file: &File,
    tmp: &Path,
    target: &Path,
    text: &str,
    existing: Option<FileMeta>,
) -> Result<Option<std::time::SystemTime>, FsError> {
    let io = |op| move |e| FsError::io(op, tmp, e);
    file.write_all(text.as_bytes()).map_err(io("writing"))?;
    let mode = match existing {
        Some(m) => {
            keep_owner(file, m).map_err(io("changing the owner of"))?;
            m.mode
        }
        None => 0o666 & !sys::umask(),
    };
    // After the chown, which clears set-id bits.
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(io("setting the mode of"))?;
    file.sync_all().map_err(io("syncing"))?;
    let mtime = file.metadata().ok().and_then(|m| m.modified().ok());
    std::fs::rename(tmp, target).map_err(|e| FsError::io("renaming over", target, e))?;
    Ok(mtime)
}

/// Gives the temp file the original's owner: root can; others can at most keep a group they
/// belong to (a failure there is not an error: the file simply becomes theirs, as with any editor).
fn keep_owner(file: &File, m: FileMeta) -> std::io::Result<()> {
    let now = file.metadata()?;
    if now.uid() == m.uid && now.gid() == m.gid {
        return Ok(());
    }
    if sys::euid() == 0 {
        sys::fchown(file.as_fd(), Some(m.uid), Some(m.gid))
    } else {
        let _ = sys::fchown(file.as_fd(), None, Some(m.gid));
        Ok(())
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
