//! Instruction-level checks that BuildKit's `instructions` package applies after parsing
//! (unknown instructions, argument counts, unknown flags, stage names, instructions before FROM).

use super::{Dockerfile, Instruction, ParseError};

/// Every instruction BuildKit knows.
pub const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

fn allowed_flags(keyword: &str) -> &'static [&'static str] {
    match keyword {
        "FROM" => &["platform"],
        "RUN" => &["mount", "network", "security", "device"],
        "COPY" => &["from", "chown", "chmod", "link", "parents", "exclude"],
        "ADD" => &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "exclude",
            "unpack",
        ],
        "HEALTHCHECK" => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

/// Whether `name` is a valid build stage name (`^[a-z][a-z0-9-_\.]*$`, case-insensitively).
pub fn valid_stage_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let mut chars = lower.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn check_keyword(kw: &str, inst: &Instruction, onbuild: bool) -> Option<String> {
    let n = inst.args.len();
    let at_least_one = || format!("{kw} requires at least one argument");
    match kw {
        "FROM" => {
            if onbuild {
                return Some("FROM isn't allowed as an ONBUILD trigger".into());
            }
            if n != 1 && n != 3 {
                return Some("FROM requires either one or three arguments".into());
            }
            if n == 3 {
                if !inst.args[1].eq_ignore_ascii_case("as") {
                    return Some(format!(
                        "FROM requires either one or three arguments, third must be AS, got {:?}",
                        inst.args[1]
                    ));
                }
                if !valid_stage_name(&inst.args[2]) {
                    return Some(format!(
                        "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                        inst.args[2]
                    ));
                }
            }
            None
        }
        "MAINTAINER" if onbuild => Some("MAINTAINER isn't allowed as an ONBUILD trigger".into()),
        "ONBUILD" if onbuild => Some("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into()),
        "ENV" | "LABEL" | "ARG" | "RUN" | "SHELL" | "EXPOSE" | "VOLUME" | "ONBUILD"
        | "HEALTHCHECK"
            if n == 0 =>
        {
            Some(at_least_one())
        }
        "MAINTAINER" | "WORKDIR" | "USER" | "STOPSIGNAL" if n != 1 => {
            Some(format!("{kw} requires exactly one argument"))
        }
        "ADD" | "COPY" if n < 2 => Some(format!(
            "{kw} requires at least two arguments, but only one was provided. Destination could not be determined."
        )),
        "HEALTHCHECK" => match inst.args[0].to_ascii_uppercase().as_str() {
            "NONE" if n > 1 => Some("HEALTHCHECK NONE takes no arguments".into()),
            "NONE" => None,
            "CMD" if n < 2 => Some("Missing command after HEALTHCHECK CMD".into()),
            "CMD" => None,
            other => Some(format!("Unknown type {other:?} in HEALTHCHECK (try CMD)")),
        },
        _ => None,
    }
}

fn check_flags(kw: &str, flags: &[String]) -> Option<String> {
    let allowed = allowed_flags(kw);
    flags.iter().find_map(|f| {
        let name = f
            .trim_start_matches('-')
            .split('=')
            .next()
            .unwrap_or_default();
        (!allowed.contains(&name)).then(|| format!("unknown flag: {name}"))
    })
}

fn unknown(word: &str) -> String {
    let upper = word.to_ascii_uppercase();
    // The distance is at least the difference in length: a long word (a hostile file can make
    // one of any size) is ruled out without the O(len) table per keyword.
    let len = upper.chars().count();
    let suggestion = INSTRUCTIONS
        .iter()
        .filter(|k| k.len().abs_diff(len) <= 2 && edit_distance(k, &upper) <= 2)
        .min_by_key(|k| edit_distance(k, &upper));
    match suggestion {
        Some(s) => format!(
            "unknown instruction: {word} (did you mean {}?)",
            s.to_ascii_lowercase()
        ),
        None => format!("unknown instruction: {word}"),
    }
}

/// Checks one instruction, returning BuildKit's error message if it would be rejected.
pub fn check_instruction(inst: &Instruction) -> Option<String> {
    let kw = inst.keyword();
    if !INSTRUCTIONS.contains(&kw.as_str()) {
        return Some(unknown(&inst.name));
    }
    if let Some(e) = check_flags(&kw, &inst.flags) {
        return Some(e);
    }
    match &inst.trigger {
        Some(trigger) => {
            let tk = trigger.to_ascii_uppercase();
            if !INSTRUCTIONS.contains(&tk.as_str()) {
                return Some(unknown(trigger));
            }
            check_keyword(&tk, inst, true).or_else(|| check_flags(&tk, &inst.trigger_flags))
        }
        None => check_keyword(&kw, inst, false),
    }
}

/// Instruction-level errors for a whole file (instructions the parser already rejected are skipped).
pub fn validate(file: &Dockerfile) -> Vec<ParseError> {
    let mut errors = Vec::new();
    let mut seen_from = false;
    for inst in file.instructions.iter().filter(|i| !i.invalid) {
        let kw = inst.keyword();
        seen_from |= kw == "FROM";
        let message = check_instruction(inst).or_else(|| {
            (!seen_from && kw != "ARG" && INSTRUCTIONS.contains(&kw.as_str()))
                .then(|| "no build stage in current context".to_string())
        });
        if let Some(message) = message {
            errors.push(ParseError {
                line: inst.start_line,
                end_line: inst.end_line,
                message,
            });
        }
    }
    errors
}
