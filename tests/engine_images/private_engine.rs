//! A throwaway private engine (containerd + dockerd in a temp dir) for tests that would be
//! destructive on a shared engine, started and stopped with `tests/lib/engine.sh`.

use std::path::PathBuf;
use std::process::Command;

use bollard::Docker;

use crate::common::engine;

/// A running private engine; stopped (daemons killed, temp dir removed) on drop.
#[derive(Debug)]
pub struct PrivateEngine {
    dir: String,
    /// `unix://…/docker.sock`.
    pub host: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lib/engine.sh")
}

impl PrivateEngine {
    /// Starts one. `Err` says why it could not (no dockerd, not root, …).
    pub fn start() -> Result<PrivateEngine, String> {
        let out = Command::new("bash")
            .arg("-c")
            .arg(r#". "$1" && dh_engine_start && printf 'DIR=%s\n' "$DH_ENGINE_DIR""#)
            .arg("engine.sh")
            .arg(script())
            .output()
            .map_err(|e| format!("run bash: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let dir = stdout
            .lines()
            .find_map(|l| l.strip_prefix("DIR="))
            .map(str::to_string);
        match dir {
            Some(dir) if out.status.success() => Ok(PrivateEngine {
                host: format!("unix://{dir}/docker.sock"),
                dir,
            }),
            _ => Err(format!(
                "private engine did not start ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// A negotiated client.
    pub async fn docker(&self) -> Docker {
        engine::connect(&self.host)
            .await
            .unwrap_or_else(|e| panic!("private engine: {e}"))
    }
}

impl Drop for PrivateEngine {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg("-c")
            .arg(
                r#". "$1" && DH_ENGINE_DIR="$2" && DH_ENGINE_CONTAINERD_PID="$(cat "$2/containerd.pid")" && dh_engine_stop"#,
            )
            .arg("engine.sh")
            .arg(script())
            .arg(&self.dir)
            .output();
    }
}

/// A private engine, or `None` (skip with a notice) when it cannot be started and
/// `DOCKHAND_REQUIRE_ENGINE` is not set; panics when it is.
pub fn start_or_skip() -> Option<PrivateEngine> {
    match PrivateEngine::start() {
        Ok(e) => Some(e),
        Err(e) if engine::engine_required() => panic!("{}: {e}", engine::REQUIRE_ENV),
        Err(e) => {
            eprintln!("NOTICE: skipping private-engine test: {e}");
            None
        }
    }
}
