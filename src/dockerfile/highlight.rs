//! Incremental syntax highlighting of Dockerfiles for the editor, with syntect and the syntax in
//! `assets/Dockerfile.sublime-syntax` (embedded; only that syntax is compiled, no default dump).
//!
//! [`Highlighter`] keeps the parser state at the start of every line. After an edit it
//! re-highlights from the first changed line only until the state at the start of a following
//! line equals the cached one, so a keystroke costs a line or two, not the file. Output is per line
//! a list of `(byte range, TokenKind)`; the UI maps [`TokenKind`] to theme colours.

use std::ops::Range;
use std::rc::Rc;
use std::sync::OnceLock;

use syntect::parsing::{
    ParseState, Scope, ScopeStack, SyntaxDefinition, SyntaxSet, SyntaxSetBuilder,
};

const SYNTAX: &str = include_str!("../../assets/Dockerfile.sublime-syntax");

/// What a span of text is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An instruction keyword (`FROM`, `RUN`…).
    Instruction,
    /// Another keyword (`AS`, HEALTHCHECK's `CMD`/`NONE`).
    Keyword,
    /// A flag (`--from=build`, `-y`).
    Flag,
    /// A quoted string or exec-form argument.
    String,
    /// A comment.
    Comment,
    /// A variable reference (`$HOME`, `${VERSION}`).
    Variable,
    /// A key in ENV/LABEL/ARG.
    Key,
    /// Operators and punctuation (`=`, `&&`, `[`, `,`).
    Operator,
    /// A number.
    Number,
    /// A parser directive line (`# syntax=…`).
    Directive,
    /// Heredoc delimiters and bodies.
    Heredoc,
    /// Escapes and line continuations.
    Escape,
    /// A base image reference in FROM.
    Image,
    /// A build stage name (`AS build`).
    StageName,
    /// Something BuildKit will reject (an unknown instruction).
    Invalid,
    /// Anything else.
    Plain,
}

/// Errors from the highlighter (a broken embedded syntax).
#[derive(Debug, thiserror::Error)]
pub enum HighlightError {
    /// The syntax definition did not load.
    #[error("Dockerfile syntax: {0}")]
    Syntax(String),
    /// syntect failed on a line.
    #[error("highlighting: {0}")]
    Parse(String),
}

struct Syntaxes {
    set: SyntaxSet,
    rules: Vec<(Scope, TokenKind)>,
}

fn load_syntaxes() -> Result<Syntaxes, HighlightError> {
    let backtick = SYNTAX
        .replacen("  esc: '\\\\'", "  esc: '`'", 1)
        .replacen(
            "scope: source.dockerfile\n",
            "scope: source.dockerfile.backtick\n",
            1,
        )
        .replacen(
            "name: Dockerfile (dockhand)",
            "name: Dockerfile (dockhand, backtick escape)",
            1,
        );
    let mut builder = SyntaxSetBuilder::new();
    for text in [SYNTAX, backtick.as_str()] {
        let def = SyntaxDefinition::load_from_str(text, true, None)
            .map_err(|e| HighlightError::Syntax(e.to_string()))?;
        builder.add(def);
    }
    let set = builder.build();
    let table = [
        ("comment", TokenKind::Comment),
        // The rest of a heredoc's opening line is not heredoc content.
        ("meta.heredoc-rest", TokenKind::Plain),
        ("meta.directive", TokenKind::Directive),
        ("keyword.control.instruction", TokenKind::Instruction),
        ("invalid", TokenKind::Invalid),
        ("keyword.operator", TokenKind::Operator),
        ("punctuation", TokenKind::Operator),
        ("keyword", TokenKind::Keyword),
        ("variable.parameter", TokenKind::Flag),
        ("variable.other.key", TokenKind::Key),
        ("variable", TokenKind::Variable),
        ("constant.character.escape", TokenKind::Escape),
        ("constant.numeric", TokenKind::Number),
        ("entity.name.tag.heredoc", TokenKind::Heredoc),
        ("string.unquoted.heredoc", TokenKind::Heredoc),
        ("string", TokenKind::String),
        ("entity.name.image", TokenKind::Image),
        ("entity.name.stage", TokenKind::StageName),
    ];
    let mut rules = Vec::with_capacity(table.len());
    for (name, kind) in table {
        rules.push((
            Scope::new(name).map_err(|e| HighlightError::Syntax(format!("{e:?}")))?,
            kind,
        ));
    }
    Ok(Syntaxes { set, rules })
}

fn syntaxes() -> Result<&'static Syntaxes, HighlightError> {
    static CELL: OnceLock<Result<Syntaxes, String>> = OnceLock::new();
    CELL.get_or_init(|| load_syntaxes().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| HighlightError::Syntax(e.clone()))
}

/// Builds the syntax set now (it is otherwise built on first use). Cheap: one small syntax.
pub fn warm_up() -> Result<(), HighlightError> {
    syntaxes().map(|_| ())
}

/// Which escape character the file declares (`# escape=`` at the top switches to backtick).
pub fn declared_escape<S: AsRef<str>>(lines: &[S]) -> char {
    let file = super::parser::parse(
        &lines
            .iter()
            .take_while(|l| l.as_ref().trim_start().starts_with('#'))
            .map(|l| format!("{}\n", l.as_ref()))
            .collect::<String>(),
    );
    file.escape
}

fn classify(stack: &ScopeStack, rules: &[(Scope, TokenKind)]) -> TokenKind {
    for scope in stack.as_slice().iter().rev() {
        if let Some((_, kind)) = rules.iter().find(|(prefix, _)| prefix.is_prefix_of(*scope)) {
            return *kind;
        }
    }
    TokenKind::Plain
}

/// The cached state of one line.
#[derive(Debug, Clone)]
struct LineCache {
    /// xxh3 of the line's text (a change to the line is found without keeping a copy of it).
    hash: u64,
    /// Parser state and scope stack at the start of the line, shared with the neighbouring lines
    /// that start in the same state (most lines of a Dockerfile start at the top level).
    start: Rc<LineState>,
}

fn line_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// An incremental Dockerfile highlighter for one buffer.
#[derive(Debug, Clone)]
pub struct Highlighter {
    lines: Vec<LineCache>,
    /// State after the last line.
    end: Rc<LineState>,
    escape: char,
    initial: ParseState,
    /// Lines highlighted by the last update (for tests and benchmarks).
    last_work: usize,
}

/// `next` as a shared state: `prev` itself when equal (no new allocation for the common case).
fn shared(prev: &Rc<LineState>, next: LineState) -> Rc<LineState> {
    if **prev == next {
        prev.clone()
    } else {
        Rc::new(next)
    }
}

impl Highlighter {
    /// A highlighter for an empty buffer.
    pub fn new() -> Result<Self, HighlightError> {
        let initial = Self::initial_state('\\')?;
        Ok(Highlighter {
            lines: Vec::new(),
            end: Rc::new((initial.clone(), ScopeStack::new())),
            escape: '\\',
            initial,
            last_work: 0,
        })
    }

    fn initial_state(escape: char) -> Result<ParseState, HighlightError> {
        let syn = syntaxes()?;
        let scope = if escape == '`' {
            "source.dockerfile.backtick"
        } else {
            "source.dockerfile"
        };
        let syntax = syn
            .set
            .find_syntax_by_scope(
                Scope::new(scope).map_err(|e| HighlightError::Syntax(format!("{e:?}")))?,
            )
            .ok_or_else(|| HighlightError::Syntax(format!("{scope} missing")))?;
        Ok(ParseState::new(syntax))
    }

    /// Number of lines highlighted by the last [`Highlighter::set_text`] or [`Highlighter::sync`].
    pub fn last_work(&self) -> usize {
        self.last_work
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Tokens of line `i`, whose text is `text` (byte ranges into it, without its newline).
    /// Worked out from the state cached at the line's start, for the lines on screen only: the
    /// highlighter keeps no tokens, so its memory is a few bytes per line.
    pub fn line(&self, i: usize, text: &str) -> Tokens {
        self.lines
            .get(i)
            .and_then(|l| highlight_line(text, &l.start).ok())
            .map(|(tokens, _)| tokens)
            .unwrap_or_default()
    }

    /// Highlights a whole buffer from scratch.
    pub fn set_text<S: AsRef<str>>(&mut self, lines: &[S]) -> Result<(), HighlightError> {
        self.escape = declared_escape(lines);
        self.initial = Self::initial_state(self.escape)?;
        self.lines = Vec::with_capacity(lines.len());
        let mut state = Rc::new((self.initial.clone(), ScopeStack::new()));
        for text in lines {
            let text = text.as_ref();
            let (_, next) = highlight_line(text, &state)?;
            let next = shared(&state, next);
            self.lines.push(LineCache {
                hash: line_hash(text),
                start: state,
            });
            state = next;
        }
        self.end = state;
        self.last_work = lines.len();
        Ok(())
    }

    /// Brings the highlighting up to date with `lines` after an edit anywhere (undo, a fix),
    /// re-highlighting from the first changed line until the parser state converges with the
    /// cached one. Finding the changed lines reads the whole buffer; after a keystroke, whose
    /// change is known to be near the cursor, [`Highlighter::sync_edit`] does not. Returns the
    /// number of lines re-highlighted.
    pub fn sync<S: AsRef<str>>(&mut self, lines: &[S]) -> Result<usize, HighlightError> {
        let prefix = self
            .lines
            .iter()
            .zip(lines)
            .take_while(|(c, n)| c.hash == line_hash(n.as_ref()))
            .count();
        if prefix == self.lines.len() && prefix == lines.len() {
            self.last_work = 0;
            return Ok(0);
        }
        let max_suffix = self.lines.len().min(lines.len()) - prefix;
        let suffix = self
            .lines
            .iter()
            .rev()
            .zip(lines.iter().rev())
            .take(max_suffix)
            .take_while(|(c, n)| c.hash == line_hash(n.as_ref()))
            .count();
        self.resync(lines, prefix, suffix)
    }

    /// Like [`Highlighter::sync`] for an edit the caller knows the extent of: the first `first`
    /// lines and the last `last` lines are the same as before. Costs the changed lines (and the
    /// lines after them whose state changed), whatever the buffer's size.
    pub fn sync_edit<S: AsRef<str>>(
        &mut self,
        lines: &[S],
        first: usize,
        last: usize,
    ) -> Result<usize, HighlightError> {
        let prefix = first.min(self.lines.len()).min(lines.len());
        let suffix = last.min(self.lines.len().min(lines.len()) - prefix);
        self.resync(lines, prefix, suffix)
    }

    /// Re-highlights after lines `prefix..len - suffix` changed.
    fn resync<S: AsRef<str>>(
        &mut self,
        lines: &[S],
        prefix: usize,
        suffix: usize,
    ) -> Result<usize, HighlightError> {
        // A change to the directive lines can switch the escape character: start over.
        let directive_zone = lines
            .iter()
            .take_while(|l| l.as_ref().trim_start().starts_with('#'))
            .count();
        if prefix <= directive_zone && declared_escape(lines) != self.escape {
            self.set_text(lines)?;
            return Ok(self.last_work);
        }
        let old_changed = self.lines.len() - suffix - prefix;
        let new_changed = lines.len() - suffix - prefix;
        // The state at the start of the first changed line depends only on the lines before it.
        let mut state = match self.lines.get(prefix) {
            Some(line) => line.start.clone(),
            None => self.end.clone(),
        };
        let placeholder = LineCache {
            hash: 0,
            start: state.clone(),
        };
        self.lines.splice(
            prefix..prefix + old_changed,
            std::iter::repeat_n(placeholder, new_changed),
        );
        let mut work = 0;
        let mut i = prefix;
        while i < lines.len() {
            let beyond_edit = i >= prefix + new_changed;
            if beyond_edit && *self.lines[i].start == *state {
                break;
            }
            let text = lines[i].as_ref();
            let (_, next) = highlight_line(text, &state)?;
            let next = shared(&state, next);
            self.lines[i] = LineCache {
                hash: line_hash(text),
                start: state,
            };
            state = next;
            work += 1;
            i += 1;
        }
        if i == lines.len() {
            self.end = state;
        }
        self.last_work = work;
        Ok(work)
    }
}

/// Tokens of one line.
pub type Tokens = Vec<(Range<usize>, TokenKind)>;
/// Parser state and scope stack between lines.
type LineState = (ParseState, ScopeStack);

/// Highlights one line from `state`, returning its tokens and the state after it.
fn highlight_line(
    text: &str,
    state: &(ParseState, ScopeStack),
) -> Result<(Tokens, LineState), HighlightError> {
    let syn = syntaxes()?;
    let (mut parse, mut stack) = state.clone();
    let with_nl = format!("{text}\n");
    let ops = parse
        .parse_line(&with_nl, &syn.set)
        .map_err(|e| HighlightError::Parse(e.to_string()))?;
    let mut tokens: Vec<(Range<usize>, TokenKind)> = Vec::new();
    let mut push = |range: Range<usize>, kind: TokenKind| {
        let range = range.start.min(text.len())..range.end.min(text.len());
        if range.is_empty() {
            return;
        }
        match tokens.last_mut() {
            Some((last, k)) if *k == kind && last.end == range.start => last.end = range.end,
            _ => tokens.push((range, kind)),
        }
    };
    let mut pos = 0;
    for (idx, op) in ops {
        if idx > pos {
            push(pos..idx, classify(&stack, &syn.rules));
            pos = idx;
        }
        stack
            .apply(&op)
            .map_err(|e| HighlightError::Parse(format!("{e:?}")))?;
    }
    if pos < text.len() {
        push(pos..text.len(), classify(&stack, &syn.rules));
    }
    Ok((tokens, (parse, stack)))
}

#[cfg(test)]
mod tests;
