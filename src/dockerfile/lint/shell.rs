//! A small shell tokenizer for lint rules: splits a script into simple commands and their words.

/// Splits a shell script into simple commands (separated by `&&`, `||`, `;`, `|`, `&`, newlines,
/// and subshell parentheses), each a list of words with quotes removed. Comments are dropped.
pub fn commands(script: &str) -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let flush_word = |cur: &mut Vec<String>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            cur.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    word.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        _ => word.push(n),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(e) => {
                    in_word = true;
                    word.push(e);
                }
            },
            '#' if !in_word => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                flush_word(&mut cur, &mut word, &mut in_word);
                if !cur.is_empty() {
                    cmds.push(std::mem::take(&mut cur));
                }
            }
            ';' | '&' | '|' | '\n' | '(' | ')' => {
                flush_word(&mut cur, &mut word, &mut in_word);
                if !cur.is_empty() {
                    cmds.push(std::mem::take(&mut cur));
                }
            }
            c if c.is_whitespace() => flush_word(&mut cur, &mut word, &mut in_word),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    flush_word(&mut cur, &mut word, &mut in_word);
    if !cur.is_empty() {
        cmds.push(cur);
    }
    cmds
}

/// The words of a command with leading `sudo`, `env` and `VAR=value` assignments skipped.
pub fn program(cmd: &[String]) -> &[String] {
    let mut i = 0;
    while i < cmd.len() {
        let w = &cmd[i];
        let assignment = w.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if w == "sudo" || w == "env" || assignment || (i > 0 && cmd[i - 1] == "sudo" && w.starts_with('-')) {
            i += 1;
        } else {
            break;
        }
    }
    &cmd[i..]
}

/// The script a RUN instruction executes: shell form text, exec form joined, plus heredoc bodies.
pub fn run_script(inst: &super::Instruction) -> String {
    let mut s = inst.args.join(" ");
    for doc in &inst.heredocs {
        s.push('\n');
        s.push_str(&doc.content);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands() {
        let c = commands("apt-get update && apt-get install -y 'a b' ; cd /x || true # c\nrm -rf \"/v\"");
        assert_eq!(c.len(), 5);
        assert_eq!(c[1], vec!["apt-get", "install", "-y", "a b"]);
        assert_eq!(c[2], vec!["cd", "/x"]);
        assert_eq!(c[4], vec!["rm", "-rf", "/v"]);
    }

    #[test]
    fn program_skips_prefixes() {
        let cmd: Vec<String> = ["sudo", "-E", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(program(&cmd)[0], "apt-get");
    }
}
