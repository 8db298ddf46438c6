//! Manifests and image configs: Docker v2 schema 2, Docker manifest lists, OCI image manifests
//! and OCI indexes.

use chrono::{DateTime, Utc};
use reqwest::header;
use reqwest::{Method, StatusCode};

use super::{MAX_JSON_BODY, RegistryClient, RegistryError, Target};
use crate::registry::digest::Digest;
pub use crate::registry::platform::Platform;

/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list (multi-platform).
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index (multi-platform).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image config blob.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// OCI image config blob.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Deprecated Docker schema 1 (signed).
const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/// Deprecated Docker schema 1.
const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";

/// The `Accept` header for manifest requests: every kind this client reads.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// A content descriptor (config, layer or child manifest).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the content.
    #[serde(default)]
    pub media_type: String,
    /// Digest of the content.
    pub digest: Digest,
    /// Size in bytes (compressed size for layers).
    pub size: u64,
    /// Platform, for entries of a list/index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// The JSON shape shared by all manifest kinds.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    schema_version: u32,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

/// The fields of an image config shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageConfigInfo {
    /// `created`, when present and valid.
    pub created: Option<DateTime<Utc>>,
    /// Operating system.
    pub os: String,
    /// Architecture.
    pub architecture: String,
    /// CPU variant.
    pub variant: Option<String>,
}

#[derive(serde::Deserialize)]
struct RawConfig {
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

/// One layer of an image manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    /// Layer digest (of the compressed blob).
    pub digest: Digest,
    /// Compressed size in bytes.
    pub size: u64,
    /// Layer media type.
    pub media_type: String,
}

/// A single-platform image manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageManifestInfo {
    /// Config blob digest (the image ID).
    pub config_digest: Digest,
    /// Config blob media type.
    pub config_media_type: String,
    /// Layers in order, bottom first.
    pub layers: Vec<LayerInfo>,
    /// Sum of the compressed layer sizes.
    pub total_size: u64,
    /// Created date, OS and architecture from the config blob.
    pub config: Option<ImageConfigInfo>,
    /// Why `config` is missing, when it is.
    pub config_error: Option<String>,
}

/// One platform entry of a manifest list / OCI index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformEntry {
    /// Platform, when the entry states one (attestations often do not).
    pub platform: Option<Platform>,
    /// Child manifest digest.
    pub digest: Digest,
    /// Child manifest media type.
    pub media_type: String,
    /// Child manifest size in bytes.
    pub size: u64,
}

/// What a manifest is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestKind {
    /// A single image.
    Image(ImageManifestInfo),
    /// A list of per-platform images.
    Index(Vec<PlatformEntry>),
}

/// A manifest as read from the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestInfo {
    /// Repository path.
    pub repository: String,
    /// Tag or digest that was asked for.
    pub reference: String,
    /// Manifest digest (`Docker-Content-Digest`, checked against the body).
    pub digest: Digest,
    /// Media type.
    pub media_type: String,
    /// Size of the manifest itself.
    pub size: u64,
    /// Image or index.
    pub kind: ManifestKind,
}

impl ManifestInfo {
    /// True for a manifest list / OCI index.
    pub fn is_index(&self) -> bool {
        matches!(self.kind, ManifestKind::Index(_))
    }

    /// The child manifest of an index for `os`/`architecture` (and `variant` when given),
    /// compared after normalisation (`aarch64` = `arm64`, `arm` = `arm/v7`...).
    pub fn platform_digest(
        &self,
        os: &str,
        architecture: &str,
        variant: Option<&str>,
    ) -> Option<&Digest> {
        let wanted = Platform {
            architecture: architecture.to_string(),
            os: os.to_string(),
            variant: variant.map(str::to_string),
            os_version: None,
        };
        self.entry_for(&wanted).map(|e| &e.digest)
    }

    /// The index entry for `wanted` (see [`Platform::matches`]).
    pub fn entry_for(&self, wanted: &Platform) -> Option<&PlatformEntry> {
        let ManifestKind::Index(entries) = &self.kind else {
            return None;
        };
        entries
            .iter()
            .find(|e| e.platform.as_ref().is_some_and(|p| wanted.matches(p)))
    }
}

/// Decides the media type from the header, the body's `mediaType`, or the body's shape.
fn media_type_of(header: Option<&str>, raw: &RawManifest) -> String {
    let header = header
        .map(|h| h.split(';').next().unwrap_or(h).trim().to_string())
        .filter(|h| !h.is_empty() && h != "application/json" && h != "text/plain");
    header
        .or_else(|| raw.media_type.clone().filter(|m| !m.is_empty()))
        .unwrap_or_else(|| {
            if raw.manifests.is_some() {
                OCI_INDEX.to_string()
            } else {
                OCI_MANIFEST.to_string()
            }
        })
}

impl RegistryClient {
    /// Fetches the raw manifest bytes, their media type and verified digest.
    pub async fn manifest_raw(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<(Vec<u8>, String, Digest), RegistryError> {
        let url = self.url(&format!("v2/{repository}/manifests/{reference}"))?;
        let scope = format!("repository:{repository}:pull");
        let target = Target::Manifest(repository, reference);
        let response = self
            .send(Method::GET, &url, &scope, Some(MANIFEST_ACCEPT), None)
            .await?;
        if !response.status().is_success() {
            return Err(self.status_error(response, &url, target).await);
        }
        let header_digest = response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = self.read_body(response, &url, MAX_JSON_BODY).await?;
        let computed = Digest::sha256_of(&bytes);
        let announced = match header_digest.as_deref().map(Digest::parse) {
            Some(Ok(d)) => Some(d),
            _ => Digest::parse(reference).ok(),
        };
        if let Some(expected) = announced.filter(|d| d.algorithm() == "sha256")
            && expected != computed
        {
            return Err(RegistryError::DigestMismatch {
                url: url.to_string(),
                expected: expected.to_string(),
                actual: computed.to_string(),
            });
        }
        Ok((bytes, content_type, computed))
    }

    /// Reads a manifest by tag or digest. For an image manifest the config blob is fetched too
    /// (created date, OS, architecture); for a list/index the platforms are listed.
    pub async fn manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<ManifestInfo, RegistryError> {
        let (bytes, content_type, digest) = self.manifest_raw(repository, reference).await?;
        let url = self.url(&format!("v2/{repository}/manifests/{reference}"))?;
        let raw: RawManifest = self.parse_json(
            &bytes,
            &url,
            "a manifest object with schemaVersion and layers or manifests",
        )?;
        let media_type = media_type_of(Some(&content_type), &raw);
        if raw.schema_version == 1
            || media_type == DOCKER_SCHEMA1
            || media_type == DOCKER_SCHEMA1_SIGNED
        {
            return Err(RegistryError::UnsupportedManifest {
                registry: self.registry().to_string(),
                reason: format!(
                    "{repository}:{reference} is a deprecated schema 1 manifest; push it again with a current Docker"
                ),
            });
        }
        let kind = if let Some(manifests) = raw.manifests {
            ManifestKind::Index(
                manifests
                    .into_iter()
                    .map(|d| PlatformEntry {
                        platform: d.platform,
                        digest: d.digest,
                        media_type: d.media_type,
                        size: d.size,
                    })
                    .collect(),
            )
        } else {
            let (Some(config), Some(layers)) = (raw.config, raw.layers) else {
                return Err(RegistryError::InvalidJson {
                    registry: self.registry().to_string(),
                    url: url.to_string(),
                    expected: "an image manifest with \"config\" and \"layers\", or an index with \"manifests\"".to_string(),
                    reason: "neither shape is present".to_string(),
                });
            };
            let layers: Vec<LayerInfo> = layers
                .into_iter()
                .map(|l| LayerInfo {
                    digest: l.digest,
                    size: l.size,
                    media_type: l.media_type,
                })
                .collect();
            let total_size = layers.iter().map(|l| l.size).sum();
            let (config_info, config_error) =
                if config.media_type == DOCKER_CONFIG || config.media_type == OCI_CONFIG {
                    match self.image_config(repository, &config.digest).await {
                        Ok(c) => (Some(c), None),
                        Err(e) => (None, Some(e.to_string())),
                    }
                } else {
                    (
                        None,
                        Some(format!(
                            "config of type {:?} is not an image config (an artifact?)",
                            config.media_type
                        )),
                    )
                };
            ManifestKind::Image(ImageManifestInfo {
                config_digest: config.digest,
                config_media_type: config.media_type,
                layers,
                total_size,
                config: config_info,
                config_error,
            })
        };
        Ok(ManifestInfo {
            repository: repository.to_string(),
            reference: reference.to_string(),
            digest,
            media_type,
            size: bytes.len() as u64,
            kind,
        })
    }

    /// The single-platform image behind `reference`: the manifest itself when it is an image,
    /// else the index entry for `os`/`architecture` (and `variant` when given), fetched by
    /// digest. `Ok(None)` when an index has no entry for that platform.
    pub async fn image_manifest_for(
        &self,
        repository: &str,
        reference: &str,
        os: &str,
        architecture: &str,
        variant: Option<&str>,
    ) -> Result<Option<ManifestInfo>, RegistryError> {
        let top = self.manifest(repository, reference).await?;
        if !top.is_index() {
            return Ok(Some(top));
        }
        match top.platform_digest(os, architecture, variant) {
            Some(digest) => {
                let child = self.manifest(repository, &digest.to_string()).await?;
                Ok(Some(child))
            }
            None => Ok(None),
        }
    }

    /// The manifest digest of a tag without downloading it (`HEAD`).
    pub async fn manifest_digest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<Digest, RegistryError> {
        let url = self.url(&format!("v2/{repository}/manifests/{reference}"))?;
        let scope = format!("repository:{repository}:pull");
        let response = self
            .send(Method::HEAD, &url, &scope, Some(MANIFEST_ACCEPT), None)
            .await?;
        if !response.status().is_success() {
            return Err(self
                .status_error(response, &url, Target::Manifest(repository, reference))
                .await);
        }
        match response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .map(Digest::parse)
        {
            Some(Ok(d)) => Ok(d),
            _ => Ok(self.manifest_raw(repository, reference).await?.2),
        }
    }

    /// Downloads a blob (up to `limit` bytes) and checks it against its digest.
    pub async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: usize,
    ) -> Result<Vec<u8>, RegistryError> {
        let url = self.url(&format!("v2/{repository}/blobs/{digest}"))?;
        let scope = format!("repository:{repository}:pull");
        let digest_text = digest.to_string();
        let response = self.send(Method::GET, &url, &scope, None, None).await?;
        if !response.status().is_success() {
            return Err(self
                .status_error(response, &url, Target::Blob(repository, &digest_text))
                .await);
        }
        let bytes = self.read_body(response, &url, limit).await?;
        if digest.algorithm() == "sha256" {
            let actual = Digest::sha256_of(&bytes);
            if &actual != digest {
                return Err(RegistryError::DigestMismatch {
                    url: url.to_string(),
                    expected: digest_text,
                    actual: actual.to_string(),
                });
            }
        }
        Ok(bytes)
    }

    /// Reads an image config blob: created date, OS, architecture.
    pub async fn image_config(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<ImageConfigInfo, RegistryError> {
        let bytes = self.blob(repository, digest, MAX_JSON_BODY).await?;
        let url = self.url(&format!("v2/{repository}/blobs/{digest}"))?;
        let raw: RawConfig =
            self.parse_json(&bytes, &url, "an image config with os and architecture")?;
        Ok(ImageConfigInfo {
            created: raw
                .created
                .as_deref()
                .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                .map(|d| d.with_timezone(&Utc)),
            os: raw.os,
            architecture: raw.architecture,
            variant: raw.variant,
        })
    }

    /// Uploads a manifest under a tag or digest; returns the digest the registry stored.
    pub async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        body: Vec<u8>,
    ) -> Result<Digest, RegistryError> {
        let url = self.url(&format!("v2/{repository}/manifests/{reference}"))?;
        let scope = format!("repository:{repository}:pull,push");
        let computed = Digest::sha256_of(&body);
        let response = self
            .send(Method::PUT, &url, &scope, None, Some((media_type, body)))
            .await?;
        if response.status() != StatusCode::CREATED && !response.status().is_success() {
            return Err(self
                .status_error(response, &url, Target::Manifest(repository, reference))
                .await);
        }
        Ok(response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v).ok())
            .unwrap_or(computed))
    }

    /// Deletes a manifest by digest (the registry must have deletion enabled).
    pub async fn delete_manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        let url = self.url(&format!("v2/{repository}/manifests/{digest}"))?;
        let scope = format!("repository:{repository}:delete");
        let digest_text = digest.to_string();
        let response = self.send(Method::DELETE, &url, &scope, None, None).await?;
        if !response.status().is_success() {
            return Err(self
                .status_error(response, &url, Target::Manifest(repository, &digest_text))
                .await);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> RawManifest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn media_type_sources() {
        let index = raw(r#"{"schemaVersion":2,"manifests":[]}"#);
        assert_eq!(media_type_of(None, &index), OCI_INDEX);
        assert_eq!(
            media_type_of(Some("application/json"), &index),
            OCI_INDEX,
            "a generic content type is ignored"
        );
        assert_eq!(
            media_type_of(
                Some(&format!("{DOCKER_MANIFEST_LIST}; charset=utf-8")),
                &index
            ),
            DOCKER_MANIFEST_LIST
        );
        let with_field = raw(&format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST_V2}","layers":[]}}"#
        ));
        assert_eq!(media_type_of(None, &with_field), DOCKER_MANIFEST_V2);
    }

    #[test]
    fn platform_lookup_and_display() {
        let d1 = Digest::sha256_of(b"1");
        let d2 = Digest::sha256_of(b"2");
        let entry = |arch: &str, variant: Option<&str>, d: &Digest| PlatformEntry {
            platform: Some(Platform {
                architecture: arch.into(),
                os: "linux".into(),
                variant: variant.map(str::to_string),
                os_version: None,
            }),
            digest: d.clone(),
            media_type: OCI_MANIFEST.into(),
            size: 1,
        };
        let info = ManifestInfo {
            repository: "r".into(),
            reference: "t".into(),
            digest: d1.clone(),
            media_type: OCI_INDEX.into(),
            size: 10,
            kind: ManifestKind::Index(vec![
                entry("amd64", None, &d1),
                entry("arm", Some("v7"), &d2),
            ]),
        };
        assert!(info.is_index());
        assert_eq!(info.platform_digest("linux", "amd64", None), Some(&d1));
        assert_eq!(info.platform_digest("linux", "arm", Some("v7")), Some(&d2));
        assert_eq!(info.platform_digest("linux", "arm", Some("v6")), None);
        assert_eq!(info.platform_digest("windows", "amd64", None), None);
        let p = Platform {
            architecture: "arm64".into(),
            os: "linux".into(),
            variant: Some("v8".into()),
            os_version: None,
        };
        assert_eq!(p.to_string(), "linux/arm64/v8");
    }
}
