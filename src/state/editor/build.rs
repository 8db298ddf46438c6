//! The build side of the editor: the build dialog's fields and the per-line marks a build leaves
//! (running, cache hit, rebuilt, failed), fed from the builder's log through [`StepTracker`].
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent};

use crate::dockerfile::Dockerfile;
use crate::dockerfile::steps::{StepEvent, StepTracker};
use crate::engine::JobId;
use crate::engine::build::BuildRequest;
use crate::state::widgets::input::TextInput;

/// The build dialog's fields, in the order Tab visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    /// Context directory.
    #[default]
    Context,
    /// Tags, separated by spaces or commas.
    Tags,
    /// `KEY=VALUE` build args, separated by spaces.
    Args,
    /// Target stage.
    Target,
    /// Network mode for RUN steps.
    Network,
    /// The no-cache toggle.
    NoCache,
}

impl Field {
    const ORDER: [Field; 6] = [
        Field::Context,
        Field::Tags,
        Field::Args,
        Field::Target,
        Field::Network,
        Field::NoCache,
    ];

    fn step(self, forward: bool) -> Field {
        let i = Self::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        let n = Self::ORDER.len();
        Self::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

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

/// The build dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildForm {
    /// The Dockerfile being built.
    pub dockerfile: PathBuf,
    /// Context directory.
    pub context: TextInput,
    /// Tags.
    pub tags: TextInput,
    /// Build args.
    pub args: TextInput,
    /// Target stage.
    pub target: TextInput,
    /// Network mode.
    pub network: TextInput,
    /// Ignore the cache.
    pub no_cache: bool,
    /// Field with the cursor.
    pub field: Field,
    /// Context size for the directory in `context`.
    pub size: ContextSize,
    /// Why the form cannot be submitted.
    pub error: Option<String>,
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// Keep the form open.
    Stay,
    /// The context directory changed: plan it again.
    Replan,
    /// Close without building.
    Cancel,
    /// Build this.
    Submit(BuildRequest),
}

impl BuildForm {
    /// A form for `dockerfile` with its directory as the context.
    pub fn new(dockerfile: &Path) -> BuildForm {
        let dir = dockerfile
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        BuildForm {
            dockerfile: dockerfile.to_path_buf(),
            context: TextInput::with(&dir.display().to_string()),
            tags: TextInput::default(),
            args: TextInput::default(),
            target: TextInput::default(),
            network: TextInput::default(),
            no_cache: false,
            field: Field::Context,
            size: ContextSize::Unknown,
            error: None,
        }
    }

    /// The input of a text field (None for the toggle).
    pub fn input(&self, field: Field) -> Option<&TextInput> {
        match field {
            Field::Context => Some(&self.context),
            Field::Tags => Some(&self.tags),
            Field::Args => Some(&self.args),
            Field::Target => Some(&self.target),
            Field::Network => Some(&self.network),
            Field::NoCache => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        match field {
            Field::Context => Some(&mut self.context),
            Field::Tags => Some(&mut self.tags),
            Field::Args => Some(&mut self.args),
            Field::Target => Some(&mut self.target),
            Field::Network => Some(&mut self.network),
            Field::NoCache => None,
        }
    }

    /// The request the form describes, or why it is invalid.
    pub fn request(&self) -> Result<BuildRequest, String> {
        let context = self.context.text.trim();
        if context.is_empty() {
            return Err("the context directory is empty".into());
        }
        let tags: Vec<String> = self
            .tags
            .text
            .split([' ', ','])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        for t in &tags {
            if let Some(e) = crate::state::images::dialogs::validate_tag(t) {
                return Err(format!("tag {t}: {e}"));
            }
        }
        let mut build_args = Vec::new();
        for arg in self.args.text.split_whitespace() {
            match arg.split_once('=') {
                Some((k, v)) if !k.is_empty() => build_args.push((k.to_string(), v.to_string())),
                _ => return Err(format!("build arg {arg:?} is not KEY=VALUE")),
            }
        }
        Ok(BuildRequest {
            dockerfile: self.dockerfile.clone(),
            context: PathBuf::from(context),
            tags,
            build_args,
            target: self.target.text.trim().to_string(),
            no_cache: self.no_cache,
            network: self.network.text.trim().to_string(),
        })
    }

    /// Applies a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormOutcome {
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Tab | KeyCode::Down => self.field = self.field.step(true),
            KeyCode::BackTab | KeyCode::Up => self.field = self.field.step(false),
            KeyCode::Enter => {
                return match self.request() {
                    Ok(req) => FormOutcome::Submit(req),
                    Err(e) => {
                        self.error = Some(e);
                        FormOutcome::Stay
                    }
                };
            }
            KeyCode::Char(' ') if self.field == Field::NoCache => self.no_cache = !self.no_cache,
            _ => {
                let field = self.field;
                let before = self.context.text.clone();
                if let Some(input) = self.input_mut(field) {
                    input.handle(key);
                }
                self.error = self.request().err();
                if field == Field::Context && self.context.text != before {
                    self.size = ContextSize::Unknown;
                    return FormOutcome::Replan;
                }
            }
        }
        FormOutcome::Stay
    }
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

/// The state of the editor's current or last build.
#[derive(Debug, Clone, Default)]
pub struct BuildView {
    /// The running build job.
    pub job: Option<JobId>,
    tracker: Option<StepTracker>,
    /// Marks by 1-based first line of the instruction.
    pub marks: BTreeMap<usize, StepMark>,
    /// The line range being built.
    pub running: Option<(usize, usize)>,
    /// The builder's output.
    pub log: Vec<String>,
    /// The failing line and the error.
    pub failure: Option<(usize, String)>,
    /// Step number and count of the last started step.
    pub step: (usize, usize),
    /// Layer (image) IDs the steps made, short form, with their line.
    pub layers: Vec<(String, usize)>,
    /// The built image's ID.
    pub image: Option<String>,
    /// Whether an earlier build of this buffer got past its base image (later ones are rebuilds).
    pub built_before: bool,
    /// Whether the current build has made or reused a layer past a FROM.
    layered: bool,
    /// Whether the current build has rebuilt a step yet.
    rebuilt_any: bool,
    /// First lines of the FROM instructions.
    from_lines: Vec<usize>,
}

/// Lines of builder output kept.
const LOG_KEEP: usize = 500;

impl BuildView {
    /// A build of `file` started as job `job` (earlier marks are cleared).
    pub fn start(&mut self, job: JobId, file: &Dockerfile) {
        self.job = Some(job);
        self.tracker = Some(StepTracker::new(file));
        self.marks.clear();
        self.running = None;
        self.log.clear();
        self.failure = None;
        self.step = (0, 0);
        self.layers.clear();
        self.image = None;
        self.rebuilt_any = false;
        self.layered = false;
        self.from_lines = file
            .instructions
            .iter()
            .filter(|i| i.keyword() == "FROM")
            .map(|i| i.start_line)
            .collect();
    }

    /// Whether a build is running.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Feeds one line of builder output.
    pub fn log_line(&mut self, line: &str) {
        self.log.push(line.to_string());
        if self.log.len() > LOG_KEEP {
            self.log.drain(..self.log.len() - LOG_KEEP);
        }
        if let Some(id) = line.strip_prefix(crate::engine::build::BUILT_PREFIX) {
            self.image = Some(id.trim().to_string());
            return;
        }
        let Some(tracker) = &mut self.tracker else {
            return;
        };
        for ev in tracker.feed(&format!("{line}\n")) {
            self.apply(ev);
        }
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
                self.running = Some((start_line, end_line));
                self.marks.insert(start_line, StepMark::Running);
            }
            StepEvent::CacheHit { start_line, .. } => {
                self.layered = true;
                self.marks.insert(start_line, StepMark::Cached);
            }
            StepEvent::Done {
                start_line,
                image_id,
                ..
            } => {
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
                message,
                ..
            } => {
                if start_line > 0 {
                    self.marks.insert(start_line, StepMark::Failed);
                }
                self.failure = Some((start_line, message));
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
        self.log.push("build cancelled".into());
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
