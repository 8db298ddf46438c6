//! One ssh login shared by every connection to an `ssh://` engine (OpenSSH connection sharing:
//! a master `ssh -M -S socket -N` and sessions `ssh -S socket`).
//!
//! Every HTTP connection to the engine is its own `ssh … docker system dial-stdio`; without
//! sharing, each pays a full key exchange and login, and the first listing, the event stream and
//! an image's details each need one. The master is our child process, on a control socket in a
//! private directory, and ends with the transport; a session whose master has gone connects by
//! itself (ssh falls back when the socket does not answer).
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Child;
use tokio::sync::OnceCell;

use super::ssh::{SshTarget, failure};

/// How often the control socket is looked for while the master logs in.
const POLL: Duration = Duration::from_millis(3);

/// The shared login of one transport.
pub struct Master {
    dir: PathBuf,
    socket: PathBuf,
    started: OnceCell<Result<(), String>>,
    /// The master process; killed when the transport goes.
    child: Mutex<Option<Child>>,
}

impl Master {
    /// Makes the private directory for the control socket (nothing runs yet).
    pub fn new() -> io::Result<Master> {
        use std::os::unix::fs::DirBuilderExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        // Short: a unix socket path is limited to about 100 bytes.
        let dir = std::env::temp_dir().join(format!("dockhand-ssh-{}-{n}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(Master {
            socket: dir.join("ctl"),
            dir,
            started: OnceCell::new(),
            child: Mutex::new(None),
        })
    }

    /// The control socket sessions connect through.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Logs in once (every caller waits for the same login); the error is ssh's own words.
    pub async fn ensure(&self, target: &SshTarget) -> Result<(), String> {
        self.started
            .get_or_init(|| self.start(target))
            .await
            .clone()
    }

    async fn start(&self, target: &SshTarget) -> Result<(), String> {
        let mut child = tokio::process::Command::new("ssh")
            .args(target.master_args(&self.socket))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run ssh: {e}"))?;
        // The socket appears once the login succeeded; an exit before that is a failed login.
        loop {
            if self.socket.exists() {
                if let Ok(mut slot) = self.child.lock() {
                    *slot = Some(child);
                }
                return Ok(());
            }
            if let Ok(Some(_)) = child.try_wait() {
                let mut text = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    let _ = stderr.read_to_string(&mut text).await;
                }
                return Err(failure(&target.host, &text));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for Master {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.child.lock() {
            // kill_on_drop ends the master; its sessions end with it.
            slot.take();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
