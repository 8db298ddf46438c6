//! HTTPS: a real `docker-registry` serving TLS with a self-signed certificate. Verified by
//! default; trusted through an extra CA file; accepted unchecked when marked insecure.

mod registry_support;

use dockhand::registry::client::{AuthKind, RegistryError};
use dockhand::registry::{ClientOptions, RegistryClient};
use registry_support::{AuthMode, Registry};

#[tokio::test]
async fn https_is_verified_unless_trusted_or_insecure() {
    let reg = Registry::start_tls(AuthMode::Open);
    let url = format!("https://{}", reg.addr);

    // Verified by default: an unknown issuer is refused, with the address and the cause.
    let strict = RegistryClient::new(&url, ClientOptions::default()).expect("client");
    assert_eq!(strict.base_url().scheme(), "https");
    let err = strict.ping().await.unwrap_err();
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("https://{}/v2/", reg.addr))
            && text.to_lowercase().contains("certificate"),
        "{text}"
    );

    // Trusted through an extra CA certificate (as /etc/docker/certs.d/<host>/ca.crt would be).
    let trusted = RegistryClient::new(
        &url,
        ClientOptions {
            root_certificates: vec![reg.tls_ca.clone().expect("ca")],
            ..ClientOptions::default()
        },
    )
    .expect("client");
    assert_eq!(
        trusted.ping().await.expect("ping").auth,
        AuthKind::Anonymous
    );
    assert!(trusted.catalog().await.expect("catalog").is_empty());

    // Insecure: certificate not checked.
    let insecure = RegistryClient::new(
        &url,
        ClientOptions {
            insecure: true,
            ..ClientOptions::default()
        },
    )
    .expect("client");
    assert_eq!(
        insecure.ping().await.expect("ping").auth,
        AuthKind::Anonymous
    );

    // Plain HTTP to a TLS port fails clearly rather than hanging.
    let plain = RegistryClient::new(&reg.addr, ClientOptions::default()).expect("client");
    assert_eq!(plain.base_url().scheme(), "http");
    assert!(plain.ping().await.is_err());

    // A bad CA file is reported with its path.
    let dir = tempfile::tempdir().expect("dir");
    let bogus = dir.path().join("ca.crt");
    std::fs::write(&bogus, "not a certificate").expect("write");
    let err = RegistryClient::new(
        &url,
        ClientOptions {
            root_certificates: vec![bogus.clone()],
            ..ClientOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(&bogus.display().to_string()),
        "{err}"
    );
}
