//! Makes untrusted text (log lines, build output, image labels) safe to put on the terminal.
//!
//! Escape sequences (CSI, OSC, DCS, …) and bidirectional-text controls are removed entirely and
//! other control characters are shown as visible placeholders, so nothing from a container, an
//! archive or a registry can move the cursor, retitle the window, write the clipboard, change
//! colours or reorder what the user reads. One sanitiser serves the TUI and the CLI.

/// Returns `s` with ANSI/VT escape sequences and bidi controls removed, tabs expanded to spaces,
/// line breaks dropped, and every other control character replaced by its Unicode control picture
/// (e.g. `\x07` becomes `␇`). For running text: log lines, build output, labels, messages.
pub fn sanitize(s: &str) -> String {
    clean(s, Mode::Text)
}

/// [`sanitize`] for names (file paths, image names, tags) where every character matters: a line
/// break or tab is shown as `\n`, `\r` or `\t` instead of being dropped or expanded, so a name
/// can never split a line of output and two names differing only there still look different.
pub fn sanitize_name(s: &str) -> String {
    clean(s, Mode::Name)
}

/// Whether `c` is a bidirectional formatting control (embeddings, overrides, isolates, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Name,
}

fn clean(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS introducers.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_bidi_control(c) => {}
            '\n' if mode == Mode::Name => out.push_str("\\n"),
            '\r' if mode == Mode::Name => out.push_str("\\r"),
            '\t' if mode == Mode::Name => out.push_str("\\t"),
            '\t' => out.push_str("    "),
            '\r' | '\n' => {}
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\x7f' => out.push('␡'),
            c if ('\u{80}'..='\u{9f}').contains(&c) => out.push('�'),
            // Bidi embedding, override and isolate controls reorder what follows them.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // Two-character sequences with an intermediate byte, e.g. ESC ( B.
        Some(c) if ('\x20'..='\x2f').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\x40'..='\x7e').contains(&c) {
            break;
        }
    }
}

/// Skips an OSC/DCS/APC/PM string up to BEL or ST (ESC \ or 0x9c).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\x07' | '\u{9c}' => break,
            '\x1b' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{sanitize, sanitize_name};

    #[test]
    fn strips_bidi_controls() {
        // "Trojan source": an override that makes `evil.sh` read as `hs.live`.
        assert_eq!(sanitize("a\u{202e}hs.live\u{202c}b"), "ahs.liveb");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202d}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200e}', '\u{200f}', '\u{61c}',
        ] {
            assert_eq!(sanitize(&format!("x{c}y")), "xy", "{:x}", c as u32);
            assert_eq!(sanitize_name(&format!("x{c}y")), "xy", "{:x}", c as u32);
        }
        // Neighbours that are ordinary text stay.
        assert_eq!(
            sanitize("\u{2065}\u{202f}\u{200d}"),
            "\u{2065}\u{202f}\u{200d}"
        );
    }

    #[test]
    fn names_show_line_breaks_instead_of_splitting_the_line() {
        assert_eq!(sanitize_name("etc/evil\nPASS: x"), "etc/evil\\nPASS: x");
        assert_eq!(sanitize_name("a\rb\tc"), "a\\rb\\tc");
        assert_eq!(sanitize_name("x\x1b]52;c;aGk=\x07y\x1b[2J\x1b[1;1H"), "xy");
        assert!(!sanitize_name("a\nb\r").contains(['\n', '\r']));
    }

    #[test]
    fn strips_colours_and_cursor_moves() {
        assert_eq!(sanitize("\x1b[31mred\x1b[0m plain"), "red plain");
        assert_eq!(sanitize("a\x1b[2J\x1b[Hb"), "ab");
    }

    #[test]
    fn strips_osc_title_and_hyperlinks() {
        assert_eq!(sanitize("\x1b]0;pwned\x07text"), "text");
        assert_eq!(sanitize("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"), "link");
    }

    #[test]
    fn shows_control_characters() {
        assert_eq!(sanitize("bell\x07"), "bell␇");
        assert_eq!(sanitize("a\tb"), "a    b");
        assert_eq!(sanitize("line\r\n"), "line");
        assert_eq!(sanitize("x\u{9b}31my"), "xy");
    }

    #[test]
    fn drops_bidi_controls() {
        assert_eq!(sanitize("a\u{202e}b\u{2066}c\u{2069}"), "abc");
    }

    #[test]
    fn unterminated_sequences_do_not_swallow_forever_or_panic() {
        assert_eq!(sanitize("\x1b["), "");
        assert_eq!(sanitize("\x1b]0;never ends"), "");
        assert_eq!(sanitize("ok\x1b"), "ok");
    }
}
