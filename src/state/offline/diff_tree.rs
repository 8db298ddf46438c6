//! A container's changes as a tree like the explorer's: every changed path under its parent
//! directories (parents the engine does not list are shown unchanged), marked with the
//! explorer's statuses (added, modified, removed).
use std::collections::BTreeMap;

use crate::engine::offline::{Change, ChangeKind};
use crate::layers::tree::Status;

/// One row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    /// Depth below the root (0 for `/x`).
    pub depth: usize,
    /// The last path component.
    pub name: String,
    /// The full path.
    pub path: String,
    /// What happened to it (`Unchanged` for a parent listed only for its children).
    pub status: Status,
    /// Whether rows below belong to it.
    pub has_children: bool,
    /// Bytes of the file, when the engine gave them.
    pub size: Option<u64>,
}

fn status(kind: ChangeKind) -> Status {
    match kind {
        ChangeKind::Added => Status::Added,
        ChangeKind::Changed => Status::Modified,
        ChangeKind::Deleted => Status::Removed,
    }
}

/// What the tree knows of a path: its status and size.
type Node = (Status, Option<u64>);

/// The rows for `changes`, parents before children, siblings by name.
pub fn diff_rows(changes: &[Change]) -> Vec<DiffRow> {
    let mut nodes: BTreeMap<Vec<String>, Node> = BTreeMap::new();
    for c in changes {
        let parts: Vec<String> = c
            .path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        for n in 1..parts.len() {
            nodes
                .entry(parts[..n].to_vec())
                .or_insert((Status::Unchanged, None));
        }
        if !parts.is_empty() {
            nodes.insert(parts, (status(c.kind), c.size));
        }
    }
    let keys: Vec<(&Vec<String>, &Node)> = nodes.iter().collect();
    keys.iter()
        .enumerate()
        .map(|(i, (parts, st))| DiffRow {
            depth: parts.len() - 1,
            name: parts.last().cloned().unwrap_or_default(),
            path: format!("/{}", parts.join("/")),
            status: st.0,
            size: st.1,
            has_children: keys
                .get(i + 1)
                .is_some_and(|(next, _)| next.len() > parts.len() && next.starts_with(parts)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(path: &str, kind: ChangeKind) -> Change {
        Change {
            path: path.into(),
            kind,
            size: None,
        }
    }

    #[test]
    fn parents_first_and_unlisted_parents_unchanged() {
        let rows = diff_rows(&[
            ch("/a-b", ChangeKind::Added),
            ch("/a/b/c", ChangeKind::Deleted),
            ch("/a", ChangeKind::Changed),
        ]);
        let got: Vec<(usize, &str, Status, bool)> = rows
            .iter()
            .map(|r| (r.depth, r.name.as_str(), r.status, r.has_children))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "a", Status::Modified, true),
                (1, "b", Status::Unchanged, true),
                (2, "c", Status::Removed, false),
                (0, "a-b", Status::Added, false),
            ]
        );
        assert_eq!(rows[2].path, "/a/b/c");
    }
}
