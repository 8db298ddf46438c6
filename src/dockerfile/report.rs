//! The machine-readable report `dockhand lint --format json` prints: one object per file.

use serde::Serialize;

use super::lint::Diagnostic;
use super::parser::{Dockerfile, Heredoc, Instruction};

/// One instruction as reported: `flags` and `args` exactly as BuildKit's parser yields them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InstructionReport {
    /// The instruction word as written.
    pub instruction: String,
    /// ONBUILD's trigger instruction, if any.
    pub trigger: Option<String>,
    /// Flags (`--from=build`…).
    pub flags: Vec<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// Exec (JSON) form.
    pub json: bool,
    /// First line, 1-based.
    pub start_line: usize,
    /// Last line, 1-based.
    pub end_line: usize,
    /// Heredocs (`name`, `content`).
    pub heredocs: Vec<Heredoc>,
}

impl From<&Instruction> for InstructionReport {
    fn from(i: &Instruction) -> Self {
        InstructionReport {
            instruction: i.name.clone(),
            trigger: i.trigger.clone(),
            flags: i.flags.clone(),
            args: i.args.clone(),
            json: i.json,
            start_line: i.start_line,
            end_line: i.end_line,
            heredocs: i.heredocs.clone(),
        }
    }
}

/// The report for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given.
    pub file: String,
    /// `null`, or the first error when the file does not parse (BuildKit would refuse it).
    pub error: Option<String>,
    /// Instructions in order.
    pub instructions: Vec<InstructionReport>,
    /// Lint diagnostics, by line.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// A report with the findings only (no instructions), for the formats that print nothing else.
    pub fn findings_only(file: &str, diagnostics: Vec<Diagnostic>) -> Self {
        FileReport {
            file: file.to_string(),
            error: None,
            instructions: Vec::new(),
            diagnostics,
        }
    }

    /// Builds the report for a parsed file and its diagnostics.
    pub fn new(file: &str, parsed: &Dockerfile, diagnostics: Vec<Diagnostic>) -> Self {
        let error = parsed.first_error().map(|e| e.message.clone()).or_else(|| {
            super::parser::validate::validate(parsed)
                .into_iter()
                .next()
                .map(|e| e.message)
        });
        FileReport {
            file: file.to_string(),
            error,
            instructions: parsed
                .instructions
                .iter()
                .map(InstructionReport::from)
                .collect(),
            diagnostics,
        }
    }
}
