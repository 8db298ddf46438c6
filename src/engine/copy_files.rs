//! Copying files between a container and this machine with `docker cp` semantics:
//! directories recursively, symlinks kept as links, modes kept; files copied in are owned by
//! root in the container (as `docker cp` without `-a`), files copied out by the user running
//! dockhand.
//!
//! Every archive entry is checked before anything is written: an absolute path, a `..`
//! component, a symlink whose target leaves the copied tree (absolute, or relative climbing
//! out), a hard link to outside, or a write through a symlink already on disk is refused with
//! the entry's name, so nothing is ever written outside the chosen destination.
use std::collections::HashSet;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// Why an archive entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    /// A path that is absolute or climbs with `..`.
    #[error("refused {0:?}: the path leaves the destination (absolute or '..')")]
    Escapes(String),
    /// A symlink whose target leaves the copied tree.
    #[error("refused {name:?}: its symlink target {target:?} points outside the destination")]
    LinkEscapes {
        /// The entry.
        name: String,
        /// Its target.
        target: String,
    },
    /// Writing would go through a symlink that is already there.
    #[error("refused {0:?}: a symlink on the way would redirect the write")]
    ThroughSymlink(String),
    /// The archive is unreadable.
    #[error("unreadable archive: {0}")]
    Archive(String),
    /// Writing failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The normal components of an archive path (`./` dropped), or why it escapes.
pub fn clean_components(name: &str) -> Result<Vec<String>, CopyError> {
    let mut out = Vec::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(p) => out.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) | Component::ParentDir => {
                return Err(CopyError::Escapes(name.to_string()));
            }
        }
    }
    Ok(out)
}

/// Whether a symlink at `at` (components) pointing to `target` stays inside the tree.
fn link_stays_inside(at: &[String], target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth = at.len().saturating_sub(1) as isize;
    for c in Path::new(target).components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Checks one entry's name and link; returns its components.
fn check_entry(
    name: &str,
    kind: tar::EntryType,
    link: Option<&str>,
) -> Result<Vec<String>, CopyError> {
    let parts = clean_components(name)?;
    match (kind, link) {
        (tar::EntryType::Symlink, Some(target)) if !link_stays_inside(&parts, target) => {
            Err(CopyError::LinkEscapes {
                name: name.to_string(),
                target: target.to_string(),
            })
        }
        (tar::EntryType::Link, Some(target)) => {
            clean_components(target).map_err(|_| CopyError::LinkEscapes {
                name: name.to_string(),
                target: target.to_string(),
            })?;
            Ok(parts)
        }
        _ => Ok(parts),
    }
}

/// Reads a whole archive and checks every entry (copy-in of a tar the user gives). Returns the
/// number of entries.
pub fn check_archive(reader: impl Read) -> Result<usize, CopyError> {
    let mut archive = tar::Archive::new(reader);
    let mut n = 0;
    let entries = archive
        .entries()
        .map_err(|e| CopyError::Archive(e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| CopyError::Archive(e.to_string()))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        check_entry(&name, entry.header().entry_type(), link.as_deref())?;
        n += 1;
    }
    Ok(n)
}

fn io(path: &Path, e: std::io::Error) -> CopyError {
    CopyError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Refuses when any existing component between `base` and `target` (both included) is a
/// symlink; `base` itself was chosen by the user and may be anything.
fn no_symlink_between(base: &Path, rel: &[String]) -> Result<(), CopyError> {
    let mut p = base.to_path_buf();
    for c in rel {
        p.push(c);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(CopyError::ThroughSymlink(p.display().to_string()));
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Permission bits kept on this machine (no setuid/setgid from a container).
const KEEP_MODE: u32 = 0o1777;

/// Extracts a `docker cp` archive into `base`; the archive's first component is renamed to
/// `rename` when given (copying to a new name). Returns the bytes of file data written.
pub fn extract(reader: impl Read, base: &Path, rename: Option<&str>) -> Result<u64, CopyError> {
    let mut archive = tar::Archive::new(reader);
    let mut written = 0u64;
    let mut dirs: Vec<(PathBuf, u32)> = Vec::new();
    let mut made: HashSet<PathBuf> = HashSet::new();
    let entries = archive
        .entries()
        .map_err(|e| CopyError::Archive(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| CopyError::Archive(e.to_string()))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        let mut parts = check_entry(&name, kind, link.as_deref())?;
        if let (Some(new), Some(first)) = (rename, parts.first_mut()) {
            *first = new.to_string();
        }
        if parts.is_empty() {
            continue;
        }
        no_symlink_between(base, &parts[..parts.len() - 1])?;
        let path = parts.iter().fold(base.to_path_buf(), |p, c| p.join(c));
        let mode = entry.header().mode().unwrap_or(0o644) & KEEP_MODE;
        match kind {
            tar::EntryType::Directory => {
                match fs::symlink_metadata(&path) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => return Err(CopyError::ThroughSymlink(path.display().to_string())),
                    Err(_) => fs::create_dir(&path).map_err(|e| io(&path, e))?,
                }
                made.insert(path.clone());
                dirs.push((path, mode));
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Err(CopyError::ThroughSymlink(path.display().to_string()));
                }
                let mut file = fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(&path)
                    .map_err(|e| io(&path, e))?;
                written += std::io::copy(&mut entry, &mut file).map_err(|e| io(&path, e))?;
                file.flush().map_err(|e| io(&path, e))?;
                fs::set_permissions(&path, fs::Permissions::from_mode(mode))
                    .map_err(|e| io(&path, e))?;
            }
            tar::EntryType::Symlink => {
                let target = link.unwrap_or_default();
                if fs::symlink_metadata(&path).is_ok() {
                    fs::remove_file(&path).map_err(|e| io(&path, e))?;
                }
                std::os::unix::fs::symlink(&target, &path).map_err(|e| io(&path, e))?;
            }
            tar::EntryType::Link => {
                let mut target_parts = clean_components(&link.unwrap_or_default())?;
                if let (Some(new), Some(first)) = (rename, target_parts.first_mut()) {
                    *first = new.to_string();
                }
                no_symlink_between(base, &target_parts)?;
                let target = target_parts
                    .iter()
                    .fold(base.to_path_buf(), |p, c| p.join(c));
                fs::hard_link(&target, &path).map_err(|e| io(&path, e))?;
            }
            // Devices, FIFOs and metadata entries are not recreated on this machine.
            _ => {}
        }
    }
    // Directory modes last, so a read-only directory does not stop its own contents.
    for (path, mode) in dirs.into_iter().rev() {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).map_err(|e| io(&path, e))?;
    }
    Ok(written)
}

/// Writes a `docker cp` archive of `src` (a file or a directory, recursively) to `out`, its top
/// entry named `top`: symlinks kept as links, modes kept, owner root.
pub fn archive(src: &Path, top: &str, out: impl Write) -> Result<u64, CopyError> {
    let mut builder = tar::Builder::new(out);
    builder.follow_symlinks(false);
    builder.mode(tar::HeaderMode::Complete);
    let mut bytes = 0u64;
    add(&mut builder, src, Path::new(top), &mut bytes)?;
    builder
        .into_inner()
        .and_then(|mut w| w.flush())
        .map_err(|e| io(src, e))?;
    Ok(bytes)
}

fn add<W: Write>(
    builder: &mut tar::Builder<W>,
    path: &Path,
    name: &Path,
    bytes: &mut u64,
) -> Result<(), CopyError> {
    let meta = fs::symlink_metadata(path).map_err(|e| io(path, e))?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
    header.set_uid(0);
    header.set_gid(0);
    if meta.file_type().is_symlink() {
        let target = fs::read_link(path).map_err(|e| io(path, e))?;
        header.set_size(0);
        builder
            .append_link(&mut header, name, &target)
            .map_err(|e| io(path, e))?;
    } else if meta.is_dir() {
        header.set_size(0);
        builder
            .append_data(&mut header, name, std::io::empty())
            .map_err(|e| io(path, e))?;
        let mut children: Vec<_> = fs::read_dir(path)
            .map_err(|e| io(path, e))?
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        children.sort();
        for child in children {
            add(builder, &path.join(&child), &name.join(&child), bytes)?;
        }
    } else if meta.is_file() {
        let file = fs::File::open(path).map_err(|e| io(path, e))?;
        *bytes += meta.len();
        builder
            .append_data(&mut header, name, file)
            .map_err(|e| io(path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_mode(0o755);
            h.set_size(if *kind == tar::EntryType::Regular {
                2
            } else {
                0
            });
            // Raw names: tar::Builder would refuse the hostile ones.
            let bytes = name.as_bytes();
            h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            if !link.is_empty() {
                let l = link.as_bytes();
                h.as_old_mut().linkname[..l.len()].copy_from_slice(l);
            }
            h.set_cksum();
            let data: &[u8] = if *kind == tar::EntryType::Regular {
                b"hi"
            } else {
                b""
            };
            b.append(&h, data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn hostile_entries_are_refused_and_nothing_is_written_outside() {
        use tar::EntryType as K;
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("dest");
        fs::create_dir(&base).unwrap();
        let cases = [
            (vec![("../evil", K::Regular, "")], "leaves the destination"),
            (
                vec![("/etc/evil", K::Regular, "")],
                "leaves the destination",
            ),
            (
                vec![("d/../../evil", K::Regular, "")],
                "leaves the destination",
            ),
            (vec![("d/l", K::Symlink, "/etc")], "points outside"),
            (vec![("d/l", K::Symlink, "../../x")], "points outside"),
            (vec![("d/h", K::Link, "../x")], "points outside"),
        ];
        for (entries, why) in cases {
            let t = tar_with(&entries);
            let e = check_archive(&t[..]).unwrap_err().to_string();
            assert!(e.contains(why), "{entries:?}: {e}");
            let e = extract(&t[..], &base, None).unwrap_err().to_string();
            assert!(e.contains(why), "{entries:?}: {e}");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only dest");
        assert_eq!(fs::read_dir(&base).unwrap().count(), 0);
        // Inside links are fine.
        let ok = tar_with(&[("d", K::Directory, ""), ("d/l", K::Symlink, "../d")]);
        assert_eq!(check_archive(&ok[..]).unwrap(), 2);
    }

    #[test]
    fn a_symlink_planted_on_disk_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("dest");
        let outside = dir.path().join("outside");
        fs::create_dir_all(base.join("d")).unwrap();
        fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, base.join("d/sub")).unwrap();
        let t = tar_with(&[("d/sub/f", tar::EntryType::Regular, "")]);
        let e = extract(&t[..], &base, None).unwrap_err().to_string();
        assert!(e.contains("symlink on the way"), "{e}");
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    }

    #[test]
    fn archive_then_extract_round_trips_modes_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        fs::create_dir_all(src.join("sub")).unwrap();
        fs::write(src.join("sub/x.sh"), b"#!/bin/sh\n").unwrap();
        fs::set_permissions(src.join("sub/x.sh"), fs::Permissions::from_mode(0o750)).unwrap();
        std::os::unix::fs::symlink("sub/x.sh", src.join("link")).unwrap();
        let mut buf = Vec::new();
        archive(&src, "src", &mut buf).unwrap();
        assert_eq!(check_archive(&buf[..]).unwrap(), 4);
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        extract(&buf[..], &out, Some("copy")).unwrap();
        let m = fs::metadata(out.join("copy/sub/x.sh")).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o750);
        assert_eq!(
            fs::read_link(out.join("copy/link")).unwrap(),
            PathBuf::from("sub/x.sh")
        );
    }
}
