//! Per-rule tests: for every rule a case where it fires (at a given line), a case where it stays
//! quiet, and the firing case with `# hadolint ignore=CODE` above that line, where it must not fire.
//! One file per rule family.

use super::config::{LabelType, LintConfig};
use super::*;
use crate::dockerfile::parse;

mod apt;
mod instr;
mod labels;
mod pkg;

fn found(src: &str, config: &LintConfig) -> Vec<(&'static str, usize)> {
    lint_with(&parse(src), config)
        .into_iter()
        .map(|d| (d.code, d.line))
        .collect()
}

/// Inserts a pragma line above 1-based `line`.
fn with_pragma(src: &str, line: usize, code: &str) -> String {
    let mut lines: Vec<&str> = src.lines().collect();
    let pragma = format!("# hadolint ignore={code}");
    lines.insert(line - 1, &pragma);
    lines.join("\n") + "\n"
}

/// `(code, firing source, line, quiet source)`.
type Case = (&'static str, &'static str, usize, &'static str);

fn check_with(cases: &[Case], config: &LintConfig) {
    for &(code, bad, line, good) in cases {
        let got = found(bad, config);
        assert!(
            got.contains(&(code, line)),
            "{code} should fire at {line} on:\n{bad}\ngot {got:?}"
        );
        let quiet = found(good, config);
        assert!(
            !quiet.iter().any(|(c, _)| *c == code),
            "{code} should not fire on:\n{good}\ngot {quiet:?}"
        );
        let ignored = with_pragma(bad, line, code);
        let got = found(&ignored, config);
        assert!(
            !got.contains(&(code, line + 1)),
            "{code} should be ignored on:\n{ignored}\ngot {got:?}"
        );
    }
}

fn check(cases: &[Case]) {
    check_with(cases, &LintConfig::default());
}

#[test]
fn stage_rules() {
    check(&[
        (
            "DL3006",
            "FROM debian\n",
            1,
            "FROM debian:12\nFROM scratch\nFROM debian:12 AS b\nFROM b\nFROM x@sha256:ab\n",
        ),
        (
            "DL3007",
            "FROM x:1\nFROM debian:latest\n",
            2,
            "FROM debian:12\nFROM debian:latest@sha256:ab\n",
        ),
        (
            "DL3024",
            "FROM a:1 AS b\nFROM c:1 AS b\n",
            2,
            "FROM a:1 AS b\nFROM c:1 AS d\n",
        ),
        (
            "DL3029",
            "FROM --platform=linux/amd64 debian:12\n",
            1,
            "FROM --platform=$BUILDPLATFORM debian:12\n",
        ),
        (
            "DL3063",
            "FROM debian:12 AS context\n",
            1,
            "FROM debian:12 AS ctx\n",
        ),
        (
            "DL3065",
            "FROM --platform=${TARGETPLATFORM} debian:12\n",
            1,
            "FROM debian:12\n",
        ),
        (
            "DL3022",
            "FROM a:1\nCOPY --from=build /a /a\n",
            2,
            "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /a /a\nCOPY --from=0 /a /a\nCOPY --from=nginx:1 /a /a\n",
        ),
        (
            "DL3023",
            "FROM a:1 AS app\nCOPY --from=app /a /a\n",
            2,
            "FROM a:1 AS build\nFROM b:1 AS app\nCOPY --from=build /a /a\n",
        ),
        (
            "DL3002",
            "FROM a:1\nUSER app\nUSER root\n",
            3,
            "FROM a:1\nUSER root\nRUN x\nUSER app\n",
        ),
        (
            "DL3066",
            "FROM a:1\nUSER app\n",
            2,
            "FROM a:1\nARG UID\nUSER 1000:1000\nUSER $UID\n",
        ),
    ]);
}

#[test]
fn order_and_instruction_count_rules() {
    check(&[
        (
            "DL3000",
            "FROM a:1\nWORKDIR app\n",
            2,
            "FROM a:1\nWORKDIR /app\nWORKDIR $HOME\nWORKDIR C:\\\\x\n",
        ),
        (
            "DL3012",
            "FROM a:1\nHEALTHCHECK CMD [\"a\"]\nHEALTHCHECK NONE\n",
            3,
            "FROM a:1\nHEALTHCHECK NONE\nFROM b:1\nHEALTHCHECK NONE\n",
        ),
        ("DL3061", "LABEL a=b\nFROM a:1\n", 1, "ARG X=1\nFROM a:$X\n"),
        (
            "DL3043",
            "FROM a:1\nONBUILD FROM b:1\n",
            2,
            "FROM a:1\nONBUILD RUN make\n",
        ),
        (
            "DL4000",
            "FROM a:1\nMAINTAINER me\n",
            2,
            "FROM a:1\nLABEL maintainer=me\n",
        ),
        (
            "DL4003",
            "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n",
            3,
            "FROM a:1\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n",
        ),
        (
            "DL4004",
            "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n",
            3,
            "FROM a:1\nENTRYPOINT [\"a\"]\nFROM b:1\nENTRYPOINT [\"b\"]\n",
        ),
    ]);
}

#[test]
fn ignore_level_rules_fire_only_when_overridden() {
    let mut config = LintConfig::default();
    let healthless = "FROM a:1\nRUN x\n";
    assert!(
        !found(healthless, &config)
            .iter()
            .any(|(c, _)| *c == "DL3057")
    );
    config.overrides.insert("DL3057".into(), Severity::Info);
    config.overrides.insert("DL1001".into(), Severity::Info);
    check_with(
        &[
            (
                "DL3057",
                healthless,
                1,
                "FROM a:1 AS base\nHEALTHCHECK CMD [\"x\"]\nFROM base\n",
            ),
            (
                "DL1001",
                "FROM a:1\n# hadolint ignore=DL3059\nRUN x\n",
                2,
                "FROM a:1\n# a comment\nRUN x\n",
            ),
        ],
        &config,
    );
}

#[test]
fn global_pragma_ignore_list_and_overrides() {
    let src = "# hadolint global ignore=DL3006\nFROM debian\nFROM debian\n";
    assert!(found(src, &LintConfig::default()).is_empty());
    let config = LintConfig {
        ignored: vec!["DL3007".into()],
        overrides: [("DL3006".to_string(), Severity::Error)].into(),
        ..LintConfig::default()
    };
    let d = lint_with(&parse("FROM debian\nFROM debian:latest\n"), &config);
    assert_eq!(
        d.iter().map(|d| (d.code, d.severity)).collect::<Vec<_>>(),
        [("DL3006", Severity::Error)]
    );
    let no_pragmas = LintConfig {
        disable_ignore_pragma: true,
        ..LintConfig::default()
    };
    assert_eq!(found(src, &no_pragmas), [("DL3006", 2), ("DL3006", 3)]);
}

#[test]
fn pragmas_never_hide_parse_errors() {
    let src = "FROM a:1\n# hadolint ignore=DL1000,DH0001\nENV ONLYKEY\n";
    assert!(
        found(src, &LintConfig::default())
            .iter()
            .any(|(c, l)| *c == "DL1000" && *l == 3)
    );
}

#[test]
fn every_rule_has_a_test_case() {
    let sources = [
        include_str!("tests.rs"),
        include_str!("tests/apt.rs"),
        include_str!("tests/pkg.rs"),
        include_str!("tests/instr.rs"),
        include_str!("tests/labels.rs"),
    ]
    .concat();
    for r in RULES
        .iter()
        .filter(|r| !matches!(r.code, "DH0001" | "DH0002"))
    {
        assert!(
            sources.contains(&format!("\"{}\",", r.code)),
            "{} has no case",
            r.code
        );
    }
}

fn schema() -> LintConfig {
    LintConfig {
        label_schema: vec![
            ("author".into(), LabelType::Text),
            ("url".into(), LabelType::Url),
            ("created".into(), LabelType::Rfc3339),
            ("license".into(), LabelType::Spdx),
            ("revision".into(), LabelType::GitHash),
            ("version".into(), LabelType::SemVer),
            ("email".into(), LabelType::Email),
        ],
        strict_labels: true,
        ..LintConfig::default()
    }
}
