//! Output formats of `dockhand lint`, shaped like hadolint's: `tty` (alias `text`), `json`
//! (dockhand's report), `sarif`, `checkstyle`, `gitlab_codeclimate` and `gnu`. Every string from the
//! Dockerfile is made terminal-safe: sanitised in the text formats, and in the JSON/XML formats
//! control, C1 and bidi characters are escaped rather than printed raw.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::lint::{Diagnostic, Severity};
use super::report::FileReport;
use crate::util::sanitize::sanitize;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `FILE:LINE CODE severity: message` (hadolint's tty format).
    #[value(alias = "text")]
    Tty,
    /// dockhand's JSON report (instructions and diagnostics per file).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// Checkstyle XML.
    Checkstyle,
    /// GitLab Code Quality (Code Climate) JSON.
    #[value(name = "gitlab_codeclimate")]
    GitlabCodeclimate,
    /// GNU `program:file:line: message`.
    Gnu,
}

impl Format {
    /// Parses a format name as hadolint's configuration file gives it.
    pub fn from_name(s: &str) -> Option<Format> {
        <Format as clap::ValueEnum>::from_str(s, true).ok()
    }
}

/// Escapes the characters a terminal could act on (C0 and C1 controls, DEL, bidi controls) in
/// serialised JSON text as `\uXXXX`; the JSON value is unchanged.
pub fn escape_json_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_dangerous(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_dangerous(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || (0x7f..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

fn xml(s: &str) -> String {
    sanitize(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn tty(reports: &[FileReport], color: bool) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            let sev = d.severity.to_string();
            let sev = if color {
                let code = match d.severity {
                    Severity::Error => "1;91",
                    Severity::Warning => "1;93",
                    Severity::Info => "92",
                    Severity::Style => "1;94",
                };
                format!("\x1b[{code}m{sev}\x1b[0m")
            } else {
                sev
            };
            out.push_str(&format!(
                "{}:{} {} {}: {}\n",
                sanitize(&r.file),
                d.line,
                d.code,
                sev,
                sanitize(&d.message)
            ));
        }
    }
    out
}

fn gnu(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in &r.diagnostics {
            out.push_str(&format!(
                "dockhand:{}:{}: {} {}: {}\n",
                sanitize(&r.file),
                d.line,
                d.code,
                d.severity,
                sanitize(&d.message)
            ));
        }
    }
    out
}

fn checkstyle(reports: &[FileReport]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><checkstyle version=\"4.3\">");
    for r in reports {
        out.push_str(&format!("<file name=\"{}\">", xml(&r.file)));
        for d in &r.diagnostics {
            out.push_str(&format!(
                "<error column=\"{}\" line=\"{}\" message=\"{}\" severity=\"{}\" source=\"{}\"/>",
                d.column.unwrap_or(1),
                d.line,
                xml(&d.message),
                d.severity,
                d.code
            ));
        }
        out.push_str("</file>");
    }
    out.push_str("</checkstyle>\n");
    out
}

fn sarif(reports: &[FileReport]) -> serde_json::Value {
    let results: Vec<serde_json::Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(move |d| (r, d)))
        .map(|(r, d)| {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "note",
            };
            let col = d.column.unwrap_or(1);
            json!({
                "level": level,
                "ruleId": d.code,
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r.file},
                    "region": {"startLine": d.line, "endLine": d.line, "startColumn": col,
                               "endColumn": col, "sourceLanguage": "dockerfile"}
                }}]
            })
        })
        .collect();
    json!({
        "$schema": "http://json.schemastore.org/sarif-2.1.0",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dockhand",
                "fullName": "dockhand Dockerfile linter (hadolint rules)",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/hadolint/hadolint"
            }},
            "defaultSourceLanguage": "dockerfile",
            "results": results
        }]
    })
}

fn codeclimate_issue(file: &str, d: &Diagnostic) -> serde_json::Value {
    let severity = match d.severity {
        Severity::Error => "blocker",
        Severity::Warning => "major",
        Severity::Info => "info",
        Severity::Style => "minor",
    };
    let issue = json!({
        "type": "issue",
        "check_name": d.code,
        "description": d.message,
        "categories": ["Bug Risk"],
        "location": {"path": file, "lines": {"begin": d.line, "end": d.line}},
        "severity": severity,
    });
    let fingerprint = hex::encode(Sha256::digest(issue.to_string().as_bytes()));
    let mut issue = issue;
    issue["fingerprint"] = json!(fingerprint);
    issue
}

/// Renders reports in a format. `color` applies to `tty` only.
pub fn render(
    format: Format,
    reports: &[FileReport],
    color: bool,
) -> Result<String, serde_json::Error> {
    Ok(match format {
        Format::Tty => tty(reports, color),
        Format::Gnu => gnu(reports),
        Format::Checkstyle => checkstyle(reports),
        Format::Json => escape_json_controls(&serde_json::to_string_pretty(reports)?) + "\n",
        Format::Sarif => escape_json_controls(&serde_json::to_string(&sarif(reports))?) + "\n",
        Format::GitlabCodeclimate => {
            let issues: Vec<serde_json::Value> = reports
                .iter()
                .flat_map(|r| r.diagnostics.iter().map(|d| codeclimate_issue(&r.file, d)))
                .collect();
            escape_json_controls(&serde_json::to_string(&issues)?) + "\n"
        }
    })
}
