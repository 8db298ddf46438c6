//! Tests of the Dockerfile parser.
use super::*;

fn one(src: &str) -> Instruction {
    let f = parse(src);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.instructions.len(), 1, "{:?}", f.instructions);
    f.instructions.into_iter().next().expect("one instruction")
}

#[test]
fn continuation_with_comments_and_blank_lines() {
    let i = one("RUN a \\\n\n# c\n  b\n");
    assert_eq!(i.args, vec!["a   b"]);
    assert_eq!((i.start_line, i.end_line), (1, 4));
}

#[test]
fn continuation_at_eof_and_escaped_escape() {
    assert_eq!(one("RUN a \\\n").args, vec!["a"]);
    assert_eq!(one("RUN a \\\\\n").args, vec!["a \\\\"]);
}

#[test]
fn escape_directive_backtick() {
    let f = parse("# escape=`\nFROM a\nRUN a `\n b\n");
    assert_eq!(f.escape, '`');
    assert_eq!(f.instructions[1].args, vec!["a  b"]);
    assert_eq!(f.directives[0].name, "escape");
}

#[test]
fn directive_after_instruction_is_a_comment() {
    let f = parse("FROM a\n# escape=`\nRUN a `\n b\n");
    assert_eq!(f.escape, '\\');
    assert_eq!(f.instructions.len(), 3);
}

#[test]
fn directive_errors() {
    let f = parse("# escape=`\n# escape=`\nFROM a\n");
    assert_eq!(
        f.errors[0].message,
        "only one escape parser directive can be used"
    );
    let f = parse("# escape=x\nFROM a\n");
    assert!(f.errors[0].message.starts_with("invalid escape token"));
}

#[test]
fn check_directive_is_recognised() {
    let f = parse("# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n");
    let names: Vec<_> = f.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["syntax", "check"]);
}

#[test]
fn heredocs_are_read() {
    let i = one(
        "COPY <<EOF /a <<-\"EOT\" /b\nhello\nEOF\n\ttab\n\tEOT\nRUN x\n"
            .split("RUN")
            .next()
            .unwrap_or_default(),
    );
    assert_eq!(i.args, vec!["<<EOF", "/a", "<<-\"EOT\"", "/b"]);
    assert_eq!(i.heredocs.len(), 2);
    assert_eq!(i.heredocs[0].content, "hello\n");
    assert_eq!(i.heredocs[1].content, "\ttab\n");
    assert!(i.heredocs[1].chomp && !i.heredocs[1].expand);
    assert_eq!(i.end_line, 5);
}

#[test]
fn exec_form_has_no_heredocs() {
    let f = parse("RUN [\"echo\", \"<<EOF\"]\nx\n");
    assert_eq!(f.instructions.len(), 2);
    assert!(f.instructions[0].heredocs.is_empty());
}

#[test]
fn unterminated_heredoc_is_an_error() {
    let f = parse("RUN <<EOF\nx\n");
    assert_eq!(f.errors[0].message, "unterminated heredoc");
    assert_eq!(f.instructions[0].end_line, 2);
}

#[test]
fn tolerant_after_errors() {
    let f = parse("FROM a\nENV A\nRUN b\nENV A=1 B\nCMD x\n");
    assert_eq!(f.errors.len(), 2);
    assert_eq!(f.errors[0].line, 2);
    assert_eq!(f.errors[0].message, "ENV must have two arguments");
    assert_eq!(f.instructions.len(), 5);
    assert!(f.instructions[1].invalid && !f.instructions[2].invalid);
}

#[test]
fn empty_file_is_an_error() {
    assert_eq!(
        parse("\n# hi\n").errors[0].message,
        "file with no instructions"
    );
    assert_eq!(parse("").errors[0].message, "file with no instructions");
}

#[test]
fn onbuild_trigger() {
    let i = one("ONBUILD COPY --from=x a b\n");
    assert_eq!(i.trigger.as_deref(), Some("COPY"));
    assert!(i.flags.is_empty());
    assert_eq!(i.trigger_flags, vec!["--from=x"]);
    assert_eq!(i.flag("from"), Some("x"));
    assert_eq!(i.args, vec!["a", "b"]);
}

#[test]
fn crlf_and_bom() {
    let f = parse("\u{feff}FROM a\r\nRUN b\r\n");
    assert_eq!(f.instructions[0].keyword(), "FROM");
    assert_eq!(f.instructions[1].args, vec!["b"]);
}

#[test]
fn validation_errors() {
    let msgs = |src: &str| -> Vec<String> {
        validate::validate(&parse(src))
            .into_iter()
            .map(|e| e.message)
            .collect()
    };
    assert_eq!(
        msgs("FROM a\nXYZZY bar\n"),
        vec!["unknown instruction: XYZZY"]
    );
    assert_eq!(
        msgs("FROM a\nRUNN x\n"),
        vec!["unknown instruction: RUNN (did you mean run?)"]
    );
    assert_eq!(
        msgs("RUN x\nFROM a\n"),
        vec!["no build stage in current context"]
    );
    assert_eq!(msgs("ARG V=1\nFROM a:$V\n"), Vec::<String>::new());
    assert_eq!(msgs("FROM a AS 1x\n").len(), 1);
    assert_eq!(
        msgs("FROM a\nCOPY --frm=x a b\n"),
        vec!["unknown flag: frm"]
    );
    assert_eq!(msgs("FROM a\nCOPY a\n").len(), 1);
    assert_eq!(msgs("FROM a\nONBUILD ONBUILD RUN x\n").len(), 1);
    assert_eq!(msgs("FROM a\nHEALTHCHECK FOO\n").len(), 1);
}

#[test]
fn instruction_at_line() {
    let f = parse("FROM a\n\nRUN x \\\n  y\nCOPY <<EOF /z\nbody\nEOF\n");
    let at = |l| f.instruction_at(l).map(|i| i.keyword());
    assert_eq!(at(1).as_deref(), Some("FROM"));
    assert_eq!(at(2), None);
    assert_eq!(at(4).as_deref(), Some("RUN"));
    assert_eq!(at(6).as_deref(), Some("COPY"));
    assert_eq!(at(8), None);
}

/// The lean parse (for linting without quoting the source) is the full parse without the joined
/// lines and comments, heredocs, continuations, ONBUILD and errors included.
#[test]
fn the_lean_parse_is_the_full_parse_without_the_text() {
    let src = "# syntax=docker/dockerfile:1\n# a comment\nFROM busybox AS b\nRUN echo a \\\n  # inside\n  && echo b\nCOPY <<EOF /x\nhello\nEOF\nONBUILD RUN --mount=type=cache,target=/c make\nENV A=1 B=2\nBOGUS x\nRUN <<EOT\nunterminated\n";
    let full = parse(src);
    let lean = parse_lean(src);
    assert_eq!(full.errors, lean.errors);
    assert_eq!(full.directives, lean.directives);
    assert_eq!(full.comment_lines, lean.comment_lines);
    assert_eq!(full.instructions.len(), lean.instructions.len());
    for (f, l) in full.instructions.iter().zip(&lean.instructions) {
        let mut f = f.clone();
        f.original = String::new();
        f.comments = Vec::new();
        assert_eq!(&f, l);
    }
    assert!(full.instructions.iter().any(|i| !i.original.is_empty()));
}
