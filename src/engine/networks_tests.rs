//! Unit tests of the network list, removal refusals and the prune preview.
use super::*;

fn fixture() -> Vec<NetworkInfo> {
    let networks = serde_json::json!([
        {"Name": "none", "Id": "n0", "Driver": "null", "Scope": "local", "Created": "2026-01-01T00:00:00Z"},
        {"Name": "app", "Id": "n1", "Driver": "bridge", "Scope": "local",
         "Created": "2026-01-01T00:00:00.5Z", "Labels": {"team": "a"},
         "IPAM": {"Config": [{"Subnet": "10.99.0.0/24", "Gateway": "10.99.0.1"}]}},
        {"Name": "idle", "Id": "n2", "Driver": "bridge", "Scope": "local", "Created": "2026-06-01T00:00:00Z"},
        {"Name": "left", "Id": "n3", "Driver": "bridge", "Scope": "local", "Created": "2026-01-01T00:00:00Z"}
    ]);
    let containers = serde_json::json!([
        {"Id": "c1", "Names": ["/web"], "State": "running",
         "NetworkSettings": {"Networks": {"app": {}}}},
        {"Id": "c2", "Names": ["/old"], "State": "exited",
         "NetworkSettings": {"Networks": {"left": {}, "none": {}}}}
    ]);
    assemble(&networks, &containers)
}

#[test]
fn networks_carry_subnets_and_members() {
    let nets = fixture();
    let app = nets.iter().find(|n| n.name == "app").unwrap();
    assert_eq!(app.subnets, vec!["10.99.0.0/24"]);
    assert_eq!(app.gateways, vec!["10.99.0.1"]);
    assert_eq!(app.containers[0].name, "web");
    assert!(app.containers[0].active);
    assert!(nets.iter().find(|n| n.name == "none").unwrap().predefined);
}

#[test]
fn removal_is_refused_for_own_and_used_networks() {
    let nets = fixture();
    let by = |name: &str| nets.iter().find(|n| n.name == name).unwrap();
    assert!(
        removal_refusal(by("none"))
            .unwrap()
            .contains("engine's own")
    );
    assert!(
        removal_refusal(by("app"))
            .unwrap()
            .contains("in use by web")
    );
    // A stopped container counts as a user too.
    assert!(removal_refusal(by("left")).unwrap().contains("old"));
    assert_eq!(removal_refusal(by("idle")), None);
}

#[test]
fn prune_takes_networks_without_running_containers() {
    let now: DateTime<Utc> = "2026-07-01T00:00:00Z".parse().unwrap();
    let p = plan(&fixture(), &NetworkPruneFilters::default(), now);
    let names: Vec<_> = p.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, vec!["idle", "left"]);
    assert_eq!(p.networks[1].stopped_users, vec!["old"]);
    let until = NetworkPruneFilters {
        until: Some(Duration::from_secs(60 * 86_400)),
        labels: vec![],
    };
    let names: Vec<_> = plan(&fixture(), &until, now)
        .networks
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(names, vec!["left"]);
    let label = NetworkPruneFilters {
        until: None,
        labels: vec!["team=a".into()],
    };
    assert!(plan(&fixture(), &label, now).networks.is_empty());
}
