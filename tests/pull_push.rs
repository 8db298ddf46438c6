//! Pull and push jobs and registry requests through dockhand's own engine task
//! (`engine::spawn`), against a REAL `docker-registry` and the REAL engine at `DOCKER_HOST`.
//! Engine-dependent parts follow the `DOCKHAND_REQUIRE_ENGINE` rule (fail, not skip).

mod common;
mod registry_support;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bollard::Docker;
use dockhand::engine::registry::{RegistryReply, RegistryRequest};
use dockhand::engine::{
    self, Command, Connection, EngineError, EngineEvent, EngineHandle, JobOutcome, Progress,
    endpoint,
};
use dockhand::registry::client::ManifestKind;
use dockhand::registry::{RegistryEntry, Secret};
use registry_support::{AuthMode, Registry};
use tokio::sync::mpsc;

/// One Docker CLI config dir and XDG config dir for this test binary (tests only log in to
/// their own loopback registries, so sharing is harmless).
static CONFIG: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("docker")).expect("docker dir");
    std::fs::create_dir_all(dir.path().join("xdg/dockhand")).expect("xdg dir");
    // SAFETY: set once, before any engine task of this binary reads the environment; std's
    // environment functions are serialised by std's own lock.
    unsafe {
        std::env::set_var("DOCKER_CONFIG", dir.path().join("docker"));
        std::env::set_var("XDG_CONFIG_HOME", dir.path().join("xdg"));
    }
    dir
});

/// dockhand's engine task plus the events it reports.
struct Harness {
    handle: EngineHandle,
    rx: mpsc::UnboundedReceiver<EngineEvent>,
    docker: Docker,
}

const JOB_TIMEOUT: Duration = Duration::from_secs(120);

impl Harness {
    async fn start() -> Option<Harness> {
        LazyLock::force(&CONFIG);
        let docker = registry_support::engine::connect().await?;
        registry_support::engine::ensure_fixtures();
        let (tx, rx) = mpsc::unbounded_channel();
        let sink: engine::Sink = Arc::new(move |ev| {
            let _ = tx.send(ev);
        });
        let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(None));
        let handle = engine::spawn(endpoints, sink);
        let mut h = Harness { handle, rx, docker };
        let connected = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(ev) = h.rx.recv().await {
                if let EngineEvent::Connection(Connection::Connected(_)) = ev {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(
            connected,
            Ok(true),
            "dockhand's engine task did not connect"
        );
        Some(h)
    }

    /// Sends job commands and collects each job's progress and result, in start order.
    async fn jobs(
        &mut self,
        commands: Vec<Command>,
    ) -> Vec<(Vec<Progress>, Result<JobOutcome, EngineError>)> {
        let n = commands.len();
        for c in commands {
            self.handle.send(c);
        }
        let mut order = Vec::new();
        let mut progress: HashMap<u64, Vec<Progress>> = HashMap::new();
        let mut done: HashMap<u64, Result<JobOutcome, EngineError>> = HashMap::new();
        tokio::time::timeout(JOB_TIMEOUT, async {
            while done.len() < n {
                match self.rx.recv().await.expect("engine task alive") {
                    EngineEvent::JobStarted { id, .. } => order.push(id),
                    EngineEvent::JobProgress { id, progress: p } => {
                        progress.entry(id).or_default().push(p)
                    }
                    EngineEvent::JobFinished { id, result } => {
                        done.insert(id, result);
                    }
                    _ => {}
                }
            }
        })
        .await
        .expect("jobs finish in time");
        order
            .into_iter()
            .map(|id| {
                (
                    progress.remove(&id).unwrap_or_default(),
                    done.remove(&id).expect("finished"),
                )
            })
            .collect()
    }

    async fn job(&mut self, command: Command) -> (Vec<Progress>, Result<JobOutcome, EngineError>) {
        self.jobs(vec![command]).await.remove(0)
    }

    async fn request(&mut self, request: RegistryRequest) -> RegistryReply {
        self.handle.send(Command::Registry(request));
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if let EngineEvent::Registry(r) = self.rx.recv().await.expect("engine task alive") {
                    return r;
                }
            }
        })
        .await
        .expect("registry request answered in time")
    }
}

fn done_text(result: &Result<JobOutcome, EngineError>) -> String {
    match result {
        Ok(JobOutcome::Done(text)) => text.clone(),
        other => panic!("job failed: {other:?}"),
    }
}

fn error_text(result: &Result<JobOutcome, EngineError>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(o) => panic!("expected a failure, got {o:?}"),
    }
}

/// Pseudo-random bytes (incompressible, so the pull has something to download).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Builds a two-layer image (busybox base + a unique payload) tagged `tag`; returns its ID.
async fn unique_image(docker: &Docker, tag: &str, seed: u64) -> String {
    let payload = noise(seed, 3_000_000);
    common::engine::image_from_dockerfile(
        docker,
        tag,
        &format!(
            "FROM {}\nCOPY payload /payload\n",
            registry_support::engine::BASE_IMAGE
        ),
        &[("payload", &payload)],
    )
    .await
}

/// Checks a transfer's progress: per-layer bytes never go backwards within a phase, overall
/// bytes never go backwards, and every layer ends in one of `finals`. Returns layer → phases.
fn check_progress(progress: &[Progress], finals: &[&str]) -> HashMap<String, Vec<String>> {
    let mut last: HashMap<String, (String, u64)> = HashMap::new();
    let mut phases: HashMap<String, Vec<String>> = HashMap::new();
    let mut overall = 0;
    for p in progress {
        match p {
            Progress::Layer {
                id, phase, current, ..
            } => {
                if let Some((prev_phase, prev)) = last.get(id)
                    && prev_phase == phase
                {
                    assert!(
                        current >= prev,
                        "{id} went back in {phase}: {prev} → {current}"
                    );
                }
                last.insert(id.clone(), (phase.clone(), *current));
                let list = phases.entry(id.clone()).or_default();
                if list.last() != Some(phase) {
                    list.push(phase.clone());
                }
            }
            Progress::Bytes { done, .. } => {
                assert!(
                    *done >= overall,
                    "overall bytes went back: {overall} → {done}"
                );
                overall = *done;
            }
            Progress::Log(_) => {}
        }
    }
    assert!(!phases.is_empty(), "no layer progress in {progress:?}");
    for (id, list) in &phases {
        let end = list.last().map(String::as_str).unwrap_or_default();
        assert!(
            finals.iter().any(|f| end.starts_with(f)),
            "layer {id} ended in {end:?}: {list:?}"
        );
    }
    phases
}

fn open_entry(reg: &Registry) -> RegistryEntry {
    RegistryEntry {
        name: "test".into(),
        url: reg.addr.clone(),
        insecure: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_browse_remove_and_pull_back() {
    let reg = Registry::start(AuthMode::Open);
    let Some(mut h) = Harness::start().await else {
        return;
    };
    let mut cleanup = common::engine::Cleanup::new();
    let repo = format!("{}/{}", reg.addr, common::engine::unique("dh-pp"));
    let (a, b) = (
        cleanup.image(format!("{repo}:a")),
        cleanup.image(format!("{repo}:b")),
    );
    let id_a = unique_image(&h.docker, &a, 7).await;
    let id_b = unique_image(&h.docker, &b, 11).await;
    let layers = h
        .docker
        .inspect_image(&a)
        .await
        .expect("inspect")
        .root_fs
        .and_then(|r| r.layers)
        .map_or(0, |l| l.len());
    assert!(layers >= 2);

    // Two pushes at once, both with per-layer progress and a digest at the end.
    let pushed = h
        .jobs(vec![
            Command::Push {
                reference: a.clone(),
            },
            Command::Push {
                reference: b.clone(),
            },
        ])
        .await;
    let mut digests = Vec::new();
    for (progress, result) in &pushed {
        let text = done_text(result);
        let digest = text
            .split("digest ")
            .nth(1)
            .expect("digest in outcome")
            .to_string();
        assert!(
            digest.starts_with("sha256:") && digest.len() == 71,
            "{text}"
        );
        digests.push(digest);
        let phases = check_progress(
            progress,
            &["Pushed", "Layer already exists", "Mounted from"],
        );
        assert_eq!(phases.len(), layers, "every layer pushed: {phases:?}");
    }

    // Browse what was pushed through the engine's registry requests.
    let entry = open_entry(&reg);
    let path = repo.split_once('/').expect("repo path").1.to_string();
    let mut sizes = Vec::new();
    match h.request(RegistryRequest::Catalog(entry.clone())).await {
        RegistryReply::Catalog { result, .. } => {
            assert_eq!(result.expect("catalog"), std::slice::from_ref(&path))
        }
        other => panic!("{other:?}"),
    }
    match h
        .request(RegistryRequest::Tags {
            registry: entry.clone(),
            repository: path.clone(),
        })
        .await
    {
        RegistryReply::Tags { result, .. } => {
            let mut tags = result.expect("tags");
            tags.sort();
            assert_eq!(tags, ["a", "b"]);
        }
        other => panic!("{other:?}"),
    }
    match h
        .request(RegistryRequest::Manifest {
            registry: entry.clone(),
            repository: path.clone(),
            tag: "a".into(),
        })
        .await
    {
        RegistryReply::Manifest { result, .. } => {
            let view = result.expect("manifest");
            assert!(
                view.platform_image.is_none(),
                "an image has no platform child"
            );
            let m = view.manifest;
            sizes.push(m.size);
            assert_eq!(m.digest.to_string(), digests[0]);
            let ManifestKind::Image(img) = &m.kind else {
                panic!("expected an image manifest: {m:?}")
            };
            assert_eq!(img.layers.len(), layers);
            assert_eq!(
                img.total_size,
                img.layers.iter().map(|l| l.size).sum::<u64>()
            );
            let payload = img.layers.last().map_or(0, |l| l.size);
            assert!(payload > 2_900_000, "payload layer: {:?}", img.layers);
            assert_eq!(img.config_digest.to_string(), id_a);
            assert!(img.config.as_ref().and_then(|c| c.created).is_some());
        }
        other => panic!("{other:?}"),
    }

    // A multi-platform index over both: the view lists the platforms and shows this machine's
    // image with its layers.
    let client =
        dockhand::registry::RegistryClient::new(&reg.addr, Default::default()).expect("client");
    let entry_json = |digest: &str, size: u64, arch: &str| {
        format!(
            r#"{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{digest}","size":{size},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#
        )
    };
    let b_size = match h
        .request(RegistryRequest::Manifest {
            registry: entry.clone(),
            repository: path.clone(),
            tag: "b".into(),
        })
        .await
    {
        RegistryReply::Manifest { result, .. } => result.expect("manifest b").manifest.size,
        other => panic!("{other:?}"),
    };
    let host = dockhand::registry::Platform::host().architecture;
    let other_arch = if host == "amd64" { "arm64" } else { "amd64" };
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{},{}]}}"#,
        entry_json(&digests[0], sizes[0], &host),
        entry_json(&digests[1], b_size, other_arch)
    );
    client
        .put_manifest(
            &path,
            "multi",
            "application/vnd.oci.image.index.v1+json",
            index.into_bytes(),
        )
        .await
        .expect("put the index");
    match h
        .request(RegistryRequest::Manifest {
            registry: entry.clone(),
            repository: path.clone(),
            tag: "multi".into(),
        })
        .await
    {
        RegistryReply::Manifest { result, .. } => {
            let view = result.expect("index");
            let ManifestKind::Index(entries) = &view.manifest.kind else {
                panic!("expected an index: {view:?}")
            };
            assert_eq!(entries.len(), 2);
            let (platform, image) = view.platform_image.as_ref().expect("this platform's image");
            assert_eq!(platform, &format!("linux/{host}"));
            assert_eq!(image.digest.to_string(), digests[0]);
            let ManifestKind::Image(img) = &image.kind else {
                panic!("child is an image")
            };
            assert_eq!(img.layers.len(), layers);
        }
        other => panic!("{other:?}"),
    }

    // Remove both locally, then pull them back at once.
    for r in [&a, &b] {
        common::engine::remove_image_quiet(&h.docker, r).await;
    }
    let pulled = h
        .jobs(vec![
            Command::Pull {
                reference: a.clone(),
                platform: None,
            },
            Command::Pull {
                reference: b.clone(),
                platform: None,
            },
        ])
        .await;
    for ((progress, result), id) in pulled.iter().zip([&id_a, &id_b]) {
        let text = done_text(result);
        assert!(text.contains(&id[7..19]), "{text} names image {id}");
        let phases = check_progress(progress, &["Pull complete", "Already exists"]);
        assert!(
            phases
                .values()
                .any(|p| p.contains(&"Downloading".to_string())
                    && p.last().map(String::as_str) == Some("Pull complete")),
            "the payload layer was downloaded: {phases:?}"
        );
        assert!(
            phases.values().any(|p| p == &["Already exists"]),
            "the busybox layer was already there: {phases:?}"
        );
        // The jobs pane renders the real events: every layer row ends complete.
        let mut state = dockhand::state::AppState::default();
        let km = dockhand::config::keymap::Keymap::defaults();
        state.on_engine(
            &km,
            EngineEvent::JobStarted {
                id: 1,
                kind: dockhand::engine::JobKind::Pull {
                    reference: a.clone(),
                    platform: None,
                },
            },
        );
        for p in progress {
            state.on_engine(
                &km,
                EngineEvent::JobProgress {
                    id: 1,
                    progress: p.clone(),
                },
            );
        }
        state.shared.focus = dockhand::state::PaneId::Jobs;
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 20)).unwrap();
        let (theme, keymap) = (
            dockhand::config::theme::Theme::default_theme(),
            dockhand::config::keymap::Keymap::defaults(),
        );
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
        let screen = format!("{}", term.backend());
        for id in phases.keys() {
            assert!(
                screen.contains(&id[..id.len().min(12)]),
                "{id} missing:\n{screen}"
            );
        }
        assert!(
            screen.contains("Pull complete") && screen.contains("Already exists"),
            "{screen}"
        );
    }
    let inspected = h
        .docker
        .inspect_image(&a)
        .await
        .expect("pulled image is there");
    assert_eq!(inspected.id.as_deref(), Some(id_a.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_pulls_say_what_happened() {
    let reg = Registry::start(AuthMode::Open);
    let Some(mut h) = Harness::start().await else {
        return;
    };
    let missing = format!("{}/nothing/here:nope", reg.addr);
    let err = error_text(
        &h.job(Command::Pull {
            reference: missing.clone(),
            platform: None,
        })
        .await
        .1,
    );
    eprintln!("missing tag: {err}");
    assert!(
        err.contains("no such image or tag on") && err.contains(&reg.addr),
        "{err}"
    );
    // A registry that is down: nothing listens on this loopback port.
    let down = format!("127.0.0.1:{}/team/app:1", registry_support::free_port());
    let err = error_text(
        &h.job(Command::Pull {
            reference: down,
            platform: None,
        })
        .await
        .1,
    );
    eprintln!("down registry: {err}");
    assert!(err.contains("is unreachable"), "{err}");
    let err = error_text(
        &h.job(Command::Pull {
            reference: "Bad/Name".into(),
            platform: None,
        })
        .await
        .1,
    );
    assert!(err.contains("lowercase"), "{err}");
    let err = error_text(
        &h.job(Command::Pull {
            reference: missing,
            platform: Some("linux/".into()),
        })
        .await
        .1,
    );
    assert!(err.contains("platform"), "{err}");
    // Browsing a registry that is down answers with a clear message too.
    let entry = RegistryEntry {
        name: "down".into(),
        url: format!("127.0.0.1:{}", registry_support::free_port()),
        insecure: false,
    };
    match h.request(RegistryRequest::Catalog(entry)).await {
        RegistryReply::Catalog { result, .. } => {
            let e = result.expect_err("down registry");
            assert!(e.contains("unreachable"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn htpasswd_registry_wrong_then_right_login() {
    let reg = Registry::start(AuthMode::Htpasswd {
        user: "bob",
        password: "right-horse",
    });
    let Some(mut h) = Harness::start().await else {
        return;
    };
    let mut cleanup = common::engine::Cleanup::new();
    let reference = cleanup.image(format!(
        "{}/{}:1",
        reg.addr,
        common::engine::unique("dh-auth")
    ));
    let id = unique_image(&h.docker, &reference, 23).await;

    let err = error_text(
        &h.job(Command::Push {
            reference: reference.clone(),
        })
        .await
        .1,
    );
    eprintln!("no login: {err}");
    assert!(
        err.contains(&format!("unauthorized at registry {}", reg.addr)),
        "{err}"
    );

    let login = |password: &str| RegistryRequest::Login {
        server: reg.addr.clone(),
        username: "bob".into(),
        password: Secret::new(password),
        insecure: false,
    };
    match h.request(login("wrong-horse")).await {
        RegistryReply::Login { result, .. } => {
            let e = result.expect_err("wrong password refused");
            assert!(e.contains("bob") && !e.contains("wrong-horse"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let config = CONFIG.path().join("docker/config.json");
    let before = std::fs::read_to_string(&config).unwrap_or_default();
    assert!(!before.contains(&reg.addr), "a refused login is not stored");
    match h.request(login("right-horse")).await {
        RegistryReply::Login { result, .. } => {
            let text = result.expect("login");
            assert!(
                text.contains("logged in") && !text.contains("right-horse"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    let stored = std::fs::read_to_string(&config).expect("config.json written");
    assert!(stored.contains(&reg.addr), "{stored}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    // The saved login is sent with the push and used for browsing and pulling.
    let (progress, result) = h
        .job(Command::Push {
            reference: reference.clone(),
        })
        .await;
    assert!(done_text(&result).contains("digest sha256:"));
    check_progress(
        &progress,
        &["Pushed", "Layer already exists", "Mounted from"],
    );
    let entry = open_entry(&reg);
    match h.request(RegistryRequest::Catalog(entry)).await {
        RegistryReply::Catalog { result, .. } => assert_eq!(result.expect("catalog").len(), 1),
        other => panic!("{other:?}"),
    }
    common::engine::remove_image_quiet(&h.docker, &reference).await;
    let (_, result) = h
        .job(Command::Pull {
            reference: reference.clone(),
            platform: None,
        })
        .await;
    assert!(done_text(&result).contains(&id[7..19]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registries_file_is_read_by_the_engine() {
    LazyLock::force(&CONFIG);
    std::fs::write(
        CONFIG.path().join("xdg/dockhand/registries.toml"),
        "[[registry]]\nname = \"lab\"\nurl = \"127.0.0.1:5999\"\ninsecure = true\n",
    )
    .expect("write registries.toml");
    let reply = dockhand::engine::registry::answer(None, RegistryRequest::LoadConfig).await;
    match reply {
        RegistryReply::Config(Ok(list)) => {
            assert!(list[0].is_docker_hub());
            assert_eq!(list[1].name, "lab");
            assert!(list[1].insecure);
        }
        other => panic!("{other:?}"),
    }
    // A registry added at the prompt is kept in the file.
    let added = RegistryEntry {
        name: "added".into(),
        url: "127.0.0.1:5998".into(),
        insecure: false,
    };
    let reply =
        dockhand::engine::registry::answer(None, RegistryRequest::SaveRegistry(added.clone()))
            .await;
    assert!(
        matches!(&reply, RegistryReply::Saved(Ok(p)) if p.ends_with("registries.toml")),
        "{reply:?}"
    );
    match dockhand::engine::registry::answer(None, RegistryRequest::LoadConfig).await {
        RegistryReply::Config(Ok(list)) => {
            assert_eq!(list.len(), 3);
            assert_eq!(list[2], added);
            assert_eq!(list[1].name, "lab");
        }
        other => panic!("{other:?}"),
    }
    // Without an engine, searching the Hub fails plainly instead of hanging.
    let reply = dockhand::engine::registry::answer(
        None,
        RegistryRequest::Search(dockhand::engine::registry::SearchQuery {
            term: "x".into(),
            ..Default::default()
        }),
    )
    .await;
    assert!(
        matches!(&reply, RegistryReply::Search { result: Err(e), .. } if e.contains("not connected")),
        "{reply:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_pull_can_be_cancelled_and_a_broken_registry_is_reported() {
    let Some(mut h) = Harness::start().await else {
        return;
    };
    let silent = registry_support::fake::FakeServer::silent();
    h.handle.send(Command::Pull {
        reference: format!("{}/team/app:1", silent.addr),
        platform: None,
    });
    let id = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let EngineEvent::JobStarted { id, .. } = h.rx.recv().await.expect("alive") {
                return id;
            }
        }
    })
    .await
    .expect("job started");
    tokio::time::sleep(Duration::from_millis(500)).await;
    h.handle.send(Command::Cancel(id));
    let result = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let EngineEvent::JobFinished { id: done, result } = h.rx.recv().await.expect("alive")
                && done == id
            {
                return result;
            }
        }
    })
    .await
    .expect("cancel ends the job at once");
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");

    let broken = registry_support::fake::FakeServer::respond(
        "500 Internal Server Error",
        "text/plain",
        "storage backend exploded",
    );
    let (_, result) = h
        .job(Command::Pull {
            reference: format!("{}/team/app:1", broken.addr),
            platform: None,
        })
        .await;
    let err = error_text(&result);
    eprintln!("500 registry: {err}");
    assert!(
        err.starts_with("pull ") && err.contains("answered with a server error"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_registry_login_then_push_browse_and_pull() {
    let ts = registry_support::TokenServer::start("tina", "token-pass");
    let reg = Registry::start(AuthMode::Token(&ts));
    let Some(mut h) = Harness::start().await else {
        return;
    };
    let entry = open_entry(&reg);
    match h.request(RegistryRequest::Catalog(entry.clone())).await {
        RegistryReply::Catalog { result, .. } => {
            let e = result.expect_err("anonymous catalog refused");
            assert!(e.contains("unauthorized") && e.contains(&reg.addr), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let login = |password: &str| RegistryRequest::Login {
        server: reg.addr.clone(),
        username: "tina".into(),
        password: Secret::new(password),
        insecure: false,
    };
    match h.request(login("nope")).await {
        RegistryReply::Login { result, .. } => {
            let e = result.expect_err("wrong password");
            assert!(e.contains("token service") && !e.contains("nope\""), "{e}");
        }
        other => panic!("{other:?}"),
    }
    match h.request(login("token-pass")).await {
        RegistryReply::Login { result, .. } => {
            assert!(result.expect("login").contains("token auth"))
        }
        other => panic!("{other:?}"),
    }
    let mut cleanup = common::engine::Cleanup::new();
    let reference = cleanup.image(format!(
        "{}/{}:1",
        reg.addr,
        common::engine::unique("dh-tok")
    ));
    let id = unique_image(&h.docker, &reference, 31).await;
    let (_, result) = h
        .job(Command::Push {
            reference: reference.clone(),
        })
        .await;
    assert!(done_text(&result).contains("digest sha256:"));
    match h.request(RegistryRequest::Catalog(entry)).await {
        RegistryReply::Catalog { result, .. } => assert_eq!(result.expect("catalog").len(), 1),
        other => panic!("{other:?}"),
    }
    common::engine::remove_image_quiet(&h.docker, &reference).await;
    let (_, result) = h
        .job(Command::Pull {
            reference,
            platform: None,
        })
        .await;
    assert!(done_text(&result).contains(&id[7..19]));
}
