//! Tests of the build context: .dockerignore and what is sent.
use super::*;

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, content).expect("write");
    }
    dir
}

#[test]
fn plans_with_dockerignore_and_exceptions() {
    let dir = tree(&[
        ("Dockerfile", "FROM scratch\n"),
        (
            ".dockerignore",
            "*.log\nsecret/\nvendor\n!vendor/keep.txt\n**/tmp\n",
        ),
        ("a.txt", "hello"),
        ("b.log", "x"),
        ("secret/key", "k"),
        ("vendor/keep.txt", "kept"),
        ("vendor/drop.txt", "dropped"),
        ("src/main.rs", "fn main(){}"),
        ("src/tmp/x", "t"),
    ]);
    let p = plan(dir.path(), &dir.path().join("Dockerfile")).expect("plan");
    assert_eq!(
        p.names(),
        vec![
            ".dockerignore",
            "Dockerfile",
            "a.txt",
            "src",
            "src/main.rs",
            "vendor/keep.txt"
        ]
    );
    assert_eq!(p.dockerfile, "Dockerfile");
    assert_eq!(p.file_count(), 5);
    assert_eq!(p.total_bytes(), 5 + 13 + 11 + 4 + 45);
    let mut buf = Vec::new();
    let written = write_tar(&p, &mut buf).expect("tar");
    assert_eq!(written, buf.len() as u64);
    assert_eq!(written, p.tar_size());
    let mut archive = tar::Archive::new(buf.as_slice());
    let names: Vec<String> = archive
        .entries()
        .expect("entries")
        .map(|e| {
            e.expect("entry")
                .path()
                .expect("path")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ".dockerignore",
            "Dockerfile",
            "a.txt",
            "src/",
            "src/main.rs",
            "vendor/keep.txt"
        ]
    );
}

#[test]
fn build_files_are_always_sent() {
    let dir = tree(&[
        ("Dockerfile", "FROM scratch\n"),
        (".dockerignore", "*\n!app.py\n"),
        ("app.py", "1"),
        ("x", "2"),
    ]);
    let p = plan(dir.path(), &dir.path().join("Dockerfile")).expect("plan");
    assert_eq!(p.names(), vec![".dockerignore", "Dockerfile", "app.py"]);
    assert_eq!(p.excluded, 1);
}

#[test]
fn dockerfile_outside_the_context() {
    let ctx = tree(&[("a", "1")]);
    let other = tree(&[("Dockerfile.dev", "FROM scratch\n")]);
    let p = plan(ctx.path(), &other.path().join("Dockerfile.dev")).expect("plan");
    assert_eq!(p.dockerfile, OUTSIDE_DOCKERFILE_NAME);
    assert_eq!(p.names(), vec!["a", OUTSIDE_DOCKERFILE_NAME]);
}

#[test]
fn bad_dockerignore_is_an_error() {
    let dir = tree(&[("Dockerfile", "FROM scratch\n"), (".dockerignore", "[\n")]);
    assert!(matches!(
        plan(dir.path(), &dir.path().join("Dockerfile")),
        Err(ContextError::Ignore(_))
    ));
}

#[test]
fn shrinking_file_is_detected() {
    let dir = tree(&[("Dockerfile", "FROM scratch\n"), ("grow", "0123456789")]);
    let p = plan(dir.path(), &dir.path().join("Dockerfile")).expect("plan");
    fs::write(dir.path().join("grow"), "01").expect("rewrite");
    assert!(matches!(
        write_tar(&p, std::io::sink()),
        Err(ContextError::Changed(_))
    ));
}
