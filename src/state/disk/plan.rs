//! What the disk, volumes and networks dialogs share: a preview's progress and the parsing of the
//! durations and sizes users type.
use std::time::Duration;

/// A prune preview's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan<T> {
    /// Waiting for the engine.
    Loading,
    /// Ready to confirm.
    Ready(T),
    /// The preview failed (or the input is not valid yet), and why.
    Failed(String),
}

impl<T> Plan<T> {
    /// The preview, when ready.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Plan::Ready(p) => Some(p),
            _ => None,
        }
    }
}

/// Reads a duration the way `--filter until=` takes one: `90s`, `30m`, `24h`, `7d`, `1h30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a duration, e.g. 24h, 7d or 1h30m".into());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(format!("{c:?} is not a unit: use s, m, h, d or w")),
        };
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("a number must come before {c:?}"))?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or("too long a duration")?;
    }
    if !digits.is_empty() {
        return Err(format!(
            "{digits} needs a unit: {digits}s, {digits}m, {digits}h or {digits}d"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// Why a duration is refused, for a prompt.
pub fn check_duration(text: &str) -> Option<String> {
    parse_duration(text).err()
}

/// Reads a byte budget: `500MB`, `2GB`, `1.5GiB`, `0`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    if text.trim().is_empty() {
        return Err("type a size to keep, e.g. 500MB or 2GB".into());
    }
    crate::layers::report::parse_bytes(text).map_err(|e| format!("not a size ({e}): e.g. 500MB"))
}

/// Why a size is refused, for a prompt.
pub fn check_size(text: &str) -> Option<String> {
    parse_size(text).err()
}

/// Reads label filters: `key` or `key=value`, separated by commas or spaces.
pub fn parse_labels(text: &str) -> Result<Vec<String>, String> {
    let labels: Vec<String> = text
        .split([',', ' '])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    match labels.iter().find(|l| l.starts_with('=')) {
        Some(bad) => Err(format!("{bad}: a label filter is key or key=value")),
        None => Ok(labels),
    }
}

/// Why label filters are refused, for a prompt.
pub fn check_labels(text: &str) -> Option<String> {
    parse_labels(text).err()
}

/// An optional duration: empty is none.
pub fn optional_duration(text: &str) -> Result<Option<Duration>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_duration(text).map(Some)
    }
}

/// Why an optional duration is refused, for a prompt.
pub fn check_optional_duration(text: &str) -> Option<String> {
    optional_duration(text).err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_cli_filters() {
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration(" 7d "), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("24").unwrap_err().contains("needs a unit"));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("3y").unwrap_err().contains("not a unit"));
        assert!(parse_duration("").is_err());
        assert_eq!(optional_duration(""), Ok(None));
    }

    #[test]
    fn sizes_and_labels() {
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("").is_err());
        assert_eq!(
            parse_labels("a=1, b"),
            Ok(vec!["a=1".to_string(), "b".to_string()])
        );
        assert!(parse_labels("=x").is_err());
        assert_eq!(parse_labels(""), Ok(vec![]));
    }
}
