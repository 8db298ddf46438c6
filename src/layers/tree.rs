//! The image's file tree "as of layer N": layers 0..=N merged with overlay semantics
//! (whiteouts `.wh.<name>` remove a path, opaque markers `.wh..wh..opq` hide a directory's
//! lower contents), each node marked Added / Modified / Removed / Unchanged relative to N-1.
use super::model::{Entry, EntryKind, ImageAnalysis, NO_LINK};
use super::paths::{PathId, PathTable, ROOT};

/// How a path changed in the selected layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Present before and not changed (or rewritten identically).
    Unchanged,
    /// New in this layer.
    Added,
    /// Present before; this layer changed its type, contents, mode or owner (or, for a
    /// directory, something below it).
    Modified,
    /// Present before; this layer removed it (whiteout or opaque directory).
    Removed,
}

/// What is known of a path at some layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeInfo {
    /// Type.
    pub kind: EntryKind,
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Own size (0 for directories).
    pub size: u64,
    /// Link target index, or [`NO_LINK`].
    pub link: u32,
    /// Content hash.
    pub hash: u64,
    /// Layer that last wrote it.
    pub layer: usize,
}

impl NodeInfo {
    fn from_entry(e: &Entry, layer: usize) -> Self {
        Self {
            kind: e.kind,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            link: e.link,
            hash: e.hash,
            layer,
        }
    }

    /// An implicit parent directory (no entry of its own in the archive).
    fn implicit_dir(layer: usize) -> Self {
        Self {
            kind: EntryKind::Dir,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 0,
            link: NO_LINK,
            hash: 0,
            layer,
        }
    }

    fn same_as(&self, other: &NodeInfo, links: &[Box<str>]) -> bool {
        let link = |i: u32| links.get(i as usize).map(|s| &**s);
        self.kind == other.kind
            && self.hash == other.hash
            && self.size == other.size
            && self.mode == other.mode
            && self.uid == other.uid
            && self.gid == other.gid
            && link(self.link) == link(other.link)
    }
}

/// One node of a [`LayerTree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeNode {
    /// Metadata as of the layer (for a removed node: as it was before).
    pub info: NodeInfo,
    /// Change relative to the layer below.
    pub status: Status,
    /// True when the selected layer has an entry for this path (or removed it).
    pub touched: bool,
    /// Size with everything below it (removed children count only under a removed directory).
    pub rolled_size: u64,
}

/// The merged tree as of one layer.
#[derive(Debug, Clone)]
pub struct LayerTree {
    /// The selected layer.
    pub layer: usize,
    nodes: Vec<Option<TreeNode>>,
    /// Children of each node sorted by name (CSR: `child_start[id]..child_start[id + 1]`).
    child_start: Vec<u32>,
    child_ids: Vec<PathId>,
}

type State = Vec<Option<NodeInfo>>;

fn remove_subtree(paths: &PathTable, state: &mut State, id: PathId, mut visit: impl FnMut(PathId)) {
    if id == ROOT || state[id as usize].is_none() {
        return;
    }
    let mut todo = vec![id];
    while let Some(cur) = todo.pop() {
        if state[cur as usize].take().is_some() {
            visit(cur);
            todo.extend(paths.children(cur).filter(|&c| state[c as usize].is_some()));
        }
    }
}

fn clear_children(
    paths: &PathTable,
    state: &mut State,
    dir: PathId,
    mut visit: impl FnMut(PathId),
) {
    let kids: Vec<PathId> = paths
        .children(dir)
        .filter(|&c| state[c as usize].is_some())
        .collect();
    for k in kids {
        remove_subtree(paths, state, k, &mut visit);
    }
}

fn add(
    paths: &PathTable,
    state: &mut State,
    e: &Entry,
    layer: usize,
    mut on_new: impl FnMut(PathId),
) {
    let mut anc = paths.parent(e.path);
    while anc != ROOT && state[anc as usize].is_none() {
        state[anc as usize] = Some(NodeInfo::implicit_dir(layer));
        on_new(anc);
        anc = paths.parent(anc);
    }
    state[e.path as usize] = Some(NodeInfo::from_entry(e, layer));
}

/// Applies one layer with overlay semantics: opaque directories first, then whiteouts, then entries.
fn apply(paths: &PathTable, state: &mut State, image: &ImageAnalysis, layer: usize) {
    let entries = &image.layers[layer].entries;
    for e in entries.iter().filter(|e| e.kind == EntryKind::Opaque) {
        clear_children(paths, state, e.path, |_| {});
    }
    for e in entries.iter().filter(|e| e.kind == EntryKind::Whiteout) {
        remove_subtree(paths, state, e.path, |_| {});
    }
    for e in entries {
        if !matches!(e.kind, EntryKind::Opaque | EntryKind::Whiteout) {
            add(paths, state, e, layer, |_| {});
        }
    }
}

impl LayerTree {
    /// Merges layers `0..=layer` of `image` and marks what `layer` changed.
    /// A `layer` past the top is clamped to the top layer.
    pub fn build(image: &ImageAnalysis, layer: usize) -> Self {
        let paths = &image.paths;
        let n = paths.len();
        let layer = layer.min(image.layers.len().saturating_sub(1));
        let mut state: State = vec![None; n];
        for l in 0..layer {
            apply(paths, &mut state, image, l);
        }
        let before = state.clone();
        let mut nodes: Vec<Option<TreeNode>> = vec![None; n];
        let mut removed: Vec<PathId> = Vec::new();
        let mut touched = vec![false; n];
        if let Some(top) = image.layers.get(layer) {
            for e in top.entries.iter().filter(|e| e.kind == EntryKind::Opaque) {
                clear_children(paths, &mut state, e.path, |id| removed.push(id));
            }
            for e in top.entries.iter().filter(|e| e.kind == EntryKind::Whiteout) {
                remove_subtree(paths, &mut state, e.path, |id| removed.push(id));
            }
            for e in &top.entries {
                if !matches!(e.kind, EntryKind::Opaque | EntryKind::Whiteout) {
                    add(paths, &mut state, e, layer, |id| {
                        touched[id as usize] = true
                    });
                    touched[e.path as usize] = true;
                }
            }
        }
        for (id, info) in state.iter().enumerate() {
            let Some(info) = info else { continue };
            let status = match &before[id] {
                None => Status::Added,
                Some(old) if touched[id] && !old.same_as(info, &image.links) => Status::Modified,
                Some(_) => Status::Unchanged,
            };
            nodes[id] = Some(TreeNode {
                info: *info,
                status,
                touched: touched[id],
                rolled_size: 0,
            });
        }
        for id in removed {
            if nodes[id as usize].is_none()
                && let Some(old) = before[id as usize]
            {
                nodes[id as usize] = Some(TreeNode {
                    info: old,
                    status: Status::Removed,
                    touched: true,
                    rolled_size: 0,
                });
            }
        }
        // Children have larger ids than their parents, so a reverse sweep is bottom-up.
        let mut dirty = vec![false; n];
        for id in (1..n).rev() {
            let Some(node) = nodes[id].as_mut() else {
                continue;
            };
            if node.info.kind != EntryKind::Dir {
                node.rolled_size = node.info.size;
            }
            if node.status == Status::Unchanged && dirty[id] {
                node.status = Status::Modified;
            }
            let (status, rolled) = (node.status, node.rolled_size);
            let parent = paths.parent(id as PathId) as usize;
            if status != Status::Unchanged {
                dirty[parent] = true;
            }
            let parent_removed = nodes[parent]
                .as_ref()
                .is_some_and(|p| p.status == Status::Removed);
            if (status != Status::Removed || parent_removed)
                && let Some(p) = nodes[parent].as_mut()
            {
                p.rolled_size += rolled;
            }
        }
        let root = TreeNode {
            info: NodeInfo::implicit_dir(0),
            status: if dirty[0] {
                Status::Modified
            } else {
                Status::Unchanged
            },
            touched: false,
            rolled_size: 0,
        };
        nodes[0] = Some(root);
        let root_size: u64 = paths
            .children(ROOT)
            .filter_map(|c| nodes[c as usize].as_ref())
            .filter(|c| c.status != Status::Removed)
            .map(|c| c.rolled_size)
            .sum();
        if let Some(r) = nodes[0].as_mut() {
            r.rolled_size = root_size;
        }
        let (child_start, child_ids) = sorted_children(paths, &nodes);
        Self {
            layer,
            nodes,
            child_start,
            child_ids,
        }
    }

    /// The node at `id`, if it exists at this layer (or was removed by it).
    pub fn node(&self, id: PathId) -> Option<&TreeNode> {
        self.nodes.get(id as usize).and_then(|n| n.as_ref())
    }

    /// Children of `id`, sorted by name.
    pub fn children(&self, id: PathId) -> &[PathId] {
        let i = id as usize;
        match (self.child_start.get(i), self.child_start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.child_ids[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Number of node slots (the path table's size).
    pub fn capacity(&self) -> usize {
        self.nodes.len()
    }
}

fn sorted_children(paths: &PathTable, nodes: &[Option<TreeNode>]) -> (Vec<u32>, Vec<PathId>) {
    let n = nodes.len();
    let mut counts = vec![0u32; n + 1];
    for (id, node) in nodes.iter().enumerate().skip(1) {
        if node.is_some() {
            counts[paths.parent(id as PathId) as usize + 1] += 1;
        }
    }
    for i in 1..=n {
        counts[i] += counts[i - 1];
    }
    let start = counts.clone();
    let mut fill = counts;
    let mut ids = vec![0; start[n] as usize];
    for (id, node) in nodes.iter().enumerate().skip(1) {
        if node.is_some() {
            let p = paths.parent(id as PathId) as usize;
            ids[fill[p] as usize] = id as PathId;
            fill[p] += 1;
        }
    }
    for p in 0..n {
        let slice = &mut ids[start[p] as usize..start[p + 1] as usize];
        if slice.len() > 1 {
            slice.sort_unstable_by(|&a, &b| paths.name(a).cmp(paths.name(b)));
        }
    }
    (start, ids)
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
