//! Text shaping for cells: width-aware truncation with an ellipsis.
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Truncates `s` to at most `width` terminal columns, ending with `…` when something was cut.
pub fn ellipsize(s: &str, width: usize) -> String {
    if UnicodeWidthStr::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

/// `n` and the noun, plural unless `n` is 1: "1 layer", "3 layers", "0 images".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Shortens an image or layer ID: strips the `sha256:` prefix and keeps 12 hex digits.
pub fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

/// Formats a byte count the way the Docker CLI does (decimal units: kB, MB, GB).
pub fn bytes(n: u64) -> String {
    humansize::format_size(n, humansize::DECIMAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_cuts_and_marks() {
        assert_eq!(ellipsize("hello", 10), "hello");
        assert_eq!(ellipsize("hello world", 6), "hello…");
        assert_eq!(ellipsize("hello", 0), "");
        assert_eq!(ellipsize("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn short_ids() {
        assert_eq!(short_id("sha256:0123456789abcdef0123"), "0123456789ab");
        assert_eq!(short_id("abc"), "abc");
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1_990_000), "1.99 MB");
    }
}
