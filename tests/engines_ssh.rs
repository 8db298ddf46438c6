//! dockhand against the private engine reached over SSH (`ssh://` like `docker -H ssh://…`):
//! tests/run.sh starts a throw-away sshd (tests/lib/sshd.sh) whose sessions reach the private
//! engine and puts an `ssh` that reads only its config first in PATH. Listing, events, logs
//! follow, exec with a TTY (a hijacked connection), a build and an analysis all go over ssh; an
//! sshd killed mid-stream ends the stream with an error.
//!
//! Needs `DOCKHAND_SSH_HOST`; without it the tests return early unless `DOCKHAND_REQUIRE_ENGINE=1`.

mod common;
mod registry_support;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptionsBuilder, StartContainerOptions};
use common::engine::{self, Cleanup};
use dockhand::engine::{self as eng, Command, Connection, EngineEvent, connect, endpoint};
use futures::StreamExt;
use support::{collector, expect_event};
use tokio::io::AsyncWriteExt;
use tokio::sync::RwLock;

const WAIT: Duration = Duration::from_secs(60);

/// Every test holds this for reading; the one that kills sshd sessions holds it for writing.
fn sessions() -> &'static RwLock<()> {
    static LOCK: OnceLock<RwLock<()>> = OnceLock::new();
    LOCK.get_or_init(|| RwLock::new(()))
}

fn ssh_host() -> Option<String> {
    let host = std::env::var("DOCKHAND_SSH_HOST")
        .ok()
        .filter(|h| !h.is_empty());
    if host.is_none() && engine::engine_required() {
        panic!("DOCKHAND_REQUIRE_ENGINE=1 but DOCKHAND_SSH_HOST is unset (run tests/run.sh)");
    }
    host
}

fn ssh_endpoint(host: &str) -> endpoint::Endpoint {
    endpoint::Endpoint {
        source: "test".into(),
        host: host.to_string(),
        tls: None,
    }
}

/// The unix client (for fixtures and checks) and the ssh one, both connected.
async fn both() -> Option<(Docker, Docker, String)> {
    let host = ssh_host()?;
    let local = engine::docker().await?;
    let (far, info) = connect::connect(&ssh_endpoint(&host))
        .await
        .unwrap_or_else(|e| panic!("connect over {host}: {e}"));
    assert_eq!(info.endpoint, host);
    assert_eq!(info.name, "Docker Engine", "{info:?}");
    Some((local, far, host))
}

/// Creates and starts a container from `image` running `cmd` (`--network none`).
async fn start_container(docker: &Docker, image: &str, name: &str, cmd: &[&str]) -> String {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        host_config: Some(HostConfig {
            network_mode: Some("none".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let opts = CreateContainerOptionsBuilder::default().name(name).build();
    let id = docker
        .create_container(Some(opts), body)
        .await
        .expect("create container")
        .id;
    docker
        .start_container(&id, None::<StartContainerOptions>)
        .await
        .expect("start container");
    id
}

#[tokio::test]
async fn lists_the_same_images_over_ssh() {
    let _g = sessions().read().await;
    let Some((local, far, _)) = both().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-ssh-list")));
    let id = support::fixture(&local, &tag, "").await;
    let inv = eng::images::inventory(&far)
        .await
        .expect("inventory over ssh");
    let listed = inv
        .images
        .iter()
        .find(|i| i.id == id)
        .expect("fixture listed");
    assert!(listed.repo_tags.contains(&tag), "{listed:?}");
    let direct = eng::images::inventory(&local).await.expect("inventory");
    let over_unix = direct.images.iter().find(|i| i.id == id).expect("listed");
    assert_eq!(listed, over_unix);
}

#[tokio::test]
async fn events_and_logs_follow_over_ssh() {
    let _g = sessions().read().await;
    let Some((local, _, host)) = both().await else {
        return;
    };
    let (sink, mut rx) = collector();
    let handle = eng::spawn(Ok(vec![ssh_endpoint(&host)]), sink);
    expect_event(
        &mut rx,
        "the first listing over ssh",
        |ev| matches!(ev, EngineEvent::Inventory(Ok(_))),
        WAIT,
    )
    .await;
    // A container made behind the worker's back shows up: the event stream runs over ssh.
    let mut guard = Cleanup::new();
    let name = guard.container(engine::unique("dh-ssh-logs"));
    let id = start_container(
        &local,
        "dh-busybox:1",
        &name,
        &[
            "sh",
            "-c",
            "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done",
        ],
    )
    .await;
    expect_event(
        &mut rx,
        "the new container in a listing",
        |ev| matches!(ev, EngineEvent::Inventory(Ok(inv)) if inv.containers.iter().any(|c| c.id == id)),
        WAIT,
    )
    .await;
    handle.send(Command::FollowLogs {
        id: Some(id.clone()),
    });
    let mut seen = Vec::new();
    while seen.len() < 5 {
        if let EngineEvent::Logs { lines, .. } = expect_event(
            &mut rx,
            "followed log lines",
            |ev| matches!(ev, EngineEvent::Logs { id: i, .. } if *i == id),
            WAIT,
        )
        .await
        {
            seen.extend(lines.into_iter().map(|l| l.text));
        }
    }
    let first: usize = seen[0]
        .strip_prefix("tick-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{seen:?}"));
    for (i, line) in seen.iter().enumerate() {
        assert_eq!(*line, format!("tick-{}", first + i), "{seen:?}");
    }
}

#[tokio::test]
async fn exec_with_a_tty_over_ssh() {
    let _g = sessions().read().await;
    let Some((local, far, _)) = both().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let name = guard.container(engine::unique("dh-ssh-exec"));
    let id = start_container(&local, "dh-busybox:1", &name, &["sleep", "300"]).await;
    let exec = far
        .create_exec(
            &id,
            CreateExecOptions {
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                tty: Some(true),
                cmd: Some(vec!["sh".to_string()]),
                ..Default::default()
            },
        )
        .await
        .expect("create exec");
    let start = StartExecOptions {
        detach: false,
        tty: true,
        output_capacity: None,
    };
    let StartExecResults::Attached {
        mut output,
        mut input,
    } = far.start_exec(&exec.id, Some(start)).await.expect("start")
    else {
        panic!("detached");
    };
    // The sum is computed in the container, so seeing it proves the typed line went through.
    input
        .write_all(b"[ -t 0 ] && echo tty-yes; echo sum-$((20+22)); exit 3\n")
        .await
        .expect("type");
    let mut text = String::new();
    let read = tokio::time::timeout(WAIT, async {
        while let Some(Ok(chunk)) = output.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        }
    })
    .await;
    assert!(read.is_ok(), "the exec did not end: {text:?}");
    assert!(text.contains("tty-yes"), "{text:?}");
    assert!(text.contains("sum-42"), "{text:?}");
    let code = far.inspect_exec(&exec.id).await.expect("inspect").exit_code;
    assert_eq!(code, Some(3));
}

#[tokio::test]
async fn builds_over_ssh() {
    let _g = sessions().read().await;
    let Some((local, _, host)) = both().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let marker = engine::unique("marker");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM dh-busybox:1\nRUN echo {marker} > /marker\n"),
    )
    .expect("dockerfile");
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-ssh-build")));
    let (sink, mut rx) = collector();
    let handle = eng::spawn(Ok(vec![ssh_endpoint(&host)]), sink);
    expect_event(
        &mut rx,
        "connected",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    handle.send(Command::Build(Box::new(eng::build::BuildRequest {
        dockerfile: dir.path().join("Dockerfile"),
        context: dir.path().to_path_buf(),
        tags: vec![tag.clone()],
        build_args: vec![],
        target: String::new(),
        no_cache: false,
        network: "host".into(),
    })));
    match expect_event(
        &mut rx,
        "the build's end",
        |ev| matches!(ev, EngineEvent::JobFinished { .. }),
        WAIT,
    )
    .await
    {
        EngineEvent::JobFinished { result, .. } => {
            result.expect("build over ssh");
        }
        other => panic!("{other:?}"),
    }
    let out = engine::run_to_completion(&local, &tag, &["cat", "/marker"])
        .await
        .expect("run the built image");
    assert_eq!(out.stdout.trim(), marker);
}

#[tokio::test]
async fn analysis_over_ssh_equals_the_local_one() {
    let _g = sessions().read().await;
    let Some((local, far, _)) = both().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-ssh-analyze")));
    support::fixture_with_blob(&local, &tag, 200_000, &engine::unique("salt")).await;
    let no = || std::sync::Arc::new(AtomicBool::new(false));
    let over_ssh = dockhand::layers::analyze_image(&far, &tag, None, no())
        .await
        .expect("analysis over ssh");
    let direct = dockhand::layers::analyze_image(&local, &tag, None, no())
        .await
        .expect("analysis");
    assert_eq!(over_ssh.figures, direct.figures);
    assert_eq!(over_ssh.layers.len(), direct.layers.len());
    assert!(over_ssh.figures.size_bytes > 200_000);
}

#[tokio::test]
async fn a_refused_ssh_login_says_why() {
    let _g = sessions().read().await;
    let Some(host) = ssh_host() else {
        return;
    };
    // Same host and port, a user the server does not allow.
    let hostport = host
        .rsplit('@')
        .next()
        .unwrap_or(&host)
        .trim_start_matches("ssh://");
    let refused = format!("ssh://nobody-here@{hostport}");
    let err = connect::connect(&ssh_endpoint(&refused))
        .await
        .expect_err("refused");
    assert!(err.contains("ssh to 127.0.0.1"), "{err}");
    assert!(err.contains("Permission denied"), "{err}");
}

/// Kills the sessions of the test sshd (its children), by their process IDs.
fn kill_ssh_sessions() -> usize {
    let pid: i32 = std::env::var("DOCKHAND_SSHD_PID")
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("DOCKHAND_SSHD_PID");
    let out = std::process::Command::new("ps")
        .args(["-o", "pid=", "--ppid", &pid.to_string()])
        .output()
        .expect("ps");
    let children: Vec<i32> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    for child in &children {
        // SAFETY: kill(2) with a pid we just read as a child of our own test sshd.
        unsafe { libc::kill(*child, libc::SIGKILL) };
    }
    children.len()
}

#[tokio::test]
async fn an_ssh_engine_killed_mid_stream_is_an_error_not_a_hang() {
    let _g = sessions().write().await;
    let Some((local, _, host)) = both().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let name = guard.container(engine::unique("dh-ssh-kill"));
    let id = start_container(
        &local,
        "dh-busybox:1",
        &name,
        &["sh", "-c", "while true; do echo alive; sleep 0.1; done"],
    )
    .await;
    let (sink, mut rx) = collector();
    let handle = eng::spawn(Ok(vec![ssh_endpoint(&host)]), sink);
    expect_event(
        &mut rx,
        "connected",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    handle.send(Command::FollowLogs {
        id: Some(id.clone()),
    });
    expect_event(
        &mut rx,
        "log lines",
        |ev| matches!(ev, EngineEvent::Logs { .. }),
        WAIT,
    )
    .await;
    assert!(kill_ssh_sessions() > 0, "no ssh session to kill");
    match expect_event(
        &mut rx,
        "the followed log to end",
        |ev| matches!(ev, EngineEvent::LogsEnded { .. }),
        Duration::from_secs(15),
    )
    .await
    {
        EngineEvent::LogsEnded { result, .. } => {
            let err = result.expect_err("a killed connection is an error");
            assert!(err.is_connection(), "{err}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_app_on_an_ssh_context_lists_and_execs() {
    let _g = sessions().read().await;
    let Some((local, _, host)) = both().await else {
        return;
    };
    let config = tempfile::tempdir().expect("config");
    let meta = config
        .path()
        .join("contexts/meta")
        .join(endpoint::context_dir_name("far"));
    std::fs::create_dir_all(&meta).expect("meta dir");
    std::fs::write(
        meta.join("meta.json"),
        format!(r#"{{"Name":"far","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
    )
    .expect("meta.json");
    let mut guard = Cleanup::new();
    let name = guard.container(engine::unique("dh-ssh-app"));
    start_container(&local, "dh-busybox:1", &name, &["sleep", "300"]).await;
    // --context beats DOCKER_HOST, like the CLI: the unix socket named there does not exist.
    let term = common::tmux::Spawn::dockhand()
        .args(["--context", "far"])
        .env("DOCKER_CONFIG", config.path())
        .env("XDG_CONFIG_HOME", config.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .size(200, 40)
        .start()
        .expect("tmux");
    let t = Duration::from_secs(30);
    let first = term.wait_for("dh-busybox", t).expect("images over ssh");
    assert!(
        first.contains(&host),
        "the status bar names the ssh endpoint:\n{first}"
    );
    term.send_keys(&["7"]).expect("keys");
    term.wait_for("7 Containers (", t).expect("containers pane");
    term.send_keys(&["/"]).expect("keys");
    term.send_literal(&name).expect("type");
    term.send_keys(&["Enter"]).expect("keys");
    term.wait_for("7 Containers (1 ·", t).expect("filtered");
    term.send_keys(&["e"]).expect("keys");
    term.wait_for("exit the shell to return", t)
        .expect("exec banner");
    term.wait_for("/ #", t).expect("a shell prompt over ssh");
    term.send_literal("echo marker-$((6*7)); tty")
        .expect("type");
    term.send_keys(&["Enter"]).expect("keys");
    term.wait_until(t, |s| s.contains("marker-42") && s.contains("/dev/pts/"))
        .unwrap_or_else(|s| panic!("no TTY exec over ssh:\n{s}"));
    term.send_literal("exit").expect("type");
    term.send_keys(&["Enter"]).expect("keys");
    term.wait_for(&format!("exec in {name} exited with code 0"), t)
        .expect("back in the TUI");
    let _ = term.send_keys(&["q"]);
}

/// Runs one job on `handle` and returns its progress and outcome.
async fn job(
    handle: &eng::EngineHandle,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    command: Command,
) -> (
    Vec<eng::Progress>,
    Result<eng::JobOutcome, eng::EngineError>,
) {
    handle.send(command);
    let id = match expect_event(
        rx,
        "the job to start",
        |ev| matches!(ev, EngineEvent::JobStarted { .. }),
        WAIT,
    )
    .await
    {
        EngineEvent::JobStarted { id, .. } => id,
        other => panic!("{other:?}"),
    };
    let mut progress = Vec::new();
    loop {
        match expect_event(rx, "the job's progress and end", |ev| {
            matches!(ev, EngineEvent::JobProgress { id: j, .. } | EngineEvent::JobFinished { id: j, .. } if *j == id)
        }, WAIT)
        .await
        {
            EngineEvent::JobProgress { progress: p, .. } => progress.push(p),
            EngineEvent::JobFinished { result, .. } => return (progress, result),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn pushes_and_pulls_with_progress_over_ssh() {
    let _g = sessions().read().await;
    let Some((local, _, host)) = both().await else {
        return;
    };
    let reg = registry_support::Registry::start(registry_support::AuthMode::Open);
    let mut guard = Cleanup::new();
    let reference = guard.image(format!("{}/{}:1", reg.addr, engine::unique("dh-ssh-pull")));
    let id = support::fixture_with_blob(&local, &reference, 1_000_000, &engine::unique("s")).await;
    let (sink, mut rx) = collector();
    let handle = eng::spawn(Ok(vec![ssh_endpoint(&host)]), sink);
    expect_event(
        &mut rx,
        "connected",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    let (_, pushed) = job(
        &handle,
        &mut rx,
        Command::Push {
            reference: reference.clone(),
        },
    )
    .await;
    pushed.expect("push over ssh");
    engine::remove_image_quiet(&local, &reference).await;
    assert!(
        local.inspect_image(&reference).await.is_err(),
        "removed before the pull"
    );
    let (progress, pulled) = job(
        &handle,
        &mut rx,
        Command::Pull {
            reference: reference.clone(),
            platform: None,
        },
    )
    .await;
    pulled.expect("pull over ssh");
    // The base layers are on the engine already; the blob's layer is downloaded with bytes.
    let downloading = progress.iter().any(|p| {
        matches!(p, eng::Progress::Layer { phase, total, .. }
            if phase == "Downloading" && *total > 1_000_000)
    });
    let complete = progress.iter().any(|p| {
        matches!(p, eng::Progress::Layer { phase, current, total, .. }
            if phase == "Pull complete" && *total > 1_000_000 && current == total)
    });
    assert!(
        downloading && complete,
        "per-layer progress over ssh: {progress:?}"
    );
    let back = local.inspect_image(&reference).await.expect("pulled").id;
    assert_eq!(back.as_deref(), Some(id.as_str()));
}
