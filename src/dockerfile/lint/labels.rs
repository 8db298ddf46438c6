//! Label-schema rules (hadolint's `label-schema` and `strict-labels` configuration): a required
//! label missing from a stage (DL3049), labels outside the schema (DL3050), empty (DL3051), and
//! values that are not a URL (DL3052), an RFC 3339 time (DL3053), an SPDX identifier (DL3054), a
//! git hash (DL3055), a semantic version (DL3056) or an e-mail address (DL3058).

use std::sync::LazyLock;

use regex::Regex;

use super::base::{parse_from, unquote};
use super::config::{LabelType, LintConfig};
use super::{Findings, Item};

static RFC3339: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$").ok()
});
static SEMVER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$").ok()
});
static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$").ok()
});
static URL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$").ok());

/// SPDX license identifiers accepted for `spdx` labels (the common ones; see the README).
const SPDX: [&str; 40] = [
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-2.0",
    "MS-PL",
    "OFL-1.1",
    "PostgreSQL",
    "Unlicense",
    "Zlib",
];

fn matches(re: &LazyLock<Option<Regex>>, v: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(v))
}

/// Whether `value` conforms to the label type.
pub fn valid(kind: LabelType, value: &str) -> bool {
    match kind {
        LabelType::Text => true,
        LabelType::Url => matches(&URL, value),
        LabelType::Rfc3339 => matches(&RFC3339, value),
        LabelType::Spdx => SPDX.contains(&value),
        LabelType::GitHash => {
            (value.len() == 7 || value.len() == 40)
                && value
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        }
        LabelType::SemVer => matches(&SEMVER, value),
        LabelType::Email => matches(&EMAIL, value),
    }
}

fn value_rules(item: &Item<'_>, config: &LintConfig, out: &mut Findings) {
    let line = item.line();
    let pairs: Vec<(String, String)> = item
        .inst
        .args
        .chunks(2)
        .map(|p| (unquote(&p[0]), unquote(p.get(1).map_or("", String::as_str))))
        .collect();
    if config.strict_labels
        && pairs
            .iter()
            .any(|(k, _)| !config.label_schema.iter().any(|(l, _)| l == k))
    {
        out.push("DL3050", line);
    }
    for (label, kind) in &config.label_schema {
        for (_, v) in pairs.iter().filter(|(k, _)| k == label) {
            if v.is_empty() {
                out.push_msg("DL3051", line, format!("label `{label}` is empty."));
            }
            let (code, what) = match kind {
                LabelType::Text => continue,
                LabelType::Url => ("DL3052", "is not a valid URL."),
                LabelType::Rfc3339 => (
                    "DL3053",
                    "is not a valid time format - must conform to RFC3339.",
                ),
                LabelType::Spdx => ("DL3054", "is not a valid SPDX identifier."),
                LabelType::GitHash => ("DL3055", "is not a valid git hash."),
                LabelType::SemVer => ("DL3056", "does not conform to semantic versioning."),
                LabelType::Email => (
                    "DL3058",
                    "is not a valid email format - must conform to RFC5322.",
                ),
            };
            if !valid(*kind, v) {
                out.push_msg(code, line, format!("Label `{label}` {what}"));
            }
        }
    }
}

/// DL3049 for one required label: stages (by FROM line) that never define it, where a stage built
/// from a good stage is good and a stage copied from (`COPY --from`) is not reported.
fn missing(items: &[Item<'_>], label: &str, out: &mut Findings) {
    // (alias, image, FROM line)
    let mut good: Vec<Option<String>> = Vec::new();
    let mut bad: Vec<(Option<String>, usize)> = Vec::new();
    let mut current: Option<(Option<String>, String, usize)> = None;
    for item in items.iter().filter(|i| !i.onbuild) {
        match item.kw {
            "FROM" => {
                let f = parse_from(item);
                if good.iter().any(|g| g.as_deref() == Some(&f.image)) {
                    good.push(f.alias.clone());
                } else {
                    bad.push((f.alias.clone(), item.line()));
                }
                current = Some((f.alias, f.image, item.line()));
            }
            "COPY" => {
                if let Some(src) = item.inst.flag("from") {
                    bad.retain(|(a, _)| a.as_deref() != Some(src));
                }
            }
            "LABEL"
                if item
                    .inst
                    .args
                    .iter()
                    .step_by(2)
                    .any(|k| unquote(k) == label) =>
            {
                if let Some((alias, image, from_line)) = &current {
                    let name = alias.clone().unwrap_or_else(|| image.clone());
                    bad.retain(|(a, l)| l != from_line && a.as_deref() != Some(name.as_str()));
                    good.push(alias.clone());
                }
            }
            _ => {}
        }
    }
    for (_, line) in bad {
        out.push_msg("DL3049", line, format!("Label `{label}` is missing."));
    }
}

/// Runs this family's rules.
pub(super) fn check(items: &[Item<'_>], config: &LintConfig, out: &mut Findings) {
    if config.label_schema.is_empty() && !config.strict_labels {
        return;
    }
    for item in items.iter().filter(|i| i.is("LABEL")) {
        value_rules(item, config, out);
    }
    for (label, _) in &config.label_schema {
        missing(items, label, out);
    }
}
