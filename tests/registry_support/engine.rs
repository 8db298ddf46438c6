//! The real Docker engine (`DOCKER_HOST`), used to build and push fixture images.

use std::process::Command;
use std::sync::Mutex;

use bollard::Docker;
use bollard::auth::DockerCredentials;
use bollard::query_parameters::{PushImageOptions, TagImageOptions};
use futures::StreamExt;

use super::engine_required;

/// Base fixture image (busybox, one layer).
pub const BASE_IMAGE: &str = "dh-busybox:1";
/// Two-layer fixture image built on the base.
pub const TWO_LAYER_IMAGE: &str = "dh-reg-fixture:2";

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Connects to the engine at `DOCKER_HOST`. Without it: `None` with a notice, or a panic when
/// `DOCKHAND_REQUIRE_ENGINE=1`.
pub async fn connect() -> Option<Docker> {
    let outcome = async {
        let host =
            std::env::var("DOCKER_HOST").map_err(|_| "DOCKER_HOST is not set".to_string())?;
        let docker = Docker::connect_with_host(&host).map_err(|e| format!("{host}: {e}"))?;
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| format!("{host}: {e}"))?;
        docker.ping().await.map_err(|e| format!("{host}: {e}"))?;
        Ok::<_, String>(docker)
    }
    .await;
    match outcome {
        Ok(d) => Some(d),
        Err(e) if engine_required() => {
            panic!("DOCKHAND_REQUIRE_ENGINE=1 but the engine is unreachable: {e}")
        }
        Err(e) => {
            eprintln!("skipping engine-dependent test: engine unreachable ({e})");
            None
        }
    }
}

fn docker_cli(args: &[&str], dir: Option<&std::path::Path>) -> Result<String, String> {
    let mut cmd = Command::new("docker");
    cmd.args(args).env("DOCKER_BUILDKIT", "0");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd.output().map_err(|e| format!("docker {args:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "docker {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Makes sure both fixture images exist (building them from `/bin/busybox` if needed).
pub fn ensure_fixtures() {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    if docker_cli(&["image", "inspect", BASE_IMAGE], None).is_err() {
        std::fs::copy("/bin/busybox", dir.path().join("busybox")).expect("copy busybox");
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\n",
        )
        .expect("Dockerfile");
        docker_cli(&["build", "-q", "-t", BASE_IMAGE, "."], Some(dir.path())).expect("build base");
    }
    if docker_cli(&["image", "inspect", TWO_LAYER_IMAGE], None).is_err() {
        let payload: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(dir.path().join("payload.txt"), payload).expect("payload");
        std::fs::write(
            dir.path().join("Dockerfile"),
            format!("FROM {BASE_IMAGE}\nCOPY payload.txt /data/payload.txt\n"),
        )
        .expect("Dockerfile");
        docker_cli(
            &["build", "-q", "-t", TWO_LAYER_IMAGE, "."],
            Some(dir.path()),
        )
        .expect("build two-layer fixture");
    }
}

/// Local names a test created (tags, digest references); removed from the engine on drop,
/// even when the test panics.
#[derive(Default)]
pub struct LocalTags(Mutex<Vec<String>>);

impl LocalTags {
    fn add(&self, name: String) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(name);
    }
}

impl Drop for LocalTags {
    fn drop(&mut self) {
        let names = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        if names.is_empty() {
            return;
        }
        let mut args = vec!["image", "rm"];
        args.extend(names.iter().map(String::as_str));
        let _ = docker_cli(&args, None);
    }
}

/// Tags `source` as `repo:tag` and pushes it with the engine, optionally with credentials.
pub async fn push(
    docker: &Docker,
    tags: &LocalTags,
    source: &str,
    repo: &str,
    tag: &str,
    credentials: Option<DockerCredentials>,
) -> Result<(), String> {
    docker
        .tag_image(
            source,
            Some(TagImageOptions {
                repo: Some(repo.to_string()),
                tag: Some(tag.to_string()),
            }),
        )
        .await
        .map_err(|e| format!("tag {source} as {repo}:{tag}: {e}"))?;
    tags.add(format!("{repo}:{tag}"));
    let mut stream = docker.push_image(
        repo,
        Some(PushImageOptions {
            tag: Some(tag.to_string()),
            platform: None,
        }),
        credentials,
    );
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| format!("push {repo}:{tag}: {e}"))?;
        if let Some(err) = info.error_detail {
            return Err(format!("push {repo}:{tag}: {err:?}"));
        }
    }
    Ok(())
}

/// Pulls `reference` with the engine, optionally with credentials.
pub async fn pull(
    docker: &Docker,
    tags: &LocalTags,
    reference: &str,
    credentials: Option<DockerCredentials>,
) -> Result<(), String> {
    let mut stream = docker.create_image(
        Some(bollard::query_parameters::CreateImageOptions {
            from_image: Some(reference.to_string()),
            ..Default::default()
        }),
        None,
        credentials,
    );
    tags.add(reference.to_string());
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| format!("pull {reference}: {e}"))?;
        if let Some(err) = info.error_detail {
            return Err(format!("pull {reference}: {err:?}"));
        }
    }
    Ok(())
}
