//! The data model of an analysed image: layers, their entries, and the image-wide figures.
use super::paths::{PathId, PathTable};

/// What a layer entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
    /// Hard link to another path of the image.
    HardLink,
    /// Character device.
    CharDevice,
    /// Block device.
    BlockDevice,
    /// Named pipe.
    Fifo,
    /// `.wh.<name>`: the path is removed by this layer.
    Whiteout,
    /// `.wh..wh..opq`: the directory's lower contents are hidden by this layer.
    Opaque,
}

impl EntryKind {
    /// The `ls -l` type character.
    pub fn type_char(self) -> char {
        match self {
            Self::Dir => 'd',
            Self::Symlink => 'l',
            Self::CharDevice => 'c',
            Self::BlockDevice => 'b',
            Self::Fifo => 'p',
            Self::File | Self::HardLink | Self::Whiteout | Self::Opaque => '-',
        }
    }
}

/// Marker for "no link target".
pub const NO_LINK: u32 = u32::MAX;

/// One entry of a layer tarball.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The path; for a whiteout the removed path, for an opaque marker the directory.
    pub path: PathId,
    /// What it is.
    pub kind: EntryKind,
    /// Permission bits (`0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Size in bytes as recorded in the tar header.
    pub size: u64,
    /// Index into [`ImageAnalysis::links`] of the symlink/hardlink target, or [`NO_LINK`].
    pub link: u32,
    /// xxh3 of the contents (0 for entries without data).
    pub hash: u64,
}

/// One layer of the image.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// Position from the bottom (0 = base).
    pub index: usize,
    /// The layer's name in the archive (`<id>` of `<id>/layer.tar`, or the blob digest).
    pub id: String,
    /// The uncompressed digest (`rootfs.diff_ids`), when the config gives it.
    pub diff_id: String,
    /// The command that created it (from the config history).
    pub command: String,
    /// Sum of the sizes of its entries (dive's layer size).
    pub size: u64,
    /// Its entries, in archive order.
    pub entries: Vec<Entry>,
}

/// A file that costs space more than once (dive's "inefficient file").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InefficientFile {
    /// Absolute path.
    pub path: String,
    /// How many layers touch it (additions, changes and removals).
    pub count: usize,
    /// Bytes it costs over all those layers.
    pub size: u64,
    /// The layers that hold a copy of it (or remove it), 0-based, bottom first.
    pub layers: Vec<usize>,
}

impl InefficientFile {
    /// The layers as numbered on screen (1-based): "1, 3, 4".
    pub fn layer_list(&self) -> String {
        let numbers: Vec<String> = self.layers.iter().map(|l| (l + 1).to_string()).collect();
        numbers.join(", ")
    }
}

/// The image-wide figures, as dive 0.13.1 defines them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Sum of all layer sizes.
    pub size_bytes: u64,
    /// Sum of the layer sizes above the base layer.
    pub user_size_bytes: u64,
    /// Sum of the sizes of the inefficient files.
    pub wasted_bytes: u64,
    /// `wasted_bytes / user_size_bytes` (a ratio; dive prints it ×100).
    pub user_wasted_percent: f64,
    /// Sum of minimal sizes over sum of cumulative sizes, per path (1.0 when nothing is stored).
    pub efficiency: f64,
    /// The inefficient files, largest first (ties by path).
    pub inefficient: Vec<InefficientFile>,
}

/// Everything known about an analysed image.
#[derive(Debug, Default)]
pub struct ImageAnalysis {
    /// Tags from the manifest (`RepoTags`), if any.
    pub tags: Vec<String>,
    /// Interned paths of every entry.
    pub paths: PathTable,
    /// Link targets referenced by [`Entry::link`].
    pub links: Vec<Box<str>>,
    /// Layers, base first.
    pub layers: Vec<Layer>,
    /// Image-wide figures.
    pub figures: Figures,
}

impl ImageAnalysis {
    /// The link target of an entry, if any.
    pub fn link(&self, entry: &Entry) -> Option<&str> {
        self.links.get(entry.link as usize).map(|s| &**s)
    }
}

/// `ls -l` style permission string, e.g. `drwxr-xr-x`.
pub fn mode_string(kind: EntryKind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(kind.type_char());
    let bits = [
        (0o400, 'r'),
        (0o200, 'w'),
        (0o100, 'x'),
        (0o040, 'r'),
        (0o020, 'w'),
        (0o010, 'x'),
        (0o004, 'r'),
        (0o002, 'w'),
        (0o001, 'x'),
    ];
    for (i, (bit, ch)) in bits.iter().enumerate() {
        let set = mode & bit != 0;
        let special = match i {
            2 => mode & 0o4000 != 0,
            5 => mode & 0o2000 != 0,
            8 => mode & 0o1000 != 0,
            _ => false,
        };
        let c = match (special, set, i) {
            (true, true, 8) => 't',
            (true, false, 8) => 'T',
            (true, true, _) => 's',
            (true, false, _) => 'S',
            (false, true, _) => *ch,
            (false, false, _) => '-',
        };
        s.push(c);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_strings() {
        assert_eq!(mode_string(EntryKind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(EntryKind::File, 0o644), "-rw-r--r--");
        assert_eq!(mode_string(EntryKind::Symlink, 0o777), "lrwxrwxrwx");
        assert_eq!(mode_string(EntryKind::File, 0o4755), "-rwsr-xr-x");
        assert_eq!(mode_string(EntryKind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(mode_string(EntryKind::File, 0o2644), "-rw-r-Sr--");
    }
}
