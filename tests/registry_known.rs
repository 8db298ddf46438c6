//! The registries the private engine trusts (from `/info`) reach the registry pane beside the
//! Docker config's hosts: checked against what the engine itself reports to the docker CLI.

mod common;

use dockhand::engine::registry::{RegistryReply, RegistryRequest, answer, engine_registries};
use dockhand::registry::known::Origin;
use dockhand::state::registry::RegistryState;

/// `docker info`'s RegistryConfig for the engine at `DOCKER_HOST`, when the CLI is installed.
fn cli_registry_config() -> Option<serde_json::Value> {
    let out = std::process::Command::new("docker")
        .args(["info", "--format", "{{json .RegistryConfig}}"])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "docker info failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("RegistryConfig JSON"))
}

#[tokio::test]
async fn the_engines_trusted_registries_and_config_logins_are_listed_once() {
    let Some(docker) = common::engine::docker().await else {
        return;
    };
    let engine = engine_registries(Some(&docker))
        .await
        .expect("engine /info");
    // The private engine runs with an empty daemon.json: no --insecure-registry, so it trusts
    // the loopback range by default and indexes docker.io securely.
    assert!(
        engine.insecure_cidrs.iter().any(|c| c == "127.0.0.0/8"),
        "{engine:?}"
    );
    assert!(
        engine.index.contains(&("docker.io".to_string(), true)),
        "{engine:?}"
    );
    if let Some(cli) = cli_registry_config() {
        let cidrs: Vec<String> = cli["InsecureRegistryCIDRs"]
            .as_array()
            .expect("CIDRs")
            .iter()
            .map(|v| v.as_str().expect("CIDR").to_string())
            .collect();
        assert_eq!(engine.insecure_cidrs, cidrs);
        let mut names: Vec<String> = cli["IndexConfigs"]
            .as_object()
            .expect("IndexConfigs")
            .keys()
            .cloned()
            .collect();
        names.sort();
        let ours: Vec<String> = engine.index.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(ours, names);
    } else {
        eprintln!("NOTICE: docker CLI not installed: not cross-checked against `docker info`");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"auths": {"https://index.docker.io/v1/": {}, "127.0.0.1:5000": {}},
            "credHelpers": {"127.0.0.1:5000": "none"}}"#,
    )
    .expect("write config");
    // SAFETY: the only test of this binary, on a current-thread runtime: nothing reads the
    // environment while it is set.
    unsafe { std::env::set_var("DOCKER_CONFIG", dir.path()) };
    let reply = answer(Some(&docker), RegistryRequest::Known).await;
    let RegistryReply::Known(known) = &reply else {
        panic!("{reply:?}");
    };
    assert_eq!(known.engine_error, None);
    let mut state = RegistryState::default();
    state.on_reply(reply.clone());
    state.on_reply(reply);
    let urls: Vec<&str> = state.registries.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(urls, vec!["docker.io", "127.0.0.1:5000"], "one row each");
    assert_eq!(state.origins_of(0), &[Origin::Engine, Origin::Auths]);
    assert_eq!(state.origins_of(1), &[Origin::Auths, Origin::CredHelper]);
    assert_eq!(state.trusted_ranges, engine.insecure_cidrs);
}
