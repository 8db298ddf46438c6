//! Unit tests of the shell model.
use super::*;

fn names(s: &Script) -> Vec<&str> {
    s.cmds.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn splits_commands_and_finds_nested_ones() {
    let s = parse("apt-get update && apt-get install -y 'a b' ; cd /x || true # c\nrm -rf \"/v\"");
    assert_eq!(names(&s), ["apt-get", "apt-get", "cd", "true", "rm"]);
    assert_eq!(s.cmds[1].args, ["install", "-y", "a b"]);
    assert!(!s.has_pipes);
    let s = parse("if true; then apt-get install qux; fi && for x in a b; do echo $x; done");
    assert_eq!(names(&s), ["true", "apt-get", "echo"]);
    assert_eq!(s.cmds[2].args, ["${x}"]);
    let s = parse("echo $(dpkg --print-architecture) | tee f 2>/dev/null");
    assert_eq!(names(&s), ["echo", "dpkg", "tee"]);
    assert_eq!(s.cmds[2].args, ["f"]);
    assert!(s.has_pipes);
}

#[test]
fn assignments_and_flags() {
    let s = parse("DEBIAN_FRONTEND=noninteractive apt-get -qq install -t bookworm-backports foo");
    let c = &s.cmds[0];
    assert_eq!(c.name, "apt-get");
    assert_eq!(c.count_flag("q"), 2);
    assert_eq!(c.drop_flag_arg(&["t"]).args_no_flags(), ["install", "foo"]);
    assert_eq!(
        parse("useradd -u 123456 app").cmds[0].flag_values("u"),
        ["123456"]
    );
}

#[test]
fn case_patterns_are_not_pipes_or_commands() {
    let s = parse(
        "case \"$arch\" in x86_64|aarch64) apk add a ;; (armv7|armhf) echo b ;& *) exit 1 ;; esac && ls",
    );
    assert_eq!(names(&s), ["apk", "echo", "exit", "ls"]);
    assert!(!s.has_pipes);
    let s = parse("case $x in a) echo a | tee f ;; esac");
    assert_eq!(names(&s), ["echo", "tee"]);
    assert!(s.has_pipes);
    let s = parse("case $x in\n a)\n case $y in b|c) true ;; esac ;;\n esac; cat f");
    assert_eq!(names(&s), ["true", "cat"]);
    assert!(!s.has_pipes);
}
