//! Micro benchmark (ignored by default; run with
//! `cargo test --test dockerfile_bench -- --ignored --nocapture`): full highlight of a 1,000-line
//! Dockerfile, one keystroke re-highlight, and parse + lint of that file.

use std::time::{Duration, Instant};

use dockhand::dockerfile::highlight::{Highlighter, warm_up};
use dockhand::dockerfile::{lint, parse};

fn thousand_lines() -> Vec<String> {
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
        .map(|i| stage[i % stage.len()].replace("{n}", &(i / stage.len()).to_string()))
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore]
fn bench_highlight_and_lint() {
    let t = Instant::now();
    warm_up().expect("syntax");
    println!("syntax set build (startup): {:?}", t.elapsed());

    let mut lines = thousand_lines();
    let mut h = Highlighter::new().expect("highlighter");
    let full = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                h.set_text(&lines).expect("highlight");
                t.elapsed()
            })
            .collect(),
    );
    println!("full highlight, 1000 lines: {full:?}");

    let mut keystrokes = Vec::new();
    let mut work = Vec::new();
    for k in 0..200 {
        let line = 100 + (k * 37) % 800;
        let col = lines[line].len().min(5);
        lines[line].insert(col, 'x');
        let t = Instant::now();
        work.push(h.sync(&lines).expect("sync"));
        keystrokes.push(t.elapsed());
    }
    let max_work = work.iter().max().copied().unwrap_or(0);
    println!(
        "keystroke re-highlight: median {:?}, max {:?}, lines re-highlighted max {max_work}",
        median(keystrokes.clone()),
        keystrokes.iter().max().copied().unwrap_or_default()
    );

    let src = lines.join("\n");
    let lint_time = median(
        (0..10)
            .map(|_| {
                let t = Instant::now();
                let parsed = parse(&src);
                let diags = lint(&parsed);
                assert!(!parsed.instructions.is_empty());
                std::hint::black_box(diags);
                t.elapsed()
            })
            .collect(),
    );
    println!("parse + lint, 1000 lines: {lint_time:?}");
}
