//! Each quick fix applied and the file linted again: the finding is gone and nothing new appears.
use super::super::config::LintConfig;
use super::super::lint_with;
use super::*;

fn codes(src: &str) -> Vec<&'static str> {
    let mut c: Vec<&'static str> = lint_with(&parse(src), &LintConfig::default())
        .iter()
        .map(|d| d.code)
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

fn assert_fixes(code: &str, src: &str) -> String {
    let before = lint_with(&parse(src), &LintConfig::default());
    let d = before
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("{code} does not fire on:\n{src}"));
    let fix = quick_fix(d, src).unwrap_or_else(|| panic!("no fix for {code}"));
    let fixed = fix.apply(src);
    let after = codes(&fixed);
    assert!(
        !after.contains(&d.code),
        "{code} still fires after the fix:\n{fixed}"
    );
    let old = codes(src);
    let new: Vec<_> = after.iter().filter(|c| !old.contains(c)).collect();
    assert!(
        new.is_empty(),
        "{code}: the fix introduced {new:?}:\n{fixed}"
    );
    fixed
}

const HEAD: &str = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n";

#[test]
fn apt_fixes() {
    let f = assert_fixes(
        "DL3015",
        &format!(
            "{HEAD}RUN apt-get update && apt-get install -y curl=1 && rm -rf /var/lib/apt/lists/*\n"
        ),
    );
    assert!(
        f.contains("apt-get install --no-install-recommends -y curl=1"),
        "{f}"
    );
    let f = assert_fixes(
        "DL3014",
        &format!(
            "{HEAD}RUN apt-get update \\\n && apt-get install --no-install-recommends curl=1 \\\n && rm -rf /var/lib/apt/lists/*\n"
        ),
    );
    assert!(
        f.contains("apt-get install -y --no-install-recommends"),
        "{f}"
    );
    let f = assert_fixes(
        "DL3009",
        &format!("{HEAD}RUN apt-get update && apt-get install -y --no-install-recommends curl=1\n"),
    );
    assert!(
        f.ends_with("\\\n    && rm -rf /var/lib/apt/lists/*\n"),
        "{f}"
    );
    assert_fixes(
        "DL3027",
        &format!(
            "{HEAD}RUN apt-get update && apt install -y --no-install-recommends curl=1 && rm -rf /var/lib/apt/lists/*\n"
        ),
    );
}

#[test]
fn other_package_manager_fixes() {
    assert_fixes("DL3019", "FROM alpine:3.20\nRUN apk add curl=8.9.1-r1\n");
    assert_fixes("DL3042", "FROM python:3.12\nRUN pip install flask==3.0.3\n");
    assert_fixes(
        "DL3030",
        "FROM centos:7\nRUN yum install httpd-2.4.6 && yum clean all\n",
    );
    assert_fixes("DL3032", "FROM centos:7\nRUN yum install -y httpd-2.4.6\n");
    assert_fixes(
        "DL3038",
        "FROM fedora:40\nRUN dnf install git-2.45.2 && dnf clean all\n",
    );
    assert_fixes("DL3040", "FROM fedora:40\nRUN dnf install -y git-2.45.2\n");
    assert_fixes(
        "DL3034",
        "FROM opensuse/leap:15.6\nRUN zypper install curl=8 && zypper clean\n",
    );
    assert_fixes(
        "DL3036",
        "FROM opensuse/leap:15.6\nRUN zypper install -y curl=8\n",
    );
    assert_fixes("DL3060", "FROM node:20\nRUN yarn install\n");
    assert_fixes("DL3047", "FROM debian:12\nRUN wget https://example.com/x\n");
}

#[test]
fn instruction_fixes() {
    let f = assert_fixes("DL3025", "FROM debian:12\nCMD python3 app.py --port 80\n");
    assert!(
        f.ends_with("CMD [\"python3\", \"app.py\", \"--port\", \"80\"]\n"),
        "{f}"
    );
    assert_fixes(
        "DL3025",
        "FROM debian:12\nENTRYPOINT /docker-entrypoint.sh\n",
    );
    let f = assert_fixes("DL3020", "FROM debian:12\nADD --chown=1:1 app.py /app/\n");
    assert!(f.contains("COPY --chown=1:1 app.py /app/"), "{f}");
    assert_fixes("DL3021", "FROM debian:12\nCOPY a b /dest\n");
    assert_fixes(
        "DL4000",
        "FROM debian:12\nMAINTAINER Jane \"JD\" <jane@example.com>\n",
    );
    let f = assert_fixes("DL3059", "FROM debian:12\nRUN echo a\nRUN echo b\n");
    assert_eq!(f, "FROM debian:12\nRUN echo a \\\n    && echo b\n");
}

#[test]
fn judgement_calls_have_no_fix() {
    let src = "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\nCMD echo $HOME && run\n";
    for d in lint_with(&parse(src), &LintConfig::default()) {
        if matches!(d.code, "DL3008" | "DL3025") {
            assert_eq!(quick_fix(&d, src), None, "{}", d.code);
        }
    }
}
