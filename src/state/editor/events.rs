//! The editor as a [`Pane`]: keys and paste, the clock (recovery files), and the engine events
//! of its build job (start, output, end).
use crossterm::event::KeyEvent;

use super::EditorState;
use crate::action::Action;
use crate::engine::{EngineError, EngineEvent, JobId, JobKind, JobOutcome, Progress};
use crate::state::effect::{Effect, FileOp, Msg};
use crate::state::pane::{Cx, Pane};

impl EditorState {
    /// A build job started for this editor.
    pub fn on_build_started(&mut self, job: crate::engine::JobId) {
        self.refresh_lint();
        let file = crate::dockerfile::parse(&self.text());
        self.build.start(job, &file);
        self.marked_lines = Some(self.textarea.lines().to_vec());
    }

    /// The build job ended; on failure the cursor jumps to the failing instruction.
    pub fn on_build_finished(&mut self, result: Result<String, String>) -> Vec<Effect> {
        match result {
            Ok(summary) => {
                let id = summary
                    .strip_prefix(crate::engine::build::BUILT_PREFIX)
                    .map(str::to_string)
                    .or_else(|| self.build.image.clone());
                self.build.finish(Ok(()));
                if let Some(id) = id {
                    self.build.image = Some(id.clone());
                    let mut effects = vec![Effect::Msg(Msg::SelectImage(id.clone()))];
                    if let Some(path) = self.path.clone()
                        && !self.build.layers.is_empty()
                    {
                        let links = crate::fsio::BuildLinks {
                            text_hash: crate::fsio::text_hash(
                                self.textarea.lines().iter().map(String::as_str),
                            ),
                            image: id,
                            layers: self.build.layers.clone(),
                        };
                        effects.push(Effect::File(FileOp::SaveLinks { path, links }));
                    }
                    return effects;
                }
            }
            Err(message) => {
                if let Some(line) = self.build.finish(Err(message)) {
                    self.jump_to(line);
                }
            }
        }
        vec![]
    }

    /// A job started: when it builds the open Dockerfile, the editor follows it.
    fn job_started(&mut self, id: JobId, kind: &JobKind) {
        if let JobKind::Build { dockerfile, .. } = kind
            && self
                .path
                .as_ref()
                .is_some_and(|p| p.display().to_string() == *dockerfile)
        {
            self.on_build_started(id);
        }
    }

    /// Build output goes through the step tracker to mark lines.
    fn job_progress(&mut self, id: JobId, progress: &Progress) {
        if self.build.job == Some(id)
            && let Progress::Log(line) = progress
        {
            self.build.log_line(line);
        }
    }

    /// The build ended: the image gets selected, or the cursor jumps to the failing line.
    fn job_finished(&mut self, id: JobId, result: &Result<JobOutcome, EngineError>) -> Vec<Effect> {
        if self.build.job != Some(id) {
            return vec![];
        }
        match result {
            Ok(JobOutcome::Done(summary)) => self.on_build_finished(Ok(summary.clone())),
            Ok(other) => self.on_build_finished(Ok(format!("{other:?}"))),
            Err(EngineError::Cancelled) => {
                self.build.cancelled();
                vec![]
            }
            Err(e) => self.on_build_finished(Err(e.to_string())),
        }
    }
}

impl Pane for EditorState {
    fn on_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        self.key(cx.keymap, key, cx.shared.now)
    }

    fn on_action(&mut self, action: Action, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        match action {
            Action::Editor(a) => Some(self.action(a, cx.shared.now)),
            _ => None,
        }
    }

    fn on_paste(&mut self, text: &str, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        Some(self.paste(cx.keymap, text, cx.shared.now))
    }

    fn on_engine(&mut self, event: &EngineEvent, _cx: &Cx<'_>) -> Vec<Effect> {
        match event {
            EngineEvent::JobStarted { id, kind } => self.job_started(*id, kind),
            EngineEvent::JobProgress { id, progress } => self.job_progress(*id, progress),
            EngineEvent::JobFinished { id, result } => return self.job_finished(*id, result),
            EngineEvent::Build { id, event } if self.build.job == Some(*id) => {
                self.build.build_event(event)
            }
            _ => {}
        }
        vec![]
    }

    fn on_tick(&mut self, cx: &Cx<'_>) -> (Vec<Effect>, bool) {
        (self.tick(cx.shared.now), false)
    }
}
