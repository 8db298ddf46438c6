//! Engine events that concern the editor: its build job's start, output and end, and selecting
//! the built image once the images pane lists it.
use crate::engine::{EngineError, JobId, JobKind, JobOutcome, Progress};
use crate::state::AppState;

impl AppState {
    /// A job started: when it builds the open Dockerfile, the editor follows it.
    pub(crate) fn editor_job_started(&mut self, id: JobId, kind: &JobKind) {
        if let JobKind::Build { dockerfile, .. } = kind
            && self
                .editor
                .path
                .as_ref()
                .is_some_and(|p| p.display().to_string() == *dockerfile)
        {
            self.editor.on_build_started(id);
        }
    }

    /// Build output goes through the step tracker to mark lines.
    pub(crate) fn editor_job_progress(&mut self, id: JobId, progress: &Progress) {
        if self.editor.build.job == Some(id)
            && let Progress::Log(line) = progress
        {
            self.editor.build.log_line(line);
        }
    }

    /// The build ended: the image gets selected, or the cursor jumps to the failing line.
    pub(crate) fn editor_job_finished(
        &mut self,
        id: JobId,
        result: &Result<JobOutcome, EngineError>,
    ) {
        if self.editor.build.job != Some(id) {
            return;
        }
        match result {
            Ok(JobOutcome::Done(summary)) => self.editor.on_build_finished(Ok(summary.clone())),
            Ok(other) => self.editor.on_build_finished(Ok(format!("{other:?}"))),
            Err(EngineError::Cancelled) => {
                self.editor.build.cancelled();
            }
            Err(e) => self.editor.on_build_finished(Err(e.to_string())),
        }
        self.drain_editor();
    }

    /// Selects the image the editor built, once the listing has it.
    pub(crate) fn editor_select_built(&mut self) {
        let Some(id) = self.editor.select_image.clone() else {
            return;
        };
        let short = id.trim_start_matches("sha256:");
        let found = self.images.view.iter().position(|&i| {
            self.images.rows[i]
                .id
                .trim_start_matches("sha256:")
                .starts_with(short)
        });
        if let Some(pos) = found {
            self.images.cursor = pos;
            self.images.scroll(self.viewport.0);
            self.editor.select_image = None;
        }
    }
}
