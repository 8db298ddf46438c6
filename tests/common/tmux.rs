//! End-to-end harness: run a real program (usually the dockhand binary) in a
//! detached tmux session on a private tmux server, type into it and read its
//! screen. Nothing here assumes any particular screen content.
//!
//! ```ignore
//! mod common;
//! use common::tmux::Spawn;
//! use std::time::Duration;
//!
//! let term = Spawn::dockhand().args(["--theme", "dark"]).size(120, 40).start()?;
//! term.wait_for("Images", Duration::from_secs(10))?;
//! term.send_keys(&["j", "Enter"])?;
//! let screen = term.capture();
//! ```
//!
//! The server uses its own socket (`tmux -L <unique>`), an empty config
//! (status line off, so the pane is exactly W×H; `remain-on-exit` on, so the
//! last screen and exit status of a finished program stay readable) and is
//! killed when the [`Tmux`] value is dropped.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How often `wait_*` re-reads the screen.
const POLL: Duration = Duration::from_millis(50);

/// What to start and how: a builder for [`Tmux`].
#[derive(Debug, Clone)]
pub struct Spawn {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    cwd: Option<PathBuf>,
    width: u16,
    height: u16,
}

impl Spawn {
    /// Run `program` (default size 120×40, inheriting this process's environment).
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Self {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            cwd: None,
            width: 120,
            height: 40,
        }
    }

    /// Run the dockhand binary built by cargo for this test run.
    pub fn dockhand() -> Self {
        Self::new(env!("CARGO_BIN_EXE_dockhand"))
    }

    /// Append arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Set an environment variable for the program.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Remove an inherited environment variable.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env_remove.push(key.as_ref().to_owned());
        self
    }

    /// Working directory of the program.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Terminal size in cells.
    pub fn size(mut self, width: u16, height: u16) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Start a private tmux server running the program in a detached session.
    pub fn start(self) -> Result<Tmux, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("tmux temp dir: {e}"))?;
        let config = dir.path().join("tmux.conf");
        std::fs::write(&config, config_text()).map_err(|e| format!("write tmux.conf: {e}"))?;
        let tmux = Tmux {
            socket: super::engine::unique("dhtmux"),
            target: "dh:0.0".to_string(),
            status: dir.path().join("exit-status"),
            _dir: dir,
        };
        let mut cmd = Command::new("tmux");
        cmd.arg("-L").arg(&tmux.socket).arg("-f").arg(&config);
        cmd.args(["new-session", "-d", "-s", "dh", "-x"])
            .arg(self.width.to_string())
            .arg("-y")
            .arg(self.height.to_string());
        if let Some(cwd) = &self.cwd {
            cmd.arg("-c").arg(cwd);
        }
        // The program runs under `sh`, which writes its exit status to a file: tmux 3.3 can mark
        // a pane dead without ever recording the status. `exec` keeps nothing else running.
        let status = tmux.status.clone();
        let script = format!(
            "\"$0\" \"$@\"; rc=$?; printf %s \"$rc\" > {0}.tmp && mv {0}.tmp {0}; exit $rc",
            shell_quote(status.as_os_str()).to_string_lossy()
        );
        cmd.arg("--").arg("sh").arg("-c").arg(script);
        cmd.arg(&self.program).args(&self.args);
        // The server (started by this command) passes its environment to the pane.
        cmd.env_remove("TMUX").env_remove("TMUX_PANE");
        for key in &self.env_remove {
            cmd.env_remove(key);
        }
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("run tmux (is it installed?): {e}"))?;
        check("new-session", &out)?;
        Ok(tmux)
    }
}

/// A program running in a detached tmux session; the server dies on drop.
#[derive(Debug)]
pub struct Tmux {
    socket: String,
    target: String,
    /// Written with the program's exit status when it exits (see [`Spawn::start`]).
    status: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Shorthand for `Spawn::new(program).args(args)...start()`.
    pub fn start(
        program: impl AsRef<OsStr>,
        args: &[&str],
        env: &[(&str, &str)],
        width: u16,
        height: u16,
    ) -> Result<Self, String> {
        let mut spawn = Spawn::new(program).args(args).size(width, height);
        for (k, v) in env {
            spawn = spawn.env(k, v);
        }
        spawn.start()
    }

    /// The tmux server socket name (for `tmux -L <name>` when debugging).
    pub fn socket(&self) -> &str {
        &self.socket
    }

    fn tmux<I, S>(&self, args: I) -> Result<Output, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .map_err(|e| format!("run tmux: {e}"))
    }

    /// The newest paste buffer (where tmux puts what a program copies with OSC 52), if any.
    pub fn show_buffer(&self) -> Option<String> {
        let out = self.tmux(["show-buffer"]).ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Send tmux key names, e.g. `&["j", "Enter", "C-c", "Escape", "Up"]`.
    pub fn send_keys(&self, keys: &[&str]) -> Result<(), String> {
        let mut args = vec!["send-keys", "-t", self.target.as_str()];
        args.extend_from_slice(keys);
        let out = self.tmux(args)?;
        check("send-keys", &out)
    }

    /// Type `text` literally (no key-name interpretation).
    pub fn send_literal(&self, text: &str) -> Result<(), String> {
        let out = self.tmux(["send-keys", "-l", "-t", self.target.as_str(), "--", text])?;
        check("send-keys -l", &out)
    }

    /// The visible screen as text (one line per row, trailing blanks trimmed).
    /// Panics if tmux itself fails (the server is gone).
    pub fn capture(&self) -> String {
        self.try_capture().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Tmux::capture`], returning tmux failures as errors.
    pub fn try_capture(&self) -> Result<String, String> {
        let out = self.tmux(["capture-pane", "-p", "-t", self.target.as_str()])?;
        check("capture-pane", &out)?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The visible screen with colours/attributes as escape sequences.
    pub fn capture_styled(&self) -> Result<String, String> {
        let out = self.tmux(["capture-pane", "-p", "-e", "-t", self.target.as_str()])?;
        check("capture-pane -e", &out)?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Poll the screen until it contains `text`; returns that screen, or on
    /// timeout an error holding the last screen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until(timeout, |screen| screen.contains(text))
            .map_err(|screen| {
                format!("timed out after {timeout:?} waiting for {text:?}; screen:\n{screen}")
            })
    }

    /// Poll the screen until `pred` holds; `Err(last screen)` on timeout.
    pub fn wait_until(
        &self,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.try_capture()?;
            if pred(&screen) {
                return Ok(screen);
            }
            if Instant::now() >= deadline {
                return Err(screen);
            }
            std::thread::sleep(POLL);
        }
    }

    /// Resize the terminal to `width`×`height` cells (the program gets SIGWINCH).
    pub fn resize(&self, width: u16, height: u16) -> Result<(), String> {
        let out = self.tmux([
            "resize-window",
            "-t",
            "dh:0",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ])?;
        check("resize-window", &out)
    }

    /// Current pane size `(width, height)`.
    pub fn size(&self) -> Result<(u16, u16), String> {
        let s = self.display("#{pane_width} #{pane_height}")?;
        let mut it = s.split_whitespace().map(str::parse::<u16>);
        match (it.next(), it.next()) {
            (Some(Ok(w)), Some(Ok(h))) => Ok((w, h)),
            _ => Err(format!("unexpected pane size {s:?}")),
        }
    }

    /// `Some(exit status)` once the program has exited, `None` while it runs.
    pub fn exit_status(&self) -> Result<Option<i32>, String> {
        if let Ok(text) = std::fs::read_to_string(&self.status)
            && let Ok(code) = text.trim().parse::<i32>()
        {
            return Ok(Some(code));
        }
        let s = self.display("#{pane_dead} #{pane_dead_status} #{pane_dead_signal}")?;
        let mut it = s.split_whitespace();
        match it.next() {
            Some("1") => {
                let status = it.next().and_then(|v| v.parse::<i32>().ok());
                let signal = it.next().and_then(|v| v.parse::<i32>().ok());
                Ok(Some(status.or(signal.map(|s| 128 + s)).unwrap_or(-1)))
            }
            Some("0") => Ok(None),
            _ => Err(format!("unexpected pane state {s:?}")),
        }
    }

    /// Wait for the program to exit; its exit status (128+N when killed by signal N).
    pub fn wait_exit(&self, timeout: Duration) -> Result<i32, String> {
        let deadline = Instant::now() + timeout;
        let mut unknown = 0;
        loop {
            match self.exit_status()? {
                // The status file may land a moment after the pane is seen dead.
                Some(-1) if unknown < 20 => unknown += 1,
                Some(code) => return Ok(code),
                None => {}
            }
            if Instant::now() >= deadline {
                let screen = self.try_capture().unwrap_or_default();
                return Err(format!(
                    "program still running after {timeout:?}; screen:\n{screen}"
                ));
            }
            std::thread::sleep(POLL);
        }
    }

    fn display(&self, format: &str) -> Result<String, String> {
        let out = self.tmux(["display-message", "-p", "-t", self.target.as_str(), format])?;
        check("display-message", &out)?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(["kill-server"]);
    }
}

fn check(what: &str, out: &Output) -> Result<(), String> {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "tmux {what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Server configuration: no user config, no status line, keep dead panes.
fn config_text() -> String {
    format!(
        "set -g status off\n\
         set -g remain-on-exit on\n\
         set -g history-limit 10000\n\
         set -s escape-time 0\n\
         set -s set-clipboard on\n\
         set -g default-terminal \"{}\"\n",
        default_term()
    )
}

/// The best TERM with an installed terminfo entry.
fn default_term() -> &'static str {
    let dirs = ["/usr/share/terminfo", "/lib/terminfo", "/etc/terminfo"];
    for term in ["tmux-256color", "screen-256color"] {
        let first = &term[..1];
        if dirs
            .iter()
            .any(|d| Path::new(d).join(first).join(term).exists())
        {
            return term;
        }
    }
    "screen"
}

fn shell_quote(s: &OsStr) -> OsString {
    let s = s.to_string_lossy();
    OsString::from(format!("'{}'", s.replace('\'', "'\\''")))
}
