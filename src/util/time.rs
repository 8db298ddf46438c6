//! Relative times ("3 days ago") as the Docker CLI prints them.

/// Formats the age of `then` (unix seconds) relative to `now` (unix seconds), e.g. "3 days ago".
pub fn ago(then: i64, now: i64) -> String {
    if then <= 0 {
        return "unknown".to_string();
    }
    let secs = now.saturating_sub(then);
    if secs < 0 {
        return "in the future".to_string();
    }
    let (n, unit) = match secs {
        0..=1 => return "just now".to_string(),
        2..=59 => (secs, "second"),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        86_400..=1_209_599 => (secs / 86_400, "day"),
        1_209_600..=5_183_999 => (secs / 604_800, "week"),
        5_184_000..=63_071_999 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural} ago")
}

/// The current time in unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::ago;

    #[test]
    fn relative_times() {
        let now = 1_700_000_000;
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - 30, now), "30 seconds ago");
        assert_eq!(ago(now - 60, now), "1 minute ago");
        assert_eq!(ago(now - 7200, now), "2 hours ago");
        assert_eq!(ago(now - 3 * 86_400, now), "3 days ago");
        assert_eq!(ago(now - 21 * 86_400, now), "3 weeks ago");
        assert_eq!(ago(now - 90 * 86_400, now), "3 months ago");
        assert_eq!(ago(now - 800 * 86_400, now), "2 years ago");
        assert_eq!(ago(0, now), "unknown");
        assert_eq!(ago(now + 100, now), "in the future");
    }
}
