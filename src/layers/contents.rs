//! What an image archive holds, read in one pass without parsing the layers: the images of a
//! `docker save` (several when several were saved), their tags, config IDs, layers and sizes. A
//! load preview shows this before anything is sent; gzip-compressed archives are read as they
//! are (the engine's load accepts them too).
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::archive_io::{normalize_name, resolve_relative};
use super::error::LayersError;
use super::manifest::{self, ResolvedManifest};
use super::tar::{TarKind, TarReader};

/// Largest JSON document kept.
const MAX_JSON: u64 = 64 << 20;
/// Most entries an image archive's outer tar may have (layers, configs, metadata).
const MAX_OUTER_ENTRIES: usize = 1_000_000;

/// One layer of an archived image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLayer {
    /// Its uncompressed digest (`sha256:…`), from the config.
    pub diff_id: String,
    /// Bytes it takes in the archive.
    pub size: u64,
}

/// One image of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveImage {
    /// Image ID (`sha256:` + the config's digest).
    pub id: String,
    /// Tags it is saved with (empty: loaded untagged).
    pub tags: Vec<String>,
    /// Layers, base first.
    pub layers: Vec<ArchiveLayer>,
}

impl ArchiveImage {
    /// Bytes its layers take in the archive.
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

/// What an archive holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveContents {
    /// The images, in manifest order.
    pub images: Vec<ArchiveImage>,
    /// Bytes of the archive file.
    pub file_bytes: u64,
    /// Whether the file is gzip-compressed.
    pub gzip: bool,
}

/// Opens a file, decompressing it on the fly when it starts with the gzip magic.
pub fn open_maybe_gzip(path: &Path) -> Result<Box<dyn Read + Send>, LayersError> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = super::archive_io::read_up_to(&mut file, &mut magic)?;
    let file = File::open(path)?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(
            file,
        ))))
    } else {
        Ok(Box::new(file))
    }
}

fn is_gzip(path: &Path) -> Result<bool, LayersError> {
    let mut magic = [0u8; 2];
    let n = super::archive_io::read_up_to(&mut File::open(path)?, &mut magic)?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

/// Whether a tar without an image manifest is a filesystem (its first entry is a path, not
/// something unreadable): such files are what `docker export` writes and `docker import` reads.
pub fn looks_like_filesystem(path: &Path) -> Result<bool, LayersError> {
    let reader = open_maybe_gzip(path)?;
    let mut tar = TarReader::new(BufReader::new(reader), "archive", u64::MAX);
    Ok(matches!(tar.next_entry(), Ok(true)))
}

/// Lists the images of the archive at `path` (a `docker save` tar, plain or gzip, or an OCI
/// archive). Refuses, with the reason, a file that is not a tar, is truncated or holds no image.
pub fn read_contents(path: &Path) -> Result<ArchiveContents, LayersError> {
    let file_bytes = std::fs::metadata(path)?.len();
    let gzip = is_gzip(path)?;
    let reader = open_maybe_gzip(path)?;
    let images = read_images(reader)?;
    Ok(ArchiveContents {
        images,
        file_bytes,
        gzip,
    })
}

/// [`read_contents`] over a stream.
pub fn read_images(reader: impl Read) -> Result<Vec<ArchiveImage>, LayersError> {
    let mut tar = TarReader::new(
        BufReader::with_capacity(256 * 1024, reader),
        "image archive",
        u64::MAX,
    );
    let mut json: HashMap<String, Vec<u8>> = HashMap::new();
    let mut sizes: HashMap<String, u64> = HashMap::new();
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut count = 0usize;
    while tar.next_entry().map_err(truncation)? {
        count += 1;
        if count > MAX_OUTER_ENTRIES {
            return Err(LayersError::limit("image archive", "too many entries"));
        }
        let h = tar.header();
        let name = normalize_name(&String::from_utf8_lossy(&h.path));
        match h.kind {
            Some(TarKind::File) => {
                let size = h.size;
                sizes.insert(name.clone(), size);
                let small = size <= MAX_JSON;
                if small && (name.ends_with(".json") || name.starts_with("blobs/")) {
                    let mut head = Vec::new();
                    let mut data = tar.data();
                    let mut first = [0u8; 1];
                    let n = super::archive_io::read_up_to(&mut data, &mut first)?;
                    if n == 1 && (first[0] == b'{' || first[0] == b'[') {
                        head.push(first[0]);
                        data.read_to_end(&mut head)
                            .map_err(|e| super::error::map_eof(e, &name))?;
                        json.insert(name, head);
                    }
                }
            }
            Some(TarKind::Symlink) | Some(TarKind::HardLink) => {
                let target = String::from_utf8_lossy(&h.link).into_owned();
                let resolved = if h.kind == Some(TarKind::Symlink) {
                    resolve_relative(&name, &target)
                } else {
                    normalize_name(&target)
                };
                aliases.insert(name, resolved);
            }
            _ => {}
        }
    }
    let resolve = |n: &str| aliases.get(n).cloned().unwrap_or_else(|| n.to_string());
    let manifests: Vec<ResolvedManifest> = if let Some(raw) = json.get("manifest.json") {
        manifest::parse_docker_manifest_all(raw)?
    } else if let Some(raw) = json.get("index.json") {
        let fetch = |n: &str| json.get(&resolve(n)).cloned();
        vec![manifest::resolve_oci_index(raw, &fetch)?]
    } else {
        return Err(LayersError::NoManifest);
    };
    manifests
        .into_iter()
        .map(|m| {
            let config_name = resolve(&m.config);
            let raw = json.get(&config_name).ok_or_else(|| LayersError::Missing {
                what: "config",
                name: m.config.clone(),
            })?;
            let config = manifest::parse_config(raw)?;
            let mut layers = Vec::with_capacity(m.layers.len());
            for (i, name) in m.layers.iter().enumerate() {
                let size = *sizes
                    .get(&resolve(name))
                    .ok_or_else(|| LayersError::Missing {
                        what: "layer",
                        name: name.clone(),
                    })?;
                let diff_id = config.rootfs.diff_ids.get(i).cloned().unwrap_or_default();
                layers.push(ArchiveLayer { diff_id, size });
            }
            Ok(ArchiveImage {
                id: config_id(&m.config),
                tags: m.tags,
                layers,
            })
        })
        .collect()
}

/// `sha256:<hex>` from a config name: `<hex>.json` (docker) or `blobs/sha256/<hex>` (OCI).
fn config_id(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let hex = base.strip_suffix(".json").unwrap_or(base);
    format!("sha256:{hex}")
}

fn truncation(e: LayersError) -> LayersError {
    match e {
        LayersError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            LayersError::Truncated(io.to_string())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn sample() -> Vec<u8> {
        let manifest =
            br#"[{"Config":"abc.json","RepoTags":["a:1","a:2"],"Layers":["l1/layer.tar"]},
            {"Config":"def.json","RepoTags":null,"Layers":["l1/layer.tar","l2/layer.tar"]}]"#;
        let c1 = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:d1"]}}"#;
        let c2 = br#"{"rootfs":{"type":"layers","diff_ids":["sha256:d1","sha256:d2"]}}"#;
        tar_of(&[
            ("abc.json", c1),
            ("def.json", c2),
            ("l1/layer.tar", &[0u8; 1024]),
            ("l2/layer.tar", &[0u8; 2048]),
            ("manifest.json", manifest),
        ])
    }

    #[test]
    fn lists_every_image_with_tags_and_layer_sizes() {
        let images = read_images(&sample()[..]).unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!(images[0].id, "sha256:abc");
        assert_eq!(images[0].tags, ["a:1", "a:2"]);
        assert_eq!(images[0].size(), 1024);
        assert_eq!(images[1].tags, Vec::<String>::new());
        assert_eq!(images[1].layers[1].diff_id, "sha256:d2");
        assert_eq!(images[1].size(), 3072);
    }

    #[test]
    fn gzip_file_is_read() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.tar.gz");
        let mut gz =
            flate2::write::GzEncoder::new(File::create(&p).unwrap(), flate2::Compression::fast());
        gz.write_all(&sample()).unwrap();
        gz.finish().unwrap();
        let c = read_contents(&p).unwrap();
        assert!(c.gzip);
        assert_eq!(c.images.len(), 2);
    }

    #[test]
    fn truncated_and_non_image_archives_are_refused_clearly() {
        let full = sample();
        let cut = &full[..full.len() / 2];
        let e = read_images(cut).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
        let plain = tar_of(&[("etc/hosts", b"127.0.0.1 localhost\n")]);
        let e = read_images(&plain[..]).unwrap_err().to_string();
        assert!(e.contains("not an image archive"), "{e}");
        let e = read_images(&b"hello, not a tar at all"[..]).unwrap_err();
        assert!(!e.to_string().is_empty());
    }
}
