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

/// An error and its causes on one line (`context: cause: cause`), leaving out a cause whose text
/// the line already holds: most error types here print their cause inside their own message too,
/// and `anyhow`'s `{:#}` would say it twice.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod error_chain_tests {
    use super::error_chain;

    #[derive(Debug, thiserror::Error)]
    #[error("reading the image stream failed: {0}")]
    struct Outer(#[from] std::io::Error);

    #[test]
    fn a_cause_already_in_the_message_is_said_once() {
        let inner = std::io::Error::other("decompressed layer exceeds 10 bytes (gzip bomb guard)");
        let err = anyhow::Error::from(Outer(inner)).context("analysing bomb.tar");
        let line = error_chain(err.as_ref());
        assert_eq!(line.matches("gzip bomb").count(), 1, "{line}");
        assert!(
            line.starts_with("analysing bomb.tar: reading the image stream"),
            "{line}"
        );
    }
}

/// Seconds the engine's human duration (Docker's `units.HumanDuration`: "Less than a second",
/// "5 seconds", "About a minute", "3 hours", "2 weeks"…) stands for, at least.
fn human_seconds(text: &str) -> Option<i64> {
    let fixed = [
        ("Less than a second", 0),
        ("About a minute", 60),
        ("About an hour", 3600),
    ];
    if let Some((_, s)) = fixed.iter().find(|(t, _)| *t == text) {
        return Some(*s);
    }
    let (n, unit) = text.split_once(' ')?;
    let n: i64 = n.parse().ok()?;
    let unit_secs = match unit.trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "month" => 30 * 86_400,
        "year" => 365 * 86_400,
        _ => return None,
    };
    Some(n * unit_secs)
}

/// Docker's `units.HumanDuration` of `secs`.
fn human_duration(secs: i64) -> String {
    let minutes = secs / 60;
    let hours = (secs + 1800) / 3600;
    match () {
        _ if secs < 1 => "Less than a second".into(),
        _ if secs == 1 => "1 second".into(),
        _ if secs < 60 => format!("{secs} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", hours / 24 / 365),
    }
}

/// A container STATUS text as the engine gave it `elapsed` seconds ago, brought up to now: "Up
/// Less than a second" read 30 s later is "Up 30 seconds", "Exited (0) 5 minutes ago" ages too.
/// Texts of another shape are returned as they are.
pub fn aged_status(status: &str, elapsed: i64) -> String {
    if elapsed <= 0 {
        return status.to_string();
    }
    let (head, rest) = if let Some(rest) = status.strip_prefix("Up ") {
        ("Up ", rest)
    } else if let Some((head, rest)) = status.split_once(") ") {
        if !head.starts_with("Exited (") {
            return status.to_string();
        }
        (&status[..head.len() + 2], rest)
    } else {
        return status.to_string();
    };
    // The duration, then what follows it: " ago", " (healthy)", " (Paused)".
    let (duration, tail) = match rest.find(" ago").or_else(|| rest.find(" (")) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match human_seconds(duration) {
        Some(secs) => format!("{head}{}{tail}", human_duration(secs + elapsed)),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod aged_status_tests {
    use super::aged_status;

    #[test]
    fn statuses_age_like_the_engine_would_say_them() {
        assert_eq!(aged_status("Up Less than a second", 30), "Up 30 seconds");
        assert_eq!(
            aged_status("Up Less than a second", 0),
            "Up Less than a second"
        );
        assert_eq!(aged_status("Up 50 seconds", 20), "Up About a minute");
        assert_eq!(
            aged_status("Up 3 minutes (healthy)", 120),
            "Up 5 minutes (healthy)"
        );
        assert_eq!(
            aged_status("Up About an hour (Paused)", 3600),
            "Up 2 hours (Paused)"
        );
        assert_eq!(
            aged_status("Exited (137) 2 seconds ago", 60),
            "Exited (137) About a minute ago"
        );
        assert_eq!(aged_status("Created", 500), "Created");
        assert_eq!(
            aged_status("Restarting (1) 3 seconds ago", 10),
            "Restarting (1) 3 seconds ago"
        );
        assert_eq!(aged_status("Up ???", 10), "Up ???");
    }
}
