//! Engine access and fixtures for integration tests, all through the REAL
//! engine API (no mocks).
//!
//! ```ignore
//! mod common;
//! use common::engine;
//!
//! #[tokio::test]
//! async fn lists_my_image() {
//!     let Some(docker) = engine::docker().await else { return };
//!     let mut guard = engine::Cleanup::new();
//!     let tag = guard.image(format!("{}:1", engine::unique("dh-test")));
//!     let id = engine::busybox_image(&docker, &tag).await;
//!     // ... exercise dockhand against `docker` / DOCKER_HOST ...
//! }
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder,
};
use futures::StreamExt;

/// Environment variable that turns "engine unreachable" from a skip into a failure.
pub const REQUIRE_ENV: &str = "DOCKHAND_REQUIRE_ENGINE";

/// Environment variable overriding where the static busybox binary is read from.
pub const BUSYBOX_ENV: &str = "DOCKHAND_BUSYBOX";

/// True when `DOCKHAND_REQUIRE_ENGINE` is set to something other than "" / "0".
pub fn engine_required() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The engine endpoint tests use: `DOCKER_HOST`. Tests never fall back to the
/// default socket (the user's own engine), so `None` when it is unset.
pub fn docker_host() -> Option<String> {
    std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty())
}

/// Connect to `host`, check it answers `/_ping` and negotiate the API version
/// (dockerd 20.10 speaks at most 1.41, older than bollard's default).
pub async fn connect(host: &str) -> Result<Docker, String> {
    let docker = Docker::connect_with_host(host).map_err(|e| format!("connect {host}: {e}"))?;
    let ping = tokio::time::timeout(Duration::from_secs(10), docker.ping()).await;
    match ping {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(format!("ping {host}: {e}")),
        Err(_) => return Err(format!("ping {host}: no answer within 10s")),
    }
    docker
        .negotiate_version()
        .await
        .map_err(|e| format!("negotiate API version with {host}: {e}"))
}

/// The engine at `DOCKER_HOST`, with a negotiated API version.
///
/// When it cannot be reached: panics if `DOCKHAND_REQUIRE_ENGINE=1` (so CI
/// fails), otherwise prints a notice and returns `None` so the caller can skip.
pub async fn docker() -> Option<Docker> {
    let Some(host) = docker_host() else {
        if engine_required() {
            panic!("{REQUIRE_ENV} is set but DOCKER_HOST is not (run ./tests/run.sh)");
        }
        eprintln!(
            "NOTICE: skipping engine test: DOCKER_HOST is not set \
             (tests never use the default engine socket)"
        );
        return None;
    };
    match connect(&host).await {
        Ok(docker) => Some(docker),
        Err(err) if engine_required() => panic!(
            "{REQUIRE_ENV} is set but the engine at {host} is unreachable: {err}\n\
             (run the suite with ./tests/run.sh, which starts a private engine)"
        ),
        Err(err) => {
            eprintln!(
                "NOTICE: skipping engine test: engine at {host} unreachable ({err}); \
                 set {REQUIRE_ENV}=1 to make this a failure"
            );
            None
        }
    }
}

/// A name unique across parallel tests and test processes:
/// `<prefix>-<pid>-<counter>-<time>` (lowercase, valid as image repo and container name).
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}-{}-{n}-{:x}",
        prefix.to_ascii_lowercase(),
        std::process::id(),
        nanos % (1 << 40)
    )
}

/// One file of a build context.
#[derive(Debug, Clone)]
pub struct ContextFile {
    /// Path inside the context (relative, `/`-separated).
    pub path: String,
    /// File contents.
    pub data: Vec<u8>,
    /// Unix permission bits, e.g. `0o644`.
    pub mode: u32,
}

impl ContextFile {
    /// A context file with the given mode.
    pub fn new(path: impl Into<String>, data: impl Into<Vec<u8>>, mode: u32) -> Self {
        Self {
            path: path.into(),
            data: data.into(),
            mode,
        }
    }
}

/// An uncompressed tar archive (in memory) holding `files`.
pub fn tar_context(files: &[ContextFile]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for file in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(file.data.len() as u64);
        header.set_mode(file.mode);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, &file.path, file.data.as_slice())
            .unwrap_or_else(|e| panic!("tar: add {}: {e}", file.path));
    }
    builder
        .into_inner()
        .unwrap_or_else(|e| panic!("tar: finish: {e}"))
}

/// Build `context` (a tar with a `Dockerfile` at its root) as `tag` with the
/// classic builder, without network (the test engine has no bridge).
/// Returns the image id, or the build error / output on failure.
pub async fn try_build(docker: &Docker, tag: &str, context: Vec<u8>) -> Result<String, String> {
    // Tests run in parallel and clean up their images: the classic builder can pick a cached
    // step whose image another test's cleanup is removing ("failed to get digest …: no such
    // file"). That is the engine racing with the cleanup, not the build failing: try again.
    let mut attempt = 0;
    loop {
        match build_once(docker, tag, context.clone()).await {
            Err(e) if attempt < 3 && is_cache_race(&e) => attempt += 1,
            other => return other,
        }
    }
}

/// Whether a build failed because a cached step's image vanished under it.
fn is_cache_race(error: &str) -> bool {
    error.contains("failed to get digest")
        || (error.contains("No such image") && error.contains("Using cache"))
}

async fn build_once(docker: &Docker, tag: &str, context: Vec<u8>) -> Result<String, String> {
    let options = BuildImageOptionsBuilder::default()
        .dockerfile("Dockerfile")
        .t(tag)
        .rm(true)
        .forcerm(true)
        .networkmode("none")
        .build();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    let mut log = String::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(detail) = info.error_detail {
                    let msg = detail.message.unwrap_or_default();
                    return Err(format!("build {tag} failed: {msg}\n{log}"));
                }
                if let Some(s) = info.stream {
                    log.push_str(&s);
                }
            }
            Err(e) => return Err(format!("build {tag} failed: {e}\n{log}")),
        }
    }
    let inspect = docker
        .inspect_image(tag)
        .await
        .map_err(|e| format!("build {tag} finished but the image is missing: {e}\n{log}"))?;
    inspect.id.ok_or_else(|| format!("image {tag} has no id"))
}

/// Build an image from a Dockerfile plus extra context files (mode 0644).
/// Panics with the build output on failure. Returns the image id.
pub async fn image_from_dockerfile(
    docker: &Docker,
    tag: &str,
    dockerfile: &str,
    files: &[(&str, &[u8])],
) -> String {
    let mut context = vec![ContextFile::new("Dockerfile", dockerfile, 0o644)];
    context.extend(
        files
            .iter()
            .map(|(path, data)| ContextFile::new(*path, *data, 0o644)),
    );
    try_build(docker, tag, tar_context(&context))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Path of a STATIC busybox: `$DOCKHAND_BUSYBOX`, else `/bin/busybox` or
/// `/usr/bin/busybox` (Debian package busybox-static).
pub fn busybox_path() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os(BUSYBOX_ENV) {
        Some(p) => vec![PathBuf::from(p)],
        None => vec!["/bin/busybox".into(), "/usr/bin/busybox".into()],
    };
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            return if elf_is_static(&bytes) {
                Ok(path.clone())
            } else {
                Err(format!(
                    "{} is not a static ELF binary; install busybox-static",
                    path.display()
                ))
            };
        }
    }
    Err(format!(
        "no busybox found at {candidates:?}; install busybox-static or set {BUSYBOX_ENV}"
    ))
}

/// True when `bytes` is a 64-bit little-endian ELF without a PT_INTERP
/// program header (i.e. it runs in a `FROM scratch` image).
pub fn elf_is_static(bytes: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" || bytes[4] != 2 || bytes[5] != 1 {
        return false;
    }
    let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap_or([0; 8])) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum).all(|i| {
        let at = phoff + i * phentsize;
        match bytes.get(at..at + 4) {
            Some(t) => u32::from_le_bytes([t[0], t[1], t[2], t[3]]) != PT_INTERP,
            None => false,
        }
    })
}

/// Build the busybox fixture as `tag`: `FROM scratch`, `/bin/busybox` from
/// busybox-static, applets installed as symlinks in /bin. Panics on failure.
/// Returns the image id.
pub async fn busybox_image(docker: &Docker, tag: &str) -> String {
    let path = busybox_path().unwrap_or_else(|e| panic!("{e}"));
    let busybox = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let dockerfile = "FROM scratch\n\
                      COPY busybox /bin/busybox\n\
                      RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
                      ENV PATH=/bin\n\
                      CMD [\"/bin/sh\"]\n";
    let context = tar_context(&[
        ContextFile::new("Dockerfile", dockerfile, 0o644),
        ContextFile::new("busybox", busybox, 0o755),
    ]);
    try_build(docker, tag, context)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Output of a finished container.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Exit code of the main process.
    pub exit_code: i64,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

/// Run `cmd` in `image` with `--network none`, wait for it to exit, collect its
/// output and remove the container.
pub async fn run_to_completion(
    docker: &Docker,
    image: &str,
    cmd: &[&str],
) -> Result<RunOutput, String> {
    let name = unique("dh-run");
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        host_config: Some(HostConfig {
            network_mode: Some("none".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::default().name(&name).build();
    let created = docker
        .create_container(Some(options), body)
        .await
        .map_err(|e| format!("create container from {image}: {e}"))?;
    let result = run_created(docker, &created.id).await;
    remove_container_quiet(docker, &created.id).await;
    result
}

async fn run_created(docker: &Docker, id: &str) -> Result<RunOutput, String> {
    docker
        .start_container(id, None)
        .await
        .map_err(|e| format!("start {id}: {e}"))?;
    let mut wait = docker.wait_container(id, None);
    let exit_code = match wait.next().await {
        Some(Ok(resp)) => resp.status_code,
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => code,
        Some(Err(e)) => return Err(format!("wait {id}: {e}")),
        None => return Err(format!("wait {id}: no response")),
    };
    let options = LogsOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .build();
    let mut logs = docker.logs(id, Some(options));
    let (mut stdout, mut stderr) = (String::new(), String::new());
    while let Some(chunk) = logs.next().await {
        match chunk.map_err(|e| format!("logs {id}: {e}"))? {
            LogOutput::StdErr { message } => stderr.push_str(&String::from_utf8_lossy(&message)),
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                stdout.push_str(&String::from_utf8_lossy(&message))
            }
            LogOutput::StdIn { .. } => {}
        }
    }
    Ok(RunOutput {
        exit_code,
        stdout,
        stderr,
    })
}

/// Force-remove an image (by name or id), ignoring every error.
pub async fn remove_image_quiet(docker: &Docker, image: &str) {
    let options = RemoveImageOptionsBuilder::default().force(true).build();
    let _ = docker.remove_image(image, Some(options), None).await;
}

/// Force-remove a container and its anonymous volumes, ignoring every error.
pub async fn remove_container_quiet(docker: &Docker, container: &str) {
    let options = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    let _ = docker.remove_container(container, Some(options)).await;
}

/// Removes the containers and images registered with it when dropped (also
/// when the test panics). Containers go first, then images.
///
/// Drop cannot await inside the test's runtime, so it opens a fresh
/// connection to `DOCKER_HOST` on a helper thread with its own runtime.
#[derive(Debug, Default)]
pub struct Cleanup {
    images: Vec<String>,
    containers: Vec<String>,
}

impl Cleanup {
    /// An empty guard.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register an image name/id for removal; returns it for convenience.
    pub fn image(&mut self, image: impl Into<String>) -> String {
        let image = image.into();
        self.images.push(image.clone());
        image
    }

    /// Register a container name/id for removal; returns it for convenience.
    pub fn container(&mut self, container: impl Into<String>) -> String {
        let container = container.into();
        self.containers.push(container.clone());
        container
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.images.is_empty() && self.containers.is_empty() {
            return;
        }
        let images = std::mem::take(&mut self.images);
        let containers = std::mem::take(&mut self.containers);
        let Some(host) = docker_host() else {
            return;
        };
        let worker = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(docker) = connect(&host).await else {
                    return;
                };
                for c in &containers {
                    remove_container_quiet(&docker, c).await;
                }
                for i in &images {
                    remove_image_quiet(&docker, i).await;
                }
            });
        });
        let _ = worker.join();
    }
}
