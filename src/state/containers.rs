//! The containers pane's state: rows, sort, filter, marks, cursor, and the views it opens
//! (logs, stats, run dialog, confirmations). Pure: no I/O.
use std::collections::{HashMap, HashSet};

use super::container_dialogs::ContainerDialog;
use super::container_logs::LogsView;
use super::container_stats::StatsHistory;
use super::input::TextInput;
use crate::engine::ContainerInfo;

/// Sort orders, cycled by a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Newest first.
    #[default]
    Created,
    /// Alphabetical by name.
    Name,
    /// Running, paused, restarting, then the rest.
    State,
    /// Alphabetical by image.
    Image,
}

impl SortKey {
    /// The next order in the cycle.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Created => SortKey::Name,
            SortKey::Name => SortKey::State,
            SortKey::State => SortKey::Image,
            SortKey::Image => SortKey::Created,
        }
    }

    /// Name for the title bar.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Created => "created",
            SortKey::Name => "name",
            SortKey::State => "state",
            SortKey::Image => "image",
        }
    }
}

/// What state a row shows, with the exit code of exited containers.
pub fn state_label(c: &ContainerInfo) -> String {
    match (c.state.as_str(), c.exit_code) {
        ("exited", Some(code)) => format!("exited ({code})"),
        (s, _) => s.to_string(),
    }
}

fn state_rank(state: &str) -> u8 {
    match state {
        "running" => 0,
        "restarting" => 1,
        "paused" => 2,
        "created" => 3,
        _ => 4,
    }
}

/// Whether a container counts as stopped for `container prune` (the engine prunes these).
pub fn is_stopped(c: &ContainerInfo) -> bool {
    matches!(c.state.as_str(), "exited" | "created" | "dead")
}

/// The containers pane.
#[derive(Debug, Clone, Default)]
pub struct ContainersState {
    /// All containers, in engine order.
    pub rows: Vec<ContainerInfo>,
    /// Indices into `rows` after filtering and sorting.
    pub view: Vec<usize>,
    /// Cursor position in `view`.
    pub cursor: usize,
    /// First visible row.
    pub offset: usize,
    /// Rows visible in the last frame.
    pub viewport: usize,
    /// Sort order.
    pub sort: SortKey,
    /// Reverse the natural order.
    pub reverse: bool,
    /// Substring filter over name, image, ID and state.
    pub filter: String,
    /// The filter being typed.
    pub filter_input: Option<TextInput>,
    /// IDs of marked rows.
    pub marked: HashSet<String>,
    /// At least one listing has arrived.
    pub loaded: bool,
    /// A container the user just ran: select it when it appears (by ID).
    pub pending_select: Option<String>,
    /// Open dialog of this pane.
    pub dialog: Option<ContainerDialog>,
    /// Open logs view.
    pub logs: Option<LogsView>,
    /// Stats of containers being watched, by ID.
    pub stats: HashMap<String, StatsHistory>,
    /// Stats samples arrived since the last tick: the next tick redraws (samples of many
    /// containers arrive spread over each second; drawing once a second for all of them keeps an
    /// idle dockhand cheap).
    pub stats_unseen: bool,
    /// Containers whose stats are being streamed (what the engine was last asked for).
    pub watched: Vec<String>,
    /// The container whose logs are being followed (what the engine was last asked for).
    pub following: Option<String>,
    /// Network names, for the run dialog's validation.
    pub networks: Vec<String>,
    /// The next container created by the run dialog opens its logs (run attached).
    pub attach_next: bool,
    /// The next container the user runs is `-it` attached: the terminal goes to it, then it starts.
    pub attach_terminal: bool,
    /// An interactive exec the app loop must perform (it suspends the terminal for it).
    pub exec: Option<super::containers_app::ExecRequest>,
}

impl ContainersState {
    /// Replaces the rows, keeping the cursor on the same container when it still exists.
    pub fn set_rows(&mut self, rows: Vec<ContainerInfo>) {
        let mut keep = self.selected().map(|c| c.id.clone());
        if let Some(id) = &self.pending_select
            && rows.iter().any(|r| &r.id == id)
        {
            keep = self.pending_select.take();
        }
        let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        self.marked.retain(|k| ids.contains(k.as_str()));
        self.stats.retain(|k, _| ids.contains(k.as_str()));
        self.rows = rows;
        self.loaded = true;
        self.rebuild_view(keep.as_deref());
    }

    /// Recomputes `view` from filter and sort, keeping `keep` (an ID) selected when given.
    pub fn rebuild_view(&mut self, keep: Option<&str>) {
        let needle = self.filter.to_lowercase();
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let r = &self.rows[i];
                needle.is_empty()
                    || r.name.to_lowercase().contains(&needle)
                    || r.image.to_lowercase().contains(&needle)
                    || r.state.contains(&needle)
                    || r.id.starts_with(&needle)
            })
            .collect();
        let rows = &self.rows;
        view.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            let ord = match self.sort {
                SortKey::Created => b.created.cmp(&a.created),
                SortKey::Name => a.name.cmp(&b.name),
                SortKey::State => state_rank(&a.state).cmp(&state_rank(&b.state)),
                SortKey::Image => a.image.cmp(&b.image),
            };
            ord.then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.id.cmp(&b.id))
        });
        if self.reverse {
            view.reverse();
        }
        self.view = view;
        let found = keep.and_then(|k| self.view.iter().position(|&i| self.rows[i].id == k));
        self.cursor = found
            .unwrap_or(self.cursor)
            .min(self.view.len().saturating_sub(1));
        self.scroll();
    }

    /// The container under the cursor.
    pub fn selected(&self) -> Option<&ContainerInfo> {
        self.view.get(self.cursor).map(|&i| &self.rows[i])
    }

    /// Moves the cursor by `delta` rows, clamped, and keeps it visible.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.view.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll();
    }

    fn scroll(&mut self) {
        self.offset = super::images::visible_offset(self.offset, self.cursor, self.viewport);
    }

    /// Sets the filter and rebuilds the view.
    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.selected().map(|c| c.id.clone());
        self.filter = filter.to_string();
        self.rebuild_view(keep.as_deref());
    }

    /// Cycles the sort order.
    pub fn cycle_sort(&mut self) {
        let keep = self.selected().map(|c| c.id.clone());
        self.sort = self.sort.next();
        self.rebuild_view(keep.as_deref());
    }

    /// Reverses the sort order.
    pub fn reverse_sort(&mut self) {
        let keep = self.selected().map(|c| c.id.clone());
        self.reverse = !self.reverse;
        self.rebuild_view(keep.as_deref());
    }

    /// Marks or unmarks the selected row and moves down.
    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.selected().map(|c| c.id.clone()) {
            if !self.marked.remove(&id) {
                self.marked.insert(id);
            }
            self.move_by(1);
        }
    }

    /// The containers an action applies to: the marked ones, else the selected one.
    pub fn targets(&self) -> Vec<&ContainerInfo> {
        if self.marked.is_empty() {
            return self.selected().into_iter().collect();
        }
        self.view
            .iter()
            .map(|&i| &self.rows[i])
            .filter(|r| self.marked.contains(&r.id))
            .collect()
    }

    /// Stopped containers, which a prune removes.
    pub fn stopped(&self) -> Vec<&ContainerInfo> {
        self.rows.iter().filter(|c| is_stopped(c)).collect()
    }

    /// Running containers in the visible rows: the only ones whose stats are streamed.
    pub fn visible_running(&self) -> Vec<String> {
        self.view
            .iter()
            .skip(self.offset)
            .take(self.viewport.max(1))
            .map(|&i| &self.rows[i])
            .filter(|c| c.state == "running")
            .map(|c| c.id.clone())
            .collect()
    }

    /// Whether a name is taken by another container.
    pub fn name_taken(&self, name: &str) -> bool {
        self.rows.iter().any(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn container(id: &str, name: &str, state: &str, created: i64) -> ContainerInfo {
        ContainerInfo {
            id: id.into(),
            name: name.into(),
            image: format!("img-{name}:1"),
            image_id: format!("sha256:{id}"),
            state: state.into(),
            status: if state == "exited" {
                "Exited (3) 1 minute ago".into()
            } else {
                "Up 1 minute".into()
            },
            exit_code: (state == "exited").then_some(3),
            created,
            ..Default::default()
        }
    }

    fn state() -> ContainersState {
        let mut s = ContainersState {
            viewport: 10,
            ..Default::default()
        };
        s.set_rows(vec![
            container("aaa", "web", "running", 300),
            container("bbb", "db", "exited", 100),
            container("ccc", "cache", "paused", 200),
        ]);
        s
    }

    fn names(s: &ContainersState) -> Vec<&str> {
        s.view.iter().map(|&i| s.rows[i].name.as_str()).collect()
    }

    #[test]
    fn sorts_cycle_and_reverse() {
        let mut s = state();
        assert_eq!(names(&s), vec!["web", "cache", "db"]);
        s.cycle_sort();
        assert_eq!(names(&s), vec!["cache", "db", "web"]);
        s.cycle_sort();
        assert_eq!(names(&s), vec!["web", "cache", "db"]);
        s.reverse_sort();
        assert_eq!(names(&s), vec!["db", "cache", "web"]);
    }

    #[test]
    fn filter_matches_name_image_state_and_id_and_keeps_selection() {
        let mut s = state();
        s.cursor = 1;
        s.set_filter("ca");
        assert_eq!(names(&s), vec!["cache"]);
        assert_eq!(s.selected().unwrap().name, "cache");
        s.set_filter("exited");
        assert_eq!(names(&s), vec!["db"]);
        s.set_filter("aa");
        assert_eq!(names(&s), vec!["web"]);
        s.set_filter("zzz");
        assert!(s.selected().is_none());
    }

    #[test]
    fn state_labels_carry_exit_codes() {
        let s = state();
        let labels: Vec<String> = s.rows.iter().map(state_label).collect();
        assert_eq!(labels, vec!["running", "exited (3)", "paused"]);
    }

    #[test]
    fn marks_drive_targets_and_survive_refresh() {
        let mut s = state();
        s.toggle_mark();
        s.toggle_mark();
        let t: Vec<&str> = s.targets().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(t, vec!["web", "cache"]);
        let rows = s.rows[1..].to_vec();
        s.set_rows(rows);
        assert_eq!(s.marked.len(), 1);
    }

    #[test]
    fn a_new_container_is_selected_when_it_appears() {
        let mut s = state();
        s.pending_select = Some("ddd".into());
        let mut rows = s.rows.clone();
        s.set_rows(rows.clone());
        assert_eq!(s.selected().unwrap().name, "web");
        rows.push(container("ddd", "new", "running", 50));
        s.set_rows(rows);
        assert_eq!(s.selected().unwrap().name, "new");
        assert!(s.pending_select.is_none());
    }

    #[test]
    fn only_visible_running_containers_are_watched() {
        let mut s = state();
        assert_eq!(s.visible_running(), vec!["aaa".to_string()]);
        s.viewport = 1;
        s.cursor = 2;
        s.move_by(0);
        assert!(s.visible_running().is_empty());
        assert_eq!(s.stopped().len(), 1);
        assert!(s.name_taken("db"));
        assert!(!s.name_taken("nope"));
    }
}
