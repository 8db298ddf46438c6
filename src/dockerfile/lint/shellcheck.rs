//! ShellCheck on RUN instructions, as hadolint runs it: every shell-form RUN becomes a script with a
//! `#!` line for the shell in effect (SHELL, or `# hadolint shell=…`) and `export NAME=1` for the
//! ARG/ENV names known in its stage (and the proxy variables), and ShellCheck's findings come back
//! as `SCxxxx` diagnostics on the Dockerfile line and column they point at.
//!
//! The RUN scripts of all the files linted together go to one `shellcheck` process per core, each
//! distinct script once, and results are cached by script text. [`check`] blocks; the editor calls
//! [`check_async`] (it runs on tokio's blocking pool) so the UI thread never waits.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;

use super::base::{arg_name, parse_from};
use super::config::LintConfig;
use super::{Diagnostic, Severity};
use crate::dockerfile::parser::{Dockerfile, Instruction};

/// Why ShellCheck findings are missing.
#[derive(Debug, thiserror::Error)]
pub enum ShellcheckError {
    /// No `shellcheck` on `PATH`.
    #[error(
        "shellcheck is not installed: RUN scripts were not checked (install the `shellcheck` package)"
    )]
    NotInstalled,
    /// It ran but failed or printed something unexpected.
    #[error("shellcheck failed: {0}")]
    Failed(String),
}

/// The variables hadolint always exports.
const PROXIES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// One RUN script to check: its text and, per script line, the Dockerfile line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunScript {
    /// The script, starting with its `#!` line and exports.
    pub text: String,
    /// Dockerfile line (1-based) of each script line (0 for the header lines).
    pub lines: Vec<usize>,
}

#[derive(Clone, Default)]
struct Opts {
    shell: String,
    vars: Vec<String>,
}

fn default_opts() -> Opts {
    Opts {
        shell: "/bin/sh -c".to_string(),
        vars: PROXIES.iter().map(|s| s.to_string()).collect(),
    }
}

/// The script of a shell-form RUN, from the source lines, with the instruction word(s) and flags
/// blanked so columns stay those of the Dockerfile, comment lines dropped, and the escape
/// character (with any blanks after it) turned into the shell's `\`.
fn script_body(src_lines: &[&str], inst: &Instruction, escape: char) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut words = if inst.trigger.is_some() { 2 } else { 1 };
    let mut in_head = true;
    for n in inst.start_line..=inst.end_line {
        let Some(raw) = src_lines.get(n - 1) else {
            break;
        };
        let mut text = raw.trim_end_matches(['\r', '\n']).to_string();
        if n > inst.start_line && text.trim_start().starts_with('#') {
            continue;
        }
        if in_head {
            let (len, done) = head_len(&text, &mut words, escape);
            text = " ".repeat(text[..len].chars().count()) + &text[len..];
            in_head = !done;
        }
        let t = text.trim_end();
        if t.ends_with(escape) && (escape != '\\' || t.len() != text.len()) {
            text = format!("{}\\", &t[..t.len() - escape.len_utf8()]);
        }
        out.push((n, text));
    }
    out
}

/// Bytes of `line` that belong to the instruction's head: blanks, the `words` keywords still to
/// skip (RUN, or ONBUILD and RUN), and `--flag` words. `done` is false when the head goes on to
/// the next line (only blanks, or the escape character, are left on this one).
fn head_len(line: &str, words: &mut usize, escape: char) -> (usize, bool) {
    let mut pos = 0;
    loop {
        pos = line.len() - line[pos..].trim_start().len();
        let rest = &line[pos..];
        if rest.is_empty() || rest.trim_end() == escape.to_string() {
            return (pos, false);
        }
        if *words == 0 && !rest.starts_with("--") {
            return (pos, true);
        }
        *words = words.saturating_sub(1);
        pos += rest.find(char::is_whitespace).unwrap_or(rest.len());
    }
}

/// Builds the scripts of every shell-form RUN (ONBUILD RUN too), with hadolint's stage-aware
/// shell and exported variables.
pub fn scripts(source: &str, file: &Dockerfile) -> Vec<RunScript> {
    let src_lines: Vec<&str> = source.split_inclusive('\n').collect();
    // Options by stage index, and the first stage of each alias.
    let mut stages: Vec<Opts> = Vec::new();
    let mut aliases: std::collections::HashMap<String, usize> = Default::default();
    let mut opts = default_opts();
    let mut comments = file.comment_lines.iter().peekable();
    let mut out = Vec::new();
    for inst in &file.instructions {
        while let Some((line, text)) = comments.next_if(|(l, _)| *l < inst.start_line) {
            if let Some(sh) = text.trim().strip_prefix("hadolint shell=") {
                opts.shell = sh.trim().to_string();
            }
            let _ = line;
        }
        let kw = inst.effective_keyword();
        match kw.as_str() {
            "FROM" if inst.trigger.is_none() => {
                let (image, alias) = from_names(inst);
                opts = aliases
                    .get(&image)
                    .and_then(|i| stages.get(*i))
                    .map_or_else(default_opts, Opts::clone);
                if let Some(a) = alias {
                    aliases.entry(a).or_insert(stages.len());
                }
                stages.push(opts.clone());
                continue;
            }
            "ARG" => opts
                .vars
                .extend(inst.args.iter().map(|a| arg_name(a).to_string())),
            "ENV" => opts.vars.extend(inst.args.iter().step_by(2).cloned()),
            "SHELL" => opts.shell = inst.args.join(" "),
            "RUN" if !inst.json && inst.heredocs.is_empty() => {
                if let Some(s) = build(&src_lines, inst, file.escape, &opts) {
                    out.push(s);
                }
            }
            _ => {}
        }
        if let Some(last) = stages.last_mut() {
            *last = opts.clone();
        }
    }
    out
}

fn from_names(inst: &Instruction) -> (String, Option<String>) {
    let item = super::Item {
        inst,
        kw: "FROM",
        onbuild: false,
        script: None,
    };
    let f = parse_from(&item);
    (f.image, f.alias)
}

fn build(src_lines: &[&str], inst: &Instruction, escape: char, opts: &Opts) -> Option<RunScript> {
    if ["pwsh", "powershell", "cmd"]
        .iter()
        .any(|s| opts.shell.contains(s))
    {
        return None;
    }
    let shell = opts.shell.split_whitespace().next().unwrap_or("/bin/sh");
    let mut vars: Vec<&String> = opts.vars.iter().collect();
    vars.sort();
    vars.dedup();
    let mut text = format!("#!{shell}\n");
    let mut lines = vec![0];
    for v in vars
        .iter()
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        text.push_str(&format!("export {v}=1\n"));
        lines.push(0);
    }
    for (n, l) in script_body(src_lines, inst, escape) {
        text.push_str(&l);
        text.push('\n');
        lines.push(n);
    }
    Some(RunScript { text, lines })
}

#[derive(Deserialize)]
struct Json1 {
    comments: Vec<Comment>,
}

#[derive(Deserialize, Clone, Debug)]
struct Comment {
    file: String,
    line: usize,
    column: usize,
    level: String,
    code: u32,
    message: String,
}

/// A `&'static str` for an SC code (each distinct code is allocated once; ShellCheck codes are
/// four digits, so at most a few thousand ever exist).
fn intern(code: u32) -> &'static str {
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let name = format!("SC{code}");
    let Ok(mut set) = CODES.get_or_init(Default::default).lock() else {
        return "SC";
    };
    if let Some(s) = set.get(name.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(name.into_boxed_str());
    set.insert(s);
    s
}

fn temp_dir() -> Result<PathBuf, ShellcheckError> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("dockhand-sc-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| ShellcheckError::Failed(e.to_string()))?;
    Ok(dir)
}

/// Whether the `shellcheck` binary can be run.
pub fn available() -> bool {
    Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs ShellCheck over all RUN scripts of a file and returns its findings as diagnostics
/// (severities from ShellCheck's levels, then `config`'s overrides and ignores; pragmas are applied
/// by the caller).
pub fn check(
    source: &str,
    file: &Dockerfile,
    config: &LintConfig,
) -> Result<Vec<Diagnostic>, ShellcheckError> {
    Ok(check_many(&[(source, file)], config)?
        .pop()
        .unwrap_or_default())
}

/// [`check`] for several files at once: the findings of each file, in the order given. A script
/// is checked once however often it occurs (here or in an earlier call: results are cached by
/// script text), and the scripts left are shared out over one `shellcheck` process per core.
pub fn check_many(
    files: &[(&str, &Dockerfile)],
    config: &LintConfig,
) -> Result<Vec<Vec<Diagnostic>>, ShellcheckError> {
    let mut owners = Vec::new();
    let mut all = Vec::new();
    for (i, (source, file)) in files.iter().enumerate() {
        for s in scripts(source, file) {
            owners.push(i);
            all.push(s);
        }
    }
    let mut out = vec![Vec::new(); files.len()];
    let results = comments_for(&all)?;
    for ((script, comments), owner) in all.iter().zip(&results).zip(owners) {
        out[owner].extend(
            comments
                .iter()
                .filter_map(|c| diagnostic(script, c, config)),
        );
    }
    Ok(out)
}

type Comments = Arc<Vec<Comment>>;

/// Process-wide results by script text (the editor re-checks a file after each edit: only the
/// RUNs that changed go to ShellCheck again).
fn cache() -> &'static Mutex<HashMap<String, Comments>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Comments>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Entries kept before the cache is emptied.
const CACHE_MAX: usize = 4096;

/// ShellCheck's comments on each script, from the cache or from ShellCheck.
fn comments_for(scripts: &[RunScript]) -> Result<Vec<Comments>, ShellcheckError> {
    let mut found: HashMap<&str, Comments> = HashMap::new();
    if let Ok(c) = cache().lock() {
        for s in scripts {
            if let Some(v) = c.get(&s.text) {
                found.insert(&s.text, v.clone());
            }
        }
    }
    let mut todo: Vec<&str> = scripts
        .iter()
        .map(|s| s.text.as_str())
        .filter(|t| !found.contains_key(t))
        .collect();
    todo.sort_unstable();
    todo.dedup();
    if !todo.is_empty() {
        let fresh = run_parallel(&todo)?;
        if let Ok(mut c) = cache().lock() {
            if c.len() + fresh.len() > CACHE_MAX {
                c.clear();
            }
            for (text, comments) in todo.iter().zip(&fresh) {
                c.insert((*text).to_string(), comments.clone());
            }
        }
        found.extend(todo.into_iter().zip(fresh));
    }
    Ok(scripts
        .iter()
        .map(|s| found.get(s.text.as_str()).cloned().unwrap_or_default())
        .collect())
}

/// Scripts per process below which another process is not worth its start-up.
const MIN_PER_PROCESS: usize = 16;

/// Runs ShellCheck on the texts, over as many processes as there are cores (and enough scripts).
fn run_parallel(texts: &[&str]) -> Result<Vec<Comments>, ShellcheckError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let procs = cores.min(texts.len().div_ceil(MIN_PER_PROCESS)).max(1);
    let chunk = texts.len().div_ceil(procs);
    let parts: Vec<Result<Vec<Comments>, ShellcheckError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| scope.spawn(move || run_chunk(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(ShellcheckError::Failed("thread panicked".into())))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(texts.len());
    for p in parts {
        out.extend(p?);
    }
    Ok(out)
}

/// One `shellcheck` process over the texts, written to a private temporary directory.
fn run_chunk(texts: &[&str]) -> Result<Vec<Comments>, ShellcheckError> {
    let dir = temp_dir()?;
    let result = run_in(&dir, texts);
    let _ = std::fs::remove_dir_all(&dir);
    let mut per: Vec<Vec<Comment>> = vec![Vec::new(); texts.len()];
    for (i, c) in result? {
        per[i].push(c);
    }
    Ok(per.into_iter().map(Arc::new).collect())
}

/// Runs ShellCheck on the texts; comments with the index of their text.
fn run_in(dir: &Path, texts: &[&str]) -> Result<Vec<(usize, Comment)>, ShellcheckError> {
    let mut paths = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let p = dir.join(format!("{i}.sh"));
        std::fs::write(&p, text).map_err(|e| ShellcheckError::Failed(e.to_string()))?;
        paths.push(p);
    }
    let out = Command::new("shellcheck")
        .args(["--format=json1", "--norc", "--exclude=2187,1090,1091"])
        .args(&paths)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ShellcheckError::NotInstalled,
            _ => ShellcheckError::Failed(e.to_string()),
        })?;
    // Exit 0: clean, 1: findings; anything else is a failure.
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(ShellcheckError::Failed(
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        ));
    }
    let parsed: Json1 =
        serde_json::from_slice(&out.stdout).map_err(|e| ShellcheckError::Failed(e.to_string()))?;
    Ok(parsed
        .comments
        .into_iter()
        .filter_map(|c| {
            let index = Path::new(&c.file)
                .file_stem()
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|i| *i < texts.len())?;
            Some((index, c))
        })
        .collect())
}

/// A ShellCheck comment on a script as a diagnostic on its Dockerfile line (`None` for the header
/// lines, or a code turned off by the configuration).
fn diagnostic(script: &RunScript, c: &Comment, config: &LintConfig) -> Option<Diagnostic> {
    let line = script
        .lines
        .get(c.line.saturating_sub(1))
        .copied()
        .filter(|l| *l > 0)?;
    let default = match c.level.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => Severity::Style,
    };
    let code = intern(c.code);
    let severity = config.severity(code, Some(default))?;
    Some(Diagnostic {
        code,
        severity,
        line,
        message: c.message.clone(),
        column: Some(c.column),
    })
}

/// [`check`] on tokio's blocking pool, for callers on an async runtime (the editor).
pub async fn check_async(
    source: String,
    config: LintConfig,
) -> Result<Vec<Diagnostic>, ShellcheckError> {
    tokio::task::spawn_blocking(move || {
        let file = crate::dockerfile::parse(&source);
        check(&source, &file, &config)
    })
    .await
    .map_err(|e| ShellcheckError::Failed(e.to_string()))?
}

#[cfg(test)]
#[path = "shellcheck_tests.rs"]
mod tests;
