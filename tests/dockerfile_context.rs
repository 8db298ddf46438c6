//! `.dockerignore` and build contexts against the real engine: build a context with ignored files and
//! `!` exceptions, and check inside the build (`RUN find /ctx`) exactly which files arrived.
//!
//! Needs `DOCKER_HOST` (e.g. `unix:///tmp/dh/docker.sock`) and the `dh-busybox:1` image. Skips with a
//! notice when the engine is unreachable, unless `DOCKHAND_REQUIRE_ENGINE=1`.

use std::collections::BTreeSet;
use std::path::Path;

use bollard::Docker;
use bollard::query_parameters::{BuildImageOptionsBuilder, RemoveImageOptionsBuilder};
use dockhand::dockerfile::context::{plan, write_tar};
use futures::StreamExt;

async fn engine() -> Option<Docker> {
    let required = std::env::var("DOCKHAND_REQUIRE_ENGINE").is_ok_and(|v| v == "1");
    // Only ever talk to the engine DOCKER_HOST names (never a default socket).
    if std::env::var_os("DOCKER_HOST").is_none() {
        assert!(!required, "engine required but DOCKER_HOST is not set");
        eprintln!("skipping: DOCKER_HOST is not set");
        return None;
    }
    let docker = match Docker::connect_with_defaults() {
        Ok(d) => d,
        Err(e) if required => panic!("engine required but not configured: {e}"),
        Err(e) => {
            eprintln!("skipping: no engine ({e})");
            return None;
        }
    };
    match docker.ping().await {
        Ok(_) => Some(docker),
        Err(e) if required => panic!("engine required but unreachable: {e}"),
        Err(e) => {
            eprintln!("skipping: engine unreachable ({e})");
            None
        }
    }
}

fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, content).expect("write");
    }
}

/// Builds the context and returns the files `find /ctx -type f` saw inside the build.
async fn files_in_build(docker: &Docker, dir: &Path, tag: &str) -> (BTreeSet<String>, Vec<String>) {
    let plan = plan(dir, &dir.join("Dockerfile")).expect("plan");
    let mut tar = Vec::new();
    write_tar(&plan, &mut tar).expect("tar");
    let planned: Vec<String> = plan
        .entries
        .iter()
        .filter(|e| e.kind == dockhand::dockerfile::context::EntryKind::File)
        .map(|e| e.name.clone())
        .collect();
    let options = BuildImageOptionsBuilder::default()
        .dockerfile(&plan.dockerfile)
        .t(tag)
        .rm(true)
        .forcerm(true)
        .networkmode("none")
        .build();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(tar.into())));
    let mut log = String::new();
    while let Some(item) = stream.next().await {
        let info = item.unwrap_or_else(|e| panic!("build failed: {e}\n{log}"));
        if let Some(detail) = info.error_detail {
            panic!("build error: {detail:?}\n{log}");
        }
        if let Some(s) = info.stream {
            log.push_str(&s);
        }
    }
    let listing: BTreeSet<String> = log
        .split("BEGIN-LISTING")
        .nth(1)
        .and_then(|s| s.split("END-LISTING").next())
        .expect("listing markers in the build log")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("/ctx/").map(str::to_string))
        .collect();
    let _ = docker
        .remove_image(tag, Some(RemoveImageOptionsBuilder::default().force(true).build()), None)
        .await;
    (listing, planned)
}

const DOCKERFILE: &str = "FROM dh-busybox:1\nCOPY . /ctx\nRUN echo BEGIN\"\"-LISTING && find /ctx -type f | sort && echo END\"\"-LISTING\n";

#[tokio::test]
async fn engine_receives_exactly_the_planned_files() {
    let Some(docker) = engine().await else { return };
    let tag = format!("dockhand-test-ctx:{}", std::process::id());

    // Exclusions with `**`, a directory, and an exception inside an excluded directory.
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("Dockerfile", DOCKERFILE),
            (".dockerignore", "# comment\n*.log\n/secret\nvendor\n!vendor/keep.txt\n**/tmp\n.git\n"),
            ("a.txt", "a"),
            ("b.log", "b"),
            ("secret/key", "k"),
            ("vendor/keep.txt", "kept"),
            ("vendor/drop.txt", "dropped"),
            ("src/main.rs", "fn main() {}"),
            ("src/tmp/x", "t"),
            ("src/deep/c.log", "c"),
            (".git/HEAD", "ref"),
        ],
    );
    let (seen, planned) = files_in_build(&docker, dir.path(), &tag).await;
    let expected: BTreeSet<String> =
        [".dockerignore", "Dockerfile", "a.txt", "src/deep/c.log", "src/main.rs", "vendor/keep.txt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    // `*.log` only matches at the top level: src/deep/c.log is sent, as Docker does.
    assert_eq!(seen, expected, "files inside the build");
    assert_eq!(planned.into_iter().collect::<BTreeSet<_>>(), expected, "the plan agrees");

    // Allow-list style: ignore everything, re-include a few paths.
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            ("Dockerfile", DOCKERFILE),
            (".dockerignore", "*\n!app/**/*.py\n!README.md\napp/skip_*.py\n"),
            ("README.md", "r"),
            ("notes.txt", "n"),
            ("app/main.py", "m"),
            ("app/lib/util.py", "u"),
            ("app/lib/data.json", "d"),
            ("app/skip_me.py", "s"),
        ],
    );
    let (seen, planned) = files_in_build(&docker, dir.path(), &tag).await;
    // Dockerfile and .dockerignore are still sent (then dropped by the engine, since they match `*`).
    let expected: BTreeSet<String> =
        ["README.md", "app/lib/util.py", "app/main.py"].iter().map(|s| s.to_string()).collect();
    assert_eq!(seen, expected, "files inside the build");
    let planned: BTreeSet<String> = planned.into_iter().collect();
    assert!(planned.contains("Dockerfile") && planned.contains(".dockerignore"), "{planned:?}");
    assert_eq!(planned.len(), 5, "{planned:?}");
}
