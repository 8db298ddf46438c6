//! The registry pane's search box, read like the Docker CLI's `docker search` flags.
use crate::engine::registry::SearchQuery;

fn number(flag: &str, value: Option<&str>) -> Result<u32, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a number"))?;
    value
        .trim()
        .parse()
        .map_err(|_| format!("{flag} needs a number, not {value:?}"))
}

fn boolean(flag: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(format!("{flag} takes true or false, not {other:?}")),
    }
}

/// Applies one filter (`stars=3`, `stars>=3`, `is-official`, `is-automated=false`).
fn filter(q: &mut SearchQuery, f: &str) -> Result<(), String> {
    if let Some(n) = f
        .strip_prefix("stars>=")
        .or_else(|| f.strip_prefix("stars="))
    {
        q.stars = Some(number("stars", Some(n))?);
    } else if let Some(rest) = f.strip_prefix("is-official") {
        q.official = boolean("is-official", rest.trim_start_matches('='))?;
    } else if let Some(rest) = f.strip_prefix("is-automated") {
        q.automated = Some(boolean("is-automated", rest.trim_start_matches('='))?);
    } else {
        return Err(format!(
            "unknown filter {f:?} (use stars>=N, is-official, is-automated)"
        ));
    }
    Ok(())
}

/// Parses the search box: words are the term; `--limit N`, `--filter F` / `-f F` and bare
/// filters (`stars>=N`, `is-official`) narrow it, as with `docker search`.
pub fn parse_search(text: &str) -> Result<SearchQuery, String> {
    let mut q = SearchQuery::default();
    let mut words = Vec::new();
    let mut tokens = text.split_whitespace();
    while let Some(t) = tokens.next() {
        if let Some(v) = t.strip_prefix("--limit=") {
            q.limit = Some(number("--limit", Some(v))?);
        } else if t == "--limit" {
            q.limit = Some(number("--limit", tokens.next())?);
        } else if let Some(v) = t.strip_prefix("--filter=") {
            filter(&mut q, v)?;
        } else if t == "--filter" || t == "-f" {
            let v = tokens.next().ok_or_else(|| format!("{t} needs a filter"))?;
            filter(&mut q, v)?;
        } else if t.starts_with("stars") || t.starts_with("is-") {
            filter(&mut q, t)?;
        } else if t.starts_with('-') {
            return Err(format!("unknown option {t} (use --limit N, --filter F)"));
        } else {
            words.push(t);
        }
    }
    if let Some(l) = q.limit
        && !(1..=100).contains(&l)
    {
        return Err(format!("--limit must be between 1 and 100, not {l}"));
    }
    q.term = words.join(" ");
    if q.term.is_empty() {
        return Err("type a search term, e.g. nginx stars>=10 is-official --limit 5".into());
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_filters_are_read_like_docker_search() {
        let q = parse_search("nginx --limit 5 stars>=10 is-official").unwrap();
        assert_eq!(
            q,
            SearchQuery {
                term: "nginx".into(),
                limit: Some(5),
                stars: Some(10),
                official: true,
                automated: None
            }
        );
        let q = parse_search("--filter=stars=3 -f is-automated=false redis --limit=2").unwrap();
        assert_eq!(
            (q.stars, q.automated, q.limit),
            (Some(3), Some(false), Some(2))
        );
        assert_eq!(q.term, "redis");
        assert!(
            !parse_search("x --filter is-official=false")
                .unwrap()
                .official
        );
    }

    #[test]
    fn bad_searches_are_explained() {
        assert!(parse_search("").unwrap_err().contains("type a search term"));
        assert!(
            parse_search("x --limit")
                .unwrap_err()
                .contains("needs a number")
        );
        assert!(
            parse_search("x --limit abc")
                .unwrap_err()
                .contains("not \"abc\"")
        );
        assert!(
            parse_search("x --limit 0")
                .unwrap_err()
                .contains("between 1 and 100")
        );
        assert!(parse_search("x stars>=many").is_err());
        assert!(parse_search("x is-official=maybe").is_err());
        assert!(
            parse_search("x --no-trunc")
                .unwrap_err()
                .contains("unknown option")
        );
        assert!(
            parse_search("x -f color=red")
                .unwrap_err()
                .contains("unknown filter")
        );
    }
}
