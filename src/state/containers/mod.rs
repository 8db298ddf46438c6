//! The containers pane: rows (sort, filter, marks), the views it opens (logs, stats, the run
//! dialog, confirmations), and the streams it wants from the engine. Pure: no I/O.
pub mod actions;
pub mod dialogs;
pub mod logs;
pub mod run_form;
pub mod stats;

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::engine::{ContainerInfo, ContainerState};
use crate::state::widgets::filter::FilterInput;
use crate::state::widgets::table::{Scope, SortOrder, TableRow, TableState};
use dialogs::ContainerDialog;
use logs::LogsView;
use stats::StatsHistory;

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

impl SortOrder for SortKey {
    const ALL: &'static [SortKey] = &[
        SortKey::Created,
        SortKey::Name,
        SortKey::State,
        SortKey::Image,
    ];

    fn label(self) -> &'static str {
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
    match (&c.state, c.exit_code) {
        (ContainerState::Exited, Some(code)) => format!("exited ({code})"),
        (s, _) => s.to_string(),
    }
}

fn state_rank(state: &ContainerState) -> u8 {
    match state {
        ContainerState::Running => 0,
        ContainerState::Restarting => 1,
        ContainerState::Paused => 2,
        ContainerState::Created => 3,
        _ => 4,
    }
}

impl TableRow for ContainerInfo {
    type Sort = SortKey;

    fn key(&self) -> String {
        self.id.clone()
    }

    fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle)
            || self.image.to_lowercase().contains(needle)
            || self.state.as_str().contains(needle)
            || self.id.starts_with(needle)
    }

    fn compare(&self, b: &Self, sort: SortKey) -> Ordering {
        let a = self;
        let ord = match sort {
            SortKey::Created => b.created.cmp(&a.created),
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::State => state_rank(&a.state).cmp(&state_rank(&b.state)),
            SortKey::Image => a.image.cmp(&b.image),
        };
        ord.then_with(|| a.name.cmp(&b.name))
    }
}

/// The containers a container prune removes: every one that is not running, paused or
/// restarting.
pub fn stopped_scope() -> Scope<ContainerInfo> {
    Scope {
        label: "stopped",
        keep: |c| {
            !matches!(
                c.state,
                ContainerState::Running | ContainerState::Paused | ContainerState::Restarting
            )
        },
    }
}

/// The containers pane.
#[derive(Debug, Clone, Default)]
pub struct ContainersPane {
    /// Rows, view, marks, cursor.
    pub table: TableState<ContainerInfo>,
    /// The filter box.
    pub filter: FilterInput,
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
}

impl ContainersPane {
    /// Replaces the rows, keeping the cursor on the same container when it still exists.
    pub fn set_rows(&mut self, rows: Vec<ContainerInfo>) {
        let mut keep = None;
        if let Some(id) = &self.pending_select
            && rows.iter().any(|r| &r.id == id)
        {
            keep = self.pending_select.take();
        }
        self.stats
            .retain(|k, _| rows.iter().any(|r| r.id.as_str() == k.as_str()));
        self.table.set_rows(rows, keep);
    }

    /// The container under the cursor.
    pub fn selected(&self) -> Option<&ContainerInfo> {
        self.table.selected()
    }

    /// Stopped containers, which a prune removes.
    pub fn stopped(&self) -> Vec<&ContainerInfo> {
        self.table
            .rows
            .iter()
            .filter(|c| c.state.is_stopped())
            .collect()
    }

    /// Running containers in the visible rows: the only ones whose stats are streamed.
    pub fn visible_running(&self) -> Vec<String> {
        self.table
            .on_screen()
            .map(|(_, c)| c)
            .filter(|c| c.state == ContainerState::Running)
            .map(|c| c.id.clone())
            .collect()
    }

    /// Whether a name is taken by another container.
    pub fn name_taken(&self, name: &str) -> bool {
        self.table.rows.iter().any(|c| c.name == name)
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

    fn state() -> ContainersPane {
        let mut s = ContainersPane::default();
        s.set_rows(vec![
            container("aaa", "web", "running", 300),
            container("bbb", "db", "exited", 100),
            container("ccc", "cache", "paused", 200),
        ]);
        s
    }

    fn names(s: &ContainersPane) -> Vec<&str> {
        s.table.visible().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn sorts_cycle_and_reverse() {
        let mut s = state();
        assert_eq!(names(&s), vec!["web", "cache", "db"]);
        s.table.cycle_sort();
        assert_eq!(names(&s), vec!["cache", "db", "web"]);
        s.table.cycle_sort();
        assert_eq!(names(&s), vec!["web", "cache", "db"]);
        s.table.reverse_sort();
        assert_eq!(names(&s), vec!["db", "cache", "web"]);
    }

    #[test]
    fn filter_matches_name_image_state_and_id_and_keeps_selection() {
        let mut s = state();
        s.table.viewport.select(1);
        s.table.set_filter("ca");
        assert_eq!(names(&s), vec!["cache"]);
        assert_eq!(s.selected().unwrap().name, "cache");
        s.table.set_filter("exited");
        assert_eq!(names(&s), vec!["db"]);
        s.table.set_filter("aa");
        assert_eq!(names(&s), vec!["web"]);
        s.table.set_filter("zzz");
        assert!(s.selected().is_none());
    }

    #[test]
    fn state_labels_carry_exit_codes() {
        let s = state();
        let labels: Vec<String> = s.table.rows.iter().map(state_label).collect();
        assert_eq!(labels, vec!["running", "exited (3)", "paused"]);
    }

    #[test]
    fn marks_drive_targets_and_survive_refresh() {
        let mut s = state();
        s.table.toggle_mark();
        s.table.toggle_mark();
        let t: Vec<&str> = s.table.targets().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(t, vec!["web", "cache"]);
        let rows = s.table.rows[1..].to_vec();
        s.set_rows(rows);
        assert_eq!(s.table.marked.len(), 1);
    }

    #[test]
    fn a_new_container_is_selected_when_it_appears() {
        let mut s = state();
        s.pending_select = Some("ddd".into());
        let mut rows = s.table.rows.clone();
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
        s.table.viewport.set_height(1);
        s.table.viewport.select(2);
        assert!(s.visible_running().is_empty());
        assert_eq!(s.stopped().len(), 1);
        assert!(s.name_taken("db"));
        assert!(!s.name_taken("nope"));
    }
}
