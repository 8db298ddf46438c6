//! Several engines and Docker contexts, against the REAL private engines tests/run.sh starts (two
//! dockerds, DOCKER_HOST and DOCKHAND_ENGINE2_HOST): contexts listed as `docker context ls` lists
//! them, `dockhand analyze` and the app resolving the same context-only engine, an image copied
//! between the two engines with no registry, and a hanging host that blocks nobody.
//!
//! Without DOCKHAND_ENGINE2_HOST the tests return early unless `DOCKHAND_REQUIRE_ENGINE=1`.

mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bollard::Docker;
use common::engine::{self, Cleanup};
use common::tmux::Spawn;
use dockhand::engine::contexts;
use dockhand::engine::endpoint::{self, Endpoint, ResolveInput};
use dockhand::engine::set::{EngineId, EngineSet, EngineState, SetEvent, SetSink};
use dockhand::engine::{EngineEvent, JobKind, Progress};
use futures::StreamExt;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(60);

fn engine2_host() -> Option<String> {
    let host = std::env::var("DOCKHAND_ENGINE2_HOST")
        .ok()
        .filter(|h| !h.is_empty());
    if host.is_none() && engine::engine_required() {
        panic!("DOCKHAND_REQUIRE_ENGINE=1 but DOCKHAND_ENGINE2_HOST is unset (run tests/run.sh)");
    }
    host
}

fn docker_cli(config: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("docker")
        .args(args)
        .env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .expect("run docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A self-signed key and certificate (also used as the CA) in `dir`.
fn tls_files(dir: &Path) {
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=dockhand-test"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    std::fs::copy(dir.join("cert.pem"), dir.join("ca.pem")).expect("ca");
}

fn input_for(config: &Path) -> ResolveInput {
    ResolveInput {
        config_dir: Some(config.to_path_buf()),
        ..Default::default()
    }
}

#[test]
fn contexts_are_listed_like_docker_context_ls() {
    let Some(_) = engine2_host() else {
        return;
    };
    let config = tempfile::tempdir().expect("config");
    let c = config.path();
    let local = engine::docker_host().expect("DOCKER_HOST");
    let tls = tempfile::tempdir().expect("tls");
    tls_files(tls.path());
    let t = |f: &str| tls.path().join(f).display().to_string();
    let tls_spec = format!(
        "host=tcp://127.0.0.1:2376,ca={},cert={},key={}",
        t("ca.pem"),
        t("cert.pem"),
        t("key.pem")
    );
    let ssh = std::env::var("DOCKHAND_SSH_HOST").unwrap_or("ssh://me@far.example:2222".into());
    let local_spec = format!("host={local}");
    let ssh_spec = format!("host={ssh}");
    docker_cli(
        c,
        &[
            "context",
            "create",
            "local",
            "--description",
            "the private engine",
            "--docker",
            &local_spec,
        ],
    );
    docker_cli(c, &["context", "create", "secure", "--docker", &tls_spec]);
    docker_cli(c, &["context", "create", "far", "--docker", &ssh_spec]);
    std::fs::write(c.join("config.json"), r#"{"currentContext":"far"}"#).expect("config.json");

    let oracle: Vec<(String, bool, String, String)> =
        docker_cli(c, &["context", "ls", "--format", "{{json .}}"])
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("json line");
                let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                (
                    s("Name"),
                    v["Current"].as_bool().unwrap_or(false),
                    s("Description"),
                    s("DockerEndpoint"),
                )
            })
            .collect();
    let ours: Vec<(String, bool, String, String)> = contexts::list(&input_for(c))
        .into_iter()
        .map(|x| (x.name, x.current, x.description, x.docker_endpoint))
        .collect();
    assert_eq!(ours, oracle);
    assert_eq!(oracle.len(), 4, "{oracle:?}");

    // TLS material stored by the CLI is found; a context without a docker endpoint is listed
    // with the CLI's own reason, the others as before.
    let listed = contexts::list(&input_for(c));
    let secure = listed.iter().find(|x| x.name == "secure").expect("secure");
    let files = secure.tls.as_ref().expect("tls files");
    assert!(files.ca.is_file() && files.cert.is_file() && files.key.is_file());
    let broken = c
        .join("contexts/meta")
        .join(endpoint::context_dir_name("broken"));
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(
        broken.join("meta.json"),
        r#"{"Name":"broken","Metadata":{},"Endpoints":{}}"#,
    )
    .expect("meta");
    let listed = contexts::list(&input_for(c));
    assert_eq!(listed.len(), 5);
    let broken = listed.iter().find(|x| x.name == "broken").expect("broken");
    assert_eq!(
        broken.error.as_deref(),
        Some("cannot find docker endpoint in context")
    );
    assert!(
        listed
            .iter()
            .find(|x| x.name == "far")
            .is_some_and(|x| x.current)
    );
    let chosen = endpoint::resolve(&input_for(c)).expect("resolve");
    assert_eq!(chosen[0].host, ssh);
}

/// Writes a context called `name` for `host` the way the CLI does.
fn context(config: &Path, name: &str, host: &str) {
    docker_cli(
        config,
        &[
            "context",
            "create",
            name,
            "--docker",
            &format!("host={host}"),
        ],
    );
}

#[tokio::test]
async fn analyze_and_the_app_resolve_the_same_context_engine() {
    let Some(second) = engine2_host() else {
        return;
    };
    let far = engine::connect(&second).await.expect("second engine");
    let tag = format!("{}:1", engine::unique("dh-ctx-only"));
    // Built FROM scratch on the second engine only: finding it proves which engine answered.
    support::fixture(&far, &tag, "").await;
    let config = tempfile::tempdir().expect("config");
    context(config.path(), "second", &second);
    std::fs::write(
        config.path().join("config.json"),
        r#"{"currentContext":"second"}"#,
    )
    .expect("config.json");

    let analyze = |extra: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dockhand"));
        cmd.args(extra)
            .args(["analyze", &tag])
            .env("DOCKER_CONFIG", config.path());
        cmd.env_remove("DOCKER_HOST").env_remove("DOCKER_CONTEXT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("dockhand analyze")
    };
    for (how, out) in [
        ("currentContext", analyze(&[], &[])),
        (
            "DOCKER_CONTEXT",
            analyze(
                &[],
                &[
                    ("DOCKER_CONFIG", "/nonexistent"),
                    ("DOCKER_CONTEXT", "second"),
                ],
            ),
        ),
        (
            "--context over DOCKER_HOST",
            analyze(
                &["--context", "second"],
                &[("DOCKER_HOST", "unix:///nonexistent.sock")],
            ),
        ),
    ] {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if how == "DOCKER_CONTEXT" {
            // That config dir has no such context: refused, never a guess at another engine.
            assert!(!out.status.success(), "{how}: {stdout}");
            assert!(stderr.contains("context \"second\""), "{how}: {stderr}");
            continue;
        }
        assert!(out.status.success(), "{how}: {stderr}");
        assert!(
            stdout.contains(&format!("Image: docker://{tag}")),
            "{how}: {stdout}"
        );
    }
    // The app resolves through the same function: the same single endpoint.
    let resolved = endpoint::resolve(&input_for(config.path())).expect("resolve");
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].host, second);
    let repo = tag.split(':').next().unwrap_or(&tag);
    let term = Spawn::dockhand()
        .env("DOCKER_CONFIG", config.path())
        .env("XDG_CONFIG_HOME", config.path())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .size(200, 30)
        .start()
        .expect("tmux");
    let shown = term.wait_for(repo, Duration::from_secs(20));
    let _ = term.send_keys(&["q"]);
    shown.unwrap_or_else(|e| panic!("the app on the context's engine: {e}"));
    engine::remove_image_quiet(&far, &tag).await;
}

fn set_collector() -> (SetSink, mpsc::UnboundedReceiver<SetEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Arc::new(move |ev| drop(tx.send(ev))), rx)
}

async fn wait_set(
    rx: &mut mpsc::UnboundedReceiver<SetEvent>,
    what: &str,
    timeout: Duration,
    pred: impl Fn(&SetEvent) -> bool,
) -> SetEvent {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) if pred(&ev) => return ev,
            Ok(Some(_)) => {}
            Ok(None) => panic!("set closed waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

fn connected(ev: &SetEvent, which: EngineId) -> bool {
    matches!(ev, SetEvent::State { id, state: EngineState::Connected { images: Some(_), .. } } if *id == which)
}

fn ep(host: &str) -> Vec<Endpoint> {
    vec![Endpoint {
        source: "test".into(),
        host: host.to_string(),
        tls: None,
    }]
}

/// This process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM")
        * 1024
}

/// Bytes of `docker save` of `image` on `docker`.
async fn export_len(docker: &Docker, image: &str) -> u64 {
    let mut n = 0;
    let mut s = docker.export_images(&[image]);
    while let Some(chunk) = s.next().await {
        n += chunk.expect("export").len() as u64;
    }
    n
}

#[tokio::test]
async fn copies_an_image_between_two_engines() {
    let Some(second) = engine2_host() else {
        return;
    };
    let Some(local) = engine::docker().await else {
        return;
    };
    let far = engine::connect(&second).await.expect("second engine");
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-copy")));
    // Larger than the memory the copy may take: buffering it whole would show in the peak.
    let blob: u64 = 48_000_000;
    let id = support::fixture_with_blob(&local, &tag, blob, &engine::unique("s")).await;
    let (sink, mut rx) = set_collector();
    let mut set = EngineSet::new(sink);
    let a = set.add("first", ep(&engine::docker_host().expect("DOCKER_HOST")));
    let b = set.add("second", ep(&second));
    for which in [a, b] {
        wait_set(&mut rx, "both engines listed", WAIT, |ev| {
            connected(ev, which)
        })
        .await;
    }
    set.find_image(&id, Some(a));
    match wait_set(&mut rx, "who has it", WAIT, |ev| {
        matches!(ev, SetEvent::ImageOn { .. })
    })
    .await
    {
        SetEvent::ImageOn {
            engines, errors, ..
        } => {
            assert!(
                engines.is_empty() && errors.is_empty(),
                "{engines:?} {errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }

    let peak_before = peak_rss();
    let job = set.copy_image(a, b, &tag).expect("copy starts");
    let mut last = None;
    let result = loop {
        match wait_set(&mut rx, "the copy", WAIT, |ev| {
            matches!(ev, SetEvent::Engine { .. })
        })
        .await
        {
            SetEvent::Engine {
                id,
                event: EngineEvent::JobStarted { id: j, kind },
            } if j == job => {
                assert_eq!(id, b);
                assert!(matches!(kind, JobKind::Copy { .. }), "{kind:?}");
            }
            SetEvent::Engine {
                event:
                    EngineEvent::JobProgress {
                        id: j,
                        progress: Progress::Bytes { done, total },
                    },
                ..
            } if j == job => last = Some((done, total)),
            SetEvent::Engine {
                event: EngineEvent::JobFinished { id: j, result },
                ..
            } if j == job => break result,
            _ => {}
        }
    };
    let summary = result.expect("copy succeeds");
    let grown = peak_rss().saturating_sub(peak_before);
    eprintln!(
        "copy of {blob} bytes: peak RSS {peak_before} -> {} bytes",
        peak_rss()
    );
    assert!(
        grown < blob / 2,
        "peak RSS grew by {grown} bytes copying {blob}"
    );
    let copied = far.inspect_image(&tag).await.expect("on the target").id;
    assert_eq!(copied.as_deref(), Some(id.as_str()));
    // The bytes reported are the bytes of the export, to the byte.
    let (done, total) = last.expect("byte progress");
    assert_eq!(done, total);
    assert_eq!(done, export_len(&local, &tag).await, "{summary:?}");

    set.find_image(&id, Some(a));
    match wait_set(&mut rx, "who has it now", WAIT, |ev| {
        matches!(ev, SetEvent::ImageOn { .. })
    })
    .await
    {
        SetEvent::ImageOn { engines, .. } => assert_eq!(engines, vec![b]),
        other => panic!("{other:?}"),
    }
    engine::remove_image_quiet(&far, &tag).await;

    // A cancelled copy ends once, as cancelled.
    let job = set.copy_image(a, b, &tag).expect("copy starts");
    set.cancel(b, job);
    let finished = |ev: &SetEvent| matches!(ev, SetEvent::Engine { event: EngineEvent::JobFinished { id, .. }, .. } if *id == job);
    match wait_set(&mut rx, "the cancelled copy", WAIT, finished).await {
        SetEvent::Engine {
            event: EngineEvent::JobFinished { result, .. },
            ..
        } => {
            assert!(
                matches!(result, Err(dockhand::engine::EngineError::Cancelled)),
                "{result:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let again = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(ev) = rx.recv().await {
            if finished(&ev) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        !matches!(again, Ok(true)),
        "the cancelled copy finished twice"
    );
    engine::remove_image_quiet(&far, &tag).await;
}

#[tokio::test]
async fn a_hanging_host_never_blocks_the_others() {
    let Some(_) = engine2_host() else {
        return;
    };
    // Accepts connections and never says a word: ssh waits for a banner, HTTP for an answer.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let held = tokio::spawn(async move {
        let mut conns = Vec::new();
        while let Ok((c, _)) = silent.accept().await {
            conns.push(c);
        }
    });
    let refusing = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed_port = refusing.local_addr().expect("addr").port();
    drop(refusing);

    let (sink, mut rx) = set_collector();
    let mut set = EngineSet::new(sink);
    let hanging = set.add("hanging", ep(&format!("ssh://root@127.0.0.1:{port}")));
    let refused = set.add(
        "refused",
        ep(&format!("ssh://root@127.0.0.1:{closed_port}")),
    );
    let good = set.add("good", ep(&engine::docker_host().expect("DOCKER_HOST")));
    assert_eq!(set.active(), Some(hanging));
    let started = tokio::time::Instant::now();
    wait_set(
        &mut rx,
        "the good engine listed",
        Duration::from_secs(10),
        |ev| connected(ev, good),
    )
    .await;
    match wait_set(&mut rx, "the refused one failed", Duration::from_secs(10), |ev| {
        matches!(ev, SetEvent::State { id, state: EngineState::Failed { .. } } if *id == refused)
    })
    .await
    {
        SetEvent::State { state: EngineState::Failed { error, .. }, .. } => {
            assert!(error.contains("Connection refused"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(set.state(hanging), Some(EngineState::Connecting));
    assert!(started.elapsed() < Duration::from_secs(10));
    // Switching is instant and the good engine answers at once.
    assert!(set.select(good));
    assert!(set.send_active(dockhand::engine::Command::Refresh));
    wait_set(&mut rx, "a listing of the selected engine", Duration::from_secs(5), |ev| {
        matches!(ev, SetEvent::Engine { id, event: EngineEvent::Inventory(Ok(_)) } if *id == good)
    })
    .await;
    let states = set.engines();
    assert_eq!(states.len(), 3);
    held.abort();
}
