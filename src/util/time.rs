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

/// A duration as the Docker CLI words it (go-units `HumanDuration`): "Less than a second",
/// "1 second", "5 seconds", "About a minute", "3 minutes", "About an hour", "5 hours", "3 days",
/// "2 weeks", "4 months", "2 years".
pub fn human_duration(secs: i64) -> String {
    let hours = (secs as f64 / 3600.0 + 0.5) as i64;
    match secs {
        i64::MIN..=0 => "Less than a second".into(),
        1 => "1 second".into(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "About a minute".into(),
        120..=3599 => format!("{} minutes", secs / 60),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", secs / 3600 / 24 / 365),
    }
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
    use super::{ago, human_duration};

    #[test]
    fn durations_as_the_docker_cli_words_them() {
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (119, "About a minute"),
            (120, "2 minutes"),
            (3599, "59 minutes"),
            (3600, "About an hour"),
            (5399, "About an hour"),
            (5400, "2 hours"),
            (47 * 3600, "47 hours"),
            (48 * 3600, "2 days"),
            (14 * 86_400, "2 weeks"),
            (60 * 86_400, "2 months"),
            (800 * 86_400, "2 years"),
        ];
        for (secs, words) in cases {
            assert_eq!(human_duration(secs), words, "{secs} s");
        }
    }

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
