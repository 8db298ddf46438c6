//! Unit tests of the scripts handed to ShellCheck.
use super::*;

fn bodies(src: &str) -> Vec<Vec<String>> {
    let file = crate::dockerfile::parse(src);
    scripts(src, &file)
        .into_iter()
        .map(|s| {
            s.text
                .lines()
                .zip(&s.lines)
                .filter(|(_, n)| **n > 0)
                .map(|(l, n)| format!("{n}:{l}"))
                .collect()
        })
        .collect()
}

#[test]
fn the_instruction_word_and_flags_are_blanked_on_multi_line_runs() {
    let src = "FROM debian:12\nRUN if [ -f a ]; then \\\n  echo a; \\\n  fi\n";
    assert_eq!(
        bodies(src),
        [vec![
            "2:    if [ -f a ]; then \\",
            "3:  echo a; \\",
            "4:  fi"
        ]]
    );
    let src = "FROM debian:12\nRUN --mount=type=cache,target=/c \\\n    --network=none \\\n  # note\n    make\nONBUILD RUN  ls\n";
    assert_eq!(
        bodies(src),
        [
            vec![
                "2:                                 \\",
                "3:                   \\",
                "5:    make"
            ],
            vec!["6:             ls"],
        ]
    );
}

#[test]
fn blanks_after_the_escape_character_still_continue_the_line() {
    let src = "FROM debian:12\nRUN yum install a \\  \n  b\n";
    assert_eq!(bodies(src), [vec!["2:    yum install a \\", "3:  b"]]);
    let src = "# escape=`\nFROM debian:12\nRUN echo a `\n  b\n";
    assert_eq!(bodies(src), [vec!["3:    echo a \\", "4:  b"]]);
}
