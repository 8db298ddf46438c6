//! Test cases ported from moby/patternmatcher's `patternmatcher_test.go` and `ignorefile_test.go`.
use super::*;

#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Fail,
    Exact,
    Inexact,
}
use Pass::*;

const MATCHES: &[(&str, &str, Pass)] = &[
    ("**", "file", Exact),
    ("**", "file/", Exact),
    ("**/", "file", Exact),
    ("**/", "file/", Exact),
    ("**", "/", Exact),
    ("**/", "/", Exact),
    ("**", "dir/file", Exact),
    ("**/", "dir/file", Exact),
    ("**", "dir/file/", Exact),
    ("**/", "dir/file/", Exact),
    ("**/**", "dir/file", Exact),
    ("**/**", "dir/file/", Exact),
    ("dir/**", "dir/file", Exact),
    ("dir/**", "dir/file/", Exact),
    ("dir/**", "dir/dir2/file", Exact),
    ("dir/**", "dir/dir2/file/", Exact),
    ("**/dir", "dir", Exact),
    ("**/dir", "dir/file", Inexact),
    ("**/dir2/*", "dir/dir2/file", Exact),
    ("**/dir2/*", "dir/dir2/file/", Inexact),
    ("**/dir2/**", "dir/dir2/dir3/file", Exact),
    ("**/dir2/**", "dir/dir2/dir3/file/", Exact),
    ("**file", "file", Exact),
    ("**file", "dir/file", Exact),
    ("**/file", "dir/file", Exact),
    ("**file", "dir/dir/file", Exact),
    ("**/file", "dir/dir/file", Exact),
    ("**/file*", "dir/dir/file", Exact),
    ("**/file*", "dir/dir/file.txt", Exact),
    ("**/file*txt", "dir/dir/file.txt", Exact),
    ("**/file*.txt", "dir/dir/file.txt", Exact),
    ("**/file*.txt*", "dir/dir/file.txt", Exact),
    ("**/**/*.txt", "dir/dir/file.txt", Exact),
    ("**/**/*.txt2", "dir/dir/file.txt", Fail),
    ("**/*.txt", "file.txt", Exact),
    ("**/**/*.txt", "file.txt", Exact),
    ("a**/*.txt", "a/file.txt", Exact),
    ("a**/*.txt", "a/dir/file.txt", Exact),
    ("a**/*.txt", "a/dir/dir/file.txt", Exact),
    ("a/*.txt", "a/dir/file.txt", Fail),
    ("a/*.txt", "a/file.txt", Exact),
    ("a/*.txt**", "a/file.txt", Exact),
    ("a[b-d]e", "ae", Fail),
    ("a[b-d]e", "ace", Exact),
    ("a[b-d]e", "aae", Fail),
    ("a[^b-d]e", "aze", Exact),
    (".*", ".foo", Exact),
    (".*", "foo", Fail),
    ("abc.def", "abcdef", Fail),
    ("abc.def", "abc.def", Exact),
    ("abc.def", "abcZdef", Fail),
    ("abc?def", "abcZdef", Exact),
    ("abc?def", "abcdef", Fail),
    ("**/foo/bar", "foo/bar", Exact),
    ("**/foo/bar", "dir/foo/bar", Exact),
    ("**/foo/bar", "dir/dir2/foo/bar", Exact),
    ("abc/**", "abc", Fail),
    ("abc/**", "abc/def", Exact),
    ("abc/**", "abc/def/ghi", Exact),
    ("**/.foo", ".foo", Exact),
    ("**/.foo", "bar.foo", Fail),
    ("a(b)c/def", "a(b)c/def", Exact),
    ("a(b)c/def", "a(b)c/xyz", Fail),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", Exact),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        Exact,
    ),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", Exact),
    ("a\\\\", "a\\", Exact),
    ("a\\*b", "a*b", Exact),
];

const MULTI: &[(&[&str], &str, Pass)] = &[
    (&["**", "!util/docker/web"], "util/docker/web/foo", Fail),
    (&["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", Exact),
    (
        &["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"],
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        Fail,
    ),
    (&["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", Fail),
];

#[test]
fn moby_matches_exact_table() {
    for (pattern, text, pass) in MATCHES {
        let pm = DockerIgnore::new(&[pattern]).expect("compiles");
        assert_eq!(pm.matches_exact(text), *pass == Exact, "pattern={pattern:?} text={text:?}");
    }
}

#[test]
fn moby_matches_or_parent_matches_table() {
    for (pattern, text, pass) in MATCHES {
        let pm = DockerIgnore::new(&[pattern]).expect("compiles");
        assert_eq!(pm.matches(text), *pass != Fail, "pattern={pattern:?} text={text:?}");
    }
    for (patterns, text, pass) in MULTI {
        let pm = DockerIgnore::new(patterns).expect("compiles");
        assert_eq!(pm.matches(text), *pass != Fail, "patterns={patterns:?} text={text:?}");
    }
}

/// Go's `filepath.Match` tests as moby runs them through `Matches` (`None`: bad pattern).
const GO_MATCH: &[(&str, &str, Option<bool>)] = &[
    ("abc", "abc", Some(true)),
    ("*", "abc", Some(true)),
    ("*c", "abc", Some(true)),
    ("a*", "a", Some(true)),
    ("a*", "abc", Some(true)),
    ("a*", "ab/c", Some(true)),
    ("a*/b", "abc/b", Some(true)),
    ("a*/b", "a/c/b", Some(false)),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
    ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
    ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
    ("ab[c]", "abc", Some(true)),
    ("ab[b-d]", "abc", Some(true)),
    ("ab[e-g]", "abc", Some(false)),
    ("ab[^c]", "abc", Some(false)),
    ("ab[^b-d]", "abc", Some(false)),
    ("ab[^e-g]", "abc", Some(true)),
    ("a\\*b", "a*b", Some(true)),
    ("a\\*b", "ab", Some(false)),
    ("a?b", "a☺b", Some(true)),
    ("a[^a]b", "a☺b", Some(true)),
    ("a???b", "a☺b", Some(false)),
    ("a[^a][^a][^a]b", "a☺b", Some(false)),
    ("[a-ζ]*", "α", Some(true)),
    ("*[a-ζ]", "A", Some(false)),
    ("a?b", "a/b", Some(false)),
    ("a*b", "a/b", Some(false)),
    ("[\\]a]", "]", Some(true)),
    ("[\\-]", "-", Some(true)),
    ("[x\\-]", "x", Some(true)),
    ("[x\\-]", "-", Some(true)),
    ("[x\\-]", "z", Some(false)),
    ("[\\-x]", "x", Some(true)),
    ("[\\-x]", "-", Some(true)),
    ("[\\-x]", "a", Some(false)),
    ("[]a]", "]", None),
    ("[-]", "-", None),
    ("[x-]", "x", None),
    ("[x-]", "-", None),
    ("[x-]", "z", None),
    ("[-x]", "x", None),
    ("[-x]", "-", None),
    ("[-x]", "a", None),
    ("\\", "a", None),
    ("[a-b-c]", "a", None),
    ("[", "a", None),
    ("[^", "a", None),
    ("[^bc", "a", None),
    ("a[", "a", None),
    ("a[", "ab", None),
    ("*x", "xxx", Some(true)),
];

#[test]
fn go_filepath_match_table() {
    for (pattern, s, want) in GO_MATCH {
        let got = DockerIgnore::new(&[pattern]).ok().map(|pm| pm.matches_legacy(s));
        assert_eq!(got, *want, "pattern={pattern:?} s={s:?}");
    }
}

#[test]
fn moby_simple_cases() {
    let m = |file: &str, pats: &[&str]| DockerIgnore::new(pats).expect("compiles").matches(file);
    assert!(m("fileutils.go", &["*"]));
    assert!(m("fileutils.go", &["*.go"]));
    assert!(m("fileutils.go", &["!fileutils.go", "*.go"]));
    assert!(!m("docs/README.md", &["docs", "!docs/README.md"]));
    assert!(!m("docs/README.md", &["docs/", "!docs/README.md"]));
    assert!(!m("docs/README.md", &["docs/*", "!docs/README.md"]));
    assert!(!m("fileutils.go", &["*.go", "!fileutils.go"]));
    assert!(!m(".", &["*.go"]));
    assert!(!m("/any/path/there", &[]));
    assert_eq!(DockerIgnore::new(&["!"]).err(), Some(IgnoreError::LoneExclamation));
    assert!(DockerIgnore::new(&["["]).is_err());
    let pm = DockerIgnore::new(&["docs", "config", ""]).expect("compiles");
    assert_eq!(pm.patterns().len(), 2);
    assert!(DockerIgnore::new(&["docs", "  !docs/README.md"]).expect("ok").has_exclusions());
    assert!(DockerIgnore::new(&["docs", "!docs/README.md  "]).expect("ok").has_exclusions());
}

#[test]
fn ignorefile_read_all() {
    let contents = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! \n";
    assert_eq!(
        read_patterns(contents),
        vec!["test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"]
    );
    assert_eq!(read_patterns("\u{feff}a\n  ./b/../c/  \n"), vec!["a", "c"]);
}

#[test]
fn clean_like_go() {
    for (i, o) in [
        ("", "."),
        ("a/../..", ".."),
        ("/../a", "/a"),
        ("a//b/./c/", "a/b/c"),
        ("./", "."),
        ("/", "/"),
    ] {
        assert_eq!(clean_path(i), o, "{i}");
    }
}

#[test]
fn skipping_directories_and_build_files() {
    let pm = DockerIgnore::new(&["vendor", "!vendor/keep.txt", "node_modules"]).expect("ok");
    assert!(!pm.can_skip_dir("vendor"));
    assert!(pm.can_skip_dir("node_modules"));
    let pm = DockerIgnore::new(&["*", "!app/**/*.py"]).expect("ok");
    assert!(!pm.can_skip_dir("app") && !pm.can_skip_dir("app/lib"));
    assert!(pm.can_skip_dir("docs"));
    assert!(!DockerIgnore::new(&["*", "!**/keep"]).expect("ok").can_skip_dir("any/dir"));
    let pm = DockerIgnore::new(&["*"]).expect("ok").keep_build_files("Dockerfile").expect("ok");
    assert!(!pm.matches("Dockerfile"));
    assert!(!pm.matches(".dockerignore"));
    assert!(pm.matches("src"));
}
