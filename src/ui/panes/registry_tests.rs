//! Snapshots of the registry pane, its dialogs, and a pull in progress in the jobs pane.
use chrono::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::registry::{ManifestView, RegistryReply, SearchHit, SearchQuery};
use crate::engine::{Connection, EngineEvent, EngineInfo, ImageInfo, Inventory, JobKind, Progress};
use crate::registry::client::{
    ImageConfigInfo, ImageManifestInfo, LayerInfo, ManifestInfo, ManifestKind, PlatformEntry,
};
use crate::registry::{Digest, Platform, RegistryEntry};
use crate::state::registry::dialogs::RegistryDialog;
use crate::state::registry::{Load, View};
use crate::state::{AppState, PaneId};
use crate::ui::{Ctx, draw};

const NOW: i64 = 1_700_000_000;

fn render(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let (theme, keymap) = (Theme::default_theme(), Keymap::defaults());
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    terminal
        .draw(|f| {
            draw(f, state, &ctx);
        })
        .unwrap();
    terminal
}

fn digest(c: char) -> Digest {
    Digest::parse(&format!("sha256:{}", c.to_string().repeat(64))).unwrap()
}

fn view(manifest: ManifestInfo) -> Box<ManifestView> {
    Box::new(ManifestView {
        manifest,
        platform_image: None,
        platform_error: None,
    })
}

fn lab() -> RegistryEntry {
    RegistryEntry {
        name: "lab".into(),
        url: "127.0.0.1:5000".into(),
        insecure: false,
    }
}

fn state() -> AppState {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.shared.focus = PaneId::Registry;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![
            ImageInfo {
                id: format!("sha256:{}", "1".repeat(64)),
                repo_tags: vec!["nginx:latest".into()],
                repo_digests: vec![],
                created: NOW - 3600,
                size: 187_000_000,
            },
            ImageInfo {
                id: format!("sha256:{}", "2".repeat(64)),
                repo_tags: vec!["127.0.0.1:5000/team/app:1.0".into()],
                repo_digests: vec![],
                created: NOW - 7200,
                size: 4_300_000,
            },
        ],
        containers: vec![],
    })));
    s.test_engine(EngineEvent::Registry(RegistryReply::Config(Ok(vec![
        RegistryEntry::docker_hub(),
        lab(),
    ]))));
    s
}

fn hit(name: &str, stars: u64, official: bool, description: &str) -> SearchHit {
    SearchHit {
        name: name.into(),
        description: description.into(),
        stars,
        official,
        automated: !official,
    }
}

fn hub_results() -> AppState {
    let mut s = state();
    s.panes.registry.state.view = View::Search;
    let q = SearchQuery {
        term: "nginx".into(),
        limit: Some(3),
        stars: Some(10),
        official: false,
        automated: None,
    };
    s.panes.registry.state.query = Some(q.clone());
    s.test_engine(EngineEvent::Registry(RegistryReply::Search {
        query: q,
        result: Ok(vec![
            hit("nginx", 20_000, true, "Official build of Nginx."),
            hit("bitnami/nginx", 190, false, "Bitnami nginx Docker Image"),
            hit(
                "ubuntu/nginx",
                120,
                false,
                "Nginx, a high-performance reverse proxy",
            ),
        ]),
    }));
    s.panes.registry.state.move_by(1);
    s
}

#[test]
fn hub_search_results() {
    insta::assert_snapshot!(render(&hub_results(), 120, 14).backend());
}

#[test]
fn hub_unreachable_is_said_plainly() {
    let mut s = state();
    s.panes.registry.state.view = View::Search;
    s.panes.registry.state.query = Some(SearchQuery {
        term: "busybox".into(),
        ..SearchQuery::default()
    });
    s.panes.registry.state.hits = Load::Failed(
        "the engine cannot reach Docker Hub (Get \"https://index.docker.io/v1/search?q=busybox&n=25\": dial tcp: lookup index.docker.io: no such host)".into(),
    );
    insta::assert_snapshot!(render(&s, 100, 10).backend());
}

#[test]
fn search_box_with_an_error() {
    let mut s = state();
    s.panes.registry.state.view = View::Search;
    s.panes.registry.state.start_input();
    for c in "nginx --limit x".chars() {
        s.panes
            .registry
            .state
            .on_input_key(&crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            ));
    }
    s.panes
        .registry
        .state
        .on_input_key(&crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        ));
    insta::assert_snapshot!(render(&s, 100, 10).backend());
}

fn browsing() -> AppState {
    let mut s = state();
    s.panes.registry.state.move_by(1);
    s.panes.registry.state.open();
    s.test_engine(EngineEvent::Registry(RegistryReply::Catalog {
        registry: "127.0.0.1:5000".into(),
        result: Ok(vec![
            "base/busybox".into(),
            "team/app".into(),
            "team/db".into(),
        ]),
    }));
    s
}

#[test]
fn private_catalog() {
    let mut s = browsing();
    s.panes.registry.state.move_by(1);
    insta::assert_snapshot!(render(&s, 100, 10).backend());
}

fn tags() -> AppState {
    let mut s = browsing();
    s.panes.registry.state.move_by(1);
    s.panes.registry.state.open();
    s.test_engine(EngineEvent::Registry(RegistryReply::Tags {
        registry: "127.0.0.1:5000".into(),
        repository: "team/app".into(),
        result: Ok(vec!["1.0".into(), "1.1".into(), "latest".into()]),
    }));
    s
}

#[test]
fn private_tags_with_local_size() {
    insta::assert_snapshot!(render(&tags(), 100, 10).backend());
}

fn image_manifest() -> ManifestInfo {
    let created = chrono::Utc
        .with_ymd_and_hms(2026, 11, 20, 8, 30, 0)
        .single();
    ManifestInfo {
        repository: "team/app".into(),
        reference: "1.0".into(),
        digest: digest('d'),
        media_type: "application/vnd.docker.distribution.manifest.v2+json".into(),
        size: 736,
        kind: ManifestKind::Image(ImageManifestInfo {
            config_digest: digest('c'),
            config_media_type: "application/vnd.docker.container.image.v1+json".into(),
            layers: vec![
                LayerInfo {
                    digest: digest('a'),
                    size: 1_060_000,
                    media_type: String::new(),
                },
                LayerInfo {
                    digest: digest('b'),
                    size: 3_380,
                    media_type: String::new(),
                },
            ],
            total_size: 1_063_380,
            config: Some(ImageConfigInfo {
                created,
                os: "linux".into(),
                architecture: "amd64".into(),
                variant: None,
            }),
            config_error: None,
        }),
    }
}

#[test]
fn image_manifest_with_layers_and_sizes() {
    let mut s = tags();
    s.panes.registry.state.open();
    s.test_engine(EngineEvent::Registry(RegistryReply::Manifest {
        registry: "127.0.0.1:5000".into(),
        repository: "team/app".into(),
        tag: "1.0".into(),
        result: Ok(view(image_manifest())),
    }));
    insta::assert_snapshot!(render(&s, 110, 18).backend());
}

#[test]
fn index_manifest_lists_platforms() {
    let mut s = tags();
    s.panes.registry.state.move_by(2);
    s.panes.registry.state.open();
    let p = |x: &str| Some(Platform::parse(x).unwrap());
    s.test_engine(EngineEvent::Registry(RegistryReply::Manifest {
        registry: "127.0.0.1:5000".into(),
        repository: "team/app".into(),
        tag: "latest".into(),
        result: Ok(view(ManifestInfo {
            repository: "team/app".into(),
            reference: "latest".into(),
            digest: digest('e'),
            media_type: "application/vnd.oci.image.index.v1+json".into(),
            size: 1_200,
            kind: ManifestKind::Index(vec![
                PlatformEntry {
                    platform: p("linux/amd64"),
                    digest: digest('1'),
                    media_type: String::new(),
                    size: 528,
                },
                PlatformEntry {
                    platform: p("linux/arm64/v8"),
                    digest: digest('2'),
                    media_type: String::new(),
                    size: 528,
                },
                PlatformEntry {
                    platform: None,
                    digest: digest('3'),
                    media_type: String::new(),
                    size: 840,
                },
            ]),
        })),
    }));
    if let Load::Ready(v) = &mut s.panes.registry.state.manifest {
        v.platform_image = Some(("linux/amd64".into(), image_manifest()));
    }
    insta::assert_snapshot!(render(&s, 110, 30).backend());
}

#[test]
fn narrow_registry_pane_stacks() {
    insta::assert_snapshot!(render(&tags(), 60, 14).backend());
}

#[test]
fn pull_dialog() {
    let mut s = state();
    s.shared.focus = PaneId::Images;
    let mut d = RegistryDialog::pull("127.0.0.1:5000/Team/app:1");
    if let RegistryDialog::Pull { error, .. } = &mut d {
        *error = crate::state::registry::dialogs::validate_pull("127.0.0.1:5000/Team/app:1", "");
    }
    s.panes.registry.dialog = Some(d);
    insta::assert_snapshot!(render(&s, 100, 14).backend());
}

#[test]
fn login_dialog_masks_the_password() {
    let mut s = state();
    let mut d = RegistryDialog::login("127.0.0.1:5000", false);
    if let RegistryDialog::Login {
        username,
        password,
        field,
        error,
        ..
    } = &mut d
    {
        *username = crate::state::widgets::input::TextInput::with("alice");
        password.0 = crate::state::widgets::input::TextInput::with("hunter2");
        *field = 2;
        *error = Some("unauthorized at registry 127.0.0.1:5000: the registry rejected the credentials of user \"alice\"".into());
    }
    s.panes.registry.dialog = Some(d);
    let t = render(&s, 100, 14);
    let text = format!("{}", t.backend());
    assert!(!text.contains("hunter2"));
    assert!(text.contains("•••••••"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn push_confirmation_names_the_registry() {
    let mut s = state();
    s.shared.focus = PaneId::Images;
    s.panes.registry.dialog = Some(RegistryDialog::Push {
        reference: "127.0.0.1:5000/team/app:1.0".into(),
        registry: "127.0.0.1:5000".into(),
    });
    insta::assert_snapshot!(render(&s, 100, 12).backend());
}

#[test]
fn pull_in_progress_in_the_jobs_pane() {
    let mut s = state();
    s.shared.focus = PaneId::Jobs;
    s.test_engine(EngineEvent::JobStarted {
        id: 7,
        kind: JobKind::Pull {
            reference: "127.0.0.1:5000/team/app:1.0".into(),
            platform: None,
        },
    });
    let layer = |id: &str, phase: &str, current, total| Progress::Layer {
        id: id.into(),
        phase: phase.into(),
        current,
        total,
    };
    for p in [
        Progress::Log("1.0: Pulling from team/app".into()),
        layer("a3ed95caeb02", "Already exists", 0, 0),
        layer("5d20c808ce19", "Pulling fs layer", 0, 0),
        layer("7b8a9c1d2e3f", "Pulling fs layer", 0, 0),
        layer("5d20c808ce19", "Downloading", 1_500_000, 3_000_000),
        layer("7b8a9c1d2e3f", "Download complete", 120_000, 120_000),
        layer("7b8a9c1d2e3f", "Extracting", 60_000, 120_000),
        Progress::Bytes {
            done: 1_620_000,
            total: 3_120_000,
        },
    ] {
        s.test_engine(EngineEvent::JobProgress { id: 7, progress: p });
    }
    s.shared.now = NOW + 3;
    insta::assert_snapshot!(render(&s, 110, 14).backend());
}

#[test]
fn registries_found_in_the_engine_and_docker_config_show_their_source() {
    use crate::registry::known::{EngineRegistries, KnownRegistries};
    let mut s = state();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(
        &path,
        r#"{"auths": {"https://index.docker.io/v1/": {}, "ghcr.io": {}},
            "credHelpers": {"123.dkr.ecr.example.com": "ecr-login"}}"#,
    )
    .unwrap();
    let docker = crate::registry::DockerConfig::load(path).unwrap();
    let engine = EngineRegistries {
        index: vec![
            ("127.0.0.1:5000".into(), false),
            ("docker.io".into(), true),
            ("lab.internal:5000".into(), false),
        ],
        mirrors: vec!["https://mirror.example/".into()],
        insecure_cidrs: vec!["127.0.0.0/8".into(), "::1/128".into()],
    };
    s.test_engine(EngineEvent::Registry(RegistryReply::Known(
        KnownRegistries::collect(Ok(engine), &docker),
    )));
    s.panes.registry.state.move_by(2);
    insta::assert_snapshot!(render(&s, 110, 16).backend());
}
