//! Tests of the registry pane's state.
use super::*;
use crate::engine::registry::SearchHit;
use crossterm::event::KeyModifiers;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn type_text(s: &mut RegistryState, text: &str) -> Vec<Command> {
    let mut out = vec![];
    for c in text.chars() {
        out.extend(s.on_input_key(&key(KeyCode::Char(c))));
    }
    out
}

fn lab() -> RegistryEntry {
    RegistryEntry {
        name: "lab".into(),
        url: "127.0.0.1:5000".into(),
        insecure: false,
    }
}

#[test]
fn config_is_loaded_once_and_merged_after_the_hub() {
    let mut s = RegistryState::default();
    assert_eq!(
        s.on_focus(),
        vec![
            Command::Registry(RegistryRequest::LoadConfig),
            Command::Registry(RegistryRequest::Known)
        ]
    );
    assert!(s.on_focus().is_empty());
    s.on_reply(RegistryReply::Config(Ok(vec![
        RegistryEntry::docker_hub(),
        lab(),
    ])));
    assert_eq!(s.registries.len(), 2);
    assert!(s.registries[0].is_docker_hub());
    let msg = s.on_reply(RegistryReply::Config(Err("bad toml".into())));
    assert!(matches!(msg, Some(Err(m)) if m.contains("bad toml")));
}

#[test]
fn hub_search_sends_the_parsed_query_and_ignores_stale_answers() {
    let mut s = RegistryState::default();
    assert!(s.open().is_empty());
    assert_eq!(s.view, View::Search);
    assert!(s.input.is_some(), "opening the hub opens the search box");
    type_text(&mut s, "--limit");
    assert!(s.on_input_key(&key(KeyCode::Enter)).is_empty());
    assert!(s.input_error.as_deref().unwrap_or("").contains("number"));
    type_text(&mut s, " 3 nginx is-official");
    let cmds = s.on_input_key(&key(KeyCode::Enter));
    let q = SearchQuery {
        term: "nginx".into(),
        limit: Some(3),
        stars: None,
        official: true,
        automated: None,
    };
    assert_eq!(
        cmds,
        vec![Command::Registry(RegistryRequest::Search(q.clone()))]
    );
    assert_eq!(s.hits, Load::Loading);
    let old = SearchQuery {
        term: "old".into(),
        ..SearchQuery::default()
    };
    s.on_reply(RegistryReply::Search {
        query: old,
        result: Ok(vec![]),
    });
    assert_eq!(s.hits, Load::Loading, "an older search's answer is dropped");
    let hit = SearchHit {
        name: "nginx".into(),
        description: "web".into(),
        stars: 10,
        official: true,
        automated: false,
    };
    s.on_reply(RegistryReply::Search {
        query: q,
        result: Ok(vec![hit.clone(), hit]),
    });
    s.move_by(5);
    assert_eq!(s.cursor(), 1);
    assert_eq!(s.pull_target().as_deref(), Some("nginx"));
    s.back();
    assert_eq!(s.view, View::Registries);
}

#[test]
fn browsing_goes_catalog_tags_manifest_and_back() {
    let mut s = RegistryState::default();
    s.add(lab());
    assert_eq!(s.selected, 1);
    let cmds = s.open();
    assert_eq!(
        cmds,
        vec![Command::Registry(RegistryRequest::Catalog(lab()))]
    );
    s.on_reply(RegistryReply::Catalog {
        registry: "127.0.0.1:5000".into(),
        result: Ok(vec!["a".into(), "team/app".into()]),
    });
    s.move_by(1);
    let cmds = s.open();
    assert_eq!(
        cmds,
        vec![Command::Registry(RegistryRequest::Tags {
            registry: lab(),
            repository: "team/app".into()
        })]
    );
    assert_eq!(s.pull_target(), None);
    s.on_reply(RegistryReply::Tags {
        registry: "127.0.0.1:5000".into(),
        repository: "other".into(),
        result: Ok(vec!["x".into()]),
    });
    assert_eq!(
        s.tags,
        Load::Loading,
        "tags of another repository are dropped"
    );
    s.on_reply(RegistryReply::Tags {
        registry: "127.0.0.1:5000".into(),
        repository: "team/app".into(),
        result: Ok(vec!["1".into(), "2".into()]),
    });
    s.move_by(1);
    assert_eq!(
        s.pull_target().as_deref(),
        Some("127.0.0.1:5000/team/app:2")
    );
    let cmds = s.open();
    assert!(matches!(
        &cmds[..],
        [Command::Registry(RegistryRequest::Manifest { tag, .. })] if tag == "2"
    ));
    s.on_reply(RegistryReply::Manifest {
        registry: "127.0.0.1:5000".into(),
        repository: "team/app".into(),
        tag: "2".into(),
        result: Err("manifest 2 not found".into()),
    });
    assert!(matches!(&s.manifest, Load::Failed(e) if e.contains("not found")));
    assert_eq!(
        s.pull_target().as_deref(),
        Some("127.0.0.1:5000/team/app:2")
    );
    s.back();
    assert_eq!(s.view, View::Tags);
    s.back();
    assert_eq!(s.view, View::Repositories);
    s.back();
    assert_eq!(s.view, View::Registries);
}

#[test]
fn a_repository_can_be_typed_when_the_catalog_is_unavailable() {
    let mut s = RegistryState::default();
    s.add(lab());
    s.start_input();
    assert_eq!(s.view, View::Repositories);
    assert!(s.on_input_key(&key(KeyCode::Enter)).is_empty());
    assert!(s.input_error.is_some());
    type_text(&mut s, "team/app");
    let cmds = s.on_input_key(&key(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::Registry(RegistryRequest::Tags {
            registry: lab(),
            repository: "team/app".into()
        })]
    );
    assert_eq!(s.view, View::Tags);
}

#[test]
fn local_sizes_match_after_normalisation() {
    let row = |reference: &str, size| ImageRow {
        id: "sha256:1".into(),
        repo: String::new(),
        tag: String::new(),
        reference: Some(reference.into()),
        created: 0,
        size,
        tag_count: 1,
        used_by: vec![],
        running: vec![],
        unique: None,
        shared: None,
    };
    let rows = vec![row("busybox:latest", 10), row("127.0.0.1:5000/a:1", 20)];
    assert_eq!(local_size(&rows, "busybox"), Some(10));
    assert_eq!(
        local_size(&rows, "docker.io/library/busybox:latest"),
        Some(10)
    );
    assert_eq!(local_size(&rows, "127.0.0.1:5000/a:1"), Some(20));
    assert_eq!(local_size(&rows, "127.0.0.1:5000/a:2"), None);
    assert_eq!(registry_host("http://h:5/"), "h:5");
    assert_eq!(
        query_text(&SearchQuery {
            term: "x".into(),
            limit: Some(2),
            stars: Some(3),
            official: true,
            automated: None
        }),
        "x stars>=3 is-official --limit 2"
    );
}

#[test]
fn known_registries_and_the_file_share_rows_in_either_order() {
    use crate::registry::known::{KnownRegistries, KnownRegistry, Origin};
    let known = KnownRegistries {
        registries: vec![
            KnownRegistry {
                url: "docker.io".into(),
                insecure: false,
                origin: Origin::Engine,
            },
            KnownRegistry {
                url: "127.0.0.1:5000".into(),
                insecure: true,
                origin: Origin::Engine,
            },
            KnownRegistry {
                url: "ghcr.io".into(),
                insecure: false,
                origin: Origin::Auths,
            },
        ],
        insecure_cidrs: vec!["127.0.0.0/8".into()],
        engine_error: None,
    };
    let file = RegistryReply::Config(Ok(vec![RegistryEntry::docker_hub(), lab()]));
    let mut a = RegistryState::default();
    a.on_reply(file.clone());
    a.on_reply(RegistryReply::Known(known.clone()));
    let mut b = RegistryState::default();
    b.on_reply(RegistryReply::Known(known));
    b.on_reply(file);
    for s in [&a, &b] {
        let names: Vec<&str> = s.registries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(s.registries[0].is_docker_hub());
        assert_eq!(s.origins_of(0), &[Origin::Engine]);
        let lab_row = names.iter().position(|n| *n == "lab").unwrap();
        assert_eq!(s.origins_of(lab_row), &[Origin::File, Origin::Engine]);
        assert_eq!(s.registries[lab_row], lab(), "the file's settings win");
        let gh = names.iter().position(|n| *n == "ghcr.io").unwrap();
        assert_eq!(s.origins_of(gh), &[Origin::Auths]);
        assert_eq!(s.origins.len(), s.registries.len());
        assert_eq!(s.trusted_ranges, vec!["127.0.0.0/8".to_string()]);
    }
}

#[test]
fn a_new_known_answer_replaces_the_rows_only_it_found() {
    use crate::registry::known::{KnownRegistries, KnownRegistry, Origin};
    let found = |url: &str| KnownRegistries {
        registries: vec![KnownRegistry {
            url: url.into(),
            insecure: true,
            origin: Origin::Engine,
        }],
        insecure_cidrs: vec![],
        engine_error: None,
    };
    let mut s = RegistryState::default();
    assert!(
        s.on_connected().is_empty(),
        "not asked before the pane is shown"
    );
    s.on_focus();
    assert_eq!(
        s.on_connected(),
        vec![Command::Registry(RegistryRequest::Known)]
    );
    s.on_reply(RegistryReply::Known(found("old.example:5000")));
    s.on_reply(RegistryReply::Config(Ok(vec![lab()])));
    s.move_by(5);
    assert_eq!(s.selected, 2, "lab after the row found first");
    assert_eq!(s.entry().map(|e| e.url.as_str()), Some("127.0.0.1:5000"));
    s.on_reply(RegistryReply::Known(found("new.example:5000")));
    assert_eq!(
        s.entry().map(|e| e.url.as_str()),
        Some("127.0.0.1:5000"),
        "the selection stays on its registry"
    );
    let urls: Vec<&str> = s.registries.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        vec!["docker.io", "127.0.0.1:5000", "new.example:5000"]
    );
    assert_eq!(s.origins_of(1), &[Origin::File]);
    assert_eq!(s.origins.len(), 3);
    assert!(s.selected < 3 && s.cursor() < 3);
}
