//! TestBackend snapshots of the containers pane, its logs view, stats strip and dialogs.
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::action::{Action, AppAction, ContainersAction, ListAction};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::container_streams::{LogLine, StatsSample};
use crate::engine::containers::ContainerDetails;
use crate::engine::{
    Connection, ContainerInfo, EngineEvent, EngineInfo, ImageInfo, Inventory, PortBinding,
};
use crate::state::AppState;
use crate::state::containers::dialogs::ContainerDialog;
use crate::state::containers::run_form::{Field, Known, RunForm};
use crate::ui::{Ctx, draw};

const NOW: i64 = 1_700_000_000;

fn container(id: &str, name: &str, state: &str, status: &str, age: i64) -> ContainerInfo {
    ContainerInfo {
        id: format!("{id}{}", "0".repeat(64 - id.len())),
        name: name.into(),
        image: "dh-busybox:1".into(),
        image_id: "sha256:aaaa".into(),
        state: state.into(),
        status: status.into(),
        command: "sleep 3600".into(),
        created: NOW - age,
        ports: vec![],
        exit_code: crate::engine::containers::exit_code_from_status(status),
        times: None,
    }
}

/// Gives a container the times its status text was derived from (started `up` seconds ago,
/// finished `down` seconds ago).
fn timed(mut c: ContainerInfo, up: Option<i64>, down: Option<i64>) -> ContainerInfo {
    c.times = Some(crate::engine::ContainerTimes {
        started: up.map(|s| NOW - s),
        finished: down.map(|s| NOW - s),
        health: None,
        exit_code: c.exit_code.unwrap_or(0),
    });
    c
}

fn state() -> AppState {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    let mut web = container("c1", "web-1", "running", "Up 2 hours", 7200);
    web.command = "/bin/httpd -f -p 80".into();
    web.ports = vec![
        PortBinding {
            host_ip: "127.0.0.1".into(),
            host_port: Some(8080),
            container_port: 80,
            proto: "tcp".into(),
        },
        PortBinding {
            host_ip: String::new(),
            host_port: None,
            container_port: 443,
            proto: "tcp".into(),
        },
    ];
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![ImageInfo {
            id: "sha256:aaaa".into(),
            repo_tags: vec!["dh-busybox:1".into()],
            repo_digests: vec![],
            created: NOW - 86_400,
            size: 2_000_000,
        }],
        containers: vec![
            web,
            container("c2", "worker", "paused", "Up 1 hour (Paused)", 3600),
            container("c3", "migrate", "exited", "Exited (137) 5 minutes ago", 600),
            container(
                "c4",
                "job\x1b[31m-evil",
                "restarting",
                "Restarting (1) 2 seconds ago",
                60,
            ),
        ],
    })));
    s.test_action(Action::App(AppAction::FocusContainers));
    s.set_viewports(&[(crate::state::PaneId::Containers, 20)]);
    s
}

fn render(state: &AppState, w: u16, h: u16) -> String {
    let theme = Theme::default_theme();
    let keymap = Keymap::defaults();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let ctx = Ctx {
        theme: &theme,
        keymap: &keymap,
    };
    terminal
        .draw(|f| {
            draw(f, state, &ctx);
        })
        .unwrap();
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

#[test]
fn table_wide_with_stats() {
    let mut s = state();
    s.test_action(Action::List(ListAction::Bottom));
    assert_eq!(s.panes.containers.selected().unwrap().name, "web-1");
    s.test_sync();
    for cpu in [1.0, 4.0, 2.5, 12.0] {
        s.test_engine(EngineEvent::Stats {
            id: s.panes.containers.selected().unwrap().id.clone(),
            sample: StatsSample {
                cpu_percent: cpu,
                mem_used: 12_000_000,
                mem_limit: 512_000_000,
                net_rx: 1000,
                net_tx: 500,
                blk_read: 4096,
                blk_write: 8192,
            },
        });
    }
    let screen = render(&s, 170, 24);
    assert!(screen.contains("127.0.0.1:8080->80/tcp, 443/tcp"));
    assert!(screen.contains("exited (137)"));
    assert!(!screen.contains('\x1b'));
    insta::assert_snapshot!(screen);
}

#[test]
fn table_narrow() {
    let s = state();
    insta::assert_snapshot!(render(&s, 60, 14));
}

#[test]
fn filter_and_marks() {
    let mut s = state();
    s.test_action(Action::List(ListAction::ToggleMark));
    s.test_action(Action::List(ListAction::ToggleMark));
    s.panes.containers.table.set_filter("w");
    insta::assert_snapshot!(render(&s, 100, 12));
}

#[test]
fn logs_view_sanitises_escape_sequences() {
    let mut s = state();
    s.test_action(Action::Containers(ContainersAction::Logs));
    let id = s.panes.containers.logs.as_ref().unwrap().id.clone();
    s.test_engine(EngineEvent::Logs {
        id,
        lines: vec![
            LogLine {
                stderr: false,
                timestamp: "2023-11-14T22:13:20.000000001Z".into(),
                text: "plain start".into(),
            },
            LogLine {
                stderr: false,
                timestamp: "2023-11-14T22:13:21.5Z".into(),
                text: "\x1b[2J\x1b[H\x1b[31mred\x1b[0m \x1b]0;pwned\x07title \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ bell\x07 bs\x08 \x1bPdcs\x1b\\ \u{9b}31mc1 \x1b(Bend\ttab".into(),
            },
            LogLine {
                stderr: true,
                timestamp: "2023-11-14T22:13:22Z".into(),
                text: "an error on stderr".into(),
            },
        ],
    });
    let screen = render(&s, 100, 10);
    assert!(!screen.contains('\x1b'));
    assert!(!screen.contains('\x07'));
    assert!(!screen.contains("pwned"));
    assert!(screen.contains("red title link bell␇ bs␈"));
    insta::assert_snapshot!(screen);
}

#[test]
fn logs_view_search_and_wrap() {
    let mut s = state();
    s.test_action(Action::Containers(ContainersAction::Logs));
    let v = s.panes.containers.logs.as_mut().unwrap();
    v.height = 6;
    v.push(
        (0..30)
            .map(|i| LogLine {
                stderr: false,
                timestamp: String::new(),
                text: format!(
                    "line {i} {}",
                    if i == 12 {
                        "ERROR boom ".repeat(12)
                    } else {
                        String::new()
                    }
                ),
            })
            .collect(),
    );
    v.query = "error".into();
    v.find(false);
    v.wrap = true;
    insta::assert_snapshot!(render(&s, 80, 12));
}

#[test]
fn run_dialog_with_inline_errors() {
    let mut s = state();
    let mut form = RunForm::new("dh-busybox:1");
    form.set(Field::Name, "web-1");
    form.set(Field::Command, "sh -c 'sleep 1000'");
    form.set(Field::Env, "A=1 NOPE");
    form.set(Field::Ports, "127.0.0.1:8080:80/tcp 70000:1");
    form.set(Field::Network, "nowhere");
    let names = vec!["web-1".to_string()];
    form.validate(Known {
        names: &names,
        networks: &[],
    });
    s.panes.containers.dialog = Some(ContainerDialog::Run(Box::new(form)));
    let screen = render(&s, 110, 30);
    assert!(screen.contains("exists already"));
    assert!(screen.contains("70000"));
    insta::assert_snapshot!(screen);
}

#[test]
fn inspect_masks_secrets() {
    let mut s = state();
    s.test_action(Action::List(ListAction::Details));
    let Some(ContainerDialog::Inspect { details, .. }) = &mut s.panes.containers.dialog else {
        panic!("no inspect dialog")
    };
    *details = Some(Ok(Box::new(ContainerDetails {
        id: "c1".into(),
        name: "web-1".into(),
        image: "dh-busybox:1".into(),
        env: vec!["DB_PASSWORD=hunter2".into(), "MODE=prod".into()],
        state: "running (pid 42)".into(),
        health: Some("healthy (failing streak 0) ok".into()),
        network_mode: "none".into(),
        port_bindings: vec!["127.0.0.1:8080->80/tcp".into()],
        mounts: vec!["bind /srv -> /data (ro)".into()],
        ..Default::default()
    })));
    let screen = render(&s, 100, 40);
    assert!(!screen.contains("hunter2"));
    insta::assert_snapshot!(screen);
}

#[test]
fn remove_and_kill_dialogs_name_what_goes() {
    let mut s = state();
    s.test_action(Action::List(ListAction::ToggleMark));
    s.test_action(Action::List(ListAction::ToggleMark));
    s.test_action(Action::List(ListAction::ToggleMark));
    s.test_action(Action::List(ListAction::Remove));
    let y = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('y'),
        crossterm::event::KeyModifiers::NONE,
    );
    let first = render(&s, 90, 16);
    assert!(first.contains("web-1") && first.contains("worker") && first.contains("migrate"));
    s.test_key(&y);
    let second = render(&s, 90, 16);
    assert!(second.contains("running") && !second.contains("migrate  (exited"));
    insta::assert_snapshot!("remove_first_step", first);
    insta::assert_snapshot!("remove_force_step", second);
    s.panes.containers.dialog = None;
    s.test_action(Action::Containers(ContainersAction::Kill));
    insta::assert_snapshot!("kill_dialog", render(&s, 90, 16));
}

#[test]
fn exec_command_dialog() {
    let mut s = state();
    // The running one (web-1) is the last row.
    s.test_action(Action::List(ListAction::Bottom));
    s.test_action(Action::Containers(ContainersAction::ExecCommand));
    let screen = render(&s, 90, 16);
    assert!(
        screen.contains("Run a command") && screen.contains("web-1"),
        "{screen}"
    );
    insta::assert_snapshot!("exec_command_dialog", screen);
}

#[test]
fn status_counts_with_the_clock_without_an_engine_event() {
    let mut s = state();
    let rows = vec![
        timed(
            container("d1", "fresh", "running", "Up Less than a second", 1),
            Some(0),
            None,
        ),
        timed(
            container("d2", "done", "exited", "Exited (0) 1 second ago", 9),
            Some(9),
            Some(1),
        ),
        timed(container("d3", "new", "created", "Created", 2), None, None),
    ];
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![],
        containers: rows,
    })));
    let keymap = Keymap::defaults();
    s.on_tick(&keymap, NOW);
    let screen = render(&s, 170, 12);
    assert!(screen.contains("Up Less than a second"), "{screen}");
    assert!(screen.contains("Exited (0) 1 second ago"), "{screen}");
    let (_, redraw_later) = s.on_tick(&keymap, NOW + 5);
    assert!(redraw_later, "a status that reads differently redraws");
    let screen = render(&s, 170, 12);
    assert!(screen.contains("Up 5 seconds"), "{screen}");
    assert!(screen.contains("Exited (0) 6 seconds ago"), "{screen}");
    assert!(screen.contains("Created"), "{screen}");
    let (_, redraw) = s.on_tick(&keymap, NOW + 125);
    assert!(redraw);
    let screen = render(&s, 170, 12);
    assert!(screen.contains("Up 2 minutes"), "{screen}");
    let (_, redraw) = s.on_tick(&keymap, NOW + 126);
    assert!(!redraw, "nothing on screen changed within the minute");
}

#[test]
fn untagged_image_shows_a_short_id_and_stats_labels_stay_apart_at_80_columns() {
    let mut s = state();
    let hex = "ab12".repeat(16);
    let mut c = container("e1", "orphan", "running", "Up 1 minute", 60);
    c.image = format!("sha256:{hex}");
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![],
        containers: vec![c],
    })));
    s.test_sync();
    for mem in [12_000_000, 12_000_000, 12_000_000] {
        s.test_engine(EngineEvent::Stats {
            id: s.panes.containers.selected().unwrap().id.clone(),
            sample: StatsSample {
                cpu_percent: 0.0,
                mem_used: mem,
                mem_limit: 48_000_000,
                net_rx: 0,
                net_tx: 0,
                blk_read: 0,
                blk_write: 0,
            },
        });
    }
    let screen = render(&s, 80, 24);
    assert!(screen.contains(&hex[..12]), "{screen}");
    assert!(!screen.contains("sha256:"), "{screen}");
    assert!(!screen.contains("%MEM"), "{screen}");
    assert!(screen.contains("CPU 0.0%"), "{screen}");
    // Memory steady at a quarter of the limit: no full-height block in the sparkline.
    assert!(!screen.contains('█'), "{screen}");
    insta::assert_snapshot!(screen);
}
