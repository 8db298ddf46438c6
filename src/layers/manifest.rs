//! The JSON documents of an image archive: docker `manifest.json`, OCI `index.json` and image
//! manifests, and the image config (diff ids and history).
use serde::Deserialize;
use std::collections::HashMap;

use super::error::LayersError;

/// What the manifest says: which layer blobs, in order, and which config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedManifest {
    /// Archive names of the layer blobs, base first.
    pub layers: Vec<String>,
    /// Archive name of the config blob.
    pub config: String,
    /// Tags, if the archive names any.
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifestItem {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    annotations: HashMap<String, String>,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OciDocument {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    manifests: Vec<Descriptor>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// The parts of the image config the analysis uses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    /// `rootfs`.
    #[serde(default)]
    pub rootfs: RootFs,
    /// `history`.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

/// `rootfs` of the image config.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    /// Uncompressed layer digests, base first.
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One `history` item of the image config.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryEntry {
    /// The instruction.
    #[serde(default)]
    pub created_by: String,
    /// True for metadata-only steps.
    #[serde(default)]
    pub empty_layer: bool,
}

/// The archive name of a blob digest (`sha256:abc` -> `blobs/sha256/abc`).
pub fn blob_name(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("blobs/{alg}/{hex}"),
        None => format!("blobs/sha256/{digest}"),
    }
}

fn bad(what: &str, err: impl std::fmt::Display) -> LayersError {
    LayersError::BadJson {
        what: what.to_string(),
        reason: err.to_string(),
    }
}

/// Parses a docker `manifest.json` (its first image, as dive does).
pub fn parse_docker_manifest(raw: &[u8]) -> Result<ResolvedManifest, LayersError> {
    let items: Vec<DockerManifestItem> =
        serde_json::from_slice(raw).map_err(|e| bad("manifest.json", e))?;
    let first = items
        .into_iter()
        .next()
        .ok_or_else(|| bad("manifest.json", "it lists no image"))?;
    Ok(ResolvedManifest {
        layers: first.layers,
        config: first.config,
        tags: first.repo_tags.unwrap_or_default(),
    })
}

/// Parses every image a docker `manifest.json` lists (a save of several images lists each).
pub fn parse_docker_manifest_all(raw: &[u8]) -> Result<Vec<ResolvedManifest>, LayersError> {
    let items: Vec<DockerManifestItem> =
        serde_json::from_slice(raw).map_err(|e| bad("manifest.json", e))?;
    if items.is_empty() {
        return Err(bad("manifest.json", "it lists no image"));
    }
    Ok(items
        .into_iter()
        .map(|item| ResolvedManifest {
            layers: item.layers,
            config: item.config,
            tags: item.repo_tags.unwrap_or_default(),
        })
        .collect())
}

/// Resolves an OCI `index.json` to one image manifest, following nested indexes.
/// `blob` fetches a JSON blob by archive name. Prefers linux/amd64 when an index offers several.
pub fn resolve_oci_index(
    index: &[u8],
    blob: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<ResolvedManifest, LayersError> {
    let mut doc: OciDocument = serde_json::from_slice(index).map_err(|e| bad("index.json", e))?;
    let mut tags = Vec::new();
    for _ in 0..8 {
        if let Some(config) = &doc.config {
            return Ok(ResolvedManifest {
                layers: doc.layers.iter().map(|d| blob_name(&d.digest)).collect(),
                config: blob_name(&config.digest),
                tags,
            });
        }
        let chosen = doc
            .manifests
            .iter()
            .find(|d| {
                d.platform
                    .as_ref()
                    .is_some_and(|p| p.os == "linux" && p.architecture == "amd64")
            })
            .or_else(|| doc.manifests.first())
            .ok_or_else(|| bad("index.json", "it lists no manifest"))?;
        if let Some(tag) = chosen.annotations.get("io.containerd.image.name") {
            tags.push(tag.clone());
        } else if let Some(tag) = chosen.annotations.get("org.opencontainers.image.ref.name") {
            tags.push(tag.clone());
        }
        let name = blob_name(&chosen.digest);
        let raw = blob(&name).ok_or_else(|| LayersError::Missing {
            what: "manifest",
            name: chosen.digest.clone(),
        })?;
        let media = chosen.media_type.clone();
        doc = serde_json::from_slice(&raw).map_err(|e| bad(&format!("manifest {media}"), e))?;
        if doc.media_type.is_empty() && doc.config.is_none() && doc.manifests.is_empty() {
            return Err(bad("manifest", "neither an index nor an image manifest"));
        }
    }
    Err(bad("index.json", "indexes nested too deeply"))
}

/// Parses the image config.
pub fn parse_config(raw: &[u8]) -> Result<ImageConfig, LayersError> {
    serde_json::from_slice(raw).map_err(|e| bad("image config", e))
}

/// The command of each non-empty layer, matched to history as dive does
/// (history items with `empty_layer` are skipped; missing ones read `(missing)`).
pub fn layer_commands(config: &ImageConfig, layer_count: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(layer_count);
    let mut hist = 0;
    for _ in 0..layer_count {
        while hist < config.history.len() && config.history[hist].empty_layer {
            hist += 1;
        }
        if hist < config.history.len() {
            out.push(clean_command(&config.history[hist].created_by));
            hist += 1;
        } else {
            out.push("(missing)".to_string());
        }
    }
    out
}

fn clean_command(created_by: &str) -> String {
    let s = created_by.trim();
    let s = s.strip_prefix("/bin/sh -c ").unwrap_or(s);
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_manifest_first_image() {
        let raw = br#"[{"Config":"abc.json","RepoTags":["x:1"],"Layers":["l1/layer.tar","l2/layer.tar"]}]"#;
        let m = parse_docker_manifest(raw).unwrap();
        assert_eq!(m.config, "abc.json");
        assert_eq!(m.layers, vec!["l1/layer.tar", "l2/layer.tar"]);
        assert_eq!(m.tags, vec!["x:1"]);
        assert!(parse_docker_manifest(b"[]").is_err());
        assert!(parse_docker_manifest(b"{").is_err());
    }

    #[test]
    fn oci_index_follows_nested_index() {
        let index = br#"{"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:ii"}]}"#;
        let blob = |name: &str| -> Option<Vec<u8>> {
            match name {
                "blobs/sha256/ii" => Some(br#"{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                    {"digest":"sha256:arm","platform":{"os":"linux","architecture":"arm64"}},
                    {"digest":"sha256:mm","platform":{"os":"linux","architecture":"amd64"}}]}"#.to_vec()),
                "blobs/sha256/mm" => Some(br#"{"mediaType":"application/vnd.oci.image.manifest.v1+json",
                    "config":{"digest":"sha256:cc"},"layers":[{"digest":"sha256:l1"},{"digest":"sha256:l2"}]}"#.to_vec()),
                _ => None,
            }
        };
        let m = resolve_oci_index(index, &blob).unwrap();
        assert_eq!(m.config, "blobs/sha256/cc");
        assert_eq!(m.layers, vec!["blobs/sha256/l1", "blobs/sha256/l2"]);
        let missing = br#"{"manifests":[{"digest":"sha256:nope"}]}"#;
        assert!(matches!(
            resolve_oci_index(missing, &blob),
            Err(LayersError::Missing { .. })
        ));
    }

    #[test]
    fn commands_skip_empty_layers() {
        let cfg = parse_config(
            br#"{"rootfs":{"diff_ids":["sha256:a","sha256:b"]},"history":[
            {"created_by":"/bin/sh -c #(nop) ADD file:x in / "},
            {"created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true},
            {"created_by":"/bin/sh -c echo hi > /x"}]}"#,
        )
        .unwrap();
        assert_eq!(
            layer_commands(&cfg, 3),
            vec!["#(nop) ADD file:x in /", "echo hi > /x", "(missing)"]
        );
    }
}
