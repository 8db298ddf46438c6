//! CMD/ENTRYPOINT rules (DL3025 exec form, DL4003/DL4004 one per stage) and secrets in ENV/ARG
//! names (DL3064).

use super::{Diagnostic, Severity, Stage};
use crate::dockerfile::parser::Dockerfile;

const SECRET_WORDS: [&str; 11] = [
    "apikey", "auth", "credential", "credentials", "key", "password", "passwd", "pword", "secret", "token", "pat",
];

/// Whether an ENV/ARG name looks like it holds a secret (BuildKit's SecretsUsedInArgOrEnv heuristic:
/// a `_`/`-`-separated word of the name is a secret word, and none is `public`).
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['_', '-', '.']).collect();
    let joined_hit = lower.contains("api_key") || lower.contains("access_key") || lower.contains("private_key");
    !words.contains(&"public") && (joined_hit || words.iter().any(|w| SECRET_WORDS.contains(w)))
}

fn secret_rule(file: &Dockerfile, out: &mut Vec<Diagnostic>) {
    for inst in &file.instructions {
        let kw = inst.effective_keyword();
        let names: Vec<String> = match kw.as_str() {
            "ENV" => inst.args.iter().step_by(2).cloned().collect(),
            "ARG" => inst.args.iter().map(|a| a.split('=').next().unwrap_or_default().to_string()).collect(),
            _ => continue,
        };
        let secrets: Vec<&String> = names.iter().filter(|n| looks_secret(n)).collect();
        if !secrets.is_empty() {
            let list = secrets.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
            out.push(Diagnostic::new(
                "DL3064",
                Severity::Warning,
                inst.start_line,
                format!(
                    "Potentially sensitive data should not be used in the `ARG` or `ENV` commands ({kw} {list}): they stay in the image; use RUN --mount=type=secret"
                ),
            ));
        }
    }
}

fn cmd_rules(stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    for stage in stages {
        let mut seen_cmd = false;
        let mut seen_entrypoint = false;
        for inst in stage.body.iter().filter(|i| i.trigger.is_none()) {
            let kw = inst.keyword();
            if kw != "CMD" && kw != "ENTRYPOINT" {
                continue;
            }
            if !inst.json && !inst.args.is_empty() {
                out.push(Diagnostic::new(
                    "DL3025",
                    Severity::Warning,
                    inst.start_line,
                    format!("Use arguments JSON notation for {kw} arguments (exec form: signals reach the process)"),
                ));
            }
            if kw == "CMD" {
                if seen_cmd {
                    out.push(Diagnostic::new(
                        "DL4003",
                        Severity::Warning,
                        inst.start_line,
                        "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
                    ));
                }
                seen_cmd = true;
            } else {
                if seen_entrypoint {
                    out.push(Diagnostic::new(
                        "DL4004",
                        Severity::Error,
                        inst.start_line,
                        "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
                    ));
                }
                seen_entrypoint = true;
            }
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(file: &Dockerfile, stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    secret_rule(file, out);
    cmd_rules(stages, out);
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn secret_names() {
        for n in ["DB_PASSWORD", "GITHUB_TOKEN", "api_key", "AWS_SECRET_ACCESS_KEY", "NPM_AUTH"] {
            assert!(looks_secret(n), "{n}");
        }
        for n in ["PATH", "HOME", "NODE_ENV", "PUBLIC_KEY", "KEYBOARD", "TOKENIZERS_PARALLELISM"] {
            assert!(!looks_secret(n), "{n}");
        }
    }
}
