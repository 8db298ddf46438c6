//! The application event loop: one channel in, state updated by pure functions, draw when changed.
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::set::{EngineSet, SetEvent, SetSink};
use crate::engine::{Command, Connection, EngineEvent, endpoint, roster};
use crate::event::Event;
use crate::files::{FileWorker, Files};
use crate::state::engines::rows_from;
use crate::state::{AppState, Effect, ExecRequest, Level, PaneId, SetOp};
use crate::tui::Tui;
use crate::ui;

/// Start-up options from the command line.
#[derive(Debug, Default)]
pub struct Options {
    /// `--host`.
    pub host: Option<String>,
    /// `--theme`.
    pub theme: Option<String>,
    /// A Dockerfile to open.
    pub file: Option<std::path::PathBuf>,
    /// Quit after the first frame showing loaded data, printing the time it took (benchmarks).
    pub exit_after_first_frame: bool,
    /// Panic right after the first frame (tests that the terminal is restored on a panic).
    pub panic_after_first_frame: bool,
    /// The pane to open first (`--pane disk`).
    pub pane: Option<PaneId>,
}

/// Runs the TUI until the user quits.
pub fn run(opts: Options) -> anyhow::Result<ExitCode> {
    // A broken theme is said in the status bar; the defaults stand in for what is wrong.
    let (theme, mut warnings) = Theme::load_with_warnings(opts.theme.as_deref());
    warnings.extend(crate::engine::endpoint::ignored_config(
        &crate::engine::endpoint::ResolveInput::from_env(opts.host.clone()),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_loop(opts, theme, warnings))
}

fn spawn_input(tx: mpsc::UnboundedSender<Event>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(item) = stream.next().await {
            let ev = match item {
                Ok(ev) => Event::Input(ev),
                Err(e) => Event::InputError(e.to_string()),
            };
            if tx.send(ev).is_err() {
                return;
            }
        }
    })
}

fn spawn_ticks(tx: mpsc::UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if tx.send(Event::Tick).is_err() {
                return;
            }
        }
    });
}

/// Where effects go: the engines, the file worker, and what only the loop can do.
struct Outlets {
    engines: EngineSet,
    /// Failures to say in the status bar (a copy that could not start).
    failures: Vec<String>,
    /// When the event being applied arrived.
    event_began: Instant,
    /// When the event that switched the shown engine arrived, until the frame showing it is
    /// drawn.
    switched_at: Option<Instant>,
    files: FileWorker,
    /// The clipboard text and terminal hand-over asked for (done by the loop, which owns the TUI).
    clipboard: Option<String>,
    terminal: Option<ExecRequest>,
    exit: bool,
}

impl Outlets {
    /// Carries out the effects the state handed back: the one place effects leave the state.
    fn execute(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                // A job the state knows no engine of: the shown one's (or a copy it runs).
                Effect::Engine(Command::Cancel(job)) => {
                    if let Some(id) = self.engines.active() {
                        self.engines.cancel(id, job);
                    }
                }
                Effect::Engine(command) => {
                    self.engines.send_active(command);
                }
                Effect::Set(op) => self.set_op(op),
                Effect::File(op) => self.files.send(op),
                Effect::Clipboard(text) => self.clipboard = Some(text),
                Effect::Terminal(request) => self.terminal = Some(request),
                Effect::Exit => self.exit = true,
                // The state carries these out itself.
                Effect::Say(..) | Effect::Focus(_) | Effect::Msg(_) | Effect::Quit => {}
            }
        }
    }

    /// Work for the set of engines.
    fn set_op(&mut self, op: SetOp) {
        match op {
            SetOp::Select(id) => {
                self.engines.select(id);
                self.switched_at = Some(self.event_began);
            }
            SetOp::Send(id, Command::Cancel(job)) => self.engines.cancel(id, job),
            SetOp::Send(id, command) => {
                self.engines.send(id, command);
            }
            SetOp::Copy { from, to, images } => {
                for image in images {
                    if let Err(e) = self.engines.copy_image(from, to, &image) {
                        self.failures
                            .push(format!("copy of {image} not started: {e}"));
                    }
                }
            }
        }
    }
}

/// Applies one event; returns whether the screen must be redrawn.
fn apply(state: &mut AppState, keymap: &Keymap, out: &mut Outlets, event: Event) -> bool {
    let mut redraw = true;
    out.event_began = Instant::now();
    let effects = match event {
        Event::Input(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            state.on_key(keymap, &key)
        }
        Event::Input(TermEvent::Paste(text)) => state.on_paste(keymap, &text),
        Event::Input(TermEvent::Resize(..)) => vec![],
        Event::Input(_) => return false,
        Event::InputError(e) => {
            state
                .shared
                .say(Level::Error, format!("terminal input failed: {e}"));
            vec![]
        }
        Event::Tick => {
            let (effects, changed) = state.on_tick(keymap, crate::util::time::now_unix());
            redraw = changed;
            effects
        }
        Event::File(done) => state.on_file(keymap, done),
        Event::Lint(done) => {
            redraw = state.panes.editor.lint_done(done);
            vec![]
        }
        Event::Set(SetEvent::Engine { id, event }) => {
            // Stats samples are drawn by the next tick; a hidden engine's listing is drawn only
            // where it shows (the engines pane, the images pane's other-engines column).
            redraw = !matches!(event, EngineEvent::Stats { .. });
            state.on_engine_from(keymap, id, event)
        }
        Event::Set(SetEvent::State { id, state: s }) => {
            state.on_engine_state(id, s);
            vec![]
        }
        Event::Set(SetEvent::ImageOn { .. }) => return false,
    };
    out.execute(effects);
    for failure in out.failures.drain(..) {
        state.shared.say(Level::Error, failure);
    }
    let synced = state.sync(keymap);
    out.execute(synced);
    redraw
}

fn first_frame_ready(state: &AppState) -> bool {
    if state.shared.focus == PaneId::Disk {
        return matches!(state.shared.connection, Connection::Connected(_))
            && matches!(state.panes.disk.usage, Some(Ok(_)));
    }
    let (images, layers) = (&state.panes.images.table, &state.panes.layers);
    matches!(state.shared.connection, Connection::Connected(_))
        && images.loaded
        && (images.rows.is_empty() || layers.details.is_some() || layers.error.is_some())
}

/// With `DH_TIMINGS_FILE` set (benchmarks), appends how long the frame showing a switched-to
/// engine took from the switch.
fn note_timing(at: Instant) {
    let Some(path) = std::env::var_os("DH_TIMINGS_FILE") else {
        return;
    };
    let line = format!(
        "switch_frame_ms={:.2}\n",
        at.elapsed().as_secs_f64() * 1000.0
    );
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut f) = file {
        let _ = std::io::Write::write_all(&mut f, line.as_bytes());
    }
}

async fn run_loop(opts: Options, theme: Theme, warnings: Vec<String>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut state = AppState::default();
    state.shared.now = crate::util::time::now_unix();
    if !warnings.is_empty() {
        state.shared.say(Level::Error, warnings.join("; "));
    }
    let keymap = match Keymap::load() {
        Ok(k) => k,
        Err(e) => {
            state
                .shared
                .say(Level::Error, format!("{e} — using the default keys"));
            Keymap::defaults()
        }
    };
    let files = Files::new();
    if let Some(file) = &opts.file {
        // The file is read before the first frame, so that it opens with the editor.
        for effect in state.panes.editor.request_open(file.clone()) {
            if let Effect::File(op) = effect
                && let Some(done) = files.perform(op)
            {
                state.on_file(&keymap, done);
            }
        }
        state.shared.focus = PaneId::Editor;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let engine_tx = tx.clone();
    let sink: SetSink = Arc::new(move |ev| {
        let _ = engine_tx.send(Event::Set(ev));
    });
    let mut engines = EngineSet::new(sink);
    let input = endpoint::ResolveInput::from_env(opts.host.clone());
    let listed = roster::start(&mut engines, roster::plan(&input));
    let rows = rows_from(listed, |id| engines.state(id));
    state.set_engines(rows, engines.active());
    let file_tx = tx.clone();
    let mut out = Outlets {
        engines,
        failures: Vec::new(),
        event_began: Instant::now(),
        switched_at: None,
        files: FileWorker::spawn(files, move |done| {
            let _ = file_tx.send(Event::File(done));
        }),
        clipboard: None,
        terminal: None,
        exit: false,
    };

    if let Some(pane) = opts.pane {
        let effects = state.on_action(&keymap, pane.focus_action());
        out.execute(effects);
    }
    let mut tui = Tui::enter().context("setting up the terminal")?;
    let mut input = spawn_input(tx.clone());
    let input_tx = tx.clone();
    let lint_tx = tx.clone();
    spawn_ticks(tx);
    let ctx = ui::Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    let mut dirty = true;
    let mut first_frame_ms = None;
    loop {
        if dirty {
            let mut info = ui::FrameInfo::default();
            tui.terminal
                .draw(|f| info = ui::draw(f, &state, &ctx))
                .context("drawing")?;
            state.set_viewports(&info.rows);
            state.set_dialog_rows(info.dialog_rows);
            if let Some(at) = out.switched_at.take() {
                note_timing(at);
            }
            let synced = state.sync(&keymap);
            out.execute(synced);
            dirty = false;
            if opts.panic_after_first_frame {
                panic!("deliberate panic after the first frame (--panic-after-first-frame)");
            }
            if opts.exit_after_first_frame && first_frame_ready(&state) {
                first_frame_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
                break;
            }
        }
        // The keystroke's frame is on screen: once input is idle, lint a snapshot of the edited
        // buffer on a worker thread (a big file's lint never delays a keystroke).
        if rx.is_empty()
            && let Some((generation, text)) = state.panes.editor.lint_request()
        {
            let lint_tx = lint_tx.clone();
            tokio::task::spawn_blocking(move || {
                let _ = lint_tx.send(Event::Lint(crate::state::editor::lint_text(
                    generation, &text,
                )));
            });
        }
        // ShellCheck of the re-linted buffer, on the file worker's side.
        if rx.is_empty()
            && let Some(op) = state.panes.editor.shellcheck_request()
        {
            out.files.send(op);
        }
        let Some(event) = rx.recv().await else { break };
        dirty |= apply(&mut state, &keymap, &mut out, event);
        while let Ok(event) = rx.try_recv() {
            dirty |= apply(&mut state, &keymap, &mut out, event);
        }
        if let Some(text) = out.clipboard.take() {
            match tui.copy_to_clipboard(&text) {
                Ok(true) => {}
                Ok(false) => state.shared.say(
                    Level::Info,
                    "copied in the editor only: too large for the terminal's clipboard",
                ),
                Err(e) => state
                    .shared
                    .say(Level::Error, format!("copying to the clipboard: {e}")),
            }
        }
        if out.exit {
            break;
        }
        if let Some(request) = out.terminal.take() {
            input.abort();
            let _ = (&mut input).await;
            crate::exec_tty::run(&mut tui, &mut state, opts.host.clone(), request).await;
            input = spawn_input(input_tx.clone());
            dirty = true;
        }
    }
    drop(tui);
    if let Some(ms) = first_frame_ms {
        eprintln!("first_full_frame_ms={ms:.1}");
    }
    Ok(ExitCode::SUCCESS)
}
