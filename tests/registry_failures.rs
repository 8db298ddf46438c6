//! Bad input and misbehaving servers: each gives a clear error naming what is at fault.
//! The misbehaving servers are tiny loopback fakes (failure modes only).

mod registry_support;

use std::time::{Duration, Instant};

use dockhand::registry::client::RegistryError;
use dockhand::registry::{ClientOptions, Digest, Reference, RegistryClient};
use registry_support::fake::FakeServer;
use registry_support::free_port;

fn client(addr: &str) -> RegistryClient {
    RegistryClient::new(addr, ClientOptions::default()).expect("client")
}

#[test]
fn malformed_references_are_explained() {
    let cases = [
        ("", "at least one component"),
        ("Busybox", "repository name must be lowercase"),
        ("busybox:", "tag after ':' at position 8 is empty"),
        ("busybox:-x", "must start with a letter, digit or '_'"),
        ("busybox:tag with space", "' ' is not allowed"),
        (
            "busybox@sha256:1234",
            "invalid digest length: sha256 needs 64 hex characters, got 4",
        ),
        (
            "busybox@md5:0123456789abcdef0123456789abcdef",
            "unsupported digest algorithm \"md5\"",
        ),
        ("my..app", "separator \"..\" is not allowed"),
        ("host:port/app", "port must be a number"),
        ("a//b", "empty path component at position 2"),
        ("-app", "must start with a lowercase letter or digit"),
        ("app/", "empty path component at position 4"),
        ("[::1]", "must be followed by '/' and a repository path"),
        ("https://registry/app", "port must be a number"),
    ];
    for (input, fragment) in cases {
        let err = Reference::parse_normalized(input).expect_err(input);
        let text = err.to_string();
        assert!(text.contains(fragment), "{input:?}: {text}");
        assert!(text.starts_with("invalid reference format"), "{text}");
    }
    let long_tag = format!("app:{}", "x".repeat(200));
    let text = Reference::parse(&long_tag).unwrap_err().to_string();
    assert!(
        text.contains("tag is longer than 128 characters (it has 200)"),
        "{text}"
    );
    let long_name = "a".repeat(256);
    let text = Reference::parse(&long_name).unwrap_err().to_string();
    assert!(
        text.contains("must not be more than 255 characters"),
        "{text}"
    );
}

#[tokio::test]
async fn server_error_500_names_registry_and_status() {
    let fake = FakeServer::respond(
        "500 Internal Server Error",
        "application/json",
        r#"{"errors":[{"code":"UNKNOWN","message":"storage exploded"}]}"#,
    );
    let err = client(&fake.addr).catalog().await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 500, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&fake.addr)
            && text.contains("500 (Internal Server Error, server error)")
            && text.contains("storage exploded"),
        "{text}"
    );
}

#[tokio::test]
async fn garbage_json_says_what_was_expected() {
    let fake = FakeServer::respond("200 OK", "application/json", "this is not json {");
    let err = client(&fake.addr).catalog().await.unwrap_err();
    assert!(matches!(err, RegistryError::InvalidJson { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("expected a catalog object") && text.contains(&fake.addr),
        "{text}"
    );
    let fake = FakeServer::respond("200 OK", "application/json", r#"{"tags": 42}"#);
    let text = client(&fake.addr)
        .tags("x/y")
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("expected a tag list"), "{text}");
    let fake = FakeServer::respond("200 OK", "application/json", r#"{"schemaVersion": 2}"#);
    let text = client(&fake.addr)
        .manifest("x/y", "t")
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("\"config\" and \"layers\""), "{text}");
}

#[tokio::test]
async fn connection_closed_mid_body() {
    let fake = FakeServer::truncated(5000, r#"{"repositories": ["a", "b"#);
    let err = client(&fake.addr).catalog().await.unwrap_err();
    assert!(
        matches!(err, RegistryError::BodyInterrupted { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("closed while reading"), "{err}");
    // Mid-blob: a config/layer download cut short.
    let fake = FakeServer::truncated(1 << 20, &"x".repeat(10_000));
    let digest = Digest::sha256_of(b"whatever");
    let err = client(&fake.addr)
        .blob("x/y", &digest, 4 << 20)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::BodyInterrupted { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&fake.addr) && text.contains("/v2/x/y/blobs/sha256:"),
        "{text}"
    );
    // Closed before any answer.
    let fake = FakeServer::start(Vec::new());
    let text = client(&fake.addr).catalog().await.unwrap_err().to_string();
    assert!(text.contains(&fake.addr), "{text}");
}

#[tokio::test]
async fn unreachable_registry_gives_the_address() {
    let addr = format!("127.0.0.1:{}", free_port());
    let err = client(&addr).ping().await.unwrap_err();
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("http://{addr}/v2/")) && text.to_lowercase().contains("refused"),
        "{text}"
    );
}

#[tokio::test]
async fn silent_registry_times_out() {
    let fake = FakeServer::silent();
    let c = RegistryClient::new(
        &fake.addr,
        ClientOptions {
            timeout: Duration::from_secs(1),
            ..ClientOptions::default()
        },
    )
    .expect("client");
    let start = Instant::now();
    let err = c.ping().await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(err, RegistryError::Timeout { seconds: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("did not answer within 1 s"),
        "{err}"
    );
}

#[tokio::test]
async fn other_statuses() {
    let fake = FakeServer::respond("404 Not Found", "text/html", "<html>nope</html>");
    let err = client(&fake.addr).ping().await.unwrap_err();
    assert!(
        matches!(err, RegistryError::NotRegistry { status: 404, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Registry HTTP API v2"), "{err}");

    let fake = FakeServer::respond(
        "403 Forbidden",
        "application/json",
        r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
    );
    let text = client(&fake.addr)
        .tags("x/y")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("access denied") && text.contains("repository x/y"),
        "{text}"
    );
    assert!(
        text.contains("requested access to the resource is denied"),
        "{text}"
    );

    let fake = FakeServer::respond(
        "404 Not Found",
        "application/json",
        r#"{"errors":[{"code":"UNSUPPORTED"}]}"#,
    );
    let err = client(&fake.addr).catalog().await.unwrap_err();
    assert!(
        matches!(err, RegistryError::CatalogUnavailable { status: 404, .. }),
        "{err:?}"
    );

    let fake = FakeServer::respond(
        "429 Too Many Requests",
        "application/json",
        r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#,
    );
    let text = client(&fake.addr)
        .tags("x/y")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("rate-limiting") && text.contains("pull rate limit"),
        "{text}"
    );

    let fake = FakeServer::respond("401 Unauthorized", "application/json", "{}");
    let text = client(&fake.addr).catalog().await.unwrap_err().to_string();
    assert!(
        text.contains("unauthorized") && text.contains(&fake.addr),
        "{text}"
    );
}

#[tokio::test]
async fn manifest_digest_mismatch_is_refused() {
    let body = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let wrong = Digest::sha256_of(b"something else");
    let fake = FakeServer::start(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nDocker-Content-Digest: {wrong}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    );
    let err = client(&fake.addr).manifest("x/y", "t").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::DigestMismatch { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn pagination_never_follows_links_to_other_servers() {
    let body = r#"{"repositories": ["a"]}"#;
    let fake = FakeServer::start(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLink: <http://127.0.0.2:9/v2/_catalog?last=a>; rel=\"next\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    );
    let text = client(&fake.addr).catalog().await.unwrap_err().to_string();
    assert!(text.contains("points to another server"), "{text}");
}
