//! Dockerfile lint rules, with hadolint's codes where one matches (`DLxxxx`) and our own (`DHxxxx`)
//! where hadolint has none. One file per rule family:
//! - [`base`]: FROM/stage rules, WORKDIR, USER, ADD, MAINTAINER;
//! - [`run`]: RUN rules (apt-get, `cd`) and cache-busting order;
//! - [`cmd`]: CMD/ENTRYPOINT form and count, secrets in ENV/ARG.

mod base;
mod cmd;
mod run;
pub mod shell;

use serde::Serialize;

use super::parser::{Dockerfile, Instruction, validate};

/// Diagnostic severity, as hadolint grades them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file will not build or is badly wrong.
    Error,
    /// Likely a mistake.
    Warning,
    /// Worth knowing.
    Info,
    /// Style.
    Style,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        })
    }
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Rule code (`DL3006`, `DL3064`…).
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// 1-based line the finding points at (the instruction's first line).
    pub line: usize,
    /// Human-readable message.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(code: &'static str, severity: Severity, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { code, severity, line, message: message.into() }
    }
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage<'a> {
    /// Zero-based stage index.
    pub index: usize,
    /// The base image (first FROM argument).
    pub base: String,
    /// The stage name (`AS name`), lower-cased.
    pub name: Option<String>,
    /// The FROM instruction.
    pub from: &'a Instruction,
    /// The instructions after FROM, up to the next FROM.
    pub body: Vec<&'a Instruction>,
}

/// Splits a file into its stages (instructions before the first FROM belong to no stage).
pub fn stages(file: &Dockerfile) -> Vec<Stage<'_>> {
    let mut out: Vec<Stage<'_>> = Vec::new();
    for inst in &file.instructions {
        if inst.trigger.is_none() && inst.keyword() == "FROM" {
            let name = (inst.args.len() == 3 && inst.args[1].eq_ignore_ascii_case("as"))
                .then(|| inst.args[2].to_ascii_lowercase());
            out.push(Stage {
                index: out.len(),
                base: inst.args.first().cloned().unwrap_or_default(),
                name,
                from: inst,
                body: Vec::new(),
            });
        } else if let Some(stage) = out.last_mut() {
            stage.body.push(inst);
        }
    }
    out
}

/// Parse and instruction-level errors as error diagnostics (`DL1000` for what BuildKit's parser
/// rejects, `DH0001` for what its instruction checks reject, `DH0002` for its warnings).
fn parse_diagnostics(file: &Dockerfile) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = file
        .errors
        .iter()
        .map(|e| Diagnostic::new("DL1000", Severity::Error, e.line, e.message.clone()))
        .collect();
    out.extend(
        validate::validate(file)
            .into_iter()
            .map(|e| Diagnostic::new("DH0001", Severity::Error, e.line, e.message)),
    );
    out.extend(file.warnings.iter().map(|(line, w)| {
        Diagnostic::new("DH0002", Severity::Warning, *line, format!("{w} (empty continuation lines will become errors)"))
    }));
    out
}

/// Lints a parsed Dockerfile. Diagnostics are sorted by line, then code.
pub fn lint(file: &Dockerfile) -> Vec<Diagnostic> {
    let mut out = parse_diagnostics(file);
    let stages = stages(file);
    base::check(file, &stages, &mut out);
    run::check(&stages, &mut out);
    cmd::check(file, &stages, &mut out);
    out.sort_by(|a, b| (a.line, a.code).cmp(&(b.line, b.code)));
    out.dedup();
    out
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
mod tests;
