//! Thin wrappers over the few POSIX calls std does not expose (effective uid, fchown, access,
//! the process umask) and the random temp-file names.
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Changes the owner of an open file; `None` leaves that id unchanged.
pub fn fchown(
    fd: std::os::fd::BorrowedFd<'_>,
    uid: Option<u32>,
    gid: Option<u32>,
) -> std::io::Result<()> {
    std::os::unix::fs::fchown(fd, uid, gid)
}

/// Starts writing back `len` bytes of `fd` from `offset` without waiting (`sync_file_range`
/// with `SYNC_FILE_RANGE_WRITE`), so a final fsync has little left to wait for. Best effort.
pub fn start_writeback(fd: std::os::fd::BorrowedFd<'_>, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(off), Ok(n)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for the borrow's lifetime; the call only schedules I/O.
    unsafe {
        libc::sync_file_range(fd.as_raw_fd(), off, n, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Whether the current user may write `path` (`access(2)` with `W_OK`).
pub fn can_write(path: &Path) -> bool {
    let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// The process umask, read from `/proc/self/status` (changing it to read it would race with
/// other threads); 022 where that is not available.
pub fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// An unpredictable suffix for temp-file names (pid, time, a counter, mixed by xxh3).
pub fn random_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut seed = Vec::with_capacity(40);
    seed.extend_from_slice(&std::process::id().to_le_bytes());
    seed.extend_from_slice(&nanos.to_le_bytes());
    seed.extend_from_slice(&n.to_le_bytes());
    seed.extend_from_slice(&(&seed as *const _ as usize).to_le_bytes());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&seed))
}
