//! Mechanical quick fixes for the editor: [`quick_fix`] turns a finding into one text edit (a
//! line/column range and its replacement) where the change needs no judgement — adding `-y`,
//! `--no-install-recommends`, `--no-cache`, `--no-cache-dir`, cleanup after a package install, exec
//! form for a simple CMD/ENTRYPOINT, merging consecutive RUNs, COPY for ADD of local files, `apt-get`
//! for `apt`, a LABEL for MAINTAINER. Pinning versions is not mechanical and has no fix.

use super::Diagnostic;
use crate::dockerfile::parser::{Dockerfile, Instruction, parse};

/// A text edit: replace from `start` to `end` (exclusive) with `replacement`. Positions are
/// `(line, column)`: 1-based lines, 0-based columns counted in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, for a menu.
    pub title: String,
    /// Start of the replaced range.
    pub start: (usize, usize),
    /// End of the replaced range (exclusive).
    pub end: (usize, usize),
    /// The new text.
    pub replacement: String,
}

impl Fix {
    /// Applies the edit to `source` (for tests and for callers without an editor buffer).
    pub fn apply(&self, source: &str) -> String {
        let offset = |(line, col): (usize, usize)| -> usize {
            let mut at = 0;
            for (i, l) in source.split_inclusive('\n').enumerate() {
                if i + 1 == line {
                    return at
                        + l.char_indices()
                            .nth(col)
                            .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
                }
                at += l.len();
            }
            source.len()
        };
        let (a, b) = (offset(self.start), offset(self.end));
        format!("{}{}{}", &source[..a], self.replacement, &source[b..])
    }
}

/// The source text of lines `start..=end` without the final newline.
fn lines_text(source: &str, start: usize, end: usize) -> String {
    let text: String = source
        .split_inclusive('\n')
        .skip(start - 1)
        .take(end + 1 - start)
        .collect();
    text.trim_end_matches(['\n', '\r']).to_string()
}

/// A fix replacing the whole instruction's lines with `new`.
fn replace_instruction(source: &str, inst: &Instruction, title: &str, new: String) -> Option<Fix> {
    let old = lines_text(source, inst.start_line, inst.end_line);
    let last = old.lines().last().unwrap_or_default().chars().count();
    (new != old).then(|| Fix {
        title: title.to_string(),
        start: (inst.start_line, 0),
        end: (inst.end_line, last),
        replacement: new,
    })
}

/// Byte ranges of the shell commands in `text` (split at `&&`, `||`, `;`, `|`).
fn segments(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i, mut quote) = (0, 0, None::<u8>);
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b';' || c == b'|' || (c == b'&' && b.get(i + 1) == Some(&b'&')) => {
                out.push((start, i));
                i += if b.get(i + 1) == Some(&c) { 2 } else { 1 };
                start = i;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// Inserts ` flag` after the first of `subcommands` in every command run by one of `programs` that
/// does not already satisfy `has`.
fn add_flag(
    text: &str,
    programs: &[&str],
    subcommands: &[&str],
    flag: &str,
    has: impl Fn(&[&str]) -> bool,
) -> String {
    let mut out = text.to_string();
    for (s, e) in segments(text).into_iter().rev() {
        let seg = &text[s..e];
        let words: Vec<(usize, &str)> = seg
            .split_whitespace()
            .map(|w| (w.as_ptr() as usize - seg.as_ptr() as usize, w))
            .collect();
        let plain: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
        let Some(p) = plain.iter().position(|w| programs.contains(w)) else {
            continue;
        };
        let Some(sub) = plain[p + 1..].iter().position(|w| subcommands.contains(w)) else {
            continue;
        };
        if has(&plain) {
            continue;
        }
        let (at, word) = words[p + 1 + sub];
        let pos = s + at + word.len();
        out.insert_str(pos, &format!(" {flag}"));
    }
    out
}

/// Appends a command to a RUN (`… \` newline `    && cmd`).
fn append(text: &str, cmd: &str) -> String {
    format!("{} \\\n    && {cmd}", text.trim_end())
}

fn simple_exec_form(args: &str) -> Option<String> {
    if args.trim().is_empty() || args.chars().any(|c| "&|;<>$`*?(){}[]\\'\"~#".contains(c)) {
        return None;
    }
    let words: Vec<String> = args
        .split_whitespace()
        .map(|w| format!("\"{w}\""))
        .collect();
    Some(format!("[{}]", words.join(", ")))
}

fn run_fix(code: &str, text: &str) -> Option<(&'static str, String)> {
    let apt_get = ["apt-get"];
    Some(match code {
        "DL3014" => (
            "Add -y",
            add_flag(text, &apt_get, &["install"], "-y", |w| {
                w.iter().any(|x| {
                    matches!(*x, "-y" | "--yes" | "--assume-yes" | "-qq")
                        || (x.starts_with('-') && !x.starts_with("--") && x.contains('y'))
                })
            }),
        ),
        "DL3015" => (
            "Add --no-install-recommends",
            add_flag(
                text,
                &apt_get,
                &["install"],
                "--no-install-recommends",
                |w| w.contains(&"--no-install-recommends"),
            ),
        ),
        "DL3019" => (
            "Use apk add --no-cache",
            add_flag(text, &["apk"], &["add"], "--no-cache", |w| {
                w.contains(&"--no-cache")
            }),
        ),
        "DL3042" => (
            "Add --no-cache-dir",
            add_flag(
                text,
                &["pip", "pip3"],
                &["install"],
                "--no-cache-dir",
                |w| w.contains(&"--no-cache-dir"),
            ),
        ),
        "DL3030" => (
            "Add -y",
            add_flag(
                text,
                &["yum"],
                &["install", "groupinstall", "localinstall"],
                "-y",
                |w| w.contains(&"-y") || w.contains(&"--assumeyes"),
            ),
        ),
        "DL3038" => (
            "Add -y",
            add_flag(
                text,
                &["dnf", "microdnf"],
                &["install", "groupinstall", "localinstall"],
                "-y",
                |w| w.contains(&"-y") || w.contains(&"--assumeyes"),
            ),
        ),
        "DL3034" => (
            "Add -y",
            add_flag(
                text,
                &["zypper"],
                &[
                    "install",
                    "in",
                    "remove",
                    "rm",
                    "source-install",
                    "si",
                    "patch",
                ],
                "-y",
                |w| {
                    w.iter()
                        .any(|x| matches!(*x, "-y" | "-n" | "--non-interactive" | "--no-confirm"))
                },
            ),
        ),
        _ => return cleanup_fix(code, text),
    })
}

/// Fixes that append a cleanup command or rename a program.
fn cleanup_fix(code: &str, text: &str) -> Option<(&'static str, String)> {
    Some(match code {
        "DL3047" => ("Add -nv", wget_quiet(text)),
        "DL3009" => (
            "Delete the apt lists",
            append(text, "rm -rf /var/lib/apt/lists/*"),
        ),
        "DL3032" => ("Add yum clean all", append(text, "yum clean all")),
        "DL3040" => ("Add dnf clean all", append(text, "dnf clean all")),
        "DL3036" => ("Add zypper clean", append(text, "zypper clean")),
        "DL3060" => ("Add yarn cache clean", append(text, "yarn cache clean")),
        "DL3027" => ("Use apt-get", replace_word(text, "apt", "apt-get")),
        _ => return None,
    })
}

fn wget_quiet(text: &str) -> String {
    let mut out = text.to_string();
    for (s, e) in segments(text).into_iter().rev() {
        let seg = &text[s..e];
        if let Some(i) = word_at(seg, "wget") {
            out.insert_str(s + i + 4, " -nv");
        }
    }
    out
}

/// Byte offset of `word` as a whole word in `s`.
fn word_at(s: &str, word: &str) -> Option<usize> {
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = s[..i].chars().last().is_none_or(char::is_whitespace);
        let after = s[i + word.len()..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        before && after
    })
}

fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = text.to_string();
    for (s, e) in segments(text).into_iter().rev() {
        if let Some(i) = word_at(&text[s..e], from) {
            out.replace_range(s + i..s + i + from.len(), to);
        }
    }
    out
}

/// DL3059: the previous RUN and this one as one RUN, when nothing but whitespace separates them.
fn merge_runs(source: &str, file: &Dockerfile, inst: &Instruction) -> Option<Fix> {
    let idx = file
        .instructions
        .iter()
        .position(|i| i.start_line == inst.start_line)?;
    let prev = file.instructions.get(idx.checked_sub(1)?)?;
    let simple = |i: &Instruction| {
        i.keyword() == "RUN" && i.flags.is_empty() && i.heredocs.is_empty() && !i.json
    };
    if !simple(prev) || !simple(inst) || prev.end_line + 1 != inst.start_line {
        return None;
    }
    let body = |i: &Instruction| {
        let t = lines_text(source, i.start_line, i.end_line);
        t.trim_start()[3..].trim().to_string()
    };
    let merged = format!("RUN {} \\\n    && {}", body(prev), body(inst));
    let last = lines_text(source, inst.end_line, inst.end_line)
        .chars()
        .count();
    Some(Fix {
        title: "Merge with the previous RUN".into(),
        start: (prev.start_line, 0),
        end: (inst.end_line, last),
        replacement: merged,
    })
}

/// A mechanical fix for a finding, if there is one.
pub fn quick_fix(d: &Diagnostic, source: &str) -> Option<Fix> {
    let file = parse(source);
    let inst = file.instruction_at(d.line)?;
    if file.escape != '\\' || inst.trigger.is_some() {
        return None;
    }
    let text = lines_text(source, inst.start_line, inst.end_line);
    let kw = inst.keyword();
    match (d.code, kw.as_str()) {
        ("DL3059", "RUN") => merge_runs(source, &file, inst),
        (code, "RUN") if inst.heredocs.is_empty() && !inst.json => {
            let (title, new) = run_fix(code, &text)?;
            replace_instruction(source, inst, title, new)
        }
        ("DL3025", "CMD" | "ENTRYPOINT") => {
            let json = simple_exec_form(inst.args.first()?)?;
            replace_instruction(
                source,
                inst,
                "Use exec form",
                format!("{} {json}", inst.name),
            )
        }
        ("DL3020", "ADD")
            if !inst
                .flags
                .iter()
                .any(|f| f.starts_with("--checksum") || f.starts_with("--keep-git-dir")) =>
        {
            let at = text.find(&inst.name)?;
            let new = format!("{}COPY{}", &text[..at], &text[at + inst.name.len()..]);
            replace_instruction(source, inst, "Use COPY", new)
        }
        ("DL3021", "COPY") => {
            let dest = inst.args.last()?;
            let at = text.rfind(dest.as_str())?;
            let new = format!("{}{dest}/{}", &text[..at], &text[at + dest.len()..]);
            replace_instruction(source, inst, "End the destination with /", new)
        }
        ("DL4000", "MAINTAINER") => {
            let who = inst
                .args
                .join(" ")
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            replace_instruction(
                source,
                inst,
                "Use a LABEL",
                format!("LABEL org.opencontainers.image.authors=\"{who}\""),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "fix_tests.rs"]
mod tests;
