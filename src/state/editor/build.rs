//! The build side of the editor: the per-line marks a build leaves (running, cache hit, built,
//! invalidated, rebuilt, failed), fed from BuildKit's vertex graph ([`BuildEvent`]s) or from the
//! classic builder's log through [`StepTracker`]; the live graph and its timing summary; and
//! marks that follow edits ([`LineEdit`]) instead of staying on line numbers.
use std::collections::{BTreeMap, VecDeque};

use super::form::Detail;
use crate::dockerfile::Dockerfile;
use crate::dockerfile::steps::{StepEvent, StepTracker};
use crate::engine::JobId;
use crate::engine::build::{BuildSummary, Builder};
use crate::engine::buildkit::progress::{BuildEvent, BuildProgress, VertexInfo, VertexState};

/// The context's size as planned before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextSize {
    /// Not computed yet (the directory changed).
    Unknown,
    /// Files, content bytes, tar bytes, paths `.dockerignore` left out.
    Planned {
        /// Regular files.
        files: usize,
        /// Content bytes.
        bytes: u64,
        /// Bytes of the tar stream.
        tar: u64,
        /// Paths left out by `.dockerignore`.
        ignored: usize,
    },
    /// Planning failed.
    Failed(String),
}

/// What a build did to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepMark {
    /// Being built now.
    Running,
    /// Satisfied from the build cache.
    Cached,
    /// Built (no cache entry; a first build).
    Built,
    /// Rebuilt although an earlier build had it: the cache was invalidated here or above.
    Rebuilt,
    /// The first rebuilt step of a rebuild: where the cache was invalidated.
    Invalidated,
    /// The build failed here.
    Failed,
    /// A FROM: the base image (never cached, always reused).
    Base,
}

/// One edit of the buffer as lines: `[start, old_end)` (0-based) became `[start, new_end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineEdit {
    /// First changed line.
    pub start: usize,
    /// End of the replaced lines before the edit.
    pub old_end: usize,
    /// End of the lines that replaced them.
    pub new_end: usize,
}

impl LineEdit {
    /// The edit between two versions of the buffer (common head and tail kept); `None` when
    /// they are equal.
    pub fn between(old: &[String], new: &[String]) -> Option<LineEdit> {
        let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        if head == old.len() && head == new.len() {
            return None;
        }
        let room = old.len().min(new.len()) - head;
        let tail = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        Some(LineEdit {
            start: head,
            old_end: old.len() - tail,
            new_end: new.len() - tail,
        })
    }

    /// Where 1-based `line` is after the edit; `None` when the edit replaced or changed it.
    pub fn map(&self, line: usize) -> Option<usize> {
        let i = line.checked_sub(1)?;
        if i < self.start {
            Some(line)
        } else if i >= self.old_end {
            Some(line - self.old_end + self.new_end)
        } else {
            None
        }
    }

    /// Where a range of lines is after the edit; `None` when any of its lines changed.
    pub fn map_range(&self, (a, b): (usize, usize)) -> Option<(usize, usize)> {
        let (i, j) = (a.checked_sub(1)?, b.checked_sub(1)?);
        let touched = if self.old_end > self.start {
            i < self.old_end && j >= self.start
        } else {
            // A pure insertion changes the instruction only when it lands inside it.
            i < self.start && self.start <= j
        };
        if touched {
            return None;
        }
        Some((self.map(a)?, self.map(b)?))
    }
}

/// The state of the editor's current or last build.
#[derive(Debug, Clone, Default)]
pub struct BuildView {
    /// The running build job.
    pub job: Option<JobId>,
    tracker: Option<StepTracker>,
    /// Marks by 1-based first line of the instruction (in the buffer as it is now).
    pub marks: BTreeMap<usize, StepMark>,
    /// Last line of each marked instruction, by first line.
    spans: BTreeMap<usize, usize>,
    /// The line range being built (classic builder).
    pub running: Option<(usize, usize)>,
    /// The builder's output, newest last (bounded).
    pub log: VecDeque<String>,
    /// The failing line (0: not a line, or the line was edited away) and the error.
    pub failure: Option<(usize, String)>,
    /// The failing step's last output lines.
    pub failure_log: Vec<String>,
    /// Step number and count of the last started step (classic builder).
    pub step: (usize, usize),
    /// Layer (image) IDs the steps made, short form, with their line.
    pub layers: Vec<(String, usize)>,
    /// The built image's ID.
    pub image: Option<String>,
    /// Whether an earlier build of this buffer got past its base image (later ones are rebuilds).
    pub built_before: bool,
    /// The builder the build runs with, once chosen.
    pub builder: Option<Builder>,
    /// How much progress to show.
    pub detail: Detail,
    /// BuildKit's vertex graph (bounded log lines per vertex).
    pub graph: BuildProgress,
    /// Timings, cache use and failure of the finished build (BuildKit).
    pub summary: Option<Box<BuildSummary>>,
    /// Edits since the build started: lines the builder reports map through these.
    edits: Vec<LineEdit>,
    /// Whether the current build has made or reused a layer past a FROM.
    layered: bool,
    /// Whether the current build has rebuilt a step yet.
    rebuilt_any: bool,
    /// First lines of the FROM instructions.
    from_lines: Vec<usize>,
}

/// Lines of builder output kept.
const LOG_KEEP: usize = 500;

/// Edits remembered to place a build's lines; past this the build's lines are not placed.
const EDITS_KEEP: usize = 10_000;

impl BuildView {
    /// A build of `file` started as job `job` (earlier marks are cleared).
    pub fn start(&mut self, job: JobId, file: &Dockerfile) {
        let (built_before, detail) = (self.built_before, self.detail);
        *self = BuildView {
            job: Some(job),
            tracker: Some(StepTracker::new(file)),
            built_before,
            detail,
            from_lines: file
                .instructions
                .iter()
                .filter(|i| i.keyword() == "FROM")
                .map(|i| i.start_line)
                .collect(),
            ..BuildView::default()
        };
    }

    /// Whether a build is running.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Whether anything is tied to lines (marks, a failure, a build that may add some).
    pub fn has_lines(&self) -> bool {
        self.job.is_some()
            || !self.marks.is_empty()
            || !self.layers.is_empty()
            || self.failure.as_ref().is_some_and(|(l, _)| *l > 0)
    }

    /// The buffer changed: marks move with their lines, and a mark whose lines changed goes.
    pub fn edited(&mut self, edit: LineEdit) {
        let old = std::mem::take(&mut self.marks);
        let spans = std::mem::take(&mut self.spans);
        for (start, mark) in old {
            let end = spans.get(&start).copied().unwrap_or(start);
            if let Some((a, b)) = edit.map_range((start, end)) {
                self.marks.insert(a, mark);
                self.spans.insert(a, b);
            }
        }
        self.running = self.running.and_then(|r| edit.map_range(r));
        if let Some((line, _)) = &mut self.failure {
            *line = edit.map(*line).unwrap_or(0);
        }
        self.layers.retain_mut(|(_, line)| match edit.map(*line) {
            Some(l) => {
                *line = l;
                true
            }
            None => false,
        });
        self.from_lines = self
            .from_lines
            .iter()
            .filter_map(|l| edit.map(*l))
            .collect();
        if self.edits.len() < EDITS_KEEP {
            self.edits.push(edit);
        }
    }

    /// Where a line of the built file is now (`None`: edited away, or too many edits since).
    pub fn current_line(&self, line: usize) -> Option<usize> {
        if self.edits.len() >= EDITS_KEEP {
            return None;
        }
        self.edits.iter().try_fold(line, |l, e| e.map(l))
    }

    fn current_range(&self, (a, b): (usize, usize)) -> Option<(usize, usize)> {
        if self.edits.len() >= EDITS_KEEP {
            return None;
        }
        self.edits.iter().try_fold((a, b), |r, e| e.map_range(r))
    }

    fn mark(&mut self, (a, b): (usize, usize), mark: StepMark) {
        self.marks.insert(a, mark);
        self.spans.insert(a, b);
    }

    /// Feeds one line of builder output.
    pub fn log_line(&mut self, line: &str) {
        if self.log.len() == LOG_KEEP {
            self.log.pop_front();
        }
        self.log.push_back(line.to_string());
        if let Some(id) = line.strip_prefix(crate::engine::build::BUILT_PREFIX) {
            self.image = Some(id.trim().to_string());
            return;
        }
        if self.builder == Some(Builder::BuildKit) {
            return;
        }
        let Some(tracker) = &mut self.tracker else {
            return;
        };
        for ev in tracker.feed(&format!("{line}\n")) {
            self.apply(ev);
        }
    }

    /// Feeds one typed event of a build (BuildKit's vertex graph, the builder, the summary).
    pub fn build_event(&mut self, event: &BuildEvent) {
        match event {
            BuildEvent::Started { builder } => self.builder = Some(*builder),
            BuildEvent::Vertex(v) => {
                self.graph.apply(event);
                self.vertex(v);
            }
            BuildEvent::Logs { .. } => self.graph.apply(event),
            BuildEvent::Finished(summary) => self.finished(summary),
        }
    }

    fn vertex(&mut self, v: &VertexInfo) {
        let Some(built) = v.lines() else {
            return;
        };
        let Some(lines) = self.current_range(built) else {
            return;
        };
        let base = self.from_lines.contains(&lines.0);
        match v.state {
            VertexState::Queued => {}
            VertexState::Running => self.mark(lines, StepMark::Running),
            VertexState::Cached => {
                self.layered |= !base;
                self.mark(
                    lines,
                    if base {
                        StepMark::Base
                    } else {
                        StepMark::Cached
                    },
                );
            }
            VertexState::Done => {
                self.layered |= !base;
                let mark = if base {
                    StepMark::Base
                } else if !self.built_before {
                    StepMark::Built
                } else if !self.rebuilt_any {
                    self.rebuilt_any = true;
                    StepMark::Invalidated
                } else {
                    StepMark::Rebuilt
                };
                self.mark(lines, mark);
            }
            VertexState::Error => {
                self.mark(lines, StepMark::Failed);
                let message = v.error.clone().unwrap_or_default();
                self.failure = Some((lines.0, message));
                self.failure_log = self
                    .graph
                    .logs
                    .get(&v.id)
                    .map(|l| l.iter().rev().take(10).rev().cloned().collect())
                    .unwrap_or_default();
            }
        }
    }

    /// The summary arrived: the first cache miss (in file order) is where the cache was
    /// invalidated; the other rebuilt steps are rebuilt.
    fn finished(&mut self, summary: &BuildSummary) {
        if self.built_before
            && let Some((line, _)) = summary.cache.as_ref().and_then(|c| c.first_miss.as_ref())
            && let Some(line) = self.current_line(*line)
            && matches!(
                self.marks.get(&line),
                Some(StepMark::Rebuilt | StepMark::Invalidated)
            )
        {
            for m in self.marks.values_mut() {
                if *m == StepMark::Invalidated {
                    *m = StepMark::Rebuilt;
                }
            }
            self.marks.insert(line, StepMark::Invalidated);
        }
        if let Some(f) = &summary.failure {
            let line = f.lines.and_then(|(a, _)| self.current_line(a)).unwrap_or(0);
            self.failure = Some((line, f.message.clone()));
            self.failure_log = f.last_logs.clone();
        }
        if let Some(id) = &summary.image_id {
            self.image = Some(id.clone());
        }
        self.summary = Some(Box::new(summary.clone()));
    }

    fn apply(&mut self, ev: StepEvent) {
        match ev {
            StepEvent::Started {
                step,
                total,
                start_line,
                end_line,
            } => {
                self.step = (step, total);
                let Some(lines) = self.current_range((start_line, end_line)) else {
                    self.running = None;
                    return;
                };
                self.running = Some(lines);
                self.mark(lines, StepMark::Running);
            }
            StepEvent::CacheHit { start_line, .. } => {
                self.layered = true;
                if let Some(line) = self.current_line(start_line) {
                    self.marks.insert(line, StepMark::Cached);
                }
            }
            StepEvent::Done {
                start_line,
                image_id,
                ..
            } => {
                let Some(start_line) = self.current_line(start_line) else {
                    return;
                };
                self.layers.push((image_id, start_line));
                let base = self.from_lines.contains(&start_line);
                self.layered |= !base;
                let mark = self.marks.entry(start_line).or_insert(StepMark::Running);
                if *mark == StepMark::Running {
                    *mark = if base {
                        StepMark::Base
                    } else if !self.built_before {
                        StepMark::Built
                    } else if !self.rebuilt_any {
                        self.rebuilt_any = true;
                        StepMark::Invalidated
                    } else {
                        StepMark::Rebuilt
                    };
                }
            }
            StepEvent::Failed {
                start_line,
                end_line,
                message,
                ..
            } => {
                let lines = self.current_range((start_line, end_line.max(start_line)));
                match lines {
                    Some(lines) if start_line > 0 => {
                        self.mark(lines, StepMark::Failed);
                        self.failure = Some((lines.0, message));
                    }
                    _ => self.failure = Some((0, message)),
                }
            }
            StepEvent::Built { .. } => {}
        }
    }

    /// The build ended: with `Err(message)` on failure. Returns the failing line, if known.
    pub fn finish(&mut self, result: Result<(), String>) -> Option<usize> {
        self.job = None;
        self.running = None;
        self.built_before |= self.layered;
        // Steps still marked running never finished.
        self.marks.retain(|_, m| *m != StepMark::Running);
        match result {
            Ok(()) => None,
            Err(message) => {
                if self.failure.is_none()
                    && let Some(tracker) = &mut self.tracker
                {
                    let ev = tracker.error(&message);
                    self.apply(ev);
                }
                self.failure
                    .as_ref()
                    .map(|(line, _)| *line)
                    .filter(|l| *l > 0)
            }
        }
    }

    /// The build was cancelled: nothing failed, the running step is unmarked.
    pub fn cancelled(&mut self) {
        self.job = None;
        self.running = None;
        self.marks.retain(|_, m| *m != StepMark::Running);
        self.log.push_back("build cancelled".into());
    }

    /// The Dockerfile line that made the layer with this history ID (`sha256:…`), if this build
    /// made it.
    pub fn line_of_layer(&self, history_id: &str) -> Option<usize> {
        let id = history_id.trim_start_matches("sha256:");
        if id.is_empty() || id == "<missing>" {
            return None;
        }
        self.layers
            .iter()
            .rev()
            .find(|(short, _)| !short.is_empty() && id.starts_with(short.as_str()))
            .map(|(_, line)| *line)
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
