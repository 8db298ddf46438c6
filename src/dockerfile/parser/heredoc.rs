//! Heredoc detection (`<<EOF`, `<<-EOF`, `3<<"EOF"`), following BuildKit's `heredocsFromLine`.

use super::Heredoc;

/// Splits `line` into shell words the way BuildKit's shell lexer does for heredoc detection.
/// `raw` keeps quotes and escapes in the words. Returns `None` on an unterminated quote.
fn shell_words(line: &str, raw: bool) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                in_word = true;
                if raw {
                    word.push('\'');
                }
                loop {
                    match chars.next() {
                        None => return None,
                        Some('\'') => break,
                        Some(c) => word.push(c),
                    }
                }
                if raw {
                    word.push('\'');
                }
            }
            '"' => {
                in_word = true;
                if raw {
                    word.push('"');
                }
                loop {
                    match chars.next() {
                        None => return None,
                        Some('"') => break,
                        Some('\\') => {
                            let next = chars.next()?;
                            if raw || !matches!(next, '"' | '\\' | '$' | '`') {
                                word.push('\\');
                            }
                            word.push(next);
                        }
                        Some(c) => word.push(c),
                    }
                }
                if raw {
                    word.push('"');
                }
            }
            '\\' => {
                if raw {
                    word.push('\\');
                }
                match chars.next() {
                    None => break,
                    Some(c) => {
                        in_word = true;
                        word.push(c);
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

fn quote_count(s: &str) -> usize {
    s.chars().filter(|c| *c == '\'' || *c == '"').count()
}

/// Parses one word as a heredoc opener (`^(\d*)<<(-?)([^<]*)$`), returning `None` if it is not one.
pub(crate) fn parse_heredoc(word: &str) -> Option<Heredoc> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let file_descriptor = word[..digits].parse::<u32>().unwrap_or(0);
    let words = shell_words(rest, false)?;
    if words.len() != 1 {
        return None;
    }
    let raw = shell_words(rest, true)?;
    let name = words.into_iter().next()?;
    let expand = raw.first().map(|r| quote_count(r)) == Some(quote_count(&name));
    Some(Heredoc {
        name,
        file_descriptor,
        expand,
        chomp,
        content: String::new(),
    })
}

/// All heredoc openers on a logical line, in order.
pub(crate) fn heredocs_from_line(line: &str) -> Vec<Heredoc> {
    // An opener is a raw word holding `<<`: a line without it has none (most lines).
    if !line.contains("<<") {
        return Vec::new();
    }
    shell_words(line, true)
        .unwrap_or_default()
        .iter()
        .filter_map(|w| parse_heredoc(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_heredocs() {
        let docs = heredocs_from_line("RUN cat <<EOF <<-\"EOT\" 3<<'X Y'");
        let names: Vec<_> = docs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, vec!["EOF", "EOT", "X Y"]);
        assert!(docs[0].expand && !docs[0].chomp);
        assert!(!docs[1].expand && docs[1].chomp);
        assert_eq!(docs[2].file_descriptor, 3);
    }

    #[test]
    fn not_heredocs() {
        assert!(heredocs_from_line("RUN cat<<EOF").is_empty());
        assert!(heredocs_from_line("RUN echo '<<EOF'").is_empty());
        assert!(heredocs_from_line("RUN echo <<").is_empty());
        assert!(heredocs_from_line("RUN echo \"unterminated <<EOF").is_empty());
    }
}
