//! dockhand against a REAL Podman serving the Docker-compatible API (started by tests/run.sh, see
//! tests/lib/podman.sh, with one imported fixture image): the engine module connects, names the
//! engine, lists the image and reads its details; the real binary shows it in tmux.
//!
//! Needs `DOCKHAND_PODMAN_HOST`; without it the tests return early, unless
//! `DOCKHAND_REQUIRE_PODMAN=1` (set by tests/run.sh), when they fail instead.

mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::time::Duration;

use common::tmux::Spawn;
use dockhand::engine::{self, Command, Connection, EngineEvent, endpoint};
use support::{collector, expect_event};

const WAIT: Duration = Duration::from_secs(30);

fn podman_host() -> Option<String> {
    let host = std::env::var("DOCKHAND_PODMAN_HOST")
        .ok()
        .filter(|h| !h.is_empty());
    if host.is_none() && std::env::var("DOCKHAND_REQUIRE_PODMAN").is_ok_and(|v| v == "1") {
        panic!("DOCKHAND_REQUIRE_PODMAN=1 but DOCKHAND_PODMAN_HOST is unset (run tests/run.sh)");
    }
    host
}

fn is_fixture(tag: &str) -> bool {
    tag.contains("pm-busybox")
}

#[tokio::test]
async fn the_engine_module_speaks_to_podman() {
    let Some(host) = podman_host() else {
        return;
    };
    let (sink, mut rx) = collector();
    let handle = engine::spawn(
        Ok(vec![endpoint::Endpoint {
            source: "test".into(),
            host: host.clone(),
            tls: None,
        }]),
        sink,
    );

    // Connected from /_ping, then the identity from /version, and the inventory: in any order.
    let (mut identity, mut image_id) = (None, None);
    while identity.is_none() || image_id.is_none() {
        match expect_event(
            &mut rx,
            "Podman's identity and an inventory with the fixture",
            |ev| match ev {
                EngineEvent::Connection(Connection::Connected(i)) => !i.provisional,
                EngineEvent::Inventory(Ok(inv)) => inv
                    .images
                    .iter()
                    .any(|i| i.repo_tags.iter().any(|t| is_fixture(t))),
                _ => false,
            },
            WAIT,
        )
        .await
        {
            EngineEvent::Connection(Connection::Connected(info)) => identity = Some(info),
            EngineEvent::Inventory(Ok(inv)) => {
                image_id = inv
                    .images
                    .iter()
                    .find(|i| i.repo_tags.iter().any(|t| is_fixture(t)))
                    .map(|i| i.id.clone());
            }
            other => panic!("{other:?}"),
        }
    }
    let info = identity.expect("identity");
    assert_eq!(info.name, "Podman Engine", "{info:?}");
    assert!(!info.version.is_empty(), "{info:?}");
    assert!(info.api_version.starts_with("1."), "{info:?}");
    assert_eq!(info.endpoint, host);

    // The layers pane's data: inspect and history of the imported image.
    let id = image_id.expect("fixture image");
    handle.send(Command::Details {
        image_id: id.clone(),
    });
    match expect_event(
        &mut rx,
        "details of the fixture",
        |ev| matches!(ev, EngineEvent::Details { image_id, .. } if *image_id == id),
        WAIT,
    )
    .await
    {
        EngineEvent::Details { result, .. } => {
            let details = result.expect("details");
            assert_eq!(details.layers.len(), 1, "{details:?}");
            assert!(!details.history.is_empty(), "{details:?}");
            assert!(details.size > 1_000_000, "busybox is in it: {details:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_app_opens_on_podman() {
    let Some(host) = podman_host() else {
        return;
    };
    let config = tempfile::tempdir().expect("config dir");
    let term = Spawn::dockhand()
        .args(["--host", host.as_str()])
        .env("XDG_CONFIG_HOME", config.path())
        .size(160, 30)
        .start()
        .expect("tmux");
    let screen = term
        .wait_until(WAIT, |s| {
            s.contains("pm-busybox") && s.contains("Podman Engine") && s.contains("1 layer,")
        })
        .unwrap_or_else(|s| panic!("the image, its layers and the engine's name:\n{s}"));
    assert!(screen.contains(&host), "{screen}");
    term.send_keys(&["q"]).expect("q");
    assert_eq!(term.wait_exit(WAIT).expect("exit"), 0);
}
