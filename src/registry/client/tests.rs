//! Tests of the Registry v2 client.
use super::*;
use reqwest::header::HeaderMap;
use reqwest::header::HeaderValue;

#[test]
fn endpoints_pick_scheme_like_dockerd() {
    let cases = [
        (
            "127.0.0.1:5000",
            false,
            "http://127.0.0.1:5000/",
            "127.0.0.1:5000",
        ),
        (
            "localhost:5000",
            false,
            "http://localhost:5000/",
            "localhost:5000",
        ),
        ("[::1]:5000", false, "http://[::1]:5000/", "[::1]:5000"),
        ("127.1.2.3", false, "http://127.1.2.3/", "127.1.2.3"),
        (
            "reg.example.com",
            false,
            "https://reg.example.com/",
            "reg.example.com",
        ),
        (
            "reg.example.com:5000",
            true,
            "http://reg.example.com:5000/",
            "reg.example.com:5000",
        ),
        (
            "https://localhost:5000/",
            false,
            "https://localhost:5000/",
            "localhost:5000",
        ),
        (
            "http://reg.example.com/v2/",
            false,
            "http://reg.example.com/",
            "reg.example.com",
        ),
        (
            "docker.io",
            false,
            "https://registry-1.docker.io/",
            "docker.io",
        ),
        (
            "index.docker.io",
            false,
            "https://registry-1.docker.io/",
            "docker.io",
        ),
        (
            " registry-1.docker.io ",
            false,
            "https://registry-1.docker.io/",
            "docker.io",
        ),
    ];
    for (input, insecure, url, name) in cases {
        let (u, n) = endpoint(input, insecure).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(u.as_str(), url, "{input}");
        assert_eq!(n, name, "{input}");
    }
}

#[test]
fn bad_endpoints_explain_themselves() {
    let msg = |s: &str| endpoint(s, false).unwrap_err().to_string();
    assert!(msg("").contains("empty"));
    assert!(msg("ftp://x").contains("only http:// and https://"));
    assert!(msg("host/some/path").contains("only the host and port"));
    assert!(msg("https:///").contains("host is missing"));
    assert!(msg("host:notaport").contains("not a host[:port]"));
}

#[test]
fn loopback_detection() {
    for h in [
        "localhost",
        "LOCALHOST",
        "127.0.0.1",
        "127.9.9.9",
        "::1",
        "[::1]",
    ] {
        assert!(is_loopback_host(h), "{h}");
    }
    for h in ["10.0.0.1", "example.com", "localhost.example.com", "::2"] {
        assert!(!is_loopback_host(h), "{h}");
    }
}

#[test]
fn link_header_next() {
    let mut h = HeaderMap::new();
    assert_eq!(next_link(&h), None);
    h.insert(
        header::LINK,
        HeaderValue::from_static(r#"</v2/_catalog?last=b&n=2>; rel="next""#),
    );
    assert_eq!(next_link(&h).as_deref(), Some("/v2/_catalog?last=b&n=2"));
    h.insert(
        header::LINK,
        HeaderValue::from_static(
            r#"<https://x/prev>; rel="prev", <https://x/v2/r/tags/list?n=1&last=a>; rel=next"#,
        ),
    );
    assert_eq!(
        next_link(&h).as_deref(),
        Some("https://x/v2/r/tags/list?n=1&last=a")
    );
}

#[test]
fn client_reports_its_registry() {
    let c = RegistryClient::new("127.0.0.1:5000", ClientOptions::default()).unwrap();
    assert_eq!(c.registry(), "127.0.0.1:5000");
    assert_eq!(c.base_url().as_str(), "http://127.0.0.1:5000/");
    assert_eq!(
        c.url("v2/a/b/tags/list").unwrap().as_str(),
        "http://127.0.0.1:5000/v2/a/b/tags/list"
    );
}

#[test]
fn options_debug_hides_password() {
    let opts = ClientOptions {
        credentials: Some(crate::registry::Credentials::basic("h:1", "u", "topsecret")),
        ..ClientOptions::default()
    };
    let c = RegistryClient::new("h:1", opts).unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("topsecret"), "{dbg}");
}

#[tokio::test]
async fn hub_has_no_catalog() {
    let c = RegistryClient::new("docker.io", ClientOptions::default()).unwrap();
    assert!(c.is_docker_hub());
    let err = c.catalog().await.unwrap_err();
    assert!(
        err.to_string().contains("does not list its repositories"),
        "{err}"
    );
}

#[test]
fn client_and_its_futures_can_cross_tasks() {
    fn send_sync<T: Send + Sync + 'static>(_: &T) {}
    fn send<T: Send>(_: T) {}
    let c = RegistryClient::new("127.0.0.1:1", ClientOptions::default()).unwrap();
    send_sync(&c);
    // Futures are only built, never polled: no traffic.
    send(c.ping());
    send(c.catalog());
    send(c.tags("a/b"));
    send(c.manifest("a/b", "t"));
    send(c.image_manifest_for("a/b", "t", "linux", "amd64", None));
    send(c.check_login());
}
