//! Tests of Docker config credentials and helpers.
use super::*;

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.json");
    fs::write(&path, text).unwrap();
    path
}

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

#[test]
fn auth_keys_follow_docker_rules() {
    for hub in [
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1/",
        "http://docker.io",
    ] {
        assert_eq!(auth_key(hub), DOCKER_HUB_AUTH_KEY, "{hub}");
    }
    assert_eq!(auth_key("127.0.0.1:5000"), "127.0.0.1:5000");
    assert_eq!(auth_key("https://reg.example.com/v2/"), "reg.example.com");
    assert_eq!(convert_to_hostname("http://h:1/x/y"), "h:1");
    assert_eq!(convert_to_hostname("h"), "h");
}

#[test]
fn reads_auths_with_hub_key_and_url_keys() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"{{"auths": {{
            "https://index.docker.io/v1/": {{"auth": "{}"}},
            "https://reg.example.com/v2/": {{"auth": "{}", "identitytoken": "idtok"}},
            "127.0.0.1:5000": {{}}
        }}, "psFormat": "table {{{{.ID}}}}"}}"#,
        b64("hubuser:hub:pass"),
        b64("bob:pw\0")
    );
    let cfg = DockerConfig::load(write_config(dir.path(), &text)).unwrap();
    let hub = cfg.file_credentials("docker.io").unwrap().unwrap();
    assert_eq!(hub.username, "hubuser");
    assert_eq!(hub.password.as_ref().unwrap().expose(), "hub:pass");
    assert_eq!(hub.server_address, DOCKER_HUB_AUTH_KEY);
    let reg = cfg.file_credentials("reg.example.com").unwrap().unwrap();
    assert_eq!(reg.username, "bob");
    assert_eq!(reg.password.as_ref().unwrap().expose(), "pw");
    assert_eq!(reg.identity_token.as_ref().unwrap().expose(), "idtok");
    // An empty entry (helper-managed or logged out) is no login.
    assert!(cfg.file_credentials("127.0.0.1:5000").unwrap().is_none());
    assert!(cfg.file_credentials("other:1").unwrap().is_none());
    let bollard = hub.to_docker_credentials();
    assert_eq!(bollard.username.as_deref(), Some("hubuser"));
    assert_eq!(bollard.password.as_deref(), Some("hub:pass"));
    assert_eq!(bollard.serveraddress.as_deref(), Some(DOCKER_HUB_AUTH_KEY));
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"{{"auths": {{"h:1": {{"auth": "{}"}}}}}}"#,
        b64("u:s3cr3t-pw")
    );
    let cfg = DockerConfig::load(write_config(dir.path(), &text)).unwrap();
    let creds = cfg.file_credentials("h:1").unwrap().unwrap();
    let debug = format!("{creds:?} {cfg:?}");
    assert!(!debug.contains("s3cr3t-pw"), "{debug}");
    assert!(!debug.contains(&b64("u:s3cr3t-pw")), "{debug}");
    assert!(debug.contains("h:1"), "{debug}");
    // A damaged auth field: the message names the registry, not the content.
    let text = r#"{"auths": {"h:1": {"auth": "!!not-base64-s3cr3t!!"}}}"#;
    let cfg = DockerConfig::load(write_config(dir.path(), text)).unwrap();
    let err = cfg.file_credentials("h:1").unwrap_err().to_string();
    assert!(
        err.contains("h:1") && err.contains("not valid base64"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t"), "{err}");
    // Broken JSON: a position, no content.
    let cfg = DockerConfig::load(write_config(dir.path(), r#"{"auths": {"x": "s3cr3t"#));
    let err = cfg.unwrap_err().to_string();
    assert!(err.contains("line 1"), "{err}");
    assert!(!err.contains("s3cr3t"), "{err}");
}

#[test]
fn missing_or_empty_file_is_empty_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DockerConfig::load(dir.path().join("nope.json")).unwrap();
    assert!(cfg.registries().is_empty());
    assert!(cfg.creds_store().is_none());
    let cfg = DockerConfig::load(write_config(dir.path(), "  \n")).unwrap();
    assert!(cfg.registries().is_empty());
    let err = DockerConfig::load(write_config(dir.path(), "[1]")).unwrap_err();
    assert!(err.to_string().contains("not a JSON object"), "{err}");
}

#[test]
fn helper_selection() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"credsStore": "desktop", "credHelpers": {"gcr.io": "gcloud", "index.docker.io": "hub"}}"#;
    let cfg = DockerConfig::load(write_config(dir.path(), text)).unwrap();
    assert_eq!(cfg.helper_for("gcr.io").as_deref(), Some("gcloud"));
    assert_eq!(
        cfg.helper_for("https://gcr.io/v2/").as_deref(),
        Some("gcloud")
    );
    assert_eq!(cfg.helper_for("docker.io").as_deref(), Some("hub"));
    assert_eq!(cfg.helper_for("other.io").as_deref(), Some("desktop"));
    let cfg = DockerConfig::load(write_config(dir.path(), r#"{"credsStore": ""}"#)).unwrap();
    assert_eq!(cfg.helper_for("other.io"), None);
}

#[tokio::test]
async fn store_rewrites_atomically_and_keeps_other_keys() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"{{"auths": {{"https://reg.example.com": {{"auth": "{}"}}, "keep.io": {{"auth": "{}"}}}},
            "psFormat": "x", "proxies": {{"default": {{"httpProxy": "p"}}}}}}"#,
        b64("old:old"),
        b64("k:k")
    );
    let path = write_config(dir.path(), &text);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let mut cfg = DockerConfig::load(&path).unwrap();
    cfg.store(&Credentials::basic("reg.example.com", "new", "pw2"))
        .await
        .unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "existing mode kept");
    let saved: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["psFormat"], "x");
    assert_eq!(saved["proxies"]["default"]["httpProxy"], "p");
    assert_eq!(saved["auths"]["keep.io"]["auth"], b64("k:k"));
    // The URL-spelled key was replaced by the canonical one.
    assert!(saved["auths"].get("https://reg.example.com").is_none());
    assert_eq!(saved["auths"]["reg.example.com"]["auth"], b64("new:pw2"));
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temp file left: {leftovers:?}");
    let again = DockerConfig::load(&path).unwrap();
    let creds = again.file_credentials("reg.example.com").unwrap().unwrap();
    assert_eq!(creds.username, "new");

    let mut cfg = again;
    cfg.erase("https://reg.example.com/v2/").await.unwrap();
    let saved: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert!(saved["auths"].get("reg.example.com").is_none());
    assert!(saved["auths"].get("keep.io").is_some());
}

#[tokio::test]
async fn new_file_is_created_0600_with_hub_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("config.json");
    let mut cfg = DockerConfig::load(&path).unwrap();
    cfg.store(&Credentials::basic("docker.io", "me", "tok"))
        .await
        .unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\t\"auths\""),
        "tab indented like docker: {text}"
    );
    let saved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["auths"][DOCKER_HUB_AUTH_KEY]["auth"], b64("me:tok"));
}

#[tokio::test]
async fn symlinked_config_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    fs::write(&real, "{}").unwrap();
    let link = dir.path().join("config.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut cfg = DockerConfig::load(&link).unwrap();
    cfg.store(&Credentials::basic("h:1", "u", "p"))
        .await
        .unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(&real).unwrap().contains("h:1"));
}

#[test]
fn decode_auth_errors() {
    assert_eq!(
        decode_auth(&b64("a:b:c")).unwrap(),
        ("a".into(), "b:c".into())
    );
    assert!(decode_auth(&b64("nocolon")).unwrap_err().contains("no ':'"));
    assert!(decode_auth("%%%").unwrap_err().contains("base64"));
}

#[test]
fn a_broken_config_loads_leniently_with_a_warning_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), r#"{"auths": {"x": "s3cr3t"#);
    let (cfg, warnings) = DockerConfig::load_lenient(&path);
    assert!(cfg.registries().is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("line 1") && warnings[0].contains("saved logins ignored"));
    assert!(!warnings[0].contains("s3cr3t"), "{warnings:?}");
    let err = cfg.save().unwrap_err().to_string();
    assert!(err.contains("not overwritten"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        r#"{"auths": {"x": "s3cr3t"#
    );
    // A directory or unreadable file: the same.
    let (_, warnings) = DockerConfig::load_lenient(dir.path());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    // A missing file is no warning.
    let (cfg, warnings) = DockerConfig::load_lenient(dir.path().join("none.json"));
    assert!(warnings.is_empty());
    assert!(!cfg.registries().iter().any(|r| r == "x"));
}

#[test]
fn a_config_of_the_wrong_shape_says_what_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        r#"{"auths": {"good": {}, "bad": "s3cr3t"}, "credHelpers": {"h": 1}, "credsStore": []}"#;
    let (_, warnings) = DockerConfig::load_lenient(write_config(dir.path(), text));
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"auths.bad\" is not an object"))
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"credHelpers.h\" is not a helper name"))
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"credsStore\" is not a helper name"))
    );
    assert!(
        warnings.iter().all(|w| !w.contains("s3cr3t")),
        "{warnings:?}"
    );
    let (_, warnings) = DockerConfig::load_lenient(write_config(dir.path(), r#"{"auths": []}"#));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let (_, warnings) =
        DockerConfig::load_lenient(write_config(dir.path(), r#"{"auths": {"a": {}}}"#));
    assert!(warnings.is_empty(), "{warnings:?}");
}
