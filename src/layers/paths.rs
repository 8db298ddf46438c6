//! Interned file paths: every distinct path of an image is stored once, as (parent, name).
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// Index of an interned path; [`ROOT`] is `/`.
pub type PathId = u32;
/// The root directory.
pub const ROOT: PathId = 0;
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    parent: PathId,
    name_off: u32,
    name_len: u32,
    first_child: u32,
    next_sibling: u32,
}

/// Why a path could not be interned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// The path climbs above the root with `..`.
    EscapesRoot,
    /// The name arena is full (more than 4 GiB of names).
    TooLarge,
}

/// The interner: a tree of names with O(1) lookup of a child by name.
#[derive(Debug)]
pub struct PathTable {
    nodes: Vec<Node>,
    names: String,
    index: HashTable<PathId>,
    hasher: DefaultHashBuilder,
}

impl Default for PathTable {
    fn default() -> Self {
        Self::new()
    }
}

impl PathTable {
    /// A table holding only the root.
    pub fn new() -> Self {
        Self {
            nodes: vec![Node {
                parent: ROOT,
                name_off: 0,
                name_len: 0,
                first_child: NONE,
                next_sibling: NONE,
            }],
            names: String::new(),
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }

    /// Number of interned paths, the root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when only the root is interned.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 1
    }

    /// Bytes used by names.
    pub fn name_bytes(&self) -> usize {
        self.names.len()
    }

    fn hash(&self, parent: PathId, name: &str) -> u64 {
        self.hasher.hash_one((parent, name))
    }

    /// The last component of `id` (empty for the root).
    pub fn name(&self, id: PathId) -> &str {
        let n = &self.nodes[id as usize];
        &self.names[n.name_off as usize..(n.name_off + n.name_len) as usize]
    }

    /// The parent of `id` (the root is its own parent).
    pub fn parent(&self, id: PathId) -> PathId {
        self.nodes[id as usize].parent
    }

    /// Number of components from the root (the root is 0).
    pub fn depth(&self, mut id: PathId) -> usize {
        let mut d = 0;
        while id != ROOT {
            id = self.parent(id);
            d += 1;
        }
        d
    }

    /// The child of `parent` called `name`, if interned.
    pub fn child(&self, parent: PathId, name: &str) -> Option<PathId> {
        let h = self.hash(parent, name);
        self.index
            .find(h, |&id| {
                self.nodes[id as usize].parent == parent && self.name(id) == name
            })
            .copied()
    }

    /// Interns `name` under `parent`.
    pub fn intern_child(&mut self, parent: PathId, name: &str) -> Result<PathId, PathError> {
        let h = self.hash(parent, name);
        let nodes = &self.nodes;
        let names = &self.names;
        if let Some(&id) = self.index.find(h, |&id| {
            let n = &nodes[id as usize];
            n.parent == parent
                && &names[n.name_off as usize..(n.name_off + n.name_len) as usize] == name
        }) {
            return Ok(id);
        }
        let name_off = u32::try_from(self.names.len()).map_err(|_| PathError::TooLarge)?;
        let name_len = u32::try_from(name.len()).map_err(|_| PathError::TooLarge)?;
        if name_off.checked_add(name_len).is_none() || self.nodes.len() >= NONE as usize {
            return Err(PathError::TooLarge);
        }
        self.names.push_str(name);
        let id = self.nodes.len() as PathId;
        let next_sibling = self.nodes[parent as usize].first_child;
        self.nodes.push(Node {
            parent,
            name_off,
            name_len,
            first_child: NONE,
            next_sibling,
        });
        self.nodes[parent as usize].first_child = id;
        let hasher = &self.hasher;
        let (nodes, names) = (&self.nodes, &self.names);
        self.index.insert_unique(h, id, |&other| {
            let n = &nodes[other as usize];
            hasher.hash_one((
                n.parent,
                &names[n.name_off as usize..(n.name_off + n.name_len) as usize],
            ))
        });
        Ok(id)
    }

    /// Interns a slash-separated path, cleaned lexically (`.`, empty components and `..` resolved).
    pub fn intern(&mut self, path: &str) -> Result<PathId, PathError> {
        let has_dotdot = path.split('/').any(|c| c == "..");
        if !has_dotdot {
            let mut id = ROOT;
            for comp in path.split('/') {
                if comp.is_empty() || comp == "." {
                    continue;
                }
                id = self.intern_child(id, comp)?;
            }
            return Ok(id);
        }
        let mut stack: Vec<&str> = Vec::new();
        for comp in path.split('/') {
            match comp {
                "" | "." => {}
                ".." => {
                    if stack.pop().is_none() {
                        return Err(PathError::EscapesRoot);
                    }
                }
                c => stack.push(c),
            }
        }
        let mut id = ROOT;
        for comp in stack {
            id = self.intern_child(id, comp)?;
        }
        Ok(id)
    }

    /// Looks a path up without interning it.
    pub fn lookup(&self, path: &str) -> Option<PathId> {
        let mut id = ROOT;
        for comp in path.split('/') {
            if comp.is_empty() || comp == "." {
                continue;
            }
            id = self.child(id, comp)?;
        }
        Some(id)
    }

    /// The absolute path of `id`, e.g. `/etc/passwd` (`/` for the root).
    pub fn path(&self, id: PathId) -> String {
        if id == ROOT {
            return "/".to_string();
        }
        let mut comps = Vec::new();
        let mut cur = id;
        while cur != ROOT {
            comps.push(self.name(cur));
            cur = self.parent(cur);
        }
        let mut out = String::with_capacity(comps.iter().map(|c| c.len() + 1).sum());
        for c in comps.iter().rev() {
            out.push('/');
            out.push_str(c);
        }
        out
    }

    /// True when `id` is `ancestor` or lies below it.
    pub fn is_under(&self, mut id: PathId, ancestor: PathId) -> bool {
        loop {
            if id == ancestor {
                return true;
            }
            if id == ROOT {
                return false;
            }
            id = self.parent(id);
        }
    }

    /// The interned children of `id`, in no particular order.
    pub fn children(&self, id: PathId) -> Children<'_> {
        Children {
            table: self,
            next: self.nodes[id as usize].first_child,
        }
    }
}

/// Iterator over the children of a path.
pub struct Children<'a> {
    table: &'a PathTable,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = PathId;
    fn next(&mut self) -> Option<PathId> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.table.nodes[id as usize].next_sibling;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_rebuilds_paths() {
        let mut t = PathTable::new();
        let a = t.intern("usr/bin/env").unwrap();
        let b = t.intern("./usr/bin/env").unwrap();
        let c = t.intern("/usr//bin/./env/").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(t.path(a), "/usr/bin/env");
        assert_eq!(t.len(), 4);
        assert_eq!(t.lookup("usr/bin"), Some(t.parent(a)));
        assert_eq!(t.lookup("usr/sbin"), None);
        assert_eq!(t.depth(a), 3);
        assert_eq!(t.path(ROOT), "/");
    }

    #[test]
    fn dotdot_is_resolved_or_rejected() {
        let mut t = PathTable::new();
        let a = t.intern("a/b/../c").unwrap();
        assert_eq!(t.path(a), "/a/c");
        assert_eq!(t.intern("../etc/passwd"), Err(PathError::EscapesRoot));
        assert_eq!(t.intern("a/../../x"), Err(PathError::EscapesRoot));
    }

    #[test]
    fn children_are_listed() {
        let mut t = PathTable::new();
        let x = t.intern("d/x").unwrap();
        let y = t.intern("d/y").unwrap();
        let d = t.lookup("d").unwrap();
        let mut kids: Vec<_> = t.children(d).collect();
        kids.sort();
        assert_eq!(kids, vec![x, y]);
        assert!(t.is_under(x, d));
        assert!(!t.is_under(d, x));
    }
}
