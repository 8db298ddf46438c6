//! A small shell model for lint rules, shaped like hadolint's (`Hadolint.Shell`): a script is the
//! list of simple commands it contains (inside `if`/`for`/`$(…)` too), each with its name, its
//! arguments (quotes removed, `$VAR` kept as `${VAR}`) and the flags found in them.

/// One simple command: `name arg…` (leading `VAR=value` assignments and redirections dropped).
/// Flags are read from the arguments when asked: `-abc` gives `a`, `b`, `c`, `--opt=value` gives
/// `opt` (hadolint's `getAllFlags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    /// The command word, as written (`apt-get`, `/usr/bin/wget`).
    pub name: String,
    /// The words after the name.
    pub args: Vec<String>,
}

impl Cmd {
    fn new(name: String, args: Vec<String>) -> Self {
        Cmd { name, args }
    }

    /// `(flag, index of the argument it came from)`.
    pub fn flags(&self) -> impl Iterator<Item = (&str, usize)> {
        self.args.iter().enumerate().flat_map(|(i, a)| {
            let (long, short) = if a == "-" || a == "--" {
                (None, "")
            } else if let Some(l) = a.strip_prefix("--") {
                (Some(l.split('=').next().unwrap_or_default()), "")
            } else if let Some(s) = a.strip_prefix('-') {
                (None, s)
            } else {
                (None, "")
            };
            long.into_iter()
                .chain(
                    short
                        .char_indices()
                        .map(move |(j, c)| &short[j..j + c.len_utf8()]),
                )
                .map(move |f| (f, i))
        })
    }

    /// hadolint's `cmdHasArgs`: the command is `name` and one of its words is in `args`.
    pub fn has_args(&self, name: &str, args: &[&str]) -> bool {
        self.name == name && self.args.iter().any(|a| args.contains(&a.as_str()))
    }

    /// [`Cmd::has_args`] for any of several names.
    pub fn names_have_args(&self, names: &[&str], args: &[&str]) -> bool {
        names.contains(&self.name.as_str()) && self.args.iter().any(|a| args.contains(&a.as_str()))
    }

    /// Whether a word starts with `prefix`.
    pub fn has_prefix_arg(&self, name: &str, prefix: &str) -> bool {
        self.name == name && self.args.iter().any(|a| a.starts_with(prefix))
    }

    /// Whether a word equals `arg`.
    pub fn has_arg(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a == arg)
    }

    /// How many times a flag is given.
    pub fn count_flag(&self, flag: &str) -> usize {
        self.flags().filter(|(f, _)| *f == flag).count()
    }

    /// Whether a flag is given.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.count_flag(flag) > 0
    }

    /// Whether any of the flags is given.
    pub fn has_any_flag(&self, flags: &[&str]) -> bool {
        self.flags().any(|(f, _)| flags.contains(&f))
    }

    fn is_flag_word(&self, i: usize) -> bool {
        let a = &self.args[i];
        a.starts_with('-') && a != "-" && a != "--" && a.len() > 1
    }

    /// The words that are not flags (hadolint's `getArgsNoFlags`).
    pub fn args_no_flags(&self) -> Vec<&str> {
        (0..self.args.len())
            .filter(|i| !self.is_flag_word(*i))
            .map(|i| self.args[i].as_str())
            .collect()
    }

    /// The command without the value words of the given flags (hadolint's `dropFlagArg`: the word
    /// after such a flag, unless the flag carries `=value`).
    pub fn drop_flag_arg(&self, flags: &[&str]) -> Cmd {
        let drop: Vec<usize> = self
            .flags()
            .filter(|(f, i)| flags.contains(f) && !self.args[*i].contains('='))
            .map(|(_, i)| i + 1)
            .collect();
        Cmd {
            name: self.name.clone(),
            args: (0..self.args.len())
                .filter(|i| !drop.contains(i))
                .map(|i| self.args[i].clone())
                .collect(),
        }
    }

    /// The values given to a flag (`useradd -u 1000` gives `["1000"]` for `u`).
    pub fn flag_values(&self, flag: &str) -> Vec<&str> {
        self.flags()
            .filter(|(f, _)| *f == flag)
            .filter_map(|(_, i)| self.args.get(i + 1).map(String::as_str))
            .collect()
    }
}

/// A parsed script: its commands in order and whether it has a pipe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Simple commands, outer ones before the ones substituted into them.
    pub cmds: Vec<Cmd>,
    /// Whether a `|` pipe appears.
    pub has_pipes: bool,
}

impl Script {
    /// Whether any command is named `prog`.
    pub fn uses(&self, prog: &str) -> bool {
        self.cmds.iter().any(|c| c.name == prog)
    }

    /// Whether no command satisfies `f`.
    pub fn none(&self, f: impl Fn(&Cmd) -> bool) -> bool {
        !self.cmds.iter().any(f)
    }

    /// Index of the first command satisfying `f`.
    pub fn index(&self, f: impl Fn(&Cmd) -> bool) -> Option<usize> {
        self.cmds.iter().position(f)
    }
}

/// Words that open or close a compound command; the next word starts a command.
const RESERVED: [&str; 13] = [
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
];

/// Where the lexer is inside a `case … esac`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    /// `case WORD` before `in`.
    Head,
    /// A pattern list (`a|b)`): words are patterns, `|` is not a pipe.
    Pattern,
    /// The commands of a branch, up to `;;`.
    Body,
}

#[derive(Default)]
struct Lexer {
    cmds: Vec<Cmd>,
    cases: Vec<Case>,
    nested: Vec<String>,
    cur: Vec<String>,
    word: String,
    in_word: bool,
    pipes: bool,
    skip_until_sep: bool,
    redirect_next: bool,
}

impl Lexer {
    fn flush_word(&mut self) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        let w = std::mem::take(&mut self.word);
        if self.redirect_next {
            self.redirect_next = false;
            return;
        }
        match self.cases.last_mut() {
            Some(c @ Case::Head) => {
                if w == "in" {
                    *c = Case::Pattern;
                }
                return;
            }
            Some(Case::Pattern) => {
                if w == "esac" {
                    self.cases.pop();
                }
                return;
            }
            _ => {}
        }
        if self.skip_until_sep {
            if w == "do" {
                self.skip_until_sep = false;
            }
            return;
        }
        if self.cur.is_empty() {
            if RESERVED.contains(&w.as_str()) {
                return;
            }
            if w == "case" {
                self.cases.push(Case::Head);
                return;
            }
            if w == "esac" && self.cases.last() == Some(&Case::Body) {
                self.cases.pop();
                return;
            }
            if w == "for" || w == "select" {
                self.skip_until_sep = true;
                return;
            }
        }
        self.cur.push(w);
    }

    fn end_command(&mut self) {
        self.flush_word();
        self.redirect_next = false;
        let mut words = std::mem::take(&mut self.cur);
        let first = words.iter().position(|w| !is_assignment(w));
        if let Some(i) = first {
            let args = words.split_off(i + 1);
            if let Some(name) = words.pop()
                && !name.starts_with("${")
                && !name.ends_with(')')
            {
                self.cmds.push(Cmd::new(name, args));
            }
        }
        // The buffer keeps its capacity for the next command.
        words.clear();
        self.cur = words;
        let nested = std::mem::take(&mut self.nested);
        for inner in nested {
            let script = parse(&inner);
            self.pipes |= script.has_pipes;
            self.cmds.extend(script.cmds);
        }
    }

    fn in_pattern(&self) -> bool {
        self.cases.last() == Some(&Case::Pattern)
    }

    /// `;;`, `;&` or `;;&` ends a `case` branch: the next words are a pattern.
    fn end_branch(&mut self, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> bool {
        if self.cases.last() != Some(&Case::Body) || !matches!(chars.peek(), Some(';' | '&')) {
            return false;
        }
        chars.next();
        chars.next_if_eq(&'&');
        self.separator();
        if let Some(c) = self.cases.last_mut() {
            *c = Case::Pattern;
        }
        true
    }

    fn separator(&mut self) {
        self.end_command();
        self.skip_until_sep = false;
    }
}

fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty()
            && !k.starts_with(|c: char| c.is_ascii_digit())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Reads `$(…)` or `` `…` `` content (the opening already consumed) up to its matching end.
fn read_nested(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, backtick: bool) -> String {
    let mut depth = 1;
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '`' if backtick => break,
            '(' if !backtick => depth += 1,
            ')' if !backtick => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push('\\');
                    out.push(n);
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Reads a `$…` expansion (the `$` already consumed) into the word as `${…}`; command substitutions
/// are kept for parsing after the current command.
fn dollar(lx: &mut Lexer, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    lx.in_word = true;
    match chars.peek().copied() {
        Some('(') => {
            chars.next();
            if chars.peek() == Some(&'(') {
                chars.next();
                read_nested(chars, false);
                lx.word.push_str("${VAR}");
            } else {
                let inner = read_nested(chars, false);
                lx.word.push_str("${");
                lx.word.push_str(inner.trim());
                lx.word.push('}');
                lx.nested.push(inner);
            }
        }
        Some('{') => {
            chars.next();
            lx.word.push_str("${");
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
                lx.word.push(c);
            }
            lx.word.push('}');
        }
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => {
            lx.word.push_str("${");
            while let Some(c) = chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
                lx.word.push(c);
            }
            lx.word.push('}');
        }
        Some(c) if "?#@*!$-".contains(c) => {
            chars.next();
            lx.word.push_str("${");
            lx.word.push(c);
            lx.word.push('}');
        }
        _ => lx.word.push('$'),
    }
}

fn double_quoted(lx: &mut Lexer, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    lx.in_word = true;
    while let Some(n) = chars.next() {
        match n {
            '"' => break,
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(e) if "\"\\$`".contains(e) => lx.word.push(e),
                Some(e) => {
                    lx.word.push('\\');
                    lx.word.push(e);
                }
            },
            '$' => dollar(lx, chars),
            '`' => {
                let inner = read_nested(chars, true);
                lx.word.push_str("${VAR}");
                lx.nested.push(inner);
            }
            _ => lx.word.push(n),
        }
    }
}

/// Handles `>`, `<`, `>>`, `2>&1`, `&>`: the redirection and its target are not arguments.
fn redirect(lx: &mut Lexer, c: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if lx.in_word && lx.word.chars().all(|d| d.is_ascii_digit()) {
        lx.word.clear();
        lx.in_word = false;
    } else {
        lx.flush_word();
    }
    while let Some(&n) = chars.peek() {
        if n == '>' || n == '<' || n == '|' || (c == '>' && n == '&') {
            chars.next();
        } else {
            break;
        }
    }
    if chars
        .peek()
        .is_some_and(|d| d.is_ascii_digit() || *d == '-')
    {
        // `>&2`, `2>&1`, `>&-`: the target is a descriptor.
        while chars
            .peek()
            .is_some_and(|d| d.is_ascii_digit() || *d == '-')
        {
            chars.next();
        }
        return;
    }
    lx.redirect_next = true;
}

/// Parses a script into its commands. Comments are dropped; a line ending in `\` continues.
pub fn parse(script: &str) -> Script {
    let mut lx = Lexer::default();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                lx.in_word = true;
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    lx.word.push(n);
                }
            }
            '"' => double_quoted(&mut lx, &mut chars),
            '$' => dollar(&mut lx, &mut chars),
            '`' => {
                let inner = read_nested(&mut chars, true);
                lx.in_word = true;
                lx.word.push_str("${VAR}");
                lx.nested.push(inner);
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(e) => {
                    lx.in_word = true;
                    lx.word.push(e);
                }
            },
            '#' if !lx.in_word => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                lx.separator();
            }
            '>' | '<' => redirect(&mut lx, c, &mut chars),
            '|' | '(' if lx.in_pattern() => lx.flush_word(),
            ')' if lx.in_pattern() => {
                lx.flush_word();
                if let Some(c) = lx.cases.last_mut() {
                    *c = Case::Body;
                }
            }
            ';' if lx.end_branch(&mut chars) => {}
            '|' => {
                if chars.peek() == Some(&'|') {
                    chars.next();
                } else {
                    lx.pipes = true;
                    if chars.peek() == Some(&'&') {
                        chars.next();
                    }
                }
                lx.separator();
            }
            '&' if chars.peek() == Some(&'>') => {
                chars.next();
                redirect(&mut lx, '>', &mut chars);
            }
            ';' | '&' | '\n' | '(' | ')' => lx.separator(),
            c if c.is_whitespace() => lx.flush_word(),
            c => {
                lx.in_word = true;
                lx.word.push(c);
            }
        }
    }
    lx.separator();
    let mut cmds = lx.cmds;
    cmds.shrink_to_fit();
    Script {
        cmds,
        has_pipes: lx.pipes,
    }
}

/// The script a RUN instruction executes, as hadolint reads it: the shell-form text (the exec form
/// joined with spaces) followed by the heredoc bodies.
pub fn run_script(inst: &super::Instruction) -> String {
    let mut s = inst.args.join(" ");
    for doc in &inst.heredocs {
        s.push('\n');
        s.push_str(&doc.content);
    }
    s
}

#[cfg(test)]
#[path = "shell_tests.rs"]
mod tests;
