//! Authentication against a real `docker-registry`: htpasswd basic auth and the bearer-token
//! flow behind a token server. The engine pushes with `X-Registry-Auth` built from our
//! `Credentials`; the parts that need the engine follow the `DOCKHAND_REQUIRE_ENGINE` rule.

mod registry_support;

use std::sync::atomic::Ordering;

use dockhand::registry::Secret;
use dockhand::registry::client::{AuthKind, ManifestKind, RegistryError};
use dockhand::registry::{ClientOptions, Credentials, RegistryClient};
use registry_support::engine::{self, BASE_IMAGE};
use registry_support::token::REFRESH_TOKEN;
use registry_support::{AuthMode, Registry, TokenServer};

fn client(addr: &str, creds: Option<Credentials>) -> RegistryClient {
    RegistryClient::new(
        addr,
        ClientOptions {
            credentials: creds,
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

fn unauthorized_reason(err: RegistryError, registry: &str) -> String {
    match err {
        RegistryError::Unauthorized {
            registry: r,
            reason,
        } => {
            assert_eq!(r, registry);
            reason
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn htpasswd_basic_auth() {
    let reg = Registry::start(AuthMode::Htpasswd {
        user: "alice",
        password: "wonderland",
    });
    let anon = client(&reg.addr, None);
    assert_eq!(anon.ping().await.expect("ping").auth, AuthKind::Basic);
    let err = anon.catalog().await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&reg.addr) && msg.contains("log in first"),
        "{msg}"
    );

    let wrong = client(
        &reg.addr,
        Some(Credentials::basic(&reg.addr, "alice", "not-the-password")),
    );
    let err = wrong.check_login().await.unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("not-the-password"), "secret leaked: {text}");
    let reason = unauthorized_reason(err, &reg.addr);
    assert!(
        reason.contains("rejected the credentials of user \"alice\""),
        "{reason}"
    );

    let creds = Credentials::basic(&reg.addr, "alice", "wonderland");
    let good = client(&reg.addr, Some(creds.clone()));
    assert_eq!(good.check_login().await.expect("login"), AuthKind::Basic);
    assert!(good.catalog().await.expect("catalog").is_empty());

    let Some(docker) = engine::connect().await else {
        return;
    };
    engine::ensure_fixtures();
    let tags = engine::LocalTags::default();
    let target = format!("{}/team/app", reg.addr);
    // The engine refuses a push with the wrong password...
    let bad = Credentials::basic(&reg.addr, "alice", "nope").to_docker_credentials();
    let err = engine::push(&docker, &tags, BASE_IMAGE, &target, "1", Some(bad))
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("auth"), "{err}");
    // ...and accepts our credentials converted for X-Registry-Auth.
    engine::push(
        &docker,
        &tags,
        BASE_IMAGE,
        &target,
        "1",
        Some(creds.to_docker_credentials()),
    )
    .await
    .expect("authenticated push");
    assert_eq!(good.catalog().await.expect("catalog"), ["team/app"]);
    assert_eq!(good.tags("team/app").await.expect("tags"), ["1"]);
    let info = good.manifest("team/app", "1").await.expect("manifest");
    assert!(matches!(info.kind, ManifestKind::Image(_)));
    let err = anon.manifest("team/app", "1").await.unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
}

#[tokio::test]
async fn bearer_token_flow() {
    let ts = TokenServer::start("tok", "en-pass");
    let reg = Registry::start(AuthMode::Token(&ts));
    let anon = client(&reg.addr, None);
    match anon.ping().await.expect("ping").auth {
        AuthKind::Bearer { realm, service } => {
            assert_eq!(realm, ts.realm);
            assert_eq!(service.as_deref(), Some(ts.service.as_str()));
        }
        other => panic!("expected bearer auth, got {other:?}"),
    }
    let reason = unauthorized_reason(anon.catalog().await.unwrap_err(), &reg.addr);
    assert!(
        reason.contains(&ts.realm) && reason.contains("log in first"),
        "{reason}"
    );

    let wrong = client(
        &reg.addr,
        Some(Credentials::basic(&reg.addr, "tok", "bad-pass")),
    );
    let err = wrong.check_login().await.unwrap_err();
    assert!(!err.to_string().contains("bad-pass"));
    let reason = unauthorized_reason(err, &reg.addr);
    assert!(
        reason.contains("token service")
            && reason.contains("rejected the credentials of user \"tok\""),
        "{reason}"
    );

    let creds = Credentials::basic(&reg.addr, "tok", "en-pass");
    let good = client(&reg.addr, Some(creds.clone()));
    assert!(matches!(
        good.check_login().await.expect("login"),
        AuthKind::Bearer { .. }
    ));
    assert!(good.catalog().await.expect("catalog").is_empty());
    assert!(
        ts.scopes
            .lock()
            .unwrap()
            .iter()
            .any(|s| s == "registry:catalog:*"),
        "catalog scope asked: {:?}",
        ts.scopes.lock().unwrap()
    );
    let err = good.tags("nobody/here").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::RepositoryNotFound { .. }),
        "{err:?}"
    );

    // An identity token goes through the OAuth refresh_token grant (POST, access_token).
    let identity = |token: &str| Credentials {
        server_address: reg.addr.clone(),
        username: String::new(),
        password: None,
        identity_token: Some(Secret::new(token)),
    };
    let oauth = client(&reg.addr, Some(identity(REFRESH_TOKEN)));
    assert!(
        oauth
            .catalog()
            .await
            .expect("catalog via refresh token")
            .is_empty()
    );
    let bad = client(&reg.addr, Some(identity("stale-token")));
    let reason = unauthorized_reason(bad.catalog().await.unwrap_err(), &reg.addr);
    assert!(reason.contains("rejected the credentials"), "{reason}");
    assert!(!reason.contains("stale-token"), "{reason}");

    let Some(docker) = engine::connect().await else {
        return;
    };
    engine::ensure_fixtures();
    let tags = engine::LocalTags::default();
    let target = format!("{}/tk/app", reg.addr);
    engine::push(
        &docker,
        &tags,
        BASE_IMAGE,
        &target,
        "v1",
        Some(creds.to_docker_credentials()),
    )
    .await
    .expect("push through the token flow");
    assert_eq!(good.catalog().await.expect("catalog"), ["tk/app"]);
    assert_eq!(good.tags("tk/app").await.expect("tags"), ["v1"]);
    // Tokens are cached per scope: more reads of the same repository ask for no new token.
    let before = ts.requests.load(Ordering::SeqCst);
    for _ in 0..3 {
        good.tags("tk/app").await.expect("tags");
        good.manifest("tk/app", "v1").await.expect("manifest");
    }
    assert_eq!(
        ts.requests.load(Ordering::SeqCst),
        before,
        "token not cached"
    );
    assert!(
        ts.scopes
            .lock()
            .unwrap()
            .iter()
            .any(|s| s == "repository:tk/app:pull"),
        "{:?}",
        ts.scopes.lock().unwrap()
    );
    // A second client with the same credentials works from scratch (no shared state).
    let fresh = client(&reg.addr, Some(creds));
    let info = fresh.manifest("tk/app", "v1").await.expect("manifest");
    let ManifestKind::Image(img) = info.kind else {
        panic!("not an image")
    };
    assert!(
        img.config.is_some(),
        "config blob read through a token: {:?}",
        img.config_error
    );
}
