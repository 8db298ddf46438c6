//! Tests of safe open/save/recovery, including the symlink attacks of a shared directory.
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

use super::*;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

fn is_root() -> bool {
    super::sys::euid() == 0
}

fn lchown(p: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::lchown(p, Some(uid), Some(gid)).unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn open_tells_a_new_file_from_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let o = open(&dir.path().join("Dockerfile")).unwrap();
    assert_eq!(o.presence, Presence::NewFile);
    assert_eq!(
        (o.text.as_str(), o.fingerprint, o.read_only),
        ("", None, false)
    );
    let o = open(&dir.path().join("sub/deeper/Dockerfile")).unwrap();
    assert_eq!(
        o.presence,
        Presence::NoSuchDirectory {
            dir: dir.path().join("sub/deeper")
        }
    );
}

#[test]
fn open_reads_text_meta_and_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "FROM a\n").unwrap();
    set_mode(&p, 0o640);
    let o = open(&p).unwrap();
    assert_eq!(o.text, "FROM a\n");
    assert_eq!(o.presence, Presence::Exists);
    let m = o.meta.unwrap();
    assert_eq!((m.mode, m.uid), (0o640, super::sys::euid()));
    let f = o.fingerprint.unwrap();
    assert_eq!(f.len, 7);
    assert!(f.same_content(&Fingerprint::of(b"FROM a\n", None)));
    assert!(!f.same_content(&Fingerprint::of(b"FROM b\n", None)));
    assert!(o.symlink_target.is_none() && !o.read_only);
    set_mode(&p, 0o444);
    assert!(open(&p).unwrap().read_only);
}

#[test]
fn open_refuses_binary_non_utf8_large_and_non_regular_files_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f");
    std::fs::write(&p, b"FROM a\n\0\x01").unwrap();
    let e = open(&p).unwrap_err();
    assert!(matches!(e, FsError::Binary { offset: 7, .. }), "{e}");
    assert!(e.to_string().contains("binary"), "{e}");
    std::fs::write(&p, b"FROM \xff\xfe\n").unwrap();
    let e = open(&p).unwrap_err();
    assert!(matches!(e, FsError::NotUtf8 { offset: 5, .. }), "{e}");
    assert!(e.to_string().contains("UTF-8"), "{e}");
    std::fs::write(&p, vec![b'#'; MAX_FILE_BYTES as usize + 1]).unwrap();
    assert!(matches!(open(&p).unwrap_err(), FsError::TooLarge { .. }));
    let e = open(dir.path()).unwrap_err();
    assert!(e.to_string().contains("a directory"), "{e}");
    // A FIFO must be refused, not block the editor forever.
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let e = open(&fifo).unwrap_err();
    assert!(e.to_string().contains("FIFO"), "{e}");
}

#[test]
fn open_reports_a_symlink_and_its_target() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("real"), "FROM a\n").unwrap();
    let link = dir.path().join("Dockerfile");
    symlink("real", &link).unwrap();
    let o = open(&link).unwrap();
    assert_eq!(o.text, "FROM a\n");
    assert_eq!(o.symlink_target.as_deref(), Some(Path::new("real")));
}

#[test]
fn save_keeps_mode_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "FROM a\n").unwrap();
    set_mode(&p, 0o640);
    let o = open(&p).unwrap();
    let saved = save(
        &p,
        "FROM b\n",
        o.fingerprint.as_ref(),
        SavePolicy::default(),
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM b\n");
    assert_eq!(mode(&p), 0o640);
    assert_eq!(names(dir.path()), vec!["Dockerfile"]);
    assert_eq!(saved.written, p);
    // The returned fingerprint is the next save's `expected`.
    save(
        &p,
        "FROM c\n",
        Some(&saved.fingerprint),
        SavePolicy::default(),
    )
    .unwrap();
}

#[test]
fn save_of_a_new_file_uses_the_umask_and_missing_dirs_need_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    save(&p, "FROM a\n", None, SavePolicy::default()).unwrap();
    assert_eq!(mode(&p), 0o666 & !super::sys::umask());
    let deep = dir.path().join("x/y/Dockerfile");
    let e = save(&deep, "FROM a\n", None, SavePolicy::default()).unwrap_err();
    assert!(
        matches!(e, FsError::NoSuchDirectory { ref dir } if dir.ends_with("x/y")),
        "{e}"
    );
    let policy = SavePolicy {
        create_dirs: true,
        ..Default::default()
    };
    save(&deep, "FROM a\n", None, policy).unwrap();
    assert_eq!(std::fs::read_to_string(&deep).unwrap(), "FROM a\n");
}

#[test]
fn save_detects_changes_on_disk_and_returns_the_text_there() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "FROM a\n").unwrap();
    let o = open(&p).unwrap();
    std::fs::write(&p, "FROM other\n").unwrap();
    let e = save(
        &p,
        "FROM mine\n",
        o.fingerprint.as_ref(),
        SavePolicy::default(),
    )
    .unwrap_err();
    match e {
        FsError::Conflict { on_disk_text, .. } => {
            assert_eq!(on_disk_text.as_deref(), Some("FROM other\n"))
        }
        e => panic!("{e}"),
    }
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM other\n");
    // A file that appeared where a new one was being written, and one that vanished.
    let fresh = dir.path().join("new");
    std::fs::write(&fresh, "x").unwrap();
    assert!(matches!(
        save(&fresh, "y", None, SavePolicy::default()),
        Err(FsError::Conflict { .. })
    ));
    std::fs::remove_file(&p).unwrap();
    assert!(matches!(
        save(&p, "y", o.fingerprint.as_ref(), SavePolicy::default()),
        Err(FsError::Conflict {
            on_disk_text: None,
            ..
        })
    ));
    // Overwrite after the user said so.
    let policy = SavePolicy {
        overwrite: true,
        ..Default::default()
    };
    save(&fresh, "y", None, policy).unwrap();
    assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "y");
}

#[test]
fn read_only_files_are_refused_unless_overridden_and_stay_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "FROM a\n").unwrap();
    set_mode(&p, 0o444);
    let f = open(&p).unwrap().fingerprint;
    let e = save(&p, "FROM b\n", f.as_ref(), SavePolicy::default()).unwrap_err();
    assert!(matches!(e, FsError::ReadOnly { .. }), "{e}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM a\n");
    let policy = SavePolicy {
        override_read_only: true,
        ..Default::default()
    };
    save(&p, "FROM b\n", f.as_ref(), policy).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM b\n");
    assert_eq!(mode(&p), 0o444);
}

#[test]
fn save_as_refuses_to_replace_an_existing_file_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("copy");
    save_as(&p, "a", SavePolicy::default()).unwrap();
    assert!(matches!(
        save_as(&p, "b", SavePolicy::default()),
        Err(FsError::Exists { .. })
    ));
    let policy = SavePolicy {
        overwrite: true,
        ..Default::default()
    };
    save_as(&p, "b", policy).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "b");
}

#[test]
fn a_symlinked_file_is_never_replaced_by_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "secret\n").unwrap();
    set_mode(&target, 0o600);
    let link = dir.path().join("Dockerfile");
    symlink(&target, &link).unwrap();
    let f = open(&link).unwrap().fingerprint;
    let e = save(&link, "FROM evil\n", f.as_ref(), SavePolicy::default()).unwrap_err();
    assert!(matches!(e, FsError::Symlink { .. }), "{e}");
    assert!(e.to_string().contains("symlink"), "{e}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "secret\n");
    // With the explicit flag the text goes to the target; the link stays a link; the mode stays.
    let policy = SavePolicy {
        follow_symlink: true,
        ..Default::default()
    };
    let saved = save(&link, "FROM ok\n", f.as_ref(), policy).unwrap();
    assert_eq!(saved.written, target);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "FROM ok\n");
    assert_eq!(mode(&target), 0o600);
}

/// The attack on the predictable temp name: a symlink planted under it must be neither written
/// through, nor chmod'ed through, nor renamed over the Dockerfile.
#[test]
fn a_planted_temp_symlink_is_skipped_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("shadow");
    std::fs::write(&victim, "root:secret\n").unwrap();
    set_mode(&victim, 0o600);
    let planted = dir.path().join(".Dockerfile.tmp-planted");
    symlink(&victim, &planted).unwrap();
    if is_root() {
        lchown(&planted, 65534, 65534);
    }
    let second = dir.path().join(".Dockerfile.tmp-second");
    let (got, _f) = super::save::create_temp([planted.clone(), second.clone()]).unwrap();
    assert_eq!(got, second);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root:secret\n");
    assert_eq!(mode(&victim), 0o600);
    assert_eq!(mode(&second), 0o600);
    // Only planted names: an error, still nothing written through.
    std::fs::remove_file(&second).unwrap();
    symlink(&victim, &second).unwrap();
    assert!(super::save::create_temp([planted, second]).is_err());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "root:secret\n");
}

/// A shared, sticky, world-writable directory where another user (uid 65534) owns the
/// Dockerfile's symlink: a root save refuses it and leaves the link and its target alone.
#[test]
fn root_save_refuses_a_foreign_symlink_in_a_shared_dir() {
    if !is_root() {
        eprintln!("skipped: needs root to chown to another uid");
        return;
    }
    let shared = tempfile::tempdir().unwrap();
    set_mode(shared.path(), 0o1777);
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("private");
    std::fs::write(&victim, "mine\n").unwrap();
    set_mode(&victim, 0o600);
    let link = shared.path().join("Dockerfile");
    symlink(&victim, &link).unwrap();
    lchown(&link, 65534, 65534);
    let e = save(&link, "FROM x\n", None, SavePolicy::default()).unwrap_err();
    assert!(matches!(e, FsError::Symlink { .. }), "{e}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine\n");
    assert_eq!(mode(&victim), 0o600);
    assert_eq!(std::fs::symlink_metadata(&link).unwrap().uid(), 65534);
    assert_eq!(names(shared.path()), vec!["Dockerfile"]);
}

#[test]
fn root_save_keeps_the_owner_of_another_users_file() {
    if !is_root() {
        eprintln!("skipped: needs root to chown to another uid");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "FROM a\n").unwrap();
    lchown(&p, 65534, 65534);
    set_mode(&p, 0o640);
    let f = open(&p).unwrap().fingerprint;
    save(&p, "FROM b\n", f.as_ref(), SavePolicy::default()).unwrap();
    let m = std::fs::metadata(&p).unwrap();
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (65534, 65534, 0o640));
}

fn store() -> (tempfile::TempDir, RecoveryStore) {
    let base = tempfile::tempdir().unwrap();
    let s = RecoveryStore::at(base.path().join("state/dockhand/recover")).unwrap();
    (base, s)
}

#[test]
fn recovery_files_live_in_a_private_dir_and_round_trip() {
    let (_base, s) = store();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("Dockerfile");
    assert_eq!(s.restore(&file).unwrap(), None);
    s.write(&file, "FROM unsaved\n").unwrap();
    assert_eq!(mode(s.dir()), 0o700);
    let rp = s.path_for(&file);
    assert!(rp.starts_with(s.dir()));
    assert_eq!(mode(&rp), 0o600);
    assert_eq!(
        names(work.path()),
        Vec::<String>::new(),
        "nothing next to the file"
    );
    assert_eq!(s.restore(&file).unwrap().as_deref(), Some("FROM unsaved\n"));
    // The same file named another way maps to the same recovery file; another file does not.
    let dotted = work.path().join(".").join("Dockerfile");
    assert_eq!(s.path_for(&dotted), rp);
    assert_ne!(s.path_for(&work.path().join("Other")), rp);
    s.remove(&file).unwrap();
    assert_eq!(s.restore(&file).unwrap(), None);
    s.remove(&file).unwrap();
}

#[test]
fn restore_refuses_symlinks_and_files_others_could_have_written() {
    let (_base, s) = store();
    let file = Path::new("/some/where/Dockerfile");
    let rp = s.path_for(file);
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "secret\n").unwrap();
    symlink(secret.path(), &rp).unwrap();
    let e = s.restore(file).unwrap_err();
    assert!(matches!(e, FsError::Unsafe { .. }), "{e}");
    assert!(!e.to_string().contains("secret\n"));
    // Writing replaces the link itself, never writes through it.
    s.write(file, "FROM x\n").unwrap();
    assert_eq!(std::fs::read_to_string(secret.path()).unwrap(), "secret\n");
    assert!(
        std::fs::symlink_metadata(&rp)
            .unwrap()
            .file_type()
            .is_file()
    );
    set_mode(&rp, 0o644);
    assert!(matches!(s.restore(file), Err(FsError::Unsafe { .. })));
    set_mode(&rp, 0o600);
    std::fs::remove_file(&rp).unwrap();
    std::fs::create_dir(&rp).unwrap();
    assert!(matches!(s.restore(file), Err(FsError::Unsafe { .. })));
    std::fs::remove_dir(&rp).unwrap();
    if is_root() {
        std::fs::write(&rp, "planted\n").unwrap();
        set_mode(&rp, 0o600);
        lchown(&rp, 65534, 65534);
        let e = s.restore(file).unwrap_err();
        assert!(e.to_string().contains("owned by uid 65534"), "{e}");
    }
}

#[test]
fn the_store_refuses_a_symlinked_or_foreign_dir_and_tightens_a_loose_one() {
    let base = tempfile::tempdir().unwrap();
    let real = base.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = base.path().join("link");
    symlink(&real, &link).unwrap();
    assert!(matches!(
        RecoveryStore::at(link),
        Err(FsError::Unsafe { .. })
    ));
    set_mode(&real, 0o755);
    RecoveryStore::at(real.clone()).unwrap();
    assert_eq!(mode(&real), 0o700);
    if is_root() {
        let foreign = base.path().join("foreign");
        std::fs::create_dir(&foreign).unwrap();
        lchown(&foreign, 65534, 65534);
        assert!(matches!(
            RecoveryStore::at(foreign),
            Err(FsError::Unsafe { .. })
        ));
    }
}

#[test]
fn the_default_dir_follows_xdg_state_home() {
    // Read-only check of the rule (the environment is not changed: tests run in parallel).
    let d = default_recovery_dir().unwrap();
    assert!(d.ends_with("dockhand/recover"), "{}", d.display());
    match std::env::var_os("XDG_STATE_HOME").map(std::path::PathBuf::from) {
        Some(x) if x.is_absolute() => assert!(d.starts_with(x)),
        _ => assert!(d.ends_with(".local/state/dockhand/recover")),
    }
}
