//! The why of each rule, for the editor's help pane: [`explain`] gives a short title, the reason,
//! and a bad and a good example for every DL and DH code.

#[path = "explain_table.rs"]
mod table;

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// The rule code.
    pub code: &'static str,
    /// A few words.
    pub title: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A Dockerfile fragment the rule reports.
    pub bad: &'static str,
    /// The same fragment written well.
    pub good: &'static str,
}

/// The explanation of a DL or DH code (`None` for codes dockhand does not define, such as
/// ShellCheck's, whose wiki explains them).
pub fn explain(code: &str) -> Option<Explanation> {
    let i = table::TABLE.binary_search_by(|e| e.0.cmp(code)).ok()?;
    let (code, title, why, bad, good) = table::TABLE[i];
    Some(Explanation {
        code,
        title,
        why,
        bad,
        good,
    })
}

#[cfg(test)]
mod tests {
    use super::super::config::LintConfig;
    use super::super::{RULES, lint_with};
    use super::*;
    use crate::dockerfile::parse;

    #[test]
    fn every_rule_is_explained() {
        for r in RULES.iter() {
            let e = explain(r.code).unwrap_or_else(|| panic!("{} has no explanation", r.code));
            assert!(!e.title.is_empty() && e.why.len() > 20, "{}", r.code);
        }
        assert!(explain("SC2086").is_none());
    }

    /// The bad example of a rule that needs no configuration makes that rule fire, and the good one
    /// does not.
    #[test]
    fn examples_show_the_rule() {
        let skip = [
            "DL1001", "DL3026", "DL3049", "DL3050", "DL3051", "DL3052", "DL3053", "DL3054",
            "DL3055", "DL3056", "DL3057", "DL3058", "DH0001", "DL3061",
        ];
        for r in RULES.iter().filter(|r| !skip.contains(&r.code)) {
            let e = explain(r.code).expect("explained");
            let wrap = |s: &str| format!("FROM debian:12 AS base\n{s}\n");
            let fires = |s: &str| {
                lint_with(&parse(&wrap(s)), &LintConfig::default())
                    .iter()
                    .any(|d| d.code == r.code)
            };
            assert!(
                fires(e.bad),
                "{}: bad example does not fire:\n{}",
                r.code,
                e.bad
            );
            assert!(
                !fires(e.good),
                "{}: good example fires:\n{}",
                r.code,
                e.good
            );
        }
    }
}
