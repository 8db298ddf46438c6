//! Containers against the REAL engine (DOCKER_HOST): run with every dialog field and compare the
//! engine's inspect, lifecycle operations, prune with its preview, log streaming with escape
//! sequences sanitised in the rendered buffer, and stats. Containers use `--network none`; port
//! bindings are checked through inspect only, never by sending traffic.
mod common;

use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptionsBuilder, InspectContainerOptions};
use common::engine::{self, Cleanup};
use dockhand::engine::ContainerState;
use dockhand::engine::container_run::{self, RunSpec, parse_port};
use dockhand::engine::container_streams::{self, LogLine};
use dockhand::engine::containers::{self, ContainerOp};
use dockhand::engine::{EngineError, images};
use dockhand::state::containers::ContainersPane;

async fn fixture(guard: &mut Cleanup, docker: &Docker) -> String {
    let tag = guard.image(format!("{}:1", engine::unique("dh-ctr")));
    engine::busybox_image(docker, &tag).await;
    tag
}

fn spec(image: &str, name: &str, cmd: &[&str]) -> RunSpec {
    RunSpec {
        image: image.into(),
        name: name.into(),
        cmd: cmd.iter().map(|s| s.to_string()).collect(),
        network: "none".into(),
        restart: "no".into(),
        ..Default::default()
    }
}

async fn state_of(docker: &Docker, id: &str) -> (String, i64) {
    let c = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .unwrap();
    let st = c.state.unwrap();
    (
        st.status.map(|s| s.to_string()).unwrap_or_default(),
        st.exit_code.unwrap_or(-1),
    )
}

async fn wait_state(docker: &Docker, id: &str, want: &str) -> (String, i64) {
    for _ in 0..100 {
        let s = state_of(docker, id).await;
        if s.0 == want {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{id} never reached {want}: {:?}",
        state_of(docker, id).await
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[tokio::test]
async fn run_with_every_field_matches_inspect() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-run-all"));
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2) = (free_port(), free_port());
    let mut s = spec(&image, &name, &["-c", "sleep 300"]);
    s.entrypoint = Some(vec!["/bin/sh".into()]);
    s.env = vec!["A=1".into(), "B=two words".into()];
    s.ports = vec![
        parse_port(&format!("127.0.0.1:{p1}:80/tcp")).unwrap(),
        parse_port(&format!("127.0.0.1:{p2}:53/udp")).unwrap(),
    ];
    s.binds = vec![format!("{}:/data:ro", dir.path().display())];
    s.restart = "on-failure:2".into();
    s.tty = true;
    let (id, got_name) = container_run::run(&docker, &s).await.unwrap();
    assert_eq!(got_name, name);
    let raw = docker
        .inspect_container(&id, None::<InspectContainerOptions>)
        .await
        .unwrap();
    let config = raw.config.clone().unwrap();
    let host = raw.host_config.clone().unwrap();
    assert_eq!(raw.name.as_deref(), Some(format!("/{name}").as_str()));
    assert_eq!(config.entrypoint.unwrap(), vec!["/bin/sh"]);
    assert_eq!(config.cmd.unwrap(), vec!["-c", "sleep 300"]);
    let env = config.env.unwrap();
    assert!(env.contains(&"A=1".to_string()) && env.contains(&"B=two words".to_string()));
    assert_eq!(config.tty, Some(true));
    assert_eq!(host.network_mode.as_deref(), Some("none"));
    assert_eq!(
        host.binds.unwrap(),
        vec![format!("{}:/data:ro", dir.path().display())]
    );
    let policy = host.restart_policy.unwrap();
    assert_eq!(policy.name.unwrap().to_string(), "on-failure");
    assert_eq!(policy.maximum_retry_count, Some(2));
    let bindings = host.port_bindings.unwrap();
    let tcp = bindings["80/tcp"].as_ref().unwrap();
    assert_eq!(tcp[0].host_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(tcp[0].host_port, Some(p1.to_string()));
    let udp = bindings["53/udp"].as_ref().unwrap();
    assert_eq!(udp[0].host_port, Some(p2.to_string()));
    assert_eq!(wait_state(&docker, &id, "running").await.0, "running");

    // dockhand's own inspect view model reads the same facts.
    let d = containers::inspect(&docker, &id).await.unwrap();
    assert_eq!(d.name, name);
    assert_eq!(d.restart_policy, "on-failure:2");
    assert!(d.port_bindings.contains(&format!("127.0.0.1:{p1}->80/tcp")));
    assert!(
        d.mounts
            .iter()
            .any(|m| m.contains("/data") && m.ends_with("(ro)"))
    );
    assert!(d.state.starts_with("running (pid "));
    assert!(d.tty);

    // The listing carries command, created and the new fields.
    let inv = images::inventory(&docker).await.unwrap();
    let c = inv.containers.iter().find(|c| c.id == id).unwrap();
    assert_eq!(c.state, ContainerState::Running);
    assert!(c.command.contains("sleep 300"));
    assert!(c.created > 0);
    assert_eq!(c.exit_code, None);
}

#[tokio::test]
async fn rm_removes_the_container_when_it_exits_and_bad_specs_are_refused() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-run-rm"));
    let mut s = spec(&image, &name, &["true"]);
    s.auto_remove = true;
    let (id, _) = container_run::run(&docker, &s).await.unwrap();
    let mut gone = false;
    for _ in 0..100 {
        if docker
            .inspect_container(&id, None::<InspectContainerOptions>)
            .await
            .is_err()
        {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "--rm container still exists");
    // An unknown network is refused by the engine too (the dialog refuses it earlier).
    let mut s = spec(
        &image,
        &guard.container(engine::unique("dh-run-bad")),
        &["true"],
    );
    s.network = engine::unique("no-such-net");
    let err = container_run::run(&docker, &s).await.unwrap_err();
    assert!(matches!(err, EngineError::Api { .. }), "{err:?}");
    let names = containers::networks(&docker).await.unwrap();
    assert!(names.contains(&"none".to_string()));
}

#[tokio::test]
async fn lifecycle_pause_stop_start_restart_kill_rename_remove() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-life"));
    let (id, _) = container_run::run(&docker, &spec(&image, &name, &["sleep", "300"]))
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;

    containers::apply(&docker, &id, &ContainerOp::Pause)
        .await
        .unwrap();
    wait_state(&docker, &id, "paused").await;
    let inv = images::inventory(&docker).await.unwrap();
    assert_eq!(
        inv.containers.iter().find(|c| c.id == id).unwrap().state,
        ContainerState::Paused
    );
    containers::apply(&docker, &id, &ContainerOp::Unpause)
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;

    // PID 1 `sleep` ignores SIGTERM: a graceful stop waits the timeout, then kills (137).
    let started = std::time::Instant::now();
    containers::apply(&docker, &id, &ContainerOp::Stop { timeout: 1 })
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(wait_state(&docker, &id, "exited").await.1, 137);
    let inv = images::inventory(&docker).await.unwrap();
    let c = inv.containers.iter().find(|c| c.id == id).unwrap();
    assert_eq!((c.state.as_str(), c.exit_code), ("exited", Some(137)));

    containers::apply(&docker, &id, &ContainerOp::Start)
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;
    containers::apply(&docker, &id, &ContainerOp::Restart { timeout: 1 })
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;

    containers::apply(
        &docker,
        &id,
        &ContainerOp::Kill {
            signal: "SIGKILL".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(wait_state(&docker, &id, "exited").await.1, 137);

    let new_name = guard.container(engine::unique("dh-life-renamed"));
    containers::apply(
        &docker,
        &id,
        &ContainerOp::Rename {
            name: new_name.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        containers::inspect(&docker, &id).await.unwrap().name,
        new_name
    );

    // Remove: a running container needs force.
    containers::apply(&docker, &id, &ContainerOp::Start)
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;
    let err = containers::apply(&docker, &id, &ContainerOp::Remove { force: false })
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(&id),
        "error names the target: {err}"
    );
    containers::apply(&docker, &id, &ContainerOp::Remove { force: true })
        .await
        .unwrap();
    assert!(
        docker
            .inspect_container(&id, None::<InspectContainerOptions>)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn kill_sends_the_chosen_signal() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-sig"));
    let script = "trap 'exit 7' HUP; echo ready; while :; do sleep 0.1; done";
    let (id, _) = container_run::run(&docker, &spec(&image, &name, &["sh", "-c", script]))
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    containers::apply(
        &docker,
        &id,
        &ContainerOp::Kill {
            signal: "SIGHUP".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(wait_state(&docker, &id, "exited").await.1, 7);
}

#[tokio::test]
async fn prune_preview_lists_the_stopped_containers_and_prune_reclaims() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let label = engine::unique("dh-prune");
    let mut ids = Vec::new();
    for (i, cmd) in [
        ["sh", "-c", "echo x > /big; exit 0"],
        ["sh", "-c", "sleep 300"],
        ["sh", "-c", "exit 2"],
    ]
    .iter()
    .enumerate()
    {
        let name = guard.container(format!("{label}-{i}"));
        let body = ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            labels: Some([(label.clone(), "1".to_string())].into_iter().collect()),
            host_config: Some(HostConfig {
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let opts = CreateContainerOptionsBuilder::default().name(&name).build();
        let id = docker.create_container(Some(opts), body).await.unwrap().id;
        docker.start_container(&id, None).await.unwrap();
        ids.push(id);
    }
    wait_state(&docker, &ids[0], "exited").await;
    wait_state(&docker, &ids[2], "exited").await;
    wait_state(&docker, &ids[1], "running").await;

    // The preview (what the dialog lists) is the stopped containers, never the running one.
    let inv = images::inventory(&docker).await.unwrap();
    let mut pane = ContainersPane::default();
    pane.set_rows(inv.containers);
    let preview: Vec<String> = pane.stopped().iter().map(|c| c.id.clone()).collect();
    assert!(preview.contains(&ids[0]) && preview.contains(&ids[2]));
    assert!(!preview.contains(&ids[1]));

    // Prune only this test's containers (the engine is shared): same engine call, label filter.
    let report = containers::prune(&docker, Some(&label)).await.unwrap();
    let deleted: Vec<&String> = report.deleted.iter().collect();
    assert_eq!(deleted.len(), 2, "{deleted:?}");
    assert!(deleted.iter().any(|d| d.contains(&ids[0])));
    assert!(deleted.iter().any(|d| d.contains(&ids[2])));
    assert!(
        report.reclaimed > 0,
        "the written file counts as reclaimed space"
    );
    assert_eq!(wait_state(&docker, &ids[1], "running").await.0, "running");
}

#[tokio::test]
async fn logs_stream_with_timestamps_and_render_sanitised() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-logs"));
    let script = r"printf 'hello \033[31mred\033[0m \033]0;pwned\007 \033[2J done\n'; printf 'to stderr\n' >&2; sleep 1; printf 'last\n'";
    let (id, _) = container_run::run(&docker, &spec(&image, &name, &["sh", "-c", script]))
        .await
        .unwrap();
    let lines = std::sync::Mutex::new(Vec::<LogLine>::new());
    tokio::time::timeout(
        Duration::from_secs(20),
        container_streams::follow_logs(&docker, &id, |batch| lines.lock().unwrap().extend(batch)),
    )
    .await
    .expect("the log ends when the container exits")
    .unwrap();
    let lines = lines.into_inner().unwrap();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l.timestamp.len() >= 20));
    assert!(
        lines
            .iter()
            .any(|l| l.text.starts_with("hello") && l.text.contains('\x1b')),
        "raw from the engine: {lines:?}"
    );
    assert!(lines.iter().any(|l| l.stderr && l.text == "to stderr"));

    // Rendered through the real pane: no escape byte reaches the buffer.
    let mut state = dockhand::state::AppState::default();
    let keymap = dockhand::config::keymap::Keymap::defaults();
    state.on_action(
        &keymap,
        dockhand::action::Action::App(dockhand::action::AppAction::FocusContainers),
    );
    state.panes.containers.logs =
        Some(dockhand::state::containers::logs::LogsView::new(&id, &name));
    state.on_engine(
        &keymap,
        dockhand::engine::EngineEvent::Logs {
            id: id.clone(),
            lines,
        },
    );
    let theme = dockhand::config::theme::Theme::default_theme();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 12)).unwrap();
    term.draw(|f| {
        dockhand::ui::draw(
            f,
            &state,
            &dockhand::ui::Ctx {
                theme: &theme,
                keymap: &keymap,
            },
        );
    })
    .unwrap();
    let buf = term.backend().buffer();
    let text: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(!text.contains('\x1b') && !text.contains('\x07'));
    assert!(!text.contains("pwned"));
    assert!(text.contains("hello red   done"), "{text}");
    assert!(text.contains("last"));
}

#[tokio::test]
async fn stats_stream_reports_memory_and_cpu() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-stats"));
    let (id, _) = container_run::run(
        &docker,
        &spec(&image, &name, &["sh", "-c", "while :; do :; done"]),
    )
    .await
    .unwrap();
    let samples = std::sync::Mutex::new(Vec::new());
    let _ = tokio::time::timeout(
        Duration::from_secs(4),
        container_streams::stream_stats(&docker, &id, |s| samples.lock().unwrap().push(s)),
    )
    .await;
    let samples = samples.into_inner().unwrap();
    assert!(samples.len() >= 2, "{samples:?}");
    let last = samples.last().unwrap();
    assert!(last.mem_used > 0 && last.mem_limit >= last.mem_used);
    assert!(last.cpu_percent > 10.0, "a busy loop uses CPU: {last:?}");
}

/// The STATUS dockhand derives from a container's times reads as the engine's own text (what
/// `docker ps` prints) for created, running, paused and exited containers. The engine words it
/// at listing time and dockhand a moment later, so a pair straddling a second is listed again.
/// Times are whole seconds here and sub-second in the engine, hence the one-second allowance.
async fn assert_status_as_the_engine_words_it(docker: &Docker, id: &str, want: &str) {
    let mut last = (String::new(), String::new());
    for _ in 0..5 {
        let before = dockhand::util::time::now_unix();
        let inv = images::inventory(docker).await.unwrap();
        let c = inv.containers.iter().find(|c| c.id == id).unwrap();
        assert!(c.times.is_some(), "{id} was inspected");
        // Whole-second times: truncating both the event's and the clock's fractions can put
        // the derived age one second ahead of the engine's (10.9 s → 12.1 s reads 2 s, the
        // engine says 1 s); one second back is the same instant at the engine's precision.
        let ours = dockhand::state::containers::status_at(c, before);
        let ours = if ours == c.status {
            ours
        } else {
            dockhand::state::containers::status_at(c, before - 1)
        };
        if ours == c.status {
            assert!(ours.starts_with(want), "{ours:?} starts with {want:?}");
            return;
        }
        last = (ours, c.status.clone());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("derived {:?}, engine said {:?}", last.0, last.1);
}

#[tokio::test]
async fn status_derived_from_times_reads_as_the_engine_words_it() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let image = fixture(&mut guard, &docker).await;
    let name = guard.container(engine::unique("dh-status"));
    let mut created = spec(&image, &name, &["sleep", "300"]);
    created.create_only = true;
    let (id, _) = container_run::run(&docker, &created).await.unwrap();
    assert_status_as_the_engine_words_it(&docker, &id, "Created").await;
    containers::apply(&docker, &id, &ContainerOp::Start)
        .await
        .unwrap();
    wait_state(&docker, &id, "running").await;
    assert_status_as_the_engine_words_it(&docker, &id, "Up ").await;
    containers::apply(&docker, &id, &ContainerOp::Pause)
        .await
        .unwrap();
    wait_state(&docker, &id, "paused").await;
    assert_status_as_the_engine_words_it(&docker, &id, "Up ").await;
    containers::apply(&docker, &id, &ContainerOp::Unpause)
        .await
        .unwrap();
    containers::apply(
        &docker,
        &id,
        &ContainerOp::Kill {
            signal: "SIGKILL".into(),
        },
    )
    .await
    .unwrap();
    wait_state(&docker, &id, "exited").await;
    assert_status_as_the_engine_words_it(&docker, &id, "Exited (137) ").await;
}
