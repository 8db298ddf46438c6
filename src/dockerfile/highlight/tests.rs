//! Tests of Dockerfile syntax highlighting.
use super::*;

fn kinds(line: &str, tokens: &[(Range<usize>, TokenKind)]) -> Vec<(String, TokenKind)> {
    tokens
        .iter()
        .filter(|(_, k)| *k != TokenKind::Plain)
        .map(|(r, k)| (line[r.clone()].to_string(), *k))
        .collect()
}

fn highlight(src: &str) -> (Vec<String>, Highlighter) {
    let lines: Vec<String> = src.lines().map(str::to_string).collect();
    let mut h = Highlighter::new().expect("highlighter");
    h.set_text(&lines).expect("highlight");
    (lines, h)
}

fn has(src: &str, line: usize, text: &str, kind: TokenKind) -> bool {
    let (lines, h) = highlight(src);
    let got = kinds(&lines[line], &h.line(line, &lines[line]));
    got.contains(&(text.to_string(), kind))
        || panic!(
            "line {line} {:?}: want {text:?} {kind:?}, got {got:?}",
            lines[line]
        )
}

#[test]
fn instructions_flags_and_stage_names() {
    let src = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=cache,target=/x go build\n";
    assert!(has(src, 0, "FROM", TokenKind::Instruction));
    assert!(has(src, 0, "--platform", TokenKind::Flag));
    assert!(has(src, 0, "golang:1.22", TokenKind::Image));
    assert!(has(src, 0, "AS", TokenKind::Keyword));
    assert!(has(src, 0, "build", TokenKind::StageName));
    assert!(has(src, 1, "--mount", TokenKind::Flag));
}

#[test]
fn directives_only_at_the_top() {
    let src = "# syntax=docker/dockerfile:1\nFROM a\n# escape=`\n";
    assert!(has(src, 0, "# syntax", TokenKind::Directive));
    assert!(has(src, 2, "# escape=`", TokenKind::Comment));
}

#[test]
fn continuation_with_comments_keeps_the_instruction() {
    let src =
        "RUN apt-get update \\\n  # note\n\n  && apt-get install -y curl\nCMD [\"a\", \"b\"]\n";
    assert!(has(src, 0, "\\", TokenKind::Escape));
    assert!(has(src, 1, "  # note", TokenKind::Comment));
    assert!(has(src, 3, "&&", TokenKind::Operator));
    assert!(has(src, 3, "-y", TokenKind::Flag));
    assert!(has(src, 4, "CMD", TokenKind::Instruction));
    assert!(has(src, 4, "\"a\"", TokenKind::String));
}

#[test]
fn backtick_escape() {
    let src = "# escape=`\nFROM a\nRUN echo `\n  hi\nRUN x\n";
    assert!(has(src, 2, "`", TokenKind::Escape));
    assert!(has(src, 4, "RUN", TokenKind::Instruction));
    // With the default escape a trailing backtick does not continue the line.
    let src = "FROM a\nRUN echo `\nRUN x\n";
    assert!(has(src, 2, "RUN", TokenKind::Instruction));
}

#[test]
fn env_keys_variables_strings() {
    let src = "ENV A=1 B=\"x $HOME\"\nENV KEY value\nARG V=${X:-1}\n";
    assert!(has(src, 0, "A", TokenKind::Key));
    assert!(has(src, 0, "=", TokenKind::Operator));
    assert!(has(src, 0, "$HOME", TokenKind::Variable));
    assert!(has(src, 1, "KEY", TokenKind::Key));
    assert!(has(src, 2, "${X:-1}", TokenKind::Variable));
}

#[test]
fn heredocs_and_unknown_instructions() {
    let src = "RUN <<EOF bash\nFROM not-an-instruction\nEOF\nCOPY a b\nBOGUS x\n";
    assert!(has(src, 0, "EOF", TokenKind::Heredoc));
    assert!(has(src, 1, "FROM not-an-instruction", TokenKind::Heredoc));
    assert!(has(src, 3, "COPY", TokenKind::Instruction));
    assert!(has(src, 4, "BOGUS", TokenKind::Invalid));
}

#[test]
fn onbuild_trigger_and_healthcheck() {
    let src = "ONBUILD RUN make\nHEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\n";
    assert!(has(src, 0, "ONBUILD", TokenKind::Instruction));
    assert!(has(src, 0, "RUN", TokenKind::Instruction));
    assert!(has(src, 1, "CMD", TokenKind::Keyword));
    assert!(has(src, 1, "||", TokenKind::Operator));
    assert!(has(src, 1, "1", TokenKind::Number));
}

fn big_file(n: usize) -> Vec<String> {
    let chunk = [
        "FROM debian:12 AS build",
        "ARG VERSION=1.0",
        "ENV PATH=/usr/local/bin:$PATH LANG=C.UTF-8",
        "RUN apt-get update \\",
        "  && apt-get install -y --no-install-recommends curl \\",
        "  && rm -rf /var/lib/apt/lists/*",
        "COPY --from=build /out /usr/bin/",
        "CMD [\"app\", \"--port\", \"8080\"]",
        "# a comment",
        "",
    ];
    (0..n).map(|i| chunk[i % chunk.len()].to_string()).collect()
}

#[test]
fn keystroke_rehighlights_only_a_few_lines() {
    let mut lines = big_file(1000);
    let mut h = Highlighter::new().expect("highlighter");
    h.set_text(&lines).expect("highlight");
    assert_eq!(h.last_work(), 1000);
    let full: Vec<Vec<(Range<usize>, TokenKind)>> =
        (0..1000).map(|i| h.line(i, &lines[i])).collect();

    // Type a character in the middle of a RUN continuation.
    lines[504].insert(10, 'x');
    let work = h.sync(&lines).expect("sync");
    assert!(work <= 3, "re-highlighted {work} lines");
    let mut fresh = Highlighter::new().expect("highlighter");
    fresh.set_text(&lines).expect("highlight");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(
            h.line(i, line),
            fresh.line(i, line),
            "line {i} differs from a full re-highlight"
        );
    }
    assert_ne!(h.line(504, &lines[504]), full[504]);

    // Insert and delete lines.
    lines.insert(300, "RUN echo inserted".to_string());
    assert!(h.sync(&lines).expect("sync") <= 3);
    lines.remove(700);
    assert!(h.sync(&lines).expect("sync") <= 3);
    assert_eq!(h.sync(&lines).expect("sync"), 0, "no change, no work");
    fresh.set_text(&lines).expect("highlight");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(h.line(i, line), fresh.line(i, line), "line {i}");
    }
}

#[test]
fn edits_that_change_later_lines_propagate() {
    let mut lines: Vec<String> = ["FROM a", "RUN one", "RUN two", "RUN three"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut h = Highlighter::new().expect("highlighter");
    h.set_text(&lines).expect("highlight");
    // Opening a heredoc turns the following lines into its body.
    lines[1] = "RUN <<EOF".into();
    let work = h.sync(&lines).expect("sync");
    assert_eq!(work, 3);
    assert_eq!(h.line(3, &lines[3]), vec![(0..9, TokenKind::Heredoc)]);
    // Switching the escape character re-highlights everything.
    lines.insert(0, "# escape=`".into());
    h.sync(&lines).expect("sync");
    assert_eq!(h.last_work(), 5);
}

/// After edits whose extent the caller gives (`sync_edit`), the tokens are the ones a fresh
/// highlight of the new text gives, and only the touched lines are redone.
#[test]
fn sync_edit_matches_a_fresh_highlight_and_touches_only_the_edit() {
    let base = "FROM a AS b\nRUN echo one \\\n  && echo two\nENV A=1\nCOPY x y\nCMD [\"sh\"]\n";
    let mut lines: Vec<String> = base.repeat(200).lines().map(str::to_string).collect();
    let mut h = Highlighter::new().unwrap();
    h.set_text(&lines).unwrap();
    // (row, what the edit does)
    let edits: Vec<(usize, &str)> = vec![
        (10, "type"),
        (601, "newline"),
        (602, "join"),
        (3, "continue"),
        (900, "type"),
    ];
    for (row, what) in edits {
        let n0 = lines.len();
        let (first, last);
        match what {
            "type" => {
                lines[row].push_str(" x");
                (first, last) = (row, n0 - 1 - row);
            }
            "newline" => {
                let tail = lines[row].split_off(3);
                lines.insert(row + 1, tail);
                (first, last) = (row, lines.len() - 1 - (row + 1));
            }
            "join" => {
                let next = lines.remove(row + 1);
                lines[row].push_str(&next);
                (first, last) = (row, lines.len() - 1 - row);
            }
            _ => {
                // A continuation added: the state of the following line changes too.
                lines[row].push_str(" \\");
                (first, last) = (row, n0 - 1 - row);
            }
        }
        let work = h.sync_edit(&lines, first, last).unwrap();
        assert!(work <= 4, "{what} at {row}: {work} lines redone");
        let mut fresh = Highlighter::new().unwrap();
        fresh.set_text(&lines).unwrap();
        assert_eq!(h.len(), lines.len());
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(
                h.line(i, line),
                fresh.line(i, line),
                "{what} at {row}: line {i}"
            );
        }
    }
}
