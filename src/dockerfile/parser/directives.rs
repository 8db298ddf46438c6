//! Parser directives (`# syntax=`, `# escape=`, `# check=`), only recognised at the top of the file.

use super::ParseError;
use serde::Serialize;

/// A parser directive found at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased name (`syntax`, `escape`, `check`).
    pub name: String,
    /// Its value.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

const VALID: [&str; 3] = ["escape", "syntax", "check"];

/// Directive-scanning state while reading lines.
pub(crate) struct State {
    pub escape: char,
    done: bool,
    pub found: Vec<Directive>,
}

/// Matches `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
fn match_directive(line: &str) -> Option<(String, String)> {
    let is_re_space = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let rest = line.strip_prefix('#')?.trim_start_matches(is_re_space);
    let name_len = rest
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_alphabetic() || (*i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let rest = rest[name_len..].trim_start_matches(is_re_space).strip_prefix('=')?;
    let value = rest.trim_matches(is_re_space);
    if value.is_empty() {
        return None;
    }
    Some((name.to_string(), value.to_string()))
}

impl State {
    pub fn new() -> Self {
        State { escape: '\\', done: false, found: Vec::new() }
    }

    fn possible_directive(&mut self, line: &str, lineno: usize) -> Result<(), String> {
        if self.done {
            return Ok(());
        }
        let Some((name, value)) = match_directive(line) else {
            self.done = true;
            return Ok(());
        };
        let key = name.to_ascii_lowercase();
        if !VALID.contains(&key.as_str()) {
            self.done = true;
            return Ok(());
        }
        if self.found.iter().any(|d| d.name == key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        if key == "escape" {
            match value.as_str() {
                "`" => self.escape = '`',
                "\\" => self.escape = '\\',
                _ => return Err(format!("invalid escape token '{value}' does not match ` or \\")),
            }
        }
        self.found.push(Directive { name: key, value, line: lineno });
        Ok(())
    }

    /// BuildKit's `processLine`: trims the newline (and leading space for a first line), strips a
    /// comment line to nothing, and looks for a directive.
    pub fn process_line(
        &mut self,
        raw: &str,
        strip_left: bool,
        lineno: usize,
        errors: &mut Vec<ParseError>,
    ) -> String {
        let mut token = super::trim_newline(raw);
        if strip_left {
            token = token.trim_start();
        }
        if let Err(message) = self.possible_directive(token, lineno) {
            errors.push(ParseError { line: lineno, end_line: lineno, message });
        }
        if token.starts_with('#') { String::new() } else { token.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_directives() {
        assert_eq!(match_directive("# escape=`"), Some(("escape".into(), "`".into())));
        assert_eq!(match_directive("#syntax = docker/dockerfile:1 "), Some(("syntax".into(), "docker/dockerfile:1".into())));
        assert_eq!(match_directive("# just a comment"), None);
        assert_eq!(match_directive("# 1a=b"), None);
    }
}
