//! Helpers of the disk engine tests: the CLI oracle, fixtures, the lock and clean-up.
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use bollard::Docker;
use dockhand::disk_cli::human_size;
use dockhand::engine::disk_types::{BuildCacheRecord, DiskUsage};
use dockhand::engine::disk_worker;
use dockhand::engine::raw_api::RawApi;
use serde_json::Value;

use crate::common::engine::{self, Cleanup};

pub static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Debian's docker CLI (20.10, the engine's own), or `$DOCKHAND_DOCKER_CLI`.
pub fn cli_path() -> String {
    std::env::var("DOCKHAND_DOCKER_CLI").unwrap_or_else(|_| "/usr/bin/docker".into())
}

pub fn cli(args: &[&str], dir: Option<&Path>) -> String {
    let mut cmd = Command::new(cli_path());
    cmd.args(args).env("DOCKER_BUILDKIT", "1");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("docker {args:?}: {e}"));
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn raw(docker: &Docker) -> RawApi {
    let host = engine::docker_host().unwrap_or_default();
    RawApi::for_endpoint(&host, docker).expect("a unix or tcp DOCKER_HOST")
}

/// Removes volumes and networks when dropped (containers and images go through [`Cleanup`]).
#[derive(Default)]
pub struct Extra {
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
}

impl Drop for Extra {
    fn drop(&mut self) {
        for v in &self.volumes {
            let _ = Command::new(cli_path())
                .args(["volume", "rm", "-f", v])
                .output();
        }
        for n in &self.networks {
            let _ = Command::new(cli_path()).args(["network", "rm", n]).output();
        }
    }
}

/// Builds with BuildKit through the CLI (makes build-cache records); returns the image ID.
pub fn buildkit_build(tag: &str, label: &str, dockerfile: &str, files: &[(&str, &[u8])]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    for (name, data) in files {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    let args = [
        "build",
        "--network",
        "host",
        "-q",
        "-t",
        tag,
        "--label",
        label,
        ".",
    ];
    let out = Command::new(cli_path())
        .args(args)
        .env("DOCKER_BUILDKIT", "1")
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("docker build: {e}"));
    if out.status.success() {
        return String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    // A newer CLI without buildx cannot build with BuildKit: dockhand's own BuildKit client can.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("buildx"), "docker build: {err}");
    let out = Command::new(env!("CARGO_BIN_EXE_dockhand"))
        .args(["build", "--builder", "buildkit", "--network", "host"])
        .args(["-t", tag, "--label", label])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("dockhand build: {e}"));
    assert!(
        out.status.success(),
        "dockhand build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    cli(&["image", "inspect", "-f", "{{.Id}}", tag], None)
        .trim()
        .to_string()
}

/// Runs `sh -c script` to completion in a named, kept container (`--network none`).
pub fn run_kept(name: &str, image: &str, extra: &[&str], script: &str) {
    let mut args = vec!["run", "--network", "none", "--name", name];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[image, "sh", "-c", script]);
    cli(&args, None);
}

pub async fn usage(docker: &Docker) -> DiskUsage {
    disk_worker::usage(docker, Some(&raw(docker)))
        .await
        .unwrap()
}

pub fn cli_rows() -> BTreeMap<String, Value> {
    cli(&["system", "df", "--format", "{{json .}}"], None)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["Type"].as_str().unwrap_or_default().to_string(), v))
        .collect()
}

pub fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// `HumanSizeWithPrecision(n, 3)`, which the CLI's item columns use.
pub fn human3(n: u64) -> String {
    let four = human_size(n);
    let unit_at = four
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(four.len());
    let (num, unit) = four.split_at(unit_at);
    let x: f64 = num.parse().unwrap();
    let digits = if x < 1.0 {
        2
    } else {
        2 - (x.log10().floor() as i32).min(2)
    };
    let mut t = format!("{x:.*}", digits.max(0) as usize);
    if t.contains('.') {
        t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{t}{unit}")
}

pub async fn cache_records(docker: &Docker) -> Vec<BuildCacheRecord> {
    usage(docker).await.build_cache_items
}

/// The build cache once it has settled: BuildKit releases a finished build's records (in use →
/// not in use) a moment after the client returns, and a preview taken in between plans a
/// different set than the prune that follows sees. Two equal listings 200 ms apart (5 s at most).
pub async fn settled_cache_records(docker: &Docker) -> Vec<BuildCacheRecord> {
    let key = |rs: &[BuildCacheRecord]| {
        let mut k: Vec<_> = rs
            .iter()
            .map(|r| (r.id.clone(), r.in_use, r.shared, r.size))
            .collect();
        k.sort();
        k
    };
    let mut last = cache_records(docker).await;
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = cache_records(docker).await;
        if key(&now) == key(&last) {
            return now;
        }
        last = now;
    }
    last
}

pub fn cache_fixture(id: &str, guard: &mut Cleanup, n: u32) {
    let tag = guard.image(format!("{id}-c{n}:1"));
    let body = format!(
        "FROM dh-busybox:1\nCOPY blob /blob\nRUN dd if=/dev/zero of=/x bs=1k count={}\nRUN echo {id}-{n} > /y\n",
        10 + n
    );
    // The context upload is a build-cache record no image shares.
    let blob: Vec<u8> = (0..20_000 + n).map(|i| (i % 253) as u8).collect();
    buildkit_build(
        &tag,
        &format!("dh-disk-test={id}"),
        &body,
        &[("blob", &blob)],
    );
}

/// Waits for the first event `pick` accepts (30 s at most), skipping others.
pub async fn wait_for<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<dockhand::engine::EngineEvent>,
    mut pick: impl FnMut(dockhand::engine::EngineEvent) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the engine answered in time")
            .expect("the engine task is alive");
        if let Some(t) = pick(ev) {
            return t;
        }
    }
}
