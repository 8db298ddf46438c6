//! Volumes: list with sizes and users, create, remove (refused while in use), and prune with an
//! exact preview.
//!
//! Sizes and reference counts come from `/system/df` (the volume list does not carry them on API
//! 1.41). Prune semantics depend on the engine: before API 1.42 a prune removes every unused
//! local volume; from 1.42 it removes only anonymous ones unless the `all=true` filter is given.
use std::collections::HashMap;

use bollard::Docker;
use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::{PruneVolumesOptionsBuilder, RemoveVolumeOptionsBuilder};

use super::EngineError;
use super::disk;
use super::disk_types::DiskVolume;
use super::raw_api::RawApi;

/// The label newer engines put on volumes created without a name.
pub const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

/// Which unused volumes a prune takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumePruneScope {
    /// Only anonymous volumes (the engine's default from API 1.42).
    #[default]
    Anonymous,
    /// Named ones too.
    All,
}

/// A volume to create.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VolumeSpec {
    /// Name; empty lets the engine choose one.
    pub name: String,
    /// Driver; empty for `local`.
    pub driver: String,
    /// Labels.
    pub labels: Vec<(String, String)>,
    /// Driver options.
    pub options: Vec<(String, String)>,
}

/// A volume prune preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumePrunePlan {
    /// What was asked.
    pub asked: VolumePruneScope,
    /// What the engine will do: API 1.41 engines know no `all` filter and prune every unused
    /// volume, so asking for anonymous ones there gives `All`.
    pub effective: VolumePruneScope,
    /// Label filters (`key` or `key=value`), all of which must match.
    pub labels: Vec<String>,
    /// Volumes that go.
    pub volumes: Vec<DiskVolume>,
    /// Their bytes, as the engine measures them.
    pub reclaim: u64,
}

/// What a volume prune did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VolumePruneReport {
    /// Names the engine deleted.
    pub deleted: Vec<String>,
    /// Bytes the engine reports reclaimed.
    pub reclaimed: u64,
}

/// Whether a label filter (`key`, `key=value`) matches a label set.
pub fn label_matches(filter: &str, labels: &[(String, String)]) -> bool {
    match filter.split_once('=') {
        Some((k, v)) => labels.iter().any(|(lk, lv)| lk == k && lv == v),
        None => labels.iter().any(|(lk, _)| lk == filter),
    }
}

/// The scope the engine applies for `asked` at API version `api`.
pub fn effective_scope(asked: VolumePruneScope, api: (u32, u32)) -> VolumePruneScope {
    if api < (1, 42) {
        VolumePruneScope::All
    } else {
        asked
    }
}

/// Computes which volumes a prune removes: unused ones (no container, running or not, refers to
/// them) that match every label filter and, for anonymous-only prunes, carry the anonymous label.
/// `gone` names containers that go first (system prune), whose references then no longer count.
pub fn plan(
    volumes: &[DiskVolume],
    asked: VolumePruneScope,
    api: (u32, u32),
    label_filters: &[String],
    gone: &[String],
) -> VolumePrunePlan {
    let effective = effective_scope(asked, api);
    let picked: Vec<DiskVolume> = volumes
        .iter()
        .filter(|v| match v.ref_count {
            Some(0) => true,
            Some(n) => {
                v.containers.len() as u64 == n && v.containers.iter().all(|c| gone.contains(c))
            }
            None => false,
        })
        .filter(|v| label_filters.iter().all(|f| label_matches(f, &v.labels)))
        .filter(|v| {
            effective == VolumePruneScope::All || v.labels.iter().any(|(k, _)| k == ANONYMOUS_LABEL)
        })
        .cloned()
        .collect();
    VolumePrunePlan {
        asked,
        effective,
        labels: label_filters.to_vec(),
        reclaim: picked.iter().filter_map(|v| v.size).sum(),
        volumes: picked,
    }
}

/// Every volume with size, reference count and the containers that mount it.
pub async fn list(docker: &Docker, raw: Option<&RawApi>) -> Result<Vec<DiskVolume>, EngineError> {
    let df = disk::raw_df(docker, raw).await?;
    let mut volumes = disk::parse_df(&df).volume_items;
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(volumes)
}

/// Creates a volume; returns its name.
pub async fn create(docker: &Docker, spec: &VolumeSpec) -> Result<String, EngineError> {
    let to_map = |kv: &[(String, String)]| kv.iter().cloned().collect::<HashMap<_, _>>();
    let body = VolumeCreateRequest {
        name: (!spec.name.is_empty()).then(|| spec.name.clone()),
        driver: (!spec.driver.is_empty()).then(|| spec.driver.clone()),
        labels: Some(to_map(&spec.labels)),
        driver_opts: Some(to_map(&spec.options)),
        ..Default::default()
    };
    let v = docker.create_volume(body).await?;
    Ok(v.name)
}

/// Names of the containers (running or not) that mount volume `name`.
pub async fn users(docker: &Docker, name: &str) -> Result<Vec<String>, EngineError> {
    let mut filters = HashMap::new();
    filters.insert("volume", vec![name]);
    let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let mut names: Vec<String> = docker
        .list_containers(Some(opts))
        .await?
        .into_iter()
        .filter_map(|c| c.names.and_then(|n| n.into_iter().next()))
        .map(|n| n.trim_start_matches('/').to_string())
        .collect();
    names.sort();
    Ok(names)
}

/// Removes a volume; refused before anything is sent while containers use it.
pub async fn remove(docker: &Docker, name: &str) -> Result<String, EngineError> {
    let users = users(docker, name).await?;
    if !users.is_empty() {
        return Err(EngineError::Invalid(format!(
            "volume {name} is in use by {}; remove those containers first",
            users.join(", ")
        )));
    }
    let opts = RemoveVolumeOptionsBuilder::default().force(false).build();
    docker.remove_volume(name, Some(opts)).await?;
    Ok(format!("removed volume {name}"))
}

/// Computes a volume prune preview from the engine's current state.
pub async fn prune_plan(
    docker: &Docker,
    raw: Option<&RawApi>,
    scope: VolumePruneScope,
    label_filters: &[String],
) -> Result<VolumePrunePlan, EngineError> {
    let volumes = list(docker, raw).await?;
    Ok(plan(
        &volumes,
        scope,
        api_version(docker),
        label_filters,
        &[],
    ))
}

/// The negotiated API version as `(major, minor)`.
pub fn api_version(docker: &Docker) -> (u32, u32) {
    let v = docker.client_version();
    (v.major_version as u32, v.minor_version as u32)
}

/// Prunes unused volumes and reports what the engine deleted.
pub async fn prune(
    docker: &Docker,
    scope: VolumePruneScope,
    label_filters: &[String],
) -> Result<VolumePruneReport, EngineError> {
    let mut filters: HashMap<&str, Vec<&str>> = HashMap::new();
    if !label_filters.is_empty() {
        filters.insert("label", label_filters.iter().map(String::as_str).collect());
    }
    if scope == VolumePruneScope::All && api_version(docker) >= (1, 42) {
        filters.insert("all", vec!["true"]);
    }
    let opts = PruneVolumesOptionsBuilder::default()
        .filters(&filters)
        .build();
    let r = docker.prune_volumes(Some(opts)).await?;
    Ok(VolumePruneReport {
        deleted: r.volumes_deleted.unwrap_or_default(),
        reclaimed: r
            .space_reclaimed
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(
        name: &str,
        refs: u64,
        size: u64,
        labels: &[(&str, &str)],
        users: &[&str],
    ) -> DiskVolume {
        DiskVolume {
            name: name.into(),
            ref_count: Some(refs),
            size: Some(size),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            containers: users.iter().map(|u| u.to_string()).collect(),
            ..Default::default()
        }
    }

    fn fixture() -> Vec<DiskVolume> {
        vec![
            vol("named", 0, 10, &[("team", "a")], &[]),
            vol("anon", 0, 20, &[(ANONYMOUS_LABEL, "")], &[]),
            vol("busy", 1, 40, &[], &["web"]),
            vol("old", 1, 80, &[("team", "b")], &["stopped"]),
        ]
    }

    fn names(p: &VolumePrunePlan) -> Vec<&str> {
        p.volumes.iter().map(|v| v.name.as_str()).collect()
    }

    #[test]
    fn api_141_prunes_every_unused_volume() {
        let p = plan(&fixture(), VolumePruneScope::Anonymous, (1, 41), &[], &[]);
        assert_eq!(p.effective, VolumePruneScope::All);
        assert_eq!(names(&p), vec!["named", "anon"]);
        assert_eq!(p.reclaim, 30);
    }

    #[test]
    fn newer_engines_prune_anonymous_volumes_unless_asked_for_all() {
        let p = plan(&fixture(), VolumePruneScope::Anonymous, (1, 43), &[], &[]);
        assert_eq!(names(&p), vec!["anon"]);
        let p = plan(&fixture(), VolumePruneScope::All, (1, 43), &[], &[]);
        assert_eq!(names(&p), vec!["named", "anon"]);
    }

    #[test]
    fn label_filters_and_containers_that_go_first() {
        let team = vec!["team".to_string()];
        let p = plan(&fixture(), VolumePruneScope::All, (1, 41), &team, &[]);
        assert_eq!(names(&p), vec!["named"]);
        let gone = vec!["stopped".to_string()];
        let p = plan(&fixture(), VolumePruneScope::All, (1, 41), &[], &gone);
        assert_eq!(names(&p), vec!["named", "anon", "old"]);
        assert_eq!(p.reclaim, 110);
        assert!(label_matches("team=b", &fixture()[3].labels));
        assert!(!label_matches("team=a", &fixture()[3].labels));
    }
}
