//! Test helpers: hand-made tarballs and image archives, in memory.
use std::io::Write;

/// Builds a tar stream entry by entry.
#[derive(Default)]
pub struct TarBuilder {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

/// Fills a ustar header for `name` (≤ 100 bytes) and returns it.
pub fn header(name: &str, flag: u8, size: u64, mode: u32, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let octal = |h: &mut [u8; 512], off: usize, len: usize, v: u64| {
        let s = format!("{:0width$o}", v, width = len - 1);
        h[off..off + len - 1].copy_from_slice(s.as_bytes());
    };
    octal(&mut h, 100, 8, mode as u64);
    octal(&mut h, 108, 8, 0);
    octal(&mut h, 116, 8, 0);
    octal(&mut h, 124, 12, size);
    octal(&mut h, 136, 12, 0);
    h[156] = flag;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    set_checksum(&mut h);
    h
}

/// Recomputes the header checksum.
pub fn set_checksum(h: &mut [u8; 512]) {
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|&b| b as u64).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
}

impl TarBuilder {
    /// A new, empty tar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a raw header and data (padded).
    pub fn raw(&mut self, h: [u8; 512], data: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(&h);
        self.buf.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.buf.extend(std::iter::repeat_n(0u8, pad));
        self
    }

    /// A regular file.
    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.file_mode(name, data, 0o644)
    }

    /// A regular file with a mode.
    pub fn file_mode(&mut self, name: &str, data: &[u8], mode: u32) -> &mut Self {
        let h = header(name, b'0', data.len() as u64, mode, "");
        self.raw(h, data)
    }

    /// A directory.
    pub fn dir(&mut self, name: &str) -> &mut Self {
        self.raw(header(name, b'5', 0, 0o755, ""), &[])
    }

    /// A symlink.
    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.raw(header(name, b'2', 0, 0o777, target), &[])
    }

    /// A hard link.
    pub fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.raw(header(name, b'1', 0, 0o644, target), &[])
    }

    /// A PAX extended header for the next entry.
    pub fn pax(&mut self, records: &[(&str, &str)]) -> &mut Self {
        let mut data = Vec::new();
        for (k, v) in records {
            let body = format!(" {k}={v}\n");
            let mut len = body.len() + 1;
            loop {
                let next = body.len() + len.to_string().len();
                if next == len {
                    break;
                }
                len = next;
            }
            data.extend_from_slice(format!("{len}{body}").as_bytes());
        }
        let h = header("PaxHeader", b'x', data.len() as u64, 0o644, "");
        self.raw(h, &data)
    }

    /// Ends the archive with two zero blocks and returns the bytes.
    pub fn finish(&mut self) -> Vec<u8> {
        self.buf.extend(std::iter::repeat_n(0u8, 1024));
        std::mem::take(&mut self.buf)
    }
}

/// Builds a legacy `docker save` archive from layer tarballs (base first), with a config whose
/// history names each layer `step N`. When `manifest_last` the JSON comes after the layers,
/// as dockerd 20.10 writes it.
pub fn docker_save(layers: &[Vec<u8>], manifest_last: bool) -> Vec<u8> {
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("layer{i:02}/layer.tar"))
        .collect();
    let history: Vec<String> = (0..layers.len())
        .map(|i| format!(r#"{{"created_by":"/bin/sh -c step {i}"}}"#))
        .collect();
    let diff_ids: Vec<String> = (0..layers.len())
        .map(|i| format!(r#""sha256:{i:064}""#))
        .collect();
    let config = format!(
        r#"{{"rootfs":{{"type":"layers","diff_ids":[{}]}},"history":[{}]}}"#,
        diff_ids.join(","),
        history.join(",")
    );
    let manifest = format!(
        r#"[{{"Config":"cfg.json","RepoTags":["test:1"],"Layers":[{}]}}]"#,
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut t = TarBuilder::new();
    let json = |t: &mut TarBuilder| {
        t.file("cfg.json", config.as_bytes());
        t.file("manifest.json", manifest.as_bytes());
    };
    if !manifest_last {
        json(&mut t);
    }
    for (name, layer) in names.iter().zip(layers) {
        t.dir(name.trim_end_matches("/layer.tar"));
        t.file(name, layer);
    }
    if manifest_last {
        json(&mut t);
    }
    t.finish()
}

/// Gzips bytes.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}
