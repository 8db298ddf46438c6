//! Runs an interactive exec with the TUI suspended, then brings the same screen back.
use std::io::Write;

use crossterm::terminal::{disable_raw_mode, enable_raw_mode};

use crate::engine::container_exec;
use crate::engine::{Connection, connect};
use crate::state::ExecRequest;
use crate::state::{AppState, Level};
use crate::tui::Tui;

/// The client of the engine the app is connected to: the engine worker's own when it is live,
/// else a connection made the same way the app made its own.
async fn client(host: Option<String>, state: &AppState) -> Result<bollard::Docker, String> {
    let Connection::Connected(info) = &state.shared.connection else {
        return Err("not connected to an engine".into());
    };
    connect::client_for(host, &info.endpoint).await
}

/// Suspends the TUI, runs the exec on this terminal, resumes, and reports the outcome.
pub async fn run(tui: &mut Tui, state: &mut AppState, host: Option<String>, req: ExecRequest) {
    let docker = match client(host, state).await {
        Ok(d) => d,
        Err(e) => return state.shared.say(Level::Error, format!("exec failed: {e}")),
    };
    if let Err(e) = tui.suspend() {
        return state
            .shared
            .say(Level::Error, format!("cannot hand over the terminal: {e}"));
    }
    let name = crate::util::sanitize::sanitize(&req.name);
    let mut out = std::io::stdout();
    let banner = if req.attach {
        format!("attached to {name} — dockhand comes back when its process exits")
    } else {
        let cmd = crate::util::sanitize::sanitize(&req.cmd.join(" "));
        format!("{cmd} in {name} — exit the shell to return to dockhand")
    };
    let _ = write!(out, "\r\n[dockhand] {banner}\r\n");
    let _ = out.flush();
    let result = match enable_raw_mode() {
        Ok(()) if req.attach => container_exec::attach_and_start(&docker, &req.id).await,
        Ok(()) => container_exec::interactive(&docker, &req.id, &req.cmd).await,
        Err(e) => Err(crate::engine::EngineError::Invalid(format!(
            "raw mode: {e}"
        ))),
    };
    let _ = disable_raw_mode();
    if let Err(e) = tui.resume() {
        state
            .shared
            .say(Level::Error, format!("cannot take the terminal back: {e}"));
        return;
    }
    let what = if req.attach {
        format!("{name} (attached)")
    } else {
        format!("exec in {name}")
    };
    match result {
        Ok(Some(code)) => state.shared.say(
            if code == 0 { Level::Ok } else { Level::Info },
            format!("{what} exited with code {code}"),
        ),
        Ok(None) => state.shared.say(Level::Ok, format!("{what} ended")),
        Err(e) => state
            .shared
            .say(Level::Error, format!("{what} failed: {e}")),
    }
}
