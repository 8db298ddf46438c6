//! Networks: list with subnets and attached containers, create, remove (refused while in use and
//! for the engine's own networks), connect and disconnect, and prune with an exact preview.
//!
//! Nothing here sends traffic to a network's addresses: only the engine API is spoken.
//!
//! The engine's prune removes every network that is not predefined and has no active endpoint:
//! containers that are not running have none, so a network used only by stopped containers goes
//! (and those containers then fail to start). The preview names them.
use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{Ipam, IpamConfig, NetworkConnectRequest, NetworkCreateRequest};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::EngineError;
use super::disk::{labels, str_field};
use super::raw_api::RawApi;
use super::volumes::label_matches;

/// Networks the engine makes itself and never removes.
pub const PREDEFINED: &[&str] = &["bridge", "host", "none", "default"];

/// A container attached to a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkMember {
    /// Container ID.
    pub id: String,
    /// Container name.
    pub name: String,
    /// Running (or paused/restarting): it has an active endpoint.
    pub active: bool,
}

/// A network as listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkInfo {
    /// Full ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Driver (`bridge`, `host`, `null`, `macvlan`, …).
    pub driver: String,
    /// `local`, `swarm` or `global`.
    pub scope: String,
    /// Creation time as the engine words it.
    pub created: String,
    /// No outside access.
    pub internal: bool,
    /// IPAM subnets (CIDR).
    pub subnets: Vec<String>,
    /// IPAM gateways.
    pub gateways: Vec<String>,
    /// Labels, sorted.
    pub labels: Vec<(String, String)>,
    /// Containers attached (running or not), by name.
    pub containers: Vec<NetworkMember>,
    /// One of the engine's own networks (bridge, host, none).
    pub predefined: bool,
}

/// A network to create.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkSpec {
    /// Name.
    pub name: String,
    /// Driver; empty for the engine's default (`bridge`).
    pub driver: String,
    /// Subnet in CIDR form, when chosen.
    pub subnet: Option<String>,
    /// Gateway, when chosen.
    pub gateway: Option<String>,
    /// No outside access.
    pub internal: bool,
    /// Labels.
    pub labels: Vec<(String, String)>,
}

/// Filters of a network prune.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkPruneFilters {
    /// Only networks created more than this long ago.
    pub until: Option<Duration>,
    /// Label filters (`key` or `key=value`), all of which must match.
    pub labels: Vec<String>,
}

/// One network a prune removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPruneItem {
    /// The network.
    pub name: String,
    /// Stopped containers that refer to it and will not start once it is gone.
    pub stopped_users: Vec<String>,
}

/// A network prune preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPrunePlan {
    /// The filters asked for.
    pub filters: NetworkPruneFilters,
    /// Networks that go.
    pub networks: Vec<NetworkPruneItem>,
}

fn parse_network(v: &Value) -> NetworkInfo {
    let ipam: &[Value] = v
        .pointer("/IPAM/Config")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let name = str_field(v, "Name");
    NetworkInfo {
        id: str_field(v, "Id"),
        driver: str_field(v, "Driver"),
        scope: str_field(v, "Scope"),
        created: str_field(v, "Created"),
        internal: v.get("Internal").and_then(Value::as_bool).unwrap_or(false),
        subnets: ipam
            .iter()
            .map(|c| str_field(c, "Subnet"))
            .filter(|s| !s.is_empty())
            .collect(),
        gateways: ipam
            .iter()
            .map(|c| str_field(c, "Gateway"))
            .filter(|s| !s.is_empty())
            .collect(),
        labels: labels(v, "Labels"),
        containers: Vec::new(),
        predefined: PREDEFINED.contains(&name.as_str()),
        name,
    }
}

/// Builds the network list from `/networks` and `/containers/json?all=1` answers.
pub fn assemble(networks: &Value, containers: &Value) -> Vec<NetworkInfo> {
    let mut members: HashMap<String, Vec<NetworkMember>> = HashMap::new();
    for c in networks_of(containers) {
        let (id, name, active, nets) = c;
        for net in nets {
            members.entry(net).or_default().push(NetworkMember {
                id: id.clone(),
                name: name.clone(),
                active,
            });
        }
    }
    let mut out: Vec<NetworkInfo> = networks
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(parse_network)
        .map(|mut n| {
            n.containers = members.remove(&n.name).unwrap_or_default();
            n.containers.sort_by(|a, b| a.name.cmp(&b.name));
            n
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `(id, name, active, network names)` of each container of a container list.
fn networks_of(containers: &Value) -> Vec<(String, String, bool, Vec<String>)> {
    let list = containers.as_array().map_or(&[][..], Vec::as_slice);
    list.iter()
        .map(|c| {
            let state = str_field(c, "State");
            let name = c
                .get("Names")
                .and_then(Value::as_array)
                .and_then(|n| n.first())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string();
            let nets = c
                .pointer("/NetworkSettings/Networks")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let active = matches!(state.as_str(), "running" | "paused" | "restarting");
            (str_field(c, "Id"), name, active, nets)
        })
        .collect()
}

/// Computes which networks a prune removes, at time `now`.
pub fn plan(
    networks: &[NetworkInfo],
    filters: &NetworkPruneFilters,
    now: DateTime<Utc>,
) -> NetworkPrunePlan {
    let cutoff = filters
        .until
        .map(|d| now - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX));
    let picked = networks
        .iter()
        .filter(|n| !n.predefined && n.scope != "swarm")
        .filter(|n| n.containers.iter().all(|m| !m.active))
        .filter(|n| filters.labels.iter().all(|f| label_matches(f, &n.labels)))
        .filter(|n| match cutoff {
            None => true,
            Some(cut) => DateTime::parse_from_rfc3339(&n.created).is_ok_and(|t| t <= cut),
        })
        .map(|n| NetworkPruneItem {
            name: n.name.clone(),
            stopped_users: n.containers.iter().map(|m| m.name.clone()).collect(),
        })
        .collect();
    NetworkPrunePlan {
        filters: filters.clone(),
        networks: picked,
    }
}

async fn raw_or_bollard_networks(
    docker: &Docker,
    raw: Option<&RawApi>,
) -> Result<(Value, Value), EngineError> {
    match raw {
        Some(raw) => tokio::try_join!(raw.get("/networks"), raw.get("/containers/json?all=1")),
        None => {
            let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
                .all(true)
                .build();
            let (n, c) = tokio::try_join!(
                docker.list_networks(None::<bollard::query_parameters::ListNetworksOptions>),
                docker.list_containers(Some(opts))
            )?;
            let to = |e: serde_json::Error| EngineError::Invalid(e.to_string());
            Ok((
                serde_json::to_value(n).map_err(to)?,
                serde_json::to_value(c).map_err(to)?,
            ))
        }
    }
}

/// Every network with its subnets and attached containers.
pub async fn list(docker: &Docker, raw: Option<&RawApi>) -> Result<Vec<NetworkInfo>, EngineError> {
    let (networks, containers) = raw_or_bollard_networks(docker, raw).await?;
    Ok(assemble(&networks, &containers))
}

/// Creates a network; returns its ID.
pub async fn create(docker: &Docker, spec: &NetworkSpec) -> Result<String, EngineError> {
    let ipam = spec.subnet.as_ref().map(|subnet| Ipam {
        config: Some(vec![IpamConfig {
            subnet: Some(subnet.clone()),
            gateway: spec.gateway.clone(),
            ..Default::default()
        }]),
        ..Default::default()
    });
    let body = NetworkCreateRequest {
        name: spec.name.clone(),
        driver: (!spec.driver.is_empty()).then(|| spec.driver.clone()),
        internal: Some(spec.internal),
        ipam,
        labels: Some(spec.labels.iter().cloned().collect()),
        ..Default::default()
    };
    let r = docker.create_network(body).await?;
    Ok(r.id)
}

/// Why a network may not be removed, if it may not: predefined, or containers attached
/// (running or not: the engine would remove it under a stopped container).
pub fn removal_refusal(network: &NetworkInfo) -> Option<String> {
    if network.predefined {
        return Some(format!(
            "{} is one of the engine's own networks and cannot be removed",
            network.name
        ));
    }
    if network.containers.is_empty() {
        return None;
    }
    let names: Vec<&str> = network.containers.iter().map(|m| m.name.as_str()).collect();
    Some(format!(
        "network {} is in use by {}; disconnect or remove them first",
        network.name,
        names.join(", ")
    ))
}

/// Removes a network; refused before anything is sent when [`removal_refusal`] says so.
pub async fn remove(
    docker: &Docker,
    raw: Option<&RawApi>,
    name: &str,
) -> Result<String, EngineError> {
    let networks = list(docker, raw).await?;
    let network = networks
        .iter()
        .find(|n| n.name == name || n.id == name)
        .ok_or_else(|| EngineError::Invalid(format!("no network {name}")))?;
    if let Some(why) = removal_refusal(network) {
        return Err(EngineError::Invalid(why));
    }
    docker.remove_network(&network.id).await?;
    Ok(format!("removed network {}", network.name))
}

/// Attaches a container to a network.
pub async fn connect(
    docker: &Docker,
    network: &str,
    container: &str,
) -> Result<String, EngineError> {
    let body = NetworkConnectRequest {
        container: container.to_string(),
        ..Default::default()
    };
    docker.connect_network(network, body).await?;
    Ok(format!("connected {container} to {network}"))
}

/// Detaches a container from a network.
pub async fn disconnect(
    docker: &Docker,
    network: &str,
    container: &str,
    force: bool,
) -> Result<String, EngineError> {
    let body = bollard::models::NetworkDisconnectRequest {
        container: container.to_string(),
        force: Some(force),
    };
    docker.disconnect_network(network, body).await?;
    Ok(format!("disconnected {container} from {network}"))
}

/// Computes a network prune preview from the engine's current state.
pub async fn prune_plan(
    docker: &Docker,
    raw: Option<&RawApi>,
    filters: &NetworkPruneFilters,
) -> Result<NetworkPrunePlan, EngineError> {
    let networks = list(docker, raw).await?;
    Ok(plan(&networks, filters, Utc::now()))
}

/// The engine's prune filters for these options.
pub fn prune_filters(
    until: Option<Duration>,
    label_filters: &[String],
) -> HashMap<String, Vec<String>> {
    let mut filters = HashMap::new();
    if let Some(d) = until {
        filters.insert("until".to_string(), vec![super::buildcache::go_duration(d)]);
    }
    if !label_filters.is_empty() {
        filters.insert("label".to_string(), label_filters.to_vec());
    }
    filters
}

/// Prunes unused networks; returns the names the engine deleted.
pub async fn prune(
    docker: &Docker,
    filters: &NetworkPruneFilters,
) -> Result<Vec<String>, EngineError> {
    let f = prune_filters(filters.until, &filters.labels);
    let opts = bollard::query_parameters::PruneNetworksOptionsBuilder::default()
        .filters(&f)
        .build();
    let r = docker.prune_networks(Some(opts)).await?;
    Ok(r.networks_deleted.unwrap_or_default())
}

#[cfg(test)]
#[path = "networks_tests.rs"]
mod tests;
