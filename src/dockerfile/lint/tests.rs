use super::*;
use crate::dockerfile::parse;

fn codes(src: &str) -> Vec<(&'static str, usize)> {
    lint(&parse(src)).into_iter().map(|d| (d.code, d.line)).collect()
}

fn fires(src: &str, code: &str) -> bool {
    codes(src).iter().any(|(c, _)| *c == code)
}

/// Asserts `code` fires on `bad` (at `line`) and not on `good`.
fn check(code: &str, bad: &str, line: usize, good: &str) {
    let got = codes(bad);
    assert!(got.contains(&(code_static(code), line)), "{code} should fire at {line} on:\n{bad}\ngot {got:?}");
    assert!(!fires(good, code), "{code} should not fire on:\n{good}\ngot {:?}", codes(good));
}

fn code_static(code: &str) -> &'static str {
    Box::leak(code.to_string().into_boxed_str())
}

#[test]
fn dl3006_untagged_base() {
    check("DL3006", "FROM debian\n", 1, "FROM debian:12\nFROM scratch\nFROM debian:12 AS b\nFROM b\n");
    assert!(!fires("FROM debian@sha256:abcd\n", "DL3006"));
    assert!(fires("FROM localhost:5000/app\n", "DL3006"));
}

#[test]
fn dl3007_latest() {
    check("DL3007", "FROM x\nFROM debian:latest\n", 2, "FROM debian:12\n");
}

#[test]
fn dl3002_last_user_root() {
    check("DL3002", "FROM a:1\nUSER app\nUSER root\n", 3, "FROM a:1\nUSER root\nRUN x\nUSER app\n");
    assert!(!fires("FROM a:1 AS b\nUSER root\nFROM a:1\nUSER app\n", "DL3002"));
    assert!(fires("FROM a:1\nUSER 0:0\n", "DL3002"));
}

#[test]
fn dl3020_add_local_files() {
    check(
        "DL3020",
        "FROM a:1\nADD src /app\n",
        2,
        "FROM a:1\nADD https://x/y /y\nADD rootfs.tar.gz /\nCOPY src /app\nADD <<EOF /x\nhi\nEOF\n",
    );
}

#[test]
fn dl3000_relative_workdir() {
    check("DL3000", "FROM a:1\nWORKDIR app\n", 2, "FROM a:1\nWORKDIR /app\nWORKDIR $HOME\nWORKDIR \"/q\"\n");
}

#[test]
fn apt_rules() {
    let bad = "FROM debian:12\nRUN apt-get update\nRUN apt-get install curl\n";
    assert!(codes(bad).contains(&("DH3001", 2)));
    assert!(codes(bad).contains(&("DL3014", 3)));
    assert!(codes(bad).contains(&("DL3015", 3)));
    assert!(codes(bad).contains(&("DL3009", 2)));
    let good = "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n";
    let got = codes(good);
    for c in ["DH3001", "DL3014", "DL3015", "DL3009"] {
        assert!(!got.iter().any(|(g, _)| *g == c), "{c} on good: {got:?}");
    }
    // DL3009 only matters in stages that end up in the final image.
    assert!(!fires("FROM debian:12 AS b\nRUN apt-get update\nFROM debian:12\nCOPY --from=b /x /x\n", "DL3009"));
    assert!(codes("FROM debian:12 AS b\nRUN apt-get update\nFROM b\n").contains(&("DL3009", 2)));
    assert!(!fires("FROM debian:12\nRUN apt-get -qqy install --no-install-recommends x && rm -rf /var/lib/apt/lists\n", "DL3014"));
}

#[test]
fn dl3025_exec_form() {
    check("DL3025", "FROM a:1\nCMD echo hi\n", 2, "FROM a:1\nCMD [\"echo\", \"hi\"]\nENTRYPOINT [\"/e\"]\n");
    assert!(fires("FROM a:1\nENTRYPOINT /e\n", "DL3025"));
}

#[test]
fn dl4003_dl4004_multiple_per_stage() {
    check("DL4003", "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n", 3, "FROM a:1 AS x\nCMD [\"a\"]\nFROM a:1\nCMD [\"b\"]\n");
    check(
        "DL4004",
        "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n",
        3,
        "FROM a:1 AS x\nENTRYPOINT [\"a\"]\nFROM a:1\nENTRYPOINT [\"b\"]\n",
    );
}

#[test]
fn dl4000_maintainer() {
    check("DL4000", "FROM a:1\nMAINTAINER me\n", 2, "FROM a:1\nLABEL maintainer=me\n");
}

#[test]
fn dl3064_secrets() {
    check("DL3064", "FROM a:1\nENV DB_PASSWORD=x\n", 2, "FROM a:1\nENV PATH=/x PUBLIC_KEY=y\nARG VERSION\n");
    assert!(fires("ARG GITHUB_TOKEN\nFROM a:1\n", "DL3064"));
    assert!(fires("FROM a:1\nENV API_KEY value\n", "DL3064"));
}

#[test]
fn dl3003_cd() {
    check("DL3003", "FROM a:1\nRUN cd /x && make\n", 2, "FROM a:1\nWORKDIR /x\nRUN make && echo cd\n");
}

#[test]
fn dl3022_copy_from_unknown_stage() {
    check(
        "DL3022",
        "FROM a:1 AS build\nFROM a:1\nCOPY --from=buidl /x /x\n",
        3,
        "FROM a:1 AS build\nFROM a:1\nCOPY --from=build /x /x\nCOPY --from=0 /y /y\nCOPY --from=nginx:1 /z /z\n",
    );
    assert!(fires("FROM a:1\nCOPY --from=0 /y /y\n", "DL3022"));
}

#[test]
fn dh1002_cache_busting_order() {
    check(
        "DH1002",
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
        3,
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
    );
    assert!(fires("FROM python:3\nCOPY . /src\nRUN pip install -r /src/requirements.txt\n", "DH1002"));
}

#[test]
fn parse_errors_are_error_diagnostics() {
    let d = lint(&parse("FROM a:1\nENV A\nBOGUS x\n"));
    assert!(d.iter().any(|d| d.code == "DL1000" && d.line == 2 && d.severity == Severity::Error));
    assert!(d.iter().any(|d| d.code == "DH0001" && d.line == 3));
    assert!(has_errors(&d));
    assert!(!has_errors(&lint(&parse("FROM a:1\nCMD [\"x\"]\n"))));
}
