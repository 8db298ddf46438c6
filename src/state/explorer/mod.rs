//! The layer explorer's state: which image is analysed (and how far the analysis got), the
//! chosen layer, and the file tree's view choices. Pure: keys and engine events in, commands out.
//!
//! The tree itself comes from [`crate::layers::view`]; this module keeps the cursor, scrolling
//! and the rows cached between key presses (rebuilding only when a choice changes).
use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::effect::{Effect, engine};
use super::pane::{Cx, Pane, PaneId};
use super::widgets::filter::FilterInput;
use super::widgets::scroll::follow;
use crate::action::{Action, AppAction, ExplorerAction, ListAction};
use crate::engine::{Command, EngineError, EngineEvent, JobId, JobKind, JobOutcome, Progress};
use crate::layers::ImageAnalysis;
use crate::layers::tree::LayerTree;
use crate::layers::view::{self, Row, ViewMode, ViewOptions};

/// Which list the cursor keys move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// The image's layers (moving picks the layer).
    Layers,
    /// The file tree (or the inefficient files).
    #[default]
    Tree,
}

/// Where the analysis is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing opened yet.
    #[default]
    Idle,
    /// The export is being read.
    Running {
        /// The engine's job, once it reported its start.
        job: Option<JobId>,
        /// Bytes read.
        done: u64,
        /// Image size (0 when unknown).
        total: u64,
    },
    /// The analysis is here.
    Ready,
    /// It failed, in words.
    Failed(String),
    /// The user cancelled it.
    Cancelled,
}

/// The explorer.
#[derive(Clone, Default)]
pub struct ExplorerState {
    /// The image analysed (ID).
    pub image: Option<String>,
    /// How to call it (a tag, else a short ID).
    pub label: String,
    /// The analysis state.
    pub phase: Phase,
    /// The finished analysis.
    pub analysis: Option<Arc<ImageAnalysis>>,
    /// The chosen layer (index into the analysis' layers).
    pub layer: usize,
    /// Where the cursor keys go.
    pub side: Side,
    /// The user's tree choices.
    pub opts: ViewOptions,
    /// Visible rows of the tree for `layer` and `opts`.
    pub rows: Vec<Row>,
    /// Cursor over `rows`.
    pub cursor: usize,
    /// First visible tree row.
    pub offset: usize,
    /// First visible layer row.
    pub layer_offset: usize,
    /// Show the inefficient files instead of the tree.
    pub show_wasted: bool,
    /// Cursor over the inefficient files.
    pub wasted_cursor: usize,
    /// The path filter being typed.
    pub filter_input: FilterInput,
    /// Rows visible in the tree in the last frame (for paging).
    pub viewport: usize,
    /// History `created_by` lines of the image when opened from the layers pane, with the cursor.
    history: Option<(Vec<String>, usize)>,
    tree: Option<LayerTree>,
    all_collapsed: bool,
}

impl std::fmt::Debug for ExplorerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExplorerState")
            .field("image", &self.image)
            .field("phase", &self.phase)
            .field("layer", &self.layer)
            .field("side", &self.side)
            .field("rows", &self.rows.len())
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

/// The dive-style command of an analysis layer made readable: `#(nop)` dropped, shell commands
/// shown as `RUN …`, whitespace collapsed.
pub fn layer_label(command: &str) -> String {
    let c = command.trim();
    let c = c.strip_suffix("# buildkit").unwrap_or(c).trim();
    let out = if let Some(rest) = c.strip_prefix("#(nop)") {
        rest.trim().to_string()
    } else if c == "(missing)"
        || c.is_empty()
        || c.split_whitespace()
            .next()
            .is_some_and(|w| w.len() > 1 && w.chars().all(|ch| ch.is_ascii_uppercase()))
    {
        c.to_string()
    } else {
        format!("RUN {c}")
    };
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// dive's cleaning of a history `created_by` (see `layers::manifest::layer_commands`).
fn dive_command(created_by: &str) -> &str {
    let s = created_by.trim();
    s.strip_prefix("/bin/sh -c ").unwrap_or(s).trim()
}

/// The analysis layer that history entry `cursor` belongs to: history entries are matched to
/// layers in order by their command; metadata-only entries belong to the layer below them.
pub fn layer_for_history(history: &[String], cursor: usize, image: &ImageAnalysis) -> usize {
    let mut next = 0;
    let mut chosen = 0;
    for (i, created_by) in history.iter().enumerate() {
        if next < image.layers.len() && image.layers[next].command == dive_command(created_by) {
            chosen = next;
            next += 1;
        }
        if i == cursor {
            break;
        }
    }
    chosen.min(image.layers.len().saturating_sub(1))
}

impl ExplorerState {
    /// Starts analysing `image` (dropping what was shown) and returns the engine command.
    pub fn start(&mut self, image: &str, label: &str) -> Vec<Command> {
        let keep = (self.side, self.opts.status_filter, self.opts.mode);
        *self = ExplorerState {
            image: Some(image.to_string()),
            label: label.to_string(),
            phase: Phase::Running {
                job: None,
                done: 0,
                total: 0,
            },
            history: self.history.take(),
            viewport: self.viewport,
            ..ExplorerState::default()
        };
        (self.side, self.opts.status_filter, self.opts.mode) = keep;
        vec![Command::AnalyzeImage {
            image: image.to_string(),
        }]
    }

    /// True while the analysis runs.
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Running { .. })
    }

    /// The chosen layer's tree, when the analysis is here.
    pub fn tree(&self) -> Option<&LayerTree> {
        self.tree.as_ref()
    }

    /// Picks layer `layer` (clamped) and rebuilds the tree.
    pub fn select_layer(&mut self, layer: usize) {
        let Some(a) = self.analysis.clone() else {
            return;
        };
        let layer = layer.min(a.layers.len().saturating_sub(1));
        if self.tree.as_ref().is_some_and(|t| t.layer == layer) && self.layer == layer {
            return;
        }
        self.layer = layer;
        self.tree = Some(LayerTree::build(&a, layer));
        self.rebuild();
    }

    /// Recomputes the visible rows, keeping the cursor on the same path when it is still shown.
    pub fn rebuild(&mut self) {
        let (Some(a), Some(tree)) = (&self.analysis, &self.tree) else {
            self.rows.clear();
            return;
        };
        let current = self.rows.get(self.cursor).map(|r| r.id);
        self.rows = view::rows(a, tree, &self.opts);
        self.cursor = current
            .and_then(|id| self.rows.iter().position(|r| r.id == id))
            .unwrap_or(self.cursor)
            .min(self.rows.len().saturating_sub(1));
        self.scroll();
    }

    fn scroll(&mut self) {
        self.offset = follow(self.offset, self.cursor, self.viewport, self.rows.len());
    }

    fn layer_count(&self) -> usize {
        self.analysis.as_ref().map_or(0, |a| a.layers.len())
    }

    fn wasted_count(&self) -> usize {
        self.analysis
            .as_ref()
            .map_or(0, |a| a.figures.inefficient.len())
    }

    /// Moves the cursor of the active list by `delta` (saturating).
    pub fn move_by(&mut self, delta: isize) {
        match self.side {
            Side::Layers => {
                let last = self.layer_count().saturating_sub(1);
                self.select_layer(self.layer.saturating_add_signed(delta).min(last));
            }
            Side::Tree if self.show_wasted => {
                let last = self.wasted_count().saturating_sub(1);
                self.wasted_cursor = self.wasted_cursor.saturating_add_signed(delta).min(last);
            }
            Side::Tree => {
                let last = self.rows.len().saturating_sub(1);
                self.cursor = self.cursor.saturating_add_signed(delta).min(last);
                self.scroll();
            }
        }
    }

    fn toggle_status(&mut self, action: Action) {
        let f = &mut self.opts.status_filter;
        let flag = match action {
            Action::Explorer(ExplorerAction::ToggleAdded) => &mut f.added,
            Action::Explorer(ExplorerAction::ToggleModified) => &mut f.modified,
            Action::Explorer(ExplorerAction::ToggleRemoved) => &mut f.removed,
            _ => &mut f.unchanged,
        };
        *flag = !*flag;
        self.rebuild();
    }

    fn collapse(&mut self) {
        let Some(row) = self.rows.get(self.cursor).cloned() else {
            return;
        };
        if row.has_children && !row.collapsed {
            self.opts.collapsed.insert(row.id);
            self.rebuild();
        } else if row.depth > 0 {
            // Go to the parent: the nearest row above with a smaller depth.
            if let Some(p) = self.rows[..self.cursor]
                .iter()
                .rposition(|r| r.depth < row.depth)
            {
                self.cursor = p;
                self.scroll();
            }
        }
    }

    fn expand(&mut self) {
        let Some(row) = self.rows.get(self.cursor).cloned() else {
            return;
        };
        if row.collapsed {
            self.opts.collapsed.remove(&row.id);
            self.rebuild();
        } else if row.has_children {
            self.move_by(1);
        }
    }

    fn collapse_all(&mut self) {
        if self.all_collapsed {
            self.opts.collapsed.clear();
        } else if let Some(tree) = &self.tree {
            view::collapse_all(tree, &mut self.opts.collapsed);
        }
        self.all_collapsed = !self.all_collapsed;
        self.rebuild();
    }

    /// Leaves the inefficient files for the tree, filtered to the file under the cursor.
    fn show_wasted_file(&mut self) {
        let path = self
            .analysis
            .as_ref()
            .and_then(|a| a.figures.inefficient.get(self.wasted_cursor))
            .map(|f| f.path.clone());
        if let Some(path) = path {
            self.show_wasted = false;
            self.side = Side::Tree;
            self.set_filter(&path);
        }
    }

    fn set_filter(&mut self, text: &str) {
        if self.opts.path_filter != text {
            self.opts.path_filter = text.to_string();
            self.cursor = 0;
            self.offset = 0;
            self.rebuild();
        }
    }

    /// Applies an action while the explorer has focus; `None` leaves it to the app.
    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let page = isize::try_from(self.viewport.max(1)).unwrap_or(10);
        match action {
            Action::List(ListAction::Up) => self.move_by(-1),
            Action::List(ListAction::Down) => self.move_by(1),
            Action::List(ListAction::PageUp) => self.move_by(-page),
            Action::List(ListAction::PageDown) => self.move_by(page),
            Action::List(ListAction::Top) => self.move_by(isize::MIN / 2),
            Action::List(ListAction::Bottom) => self.move_by(isize::MAX / 2),
            Action::Explorer(ExplorerAction::PrevLayer) => {
                self.select_layer(self.layer.saturating_sub(1))
            }
            Action::Explorer(ExplorerAction::NextLayer) => self.select_layer(self.layer + 1),
            Action::Explorer(ExplorerAction::SwitchSide) => {
                self.side = match self.side {
                    Side::Layers => Side::Tree,
                    Side::Tree => Side::Layers,
                }
            }
            Action::Explorer(ExplorerAction::ToggleNode) if self.show_wasted => {
                self.show_wasted_file()
            }
            Action::Explorer(ExplorerAction::ToggleNode) => {
                if let Some(row) = self.rows.get(self.cursor).cloned() {
                    view::toggle(&mut self.opts.collapsed, &row);
                    self.rebuild();
                }
            }
            Action::Explorer(ExplorerAction::Collapse) => self.collapse(),
            Action::Explorer(ExplorerAction::Expand) => self.expand(),
            Action::Explorer(ExplorerAction::CollapseAll) => self.collapse_all(),
            Action::Explorer(ExplorerAction::ToggleChangesOnly) => {
                self.opts.mode = match self.opts.mode {
                    ViewMode::Aggregated => ViewMode::LayerChanges,
                    ViewMode::LayerChanges => ViewMode::Aggregated,
                };
                self.rebuild();
            }
            Action::Explorer(ExplorerAction::ToggleAdded)
            | Action::Explorer(ExplorerAction::ToggleModified)
            | Action::Explorer(ExplorerAction::ToggleRemoved)
            | Action::Explorer(ExplorerAction::ToggleUnchanged) => self.toggle_status(action),
            Action::Explorer(ExplorerAction::ToggleWasted) => self.show_wasted = !self.show_wasted,
            Action::List(ListAction::Filter) => {
                self.side = Side::Tree;
                self.show_wasted = false;
                self.filter_input.open(&self.opts.path_filter);
            }
            Action::App(AppAction::CancelJob) => {
                return match &self.phase {
                    Phase::Running { job: Some(id), .. } => {
                        Some(vec![Effect::Engine(Command::Cancel(*id))])
                    }
                    _ => None,
                };
            }
            Action::List(ListAction::Back) => {
                if !self.opts.path_filter.is_empty() {
                    self.set_filter("");
                } else if self.show_wasted {
                    self.show_wasted = false;
                } else {
                    return Some(vec![Effect::Focus(PaneId::Layers)]);
                }
            }
            Action::App(AppAction::Refresh) => {
                // After a failure or a cancel, Ctrl-r analyses again (and re-lists as usual).
                let image = self.image.clone()?;
                if !matches!(self.phase, Phase::Failed(_) | Phase::Cancelled) {
                    return None;
                }
                let label = self.label.clone();
                let mut cmds = self.start(&image, &label);
                cmds.push(Command::Refresh);
                return Some(engine(cmds));
            }
            _ => return None,
        }
        Some(vec![])
    }

    /// A job started: adopt it when it is the analysis asked for.
    pub fn on_job_started(&mut self, id: JobId, image: &str) {
        if let Phase::Running { job, .. } = &mut self.phase
            && self.image.as_deref() == Some(image)
        {
            *job = Some(id);
        }
    }

    /// A job reported progress.
    pub fn on_job_progress(&mut self, id: JobId, progress: &Progress) {
        if let Phase::Running { job, done, total } = &mut self.phase
            && *job == Some(id)
            && let Progress::Bytes { done: d, total: t } = progress
        {
            *done = (*done).max(*d);
            if *t > 0 {
                *total = *t;
            }
        }
    }

    /// A job ended; a failure of our analysis shows in the pane.
    pub fn on_job_finished(&mut self, id: JobId, result: &Result<JobOutcome, EngineError>) {
        if let Phase::Running { job: Some(j), .. } = self.phase
            && j == id
            && let Err(e) = result
        {
            self.phase = match e {
                EngineError::Cancelled => Phase::Cancelled,
                e => Phase::Failed(e.to_string()),
            };
        }
    }

    /// The analysis arrived.
    pub fn on_analysis(
        &mut self,
        id: JobId,
        image: &str,
        result: &Result<Arc<ImageAnalysis>, EngineError>,
    ) {
        let ours = match &self.phase {
            Phase::Running { job, .. } => {
                *job == Some(id) || (job.is_none() && self.image.as_deref() == Some(image))
            }
            _ => false,
        };
        if !ours {
            return;
        }
        match result {
            Ok(a) => {
                let a = Arc::clone(a);
                let layer = match &self.history {
                    Some((h, cursor)) => layer_for_history(h, *cursor, &a),
                    None => 0,
                };
                self.analysis = Some(a);
                self.phase = Phase::Ready;
                self.tree = None;
                self.select_layer(layer);
            }
            Err(EngineError::Cancelled) => self.phase = Phase::Cancelled,
            Err(e) => self.phase = Phase::Failed(e.to_string()),
        }
    }
}

/// The explorer pane.
#[derive(Debug, Clone, Default)]
pub struct ExplorerPane {
    /// Its state.
    pub state: ExplorerState,
}

impl ExplorerPane {
    /// Opens the explorer on `image` (`history`: its history lines and the step to start at). An
    /// image already analysed or being analysed is not analysed again.
    pub fn open(
        &mut self,
        image: &str,
        label: &str,
        history: Option<(Vec<String>, usize)>,
    ) -> Vec<Effect> {
        let ex = &mut self.state;
        let same = ex.image.as_deref() == Some(image);
        if same && matches!(ex.phase, Phase::Ready | Phase::Running { .. }) {
            if let (Some((lines, cursor)), Some(a)) = (&history, ex.analysis.clone()) {
                ex.select_layer(layer_for_history(lines, *cursor, &a));
            }
            ex.history = history;
            return vec![];
        }
        ex.history = history;
        engine(ex.start(image, label))
    }
}

impl Pane for ExplorerPane {
    fn on_key(&mut self, key: &KeyEvent, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        if let Some(text) = self.state.filter_input.on_key(key)? {
            self.state.set_filter(&text);
        }
        Some(vec![])
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        self.state.on_action(action)
    }

    fn on_engine(&mut self, event: &EngineEvent, _cx: &Cx<'_>) -> Vec<Effect> {
        let ex = &mut self.state;
        match event {
            EngineEvent::JobStarted {
                id,
                kind: JobKind::Analyze { image },
            } => ex.on_job_started(*id, image),
            EngineEvent::JobProgress { id, progress } => ex.on_job_progress(*id, progress),
            EngineEvent::JobFinished { id, result } => ex.on_job_finished(*id, result),
            EngineEvent::Analysis { job, image, result } => ex.on_analysis(*job, image, result),
            _ => {}
        }
        vec![]
    }

    fn set_viewport(&mut self, rows: usize) {
        self.state.viewport = rows.max(1);
    }
}

#[cfg(test)]
pub(crate) mod tests;
