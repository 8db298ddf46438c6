//! The engine actor's connection lifecycle against the REAL engine, seen through a unix-socket
//! proxy this test starts and stops: no engine at the endpoint, the engine appearing (connected
//! with backoff retries, no command needed), the engine vanishing while a job runs (disconnected,
//! the job ended, nothing left running), and recovering again; a followed log cut by the loss
//! (said, never silent) resumed after reconnecting with nothing lost or doubled; a hung engine
//! (the proxy holds every request) reported "not answering", then connected again.

mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::engine::{self as fx, Cleanup};
use dockhand::engine::{self, Command, Connection, EngineError, EngineEvent, JobKind, endpoint};
use support::{collector, expect_event, fixture, has_tag, image_id as fx_image, inventory_where};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

/// Forwards connections from `path` to the engine socket. Client → engine bytes can be held
/// back (`stall`), so that a request hangs as on an engine that stopped answering.
struct Proxy {
    tasks: JoinSet<()>,
    path: PathBuf,
}

async fn pump_to_engine(
    mut from: impl AsyncReadExt + Unpin,
    mut to: impl AsyncWriteExt + Unpin,
    stall: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        while stall.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

impl Proxy {
    fn start(path: &Path, engine_sock: &Path, stall: Arc<AtomicBool>) -> Proxy {
        let _ = std::fs::remove_file(path);
        let listener =
            UnixListener::bind(path).unwrap_or_else(|e| panic!("bind {}: {e}", path.display()));
        let mut tasks = JoinSet::new();
        let engine_sock = engine_sock.to_path_buf();
        let (conn_tx, mut conn_rx) = tokio::sync::mpsc::unbounded_channel::<UnixStream>();
        tasks.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if conn_tx.send(client).is_err() {
                    return;
                }
            }
        });
        // Connections live in the same JoinSet, so stopping the proxy cuts them all.
        let stall2 = stall.clone();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            while let Some(client) = conn_rx.recv().await {
                let Ok(upstream) = UnixStream::connect(&engine_sock).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (ur, mut uw) = upstream.into_split();
                let stall = stall2.clone();
                conns.spawn(async move {
                    let up = pump_to_engine(cr, &mut uw, stall);
                    let down = async move {
                        let (mut ur, mut cw) = (ur, cw);
                        let _ = tokio::io::copy(&mut ur, &mut cw).await;
                    };
                    tokio::select! {
                        () = up => {}
                        () = down => {}
                    }
                });
            }
        });
        Proxy {
            tasks,
            path: path.to_path_buf(),
        }
    }

    /// Stops listening, cuts every connection and removes the socket file.
    async fn stop(mut self) {
        self.tasks.shutdown().await;
        let _ = std::fs::remove_file(&self.path);
    }
}

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnected_then_connects_then_loses_and_recovers_the_engine() {
    let Some(docker) = fx::docker().await else {
        return;
    };
    let real = fx::docker_host().unwrap_or_default();
    let Some(real_sock) = real.strip_prefix("unix://").map(PathBuf::from) else {
        if fx::engine_required() {
            panic!("this test needs a unix:// DOCKER_HOST, got {real}");
        }
        eprintln!("NOTICE: skipping: DOCKER_HOST {real} is not a unix socket");
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", fx::unique("dhr-proxy")));
    let id = fixture(&docker, &tag, "").await;

    let dir = tempfile::tempdir().expect("temp dir");
    let sock = dir.path().join("engine.sock");
    let host = format!("unix://{}", sock.display());
    let (sink, mut rx) = collector();
    let handle = engine::spawn(
        Ok(vec![endpoint::Endpoint {
            source: "--host".into(),
            host: host.clone(),
            tls: None,
        }]),
        sink,
    );

    // 1. Nothing at the endpoint: Disconnected, naming the endpoint and the error.
    match expect_event(
        &mut rx,
        "Disconnected",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Disconnected { .. })),
        WAIT,
    )
    .await
    {
        EngineEvent::Connection(Connection::Disconnected { attempts, retry_in }) => {
            assert_eq!(attempts.len(), 1, "{attempts:?}");
            assert_eq!(attempts[0].endpoint, host);
            assert_eq!(attempts[0].source, "--host");
            assert!(
                attempts[0].error.contains(&sock.display().to_string()),
                "{attempts:?}"
            );
            assert!(retry_in >= Duration::from_millis(500), "{retry_in:?}");
        }
        _ => unreachable!(),
    }
    // Commands while disconnected are answered, never left hanging.
    handle.send(Command::Tag {
        source: id.clone(),
        target: format!("{tag}-never"),
    });
    match expect_event(
        &mut rx,
        "rejected job",
        |ev| matches!(ev, EngineEvent::JobFinished { .. }),
        WAIT,
    )
    .await
    {
        EngineEvent::JobFinished { result, .. } => {
            assert!(
                matches!(result, Err(EngineError::NotConnected)),
                "{result:?}"
            )
        }
        _ => unreachable!(),
    }

    // 2. The engine appears: Connected and an inventory, without any command.
    let stall = Arc::new(AtomicBool::new(false));
    let proxy = Proxy::start(&sock, &real_sock, stall.clone());
    let started = tokio::time::Instant::now();
    match expect_event(
        &mut rx,
        "Connected after the proxy started",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await
    {
        EngineEvent::Connection(Connection::Connected(info)) => assert_eq!(info.endpoint, host),
        _ => unreachable!(),
    }
    eprintln!(
        "connected {:?} after the engine appeared",
        started.elapsed()
    );
    expect_event(
        &mut rx,
        "inventory after connecting",
        |ev| inventory_where(ev, |inv| has_tag(inv, &tag)),
        WAIT,
    )
    .await;

    // 3. A job hangs (the proxy holds its request), then the engine vanishes.
    stall.store(true, Ordering::SeqCst);
    let target = guard.image(format!("{tag}-hung"));
    handle.send(Command::Tag {
        source: id.clone(),
        target: target.clone(),
    });
    let job = match expect_event(
        &mut rx,
        "JobStarted",
        |ev| {
            matches!(
                ev,
                EngineEvent::JobStarted {
                    kind: JobKind::Tag { .. },
                    ..
                }
            )
        },
        WAIT,
    )
    .await
    {
        EngineEvent::JobStarted { id, .. } => id,
        _ => unreachable!(),
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.stop().await;
    stall.store(false, Ordering::SeqCst);
    // Both must happen: the hung job ends (failed), and the connection is reported lost.
    let mut job_result = None;
    let mut lost = None;
    let deadline = tokio::time::Instant::now() + WAIT;
    while job_result.is_none() || lost.is_none() {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!("after the engine vanished: job ended {job_result:?}, lost {lost:?}")
            })
            .expect("engine task alive");
        match ev {
            EngineEvent::JobFinished { id, result } if id == job => job_result = Some(result),
            EngineEvent::Connection(Connection::Disconnected { attempts, .. }) => {
                lost = Some(attempts)
            }
            _ => {}
        }
    }
    let result = job_result.expect("job result");
    assert!(
        matches!(&result, Err(e) if e.is_connection()),
        "the hung job must fail with a connection error: {result:?}"
    );
    let attempts = lost.expect("lost");
    assert_eq!(attempts[0].endpoint, host);
    assert!(
        attempts[0].error.contains("connection lost"),
        "{attempts:?}"
    );
    assert_eq!(
        fx_image(&docker, &target).await,
        None,
        "the hung tag was applied"
    );
    // A new job is refused at once: nothing is left running against the lost engine.
    handle.send(Command::Remove {
        targets: vec![tag.clone()],
        force: false,
    });
    match expect_event(
        &mut rx,
        "rejected job after the loss",
        |ev| matches!(ev, EngineEvent::JobFinished { .. }),
        WAIT,
    )
    .await
    {
        EngineEvent::JobFinished { result, .. } => {
            assert!(
                matches!(result, Err(EngineError::NotConnected)),
                "{result:?}"
            )
        }
        _ => unreachable!(),
    }

    // 4. It comes back: connected again without any command.
    let proxy = Proxy::start(&sock, &real_sock, Arc::new(AtomicBool::new(false)));
    expect_event(
        &mut rx,
        "Connected again",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    expect_event(
        &mut rx,
        "inventory after reconnecting",
        |ev| inventory_where(ev, |inv| has_tag(inv, &tag)),
        WAIT,
    )
    .await;
    drop(handle);
    proxy.stop().await;
}

/// Connects an engine worker to the engine through a proxy at `sock`; returns the handle and its
/// events once connected.
async fn connect_through(
    sock: &Path,
    real_sock: &Path,
    stall: Arc<AtomicBool>,
) -> (
    Proxy,
    engine::EngineHandle,
    tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
) {
    let proxy = Proxy::start(sock, real_sock, stall);
    let (sink, mut rx) = collector();
    let handle = engine::spawn(
        Ok(vec![endpoint::Endpoint {
            source: "--host".into(),
            host: format!("unix://{}", sock.display()),
            tls: None,
        }]),
        sink,
    );
    expect_event(
        &mut rx,
        "Connected",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    (proxy, handle, rx)
}

fn unix_engine() -> Option<PathBuf> {
    let real = fx::docker_host().unwrap_or_default();
    match real.strip_prefix("unix://") {
        Some(p) => Some(PathBuf::from(p)),
        None if fx::engine_required() => {
            panic!("this test needs a unix:// DOCKER_HOST, got {real}")
        }
        None => {
            eprintln!("NOTICE: skipping: DOCKER_HOST {real} is not a unix socket");
            None
        }
    }
}

/// Numbers of the `line N` log lines among the events, with the last line's timestamp.
fn numbered(ev: &EngineEvent, id: &str, into: &mut Vec<u64>, last_ts: &mut String) {
    if let EngineEvent::Logs { id: from, lines } = ev
        && from == id
    {
        for l in lines {
            if let Some(n) = l
                .text
                .strip_prefix("line ")
                .and_then(|n| n.trim().parse().ok())
            {
                into.push(n);
                last_ts.clone_from(&l.timestamp);
            }
        }
    }
}

async fn collect_lines(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    id: &str,
    want: usize,
    into: &mut Vec<u64>,
    last_ts: &mut String,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let start = into.len();
    while into.len() < start + want {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} log lines of {want}", into.len() - start))
            .expect("engine task alive");
        numbered(&ev, id, into, last_ts);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_log_cut_by_the_engine_going_says_so_and_resumes_without_gaps() {
    let Some(docker) = fx::docker().await else {
        return;
    };
    let Some(real_sock) = unix_engine() else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", fx::unique("dhr-logs")));
    fixture(&docker, &tag, "").await;
    let name = guard.container(fx::unique("dhr-logs"));
    let body = bollard::models::ContainerCreateBody {
        image: Some(tag.clone()),
        cmd: Some(vec![
            "sh".into(),
            "-c".into(),
            "i=0; while true; do i=$((i+1)); echo line $i; sleep 0.1; done".into(),
        ]),
        host_config: Some(bollard::models::HostConfig {
            network_mode: Some("none".into()),
            restart_policy: Some(bollard::models::RestartPolicy {
                name: Some(bollard::models::RestartPolicyNameEnum::ALWAYS),
                maximum_retry_count: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = bollard::query_parameters::CreateContainerOptionsBuilder::default()
        .name(&name)
        .build();
    let id = docker
        .create_container(Some(options), body)
        .await
        .expect("create")
        .id;
    docker.start_container(&id, None).await.expect("start");

    let dir = tempfile::tempdir().expect("temp dir");
    let sock = dir.path().join("engine.sock");
    let (proxy, handle, mut rx) =
        connect_through(&sock, &real_sock, Arc::new(AtomicBool::new(false))).await;
    handle.send(Command::FollowLogs {
        id: Some(id.clone()),
    });
    let (mut seen, mut last_ts) = (Vec::new(), String::new());
    collect_lines(&mut rx, &id, 5, &mut seen, &mut last_ts).await;

    // The engine goes: the followed log is reported ended by the lost connection.
    proxy.stop().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let ended = loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the log's end must be reported, not left silent")
            .expect("engine task alive");
        numbered(&ev, &id, &mut seen, &mut last_ts);
        if let EngineEvent::LogsEnded { id: ended, result } = ev
            && ended == id
        {
            break result;
        }
    };
    assert!(
        matches!(&ended, Err(e) if e.is_connection()),
        "the log must end with a connection error: {ended:?}"
    );
    // Meanwhile the container goes on writing lines.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Back: resumed after the last line shown — nothing lost, nothing twice.
    let proxy = Proxy::start(&sock, &real_sock, Arc::new(AtomicBool::new(false)));
    expect_event(
        &mut rx,
        "Connected again",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    let before = seen.len();
    handle.send(Command::ResumeLogs {
        id: id.clone(),
        after: last_ts.clone(),
    });
    collect_lines(&mut rx, &id, 20, &mut seen, &mut last_ts).await;
    let resumed = &seen[before..];
    assert_eq!(
        resumed[0],
        seen[before - 1] + 1,
        "resumed at the line after the last one shown: {:?} then {:?}",
        &seen[..before],
        &resumed[..5]
    );
    assert!(
        seen.windows(2).all(|w| w[1] == w[0] + 1),
        "lines lost or repeated: {seen:?}"
    );
    drop(handle);
    proxy.stop().await;
    let _ = docker
        .remove_container(
            &id,
            Some(
                bollard::query_parameters::RemoveContainerOptionsBuilder::default()
                    .force(true)
                    .build(),
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_engine_is_not_answering_then_connected_again() {
    if fx::docker().await.is_none() {
        return;
    }
    let Some(real_sock) = unix_engine() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let sock = dir.path().join("engine.sock");
    let stall = Arc::new(AtomicBool::new(false));
    let (proxy, handle, mut rx) = connect_through(&sock, &real_sock, stall.clone()).await;
    // The engine stops answering (as under SIGSTOP): the proxy holds every request.
    stall.store(true, Ordering::SeqCst);
    let started = tokio::time::Instant::now();
    match expect_event(
        &mut rx,
        "NotAnswering while the engine is hung",
        |ev| {
            matches!(
                ev,
                EngineEvent::Connection(
                    Connection::NotAnswering { .. } | Connection::Disconnected { .. }
                )
            )
        },
        WAIT,
    )
    .await
    {
        EngineEvent::Connection(Connection::NotAnswering { info, deadline }) => {
            assert!(info.endpoint.contains("engine.sock"), "{info:?}");
            assert!(deadline <= Duration::from_secs(20), "{deadline:?}");
        }
        other => panic!("a hung engine is not a lost one: {other:?}"),
    }
    eprintln!(
        "not answering reported {:?} after the hang",
        started.elapsed()
    );
    // It answers again (SIGCONT): connected, on the same connection.
    stall.store(false, Ordering::SeqCst);
    expect_event(
        &mut rx,
        "Connected after the engine answers again",
        |ev| matches!(ev, EngineEvent::Connection(Connection::Connected(_))),
        WAIT,
    )
    .await;
    drop(handle);
    proxy.stop().await;
}
