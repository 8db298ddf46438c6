//! The images pane's state: one row per tag, sorting, filtering, marks and the cursor.
use std::collections::{HashMap, HashSet};

use crate::engine::{ContainerInfo, ImageInfo};

/// One row of the images pane: an image under one of its tags (or untagged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    /// Image ID, `sha256:…`.
    pub id: String,
    /// Repository, `<none>` when dangling.
    pub repo: String,
    /// Tag, `<none>` when untagged.
    pub tag: String,
    /// `repo:tag`, or `None` for a dangling image (which is addressed by ID).
    pub reference: Option<String>,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Size in bytes.
    pub size: u64,
    /// Number of tags the image has (more than one: the ID is shared with other rows).
    pub tag_count: usize,
    /// Names of containers using the image.
    pub used_by: Vec<String>,
}

impl ImageRow {
    /// No tag at all (`<none>:<none>`).
    pub fn dangling(&self) -> bool {
        self.reference.is_none()
    }

    /// What identifies the row across refreshes and what remove/tag send to the engine.
    pub fn key(&self) -> String {
        self.reference.clone().unwrap_or_else(|| self.id.clone())
    }

    /// `repo:tag` or the short ID for display.
    pub fn label(&self) -> String {
        self.reference
            .clone()
            .unwrap_or_else(|| format!("<none> ({})", crate::util::text::short_id(&self.id)))
    }
}

/// Sort orders, cycled by a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Newest first.
    #[default]
    Created,
    /// Largest first.
    Size,
    /// Alphabetical by repo:tag.
    Name,
}

impl SortKey {
    /// The next order in the cycle.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Created => SortKey::Size,
            SortKey::Size => SortKey::Name,
            SortKey::Name => SortKey::Created,
        }
    }

    /// Name for the title bar.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Created => "created",
            SortKey::Size => "size",
            SortKey::Name => "name",
        }
    }
}

/// The images pane.
#[derive(Debug, Clone, Default)]
pub struct ImagesState {
    /// All rows, in engine order.
    pub rows: Vec<ImageRow>,
    /// Indices into `rows` after filtering and sorting.
    pub view: Vec<usize>,
    /// Cursor position in `view`.
    pub cursor: usize,
    /// First visible row (kept so the view scrolls only when the cursor leaves it).
    pub offset: usize,
    /// Sort order.
    pub sort: SortKey,
    /// Reverse the natural order.
    pub reverse: bool,
    /// Substring filter over `repo:tag` and ID.
    pub filter: String,
    /// Keys (see [`ImageRow::key`]) of marked rows.
    pub marked: HashSet<String>,
    /// At least one listing has arrived.
    pub loaded: bool,
}

/// Builds the rows from a listing: one per tag, one for an untagged image.
pub fn rows_from(images: &[ImageInfo], containers: &[ContainerInfo]) -> Vec<ImageRow> {
    let mut used: HashMap<&str, Vec<String>> = HashMap::new();
    for c in containers {
        used.entry(c.image_id.as_str())
            .or_default()
            .push(c.name.clone());
    }
    let mut rows = Vec::new();
    for image in images {
        let used_by = used.get(image.id.as_str()).cloned().unwrap_or_default();
        let base = ImageRow {
            id: image.id.clone(),
            repo: "<none>".into(),
            tag: "<none>".into(),
            reference: None,
            created: image.created,
            size: image.size,
            tag_count: image.repo_tags.len(),
            used_by,
        };
        if image.repo_tags.is_empty() {
            let repo = image
                .repo_digests
                .first()
                .and_then(|d| d.split('@').next())
                .unwrap_or("<none>");
            rows.push(ImageRow {
                repo: repo.to_string(),
                ..base
            });
            continue;
        }
        for reference in &image.repo_tags {
            let (repo, tag) = crate::engine::images::split_tag(reference);
            rows.push(ImageRow {
                repo: repo.to_string(),
                tag: tag.to_string(),
                reference: Some(reference.clone()),
                ..base.clone()
            });
        }
    }
    rows
}

impl ImagesState {
    /// Replaces the rows, keeping the cursor on the same row when it still exists.
    pub fn set_rows(&mut self, rows: Vec<ImageRow>) {
        let selected = self.selected().map(ImageRow::key);
        let keys: HashSet<String> = rows.iter().map(ImageRow::key).collect();
        self.marked.retain(|k| keys.contains(k));
        self.rows = rows;
        self.loaded = true;
        self.rebuild_view(selected.as_deref());
    }

    /// Recomputes `view` from filter and sort, keeping `keep` selected when given.
    pub fn rebuild_view(&mut self, keep: Option<&str>) {
        let needle = self.filter.to_lowercase();
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let r = &self.rows[i];
                needle.is_empty()
                    || format!("{}:{}", r.repo, r.tag)
                        .to_lowercase()
                        .contains(&needle)
                    || r.id.trim_start_matches("sha256:").starts_with(&needle)
            })
            .collect();
        let rows = &self.rows;
        view.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            let ord = match self.sort {
                SortKey::Created => b.created.cmp(&a.created),
                SortKey::Size => b.size.cmp(&a.size),
                SortKey::Name => {
                    (a.dangling(), &a.repo, &a.tag).cmp(&(b.dangling(), &b.repo, &b.tag))
                }
            };
            ord.then_with(|| a.repo.cmp(&b.repo))
                .then_with(|| a.tag.cmp(&b.tag))
                .then_with(|| a.id.cmp(&b.id))
        });
        if self.reverse {
            view.reverse();
        }
        self.view = view;
        let found = keep.and_then(|k| self.view.iter().position(|&i| self.rows[i].key() == k));
        self.cursor = found
            .unwrap_or(self.cursor)
            .min(self.view.len().saturating_sub(1));
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&ImageRow> {
        self.view.get(self.cursor).map(|&i| &self.rows[i])
    }

    /// Moves the cursor by `delta` rows, clamped, scrolling a view of `height` rows.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.view.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// Keeps the cursor inside a viewport of `height` rows.
    pub fn scroll(&mut self, height: usize) {
        self.offset = visible_offset(self.offset, self.cursor, height);
    }

    /// Moves to the first or last row.
    pub fn jump(&mut self, to_end: bool) {
        self.cursor = if to_end {
            self.view.len().saturating_sub(1)
        } else {
            0
        };
    }

    /// Sets the filter and rebuilds the view.
    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.selected().map(ImageRow::key);
        self.filter = filter.to_string();
        self.rebuild_view(keep.as_deref());
    }

    /// Cycles the sort order.
    pub fn cycle_sort(&mut self) {
        let keep = self.selected().map(ImageRow::key);
        self.sort = self.sort.next();
        self.rebuild_view(keep.as_deref());
    }

    /// Reverses the sort order.
    pub fn reverse_sort(&mut self) {
        let keep = self.selected().map(ImageRow::key);
        self.reverse = !self.reverse;
        self.rebuild_view(keep.as_deref());
    }

    /// Marks or unmarks the selected row and moves down.
    pub fn toggle_mark(&mut self) {
        if let Some(key) = self.selected().map(ImageRow::key) {
            if !self.marked.remove(&key) {
                self.marked.insert(key);
            }
            self.move_by(1);
        }
    }

    /// The rows an action applies to: the marked ones, else the selected one.
    pub fn targets(&self) -> Vec<&ImageRow> {
        if self.marked.is_empty() {
            return self.selected().into_iter().collect();
        }
        self.view
            .iter()
            .map(|&i| &self.rows[i])
            .filter(|r| self.marked.contains(&r.key()))
            .collect()
    }
}

/// The first visible row so that `cursor` is inside a viewport of `height` rows starting near `offset`.
pub fn visible_offset(offset: usize, cursor: usize, height: usize) -> usize {
    let height = height.max(1);
    if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn image(id: &str, tags: &[&str], created: i64, size: u64) -> ImageInfo {
        ImageInfo {
            id: id.into(),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: vec![],
            created,
            size,
        }
    }

    fn state() -> ImagesState {
        let images = vec![
            image("sha256:aaa", &["busybox:1", "busybox:latest"], 100, 2_000),
            image("sha256:bbb", &[], 50, 9_000),
            image("sha256:ccc", &["app:2"], 300, 500),
        ];
        let containers = vec![ContainerInfo {
            id: "c".into(),
            name: "web".into(),
            image: "app:2".into(),
            image_id: "sha256:ccc".into(),
            state: "running".into(),
            status: "Up".into(),
            ..Default::default()
        }];
        let mut s = ImagesState::default();
        s.set_rows(rows_from(&images, &containers));
        s
    }

    fn labels(s: &ImagesState) -> Vec<String> {
        s.view.iter().map(|&i| s.rows[i].label()).collect()
    }

    #[test]
    fn one_row_per_tag_and_dangling_marked() {
        let s = state();
        assert_eq!(s.rows.len(), 4);
        assert_eq!(s.rows[0].tag_count, 2);
        assert!(s.rows.iter().any(ImageRow::dangling));
        let app = s.rows.iter().find(|r| r.repo == "app").unwrap();
        assert_eq!(app.used_by, vec!["web".to_string()]);
    }

    #[test]
    fn sorts_cycle_and_reverse() {
        let mut s = state();
        assert_eq!(labels(&s)[0], "app:2");
        s.cycle_sort();
        assert_eq!(s.sort, SortKey::Size);
        assert_eq!(labels(&s)[0], "<none> (bbb)");
        s.cycle_sort();
        assert_eq!(
            labels(&s),
            vec!["app:2", "busybox:1", "busybox:latest", "<none> (bbb)"]
        );
        s.reverse_sort();
        assert_eq!(labels(&s)[0], "<none> (bbb)");
    }

    #[test]
    fn filter_matches_reference_and_id_and_keeps_selection() {
        let mut s = state();
        s.cycle_sort();
        s.cycle_sort();
        s.cursor = 1; // busybox:1
        s.set_filter("busy");
        assert_eq!(labels(&s), vec!["busybox:1", "busybox:latest"]);
        assert_eq!(s.selected().unwrap().label(), "busybox:1");
        s.set_filter("bbb");
        assert_eq!(labels(&s), vec!["<none> (bbb)"]);
        s.set_filter("nothing");
        assert!(s.selected().is_none());
        s.set_filter("");
        assert_eq!(s.view.len(), 4);
    }

    #[test]
    fn marks_survive_refresh_and_drive_targets() {
        let mut s = state();
        s.toggle_mark();
        assert_eq!(s.cursor, 1);
        s.toggle_mark();
        let targets: Vec<String> = s.targets().iter().map(|r| r.key()).collect();
        assert_eq!(targets.len(), 2);
        let rows = s.rows.clone();
        s.set_rows(rows[1..].to_vec());
        assert!(s.marked.len() <= 2);
        s.marked.clear();
        assert_eq!(s.targets().len(), 1);
    }

    #[test]
    fn viewport_scrolls_only_when_cursor_leaves_it() {
        assert_eq!(visible_offset(0, 3, 5), 0);
        assert_eq!(visible_offset(0, 5, 5), 1);
        assert_eq!(visible_offset(4, 2, 5), 2);
        assert_eq!(visible_offset(4, 6, 5), 4);
        assert_eq!(visible_offset(0, 9, 0), 9);
    }

    #[test]
    fn cursor_follows_row_across_refresh_and_clamps() {
        let mut s = state();
        s.cursor = 2;
        let key = s.selected().unwrap().key();
        let mut rows = s.rows.clone();
        rows.reverse();
        s.set_rows(rows);
        assert_eq!(s.selected().unwrap().key(), key);
        s.set_rows(vec![]);
        assert_eq!(s.cursor, 0);
        assert!(s.selected().is_none());
        s.move_by(5);
        assert_eq!(s.cursor, 0);
    }
}
