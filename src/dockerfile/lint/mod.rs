//! Dockerfile lint rules: all of hadolint's `DLxxxx` rules under its codes, severities and meanings,
//! dockhand's own `DHxxxx` rules where hadolint has none, and ShellCheck (`SCxxxx`) on RUN scripts
//! when the `shellcheck` binary is installed. One file per rule family:
//! - `base`: FROM/stage rules, WORKDIR, USER, HEALTHCHECK, instruction order, ONBUILD;
//! - `apt`: apt-get/apt hygiene and pinning, and dockhand's cache-busting-order rule;
//! - `pkg`: apk, yum, dnf, zypper, pip, npm, gem, go, yarn;
//! - `runmisc`: the other RUN rules (sudo, cd, wget/curl, pipefail, consecutive RUNs…);
//! - `instr`: COPY/ADD/EXPOSE/ENV/ARG/LABEL/CMD/ENTRYPOINT rules;
//! - `labels`: the label-schema rules (DL3049–DL3058);
//! - `pragma`: inline `# hadolint ignore=…` pragmas; `config`: `.hadolint.yaml`;
//! - `explain` / `fix`: the why of each rule and mechanical quick fixes for the editor.

mod apt;
mod base;
pub mod config;
pub mod explain;
pub mod fix;
mod instr;
mod labels;
mod lang;
mod pkg;
mod pragma;
mod rules;
mod runmisc;
pub mod shell;
pub mod shellcheck;

use serde::Serialize;

pub use config::LintConfig;
pub use explain::{Explanation, explain};
pub use fix::{Fix, quick_fix};
pub use rules::{RULES, RuleInfo, rule_info};

use super::parser::{Dockerfile, Instruction, validate};
use shell::Script;

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

impl Severity {
    /// Parses hadolint's names (`error`, `warning`, `info`, `style`).
    pub fn from_name(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            "style" => Some(Severity::Style),
            _ => None,
        }
    }
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
    /// Rule code (`DL3006`, `DH1002`, `SC2086`…).
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// 1-based line the finding points at (the instruction's first line for DL/DH codes).
    pub line: usize,
    /// Human-readable message.
    pub message: String,
    /// 1-based column, when the finding points inside a line (ShellCheck findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Diagnostic {
    pub(crate) fn new(
        code: &'static str,
        severity: Severity,
        line: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            line,
            message: message.into(),
            column: None,
        }
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

/// One instruction as the rules see it: its effective keyword, whether it is an ONBUILD trigger,
/// and for RUN (or a SHELL) its parsed script.
pub(crate) struct Item<'a> {
    pub inst: &'a Instruction,
    pub kw: &'static str,
    pub onbuild: bool,
    pub script: Option<Script>,
}

impl Item<'_> {
    pub fn line(&self) -> usize {
        self.inst.start_line
    }
    /// This item is `kw`, not inside ONBUILD.
    pub fn is(&self, kw: &str) -> bool {
        !self.onbuild && self.kw == kw
    }
}

/// The Dockerfile keywords (the parser's list), so items hold a `&'static str` rather than an
/// allocation each.
use crate::dockerfile::parser::validate::INSTRUCTIONS as KEYWORDS;

fn keyword(word: &str) -> &'static str {
    KEYWORDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(word))
        .copied()
        .unwrap_or("")
}

fn items(file: &Dockerfile) -> Vec<Item<'_>> {
    file.instructions
        .iter()
        .map(|inst| {
            let kw = keyword(inst.trigger.as_deref().unwrap_or(&inst.name));
            let script =
                matches!(kw, "RUN" | "SHELL").then(|| shell::parse(&shell::run_script(inst)));
            Item {
                inst,
                onbuild: inst.trigger.is_some(),
                kw,
                script,
            }
        })
        .collect()
}

/// What rules produce: a code, a line, and a message when it differs from the rule's own.
pub(crate) struct Findings {
    pub list: Vec<(&'static str, usize, Option<String>)>,
}

impl Findings {
    pub fn push(&mut self, code: &'static str, line: usize) {
        self.list.push((code, line, None));
    }
    pub fn push_msg(&mut self, code: &'static str, line: usize, msg: impl Into<String>) {
        self.list.push((code, line, Some(msg.into())));
    }
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
        Diagnostic::new(
            "DH0002",
            Severity::Warning,
            *line,
            format!("{w} (empty continuation lines will become errors)"),
        )
    }));
    out
}

/// Lints a parsed Dockerfile with the default configuration (no ShellCheck). Diagnostics are
/// sorted by line, then code. A comment `# hadolint ignore=CODE,…` right above an instruction
/// silences those codes on it; `# hadolint global ignore=…` silences them everywhere.
pub fn lint(file: &Dockerfile) -> Vec<Diagnostic> {
    lint_with(file, &LintConfig::default())
}

/// Lints a parsed Dockerfile with a configuration (ignored rules, severity overrides, trusted
/// registries, label schema). ShellCheck findings are added by [`shellcheck::check`].
pub fn lint_with(file: &Dockerfile, config: &LintConfig) -> Vec<Diagnostic> {
    let items = items(file);
    let mut found = Findings { list: Vec::new() };
    base::check(&items, &mut found);
    apt::check(file, &items, &mut found);
    pkg::check(&items, &mut found);
    runmisc::check(&items, &mut found);
    instr::check(&items, config, &mut found);
    labels::check(&items, config, &mut found);
    pragma::dl1001(file, &mut found);
    let mut out = parse_diagnostics(file);
    out.extend(found.list.into_iter().filter_map(|(code, line, msg)| {
        let info = rule_info(code)?;
        let severity = config.severity(code, info.severity)?;
        let message = msg.unwrap_or_else(|| info.message.to_string());
        Some(Diagnostic::new(info.code, severity, line, message))
    }));
    finish(file, config, &mut out);
    out
}

/// Applies ignores and pragmas, sorts and deduplicates.
pub(crate) fn finish(file: &Dockerfile, config: &LintConfig, out: &mut Vec<Diagnostic>) {
    out.retain(|d| !config.ignored.iter().any(|c| c == d.code));
    if !config.disable_ignore_pragma {
        pragma::apply(file, out);
    }
    out.sort_by(|a, b| (a.line, a.code, a.column).cmp(&(b.line, b.code, b.column)));
    out.dedup();
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
mod tests;
