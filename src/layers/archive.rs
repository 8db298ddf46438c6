//! Reading an image archive in one streaming pass: `docker save` tarballs (legacy and OCI
//! layouts) and OCI image layout directories. Layer tarballs are parsed as the outer stream
//! flows; nothing is buffered but small JSON documents and the file lists.
use std::cell::Cell;
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use xxhash_rust::xxh3::Xxh3;

use super::archive_io::{
    Capped, Counting, collect_files, fix_cancel, layer_id, looks_like_tar, normalize_name,
    read_up_to, resolve_relative,
};
use super::error::LayersError;
use super::manifest;
use super::model::{Entry, EntryKind, ImageAnalysis, Layer, NO_LINK};
use super::paths::{PathError, PathId, PathTable, ROOT};
use super::tar::{TarKind, TarReader};

/// Resource limits that keep hostile archives from exhausting memory or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest size any tar entry may claim.
    pub max_entry_size: u64,
    /// Largest JSON document (manifest, index, config) that is buffered.
    pub max_json_bytes: u64,
    /// Most entries over all layers, counting a layer the manifest lists twice twice.
    pub max_entries: usize,
    /// Most layers the manifest may list (repeats included).
    pub max_layers: usize,
    /// Most bytes of interned path names and link targets.
    pub max_name_bytes: usize,
    /// A gzip layer may always inflate to this many bytes...
    pub gzip_floor_bytes: u64,
    /// ...and beyond that to at most this many times its compressed size.
    pub gzip_max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entry_size: 1 << 40,
            max_json_bytes: 64 << 20,
            max_entries: 20_000_000,
            // Docker's layer store refuses chains deeper than 125 (`maxLayerDepth`);
            // containers-storage allows more. Far above any image an engine can run.
            max_layers: 1000,
            max_name_bytes: 2 << 30,
            gzip_floor_bytes: 1 << 30,
            gzip_max_ratio: 100,
        }
    }
}

/// Progress of a running analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the archive (or export stream) read so far.
    pub bytes_read: u64,
    /// Layer tarballs parsed so far.
    pub layers_done: usize,
    /// Layer entries seen so far.
    pub entries: u64,
}

const PROGRESS_EVERY: u64 = 8192;

struct ParsedLayer {
    entries: Vec<Entry>,
    size: u64,
}

/// Collects what an archive holds while it streams by, then assembles the image.
pub struct Builder<'a> {
    limits: Limits,
    paths: PathTable,
    links: Vec<Box<str>>,
    link_bytes: usize,
    entry_count: usize,
    layers: HashMap<String, ParsedLayer>,
    unsupported: HashMap<String, &'static str>,
    json: HashMap<String, Vec<u8>>,
    aliases: HashMap<String, String>,
    scratch: Vec<u8>,
    bytes: Rc<Cell<u64>>,
    progress: Progress,
    on_progress: &'a mut dyn FnMut(Progress),
    cancel: &'a AtomicBool,
}

impl<'a> Builder<'a> {
    /// A builder reporting to `on_progress` and stopping when `cancel` is set.
    pub fn new(
        limits: Limits,
        on_progress: &'a mut dyn FnMut(Progress),
        cancel: &'a AtomicBool,
    ) -> Self {
        Self {
            limits,
            paths: PathTable::new(),
            links: Vec::new(),
            link_bytes: 0,
            entry_count: 0,
            layers: HashMap::new(),
            unsupported: HashMap::new(),
            json: HashMap::new(),
            aliases: HashMap::new(),
            scratch: vec![0; 256 * 1024],
            bytes: Rc::new(Cell::new(0)),
            progress: Progress::default(),
            on_progress,
            cancel,
        }
    }

    fn report(&mut self) {
        self.progress.bytes_read = self.bytes.get();
        (self.on_progress)(self.progress);
    }

    fn check_cancel(&self) -> Result<(), LayersError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(LayersError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Reads a whole `docker save` / OCI archive tar stream.
    pub fn read_tar(&mut self, reader: impl Read) -> Result<(), LayersError> {
        let counting = Counting {
            inner: reader,
            count: self.bytes.clone(),
            cancel: self.cancel,
        };
        let buffered = BufReader::with_capacity(256 * 1024, counting);
        let mut outer = TarReader::new(buffered, "image archive", self.limits.max_entry_size);
        let result = (|| {
            while outer.next_entry()? {
                self.check_cancel()?;
                let h = outer.header();
                let name = normalize_name(&String::from_utf8_lossy(&h.path));
                match h.kind {
                    Some(TarKind::File) => {
                        let size = h.size;
                        let mut data = outer.data();
                        self.process_entry(&name, size, &mut data)?;
                    }
                    Some(TarKind::Symlink) | Some(TarKind::HardLink) => {
                        let target = String::from_utf8_lossy(&h.link).into_owned();
                        let resolved = if h.kind == Some(TarKind::Symlink) {
                            resolve_relative(&name, &target)
                        } else {
                            normalize_name(&target)
                        };
                        self.aliases.insert(name, resolved);
                    }
                    _ => {}
                }
                self.report();
            }
            Ok(())
        })();
        result.map_err(fix_cancel)
    }

    /// Reads an OCI image layout (or an extracted `docker save`) directory.
    pub fn read_dir(&mut self, root: &Path) -> Result<(), LayersError> {
        let mut files = Vec::new();
        collect_files(root, root, &mut files, 0)?;
        // JSON documents first, layers after: any order works, this one reports nicer progress.
        files.sort_by_key(|(name, _)| !name.ends_with(".json"));
        for (name, path) in files {
            self.check_cancel()?;
            let file = std::fs::File::open(&path)?;
            let size = file.metadata()?.len();
            let counting = Counting {
                inner: file,
                count: self.bytes.clone(),
                cancel: self.cancel,
            };
            let mut buffered = BufReader::with_capacity(256 * 1024, counting);
            self.process_entry(&name, size, &mut buffered)
                .map_err(fix_cancel)?;
            self.report();
        }
        Ok(())
    }

    /// Handles one file of the archive: a JSON document, a layer blob, or something to skip.
    fn process_entry(
        &mut self,
        name: &str,
        size: u64,
        reader: &mut dyn Read,
    ) -> Result<(), LayersError> {
        let mut head = [0u8; 512];
        let head_len = read_up_to(reader, &mut head)?;
        let head = &head[..head_len];
        let in_blobs = name.starts_with("blobs/");
        let first_non_ws = head.iter().copied().find(|b| !b.is_ascii_whitespace());
        let is_jsonish = name.ends_with(".json")
            || name == "repositories"
            || name == "oci-layout"
            || (in_blobs && first_non_ws == Some(b'{'))
            || (!in_blobs && first_non_ws == Some(b'{') && !name.ends_with(".tar"));
        if is_jsonish {
            if size > self.limits.max_json_bytes {
                if name == "manifest.json" || name == "index.json" {
                    return Err(LayersError::limit(
                        name,
                        format!(
                            "{size} bytes of JSON (limit {})",
                            self.limits.max_json_bytes
                        ),
                    ));
                }
                return Ok(()); // skipped; reported as missing if the manifest needs it
            }
            let mut buf = head.to_vec();
            reader
                .take(self.limits.max_json_bytes)
                .read_to_end(&mut buf)
                .map_err(|e| super::error::map_eof(e, name))?;
            self.json.insert(name.to_string(), buf);
            return Ok(());
        }
        let looks_layer = in_blobs || name.ends_with(".tar") || name.ends_with(".tar.gz");
        if head.starts_with(&[0x1f, 0x8b]) {
            let limit = self
                .limits
                .gzip_floor_bytes
                .max(size.saturating_mul(self.limits.gzip_max_ratio));
            let chained = Cursor::new(head).chain(reader);
            let gz = flate2::read::MultiGzDecoder::new(chained);
            let mut capped = Capped {
                inner: gz,
                left: limit,
                limit,
            };
            let parsed = self.parse_layer(name, &mut capped)?;
            self.layers.insert(name.to_string(), parsed);
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            self.unsupported.insert(name.to_string(), "zstd");
        } else if looks_layer && (looks_like_tar(head) || head.is_empty()) {
            let mut chained = Cursor::new(head).chain(reader);
            let parsed = self.parse_layer(name, &mut chained)?;
            self.layers.insert(name.to_string(), parsed);
        }
        Ok(())
    }

    fn intern(&mut self, ctx: &str, raw: &str) -> Result<PathId, LayersError> {
        self.paths.intern(raw).map_err(|e| path_error(e, ctx, raw))
    }

    /// Parses one layer tarball into its entries.
    fn parse_layer(
        &mut self,
        ctx: &str,
        reader: &mut dyn Read,
    ) -> Result<ParsedLayer, LayersError> {
        let mut tar = TarReader::new(reader, format!("layer {ctx}"), self.limits.max_entry_size);
        let mut entries = Vec::new();
        let mut size: u64 = 0;
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = (|| {
            while tar.next_entry()? {
                let h = tar.header();
                let raw = String::from_utf8_lossy(&h.path);
                let trimmed = raw.trim_end_matches('/');
                let (dir, base) = match trimmed.rfind('/') {
                    Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
                    None => ("", trimmed),
                };
                let tkind = h.kind.unwrap_or(TarKind::File);
                let (path, kind) = if base == ".wh..wh..opq" {
                    (self.intern(ctx, dir)?, EntryKind::Opaque)
                } else if base.starts_with(".wh..wh.") {
                    // Other AUFS meta files (e.g. `.wh..wh.plnk`): dive ignores them, so do we.
                    size += h.size;
                    continue;
                } else if let Some(target) = base.strip_prefix(".wh.") {
                    let parent = self.intern(ctx, dir)?;
                    let id = if target.is_empty() || target == "." || target == ".." {
                        return Err(path_error(PathError::EscapesRoot, ctx, &raw));
                    } else {
                        self.paths
                            .intern_child(parent, target)
                            .map_err(|e| path_error(e, ctx, &raw))?
                    };
                    (id, EntryKind::Whiteout)
                } else {
                    let id = self.intern(ctx, trimmed)?;
                    if id == ROOT {
                        continue; // "./" itself, as dive skips "."
                    }
                    (id, kind_of(tkind))
                };
                let (mode, uid, gid, hsize) = (h.mode, h.uid, h.gid, h.size);
                let link = if h.link.is_empty() {
                    NO_LINK
                } else {
                    let target = String::from_utf8_lossy(&h.link).into_owned();
                    self.link_bytes += target.len();
                    self.links.push(target.into_boxed_str());
                    (self.links.len() - 1) as u32
                };
                let hash = if tkind == TarKind::File && hsize > 0 {
                    let mut hasher = Xxh3::new();
                    let mut data = tar.data();
                    loop {
                        let n = data
                            .read(&mut scratch)
                            .map_err(|e| super::error::map_eof(e, ctx))?;
                        if n == 0 {
                            break;
                        }
                        hasher.update(&scratch[..n]);
                    }
                    hasher.digest()
                } else {
                    0
                };
                size += hsize;
                entries.push(Entry {
                    path,
                    kind,
                    mode,
                    uid: u32::try_from(uid).unwrap_or(u32::MAX),
                    gid: u32::try_from(gid).unwrap_or(u32::MAX),
                    size: hsize,
                    link,
                    hash,
                });
                self.entry_count += 1;
                self.progress.entries += 1;
                if self.entry_count > self.limits.max_entries {
                    return Err(LayersError::limit(
                        ctx,
                        format!("more than {} entries", self.limits.max_entries),
                    ));
                }
                if self.paths.name_bytes() + self.link_bytes > self.limits.max_name_bytes {
                    return Err(LayersError::limit(
                        ctx,
                        format!("more than {} bytes of names", self.limits.max_name_bytes),
                    ));
                }
                if self.progress.entries.is_multiple_of(PROGRESS_EVERY) {
                    self.check_cancel()?;
                    self.report();
                }
            }
            Ok(())
        })();
        self.scratch = scratch;
        result?;
        self.progress.layers_done += 1;
        Ok(ParsedLayer { entries, size })
    }

    fn resolve_alias(&self, name: &str) -> String {
        let mut cur = normalize_name(name);
        for _ in 0..16 {
            match self.aliases.get(&cur) {
                Some(next) => cur = next.clone(),
                None => break,
            }
        }
        cur
    }

    /// Applies the limits to the layers as the manifest lists them.
    ///
    /// A layer listed more than once is valid: `docker load` registers each listing as its own
    /// layer of the chain (two identical build steps give two equal layers that `docker save`
    /// stores once), so each listing counts in the stack and in the figures. The tarball is
    /// parsed once; the entry limit counts its entries once per listing, so a small layer
    /// listed thousands of times cannot grow past the limits the layers themselves obey.
    fn check_listing(&self, names: &[String]) -> Result<(), LayersError> {
        if names.len() > self.limits.max_layers {
            return Err(LayersError::limit(
                "manifest",
                format!(
                    "{} layers listed (limit {})",
                    names.len(),
                    self.limits.max_layers
                ),
            ));
        }
        let total: usize = names
            .iter()
            .filter_map(|n| self.layers.get(n))
            .map(|p| p.entries.len())
            .fold(0, usize::saturating_add);
        if total > self.limits.max_entries {
            return Err(LayersError::limit(
                "manifest",
                format!(
                    "{total} entries over the {} listed layers (limit {})",
                    names.len(),
                    self.limits.max_entries
                ),
            ));
        }
        Ok(())
    }

    /// Reads a plain filesystem tar (a container export, an import source) as an image of one
    /// layer: what `docker import` of that file would make.
    pub fn read_filesystem(mut self, reader: impl Read) -> Result<ImageAnalysis, LayersError> {
        let counting = Counting {
            inner: reader,
            count: self.bytes.clone(),
            cancel: self.cancel,
        };
        let mut buffered = BufReader::with_capacity(256 * 1024, counting);
        let parsed = self
            .parse_layer("filesystem", &mut buffered)
            .map_err(fix_cancel)?;
        let layer = Layer {
            index: 0,
            id: "filesystem".into(),
            diff_id: String::new(),
            command: "filesystem archive (docker export / import)".into(),
            size: parsed.size,
            entries: parsed.entries,
        };
        let mut analysis = ImageAnalysis {
            tags: Vec::new(),
            paths: self.paths,
            links: self.links,
            layers: vec![layer],
            figures: Default::default(),
        };
        analysis.figures = super::analysis::compute_figures(&analysis);
        self.progress.bytes_read = self.bytes.get();
        (self.on_progress)(self.progress);
        Ok(analysis)
    }

    /// Orders the parsed layers by the manifest and config and returns the image.
    pub fn finish(mut self) -> Result<ImageAnalysis, LayersError> {
        let resolved = if let Some(raw) = self.json.get("manifest.json") {
            manifest::parse_docker_manifest(raw)?
        } else if let Some(raw) = self.json.get("index.json") {
            let json = &self.json;
            let aliases = &self.aliases;
            let fetch = |name: &str| {
                json.get(name)
                    .or_else(|| aliases.get(name).and_then(|a| json.get(a)))
                    .cloned()
            };
            manifest::resolve_oci_index(raw, &fetch)?
        } else {
            return Err(LayersError::NoManifest);
        };
        let config_name = self.resolve_alias(&resolved.config);
        let config_raw = self
            .json
            .get(&config_name)
            .ok_or_else(|| LayersError::Missing {
                what: "config",
                name: resolved.config.clone(),
            })?;
        let config = manifest::parse_config(config_raw)?;
        let names: Vec<String> = resolved
            .layers
            .iter()
            .map(|n| self.resolve_alias(n))
            .collect();
        self.check_listing(&names)?;
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for n in &names {
            *uses.entry(n.as_str()).or_default() += 1;
        }
        let commands = manifest::layer_commands(&config, names.len());
        let mut layers = Vec::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            if let Some(alg) = self.unsupported.get(name) {
                return Err(LayersError::UnsupportedCompression(name.clone(), alg));
            }
            let left = uses.get_mut(name.as_str()).map(|c| {
                *c -= 1;
                *c
            });
            let parsed = if left == Some(0) {
                self.layers.remove(name)
            } else {
                self.layers.get(name).map(|p| ParsedLayer {
                    entries: p.entries.clone(),
                    size: p.size,
                })
            };
            let parsed = parsed.ok_or_else(|| LayersError::Missing {
                what: "layer",
                name: resolved.layers[index].clone(),
            })?;
            layers.push(Layer {
                index,
                id: layer_id(&resolved.layers[index]),
                diff_id: config
                    .rootfs
                    .diff_ids
                    .get(index)
                    .cloned()
                    .unwrap_or_default(),
                command: commands[index].clone(),
                size: parsed.size,
                entries: parsed.entries,
            });
        }
        let mut analysis = ImageAnalysis {
            tags: resolved.tags,
            paths: self.paths,
            links: self.links,
            layers,
            figures: Default::default(),
        };
        analysis.figures = super::analysis::compute_figures(&analysis);
        self.progress.bytes_read = self.bytes.get();
        (self.on_progress)(self.progress);
        Ok(analysis)
    }
}

fn kind_of(t: TarKind) -> EntryKind {
    match t {
        TarKind::File => EntryKind::File,
        TarKind::HardLink => EntryKind::HardLink,
        TarKind::Symlink => EntryKind::Symlink,
        TarKind::CharDevice => EntryKind::CharDevice,
        TarKind::BlockDevice => EntryKind::BlockDevice,
        TarKind::Dir => EntryKind::Dir,
        TarKind::Fifo => EntryKind::Fifo,
    }
}

fn path_error(e: PathError, ctx: &str, raw: &str) -> LayersError {
    match e {
        PathError::EscapesRoot => LayersError::UnsafePath {
            context: format!("layer {ctx}"),
            path: raw.to_string(),
        },
        PathError::TooLarge => LayersError::limit(ctx, "path table is full"),
    }
}

#[cfg(test)]
#[path = "archive_tests.rs"]
mod tests;
