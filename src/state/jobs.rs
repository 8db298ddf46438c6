//! Jobs as the UI sees them: the engine's job events reduced into one entry per job.
use crate::engine::{EngineError, JobId, JobKind, JobOutcome};

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
}

/// All jobs of this session, newest last; finished jobs beyond a bound are dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jobs {
    /// The jobs.
    pub list: Vec<Job>,
}

const KEEP_FINISHED: usize = 50;

impl Jobs {
    /// Records a started job.
    pub fn start(&mut self, id: JobId, kind: JobKind, now: i64) {
        self.list.push(Job {
            id,
            kind,
            status: JobStatus::Running,
            started: now,
            ended: None,
        });
        let finished = self.list.iter().filter(|j| j.ended.is_some()).count();
        if finished > KEEP_FINISHED
            && let Some(i) = self.list.iter().position(|j| j.ended.is_some())
        {
            self.list.remove(i);
        }
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
        Some(job.kind.clone())
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
