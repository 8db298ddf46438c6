//! `.dockerignore` matching with Docker's own rules (moby/patternmatcher and
//! moby/patternmatcher/ignorefile): `*`, `?`, `[...]`, `**`, `!` exceptions (last match wins), a
//! leading `/` ignored, patterns cleaned like Go's `filepath.Clean`, and a path excluded when it or
//! any parent directory matches.

use regex::Regex;

/// Errors in `.dockerignore` patterns.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IgnoreError {
    /// A lone `!`.
    #[error("illegal exclusion pattern: \"!\"")]
    LoneExclamation,
    /// A pattern Go's `filepath.Match` rejects.
    #[error("syntax error in pattern: {0}")]
    BadPattern(String),
}

/// Go's `path.Clean` for slash-separated paths.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Checks a pattern's syntax the way Go's `filepath.Match` does.
fn valid_glob(p: &str) -> bool {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    // Reads one possibly escaped class character; `None` when invalid.
    let get_esc = |i: &mut usize| -> Option<()> {
        let c = *chars.get(*i)?;
        if c == '-' || c == ']' {
            return None;
        }
        if c == '\\' {
            *i += 1;
            chars.get(*i)?;
        }
        *i += 1;
        Some(())
    };
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return false;
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut nrange = 0;
                loop {
                    if chars.get(i) == Some(&']') && nrange > 0 {
                        i += 1;
                        break;
                    }
                    if get_esc(&mut i).is_none() {
                        return false;
                    }
                    if chars.get(i) == Some(&'-') {
                        i += 1;
                        if get_esc(&mut i).is_none() {
                            return false;
                        }
                    }
                    nrange += 1;
                }
            }
            _ => i += 1,
        }
    }
    true
}

#[derive(Debug, Clone)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regexp(Regex),
}

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    cleaned: String,
    exclusion: bool,
    kind: Kind,
}

impl Pattern {
    /// The cleaned pattern text (without `!`).
    pub fn as_str(&self) -> &str {
        &self.cleaned
    }

    /// Whether this is an `!` exception.
    pub fn is_exclusion(&self) -> bool {
        self.exclusion
    }

    fn compile(cleaned: String, exclusion: bool) -> Result<Self, IgnoreError> {
        #[derive(PartialEq)]
        enum T {
            Exact,
            Prefix,
            Suffix,
            Regexp,
        }
        let chars: Vec<char> = cleaned.chars().collect();
        let mut re = String::from("^");
        let mut t = T::Exact;
        let mut pos = 0;
        let mut i = 0;
        while pos < chars.len() {
            let ch = chars[pos];
            pos += 1;
            if ch == '*' {
                if chars.get(pos) == Some(&'*') {
                    pos += 1;
                    if chars.get(pos) == Some(&'/') {
                        pos += 1;
                    }
                    if pos >= chars.len() {
                        if t == T::Exact {
                            t = T::Prefix;
                        } else {
                            re.push_str(".*");
                            t = T::Regexp;
                        }
                    } else {
                        re.push_str("(.*/)?");
                        t = T::Regexp;
                    }
                    if i == 0 {
                        t = T::Suffix;
                    }
                } else {
                    re.push_str("[^/]*");
                    t = T::Regexp;
                }
            } else if ch == '?' {
                re.push_str("[^/]");
                t = T::Regexp;
            } else if ".+()|{}$".contains(ch) {
                re.push('\\');
                re.push(ch);
            } else if ch == '\\' {
                if pos < chars.len() {
                    re.push('\\');
                    re.push(chars[pos]);
                    pos += 1;
                    t = T::Regexp;
                } else {
                    re.push_str("\\\\");
                }
            } else if ch == '[' || ch == ']' {
                re.push(ch);
                t = T::Regexp;
            } else {
                re.push(ch);
            }
            i += 1;
        }
        let kind = match t {
            T::Exact => Kind::Exact,
            T::Prefix => Kind::Prefix,
            T::Suffix => Kind::Suffix,
            T::Regexp => {
                re.push('$');
                Kind::Regexp(Regex::new(&re).map_err(|_| IgnoreError::BadPattern(cleaned.clone()))?)
            }
        };
        Ok(Pattern { cleaned, exclusion, kind })
    }

    /// Whether the (slash-separated, cleaned) path matches this pattern exactly.
    pub fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.cleaned,
            Kind::Prefix => path.starts_with(&self.cleaned[..self.cleaned.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.cleaned[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|s| path == s)
            }
            Kind::Regexp(re) => re.is_match(path),
        }
    }
}

/// A compiled `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

/// Reads `.dockerignore` contents into patterns like `ignorefile.ReadAll`: comments and blank lines
/// dropped, whitespace trimmed, paths cleaned, a leading `/` removed, `!` kept.
pub fn read_patterns(contents: &str) -> Vec<String> {
    let contents = contents.strip_prefix('\u{feff}').unwrap_or(contents);
    let mut out = Vec::new();
    for line in contents.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut p = line.trim();
        if p.is_empty() {
            continue;
        }
        let invert = p.starts_with('!');
        if invert {
            p = p[1..].trim();
        }
        let mut pattern = String::new();
        if !p.is_empty() {
            pattern = clean_path(p);
            if pattern.len() > 1 && pattern.starts_with('/') {
                pattern.remove(0);
            }
        }
        out.push(if invert { format!("!{pattern}") } else { pattern });
    }
    out
}

impl DockerIgnore {
    /// Compiles patterns like `patternmatcher.New`.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, IgnoreError> {
        let mut out = Vec::new();
        for p in patterns {
            let p = p.as_ref().trim();
            if p.is_empty() {
                continue;
            }
            let p = clean_path(p);
            let (exclusion, body) = match p.strip_prefix('!') {
                Some("") => return Err(IgnoreError::LoneExclamation),
                Some(rest) => (true, rest.to_string()),
                None => (false, p),
            };
            if !valid_glob(&body) {
                return Err(IgnoreError::BadPattern(body));
            }
            out.push(Pattern::compile(body, exclusion)?);
        }
        Ok(DockerIgnore { patterns: out })
    }

    /// Parses `.dockerignore` contents.
    pub fn parse(contents: &str) -> Result<Self, IgnoreError> {
        Self::new(&read_patterns(contents))
    }

    /// The compiled patterns.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Whether any pattern is an `!` exception.
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// `MatchesOrParentMatches`: whether `path` (slash-separated, relative to the context) is
    /// excluded, a pattern applying when it matches the path or any of its parent directories.
    pub fn matches(&self, path: &str) -> bool {
        let file = clean_path(path);
        if file == "." {
            return false;
        }
        let parents: Vec<&str> = match file.rfind('/') {
            Some(i) => file[..i].split('/').collect(),
            None => Vec::new(),
        };
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(&file);
            if !hit {
                hit = (1..=parents.len()).any(|n| pattern.matches(&parents[..n].join("/")));
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// `MatchesExact`: no parent matching.
    pub fn matches_exact(&self, path: &str) -> bool {
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            if pattern.matches(path) {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// Whether an excluded directory can be skipped without walking it: true unless some `!`
    /// exception could re-include something below it. A literal exception (`!vendor/keep.txt`)
    /// counts when it lies under the directory, as in Docker's archive walker; an exception with
    /// wildcards (`!app/**/*.py`) counts when its literal prefix is compatible with the directory,
    /// as in BuildKit's file walker, so such exceptions work at any depth.
    pub fn can_skip_dir(&self, dir: &str) -> bool {
        let dir_slash = format!("{dir}/");
        !self.patterns.iter().filter(|p| p.exclusion).any(|p| {
            let pattern = p.cleaned.as_str();
            match pattern.find(['*', '?', '[', '\\']) {
                None => format!("{pattern}/").starts_with(&dir_slash),
                Some(i) => {
                    let literal = &pattern[..i];
                    dir_slash.starts_with(literal) || literal.starts_with(&dir_slash)
                }
            }
        })
    }

    /// Adds `!.dockerignore` and `!<dockerfile>` exceptions when the patterns exclude them, as the
    /// Docker CLI does (`TrimBuildFilesFromExcludes`): both are always sent.
    pub fn keep_build_files(mut self, dockerfile: &str) -> Result<Self, IgnoreError> {
        let legacy_matches = |ig: &DockerIgnore, f: &str| ig.matches_legacy(f);
        if legacy_matches(&self, ".dockerignore") {
            self.patterns.push(Pattern::compile(".dockerignore".into(), true)?);
        }
        if legacy_matches(&self, dockerfile) {
            self.patterns.push(Pattern::compile(clean_path(dockerfile), true)?);
        }
        Ok(self)
    }

    /// The deprecated `Matches` (only the first parent directories, as many as the pattern has
    /// segments), which the CLI still uses for the build files.
    fn matches_legacy(&self, path: &str) -> bool {
        let file = clean_path(path);
        if file == "." {
            return false;
        }
        let parent: Vec<&str> = match file.rfind('/') {
            Some(i) => file[..i].split('/').collect(),
            None => vec!["."],
        };
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(&file);
            let dirs = pattern.cleaned.split('/').count();
            if !hit && parent != ["."] && dirs <= parent.len() {
                hit = pattern.matches(&parent[..dirs].join("/"));
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        matched
    }
}

#[cfg(test)]
mod tests;
