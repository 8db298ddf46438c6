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

/// The STATUS column at `now` (unix seconds), derived as the engine words it for `docker ps`:
/// "Up 5 seconds", "Up 2 hours (healthy)", "Up 3 minutes (Paused)", "Exited (0) 2 minutes ago",
/// "Restarting (1) 4 seconds ago", "Created", "Dead", "Removal In Progress". Without the
/// container's times (its inspection failed) it is the engine's text from the last listing.
pub fn status_at(c: &ContainerInfo, now: i64) -> String {
    use crate::util::time::human_duration;
    let Some(t) = &c.times else {
        return c.status.clone();
    };
    let since = |at: Option<i64>| human_duration(at.map_or(0, |at| now - at));
    match &c.state {
        ContainerState::Running | ContainerState::Paused => {
            let up = format!("Up {}", since(t.started));
            match (&c.state, &t.health) {
                (ContainerState::Paused, _) => format!("{up} (Paused)"),
                (_, Some(h)) => format!("{up} ({h})"),
                _ => up,
            }
        }
        ContainerState::Restarting => {
            format!("Restarting ({}) {} ago", t.exit_code, since(t.finished))
        }
        ContainerState::Removing => "Removal In Progress".into(),
        ContainerState::Dead => "Dead".into(),
        _ if t.started.is_none() => "Created".into(),
        _ if t.finished.is_none() => String::new(),
        _ => format!("Exited ({}) {} ago", t.exit_code, since(t.finished)),
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
    /// Unix time the rows were listed (their STATUS texts are aged from it when drawn).
    pub listed_at: i64,
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
    /// The clock at the last tick: STATUS is redrawn when it reads differently now.
    pub ticked: i64,
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

    /// A container's STATUS at `now`: derived from its times, else the engine's text aged by the
    /// time since it was listed.
    pub fn status_of(&self, c: &ContainerInfo, now: i64) -> String {
        match c.times {
            Some(_) => status_at(c, now),
            None => crate::util::text::aged_status(&c.status, now - self.listed_at),
        }
    }

    /// Whether the STATUS of a container on screen reads differently at `now` than at `before`.
    pub fn status_changed(&self, before: i64, now: i64) -> bool {
        self.table
            .on_screen()
            .any(|(_, c)| self.status_of(c, before) != self.status_of(c, now))
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
    fn status_is_derived_from_state_and_times_at_a_fixed_clock() {
        use crate::engine::ContainerTimes;
        let now = 1_700_000_000;
        let at = |state: &str, started: Option<i64>, finished: Option<i64>, code: i64| {
            let mut c = container("x", "x", state, 1);
            c.times = Some(ContainerTimes {
                started,
                finished,
                health: None,
                exit_code: code,
            });
            c
        };
        let up = at("running", Some(now - 5), None, 0);
        assert_eq!(status_at(&up, now), "Up 5 seconds");
        assert_eq!(status_at(&up, now - 5), "Up Less than a second");
        assert_eq!(status_at(&up, now + 60), "Up About a minute");
        assert_eq!(status_at(&up, now + 3 * 3600), "Up 3 hours");
        let exited = at("exited", Some(now - 300), Some(now - 120), 0);
        assert_eq!(status_at(&exited, now), "Exited (0) 2 minutes ago");
        assert_eq!(
            status_at(&exited, now + 3600),
            "Exited (0) About an hour ago"
        );
        let killed = at("exited", Some(now - 9), Some(now - 1), 137);
        assert_eq!(status_at(&killed, now), "Exited (137) 1 second ago");
        assert_eq!(status_at(&at("created", None, None, 0), now), "Created");
        let paused = at("paused", Some(now - 7200), None, 0);
        assert_eq!(status_at(&paused, now), "Up 2 hours (Paused)");
        let restarting = at("restarting", Some(now - 20), Some(now - 3), 1);
        assert_eq!(status_at(&restarting, now), "Restarting (1) 3 seconds ago");
        assert_eq!(status_at(&at("dead", None, None, 0), now), "Dead");
        assert_eq!(
            status_at(&at("removing", None, None, 0), now),
            "Removal In Progress"
        );
        let mut healthy = at("running", Some(now - 30), None, 0);
        if let Some(t) = healthy.times.as_mut() {
            t.health = Some("health: starting".into());
        }
        assert_eq!(status_at(&healthy, now), "Up 30 seconds (health: starting)");
        let mut unknown = at("running", None, None, 0);
        unknown.times = None;
        assert_eq!(status_at(&unknown, now), "Up 1 minute");
    }

    #[test]
    fn the_status_changes_with_the_clock_and_the_pane_asks_for_a_redraw() {
        use crate::engine::ContainerTimes;
        let now = 1_700_000_000;
        let mut s = ContainersPane::default();
        let mut c = container("x", "x", "running", 1);
        c.times = Some(ContainerTimes {
            started: Some(now - 3),
            ..Default::default()
        });
        s.set_rows(vec![c]);
        s.table.viewport.set_height(5);
        assert!(s.status_changed(now - 1, now));
        assert!(!s.status_changed(now + 200, now + 201));
        assert!(s.status_changed(now + 236, now + 237));
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
