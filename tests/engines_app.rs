//! The app's engine machinery against REAL engines (the private dockerds and the sshd that
//! tests/run.sh starts): the engines the app would start from a Docker config (default =
//! DOCKER_HOST, a context for the second dockerd, one over ssh, one on a host that never
//! answers, one refusing, one broken), their events fed into the app state exactly as the app
//! loop feeds them, the engines pane drawn, and switching to the ssh engine and back while the
//! silent host is still connecting.
//!
//! Without DOCKHAND_ENGINE2_HOST / DOCKHAND_SSH_HOST the test returns early unless
//! `DOCKHAND_REQUIRE_ENGINE=1`.

mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::engine::{self, Cleanup};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dockhand::config::keymap::Keymap;
use dockhand::config::theme::Theme;
use dockhand::engine::endpoint::{ResolveInput, context_dir_name};
use dockhand::engine::roster;
use dockhand::engine::set::{EngineSet, EngineState, SetEvent};
use dockhand::engine::{Command, Connection};
use dockhand::state::engines::{RowState, rows_from};
use dockhand::state::{AppState, Effect, SetOp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(60);

fn context(config: &Path, name: &str, host: Option<&str>) {
    let meta = config.join("contexts/meta").join(context_dir_name(name));
    std::fs::create_dir_all(&meta).expect("meta dir");
    let endpoints = match host {
        Some(h) => format!(r#"{{"docker":{{"Host":"{h}","SkipTLSVerify":false}}}}"#),
        None => "{}".into(),
    };
    std::fs::write(
        meta.join("meta.json"),
        format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{endpoints}}}"#),
    )
    .expect("meta.json");
}

/// What the app loop does with effects that leave the state.
fn execute(set: &mut EngineSet, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::Engine(c) => {
                set.send_active(c);
            }
            Effect::Set(SetOp::Select(id)) => {
                set.select(id);
            }
            Effect::Set(SetOp::Send(id, c)) => {
                set.send(id, c);
            }
            _ => {}
        }
    }
}

/// What the app loop does with one set event.
fn apply(state: &mut AppState, set: &mut EngineSet, ev: SetEvent) {
    let keymap = Keymap::defaults();
    let effects = match ev {
        SetEvent::Engine { id, event } => state.on_engine_from(&keymap, id, event),
        SetEvent::State { id, state: s } => {
            state.on_engine_state(id, s);
            vec![]
        }
        SetEvent::ImageOn { .. } => vec![],
    };
    execute(set, effects);
    let synced = state.sync(&keymap);
    execute(set, synced);
}

/// Feeds events until `done` holds for the state.
async fn run_until(
    state: &mut AppState,
    set: &mut EngineSet,
    rx: &mut mpsc::UnboundedReceiver<SetEvent>,
    what: &str,
    done: impl Fn(&AppState) -> bool,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done(state) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) => apply(state, set, ev),
            Ok(None) => panic!("the set closed waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}: {:#?}", state.shared.engines),
        }
    }
}

fn key(state: &mut AppState, set: &mut EngineSet, code: KeyCode, mods: KeyModifiers) {
    let effects = state.on_key(&Keymap::defaults(), &KeyEvent::new(code, mods));
    execute(set, effects);
}

fn render(state: &AppState) -> String {
    let theme = Theme::default_theme();
    let keymap = Keymap::defaults();
    let mut terminal = Terminal::new(TestBackend::new(160, 16)).expect("terminal");
    let ctx = dockhand::ui::Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    terminal
        .draw(|f| {
            dockhand::ui::draw(f, state, &ctx);
        })
        .expect("draw");
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn line_of<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("┃  {name} ")) || l.contains(&format!("┃▶ {name} ")))
        .unwrap_or_else(|| panic!("no row for {name}:\n{screen}"))
}

fn connected_with_counts(state: &AppState, name: &str) -> bool {
    state.shared.engines.iter().any(|r| {
        r.name == name
            && matches!(
                r.state,
                RowState::Engine(EngineState::Connected {
                    images: Some(_),
                    ..
                })
            )
    })
}

/// Ctrl-e, the cursor to `name`, Enter; returns how long the state took to show it.
fn switch_to(state: &mut AppState, set: &mut EngineSet, name: &str) -> Duration {
    key(state, set, KeyCode::Char('e'), KeyModifiers::CONTROL);
    key(state, set, KeyCode::Char('g'), KeyModifiers::NONE);
    while state
        .panes
        .engines
        .table
        .selected()
        .map(|r| r.name.as_str())
        != Some(name)
    {
        key(state, set, KeyCode::Char('j'), KeyModifiers::NONE);
    }
    let started = Instant::now();
    key(state, set, KeyCode::Enter, KeyModifiers::NONE);
    render(state);
    started.elapsed()
}

#[tokio::test]
async fn engines_from_a_docker_config_checked_in_the_background_and_switched() {
    let (second, ssh) = match (
        std::env::var("DOCKHAND_ENGINE2_HOST"),
        std::env::var("DOCKHAND_SSH_HOST"),
    ) {
        (Ok(a), Ok(b)) if !a.is_empty() && !b.is_empty() => (a, b),
        _ if engine::engine_required() => panic!("DOCKHAND_ENGINE2_HOST / DOCKHAND_SSH_HOST unset"),
        _ => return,
    };
    let Some(local) = engine::docker().await else {
        return;
    };
    let far = engine::connect(&second).await.expect("second engine");
    let mut guard = Cleanup::new();
    let mine = guard.image(format!("{}:1", engine::unique("dh-app-one")));
    support::fixture(&local, &mine, "").await;
    let theirs = format!("{}:1", engine::unique("dh-app-two"));
    support::fixture(&far, &theirs, "").await;

    // A host that accepts and never says a word, and a closed port.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let held = tokio::spawn(async move {
        let mut conns = Vec::new();
        while let Ok((c, _)) = silent.accept().await {
            conns.push(c);
        }
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed_port = closed.local_addr().expect("addr").port();
    drop(closed);

    let config = tempfile::tempdir().expect("config");
    let c = config.path();
    context(c, "second", Some(&second));
    context(c, "far", Some(&ssh));
    context(
        c,
        "silent",
        Some(&format!("ssh://root@127.0.0.1:{silent_port}")),
    );
    context(
        c,
        "refused",
        Some(&format!("tcp://127.0.0.1:{closed_port}")),
    );
    context(c, "broken", None);
    let input = ResolveInput {
        docker_host: engine::docker_host(),
        config_dir: Some(c.to_path_buf()),
        ..Default::default()
    };

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut set = EngineSet::new(Arc::new(move |ev| drop(tx.send(ev))));
    let started = Instant::now();
    let listed = roster::start(&mut set, roster::plan(&input));
    let mut state = AppState::default();
    state.shared.now = dockhand::util::time::now_unix();
    state.set_engines(rows_from(listed, |id| set.state(id)), set.active());
    assert_eq!(state.shared.active_row().expect("shown").name, "default");

    run_until(&mut state, &mut set, &mut rx, "three engines listed", |s| {
        ["default", "second", "far"]
            .iter()
            .all(|n| connected_with_counts(s, n))
            && s.shared.engines.iter().any(|r| {
                r.name == "refused"
                    && matches!(r.state, RowState::Engine(EngineState::Failed { .. }))
            })
    })
    .await;
    eprintln!(
        "default, second and far (ssh) listed in {:?}",
        started.elapsed()
    );
    let silent_row = state.shared.engines.iter().find(|r| r.name == "silent");
    assert!(
        matches!(
            silent_row.map(|r| &r.state),
            Some(RowState::Engine(EngineState::Connecting))
        ),
        "{silent_row:?}"
    );
    // The shown engine's panes have only its own images.
    let labels = |s: &AppState| -> Vec<String> {
        s.panes
            .images
            .table
            .rows
            .iter()
            .map(|r| r.label())
            .collect()
    };
    assert!(labels(&state).contains(&mine));
    assert!(!labels(&state).contains(&theirs));

    key(
        &mut state,
        &mut set,
        KeyCode::Char('e'),
        KeyModifiers::CONTROL,
    );
    let screen = render(&state);
    assert!(
        line_of(&screen, "default *").contains("● Docker Engine"),
        "{screen}"
    );
    assert!(line_of(&screen, "default *").starts_with("┃▶"), "{screen}");
    assert!(line_of(&screen, "second").contains(&second), "{screen}");
    assert!(
        line_of(&screen, "far").contains("● Docker Engine"),
        "{screen}"
    );
    assert!(line_of(&screen, "far").contains(&ssh), "{screen}");
    assert!(
        line_of(&screen, "silent").contains("◌ connecting"),
        "{screen}"
    );
    assert!(line_of(&screen, "refused").contains("✗"), "{screen}");
    assert!(
        line_of(&screen, "broken").contains("✗ unusable"),
        "{screen}"
    );

    // The ssh engine reaches the first dockerd: the same images, through another engine.
    let took = switch_to(&mut state, &mut set, "far");
    eprintln!("switch to far (ssh), key to frame: {took:?}");
    assert_eq!(state.shared.active_row().expect("shown").name, "far");
    assert!(labels(&state).contains(&mine), "{:?}", labels(&state));
    let Connection::Connected(info) = &state.shared.connection else {
        panic!("far is connected: {:?}", state.shared.connection);
    };
    assert_eq!(info.endpoint, ssh);
    // Commands now go to the ssh engine: a refresh answers from it.
    execute(&mut set, vec![Effect::Engine(Command::Refresh)]);
    let took = switch_to(&mut state, &mut set, "second");
    eprintln!("switch to second, key to frame: {took:?}");
    assert!(labels(&state).contains(&theirs), "{:?}", labels(&state));
    assert!(!labels(&state).contains(&mine));
    let took = switch_to(&mut state, &mut set, "default");
    eprintln!("switch back to default, key to frame: {took:?}");
    assert!(labels(&state).contains(&mine));
    // Events keep coming for every engine and never mix: run for a while and check again.
    let quiet = tokio::time::Instant::now() + Duration::from_secs(3);
    while let Ok(Some(ev)) = tokio::time::timeout_at(quiet, rx.recv()).await {
        apply(&mut state, &mut set, ev);
    }
    assert!(!labels(&state).contains(&theirs), "{:?}", labels(&state));
    assert!(matches!(
        state
            .shared
            .engines
            .iter()
            .find(|r| r.name == "silent")
            .map(|r| &r.state),
        Some(RowState::Engine(EngineState::Connecting))
    ));
    held.abort();
    engine::remove_image_quiet(&far, &theirs).await;
}
