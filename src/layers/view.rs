//! UI-independent view model of the layer explorer: a [`LayerTree`] plus the user's choices
//! (mode, collapsed directories, path and status filters) become a flat list of visible rows.
use std::collections::HashSet;

use super::model::{EntryKind, ImageAnalysis, mode_string};
use super::paths::{PathId, ROOT};
use super::tree::{LayerTree, Status};

/// Which part of the tree to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewMode {
    /// Only what the selected layer added, changed or removed (with their parent directories).
    LayerChanges,
    /// The whole image as of the selected layer, plus what it removed.
    #[default]
    Aggregated,
}

/// Which statuses to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFilter {
    /// Show added entries.
    pub added: bool,
    /// Show modified entries.
    pub modified: bool,
    /// Show removed entries.
    pub removed: bool,
    /// Show unchanged entries.
    pub unchanged: bool,
}

impl Default for StatusFilter {
    fn default() -> Self {
        Self {
            added: true,
            modified: true,
            removed: true,
            unchanged: true,
        }
    }
}

impl StatusFilter {
    /// True when `status` is shown.
    pub fn allows(&self, status: Status) -> bool {
        match status {
            Status::Added => self.added,
            Status::Modified => self.modified,
            Status::Removed => self.removed,
            Status::Unchanged => self.unchanged,
        }
    }
}

/// The user's choices for the explorer.
#[derive(Debug, Clone, Default)]
pub struct ViewOptions {
    /// Changes of the layer only, or the whole image up to it.
    pub mode: ViewMode,
    /// Directories whose contents are hidden.
    pub collapsed: HashSet<PathId>,
    /// Case-insensitive substring of the full path; empty shows everything.
    pub path_filter: String,
    /// Statuses to show.
    pub status_filter: StatusFilter,
}

/// One visible line of the explorer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The path (stable for the whole analysis; use it for collapse state).
    pub id: PathId,
    /// Nesting depth (top-level entries are 0).
    pub depth: usize,
    /// Last path component.
    pub name: String,
    /// Entry type.
    pub kind: EntryKind,
    /// Change in the selected layer.
    pub status: Status,
    /// Size, rolled up for directories.
    pub size: u64,
    /// `ls -l` permissions, e.g. `drwxr-xr-x`.
    pub mode: String,
    /// `uid:gid`.
    pub owner: String,
    /// Symlink or hardlink target.
    pub link: Option<String>,
    /// True when the row has children that can be shown.
    pub has_children: bool,
    /// True when the row is a collapsed directory.
    pub collapsed: bool,
}

/// The visible rows, in tree order (children sorted by name).
pub fn rows(image: &ImageAnalysis, tree: &LayerTree, opts: &ViewOptions) -> Vec<Row> {
    let paths = &image.paths;
    let n = tree.capacity();
    // 1. Which nodes match on their own.
    let filter = opts.path_filter.to_lowercase();
    let mut full: Vec<String> = Vec::new();
    if !filter.is_empty() {
        full = vec![String::new(); n];
    }
    let mut keep = vec![false; n];
    for id in 1..n {
        let Some(node) = tree.node(id as PathId) else {
            continue;
        };
        if !filter.is_empty() {
            let parent = paths.parent(id as PathId) as usize;
            let name = paths.name(id as PathId).to_lowercase();
            full[id] = format!("{}/{}", full[parent], name);
        }
        let mode_ok = match opts.mode {
            ViewMode::Aggregated => true,
            ViewMode::LayerChanges => {
                node.touched
                    && (node.status != Status::Unchanged || node.info.kind != EntryKind::Dir)
            }
        };
        let status_ok = opts.status_filter.allows(node.status);
        let path_ok = filter.is_empty() || full[id].contains(&filter);
        keep[id] = mode_ok && status_ok && path_ok;
    }
    // 2. Keep the ancestors of every kept node (children have larger ids than parents).
    for id in (1..n).rev() {
        if keep[id] {
            let parent = paths.parent(id as PathId) as usize;
            keep[parent] = true;
        }
    }
    // 3. Emit in tree order.
    let mut out = Vec::new();
    let mut stack: Vec<(PathId, usize)> = tree
        .children(ROOT)
        .iter()
        .rev()
        .filter(|&&c| keep[c as usize])
        .map(|&c| (c, 0))
        .collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(node) = tree.node(id) else { continue };
        let kids: Vec<PathId> = tree
            .children(id)
            .iter()
            .copied()
            .filter(|&c| keep[c as usize])
            .collect();
        let collapsed = opts.collapsed.contains(&id) && !kids.is_empty();
        let link = image
            .links
            .get(node.info.link as usize)
            .map(|s| s.to_string());
        out.push(Row {
            id,
            depth,
            name: paths.name(id).to_string(),
            kind: node.info.kind,
            status: node.status,
            size: node.rolled_size,
            mode: mode_string(node.info.kind, node.info.mode),
            owner: format!("{}:{}", node.info.uid, node.info.gid),
            link,
            has_children: !kids.is_empty(),
            collapsed,
        });
        if !collapsed {
            stack.extend(kids.iter().rev().map(|&c| (c, depth + 1)));
        }
    }
    out
}

/// Collapses an expanded directory row or expands a collapsed one; other rows are left alone.
pub fn toggle(collapsed: &mut HashSet<PathId>, row: &Row) {
    if !row.has_children {
        return;
    }
    if !collapsed.remove(&row.id) {
        collapsed.insert(row.id);
    }
}

/// Collapses every directory of the tree.
pub fn collapse_all(tree: &LayerTree, collapsed: &mut HashSet<PathId>) {
    for id in 1..tree.capacity() as PathId {
        if !tree.children(id).is_empty() {
            collapsed.insert(id);
        }
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
