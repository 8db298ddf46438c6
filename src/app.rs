//! The application event loop: one channel in, state updated by pure functions, draw when changed.
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::{
    Event as TermEvent, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::{self, Connection, EngineHandle, endpoint};
use crate::event::Event;
use crate::state::{AppState, Level};
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
}

/// Runs the TUI until the user quits.
pub fn run(opts: Options) -> anyhow::Result<ExitCode> {
    let theme = Theme::load(opts.theme.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_loop(opts, theme))
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

/// Applies one event; returns whether the screen must be redrawn.
fn apply(state: &mut AppState, keymap: &Keymap, engine: &EngineHandle, event: Event) -> bool {
    let mut redraw = true;
    let commands = match event {
        Event::Input(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => {
            state.on_key(keymap, &key)
        }
        Event::Input(TermEvent::Paste(text))
            if state.focus == crate::state::Pane::Editor && state.dialog.is_none() =>
        {
            state.editor_paste(keymap, &text)
        }
        Event::Input(TermEvent::Paste(text)) => {
            let mut cmds = Vec::new();
            for c in text.chars().filter(|c| !c.is_control()) {
                cmds.extend(
                    state.on_key(keymap, &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
                );
                if state.dialog.is_none() && state.filter_input.is_none() {
                    break;
                }
            }
            cmds
        }
        Event::Input(TermEvent::Resize(..)) => vec![],
        Event::Input(_) => return false,
        Event::InputError(e) => {
            state.say(Level::Error, format!("terminal input failed: {e}"));
            vec![]
        }
        Event::Tick => {
            let now = crate::util::time::now_unix();
            let minute_changed = now / 60 != state.now / 60;
            state.now = now;
            state.editor.tick(now);
            return minute_changed || std::mem::take(&mut state.container_pane.stats_unseen);
        }
        Event::Engine(ev) => {
            // Stats samples are drawn by the next tick (see `stats_unseen`).
            redraw = !matches!(ev, crate::engine::EngineEvent::Stats { .. });
            state.on_engine(ev)
        }
        Event::ContextPlanned { dir, size } => {
            state.editor.on_context_planned(&dir, size);
            vec![]
        }
    };
    for command in commands.into_iter().chain(state.sync_container_streams()) {
        engine.send(command);
    }
    redraw
}

fn first_frame_ready(state: &AppState) -> bool {
    matches!(state.connection, Connection::Connected(_))
        && state.images.loaded
        && (state.images.rows.is_empty()
            || state.layers.details.is_some()
            || state.layers.error.is_some())
}

async fn run_loop(opts: Options, theme: Theme) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut state = AppState {
        now: crate::util::time::now_unix(),
        ..AppState::default()
    };
    let keymap = match Keymap::load() {
        Ok(k) => k,
        Err(e) => {
            state.say(Level::Error, format!("{e} — using the default keys"));
            Keymap::defaults()
        }
    };
    if let Some(file) = &opts.file {
        state.editor.request_open(file.clone());
        state.focus = crate::state::Pane::Editor;
        crate::state::editor::io::run_ops(&mut state.editor);
        state.drain_editor();
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let engine_tx = tx.clone();
    let sink: engine::Sink = Arc::new(move |ev| {
        let _ = engine_tx.send(Event::Engine(ev));
    });
    let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(opts.host.clone()));
    let engine = engine::spawn(endpoints, sink);

    let mut tui = Tui::enter().context("setting up the terminal")?;
    let mut input = spawn_input(tx.clone());
    let input_tx = tx.clone();
    let plan_tx = tx.clone();
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
            state.viewport = (info.images_rows.max(1), info.layers_rows.max(1));
            state.explorer.viewport = info.explorer_rows.max(1);
            state.page = match state.focus {
                crate::state::Pane::Images => state.viewport.0,
                crate::state::Pane::Layers => state.viewport.1,
                _ => 10,
            };
            state.set_container_viewport(info.containers_rows);
            for command in state.sync_container_streams() {
                engine.send(command);
            }
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
        if rx.is_empty() && state.editor.refresh_lint() {
            dirty = true;
            continue;
        }
        let Some(event) = rx.recv().await else { break };
        dirty |= apply(&mut state, &keymap, &engine, event);
        while let Ok(event) = rx.try_recv() {
            dirty |= apply(&mut state, &keymap, &engine, event);
        }
        if !state.editor.ops.is_empty() {
            for (dir, dockerfile) in crate::state::editor::io::run_file_ops(&mut state.editor) {
                let tx = plan_tx.clone();
                tokio::task::spawn_blocking(move || {
                    let size = crate::state::editor::io::plan_size(&dir, &dockerfile);
                    let _ = tx.send(Event::ContextPlanned { dir, size });
                });
            }
            state.drain_editor();
            dirty = true;
        }
        if let Some(text) = state.editor.clipboard_out.take() {
            match tui.copy_to_clipboard(&text) {
                Ok(true) => {}
                Ok(false) => state.say(
                    Level::Info,
                    "copied in the editor only: too large for the terminal's clipboard",
                ),
                Err(e) => state.say(Level::Error, format!("copying to the clipboard: {e}")),
            }
        }
        if state.quit {
            break;
        }
        if let Some(request) = state.container_pane.exec.take() {
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
