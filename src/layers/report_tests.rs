//! Tests of the analysis report (text and CI output).
use super::*;
use crate::layers::model::InefficientFile;

#[test]
fn humanize_bytes_like_go_humanize() {
    assert_eq!(human_bytes(0), "0 B");
    assert_eq!(human_bytes(9), "9 B");
    assert_eq!(human_bytes(10), "10 B");
    assert_eq!(human_bytes(999), "999 B");
    assert_eq!(human_bytes(1000), "1.0 kB");
    assert_eq!(human_bytes(153606), "154 kB");
    assert_eq!(human_bytes(1_982_256), "2.0 MB");
    assert_eq!(human_bytes(12_345_678), "12 MB");
    assert_eq!(human_bytes(416_000_000_000), "416 GB");
}

#[test]
fn parse_bytes_like_go_humanize() {
    assert_eq!(parse_bytes("1KB"), Ok(1000));
    assert_eq!(parse_bytes("1 KiB"), Ok(1024));
    assert_eq!(parse_bytes("20MB"), Ok(20_000_000));
    assert_eq!(parse_bytes("1.5gb"), Ok(1_500_000_000));
    assert_eq!(parse_bytes("12345"), Ok(12345));
    assert!(parse_bytes("lots").is_err());
    assert!(parse_bytes("3 parsecs").is_err());
}

#[test]
fn go_float_formatting() {
    assert_eq!(go_float(1.0), "1");
    assert_eq!(go_float(0.1), "0.1");
    assert_eq!(go_float(0.9531778890888016), "0.9531778890888016");
    assert_eq!(go_float(1e-5), "1e-05");
    assert_eq!(go_float(1234567.0), "1.234567e+06");
    assert_eq!(go_float(123456.0), "123456");
    assert_eq!(go_float(f64::NAN), "NaN");
    assert_eq!(go_float(f64::INFINITY), "+Inf");
    assert_eq!(percent(0.9531778890888016), "95.3178");
    assert_eq!(percent(f64::NAN), "NaN");
}

fn figures() -> Figures {
    Figures {
        size_bytes: 2135862,
        user_size_bytes: 153606,
        wasted_bytes: 153606,
        user_wasted_percent: 1.0,
        efficiency: 0.9531778890888016,
        inefficient: vec![
            InefficientFile {
                path: "/data/a".into(),
                count: 2,
                size: 153600,
                layers: vec![0, 1],
            },
            InefficientFile {
                path: "/data/sub/b".into(),
                count: 2,
                size: 6,
                layers: vec![0, 1],
            },
        ],
    }
}

#[test]
fn ci_report_matches_dive_text() {
    let results = evaluate(&RuleConfig::default(), &figures());
    let text = ci_report(&figures(), &results, false);
    let expected = "  efficiency: 95.3178 %
  wastedBytes: 153606 bytes (154 kB)
  userWastedPercent: 100.0000 %
Inefficient Files:
Count  Wasted Space  File Path
    2        154 kB  /data/a
    2           6 B  /data/sub/b
Results:
  FAIL: highestUserWastedPercent: too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=1 > threshold=0.1)
  SKIP: highestWastedBytes: rule disabled
  PASS: lowestEfficiency
Result:FAIL [Total:3] [Passed:1] [Failed:1] [Warn:0] [Skipped:1]
";
    assert_eq!(text, expected);
}

#[test]
fn rules_thresholds_and_invalid_values() {
    let cfg = RuleConfig {
        lowest_efficiency: "0.99".into(),
        highest_wasted_bytes: "1KB".into(),
        highest_user_wasted_percent: "off".into(),
    };
    let r = evaluate(&cfg, &figures());
    assert_eq!(r[0].status, RuleStatus::Skip);
    assert_eq!(
        r[1].message,
        "too many bytes wasted (wasted-bytes=153606 > threshold=1000)"
    );
    assert_eq!(
        r[2].message,
        "image efficiency is too low (efficiency=0.9531778890888016 < threshold=0.99)"
    );
    let cfg = RuleConfig {
        lowest_efficiency: "abc".into(),
        highest_wasted_bytes: "1GB".into(),
        highest_user_wasted_percent: "2".into(),
    };
    let r = evaluate(&cfg, &figures());
    assert_eq!(r[0].status, RuleStatus::Pass);
    assert_eq!(r[1].status, RuleStatus::Pass);
    assert_eq!(r[2].status, RuleStatus::Fail);
    assert!(r[2].message.starts_with("invalid config value ('abc')"));
    let mut f = figures();
    f.inefficient.clear();
    assert!(ci_report(&f, &r, false).contains("File Path\nNone\n"));
}
