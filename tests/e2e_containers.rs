//! End to end in tmux against the REAL engine: run a container from the run dialog, open its
//! logs, exec a shell in it, type a command, and come back to the same TUI screen; then a typed
//! command, and a `docker run -it` that hands the terminal to the new container.
mod common;

use std::time::Duration;

use common::engine::{self, Cleanup};
use common::tmux::Spawn;

const T: Duration = Duration::from_secs(20);

#[tokio::test]
async fn run_logs_exec_and_back() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dh-e2e-ctr")));
    engine::busybox_image(&docker, &tag).await;
    let name = guard.container(engine::unique("dh-e2e"));
    let it_name = guard.container(engine::unique("dh-e2e-it"));

    let term = Spawn::dockhand()
        .env("DOCKER_HOST", engine::docker_host().unwrap_or_default())
        .size(200, 40)
        .start()
        .unwrap();
    let repo = tag.split(':').next().unwrap_or_default().to_string();
    term.wait_for(&repo, T).unwrap();

    // Select the fixture image and open the run dialog.
    term.send_keys(&["/"]).unwrap();
    term.send_literal(&tag).unwrap();
    term.send_keys(&["Enter"]).unwrap();
    term.wait_for("Images (1)", T).unwrap();
    term.send_keys(&["r"]).unwrap();
    term.wait_for("Run container", T).unwrap();
    term.send_literal(&name).unwrap();
    term.send_keys(&["Tab"]).unwrap();
    term.send_literal("sh -c 'echo e2e-$((20+22))-log; while :; do sleep 1; done'")
        .unwrap();
    term.send_keys(&["Enter"]).unwrap();
    // The name column may be narrower than the unique name.
    let short = &name[..name.len().min(18)];
    let screen = term
        .wait_until(T, |s| {
            s.lines()
                .any(|l| l.contains(short) && l.contains(" running ") && l.contains(" Up "))
        })
        .unwrap_or_else(|s| panic!("the new container is not listed as running:\n{s}"));
    assert!(screen.contains("7 Containers"), "{screen}");
    assert!(screen.contains(&format!("started {name}")), "{screen}");

    // The new container is selected: its logs open.
    term.send_keys(&["l"]).unwrap();
    term.wait_for("e2e-42-log", T).unwrap();
    term.wait_for(&format!("Logs · {name}"), T).unwrap();
    term.send_keys(&["Escape"]).unwrap();
    term.wait_for("7 Containers (", T).unwrap();

    // Exec a shell with a TTY, type a command, leave, and find the TUI again.
    term.send_keys(&["e"]).unwrap();
    if let Err(e) = term.wait_for("exit the shell to return", T) {
        panic!(
            "{e}\n{}",
            term.capture_styled()
                .unwrap_or_default()
                .lines()
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    term.wait_for("/ #", T).unwrap();
    term.send_literal("echo marker-$((6*7)); tty").unwrap();
    term.send_keys(&["Enter"]).unwrap();
    // `tty` names a pseudo-terminal: the exec has a real TTY.
    term.wait_until(T, |s| s.contains("marker-42") && s.contains("/dev/pts/"))
        .unwrap_or_else(|s| panic!("the exec has no TTY, or the command did not run:\n{s}"));
    term.send_literal("exit").unwrap();
    term.send_keys(&["Enter"]).unwrap();
    let back = term
        .wait_for(&format!("exec in {name} exited with code 0"), T)
        .unwrap();
    assert!(back.contains("7 Containers ("), "{back}");
    assert!(
        !back.contains("marker-42"),
        "the TUI redrew its screen:\n{back}"
    );

    // A typed command (split like a shell), then back again with its exit code.
    term.send_keys(&["E"]).unwrap();
    term.wait_for("Run a command", T).unwrap();
    term.send_keys(&["C-u"]).unwrap();
    term.send_literal("sh -c 'echo typed-$((40+2)); exit 3'")
        .unwrap();
    term.send_keys(&["Enter"]).unwrap();
    let back = term
        .wait_for(&format!("exec in {name} exited with code 3"), T)
        .unwrap();
    assert!(back.contains("7 Containers ("), "{back}");

    // `docker run -it` from the run dialog: the terminal goes to the new container's shell.
    term.send_keys(&["1"]).unwrap();
    term.wait_for("Images (1)", T).unwrap();
    term.send_keys(&["r"]).unwrap();
    term.wait_for("Run container", T).unwrap();
    term.send_literal(&it_name).unwrap();
    term.send_keys(&["Tab"]).unwrap();
    term.send_literal("sh").unwrap();
    // Command → Detached is eight fields down; Space turns it off, then TTY on.
    for _ in 0..8 {
        term.send_keys(&["Tab"]).unwrap();
    }
    term.send_keys(&["Space", "Tab", "Space"]).unwrap();
    term.wait_for("like docker run -it", T).unwrap();
    term.send_keys(&["Enter"]).unwrap();
    term.wait_for(&format!("attached to {it_name}"), T).unwrap();
    term.wait_for("/ #", T).unwrap();
    term.send_literal("echo it-$((5*5)); tty; exit 4").unwrap();
    term.send_keys(&["Enter"]).unwrap();
    let back = term
        .wait_for(&format!("{it_name} (attached) exited with code 4"), T)
        .unwrap();
    assert!(back.contains("7 Containers ("), "{back}");
    let state = docker
        .inspect_container(
            &it_name,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await
        .expect("the -it container exists")
        .state
        .expect("state");
    assert_eq!(state.exit_code, Some(4));
    let config = docker
        .inspect_container(
            &it_name,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await
        .expect("inspect")
        .config
        .expect("config");
    assert_eq!((config.tty, config.open_stdin), (Some(true), Some(true)));

    // Keys work again after the exec.
    term.send_keys(&["q"]).unwrap();
    assert_eq!(term.wait_exit(T).unwrap(), 0);
}
