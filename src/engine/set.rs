//! Several engines at once: each endpoint (a context, a host) has its own warm worker, its state
//! checked in the background with backoff, and every event it sends is tagged with its
//! [`EngineId`]. One hanging or refusing host never blocks the others or the caller: every
//! method here returns at once; answers arrive as [`SetEvent`]s.
//!
//! Which engine the UI's commands go to is [`EngineSet::select`]ed; since every worker stays
//! connected and keeps its inventory current, switching is instant.
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::AbortHandle;

use super::contexts::{self, ContextInfo};
use super::endpoint::{Endpoint, ResolveInput};
use super::types::{Connection, EngineInfo, JobId, JobKind};
use super::{Command, EngineError, EngineEvent, EngineHandle, JobCtx, Sink, copy, live};

/// Identifies one engine of an [`EngineSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EngineId(pub u32);

/// One engine's state, kept current by its worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineState {
    /// Trying its endpoint (the first time, or again after a failure).
    Connecting,
    /// Connected; the counts are from its latest listing (`None` before the first).
    Connected {
        /// Who it is.
        info: EngineInfo,
        /// Images (one per ID).
        images: Option<usize>,
        /// Containers, running or not.
        containers: Option<usize>,
    },
    /// Unreachable: why, and when it is tried again.
    Failed {
        /// What went wrong (every endpoint tried).
        error: String,
        /// Delay before the next try.
        retry_in: Duration,
    },
}

/// What an [`EngineSet`] reports.
#[derive(Debug)]
pub enum SetEvent {
    /// An event of one engine's worker (listings, details, jobs, logs, …).
    Engine {
        /// The engine it comes from.
        id: EngineId,
        /// The event.
        event: EngineEvent,
    },
    /// One engine's state changed.
    State {
        /// The engine.
        id: EngineId,
        /// Its new state.
        state: EngineState,
    },
    /// The answer to [`EngineSet::find_image`]: the connected engines that have the image.
    ImageOn {
        /// The image ID asked about.
        image_id: String,
        /// Engines that have it.
        engines: Vec<EngineId>,
        /// Engines that could not be asked, and why.
        errors: Vec<(EngineId, String)>,
    },
}

/// Where set events go.
pub type SetSink = Arc<dyn Fn(SetEvent) + Send + Sync>;

/// One engine of the set, as listed by [`EngineSet::engines`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its ID.
    pub id: EngineId,
    /// A name for people (the context's name, or the host).
    pub label: String,
    /// The endpoints its worker tries, in order.
    pub endpoints: Vec<Endpoint>,
    /// Its state right now.
    pub state: EngineState,
}

type States = Arc<Mutex<HashMap<EngineId, EngineState>>>;

/// The engines, their workers and the one the UI's commands go to. Methods must be called
/// inside a tokio runtime; none of them waits on an engine.
pub struct EngineSet {
    sink: SetSink,
    members: BTreeMap<EngineId, (String, Vec<Endpoint>, EngineHandle)>,
    states: States,
    active: Option<EngineId>,
    next: u32,
    copies: Arc<Mutex<HashMap<JobId, AbortHandle>>>,
}

impl EngineSet {
    /// An empty set reporting to `sink`.
    pub fn new(sink: SetSink) -> EngineSet {
        EngineSet {
            sink,
            members: BTreeMap::new(),
            states: States::default(),
            active: None,
            next: 1,
            copies: Arc::default(),
        }
    }

    /// Adds an engine reached through `endpoints` (tried in order) and starts its worker. The
    /// first engine added becomes the active one.
    pub fn add(&mut self, label: impl Into<String>, endpoints: Vec<Endpoint>) -> EngineId {
        let id = EngineId(self.next);
        self.next += 1;
        if let Ok(mut s) = self.states.lock() {
            s.insert(id, EngineState::Connecting);
        }
        let handle = super::spawn_with_builds(
            Ok(endpoints.clone()),
            self.tagging_sink(id),
            self.build_sink(id),
        );
        self.members.insert(id, (label.into(), endpoints, handle));
        self.active.get_or_insert(id);
        id
    }

    /// Adds an engine that cannot be reached: `error` says why (a context that is asked for but
    /// broken). It reports itself failed, like a worker whose endpoints all fail.
    pub fn add_unusable(&mut self, label: impl Into<String>, error: String) -> EngineId {
        let id = EngineId(self.next);
        self.next += 1;
        if let Ok(mut s) = self.states.lock() {
            s.insert(id, EngineState::Connecting);
        }
        let handle = super::spawn(Err(error), self.tagging_sink(id));
        self.members.insert(id, (label.into(), Vec::new(), handle));
        self.active.get_or_insert(id);
        id
    }

    /// Adds every usable context (as `docker context ls` lists them; the `default` one too) and
    /// makes the current one active. Returns each context with the engine it became, or `None`
    /// for a context that has no usable endpoint.
    pub fn add_contexts(&mut self, input: &ResolveInput) -> Vec<(ContextInfo, Option<EngineId>)> {
        let mut out = Vec::new();
        for ctx in contexts::list(input) {
            let endpoints = if ctx.name == "default" {
                super::endpoint::context_endpoints(input, "default", "default context").ok()
            } else {
                ctx.endpoint().map(|e| vec![e])
            };
            let id = endpoints.map(|e| self.add(ctx.name.clone(), e));
            if ctx.current
                && let Some(id) = id
            {
                self.active = Some(id);
            }
            out.push((ctx, id));
        }
        out
    }

    /// Stops an engine's worker and forgets it.
    pub fn remove(&mut self, id: EngineId) {
        self.members.remove(&id);
        if let Ok(mut s) = self.states.lock() {
            s.remove(&id);
        }
        if self.active == Some(id) {
            self.active = self.members.keys().next().copied();
        }
    }

    /// Every engine with its state, in the order they were added.
    pub fn engines(&self) -> Vec<Member> {
        let states = self.states.lock().map(|s| s.clone()).unwrap_or_default();
        self.members
            .iter()
            .map(|(id, (label, endpoints, _))| Member {
                id: *id,
                label: label.clone(),
                endpoints: endpoints.clone(),
                state: states.get(id).cloned().unwrap_or(EngineState::Connecting),
            })
            .collect()
    }

    /// One engine's state.
    pub fn state(&self, id: EngineId) -> Option<EngineState> {
        self.states.lock().ok()?.get(&id).cloned()
    }

    /// Makes `id` the engine the UI's commands go to. False when there is no such engine.
    pub fn select(&mut self, id: EngineId) -> bool {
        let known = self.members.contains_key(&id);
        if known {
            self.active = Some(id);
        }
        known
    }

    /// The engine the UI's commands go to.
    pub fn active(&self) -> Option<EngineId> {
        self.active
    }

    /// Sends a command to one engine. False when there is no such engine.
    pub fn send(&self, id: EngineId, command: Command) -> bool {
        match self.members.get(&id) {
            Some((_, _, handle)) => {
                handle.send(command);
                true
            }
            None => false,
        }
    }

    /// Sends a command to the active engine.
    pub fn send_active(&self, command: Command) -> bool {
        self.active.is_some_and(|id| self.send(id, command))
    }

    /// Cancels a job: a copy run by the set, else the engine's own job.
    pub fn cancel(&self, id: EngineId, job: JobId) {
        let copy = self.copies.lock().ok().and_then(|mut c| c.remove(&job));
        match copy {
            Some(task) => {
                task.abort();
                (self.sink)(SetEvent::Engine {
                    id,
                    event: EngineEvent::JobFinished {
                        id: job,
                        result: Err(EngineError::Cancelled),
                    },
                });
            }
            None => {
                self.send(id, Command::Cancel(job));
            }
        }
    }

    /// The live client of a connected engine.
    fn client(&self, id: EngineId) -> Result<bollard::Docker, EngineError> {
        match self.state(id) {
            Some(EngineState::Connected { info, .. }) => {
                live::client(&info.endpoint).ok_or(EngineError::NotConnected)
            }
            _ => Err(EngineError::NotConnected),
        }
    }

    /// Copies `image` from engine `from` to engine `to` (a job reported as events of `to`).
    /// Both must be connected.
    pub fn copy_image(
        &self,
        from: EngineId,
        to: EngineId,
        image: &str,
    ) -> Result<JobId, EngineError> {
        let (src, dst) = (self.client(from)?, self.client(to)?);
        let label = |id| {
            self.members
                .get(&id)
                .map(|m| m.0.clone())
                .unwrap_or_default()
        };
        let (from_label, to_label) = (label(from), label(to));
        let job_id = super::new_job_id();
        let sink = self.sink.clone();
        let tagged: Sink = Arc::new(move |event| sink(SetEvent::Engine { id: to, event }));
        tagged(EngineEvent::JobStarted {
            id: job_id,
            kind: JobKind::Copy {
                image: image.to_string(),
                from: from_label,
                to: to_label.clone(),
            },
        });
        let (image, copies) = (image.to_string(), self.copies.clone());
        // Held while spawning, so the task cannot finish before its handle is recorded.
        let mut running = self
            .copies
            .lock()
            .map_err(|_| EngineError::Invalid("copy table poisoned".into()))?;
        let task = tokio::spawn(async move {
            let job = JobCtx::new(job_id, tagged.clone());
            let result = copy::copy(&src, &dst, &image, &to_label, &job).await;
            // Not in the table any more: cancelled, and already reported as such.
            let mine = copies.lock().ok().and_then(|mut c| c.remove(&job_id));
            if mine.is_some() {
                tagged(EngineEvent::JobFinished { id: job_id, result });
            }
        });
        running.insert(job_id, task.abort_handle());
        Ok(job_id)
    }

    /// Asks every connected engine except `except` whether it has the image with ID `image_id`;
    /// the answer arrives as [`SetEvent::ImageOn`].
    pub fn find_image(&self, image_id: &str, except: Option<EngineId>) {
        let asked: Vec<(EngineId, Result<bollard::Docker, EngineError>)> = self
            .members
            .keys()
            .filter(|id| Some(**id) != except)
            .filter(|id| matches!(self.state(**id), Some(EngineState::Connected { .. })))
            .map(|id| (*id, self.client(*id)))
            .collect();
        let (sink, image_id) = (self.sink.clone(), image_id.to_string());
        tokio::spawn(async move {
            let answers = futures::future::join_all(asked.into_iter().map(|(id, client)| {
                let image_id = image_id.clone();
                async move {
                    let answer = match client {
                        Ok(docker) => copy::has_image(&docker, &image_id).await,
                        Err(e) => Err(e),
                    };
                    (id, answer)
                }
            }))
            .await;
            let (mut engines, mut errors) = (Vec::new(), Vec::new());
            for (id, answer) in answers {
                match answer {
                    Ok(true) => engines.push(id),
                    Ok(false) => {}
                    Err(e) => errors.push((id, e.to_string())),
                }
            }
            sink(SetEvent::ImageOn {
                image_id,
                engines,
                errors,
            });
        });
    }

    /// A worker sink that tags events with `id` and keeps `id`'s state current.
    /// Typed build progress of engine `id`, delivered as its [`EngineEvent::Build`] events (the
    /// worker calls both sinks from one task, so they stay in order with the job's other events).
    fn build_sink(&self, id: EngineId) -> super::BuildSink {
        let sink = self.sink.clone();
        Arc::new(move |job, event| {
            sink(SetEvent::Engine {
                id,
                event: EngineEvent::Build { id: job, event },
            })
        })
    }

    fn tagging_sink(&self, id: EngineId) -> Sink {
        let (sink, states) = (self.sink.clone(), self.states.clone());
        Arc::new(move |event: EngineEvent| {
            let changed = states.lock().ok().and_then(|mut s| {
                let old = s.get(&id)?.clone();
                let new = next_state(&old, &event)?;
                (new != old).then(|| {
                    s.insert(id, new.clone());
                    new
                })
            });
            sink(SetEvent::Engine { id, event });
            if let Some(state) = changed {
                sink(SetEvent::State { id, state });
            }
        })
    }
}

/// The state an event moves an engine to, when it moves it.
pub fn next_state(old: &EngineState, event: &EngineEvent) -> Option<EngineState> {
    match event {
        EngineEvent::Connection(Connection::Connecting) => Some(EngineState::Connecting),
        EngineEvent::Connection(Connection::Connected(info)) => {
            let (images, containers) = match old {
                EngineState::Connected {
                    images, containers, ..
                } => (*images, *containers),
                _ => (None, None),
            };
            Some(EngineState::Connected {
                info: info.clone(),
                images,
                containers,
            })
        }
        EngineEvent::Connection(Connection::NotAnswering { .. }) => None,
        EngineEvent::Connection(Connection::Disconnected { attempts, retry_in }) => {
            let error = attempts
                .iter()
                .map(|a| match a.endpoint.as_str() {
                    "" => a.error.clone(),
                    endpoint => format!("{endpoint}: {}", a.error),
                })
                .collect::<Vec<_>>()
                .join("; ");
            Some(EngineState::Failed {
                error,
                retry_in: *retry_in,
            })
        }
        EngineEvent::Inventory(Ok(inv)) => match old {
            EngineState::Connected { info, .. } => Some(EngineState::Connected {
                info: info.clone(),
                images: Some(inv.images.len()),
                containers: Some(inv.containers.len()),
            }),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::types::{Attempt, Inventory};

    #[test]
    fn states_follow_the_worker() {
        let info = EngineInfo {
            endpoint: "ssh://me@far".into(),
            source: "context far".into(),
            name: "Docker Engine".into(),
            version: "20.10.24".into(),
            api_version: "1.41".into(),
            platform: "linux/amd64".into(),
            provisional: false,
        };
        let connected = next_state(
            &EngineState::Connecting,
            &EngineEvent::Connection(Connection::Connected(info.clone())),
        )
        .unwrap();
        assert!(matches!(
            &connected,
            EngineState::Connected { images: None, .. }
        ));
        let listed = next_state(
            &connected,
            &EngineEvent::Inventory(Ok(Inventory::default())),
        )
        .unwrap();
        assert!(matches!(
            listed,
            EngineState::Connected {
                images: Some(0),
                containers: Some(0),
                ..
            }
        ));
        let failed = next_state(
            &listed,
            &EngineEvent::Connection(Connection::Disconnected {
                attempts: vec![Attempt {
                    source: "context far".into(),
                    endpoint: "ssh://me@far".into(),
                    error: "refused".into(),
                }],
                retry_in: Duration::from_secs(2),
            }),
        )
        .unwrap();
        assert_eq!(
            failed,
            EngineState::Failed {
                error: "ssh://me@far: refused".into(),
                retry_in: Duration::from_secs(2)
            }
        );
        assert!(next_state(&failed, &EngineEvent::Inventory(Ok(Inventory::default()))).is_none());
    }
}
