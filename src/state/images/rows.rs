//! The images pane's rows: one per tag (or one for an untagged image), and their sort orders.
use std::cmp::Ordering;
use std::collections::HashMap;

use crate::engine::{ContainerInfo, ImageInfo};
use crate::state::widgets::table::{Scope, SortOrder, TableRow};

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
    /// Those of them with a process (running, paused, restarting): the engine never deletes an
    /// image under them.
    pub running: Vec<String>,
    /// Bytes only this image holds: what removing it frees (from the disk usage; `None` until
    /// known or when the engine does not report it).
    pub unique: Option<u64>,
    /// Bytes of layers it shares with other images.
    pub shared: Option<u64>,
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
    /// Most bytes freed by removing it first (unique size; unknown last).
    Unique,
}

impl SortOrder for SortKey {
    const ALL: &'static [SortKey] = &[
        SortKey::Created,
        SortKey::Size,
        SortKey::Name,
        SortKey::Unique,
    ];

    fn label(self) -> &'static str {
        match self {
            SortKey::Created => "created",
            SortKey::Size => "size",
            SortKey::Name => "name",
            SortKey::Unique => "unique size",
        }
    }
}

/// Builds the rows from a listing: one per tag, one for an untagged image.
pub fn rows_from(images: &[ImageInfo], containers: &[ContainerInfo]) -> Vec<ImageRow> {
    let mut used: HashMap<&str, Vec<String>> = HashMap::new();
    let mut running: HashMap<&str, Vec<String>> = HashMap::new();
    for c in containers {
        used.entry(c.image_id.as_str())
            .or_default()
            .push(c.name.clone());
        if c.state.is_live() {
            running
                .entry(c.image_id.as_str())
                .or_default()
                .push(c.name.clone());
        }
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
            running: running.get(image.id.as_str()).cloned().unwrap_or_default(),
            unique: None,
            shared: None,
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

/// The images a prune of all unused images could remove: no container (running or not) uses them.
pub fn unused_scope() -> Scope<ImageRow> {
    Scope {
        label: "unused",
        keep: |r| r.used_by.is_empty(),
    }
}

impl TableRow for ImageRow {
    type Sort = SortKey;

    fn key(&self) -> String {
        ImageRow::key(self)
    }

    fn matches(&self, needle: &str) -> bool {
        format!("{}:{}", self.repo, self.tag)
            .to_lowercase()
            .contains(needle)
            || self.id.trim_start_matches("sha256:").starts_with(needle)
    }

    fn compare(&self, b: &Self, sort: SortKey) -> Ordering {
        let a = self;
        let ord = match sort {
            SortKey::Created => b.created.cmp(&a.created),
            SortKey::Size => b.size.cmp(&a.size),
            SortKey::Name => (a.dangling(), &a.repo, &a.tag).cmp(&(b.dangling(), &b.repo, &b.tag)),
            SortKey::Unique => b.unique.cmp(&a.unique),
        };
        ord.then_with(|| a.repo.cmp(&b.repo))
            .then_with(|| a.tag.cmp(&b.tag))
            .then_with(|| a.id.cmp(&b.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::widgets::table::TableState;

    pub(crate) fn image(id: &str, tags: &[&str], created: i64, size: u64) -> ImageInfo {
        ImageInfo {
            id: id.into(),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: vec![],
            created,
            size,
        }
    }

    fn state() -> TableState<ImageRow> {
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
        let mut s = TableState::default();
        s.set_rows(rows_from(&images, &containers), None);
        s
    }

    fn labels(s: &TableState<ImageRow>) -> Vec<String> {
        s.visible().map(ImageRow::label).collect()
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
        s.viewport.select(1); // busybox:1
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
    fn cursor_follows_row_across_refresh_and_clamps() {
        let mut s = state();
        s.viewport.select(2);
        let key = s.selected().unwrap().key();
        let mut rows = s.rows.clone();
        rows.reverse();
        s.set_rows(rows, None);
        assert_eq!(s.selected().unwrap().key(), key);
        s.set_rows(vec![], None);
        assert_eq!(s.viewport.cursor, 0);
        assert!(s.selected().is_none());
        s.move_by(5);
        assert_eq!(s.viewport.cursor, 0);
    }
}
