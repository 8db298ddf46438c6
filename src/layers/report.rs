//! dive-compatible CI rules and report text (`dive --ci` of dive 0.13.1), and the number
//! formatting they need (Go's `%v` for floats, go-humanize's byte sizes).
use super::model::Figures;
use crate::util::sanitize::{sanitize, sanitize_name};

/// Outcome of one CI rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStatus {
    /// The figure is within the threshold.
    Pass,
    /// The figure breaks the threshold (or the threshold is invalid).
    Fail,
    /// The rule is disabled.
    Skip,
}

/// One evaluated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleResult {
    /// dive's rule key, e.g. `lowestEfficiency`.
    pub name: &'static str,
    /// Outcome.
    pub status: RuleStatus,
    /// Why it failed or was skipped (empty on pass).
    pub message: String,
}

/// The three thresholds, as given on the command line (dive's defaults: 0.9, disabled, 0.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    /// `lowestEfficiency`: a ratio 0..1.
    pub lowest_efficiency: String,
    /// `highestWastedBytes`: a byte size like `20MB`.
    pub highest_wasted_bytes: String,
    /// `highestUserWastedPercent`: a ratio 0..1.
    pub highest_user_wasted_percent: String,
}

impl Default for RuleConfig {
    fn default() -> Self {
        Self {
            lowest_efficiency: "0.9".into(),
            highest_wasted_bytes: "disabled".into(),
            highest_user_wasted_percent: "0.1".into(),
        }
    }
}

fn disabled(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "disabled" | "off" | "false"
    )
}

/// Evaluates the rules against the figures, sorted by rule name as dive prints them.
pub fn evaluate(config: &RuleConfig, f: &Figures) -> Vec<RuleResult> {
    let skip = |name| RuleResult {
        name,
        status: RuleStatus::Skip,
        message: "rule disabled".into(),
    };
    let invalid = |name, value: &str, err: String| RuleResult {
        name,
        status: RuleStatus::Fail,
        message: format!("invalid config value ('{value}'): {err}"),
    };
    let pass = |name| RuleResult {
        name,
        status: RuleStatus::Pass,
        message: String::new(),
    };
    let mut out = Vec::with_capacity(3);

    let name = "highestUserWastedPercent";
    let value = config.highest_user_wasted_percent.as_str();
    out.push(if disabled(value) {
        skip(name)
    } else {
        match value.trim().parse::<f64>() {
            Err(e) => invalid(name, value, e.to_string()),
            Ok(t) if t < f.user_wasted_percent => RuleResult {
                name,
                status: RuleStatus::Fail,
                message: format!(
                    "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={} > threshold={})",
                    go_float(f.user_wasted_percent),
                    go_float(t)
                ),
            },
            Ok(_) => pass(name),
        }
    });

    let name = "highestWastedBytes";
    let value = config.highest_wasted_bytes.as_str();
    out.push(if disabled(value) {
        skip(name)
    } else {
        match parse_bytes(value) {
            Err(e) => invalid(name, value, e),
            Ok(t) if f.wasted_bytes > t => RuleResult {
                name,
                status: RuleStatus::Fail,
                message: format!(
                    "too many bytes wasted (wasted-bytes={} > threshold={t})",
                    f.wasted_bytes
                ),
            },
            Ok(_) => pass(name),
        }
    });

    let name = "lowestEfficiency";
    let value = config.lowest_efficiency.as_str();
    out.push(if disabled(value) {
        skip(name)
    } else {
        match value.trim().parse::<f64>() {
            Err(e) => invalid(name, value, e.to_string()),
            Ok(t) if t > f.efficiency => RuleResult {
                name,
                status: RuleStatus::Fail,
                message: format!(
                    "image efficiency is too low (efficiency={} < threshold={})",
                    go_float(f.efficiency),
                    go_float(t)
                ),
            },
            Ok(_) => pass(name),
        }
    });
    out
}

/// Go's `%2.4f` of a ratio ×100 (`NaN`, `+Inf` spelled as Go does).
pub fn percent(ratio: f64) -> String {
    let v = ratio * 100.0;
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v:.4}")
    }
}

/// The three figure lines, byte-for-byte as `dive --ci` prints them.
pub fn figure_lines(f: &Figures) -> String {
    format!(
        "  efficiency: {} %\n  wastedBytes: {} bytes ({})\n  userWastedPercent: {} %\n",
        percent(f.efficiency),
        f.wasted_bytes,
        human_bytes(f.wasted_bytes),
        percent(f.user_wasted_percent)
    )
}

/// The whole `dive --ci` report after the figures: inefficient files, rule results, summary.
/// `color` adds dive's ANSI styling.
pub fn ci_report(f: &Figures, results: &[RuleResult], color: bool) -> String {
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = figure_lines(f);
    out.push_str(&bold("Inefficient Files:"));
    out.push('\n');
    out.push_str(&format!(
        "{:>5}  {:>12}  {}\n",
        "Count", "Wasted Space", "File Path"
    ));
    if f.inefficient.is_empty() {
        out.push_str("None\n");
    }
    for file in &f.inefficient {
        out.push_str(&format!(
            "{:>5}  {:>12}  {}\n",
            file.count,
            human_bytes(file.size),
            sanitize_name(&file.path)
        ));
    }
    out.push_str(&bold("Results:"));
    out.push('\n');
    let (mut pass, mut fail, mut skip) = (0, 0, 0);
    for r in results {
        let status = match r.status {
            RuleStatus::Pass => {
                pass += 1;
                "PASS".to_string()
            }
            RuleStatus::Fail => {
                fail += 1;
                if color {
                    "\x1b[1;7;31mFAIL\x1b[0m".into()
                } else {
                    "FAIL".into()
                }
            }
            RuleStatus::Skip => {
                skip += 1;
                if color {
                    "\x1b[34mSKIP\x1b[0m".into()
                } else {
                    "SKIP".into()
                }
            }
        };
        if r.message.is_empty() {
            out.push_str(&format!("  {status}: {}\n", r.name));
        } else {
            out.push_str(&format!(
                "  {status}: {}: {}\n",
                r.name,
                sanitize(&r.message)
            ));
        }
    }
    let verdict = if fail > 0 { "FAIL" } else { "PASS" };
    let summary = format!(
        "Result:{verdict} [Total:{}] [Passed:{pass}] [Failed:{fail}] [Warn:0] [Skipped:{skip}]",
        results.len()
    );
    if color {
        let code = if fail > 0 { 31 } else { 32 };
        out.push_str(&format!("\x1b[{code}m{summary}\x1b[0m\n"));
    } else {
        out.push_str(&summary);
        out.push('\n');
    }
    out
}

/// go-humanize `Bytes`: SI units, e.g. `154 kB`, `1.2 MB`, `7 B`.
pub fn human_bytes(n: u64) -> String {
    if n < 10 {
        return format!("{n} B");
    }
    const SIZES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let nf = n as f64;
    let e = (nf.ln() / 1000f64.ln()).floor();
    let idx = (e as usize).min(SIZES.len() - 1);
    let val = (nf / 1000f64.powi(idx as i32) * 10.0 + 0.5).floor() / 10.0;
    if val < 10.0 {
        format!("{val:.1} {}", SIZES[idx])
    } else {
        format!("{val:.0} {}", SIZES[idx])
    }
}

/// go-humanize `ParseBytes`: `1000`, `20MB`, `1.5 GiB`, `4k`...
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num
        .replace(',', "")
        .parse()
        .map_err(|_| format!("strconv.ParseFloat: parsing {num:?}: invalid syntax"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        "e" | "eb" => 1e18,
        "ei" | "eib" => 1024f64.powi(6),
        other => return Err(format!("unhandled size name: {other}")),
    };
    let v = num * mult;
    if v >= u64::MAX as f64 {
        return Err(format!("too large: {s}"));
    }
    Ok(v as u64)
}

/// Go's `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e6.
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
