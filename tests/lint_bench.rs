//! Lint speed, in process (ignored by default; run with
//! `cargo test --release --test lint_bench -- --ignored --nocapture`): parse and lint (no
//! ShellCheck) of 1,000 lines of the public corpus, and of the whole corpus, median of runs.
//! Prints figures only; the target (< 1 ms for 1,000 lines) is read, never asserted on time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dockhand::dockerfile::{lint, parse};

fn corpus() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-public");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect()
}

/// The first 1,000 lines of the corpus files, concatenated (each file starts a new stage).
fn thousand_lines(files: &[String]) -> String {
    let mut out = String::new();
    let mut n = 0;
    for f in files {
        for l in f.lines() {
            if n == 1000 {
                return out;
            }
            out.push_str(l);
            out.push('\n');
            n += 1;
        }
    }
    out
}

/// 1,000 dense lines, one instruction on most (the editor bench's file: apt, pip, heredoc,
/// labels, 50 stages).
fn dense_thousand() -> String {
    let stage = [
        "FROM debian:12-slim AS stage{n}",
        "ARG VERSION=1.{n}",
        "ENV PATH=/opt/app/bin:$PATH LANG=C.UTF-8 APP_HOME=/opt/app",
        "WORKDIR /opt/app",
        "RUN apt-get update \\",
        "  && apt-get install -y --no-install-recommends curl ca-certificates \\",
        "  # keep the image small",
        "  && rm -rf /var/lib/apt/lists/*",
        "COPY --chown=1000:1000 requirements.txt ./",
        "RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt",
        "COPY <<EOF /etc/app.conf",
        "listen = 8080",
        "EOF",
        "COPY . .",
        "HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/ || exit 1",
        "USER 1000:1000",
        "CMD [\"python\", \"-m\", \"app\", \"--port\", \"8080\"]",
        "",
        "# ----------------------------------------------------------------",
        "LABEL org.opencontainers.image.title=\"app\" version=\"1.{n}\"",
    ];
    (0..1000)
        .map(|i| stage[i % stage.len()].replace("{n}", &(i / stage.len()).to_string()) + "\n")
        .collect()
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore]
fn bench_lint_speed() {
    let files = corpus();
    for (what, src) in [
        ("of the corpus", thousand_lines(&files)),
        ("dense", dense_thousand()),
    ] {
        let parsed = parse(&src);
        let p = median(200, || {
            std::hint::black_box(parse(&src));
        });
        let l = median(200, || {
            std::hint::black_box(lint(&parsed));
        });
        println!(
            "1,000 lines {what} ({} instructions): parse {p:?}, lint {l:?}, parse + lint {:?}",
            parsed.instructions.len(),
            p + l
        );
    }
    let lines: usize = files.iter().map(|f| f.lines().count()).sum();
    let all = median(20, || {
        for f in &files {
            std::hint::black_box(lint(&parse(f)));
        }
    });
    println!(
        "whole corpus ({} files, {lines} lines): parse + lint {all:?}",
        files.len()
    );
}
