//! The disk pane: `docker system df -v` as a picture (images, containers' writable layers, local
//! volumes, build cache: total, active, reclaimable, a bar each, and the data root's free
//! space), the build-cache records, and the build-cache and system prune dialogs.
pub mod cache_prune;
pub mod plan;
pub mod system_prune;

use std::cmp::Ordering;
use std::collections::HashSet;

use crossterm::event::KeyEvent;

use super::effect::{Effect, Msg, Reclaimable};
use super::pane::{Cx, Pane, PaneId};
use super::widgets::filter::FilterInput;
use super::widgets::outcome::Outcome;
use super::widgets::table::{SortOrder, TableRow, TableState};
use crate::action::{Action, DiskAction, ListAction};
use crate::engine::disk_types::{BuildCacheRecord, DiskUsage};
use crate::engine::disk_worker::{DiskCommand, DiskEvent, DiskOutcome};
use crate::engine::{Command, Connection, EngineEvent, JobId, JobKind, JobOutcome};
use crate::util::text::bytes;
use cache_prune::{CacheMode, CachePrune};
use system_prune::SystemPruneDialog;

/// The rows of the summary, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskRow {
    /// Images.
    Images,
    /// Containers' writable layers.
    Containers,
    /// Local volumes.
    Volumes,
    /// Build cache.
    BuildCache,
}

impl DiskRow {
    /// Every row, top to bottom.
    pub const ALL: [DiskRow; 4] = [
        DiskRow::Images,
        DiskRow::Containers,
        DiskRow::Volumes,
        DiskRow::BuildCache,
    ];

    /// Its name, as `docker system df` words it.
    pub fn label(self) -> &'static str {
        match self {
            DiskRow::Images => "Images",
            DiskRow::Containers => "Containers",
            DiskRow::Volumes => "Local Volumes",
            DiskRow::BuildCache => "Build Cache",
        }
    }
}

/// What the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiskView {
    /// The four kinds and the data root.
    #[default]
    Summary,
    /// Every build-cache record.
    BuildCache,
}

/// Sort orders of the build-cache records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheSort {
    /// Largest first.
    #[default]
    Size,
    /// Least recently used first (never used first of all): what an `until` prune takes.
    LastUsed,
}

impl SortOrder for CacheSort {
    const ALL: &'static [CacheSort] = &[CacheSort::Size, CacheSort::LastUsed];

    fn label(self) -> &'static str {
        match self {
            CacheSort::Size => "size",
            CacheSort::LastUsed => "least recently used",
        }
    }
}

impl TableRow for BuildCacheRecord {
    type Sort = CacheSort;

    fn key(&self) -> String {
        self.id.clone()
    }

    fn matches(&self, needle: &str) -> bool {
        self.description.to_lowercase().contains(needle)
            || self.kind.to_lowercase().contains(needle)
            || self.id.starts_with(needle)
    }

    fn compare(&self, b: &Self, sort: CacheSort) -> Ordering {
        match sort {
            CacheSort::Size => b.size.cmp(&self.size),
            CacheSort::LastUsed => self.last_used_at.cmp(&b.last_used_at),
        }
    }
}

/// A dialog of the disk pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskDialog {
    /// Builder prune with a preview.
    CachePrune(CachePrune),
    /// System prune with a plan.
    SystemPrune(SystemPruneDialog),
}

/// The disk pane.
#[derive(Debug, Clone, Default)]
pub struct DiskPane {
    /// The latest figures, or why they could not be read.
    pub usage: Option<Result<Box<DiskUsage>, String>>,
    /// Figures were asked for and have not arrived.
    pub loading: bool,
    /// The summary row under the cursor.
    pub row: usize,
    /// Summary or build-cache records.
    pub view: DiskView,
    /// The build-cache records.
    pub cache: TableState<BuildCacheRecord>,
    /// The filter box of the records.
    pub filter: FilterInput,
    /// The open dialog.
    pub dialog: Option<DiskDialog>,
    /// What the last prune reclaimed, beside what its preview said.
    pub last: Option<String>,
    /// The preview's words for the prune just sent.
    expected: Option<String>,
    /// Disk jobs running (their end refreshes the figures).
    jobs: HashSet<JobId>,
}

impl DiskPane {
    /// The summary row under the cursor.
    pub fn selected_row(&self) -> DiskRow {
        DiskRow::ALL[self.row.min(DiskRow::ALL.len() - 1)]
    }

    fn refresh(&mut self) -> Vec<Effect> {
        self.loading = true;
        vec![Effect::Engine(Command::Disk(DiskCommand::Usage))]
    }

    fn open_cache_prune(&mut self) -> Vec<Effect> {
        let (d, effects) = CachePrune::open(CacheMode::default());
        self.dialog = Some(DiskDialog::CachePrune(d));
        effects
    }

    fn open_system_prune(&mut self) -> Vec<Effect> {
        let (d, effects) = SystemPruneDialog::open();
        self.dialog = Some(DiskDialog::SystemPrune(d));
        effects
    }

    fn enter(&mut self) -> Vec<Effect> {
        let kind = match self.selected_row() {
            DiskRow::Images => Reclaimable::Images,
            DiskRow::Containers => Reclaimable::Containers,
            DiskRow::Volumes => Reclaimable::Volumes,
            DiskRow::BuildCache => {
                self.view = DiskView::BuildCache;
                return vec![];
            }
        };
        vec![Effect::Msg(Msg::ShowReclaimable(kind))]
    }

    fn summary_action(&mut self, action: ListAction) -> Vec<Effect> {
        let last = DiskRow::ALL.len() - 1;
        match action {
            ListAction::Up => self.row = self.row.saturating_sub(1),
            ListAction::Down => self.row = (self.row + 1).min(last),
            ListAction::Top | ListAction::PageUp => self.row = 0,
            ListAction::Bottom | ListAction::PageDown => self.row = last,
            ListAction::Details => return self.enter(),
            ListAction::Prune => return self.open_cache_prune(),
            _ => {}
        }
        vec![]
    }

    fn cache_action(&mut self, action: ListAction) -> Vec<Effect> {
        let had_filter = !self.cache.filter.is_empty() || self.cache.scope.is_some();
        if action == ListAction::Back && !had_filter {
            self.view = DiskView::Summary;
            return vec![];
        }
        if self.cache.navigate(action) {
            return vec![];
        }
        match action {
            ListAction::Filter => self.filter.open(&self.cache.filter),
            ListAction::Prune => return self.open_cache_prune(),
            _ => {}
        }
        vec![]
    }

    fn on_disk_event(&mut self, event: &DiskEvent) {
        match (event, &mut self.dialog) {
            (DiskEvent::Usage(r), _) => {
                self.loading = false;
                if let Ok(du) = r {
                    self.cache.set_rows(du.build_cache_items.clone(), None);
                }
                self.usage = Some(match r {
                    Ok(du) => Ok(du.clone()),
                    Err(e) => Err(e.to_string()),
                });
            }
            (DiskEvent::BuildCachePlan(r), Some(DiskDialog::CachePrune(d))) => d.on_plan(r),
            (DiskEvent::SystemPrunePlan(r), Some(DiskDialog::SystemPrune(d))) => d.on_plan(r),
            _ => {}
        }
    }

    fn preview_words(&self) -> Option<String> {
        match &self.dialog {
            Some(DiskDialog::CachePrune(d)) => d.plan.ready().map(|p| {
                let prefix = match p.reclaim {
                    crate::engine::buildcache::Reclaim::Exact(_) => "",
                    crate::engine::buildcache::Reclaim::UpTo(_) => "up to ",
                };
                format!("{prefix}{}", bytes(p.reclaim.bytes()))
            }),
            Some(DiskDialog::SystemPrune(d)) => d.plan.ready().map(|p| {
                let prefix = match p.total {
                    crate::engine::buildcache::Reclaim::Exact(_) => "",
                    crate::engine::buildcache::Reclaim::UpTo(_) => "up to ",
                };
                format!("{prefix}{}", bytes(p.total.bytes()))
            }),
            None => None,
        }
    }

    fn job_finished(
        &mut self,
        result: &Result<JobOutcome, crate::engine::EngineError>,
    ) -> Vec<Effect> {
        self.last = Some(match result {
            Ok(JobOutcome::Disk(
                o @ (DiskOutcome::BuildCachePruned(_) | DiskOutcome::SystemPruned(_)),
            )) => {
                let said = self
                    .expected
                    .take()
                    .map_or(String::new(), |e| format!(" (preview: {e})"));
                format!("{o}{said}")
            }
            Ok(JobOutcome::Disk(o)) => o.to_string(),
            Ok(JobOutcome::Done(text)) => text.clone(),
            Ok(_) => return vec![],
            Err(e) => format!("failed: {e}"),
        });
        if self.usage.is_some() {
            return self.refresh();
        }
        vec![]
    }
}

impl Pane for DiskPane {
    fn on_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        if let Some(dialog) = &mut self.dialog {
            let outcome = match dialog {
                DiskDialog::CachePrune(d) => d.on_key(cx.keymap, key),
                DiskDialog::SystemPrune(d) => d.on_key(cx.keymap, key),
            };
            return Some(match outcome {
                Outcome::Stay => vec![],
                Outcome::Close => {
                    self.dialog = None;
                    vec![]
                }
                Outcome::Send(effects) => effects,
                Outcome::Submit(effects) => {
                    self.expected = self.preview_words();
                    self.dialog = None;
                    effects
                }
            });
        }
        let change = self.filter.on_key(key)?;
        if let Some(text) = change {
            self.cache.set_filter(&text);
        }
        Some(vec![])
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        Some(match (action, self.view) {
            (Action::Disk(DiskAction::BuildCache), _) => {
                self.view = DiskView::BuildCache;
                vec![]
            }
            (Action::Disk(DiskAction::SystemPrune), _) => self.open_system_prune(),
            (Action::List(a), DiskView::Summary) => self.summary_action(a),
            (Action::List(a), DiskView::BuildCache) => self.cache_action(a),
            _ => return None,
        })
    }

    fn on_engine(&mut self, event: &EngineEvent, cx: &Cx<'_>) -> Vec<Effect> {
        match event {
            EngineEvent::Disk(e) => self.on_disk_event(e),
            // A request made while the engine was away was answered "not connected": ask again.
            EngineEvent::Connection(Connection::Connected(_))
                if !self.loading && (cx.focused(PaneId::Disk) || self.usage.is_some()) =>
            {
                return self.refresh();
            }
            EngineEvent::JobStarted {
                id,
                kind: JobKind::Disk(_),
            } => {
                self.jobs.insert(*id);
            }
            EngineEvent::JobFinished { id, result } if self.jobs.remove(id) => {
                return self.job_finished(result);
            }
            _ => {}
        }
        vec![]
    }

    fn on_focus(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        if self.loading {
            return vec![];
        }
        self.refresh()
    }

    fn set_viewport(&mut self, rows: usize) {
        self.cache.viewport.set_height(rows);
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
