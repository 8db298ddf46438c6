//! Inline pragmas, as hadolint reads them: `# hadolint ignore=DL3008,SC2086` on the line right
//! above an instruction silences those codes on it, `# hadolint global ignore=…` silences them in
//! the whole file (`# dockhand …` works the same); DL1001 reports the pragmas themselves.

use super::{Diagnostic, Findings};
use crate::dockerfile::parser::Dockerfile;

/// What a pragma comment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pragma {
    pub global: bool,
    pub codes: Vec<String>,
}

/// Parses a comment's text (without `#`): `hadolint [global] ignore=CODE[, CODE…]`.
pub(crate) fn parse(comment: &str) -> Option<Pragma> {
    let rest = comment.trim_start();
    let rest = rest
        .strip_prefix("hadolint")
        .or_else(|| rest.strip_prefix("dockhand"))?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) if r.starts_with(char::is_whitespace) => (true, r.trim_start()),
        _ => (false, rest),
    };
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    let list = list.split('#').next().unwrap_or_default();
    let codes: Vec<String> = list.split(',').map(|c| c.trim().to_string()).collect();
    let valid = codes
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| "DLSCH0123456789".contains(ch)));
    (valid && !codes.is_empty()).then_some(Pragma { global, codes })
}

/// DL1001: every (non-global) ignore pragma, at its line.
pub(super) fn dl1001(file: &Dockerfile, out: &mut Findings) {
    for (line, text) in &file.comment_lines {
        if parse(text).is_some_and(|p| !p.global) {
            out.push("DL1001", *line);
        }
    }
}

/// Drops diagnostics silenced by pragmas. Parse errors (`DL1000`, `DH0001`) always stay. A finding
/// inside a multi-line instruction counts as on the instruction's first line.
pub(super) fn apply(file: &Dockerfile, out: &mut Vec<Diagnostic>) {
    let mut global: Vec<String> = Vec::new();
    let mut local: Vec<(usize, Vec<String>)> = Vec::new();
    for (line, text) in &file.comment_lines {
        match parse(text) {
            Some(p) if p.global => global.extend(p.codes),
            Some(p) => local.push((line + 1, p.codes)),
            None => {}
        }
    }
    if global.is_empty() && local.is_empty() {
        return;
    }
    out.retain(|d| {
        if matches!(d.code, "DL1000" | "DH0001") {
            return true;
        }
        if global.iter().any(|c| c == d.code) {
            return false;
        }
        let start = file.instruction_at(d.line).map_or(d.line, |i| i.start_line);
        !local
            .iter()
            .any(|(line, codes)| *line == start && codes.iter().any(|c| c == d.code))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pragmas() {
        assert_eq!(
            parse(" hadolint ignore=DL3008, SC2086"),
            Some(Pragma {
                global: false,
                codes: vec!["DL3008".into(), "SC2086".into()]
            })
        );
        assert_eq!(
            parse("hadolint global ignore=DL3059").map(|p| p.global),
            Some(true)
        );
        assert_eq!(parse("hadolintignore=DL3008"), None);
        assert_eq!(parse("hadolint ignore="), None);
        assert_eq!(parse("just a comment"), None);
    }
}
