//! A small streaming tar reader: ustar, GNU long names and PAX headers, over any `Read`.
//!
//! It never seeks and never buffers entry data: the caller reads (or skips) the current entry
//! through [`TarReader::data`], and [`TarReader::next_entry`] skips whatever is left of it.
use std::io::{self, Read};

use super::error::{LayersError, map_eof};

const BLOCK: usize = 512;
/// Largest GNU long-name or PAX extended header accepted (they are buffered).
const MAX_META_ENTRY: u64 = 1 << 20;

/// Type of a tar entry, as far as image layers care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TarKind {
    /// Regular file (`0`, `\0`, `7` and unknown types).
    File,
    /// Hard link (`1`).
    HardLink,
    /// Symbolic link (`2`).
    Symlink,
    /// Character device (`3`).
    CharDevice,
    /// Block device (`4`).
    BlockDevice,
    /// Directory (`5`).
    Dir,
    /// FIFO (`6`).
    Fifo,
}

impl TarKind {
    fn from_flag(flag: u8) -> Self {
        match flag {
            b'1' => Self::HardLink,
            b'2' => Self::Symlink,
            b'3' => Self::CharDevice,
            b'4' => Self::BlockDevice,
            b'5' => Self::Dir,
            b'6' => Self::Fifo,
            _ => Self::File,
        }
    }

    /// The tar type flag byte (what dive reports as `typeFlag`).
    pub fn flag(self) -> u8 {
        match self {
            Self::File => b'0',
            Self::HardLink => b'1',
            Self::Symlink => b'2',
            Self::CharDevice => b'3',
            Self::BlockDevice => b'4',
            Self::Dir => b'5',
            Self::Fifo => b'6',
        }
    }
}

/// The decoded header of the current entry. Buffers are reused between entries.
#[derive(Debug, Default, Clone)]
pub struct TarHeader {
    /// Full path as stored (PAX `path` or GNU long name applied).
    pub path: Vec<u8>,
    /// Link target (PAX `linkpath` or GNU long link applied).
    pub link: Vec<u8>,
    /// Entry type; `None` before the first entry.
    pub kind: Option<TarKind>,
    /// Permission bits (including setuid/setgid/sticky).
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Size of the entry data in bytes.
    pub size: u64,
}

/// Streaming tar reader.
pub struct TarReader<R> {
    inner: R,
    context: String,
    header: TarHeader,
    /// Data bytes of the current entry not read yet.
    remaining: u64,
    /// Padding after the current entry's data.
    padding: u64,
    max_entry_size: u64,
    finished: bool,
    block: [u8; BLOCK],
    pax_path: Option<Vec<u8>>,
    pax_link: Option<Vec<u8>>,
    pax_size: Option<u64>,
    pax_uid: Option<u64>,
    pax_gid: Option<u64>,
    skip_buf: Vec<u8>,
}

impl<R: Read> TarReader<R> {
    /// Wraps `inner`; `context` names the archive in errors; entries larger than
    /// `max_entry_size` are rejected.
    pub fn new(inner: R, context: impl Into<String>, max_entry_size: u64) -> Self {
        Self {
            inner,
            context: context.into(),
            header: TarHeader::default(),
            remaining: 0,
            padding: 0,
            max_entry_size,
            finished: false,
            block: [0; BLOCK],
            pax_path: None,
            pax_link: None,
            pax_size: None,
            pax_uid: None,
            pax_gid: None,
            skip_buf: Vec::new(),
        }
    }

    /// The header of the current entry.
    pub fn header(&self) -> &TarHeader {
        &self.header
    }

    /// Gives back the wrapped reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// A reader over the current entry's remaining data.
    pub fn data(&mut self) -> EntryData<'_, R> {
        EntryData { tar: self }
    }

    fn skip_rest(&mut self) -> Result<(), LayersError> {
        let mut left = self.remaining + self.padding;
        if left == 0 {
            return Ok(());
        }
        if self.skip_buf.is_empty() {
            self.skip_buf = vec![0; 64 * 1024];
        }
        while left > 0 {
            let want = left.min(self.skip_buf.len() as u64) as usize;
            let n = self.inner.read(&mut self.skip_buf[..want])?;
            if n == 0 {
                return Err(LayersError::Truncated(format!(
                    "{}: entry data ends early",
                    self.context
                )));
            }
            left -= n as u64;
        }
        self.remaining = 0;
        self.padding = 0;
        Ok(())
    }

    /// Reads a full block; `Ok(false)` on a clean end of stream before the first byte.
    fn read_block(&mut self) -> Result<bool, LayersError> {
        let mut got = 0;
        while got < BLOCK {
            let n = self.inner.read(&mut self.block[got..])?;
            if n == 0 {
                if got == 0 {
                    return Ok(false);
                }
                return Err(LayersError::Truncated(format!(
                    "{}: a header block ends early",
                    self.context
                )));
            }
            got += n;
        }
        Ok(true)
    }

    fn read_meta(&mut self, size: u64) -> Result<Vec<u8>, LayersError> {
        if size > MAX_META_ENTRY {
            return Err(LayersError::limit(
                &self.context,
                format!("extended header of {size} bytes"),
            ));
        }
        let mut buf = vec![0; size as usize];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| map_eof(e, &self.context))?;
        let pad = padding(size);
        let mut pad_buf = [0u8; BLOCK];
        self.inner
            .read_exact(&mut pad_buf[..pad as usize])
            .map_err(|e| map_eof(e, &self.context))?;
        Ok(buf)
    }

    /// Advances to the next entry, skipping the rest of the current one.
    /// Returns `Ok(false)` at the end of the archive.
    pub fn next_entry(&mut self) -> Result<bool, LayersError> {
        if self.finished {
            return Ok(false);
        }
        self.skip_rest()?;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        loop {
            if !self.read_block()? {
                self.finished = true;
                return Ok(false);
            }
            if self.block.iter().all(|&b| b == 0) {
                self.finished = true;
                return Ok(false);
            }
            self.verify_checksum()?;
            let flag = self.block[156];
            let size = self.number(124, 12, "size")?;
            match flag {
                b'L' => long_name = Some(trim_nul(self.read_meta(size)?)),
                b'K' => long_link = Some(trim_nul(self.read_meta(size)?)),
                b'x' => {
                    let data = self.read_meta(size)?;
                    self.apply_pax(&data)?;
                }
                b'g' => {
                    // Global PAX headers carry nothing a layer analysis needs.
                    self.read_meta(size)?;
                }
                _ => {
                    self.fill_header(flag, size, long_name.take(), long_link.take())?;
                    return Ok(true);
                }
            }
        }
    }

    fn verify_checksum(&self) -> Result<(), LayersError> {
        let stored = parse_octal(&self.block[148..156]).ok_or_else(|| {
            LayersError::bad_header(&self.context, "checksum field is not a number")
        })?;
        let mut sum: u64 = 0;
        for (i, &b) in self.block.iter().enumerate() {
            sum += if (148..156).contains(&i) {
                32
            } else {
                b as u64
            };
        }
        if sum != stored {
            return Err(LayersError::bad_header(
                &self.context,
                format!("checksum mismatch (stored {stored}, computed {sum})"),
            ));
        }
        Ok(())
    }

    fn number(&self, off: usize, len: usize, what: &str) -> Result<u64, LayersError> {
        parse_number(&self.block[off..off + len]).ok_or_else(|| {
            LayersError::bad_header(&self.context, format!("{what} field is not a number"))
        })
    }

    fn fill_header(
        &mut self,
        flag: u8,
        size: u64,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
    ) -> Result<(), LayersError> {
        let h = &mut self.header;
        h.path.clear();
        if let Some(p) = self.pax_path.take() {
            h.path = p;
        } else if let Some(p) = long_name {
            h.path = p;
        } else {
            let is_posix = &self.block[257..263] == b"ustar\0";
            let prefix = field(&self.block[345..500]);
            if is_posix && !prefix.is_empty() {
                h.path.extend_from_slice(prefix);
                h.path.push(b'/');
            }
            h.path.extend_from_slice(field(&self.block[0..100]));
        }
        h.link.clear();
        if let Some(l) = self.pax_link.take() {
            h.link = l;
        } else if let Some(l) = long_link {
            h.link = l;
        } else {
            h.link.extend_from_slice(field(&self.block[157..257]));
        }
        let kind = TarKind::from_flag(flag);
        h.kind = Some(kind);
        let mode = parse_number(&self.block[100..108]).unwrap_or(0);
        let uid = parse_number(&self.block[108..116]).unwrap_or(0);
        let gid = parse_number(&self.block[116..124]).unwrap_or(0);
        let h = &mut self.header;
        h.mode = (mode & 0o7777) as u32;
        h.uid = self.pax_uid.take().unwrap_or(uid);
        h.gid = self.pax_gid.take().unwrap_or(gid);
        let size = self.pax_size.take().unwrap_or(size);
        h.size = size;
        if size > self.max_entry_size {
            return Err(LayersError::limit(
                &self.context,
                format!(
                    "entry {:?} claims {size} bytes (limit {})",
                    String::from_utf8_lossy(&h.path),
                    self.max_entry_size
                ),
            ));
        }
        // Links, directories and devices carry no data whatever their size field says (like Go's reader).
        self.remaining = match kind {
            TarKind::HardLink | TarKind::Symlink | TarKind::Dir => 0,
            TarKind::CharDevice | TarKind::BlockDevice | TarKind::Fifo => 0,
            TarKind::File => size,
        };
        self.padding = padding(self.remaining);
        Ok(())
    }

    fn apply_pax(&mut self, data: &[u8]) -> Result<(), LayersError> {
        let mut rest = data;
        while !rest.is_empty() {
            let space = rest.iter().position(|&b| b == b' ').ok_or_else(|| {
                LayersError::bad_header(&self.context, "PAX record without length")
            })?;
            let len: usize = std::str::from_utf8(&rest[..space])
                .ok()
                .and_then(|s| s.parse().ok())
                .filter(|&l| l > space && l <= rest.len())
                .ok_or_else(|| LayersError::bad_header(&self.context, "bad PAX record length"))?;
            let record = &rest[space + 1..len];
            let record = record.strip_suffix(b"\n").unwrap_or(record);
            if let Some(eq) = record.iter().position(|&b| b == b'=') {
                let (key, value) = (&record[..eq], &record[eq + 1..]);
                let num = || std::str::from_utf8(value).ok().and_then(|s| s.parse().ok());
                match key {
                    b"path" => self.pax_path = Some(value.to_vec()),
                    b"linkpath" => self.pax_link = Some(value.to_vec()),
                    b"size" => self.pax_size = num(),
                    b"uid" => self.pax_uid = num(),
                    b"gid" => self.pax_gid = num(),
                    _ => {}
                }
            }
            rest = &rest[len..];
        }
        Ok(())
    }
}

/// Reader over the data of the current tar entry.
pub struct EntryData<'a, R> {
    tar: &'a mut TarReader<R>,
}

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let t = &mut *self.tar;
        if t.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(t.remaining) as usize;
        let n = t.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{}: entry data ends early", t.context),
            ));
        }
        t.remaining -= n as u64;
        Ok(n)
    }
}

fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

fn field(raw: &[u8]) -> &[u8] {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    &raw[..end]
}

fn trim_nul(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

fn parse_octal(raw: &[u8]) -> Option<u64> {
    let s = raw
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0);
    let mut value: u64 = 0;
    let mut any = false;
    for b in s {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add((b - b'0') as u64)?;
        any = true;
    }
    if any || raw.iter().all(|&b| b == 0 || b == b' ') {
        Some(value)
    } else {
        None
    }
}

/// Parses an octal or base-256 (GNU) numeric field.
fn parse_number(raw: &[u8]) -> Option<u64> {
    if raw.first().is_some_and(|&b| b & 0x80 != 0) {
        if raw[0] & 0x40 != 0 {
            return None; // negative
        }
        let mut value: u64 = (raw[0] & 0x3f) as u64;
        for &b in &raw[1..] {
            value = value.checked_mul(256)?.checked_add(b as u64)?;
        }
        return Some(value);
    }
    parse_octal(raw)
}

#[cfg(test)]
#[path = "tar_tests.rs"]
mod tests;
