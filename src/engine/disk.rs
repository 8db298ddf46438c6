//! `docker system df -v` from the engine's raw `/system/df` answer, in both of its forms, plus the
//! free space of the engine's data root when the engine runs on this machine.
//!
//! API < 1.52 engines send lists and `LayersSize`; the summary is then computed the way the
//! Docker CLI 20.10 does (the engine's own tool on Debian). API 1.52+ engines send per-kind
//! summaries, taken as they are.
use std::collections::HashMap;

use bollard::Docker;
use serde_json::Value;

use super::EngineError;
use super::disk_types::{
    BuildCacheRecord, DataRoot, DfFormat, DiskCategory, DiskContainer, DiskImage, DiskUsage,
    DiskVolume,
};
use super::raw_api::{RawApi, Transport};

/// A non-negative integer field; the engine's `-1` ("not computed") and absence give `None`.
pub(crate) fn size_field(v: &Value, key: &str) -> Option<u64> {
    v.get(key)
        .and_then(Value::as_i64)
        .and_then(|n| u64::try_from(n).ok())
}

pub(crate) fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn str_list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn labels(v: &Value, key: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn time_field(v: &Value, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = v.get(key)?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Reads one image of the answer.
pub fn parse_image(v: &Value) -> DiskImage {
    let size = size_field(v, "Size");
    let shared_size = size_field(v, "SharedSize");
    DiskImage {
        id: str_field(v, "Id"),
        repo_tags: str_list(v, "RepoTags")
            .into_iter()
            .filter(|t| t != "<none>:<none>")
            .collect(),
        repo_digests: str_list(v, "RepoDigests")
            .into_iter()
            .filter(|t| t != "<none>@<none>")
            .collect(),
        parent_id: str_field(v, "ParentId"),
        created: v.get("Created").and_then(Value::as_i64).unwrap_or(0),
        size,
        shared_size,
        unique_size: size.zip(shared_size).map(|(s, sh)| s.saturating_sub(sh)),
        containers: size_field(v, "Containers"),
    }
}

/// Reads one container of the answer.
pub fn parse_container(v: &Value) -> DiskContainer {
    let root = size_field(v, "SizeRootFs");
    // The engine leaves `SizeRw` out when it is zero (omitempty) but then reports `SizeRootFs`.
    let size_rw = size_field(v, "SizeRw").or(root.map(|_| 0));
    let volumes = array(v, "Mounts")
        .iter()
        .filter(|m| m.get("Type").and_then(Value::as_str) == Some("volume"))
        .map(|m| str_field(m, "Name"))
        .collect();
    let networks = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    DiskContainer {
        id: str_field(v, "Id"),
        name: str_list(v, "Names")
            .first()
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default(),
        image: str_field(v, "Image"),
        image_id: str_field(v, "ImageID"),
        command: str_field(v, "Command"),
        created: v.get("Created").and_then(Value::as_i64).unwrap_or(0),
        state: str_field(v, "State"),
        status: str_field(v, "Status"),
        size_rw,
        size_root_fs: root,
        volumes,
        networks,
    }
}

/// Whether a volume name is one the engine made up (64 hex digits).
pub fn is_generated_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads one volume of the answer (or of `/volumes`).
pub fn parse_volume(v: &Value) -> DiskVolume {
    let labels = labels(v, "Labels");
    let name = str_field(v, "Name");
    let anonymous = labels
        .iter()
        .any(|(k, _)| k == "com.docker.volume.anonymous")
        || is_generated_name(&name);
    DiskVolume {
        driver: str_field(v, "Driver"),
        mountpoint: str_field(v, "Mountpoint"),
        scope: str_field(v, "Scope"),
        created: str_field(v, "CreatedAt"),
        size: v.get("UsageData").and_then(|u| size_field(u, "Size")),
        ref_count: v.get("UsageData").and_then(|u| size_field(u, "RefCount")),
        containers: Vec::new(),
        anonymous,
        labels,
        name,
    }
}

/// Reads one build-cache record of the answer.
pub fn parse_record(v: &Value) -> BuildCacheRecord {
    let mut parents = str_list(v, "Parents");
    let parent = str_field(v, "Parent");
    if parents.is_empty() && !parent.is_empty() {
        parents.push(parent);
    }
    BuildCacheRecord {
        id: str_field(v, "ID"),
        parents,
        kind: str_field(v, "Type"),
        description: str_field(v, "Description"),
        in_use: v.get("InUse").and_then(Value::as_bool).unwrap_or(false),
        shared: v.get("Shared").and_then(Value::as_bool).unwrap_or(false),
        size: size_field(v, "Size").unwrap_or(0),
        created_at: time_field(v, "CreatedAt"),
        last_used_at: time_field(v, "LastUsedAt"),
        usage_count: size_field(v, "UsageCount").unwrap_or(0),
    }
}

/// The images row as the CLI computes it from a legacy answer: everything minus the unique
/// bytes of images in use (so shared layers of images in use count as reclaimable: an estimate).
fn legacy_images(images: &[DiskImage], layers_size: Option<u64>) -> DiskCategory {
    let used: u64 = images
        .iter()
        .filter(|i| i.containers.is_some_and(|c| c > 0))
        .filter_map(|i| i.unique_size)
        .sum();
    DiskCategory {
        total_count: images.len() as u64,
        active_count: images
            .iter()
            .filter(|i| i.containers.is_some_and(|c| c > 0))
            .count() as u64,
        size: layers_size,
        reclaimable: layers_size.map(|s| s.saturating_sub(used)),
        reclaimable_exact: false,
    }
}

fn legacy_containers(containers: &[DiskContainer]) -> DiskCategory {
    let all_known = containers.iter().all(|c| c.size_rw.is_some());
    let sum = |active: Option<bool>| -> u64 {
        containers
            .iter()
            .filter(|c| active.is_none_or(|a| c.is_active() == a))
            .filter_map(|c| c.size_rw)
            .sum()
    };
    DiskCategory {
        total_count: containers.len() as u64,
        active_count: containers.iter().filter(|c| c.is_active()).count() as u64,
        size: all_known.then(|| sum(None)),
        reclaimable: all_known.then(|| sum(Some(false))),
        reclaimable_exact: true,
    }
}

fn legacy_volumes(volumes: &[DiskVolume]) -> DiskCategory {
    let any_known = volumes.is_empty() || volumes.iter().any(|v| v.size.is_some());
    DiskCategory {
        total_count: volumes.len() as u64,
        active_count: volumes
            .iter()
            .filter(|v| v.ref_count.is_some_and(|r| r > 0))
            .count() as u64,
        size: any_known.then(|| volumes.iter().filter_map(|v| v.size).sum()),
        reclaimable: any_known.then(|| {
            volumes
                .iter()
                .filter(|v| v.ref_count == Some(0))
                .filter_map(|v| v.size)
                .sum()
        }),
        reclaimable_exact: true,
    }
}

fn legacy_build_cache(records: &[BuildCacheRecord]) -> DiskCategory {
    let size: u64 = records.iter().filter(|r| !r.shared).map(|r| r.size).sum();
    let in_use: u64 = records
        .iter()
        .filter(|r| r.in_use && !r.shared)
        .map(|r| r.size)
        .sum();
    DiskCategory {
        total_count: records.len() as u64,
        active_count: records.iter().filter(|r| r.in_use).count() as u64,
        size: Some(size),
        reclaimable: Some(size.saturating_sub(in_use)),
        reclaimable_exact: false,
    }
}

fn summary(v: &Value, exact: bool) -> DiskCategory {
    DiskCategory {
        total_count: size_field(v, "TotalCount").unwrap_or(0),
        active_count: size_field(v, "ActiveCount").unwrap_or(0),
        size: size_field(v, "TotalSize"),
        reclaimable: size_field(v, "Reclaimable"),
        reclaimable_exact: exact,
    }
}

/// Reads a `/system/df` answer of either form. An answer with neither form's fields gives
/// categories with nothing reported.
pub fn parse_df(v: &Value) -> DiskUsage {
    let summaries = v.get("ImageUsage").is_some()
        || v.get("ContainerUsage").is_some()
        || v.get("VolumeUsage").is_some()
        || v.get("BuildCacheUsage").is_some();
    let items = |outer: Option<&str>, key: &str| -> Vec<Value> {
        match outer {
            Some(o) => v.get(o).map(|u| array(u, key).to_vec()).unwrap_or_default(),
            None => array(v, key).to_vec(),
        }
    };
    let pick = |kind: &'static str| summaries.then_some(kind);
    let image_items: Vec<DiskImage> = items(pick("ImageUsage"), pick_key(summaries, "Images"))
        .iter()
        .map(parse_image)
        .collect();
    let container_items: Vec<DiskContainer> =
        items(pick("ContainerUsage"), pick_key(summaries, "Containers"))
            .iter()
            .map(parse_container)
            .collect();
    let mut volume_items: Vec<DiskVolume> =
        items(pick("VolumeUsage"), pick_key(summaries, "Volumes"))
            .iter()
            .map(parse_volume)
            .collect();
    let build_cache_items: Vec<BuildCacheRecord> =
        items(pick("BuildCacheUsage"), pick_key(summaries, "BuildCache"))
            .iter()
            .map(parse_record)
            .collect();
    attach_volume_users(&mut volume_items, &container_items);
    let (images, containers, volumes, build_cache) = if summaries {
        let part = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
        (
            summary(&part("ImageUsage"), false),
            summary(&part("ContainerUsage"), true),
            summary(&part("VolumeUsage"), true),
            summary(&part("BuildCacheUsage"), false),
        )
    } else {
        let mut kinds = [
            legacy_images(&image_items, size_field(v, "LayersSize")),
            legacy_containers(&container_items),
            legacy_volumes(&volume_items),
            legacy_build_cache(&build_cache_items),
        ];
        if v.get("LayersSize").is_none() && v.get("Images").is_none() {
            for kind in &mut kinds {
                kind.size = None;
                kind.reclaimable = None;
            }
        }
        let [images, containers, volumes, build_cache] = kinds;
        (images, containers, volumes, build_cache)
    };
    DiskUsage {
        images,
        containers,
        volumes,
        build_cache,
        image_items,
        container_items,
        volume_items,
        build_cache_items,
        builder_size: size_field(v, "BuilderSize"),
        data_root: DataRoot::NotReported("not asked".into()),
        format: if summaries {
            DfFormat::Summaries
        } else {
            DfFormat::Legacy
        },
    }
}

/// The list key of each form: the summaries form calls every list `Items`.
fn pick_key(summaries: bool, legacy: &'static str) -> &'static str {
    if summaries { "Items" } else { legacy }
}

/// Fills each volume's `containers` with the names of the containers that mount it.
pub fn attach_volume_users(volumes: &mut [DiskVolume], containers: &[DiskContainer]) {
    let mut users: HashMap<&str, Vec<String>> = HashMap::new();
    for c in containers {
        for v in &c.volumes {
            users.entry(v.as_str()).or_default().push(c.name.clone());
        }
    }
    for v in volumes {
        v.containers = users.remove(v.name.as_str()).unwrap_or_default();
        v.containers.sort();
    }
}

/// Free space of the filesystem holding `path`, through statvfs.
pub fn statvfs(path: &str) -> Result<(u64, u64), String> {
    let c = std::ffi::CString::new(path).map_err(|e| e.to_string())?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid NUL-terminated path and `st` is a properly sized out-parameter.
    let rc = unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: statvfs returned 0, so it filled `st`.
    let st = unsafe { st.assume_init() };
    // The field types are narrower than u64 on some targets.
    #[allow(clippy::unnecessary_cast)]
    let (frsize, blocks, avail) = (st.f_frsize as u64, st.f_blocks as u64, st.f_bavail as u64);
    Ok((blocks * frsize, avail * frsize))
}

/// The data root's free space: `DockerRootDir` from `/info` read with statvfs, only when the
/// engine is reached over a unix socket on this machine and the path exists here.
pub async fn data_root(raw: Option<&RawApi>) -> DataRoot {
    let Some(raw) = raw.filter(|r| matches!(r.transport, Transport::Unix(_))) else {
        return DataRoot::NotReported(
            "the engine is not on this machine: its free space is not reported".into(),
        );
    };
    let info = match raw.get("/info").await {
        Ok(info) => info,
        Err(e) => return DataRoot::NotReported(format!("/info failed: {e}")),
    };
    let path = str_field(&info, "DockerRootDir");
    if path.is_empty() {
        return DataRoot::NotReported("the engine does not report its data root".into());
    }
    if !std::path::Path::new(&path).exists() {
        return DataRoot::NotReported(format!(
            "the data root {path} is not on this machine (engine in a VM?)"
        ));
    }
    match statvfs(&path) {
        Ok((total, available)) => DataRoot::Reported {
            path,
            total,
            available,
        },
        Err(e) => DataRoot::NotReported(format!("statvfs {path}: {e}")),
    }
}

/// The raw `/system/df?verbose=1` answer. The engine runs one disk-usage computation at a time
/// and refuses a second one meanwhile ("a disk usage operation is already running", e.g. a
/// request this process gave up on is still being computed): that is waited out (up to 30 s).
pub async fn raw_df(docker: &Docker, raw: Option<&RawApi>) -> Result<Value, EngineError> {
    let mut tries = 0;
    loop {
        match raw_df_once(docker, raw).await {
            Err(e) if tries < 120 && e.to_string().contains("operation is already running") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            other => return other,
        }
    }
}

/// One `/system/df?verbose=1` request: by hand where possible, else through bollard (whose
/// model keeps only the API 1.52+ form).
async fn raw_df_once(docker: &Docker, raw: Option<&RawApi>) -> Result<Value, EngineError> {
    match raw {
        Some(raw) => raw.get("/system/df?verbose=1").await,
        None => {
            let opts = bollard::query_parameters::DataUsageOptionsBuilder::default()
                .verbose(true)
                .build();
            let df = docker.df(Some(opts)).await?;
            serde_json::to_value(df).map_err(|e| EngineError::Invalid(e.to_string()))
        }
    }
}

/// Everything `docker system df -v` shows, plus the data root's free space.
pub async fn disk_usage(docker: &Docker, raw: Option<&RawApi>) -> Result<DiskUsage, EngineError> {
    let (df, root) = tokio::join!(raw_df(docker, raw), data_root(raw));
    let mut usage = parse_df(&df?);
    usage.data_root = root;
    Ok(usage)
}

#[cfg(test)]
#[path = "disk_tests.rs"]
mod tests;
