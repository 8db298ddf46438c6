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
use crate::engine::{self, Connection, EngineHandle, endpoint};
use crate::event::Event;
use crate::files::{FileWorker, Files};
use crate::state::{AppState, Effect, ExecRequest, Level, PaneId};
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
    let (theme, warnings) = Theme::load_with_warnings(opts.theme.as_deref());
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

/// Where effects go: the engine, the file worker, and what only the loop can do.
struct Outlets {
    engine: EngineHandle,
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
                Effect::Engine(command) => self.engine.send(command),
                Effect::File(op) => self.files.send(op),
                Effect::Clipboard(text) => self.clipboard = Some(text),
                Effect::Terminal(request) => self.terminal = Some(request),
                Effect::Exit => self.exit = true,
                // The state carries these out itself.
                Effect::Say(..) | Effect::Focus(_) | Effect::Msg(_) | Effect::Quit => {}
            }
        }
    }
}

/// Applies one event; returns whether the screen must be redrawn.
fn apply(state: &mut AppState, keymap: &Keymap, out: &mut Outlets, event: Event) -> bool {
    let mut redraw = true;
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
        Event::Engine(ev) => {
            // Stats samples are drawn by the next tick (see `stats_unseen`).
            redraw = !matches!(ev, crate::engine::EngineEvent::Stats { .. });
            state.on_engine(keymap, ev)
        }
        Event::File(done) => state.on_file(keymap, done),
    };
    out.execute(effects);
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
    let sink: engine::Sink = Arc::new(move |ev| {
        let _ = engine_tx.send(Event::Engine(ev));
    });
    let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(opts.host.clone()));
    let file_tx = tx.clone();
    let mut out = Outlets {
        engine: engine::spawn(endpoints, sink),
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
        // The keystroke's frame is on screen: lint the edited buffer once input is idle.
        if rx.is_empty() && state.panes.editor.refresh_lint() {
            dirty = true;
            continue;
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
