//! Tests of the test harness itself (tests/common): the engine fixtures against
//! the real engine at DOCKER_HOST, and the tmux driver against a real shell.

mod common;

use std::time::Duration;

use common::engine::{self, Cleanup};
use common::tmux::{Spawn, Tmux};

#[test]
fn unique_names_differ_and_are_lowercase() {
    let a = engine::unique("Dh-X");
    let b = engine::unique("Dh-X");
    assert_ne!(a, b);
    assert!(a.starts_with("dh-x-"), "{a}");
    assert_eq!(a, a.to_ascii_lowercase());
}

#[test]
fn static_elf_detection() {
    let busybox = engine::busybox_path().expect("static busybox (busybox-static)");
    let bytes = std::fs::read(&busybox).expect("read busybox");
    assert!(engine::elf_is_static(&bytes));
    // This test binary is a normal dynamically linked Rust executable.
    let me = std::fs::read(std::env::current_exe().expect("current exe")).expect("read self");
    assert!(!engine::elf_is_static(&me));
    assert!(!engine::elf_is_static(b"#!/bin/sh\necho hi\n"));
}

#[test]
fn tar_context_round_trips() {
    let tar = engine::tar_context(&[
        engine::ContextFile::new("Dockerfile", "FROM scratch\n", 0o644),
        engine::ContextFile::new("dir/run.sh", "#!/bin/sh\n", 0o755),
    ]);
    let mut archive = tar::Archive::new(tar.as_slice());
    let mut seen = Vec::new();
    for entry in archive.entries().expect("entries") {
        let entry = entry.expect("entry");
        let path = entry.path().expect("path").display().to_string();
        seen.push((path, entry.header().mode().expect("mode"), entry.size()));
    }
    assert_eq!(
        seen,
        vec![
            ("Dockerfile".to_string(), 0o644, 13),
            ("dir/run.sh".to_string(), 0o755, 10)
        ]
    );
}

#[tokio::test]
async fn busybox_fixture_runs_without_network() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-smoke-bb")));
    let id = engine::busybox_image(&docker, &tag).await;
    assert!(id.starts_with("sha256:"), "{id}");

    let out = engine::run_to_completion(
        &docker,
        &tag,
        &[
            "sh",
            "-c",
            "echo hello-$((6*7)); ls /bin/ls; echo oops >&2; exit 3",
        ],
    )
    .await
    .expect("run busybox container");
    assert_eq!(out.exit_code, 3, "{out:?}");
    assert_eq!(out.stdout, "hello-42\n/bin/ls\n");
    assert_eq!(out.stderr, "oops\n");

    // --network none: only the loopback interface exists.
    let net = engine::run_to_completion(&docker, &tag, &["ls", "/sys/class/net"])
        .await
        .expect("list interfaces");
    assert_eq!(net.stdout.split_whitespace().collect::<Vec<_>>(), ["lo"]);
}

#[tokio::test]
async fn dockerfile_fixture_has_expected_layers_and_files() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let base = guard.image(format!("{}:1", engine::unique("dh-smoke-base")));
    engine::busybox_image(&docker, &base).await;
    let tag = guard.image(format!("{}:1", engine::unique("dh-smoke-multi")));
    let dockerfile = format!(
        "FROM {base}\n\
         COPY a.txt /data/a.txt\n\
         COPY b.bin /data/b.bin\n\
         RUN rm /data/a.txt && echo made > /data/c.txt\n\
         LABEL fixture=multi\n"
    );
    let id = engine::image_from_dockerfile(
        &docker,
        &tag,
        &dockerfile,
        &[("a.txt", b"alpha\n"), ("b.bin", &[0u8; 4096])],
    )
    .await;
    let inspect = docker.inspect_image(&tag).await.expect("inspect");
    assert_eq!(inspect.id.as_deref(), Some(id.as_str()));
    let layers = inspect.root_fs.and_then(|r| r.layers).unwrap_or_default();
    // busybox COPY + RUN, then COPY, COPY, RUN (LABEL adds no layer).
    assert_eq!(layers.len(), 5, "{layers:?}");
    let labels = inspect.config.and_then(|c| c.labels).unwrap_or_default();
    assert_eq!(labels.get("fixture").map(String::as_str), Some("multi"));

    let out = engine::run_to_completion(&docker, &tag, &["sh", "-c", "ls /data; cat /data/c.txt"])
        .await
        .expect("run");
    assert_eq!(out.stdout, "b.bin\nc.txt\nmade\n");
}

#[tokio::test]
async fn failing_build_reports_the_error() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let base = guard.image(format!("{}:1", engine::unique("dh-smoke-base")));
    engine::busybox_image(&docker, &base).await;
    let tag = guard.image(format!("{}:1", engine::unique("dh-smoke-fail")));
    let context = engine::tar_context(&[engine::ContextFile::new(
        "Dockerfile",
        format!("FROM {base}\nRUN echo about-to-fail && exit 7\n"),
        0o644,
    )]);
    let err = engine::try_build(&docker, &tag, context)
        .await
        .expect_err("build must fail");
    assert!(err.contains("about-to-fail"), "{err}");
    assert!(err.contains('7'), "{err}");
    assert!(docker.inspect_image(&tag).await.is_err());
}

#[tokio::test]
async fn cleanup_guard_removes_images_and_containers() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let tag = format!("{}:1", engine::unique("dh-smoke-guard"));
    let name;
    {
        let mut guard = Cleanup::new();
        guard.image(&tag);
        engine::busybox_image(&docker, &tag).await;
        name = guard.container(engine::unique("dh-smoke-ctr"));
        let options = bollard::query_parameters::CreateContainerOptionsBuilder::default()
            .name(&name)
            .build();
        let body = bollard::models::ContainerCreateBody {
            image: Some(tag.clone()),
            cmd: Some(vec!["sleep".into(), "60".into()]),
            host_config: Some(bollard::models::HostConfig {
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        docker
            .create_container(Some(options), body)
            .await
            .expect("create");
        docker.start_container(&name, None).await.expect("start");
        assert!(docker.inspect_container(&name, None).await.is_ok());
    }
    assert!(
        docker.inspect_container(&name, None).await.is_err(),
        "container survived"
    );
    assert!(docker.inspect_image(&tag).await.is_err(), "image survived");
}

#[test]
fn tmux_drives_a_shell() {
    let term = Spawn::new("sh")
        .args([
            "-c",
            "echo ready:$GREETING; read x; echo got:$x; read y; exit 5",
        ])
        .env("GREETING", "hi")
        .size(60, 10)
        .start()
        .expect("start tmux");
    term.wait_for("ready:hi", Duration::from_secs(10))
        .expect("prompt");
    term.send_literal("a b'c").expect("type");
    term.send_keys(&["Enter"]).expect("enter");
    let screen = term
        .wait_for("got:a b'c", Duration::from_secs(10))
        .expect("echo");
    assert!(screen.lines().any(|l| l == "got:a b'c"), "{screen}");
    assert_eq!(term.exit_status().expect("status"), None);
    term.send_keys(&["Enter"]).expect("enter");
    assert_eq!(term.wait_exit(Duration::from_secs(10)).expect("exit"), 5);
    // The last screen stays readable after exit.
    assert!(term.capture().contains("got:a b'c"));
}

#[test]
fn tmux_size_resize_and_timeout() {
    let term = Tmux::start(
        "sh",
        &["-c", "trap 'echo winch' WINCH; while :; do sleep 0.1; done"],
        &[],
        80,
        24,
    )
    .expect("start tmux");
    assert_eq!(term.size().expect("size"), (80, 24));
    term.resize(100, 30).expect("resize");
    assert_eq!(term.size().expect("size"), (100, 30));
    let screen = term.capture();
    assert_eq!(screen.lines().count(), 30, "{screen:?}");
    let err = term
        .wait_for("never-printed", Duration::from_millis(300))
        .expect_err("must time out");
    assert!(err.contains("never-printed"), "{err}");
}

#[test]
fn tmux_server_is_killed_on_drop() {
    let socket;
    {
        let term = Spawn::new("sleep").args(["300"]).start().expect("start");
        socket = term.socket().to_string();
        let alive = std::process::Command::new("tmux")
            .args(["-L", &socket, "has-session", "-t", "dh"])
            .status()
            .expect("tmux");
        assert!(alive.success());
    }
    let alive = std::process::Command::new("tmux")
        .args(["-L", &socket, "has-session", "-t", "dh"])
        .output()
        .expect("tmux");
    assert!(!alive.status.success(), "server survived drop");
}
