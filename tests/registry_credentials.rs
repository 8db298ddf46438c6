//! Docker CLI credentials end to end: a login verified against a real htpasswd registry, stored
//! the way `docker login` does (the real `docker-credential-pass` helper when configured, else
//! `auths`), read back and used to browse; plus erase and a missing helper.
//!
//! This binary changes its own environment (DOCKER_CONFIG, GNUPGHOME, PASSWORD_STORE_DIR), so
//! it holds a single test.

mod registry_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dockhand::registry::credentials::{CredentialsError, DockerConfig};
use dockhand::registry::{ClientOptions, Credentials, RegistryClient, Secret, session};
use registry_support::{AuthMode, Registry};

/// A throw-away gpg + pass store; stops its gpg-agent on drop.
struct PassStore {
    gnupg: PathBuf,
}

impl PassStore {
    fn create(dir: &Path) -> Self {
        let gnupg = dir.join("gnupg");
        std::fs::create_dir(&gnupg).expect("gnupg dir");
        std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let run = |cmd: &mut Command, input: Option<&str>| {
            let mut child = cmd
                .env("GNUPGHOME", &gnupg)
                .env("PASSWORD_STORE_DIR", dir.join("store"))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            if let Some(text) = input {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(text.as_bytes())
                    .expect("write");
            } else {
                drop(child.stdin.take());
            }
            assert!(child.wait().expect("wait").success(), "{cmd:?} failed");
        };
        run(
            Command::new("gpg").args([
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                "dockhand-test@example.invalid",
                "default",
                "default",
                "never",
            ]),
            None,
        );
        run(
            Command::new("pass").args(["init", "dockhand-test@example.invalid"]),
            None,
        );
        // docker-credential-pass refuses to work until this entry exists.
        run(
            Command::new("pass").args([
                "insert",
                "-e",
                "docker-credential-helpers/docker-pass-initialized-check",
            ]),
            Some("pass is initialized\n"),
        );
        Self { gnupg }
    }
}

impl Drop for PassStore {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", &self.gnupg)
            .status();
    }
}

fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read config")).expect("json")
}

fn browse_client(addr: &str, creds: Credentials) -> RegistryClient {
    RegistryClient::new(
        addr,
        ClientOptions {
            credentials: Some(creds),
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

#[tokio::test]
async fn login_store_lookup_erase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let docker_config = dir.path().join("docker");
    std::fs::create_dir(&docker_config).expect("docker config dir");
    // SAFETY: this test binary holds a single test; nothing else reads the environment now.
    unsafe {
        std::env::set_var("DOCKER_CONFIG", &docker_config);
        std::env::set_var("GNUPGHOME", dir.path().join("gnupg"));
        std::env::set_var("PASSWORD_STORE_DIR", dir.path().join("store"));
    }
    let reg = Registry::start(AuthMode::Htpasswd {
        user: "alice",
        password: "wonderland",
    });
    let config_path = docker_config.join("config.json");

    // 1. No helper: the login goes to `auths`, base64, file created 0600.
    let mut cfg = DockerConfig::load_default().expect("load");
    assert_eq!(cfg.path(), config_path);
    let login = Credentials::basic(&reg.addr, "alice", "wonderland");
    browse_client(&reg.addr, login.clone())
        .check_login()
        .await
        .expect("login verified against the registry");
    cfg.store(&login).await.expect("store in auths");
    let mode = std::fs::metadata(&config_path)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let saved = read_json(&config_path);
    assert_eq!(
        saved["auths"][&reg.addr]["auth"],
        "YWxpY2U6d29uZGVybGFuZA=="
    );
    let found = DockerConfig::load_default()
        .expect("reload")
        .get(&format!("http://{}/v2/", reg.addr))
        .await
        .expect("lookup")
        .expect("login found by URL spelling");
    assert_eq!(found.username, "alice");
    assert_eq!(
        found.password.as_ref().map(Secret::expose),
        Some("wonderland")
    );
    assert!(browse_client(&reg.addr, found).catalog().await.is_ok());
    // A wrong password is refused by the registry before anything is stored.
    let wrong = Credentials::basic(&reg.addr, "alice", "nope");
    assert!(browse_client(&reg.addr, wrong).check_login().await.is_err());

    // The one-call login/logout the dialog uses.
    let mut cfg = DockerConfig::load_default().expect("load");
    cfg.erase(&reg.addr).await.expect("erase");
    let err = session::login(&mut cfg, &reg.addr, "alice", Secret::new("nope"), false)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("rejected the credentials"),
        "{err}"
    );
    assert!(
        read_json(&config_path)["auths"].get(&reg.addr).is_none(),
        "nothing stored"
    );
    let auth = session::login(
        &mut cfg,
        &reg.addr,
        "alice",
        Secret::new("wonderland"),
        false,
    )
    .await
    .expect("login");
    assert_eq!(auth, dockhand::registry::client::AuthKind::Basic);
    assert_eq!(
        read_json(&config_path)["auths"][&reg.addr]["auth"],
        "YWxpY2U6d29uZGVybGFuZA=="
    );
    session::logout(&mut cfg, &reg.addr).await.expect("logout");
    assert!(read_json(&config_path)["auths"].get(&reg.addr).is_none());
    cfg.store(&login).await.expect("store again");

    // 2. With credsStore = pass: the secret goes to the helper, `auths` keeps an empty entry.
    if !have("docker-credential-pass") || !have("pass") || !have("gpg") {
        assert!(
            std::env::var("DOCKHAND_REQUIRE_ENGINE").is_err(),
            "docker-credential-pass, pass and gpg are needed (apt-get install golang-docker-credential-helpers pass)"
        );
        eprintln!("skipping helper part: docker-credential-pass/pass/gpg not installed");
        return;
    }
    let _pass = PassStore::create(dir.path());
    let mut text = read_json(&config_path);
    text["credsStore"] = "pass".into();
    text["currentContext"] = "default".into();
    std::fs::write(&config_path, text.to_string()).expect("write config");
    let mut cfg = DockerConfig::load_default().expect("load");
    assert_eq!(cfg.helper_for(&reg.addr).as_deref(), Some("pass"));
    cfg.store(&login).await.expect("store via helper");
    let raw = std::fs::read_to_string(&config_path).expect("read");
    assert!(
        !raw.contains("wonderland") && !raw.contains("YWxpY2U6d29uZGVybGFuZA"),
        "{raw}"
    );
    let saved = read_json(&config_path);
    assert_eq!(saved["auths"][&reg.addr], serde_json::json!({}));
    assert_eq!(saved["currentContext"], "default", "other keys kept");
    let from_helper = cfg
        .get(&reg.addr)
        .await
        .expect("helper get")
        .expect("stored in pass");
    assert_eq!(from_helper.username, "alice");
    assert_eq!(
        from_helper.password.as_ref().map(Secret::expose),
        Some("wonderland")
    );
    let tags = browse_client(&reg.addr, from_helper).catalog().await;
    assert!(tags.is_ok(), "{tags:?}");
    // Unknown server: nothing, not an error.
    assert!(cfg.get("127.0.0.1:1").await.expect("get").is_none());

    // Identity tokens travel as Username "<token>".
    let token = Credentials {
        server_address: "tokens.example.invalid".into(),
        username: String::new(),
        password: None,
        identity_token: Some(Secret::new("refresh-me")),
    };
    cfg.store(&token).await.expect("store token");
    let back = cfg
        .get("tokens.example.invalid")
        .await
        .expect("get")
        .expect("token stored");
    assert_eq!(
        back.identity_token.as_ref().map(Secret::expose),
        Some("refresh-me")
    );
    assert!(back.password.is_none());

    // Erase removes it from the helper and from `auths`.
    cfg.erase(&reg.addr).await.expect("erase");
    assert!(cfg.get(&reg.addr).await.expect("get").is_none());
    assert!(read_json(&config_path)["auths"].get(&reg.addr).is_none());

    // credHelpers picks a helper per registry; a missing helper is named in the error.
    let mut text = read_json(&config_path);
    text["credHelpers"] = serde_json::json!({ reg.addr.clone(): "dockhand-missing" });
    std::fs::write(&config_path, text.to_string()).expect("write config");
    let cfg = DockerConfig::load_default().expect("load");
    match cfg.get(&reg.addr).await {
        Err(CredentialsError::HelperMissing { program, .. }) => {
            assert_eq!(program, "docker-credential-dockhand-missing");
        }
        other => panic!("expected HelperMissing, got {other:?}"),
    }
    let msg = cfg.get(&reg.addr).await.unwrap_err().to_string();
    assert!(msg.contains("is it installed and in PATH"), "{msg}");
    // Other registries still use credsStore.
    assert_eq!(
        cfg.helper_for("other.example.invalid").as_deref(),
        Some("pass")
    );
}
