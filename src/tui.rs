//! The terminal guard: raw mode + alternate screen on enter, restored on drop and on panic.
use std::io::{self, Stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal while dockhand owns it.
pub struct Tui {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

static PANIC_HOOK: Once = Once::new();

/// Whether dockhand holds the terminal (raw mode, alternate screen). Restoring twice would be
/// harmful: leaving the alternate screen again moves the cursor back to where it was saved, so
/// the panic message printed in between would be overwritten.
static OWNED: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back the way the shell expects it. Safe to call more than once: only the
/// first call after taking the terminal does anything.
pub fn restore() -> io::Result<()> {
    if !OWNED.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let screen = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    raw.and(screen)
}

/// Installs a panic hook that restores the terminal before the previous hook prints the panic.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
    });
}

impl Tui {
    /// Takes over the terminal.
    pub fn enter() -> io::Result<Tui> {
        install_panic_hook();
        enable_raw_mode()?;
        OWNED.store(true, Ordering::SeqCst);
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        ) {
            let _ = restore();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(t) => t,
            Err(e) => {
                let _ = restore();
                return Err(e);
            }
        };
        Ok(Tui { terminal })
    }
}

impl Tui {
    /// Hands the terminal back for a while (an interactive exec): leaves the alternate screen,
    /// turns raw mode off and shows the cursor. [`Tui::resume`] takes it again.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore()
    }

    /// Takes the terminal back after [`Tui::suspend`] and forces a full redraw of the same screen.
    pub fn resume(&mut self) -> io::Result<()> {
        enable_raw_mode()?;
        OWNED.store(true, Ordering::SeqCst);
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        self.terminal.clear()
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// The most text handed to the terminal's clipboard in one go: terminals cap OSC 52 payloads.
pub const CLIPBOARD_MAX: usize = 64 * 1024;

impl Tui {
    /// Puts `text` on the terminal's clipboard with OSC 52 (xterm, kitty, WezTerm, iTerm2, foot,
    /// tmux with `set-clipboard on`, …). Returns false, sending nothing, when it is too large.
    pub fn copy_to_clipboard(&mut self, text: &str) -> io::Result<bool> {
        use base64::Engine as _;
        use std::io::Write as _;
        if text.len() > CLIPBOARD_MAX {
            return Ok(false);
        }
        let payload = base64::engine::general_purpose::STANDARD.encode(text);
        let out = self.terminal.backend_mut();
        write!(out, "\x1b]52;c;{payload}\x07")?;
        out.flush()?;
        Ok(true)
    }
}
