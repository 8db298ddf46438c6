//! Our reference grammar against a real oracle: the Docker CLI's own parser (`docker tag`),
//! which uses distribution/reference's `ParseNormalizedNamed`. Needs the engine (the CLI
//! talks to it after parsing); follows the `DOCKHAND_REQUIRE_ENGINE` rule.

mod registry_support;

use std::process::Command;

use dockhand::registry::Reference;
use registry_support::engine::{self, BASE_IMAGE};

/// `Some(true)` when the CLI accepted the reference, `Some(false)` when its parser refused it,
/// `None` when the daemon refused it after the CLI accepted it.
fn cli_accepts(target: &str) -> Option<bool> {
    let out = Command::new("docker")
        .args(["tag", BASE_IMAGE, target])
        .output()
        .expect("run docker tag");
    if out.status.success() {
        let _ = Command::new("docker")
            .args(["image", "rm", target])
            .output();
        return Some(true);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Error response from daemon") {
        return None;
    }
    assert!(
        stderr.contains("invalid reference format") || stderr.contains("Error parsing reference"),
        "unexpected docker tag failure for {target:?}: {stderr}"
    );
    Some(false)
}

#[tokio::test]
async fn grammar_agrees_with_the_docker_cli() {
    if engine::connect().await.is_none() {
        return;
    }
    engine::ensure_fixtures();
    let long_tag = format!("zz-dhref/t:{}", "t".repeat(128));
    let too_long_tag = format!("zz-dhref/t:{}", "t".repeat(129));
    let long_name = format!("zz-dhref/{}", "n".repeat(240));
    let too_long_name = format!("zz-dhref/{}", "n".repeat(250));
    let candidates = [
        "zz-dhref/a",
        "zz-dhref/a:1.0",
        "zz-dhref/a:Tag_1",
        "localhost/zz-dhref-a",
        "localhost:5000/zz-dhref/a",
        "127.0.0.1:5000/zz-dhref/b:t",
        "zz-dhref.example.com/a/b/c:tag_1",
        "zz-dhref/a__b",
        "zz-dhref/a---b",
        "zz-dhref/a.b-c_d",
        "[::1]:5000/zz-dhref/c",
        "zz-dhref:5000/a",
        "zz-dhref/A",
        "zz-dhref/a..b",
        "zz-dhref/a___b",
        "zz-dhref/-a",
        "zz-dhref/a-",
        "zz-dhref/a_",
        "zz-dhref/a:",
        "zz-dhref/a:-t",
        "zz-dhref/a:.t",
        "zz-dhref//a",
        "zz-dhref/a/",
        "zz-dhref/a b",
        "zz-dhref:50x0/a",
        "[fe80::1%eth0]:5000/zz-dhref",
        "[::1]/zz-dhref",
        "zz-dhref/a:t@x",
        "-zz-dhref/a",
        "zz_dhref.com/a",
        long_tag.as_str(),
        too_long_tag.as_str(),
        long_name.as_str(),
        too_long_name.as_str(),
    ];
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for target in candidates {
        let Some(cli) = cli_accepts(target) else {
            continue;
        };
        checked += 1;
        let ours = Reference::parse_normalized(target);
        if ours.is_ok() != cli {
            disagreements.push(format!("{target:?}: docker={cli} ours={ours:?}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(
        checked >= 30,
        "only {checked} references reached the CLI parser"
    );
}
