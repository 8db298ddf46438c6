//! The jobs pane: the engine's job events reduced into one entry per job, the selected job's
//! output, cancelling, and the status line each finished job leaves.
use std::collections::VecDeque;

use super::effect::{Effect, Level};
use super::pane::{Cx, Pane};
use super::widgets::outcome::Outcome;
use super::widgets::text_view::TextView;
use crate::action::{Action, ListAction};
use crate::engine::buildkit::progress::BuildEvent;
use crate::engine::{Command, EngineError, EngineEvent, JobId, JobKind, JobOutcome, Progress};

/// One layer of a pull/push as last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerProgress {
    /// Layer ID.
    pub id: String,
    /// Phase text.
    pub phase: String,
    /// Bytes done (never goes backwards within a phase).
    pub current: u64,
    /// Bytes in all.
    pub total: u64,
}

/// Lines of output kept per job.
pub const LOG_LINES: usize = 2_000;

/// A job's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Still running.
    Running,
    /// Finished well.
    Done,
    /// Failed, with the reason.
    Failed(String),
    /// Cancelled by the user.
    Cancelled,
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobStatus::Running => f.write_str("running"),
            JobStatus::Done => f.write_str("done"),
            JobStatus::Failed(e) => write!(f, "failed: {e}"),
            JobStatus::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// One job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// ID from the engine.
    pub id: JobId,
    /// What it does.
    pub kind: JobKind,
    /// Where it is.
    pub status: JobStatus,
    /// Start time, unix seconds.
    pub started: i64,
    /// End time, unix seconds.
    pub ended: Option<i64>,
    /// Layers of a pull/push, in first-seen order.
    pub layers: Vec<LayerProgress>,
    /// Output lines (bounded).
    pub log: VecDeque<String>,
    /// Overall bytes done and in all.
    pub bytes: (u64, u64),
    /// The builder a build job runs with, once it has chosen.
    pub builder: Option<crate::engine::build::Builder>,
    /// What a finished job did (what was removed and freed), kept for its details view.
    pub result: Vec<String>,
}

impl Job {
    /// What the job does, as its row says it (a build names its builder).
    pub fn what(&self) -> String {
        match self.builder {
            Some(b) => format!("{} ({b})", self.kind),
            None => self.kind.to_string(),
        }
    }
}

impl Job {
    /// Folds a progress report into the job.
    pub fn apply(&mut self, progress: Progress) {
        match progress {
            Progress::Layer {
                id,
                phase,
                current,
                total,
            } => match self.layers.iter_mut().find(|l| l.id == id) {
                Some(l) => {
                    if l.phase != phase {
                        l.phase = phase;
                        l.current = current;
                    } else {
                        l.current = l.current.max(current);
                    }
                    if total > 0 {
                        l.total = total;
                    }
                    // A finished layer is whole, whatever the last report carried.
                    if crate::engine::transfer::is_final_phase(&l.phase) {
                        l.current = l.total;
                    }
                }
                None => self.layers.push(LayerProgress {
                    id,
                    phase,
                    current,
                    total,
                }),
            },
            Progress::Log(line) => {
                if self.log.len() == LOG_LINES {
                    self.log.pop_front();
                }
                self.log.push_back(line);
            }
            Progress::Bytes { done, total } => self.bytes = (done, total),
        }
    }
}

/// All jobs of this session, newest last; finished jobs beyond a bound are dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jobs {
    /// The jobs.
    pub list: Vec<Job>,
    /// Cursor in the jobs pane, counted from the newest job (0 = newest).
    pub cursor: usize,
}

const KEEP_FINISHED: usize = 50;

impl Jobs {
    /// Records a started job. A cursor moved off the newest job stays on the job it was on; on
    /// the newest it follows the new job.
    pub fn start(&mut self, id: JobId, kind: JobKind, now: i64) {
        let keep = self.selected().map(|j| j.id).filter(|_| self.cursor > 0);
        self.list.push(Job {
            id,
            kind,
            status: JobStatus::Running,
            started: now,
            ended: None,
            layers: Vec::new(),
            log: VecDeque::new(),
            bytes: (0, 0),
            builder: None,
            result: Vec::new(),
        });
        let finished = self.list.iter().filter(|j| j.ended.is_some()).count();
        if finished > KEEP_FINISHED
            && let Some(i) = self.list.iter().position(|j| j.ended.is_some())
        {
            self.list.remove(i);
        }
        self.cursor = keep
            .and_then(|id| self.list.iter().rev().position(|j| j.id == id))
            .unwrap_or(0);
    }

    /// Records the end of a job; returns its kind the first time (a cancelled job may also report
    /// its own end: the second report is ignored).
    pub fn finish(
        &mut self,
        id: JobId,
        result: &Result<JobOutcome, EngineError>,
        now: i64,
    ) -> Option<JobKind> {
        let job = self
            .list
            .iter_mut()
            .find(|j| j.id == id && j.ended.is_none())?;
        job.status = match result {
            Ok(_) => JobStatus::Done,
            Err(EngineError::Cancelled) => JobStatus::Cancelled,
            Err(e) => JobStatus::Failed(e.to_string()),
        };
        job.ended = Some(now);
        job.result = result_lines(result);
        Some(job.kind.clone())
    }

    /// Applies progress to a running job.
    pub fn progress(&mut self, id: JobId, progress: Progress) {
        if let Some(job) = self
            .list
            .iter_mut()
            .find(|j| j.id == id && j.ended.is_none())
        {
            job.apply(progress);
        }
    }

    /// Moves the jobs pane's cursor (newest first).
    pub fn move_by(&mut self, delta: isize) {
        let last = self.list.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// The job under the cursor.
    pub fn selected(&self) -> Option<&Job> {
        self.list.iter().rev().nth(self.cursor)
    }

    /// Running jobs.
    pub fn running(&self) -> impl Iterator<Item = &Job> {
        self.list.iter().filter(|j| j.status == JobStatus::Running)
    }

    /// The newest running job.
    pub fn newest_running(&self) -> Option<JobId> {
        self.running().last().map(|j| j.id)
    }
}

/// The jobs pane.
#[derive(Debug, Clone, Default)]
pub struct JobsPane {
    /// The jobs.
    pub jobs: Jobs,
    /// The selected job's output, when open.
    pub dialog: Option<TextView>,
}

/// The lines a finished job keeps: its summary, then each thing the engine removed.
fn result_lines(result: &Result<JobOutcome, EngineError>) -> Vec<String> {
    match result {
        Ok(JobOutcome::Done(text)) => vec![text.clone()],
        Ok(JobOutcome::Pruned(r)) => {
            let mut lines = vec![pruned_text(r)];
            lines.extend(r.deleted.iter().map(|d| format!("  {d}")));
            lines
        }
        Ok(JobOutcome::Disk(outcome)) => vec![outcome.to_string()],
        Ok(JobOutcome::Created { id, name }) => {
            vec![format!(
                "created {name} ({})",
                crate::util::text::short_id(id)
            )]
        }
        Ok(JobOutcome::Images { summary, ids }) => {
            let mut lines = vec![summary.clone()];
            lines.extend(
                ids.iter()
                    .map(|id| format!("  {}", crate::util::text::short_id(id))),
            );
            lines
        }
        Err(EngineError::Cancelled) => vec!["cancelled".into()],
        Err(e) => vec![format!("failed: {e}")],
    }
}

fn pruned_text(r: &crate::engine::PruneReport) -> String {
    let bytes = crate::util::text::bytes;
    let cache = r
        .build_cache_reclaimed
        .map(|b| format!(" + {} of build cache", bytes(b)))
        .unwrap_or_default();
    format!(
        "pruned: {}; {} reclaimed{cache}",
        r.removed.summary(),
        bytes(r.reclaimed)
    )
}

/// The status line a finished job leaves.
fn finished_message(kind: &JobKind, result: &Result<JobOutcome, EngineError>) -> Option<Effect> {
    Some(match result {
        Ok(JobOutcome::Done(text)) => Effect::say(Level::Ok, text.clone()),
        Ok(JobOutcome::Pruned(r)) => Effect::say(Level::Ok, pruned_text(r)),
        Ok(JobOutcome::Disk(outcome)) => Effect::say(Level::Ok, outcome.to_string()),
        Ok(JobOutcome::Created { .. }) => return None,
        Ok(JobOutcome::Images { summary, .. }) => Effect::say(Level::Ok, summary.clone()),
        Err(e) => Effect::say(Level::Error, format!("{kind} failed: {e}")),
    })
}

impl JobsPane {
    /// Cancels the selected job when the pane has focus (never another one: a finished job is
    /// said to be finished), else the newest running one.
    pub fn cancel(&self, focused: bool) -> Vec<Effect> {
        if focused {
            return match self.jobs.selected() {
                Some(j) if j.status == JobStatus::Running => {
                    vec![Effect::Engine(Command::Cancel(j.id))]
                }
                Some(j) => vec![Effect::info(format!(
                    "job #{} ({}) is not running: nothing to cancel",
                    j.id, j.kind
                ))],
                None => vec![Effect::info("no job selected")],
            };
        }
        match self.jobs.newest_running() {
            Some(id) => vec![Effect::Engine(Command::Cancel(id))],
            None => vec![Effect::info("no running job to cancel")],
        }
    }

    fn show_selected(&mut self) {
        if let Some(job) = self.jobs.selected() {
            let status = match &job.status {
                JobStatus::Running => "running",
                JobStatus::Done => "done",
                JobStatus::Failed(_) => "failed",
                JobStatus::Cancelled => "cancelled",
            };
            let sanitize = crate::util::sanitize::sanitize;
            let mut lines = vec![format!("{} — {status}", job.what())];
            lines.extend(job.result.iter().map(|l| sanitize(l)));
            if !job.log.is_empty() {
                lines.push(String::new());
                lines.extend(job.log.iter().map(|l| sanitize(l)));
            }
            self.dialog = Some(TextView::new(format!("Job {}", job.id), lines));
        }
    }
}

impl Pane for JobsPane {
    fn on_key(&mut self, key: &crossterm::event::KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let dialog = self.dialog.as_mut()?;
        if dialog.on_key(cx.keymap, key) == Outcome::Close {
            self.dialog = None;
        }
        Some(vec![])
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let Action::List(a) = action else {
            return None;
        };
        match a {
            ListAction::Up => self.jobs.move_by(-1),
            ListAction::Down => self.jobs.move_by(1),
            ListAction::PageUp => self.jobs.move_by(-10),
            ListAction::PageDown => self.jobs.move_by(10),
            ListAction::Top => self.jobs.move_by(isize::MIN / 2),
            ListAction::Bottom => self.jobs.move_by(isize::MAX / 2),
            ListAction::Details => self.show_selected(),
            _ => return None,
        }
        Some(vec![])
    }

    fn on_engine(&mut self, event: &EngineEvent, cx: &Cx<'_>) -> Vec<Effect> {
        let now = cx.shared.now;
        match event {
            EngineEvent::JobStarted { id, kind } => self.jobs.start(*id, kind.clone(), now),
            EngineEvent::JobProgress { id, progress } => self.jobs.progress(*id, progress.clone()),
            EngineEvent::Build {
                id,
                event: BuildEvent::Started { builder },
            } => {
                if let Some(job) = self.jobs.list.iter_mut().find(|j| j.id == *id) {
                    job.builder = Some(*builder);
                }
            }
            EngineEvent::JobFinished { id, result } => {
                if let Some(kind) = self.jobs.finish(*id, result, now) {
                    return finished_message(&kind, result).into_iter().collect();
                }
            }
            _ => {}
        }
        vec![]
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }

    fn set_dialog_rows(&mut self, rows: usize) {
        if let Some(d) = &mut self.dialog {
            d.set_height(rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PruneScope;

    fn layer(id: &str, phase: &str, current: u64, total: u64) -> Progress {
        Progress::Layer {
            id: id.into(),
            phase: phase.into(),
            current,
            total,
        }
    }

    #[test]
    fn job_details_say_the_status_in_words() {
        let mut pane = JobsPane::default();
        pane.jobs.start(7, JobKind::Prune(PruneScope::Dangling), 0);
        let err = Err(crate::engine::EngineError::Api {
            status: 500,
            message: "no space \u{1b}[2Jleft".into(),
        });
        pane.jobs.finish(7, &err, 1);
        pane.show_selected();
        let view = pane.dialog.as_ref().expect("details open");
        assert!(view.lines[0].ends_with("— failed"), "{:?}", view.lines);
        let text = view.lines.join("\n");
        assert!(text.contains("failed: no space"), "{text}");
        assert!(!text.contains("Failed("), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }

    #[test]
    fn a_finished_prune_keeps_what_it_removed_and_freed_for_enter() {
        let mut pane = JobsPane::default();
        pane.jobs.start(1, JobKind::Prune(PruneScope::Dangling), 0);
        let report = crate::engine::PruneReport {
            deleted: vec!["untagged a:1".into(), "deleted sha256:img".into()],
            reclaimed: 2048,
            build_cache_reclaimed: None,
            removed: crate::engine::Removed {
                untagged: vec!["a:1".into()],
                images: vec!["sha256:img".into()],
                intermediate: 0,
                layers: 0,
                containers: vec![],
            },
        };
        pane.jobs.finish(1, &Ok(JobOutcome::Pruned(report)), 3);
        pane.show_selected();
        let text = pane
            .dialog
            .as_ref()
            .map(|d| d.lines.join("\n"))
            .unwrap_or_default();
        assert!(text.contains("— done"), "{text}");
        assert!(
            text.contains("pruned: 1 image (0 layers), 1 tag untagged; 2.05 kB reclaimed"),
            "{text}"
        );
        assert!(
            text.contains("untagged a:1") && text.contains("deleted sha256:img"),
            "{text}"
        );
    }

    #[test]
    fn a_finished_layer_shows_its_size_not_zero() {
        let mut jobs = Jobs::default();
        jobs.start(1, JobKind::Prune(PruneScope::Dangling), 0);
        jobs.progress(1, layer("tiny", "Extracting", 104, 104));
        jobs.progress(1, layer("tiny", "Pull complete", 0, 0));
        let l = &jobs.list[0].layers[0];
        assert_eq!(
            (l.phase.as_str(), l.current, l.total),
            ("Pull complete", 104, 104)
        );
    }

    #[test]
    fn progress_is_reduced_per_layer_and_never_goes_backwards() {
        let mut jobs = Jobs::default();
        jobs.start(1, JobKind::Prune(PruneScope::Dangling), 0);
        jobs.progress(1, layer("a", "Downloading", 10, 100));
        jobs.progress(1, layer("b", "Waiting", 0, 0));
        jobs.progress(1, layer("a", "Downloading", 5, 100));
        assert_eq!(jobs.list[0].layers[0].current, 10);
        jobs.progress(1, layer("a", "Extracting", 1, 100));
        assert_eq!(jobs.list[0].layers[0].current, 1);
        assert_eq!(jobs.list[0].layers.len(), 2);
        for i in 0..(LOG_LINES + 5) {
            jobs.progress(1, Progress::Log(format!("line {i}")));
        }
        assert_eq!(jobs.list[0].log.len(), LOG_LINES);
        assert_eq!(jobs.list[0].log.front().map(String::as_str), Some("line 5"));
        jobs.finish(1, &Ok(JobOutcome::Done(String::new())), 1);
        jobs.progress(1, Progress::Log("late".into()));
        assert_eq!(
            jobs.list[0].log.back().map(String::as_str),
            Some(&*format!("line {}", LOG_LINES + 4))
        );
    }
}
