//! Splitting one logical line into command, flags and arguments, and the word splitters BuildKit uses.
//!
//! These follow BuildKit's `split_command.go` and `line_parsers.go` closely, byte for byte where BuildKit
//! works on bytes, so that flags and arguments come out exactly as BuildKit's parser yields them.

/// `unicode.IsSpace` applied to a single byte reinterpreted as a rune, as Go code that indexes
/// strings byte-wise does.
pub(crate) fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// The `[\t\v\f\r ]` class of BuildKit's `reWhitespace`.
pub(crate) fn is_re_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// Splits on runs of `[\t\v\f\r ]+`, like Go's `regexp.Split(s, n)` (`n` < 0: unlimited).
pub(crate) fn split_re_whitespace(s: &str, n: isize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        if n > 0 && out.len() as isize == n - 1 {
            out.push(rest.to_string());
            return out;
        }
        match rest.find(is_re_whitespace) {
            None => {
                out.push(rest.to_string());
                return out;
            }
            Some(i) => {
                out.push(rest[..i].to_string());
                let after = &rest[i..];
                let skip = after.len() - after.trim_start_matches(is_re_whitespace).len();
                rest = &after[skip..];
            }
        }
    }
}

/// Splits a logical line into `(command, flags, rest)` like BuildKit's `splitCommand`.
pub(crate) fn split_command(line: &str) -> (String, Vec<String>, String) {
    let parts = split_re_whitespace(line.trim(), 2);
    let cmd = parts.first().cloned().unwrap_or_default();
    if parts.len() == 2 {
        let (rest, flags) = extract_builder_flags(&parts[1]);
        (cmd, flags, rest.trim().to_string())
    } else {
        (cmd, Vec::new(), String::new())
    }
}

/// Pushes a byte the way Go's `string(rune(line[pos]))` does: bytes >= 0x80 become Latin-1 runes.
fn push_byte(word: &mut String, b: u8) {
    word.push(char::from(b));
}

/// BuildKit's `extractBuilderFlags`: leading `--flag` words, and the remainder of the line.
pub(crate) fn extract_builder_flags(line: &str) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut ch = 0u8;
    let mut pos = 0usize;
    while pos <= bytes.len() {
        if pos != bytes.len() {
            ch = bytes[pos];
        }
        if phase == Phase::Spaces {
            if pos == bytes.len() {
                break;
            }
            if is_space_byte(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == bytes.len() || bytes[pos + 1] != b'-' {
                return (line[pos..].to_string(), words);
            }
            phase = Phase::Word;
        }
        if (phase == Phase::Word || phase == Phase::Quote) && pos == bytes.len() {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space_byte(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (line[pos..].to_string(), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if ch == b'\\' {
                if pos + 1 == bytes.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = bytes[pos];
            }
            push_byte(&mut word, ch);
            pos += 1;
            continue;
        }
        // In a quote.
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        if ch == b'\\' {
            if pos + 1 == bytes.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            ch = bytes[pos];
        }
        push_byte(&mut word, ch);
        pos += 1;
    }
    (String::new(), words)
}

/// BuildKit's `parseWords`: whitespace-separated words, quotes and escapes preserved.
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0usize;
    while pos <= chars.len() {
        let at_end = pos == chars.len();
        let mut ch = if at_end { '\0' } else { chars[pos] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if ch.is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if (phase == Phase::Word || phase == Phase::Quote) && at_end {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == chars.len() {
                    pos += 1;
                    continue;
                }
                word.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        // In a quote.
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if pos + 1 == chars.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            word.push(ch);
            ch = chars[pos];
        }
        word.push(ch);
        pos += 1;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_split_off() {
        let (cmd, flags, rest) = split_command("COPY --from=x --chown=\"a b\" a b");
        assert_eq!(cmd, "COPY");
        assert_eq!(flags, vec!["--from=x", "--chown=a b"]);
        assert_eq!(rest, "a b");
    }

    #[test]
    fn double_dash_ends_flags() {
        let (_, flags, rest) = split_command("RUN -- --foo");
        assert!(flags.is_empty());
        assert_eq!(rest, "--foo");
    }

    #[test]
    fn words_keep_quotes() {
        assert_eq!(parse_words("a=\"b c\" d", '\\'), vec!["a=\"b c\"", "d"]);
        assert_eq!(parse_words("a\\ b", '\\'), vec!["a\\ b"]);
    }

    #[test]
    fn whitespace_split_limits() {
        assert_eq!(split_re_whitespace("a  b c", 2), vec!["a", "b c"]);
        assert_eq!(split_re_whitespace("a  b c", -1), vec!["a", "b", "c"]);
    }
}
