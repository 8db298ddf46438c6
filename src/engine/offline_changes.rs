//! `--change` lines of `docker commit` / `docker import`: the Dockerfile instructions the engine
//! applies to the new image's config, checked before sending so a typo is shown inline rather
//! than failing the job.

/// The instructions the engine accepts as a change.
pub const CHANGE_INSTRUCTIONS: [&str; 8] = [
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "LABEL",
    "USER",
    "WORKDIR",
    "VOLUME",
];

/// Checks one `--change` line; the error says what is wrong.
pub fn validate_change(line: &str) -> Result<(), String> {
    let line = line.trim();
    let (word, args) = match line.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (line, ""),
    };
    let upper = word.to_ascii_uppercase();
    if !CHANGE_INSTRUCTIONS.contains(&upper.as_str()) {
        return Err(format!(
            "{word:?} is not a change instruction (one of {})",
            CHANGE_INSTRUCTIONS.join(", ")
        ));
    }
    if args.is_empty() {
        return Err(format!("{upper} needs an argument"));
    }
    match upper.as_str() {
        "CMD" | "ENTRYPOINT" | "VOLUME" if args.starts_with('[') => {
            serde_json::from_str::<Vec<String>>(args)
                .map(|_| ())
                .map_err(|e| format!("{upper}: not a JSON array of strings ({e})"))
        }
        "ENV" => key_values(&upper, args, true),
        "LABEL" => key_values(&upper, args, false),
        "EXPOSE" => args.split_whitespace().try_for_each(port),
        "USER" if args.split_whitespace().count() > 1 => {
            Err("USER takes one user[:group]".to_string())
        }
        _ => Ok(()),
    }
}

/// Checks every line; the first problem names its line number.
pub fn validate_changes(lines: &[String]) -> Result<(), String> {
    for (i, line) in lines.iter().enumerate() {
        validate_change(line).map_err(|e| format!("change {}: {e}", i + 1))?;
    }
    Ok(())
}

/// `KEY=VALUE …`, or for ENV also the old `KEY VALUE` form.
fn key_values(word: &str, args: &str, legacy: bool) -> Result<(), String> {
    let first = args.split_whitespace().next().unwrap_or_default();
    if !first.contains('=') {
        if legacy && args.split_whitespace().count() > 1 {
            return Ok(());
        }
        return Err(format!("{word} needs KEY=VALUE"));
    }
    for pair in split_words(args) {
        let (key, _) = pair
            .split_once('=')
            .ok_or_else(|| format!("{word}: {pair:?} is not KEY=VALUE"))?;
        if key.is_empty() {
            return Err(format!("{word}: empty key in {pair:?}"));
        }
    }
    Ok(())
}

/// Words separated by blanks, with double-quoted parts kept together.
fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `port[-port][/tcp|udp|sctp]`.
fn port(spec: &str) -> Result<(), String> {
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    if !matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("EXPOSE {spec}: protocol must be tcp, udp or sctp"));
    }
    let (lo, hi) = ports.split_once('-').unwrap_or((ports, ports));
    let parse = |p: &str| p.parse::<u16>().ok().filter(|&n| n > 0);
    match (parse(lo), parse(hi)) {
        (Some(a), Some(b)) if a <= b => Ok(()),
        _ => Err(format!("EXPOSE {spec}: not a port (1-65535) or range")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_engine_accepts() {
        for ok in [
            "CMD [\"/bin/sh\", \"-c\", \"echo hi\"]",
            "cmd echo hi",
            "ENTRYPOINT [\"/app\"]",
            "ENV A=1 B=\"two words\"",
            "ENV A 1",
            "EXPOSE 80 443/tcp 53/udp 8000-8010",
            "LABEL org.x=1 y=\"a b\"",
            "USER 1000:1000",
            "WORKDIR /srv",
            "VOLUME [\"/data\"]",
            "VOLUME /data /logs",
        ] {
            assert_eq!(validate_change(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_with_a_reason() {
        let cases = [
            ("RUN echo", "not a change instruction"),
            ("CMD", "needs an argument"),
            ("CMD [\"a\", 1]", "JSON array"),
            ("ENV A", "KEY=VALUE"),
            ("ENV =1", "empty key"),
            ("LABEL x", "KEY=VALUE"),
            ("EXPOSE 70000", "not a port"),
            ("EXPOSE 80/icmp", "protocol"),
            ("USER a b", "one user"),
        ];
        for (line, why) in cases {
            let e = validate_change(line).unwrap_err();
            assert!(e.contains(why), "{line}: {e}");
        }
        let e = validate_changes(&["CMD x".into(), "BAD".into()]).unwrap_err();
        assert!(e.starts_with("change 2:"), "{e}");
    }
}
