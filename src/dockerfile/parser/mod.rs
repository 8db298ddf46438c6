//! A tolerant Dockerfile parser that agrees with BuildKit's (`frontend/dockerfile/parser`).
//!
//! [`parse`] never stops at the first error: every logical instruction is recorded with its start and
//! end line, and errors are collected in [`Dockerfile::errors`] so an editor can still highlight and
//! lint the rest. `flags` and `args` are exactly what BuildKit's parser yields; instruction-level
//! errors that BuildKit's `instructions` package rejects (unknown instruction, wrong argument counts,
//! unknown flags…) come from [`validate`].

mod directives;
mod dispatch;
mod heredoc;
mod split;
pub mod validate;

use serde::Serialize;

pub use directives::Directive;

/// A heredoc attached to an instruction (`<<EOF` … `EOF`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter word, unquoted.
    pub name: String,
    /// File descriptor prefix (`3<<EOF`), 0 when absent.
    #[serde(skip)]
    pub file_descriptor: u32,
    /// Whether the content is subject to variable expansion (delimiter not quoted).
    #[serde(skip)]
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the content when used.
    #[serde(skip)]
    pub chomp: bool,
    /// Raw content lines, each with its line ending, as BuildKit stores it.
    pub content: String,
}

/// One instruction of a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The instruction word as written (`from`, `RUN`…).
    pub name: String,
    /// ONBUILD's trigger instruction word.
    pub trigger: Option<String>,
    /// The flags BuildKit's parser yields (`--from=build`, …); for ONBUILD, the outer flags.
    pub flags: Vec<String>,
    /// The trigger's own flags, for ONBUILD.
    pub trigger_flags: Vec<String>,
    /// The arguments BuildKit's parser yields (for ONBUILD, those of the trigger).
    pub args: Vec<String>,
    /// Whether the arguments were written as a JSON array (exec form).
    pub json: bool,
    /// First line (1-based).
    pub start_line: usize,
    /// Last line (1-based), including continuation lines and heredoc bodies.
    pub end_line: usize,
    /// Heredocs, in order.
    pub heredocs: Vec<Heredoc>,
    /// The logical line after continuation joining.
    pub original: String,
    /// Whether BuildKit's parser rejected this instruction (see [`Dockerfile::errors`]).
    pub invalid: bool,
    /// The comment lines between the previous instruction and this one, without `#`
    /// (BuildKit's `PrevComment`); lint pragmas live here.
    pub comments: Vec<String>,
}

impl Instruction {
    /// The instruction keyword in upper case (`FROM`, `RUN`…).
    pub fn keyword(&self) -> String {
        self.name.to_ascii_uppercase()
    }

    /// The keyword that takes effect: the trigger for ONBUILD, the instruction otherwise.
    pub fn effective_keyword(&self) -> String {
        self.trigger
            .as_deref()
            .unwrap_or(&self.name)
            .to_ascii_uppercase()
    }

    /// Value of a flag (`--from=x` gives `Some("x")`, a bare `--link` gives `Some("")`).
    pub fn flag(&self, name: &str) -> Option<&str> {
        let flags = if self.trigger.is_some() {
            &self.trigger_flags
        } else {
            &self.flags
        };
        flags.iter().find_map(|f| {
            let body = f.strip_prefix("--")?;
            match body.split_once('=') {
                Some((k, v)) if k == name => Some(v),
                None if body == name => Some(""),
                _ => None,
            }
        })
    }
}

/// A parse error with the lines it covers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// First line (1-based) of the offending instruction.
    pub line: usize,
    /// Last line of the offending instruction.
    pub end_line: usize,
    /// The message, worded as BuildKit words it.
    pub message: String,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
    /// Parser directives found at the top (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    /// The escape character in effect (`\` or `` ` ``).
    pub escape: char,
    /// Errors BuildKit's parser reports (it would stop at the first).
    pub errors: Vec<ParseError>,
    /// Warnings BuildKit's parser prints (empty continuation lines), with their line.
    pub warnings: Vec<(usize, String)>,
    /// Comment lines outside instructions: `(1-based line, text without '#')`, in order.
    pub comment_lines: Vec<(usize, String)>,
}

impl Dockerfile {
    /// The instruction covering 1-based `line` (continuation and heredoc lines included).
    pub fn instruction_at(&self, line: usize) -> Option<&Instruction> {
        let i = self
            .instructions
            .partition_point(|inst| inst.end_line < line);
        self.instructions
            .get(i)
            .filter(|inst| inst.start_line <= line)
    }

    /// The first error, as BuildKit would report it.
    pub fn first_error(&self) -> Option<&ParseError> {
        self.errors.first()
    }
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn is_comment(raw: &str) -> bool {
    trim_newline(raw).trim_start().starts_with('#')
}

/// BuildKit's `trimContinuationCharacter`: `(line without the escape, is_end_of_line)`.
fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape) {
        if before.is_empty() {
            return (String::new(), false);
        }
        if !before.ends_with(escape) {
            return (before.to_string(), false);
        }
    }
    (line.to_string(), true)
}

/// Parses a Dockerfile. Never fails: errors are collected in [`Dockerfile::errors`].
pub fn parse(src: &str) -> Dockerfile {
    parse_with(src, true)
}

/// [`parse`] without keeping each instruction's joined line ([`Instruction::original`]) and the
/// comments before it ([`Instruction::comments`]): what linting needs when nothing quotes the
/// source, in a fraction of the memory on a big file.
pub fn parse_lean(src: &str) -> Dockerfile {
    parse_with(src, false)
}

fn parse_with(src: &str, keep_text: bool) -> Dockerfile {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    // Lines are read as they come: no table of them (16 bytes a line) is built.
    let mut lines = src.split_inclusive('\n');
    let mut d = directives::State::new();
    let mut out = Dockerfile::default();
    let mut current = 0usize;
    let mut comments = Vec::new();
    while let Some(raw) = lines.next() {
        if is_comment(raw) {
            let text = trim_newline(raw)
                .trim()
                .trim_start_matches('#')
                .trim()
                .to_string();
            out.comment_lines.push((current + 1, text.clone()));
            comments.push(text);
        }
        let processed = d.process_line(raw, true, current + 1, &mut out.errors);
        current += 1;
        let start = current;
        let (mut line, mut end) = trim_continuation(&processed, d.escape);
        if end && line.is_empty() {
            continue;
        }
        let mut empty_continuation = false;
        while !end {
            let Some(raw) = lines.next() else { break };
            let processed = d.process_line(raw, false, current + 1, &mut out.errors);
            current += 1;
            if is_comment(raw) {
                continue;
            }
            if processed.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            let (cont, e) = trim_continuation(&processed, d.escape);
            end = e;
            line.push_str(&cont);
        }
        if empty_continuation {
            out.warnings
                .push((start, format!("Empty continuation line found in: {line}")));
        }
        let (node, error) = match dispatch::node_from_line(&line, d.escape) {
            Ok(node) => (node, None),
            Err(message) => {
                let (cmd, flags, _) = split::split_command(&line);
                (
                    dispatch::RawNode {
                        cmd,
                        flags,
                        ..Default::default()
                    },
                    Some(message),
                )
            }
        };
        let mut heredocs = Vec::new();
        let mut heredoc_error = None;
        let target = match (&node.child, node.cmd.eq_ignore_ascii_case("onbuild")) {
            (Some(child), true) => child.as_ref(),
            _ => &node,
        };
        let can_heredoc = matches!(
            target.cmd.to_ascii_lowercase().as_str(),
            "add" | "copy" | "run"
        ) && !target.json;
        if can_heredoc {
            for mut doc in heredoc::heredocs_from_line(&line) {
                let mut terminated = false;
                for raw in lines.by_ref() {
                    current += 1;
                    let mut candidate = trim_newline(raw);
                    if doc.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == doc.name {
                        terminated = true;
                        break;
                    }
                    doc.content.push_str(raw);
                }
                heredocs.push(doc);
                if !terminated {
                    heredoc_error = Some("unterminated heredoc".to_string());
                    break;
                }
            }
        }
        let invalid = error.is_some() || heredoc_error.is_some();
        for message in error.into_iter().chain(heredoc_error) {
            out.errors.push(ParseError {
                line: start,
                end_line: current,
                message,
            });
        }
        let line = if keep_text { line } else { String::new() };
        let mut inst = flatten(node, line, start, current, heredocs, invalid);
        if keep_text {
            inst.comments = std::mem::take(&mut comments);
        } else {
            comments.clear();
        }
        out.instructions.push(inst);
    }
    if out.instructions.is_empty() {
        out.errors.push(ParseError {
            line: current.max(1),
            end_line: current.max(1),
            message: "file with no instructions".to_string(),
        });
    }
    out.directives = d.found;
    out.escape = d.escape;
    out
}

fn flatten(
    node: dispatch::RawNode,
    original: String,
    start_line: usize,
    end_line: usize,
    heredocs: Vec<Heredoc>,
    invalid: bool,
) -> Instruction {
    let (trigger, trigger_flags, args, json) = match node.child {
        Some(child) => (Some(child.cmd), child.flags, child.values, child.json),
        None => (None, Vec::new(), node.values, node.json),
    };
    // Exact sizes: on a big file the spare capacity of a million small vectors adds up.
    let (mut flags, mut trigger_flags, mut args) = (node.flags, trigger_flags, args);
    flags.shrink_to_fit();
    trigger_flags.shrink_to_fit();
    args.shrink_to_fit();
    let mut name = node.cmd;
    name.shrink_to_fit();
    let mut original = original;
    original.shrink_to_fit();
    Instruction {
        name,
        trigger,
        flags,
        trigger_flags,
        args,
        json,
        start_line,
        end_line,
        heredocs,
        original,
        invalid,
        comments: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
