//! TestBackend snapshots of every pane and overlay, with theme and keymap variants.
use crate::action::ListAction;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::{Ctx, draw};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::{
    Attempt, Connection, ContainerInfo, EngineEvent, EngineInfo, HistoryEntry, ImageDetails,
    ImageInfo, Inventory, PruneCandidate, PrunePlan, PruneScope,
};
use crate::state::images::dialogs::{Fate, ImagesDialog, PlanState, RemoveTarget};
use crate::state::widgets::input::TextInput;
use crate::state::widgets::prompt::Prompt;
use crate::state::widgets::scroll::Viewport;
use crate::state::{AppState, PaneId};

const NOW: i64 = 1_700_000_000;

fn image(id: &str, tags: &[&str], age: i64, size: u64) -> ImageInfo {
    ImageInfo {
        id: format!("sha256:{id}{}", "0".repeat(64 - id.len())),
        repo_tags: tags.iter().map(|t| t.to_string()).collect(),
        repo_digests: vec![],
        created: NOW - age,
        size,
    }
}

fn history(created_by: &str, size: u64) -> HistoryEntry {
    HistoryEntry {
        id: "<missing>".into(),
        created: NOW - 3600,
        created_by: created_by.into(),
        size,
        comment: String::new(),
    }
}

/// A state as after connecting to an engine with a few images and one container.
fn state() -> AppState {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    let inv = Inventory {
        images: vec![
            image(
                "aaaa1111",
                &["busybox:1.36", "busybox:latest"],
                3 * 86_400,
                4_261_000,
            ),
            image(
                "bbbb2222",
                &["registry.local:5000/team/web:2.1"],
                7200,
                187_400_000,
            ),
            image("cccc3333", &[], 40 * 86_400, 92_000_000),
            image("dddd4444", &["postgres:16"], 90 * 86_400, 431_000_000),
        ],
        containers: vec![ContainerInfo {
            id: "c1".into(),
            name: "web-1".into(),
            image: "registry.local:5000/team/web:2.1".into(),
            image_id: format!("sha256:bbbb2222{}", "0".repeat(56)),
            state: "running".into(),
            status: "Up 2 hours".into(),
            ..Default::default()
        }],
    };
    s.test_engine(EngineEvent::Inventory(Ok(inv)));
    let id = s.panes.layers.image_id.clone().unwrap_or_default();
    s.test_engine(EngineEvent::Details {
        image_id: id.clone(),
        result: Ok(Box::new(ImageDetails {
            id,
            repo_tags: vec!["registry.local:5000/team/web:2.1".into()],
            created: "2023-11-14T20:13:20Z".into(),
            platform: "linux/amd64".into(),
            size: 187_400_000,
            cmd: vec!["/app/server".into(), "--port=8080".into()],
            env: vec!["PATH=/usr/bin:/bin".into(), "APP_ENV=prod".into()],
            exposed_ports: vec!["8080/tcp".into()],
            labels: vec![("org.opencontainers.image.source".into(), "https://git.local/web".into())],
            working_dir: "/app".into(),
            user: "app".into(),
            layers: vec!["sha256:l1".into(), "sha256:l2".into(), "sha256:l3".into()],
            history: vec![
                history("/bin/sh -c #(nop) ADD file:6c2b in / ", 80_000_000),
                history("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", 0),
                history("/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl tzdata && rm -rf /var/lib/apt/lists/*", 95_000_000),
                history("/bin/sh -c #(nop)  ENV APP_ENV=prod", 0),
                history("/bin/sh -c #(nop) COPY dir:99ab in /app ", 12_400_000),
                history("/bin/sh -c #(nop)  USER app", 0),
                history("/bin/sh -c #(nop)  CMD [\"/app/server\" \"--port=8080\"]", 0),
            ],
            ..ImageDetails::default()
        })),
    });
    s
}

fn render_with(
    state: &AppState,
    theme: &Theme,
    keymap: &Keymap,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let ctx = Ctx { theme, keymap };
    terminal
        .draw(|f| {
            draw(f, state, &ctx);
        })
        .unwrap();
    terminal
}

fn render(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    render_with(state, &Theme::default_theme(), &Keymap::defaults(), w, h)
}

#[test]
fn images_and_layers_wide() {
    insta::assert_snapshot!(render(&state(), 140, 20).backend());
}

#[test]
fn narrow_layout_stacks_panes() {
    let mut s = state();
    s.shared.focus = PaneId::Layers;
    s.panes.layers.view.select(2);
    insta::assert_snapshot!(render(&s, 80, 30).backend());
}

#[test]
fn filter_and_marks() {
    let mut s = state();
    s.panes.images.table.toggle_mark();
    s.panes.images.filter.editing = Some(TextInput::with("bus"));
    s.panes.images.table.set_filter("bus");
    insta::assert_snapshot!(render(&s, 120, 12).backend());
}

#[test]
fn tag_dialog_shows_validation_inline() {
    let mut s = state();
    s.panes.images.dialog = Some(ImagesDialog::Tag {
        source: "sha256:bbbb2222".into(),
        source_label: "registry.local:5000/team/web:2.1".into(),
        prompt: Prompt::new("Team/Web:2.2", crate::state::images::dialogs::validate_tag),
    });
    insta::assert_snapshot!(render(&s, 100, 16).backend());
}

#[test]
fn remove_dialog_second_step_names_containers() {
    let mut s = state();
    s.panes.images.dialog = Some(ImagesDialog::Remove {
        targets: vec![
            RemoveTarget {
                key: "registry.local:5000/team/web:2.1".into(),
                label: "registry.local:5000/team/web:2.1".into(),
                used_by: vec!["web-1".into()],
                other_tags: 0,
                fate: Fate::UntagKeepImage(vec!["web-1".into()]),
            },
            RemoveTarget {
                key: "migrate:1".into(),
                label: "migrate:1".into(),
                used_by: vec!["migrate-1".into()],
                other_tags: 0,
                fate: Fate::DeleteUnder(vec!["migrate-1".into()]),
            },
        ],
        force_step: true,
    });
    insta::assert_snapshot!(render(&s, 100, 20).backend());
}

#[test]
fn prune_dialog_lists_what_goes_and_the_total() {
    let mut s = state();
    s.panes.images.dialog = Some(ImagesDialog::Prune {
        scope: PruneScope::AllUnused,
        build_cache: true,
        view: Viewport::default(),
        plan: PlanState::Ready(PrunePlan {
            scope: PruneScope::AllUnused,
            build_cache: true,
            reclaim: 523_000_000,
            images: vec![
                PruneCandidate {
                    id: "sha256:cccc3333".into(),
                    repo_tags: vec![],
                    reclaim: 92_000_000,
                    untag_only: false,
                },
                PruneCandidate {
                    id: "sha256:dddd4444".into(),
                    repo_tags: vec!["postgres:16".into()],
                    reclaim: 431_000_000,
                    untag_only: false,
                },
                PruneCandidate {
                    id: "sha256:aaaa1111".into(),
                    repo_tags: vec!["busybox:1.36".into(), "busybox:latest".into()],
                    reclaim: 0,
                    untag_only: true,
                },
            ],
        }),
    });
    insta::assert_snapshot!(render(&s, 110, 20).backend());
}

#[test]
fn help_lists_pane_and_global_keys() {
    let mut s = state();
    s.help = true;
    insta::assert_snapshot!(render(&s, 100, 40).backend());
}

#[test]
fn help_follows_a_user_keymap() {
    let mut s = state();
    s.help = true;
    let keymap = Keymap::with_user(
        "[[images]]\nkeys = [\"x\"]\naction = \"remove\"\ndesc = \"Delete for good\"\n",
        "test",
    )
    .unwrap();
    let t = render_with(&s, &Theme::default_theme(), &keymap, 100, 40);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn details_view_of_image_config() {
    let mut s = state();
    s.test_action(crate::action::Action::List(ListAction::Details));
    insta::assert_snapshot!(render(&s, 100, 26).backend());
}

#[test]
fn disconnected_engine_says_what_was_tried() {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.test_engine(EngineEvent::Connection(Connection::Disconnected {
        attempts: vec![
            Attempt {
                source: "default socket".into(),
                endpoint: "unix:///var/run/docker.sock".into(),
                error: "no socket at /var/run/docker.sock".into(),
            },
            Attempt {
                source: "Podman (rootful)".into(),
                endpoint: "unix:///run/podman/podman.sock".into(),
                error: "no socket at /run/podman/podman.sock".into(),
            },
        ],
        retry_in: Duration::from_secs(4),
    }));
    insta::assert_snapshot!(render(&s, 120, 14).backend());
}

#[test]
fn tiny_terminal_gets_a_notice_not_a_panic() {
    let s = state();
    for (w, h) in [(20, 5), (1, 1), (39, 30), (200, 7)] {
        render(&s, w, h);
    }
    insta::assert_snapshot!(render(&s, 20, 5).backend());
}

#[test]
fn hostile_image_names_and_instructions_are_sanitised() {
    let mut s = state();
    s.test_engine(EngineEvent::Details {
        image_id: s.panes.layers.image_id.clone().unwrap_or_default(),
        result: Ok(Box::new(ImageDetails {
            history: vec![history(
                "/bin/sh -c echo \u{1b}]0;pwned\u{7}\u{1b}[2Jhi\tthere",
                3,
            )],
            ..ImageDetails::default()
        })),
    });
    let t = render(&s, 140, 10);
    let text = format!("{}", t.backend());
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("RUN echo hi there"), "{text}");
}

fn cell_bg(t: &Terminal<TestBackend>, x: u16, y: u16) -> Color {
    t.backend().buffer()[(x, y)].bg
}

#[test]
fn themes_colour_roles_differ_where_they_should() {
    let s = state();
    // Row 3 of the screen (tab bar, border, header, then rows) is the selected row (newest first: web:2.1).
    let dark = render_with(&s, &Theme::default_theme(), &Keymap::defaults(), 140, 20);
    let light = render_with(
        &s,
        &Theme::named("light").unwrap(),
        &Keymap::defaults(),
        140,
        20,
    );
    let mono = render_with(
        &s,
        &Theme::named("mono").unwrap(),
        &Keymap::defaults(),
        140,
        20,
    );
    assert_eq!(cell_bg(&dark, 5, 3), Theme::default_theme().selected_bg);
    assert_eq!(
        cell_bg(&light, 5, 3),
        Theme::named("light").unwrap().selected_bg
    );
    assert_eq!(cell_bg(&mono, 5, 3), Color::Reset);
    let modifier = mono.backend().buffer()[(5, 3)].modifier;
    assert!(modifier.contains(ratatui::style::Modifier::REVERSED));
    // Text is the same whatever the theme.
    assert_eq!(
        format!("{}", dark.backend()),
        format!("{}", light.backend())
    );
}

#[test]
fn jobs_pane_shows_layer_progress_and_output() {
    use crate::engine::{JobKind, Progress};
    let mut s = state();
    s.shared.focus = PaneId::Jobs;
    s.test_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Tag {
            source: "busybox:1.36".into(),
            target: "busybox:prod".into(),
        },
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(crate::engine::JobOutcome::Done(
            "added tag busybox:prod".into(),
        )),
    });
    s.shared.now += 4;
    s.test_engine(EngineEvent::JobStarted {
        id: 2,
        kind: JobKind::Prune(PruneScope::AllUnused),
    });
    for (id, phase, cur, total) in [
        ("a1b2c3d4e5f6", "Downloading", 30_000_000, 80_000_000),
        ("0f9e8d7c6b5a", "Pull complete", 5_000_000, 5_000_000),
        ("77aa88bb99cc", "Waiting", 0, 0),
    ] {
        s.test_engine(EngineEvent::JobProgress {
            id: 2,
            progress: Progress::Layer {
                id: id.into(),
                phase: phase.into(),
                current: cur,
                total,
            },
        });
    }
    s.test_engine(EngineEvent::JobProgress {
        id: 2,
        progress: Progress::Log("\u{1b}[32mstep 1/3\u{1b}[0m".into()),
    });
    s.shared.now += 5;
    insta::assert_snapshot!(render(&s, 110, 18).backend());
}

/// Draws like the app loop does: the frame, then the rows each pane showed fed back.
fn frame(s: &mut AppState, w: u16, h: u16) -> String {
    let (theme, keymap) = (Theme::default_theme(), Keymap::defaults());
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut info = crate::ui::FrameInfo::default();
    term.draw(|f| {
        info = draw(
            f,
            s,
            &Ctx {
                theme: &theme,
                keymap: &keymap,
            },
        )
    })
    .unwrap();
    s.set_viewports(&info.rows);
    s.set_dialog_rows(info.dialog_rows);
    let buf = term.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn the_images_list_keeps_its_rows_in_view_across_pane_switches_and_resizes() {
    let mut s = AppState::default();
    s.shared.now = NOW;
    let images: Vec<ImageInfo> = (0..10)
        .map(|i| image(&format!("{i:02}"), &[&format!("app{i}:1")], 100 * i, 1))
        .collect();
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images,
        containers: vec![],
    })));
    for (w, h) in [(160, 45), (80, 24)] {
        frame(&mut s, w, h);
        s.test_key(&KeyEvent::new(KeyCode::Char('7'), KeyModifiers::NONE));
        frame(&mut s, w, h);
        s.test_key(&KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE));
        frame(&mut s, w, h);
        s.test_key(&KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
        let screen = frame(&mut s, w, h);
        let shown = (0..10)
            .filter(|i| screen.contains(&format!("app{i} ")))
            .count();
        assert_eq!(shown, 10, "{w}x{h}: all ten rows on screen\n{screen}");
    }
    // A terminal too short for all rows keeps the cursor's row, and no blank rows below the last.
    s.test_key(&KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE));
    s.test_key(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE));
    frame(&mut s, 80, 10);
    let screen = frame(&mut s, 80, 40);
    let shown = (0..10)
        .filter(|i| screen.contains(&format!("app{i} ")))
        .count();
    assert_eq!(shown, 10, "grown back: all rows\n{screen}");
}

/// The image config dialog scrolls to its last line and no further: once at the end, one key up
/// moves the text (no key presses are spent on rows past the end), at 100x26 (panes stacked) and
/// 160x45 (side by side).
#[test]
fn the_image_config_dialog_stops_at_its_end() {
    for (w, h) in [(100, 26), (160, 45), (100, 14)] {
        let mut s = state();
        let mut env: Vec<String> = (0..60).map(|i| format!("VAR_{i}=value-{i}")).collect();
        env.push("LAST_LINE_OF_ENV=1".into());
        if let Some(d) = s.panes.layers.details.as_mut() {
            d.env = env;
        }
        frame(&mut s, w, h);
        s.test_action(crate::action::Action::List(ListAction::Details));
        frame(&mut s, w, h);
        let down = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        for _ in 0..200 {
            s.test_key(&down);
            frame(&mut s, w, h);
        }
        let at_end = frame(&mut s, w, h);
        let last = s
            .panes
            .layers
            .config_lines()
            .last()
            .cloned()
            .unwrap_or_default();
        assert!(
            at_end.contains(last.trim()),
            "{w}x{h}: last line not shown:\n{at_end}"
        );
        s.test_key(&KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE));
        let up = frame(&mut s, w, h);
        assert_ne!(at_end, up, "{w}x{h}: one key up did not move the text");
    }
}

/// A hung engine is said in the status bar ("not answering"), and "connected" again once it
/// answers; the lists stay as they were meanwhile.
#[test]
fn a_hung_engine_is_not_answering_then_connected_again() {
    let mut s = state();
    let rows = s.panes.images.table.rows.len();
    s.test_engine(EngineEvent::Connection(Connection::NotAnswering {
        info: EngineInfo::local_test(),
        deadline: Duration::from_secs(5),
    }));
    let hung = frame(&mut s, 120, 20);
    let last = hung.lines().last().unwrap_or_default().to_string();
    assert!(
        last.contains("not answering (no reply within 5s)"),
        "{last}"
    );
    assert!(!last.contains('●'), "{last}");
    assert_eq!(s.panes.images.table.rows.len(), rows);
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    let back = frame(&mut s, 120, 20);
    let last = back.lines().last().unwrap_or_default().to_string();
    assert!(
        last.contains('●') && !last.contains("not answering"),
        "{last}"
    );
}

/// A container created while another pane is on screen is in view when the containers pane is
/// focused: as many rows as the title counts.
#[test]
fn a_container_created_elsewhere_is_in_view_on_focusing_the_containers() {
    let mut s = AppState::default();
    s.shared.now = NOW;
    let container = |i: i64| ContainerInfo {
        id: format!("c{i}"),
        name: format!("box{i}"),
        image: "busybox:1".into(),
        state: "created".into(),
        status: "Created".into(),
        created: NOW - 1000 + i,
        ..Default::default()
    };
    let inv = |n: i64| Inventory {
        images: vec![image("aaaa", &["busybox:1"], 10, 1)],
        containers: (0..n).map(container).collect(),
    };
    s.test_engine(EngineEvent::Inventory(Ok(inv(6))));
    let seven = KeyEvent::new(KeyCode::Char('7'), KeyModifiers::NONE);
    let two = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE);
    for (w, h) in [(160, 45), (80, 24)] {
        s.test_key(&seven);
        frame(&mut s, w, h);
        s.test_key(&two);
        frame(&mut s, w, h);
    }
    s.test_engine(EngineEvent::Inventory(Ok(inv(7))));
    frame(&mut s, 160, 45);
    s.test_key(&seven);
    let screen = frame(&mut s, 160, 45);
    let shown = (0..7)
        .filter(|i| screen.contains(&format!("box{i} ")))
        .count();
    assert_eq!(shown, 7, "all seven rows on screen\n{screen}");
}

/// The STATUS column says the time as of now, not as of the listing ("Up Less than a second"
/// read 30 s later is "Up 30 seconds").
#[test]
fn the_status_column_ages_with_the_clock() {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.test_engine(EngineEvent::Inventory(Ok(Inventory {
        images: vec![],
        containers: vec![ContainerInfo {
            id: "c1".into(),
            name: "web".into(),
            image: "busybox:1".into(),
            state: "running".into(),
            status: "Up Less than a second".into(),
            created: NOW,
            ..Default::default()
        }],
    })));
    s.test_key(&KeyEvent::new(KeyCode::Char('7'), KeyModifiers::NONE));
    assert!(frame(&mut s, 160, 20).contains("Up Less than a second"));
    s.test_tick(NOW + 30);
    let later = frame(&mut s, 160, 20);
    assert!(later.contains("Up 30 seconds"), "{later}");
}

#[test]
fn a_long_status_message_is_shown_whole_at_160_columns() {
    let mut s = state();
    let text = format!(
        "removed {}: 2 images (3 layers), 2 tags untagged",
        ["registry.local:5000/team/web:2.1"; 3].join(", ")
    );
    assert!(text.len() > 120, "{}", text.len());
    s.shared.say(crate::state::Level::Ok, text.clone());
    let screen = format!("{:?}", render(&s, 160, 20).backend());
    assert!(screen.contains(&text), "{screen}");
    // Wider than the terminal: cut with an ellipsis, never silently.
    let screen = format!("{:?}", render(&s, 80, 20).backend());
    assert!(
        screen.contains("removed registry.local:5000/team/web:2.1"),
        "{screen}"
    );
    assert!(screen.contains('…'), "{screen}");
    // The engine's connection state stays in view beside the message.
    assert!(
        screen.contains("● removed") || screen.contains("◌ removed"),
        "{screen}"
    );
}

#[test]
fn the_selected_row_is_readable_and_the_unfocused_layer_row_has_no_underline() {
    let s = state();
    let theme = Theme::default_theme();
    let term = render(&s, 160, 30);
    let buf = term.backend().buffer();
    // The images pane has the focus; its selected row is the first one under the header.
    let (mut id_cell, mut underlined) = (None, false);
    // Row 0 is the tab bar (its current tab is underlined on purpose).
    for y in 1..buf.area.height {
        let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let at = (0..cells.len().saturating_sub(12))
            .find(|&x| cells[x..x + 12].concat() == "bbbb22220000");
        if let (None, Some(x)) = (&id_cell, at) {
            id_cell = Some(buf[(x as u16, y)].clone());
        }
        for x in 0..buf.area.width {
            underlined |= buf[(x, y)]
                .modifier
                .contains(ratatui::style::Modifier::UNDERLINED);
        }
    }
    let id = id_cell.expect("the selected row");
    assert_eq!(id.bg, theme.selected_bg, "{id:?}");
    assert_eq!(
        id.fg, theme.selected_fg,
        "the IMAGE ID is not grey on the selection: {id:?}"
    );
    assert!(!underlined, "the layers pane's cursor is not underlined");
}

#[test]
fn a_wide_terminal_gives_the_room_to_the_layers_not_to_repository_padding() {
    let s = state();
    let term = render(&s, 250, 30);
    let buf = term.backend().buffer();
    // Line 1 holds both panes' top borders: the images pane ends at its first corner.
    let top: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, 1)].symbol()).collect();
    let images_width = top.iter().position(|c| *c == "┓" || *c == "╮").unwrap_or(0) + 1;
    assert!(
        (72..=100).contains(&images_width),
        "images pane {images_width} of 250 columns"
    );
}

#[test]
fn beside_the_layers_every_repository_and_tag_shown_fits_whole() {
    let s = state();
    for width in [160u16, 250] {
        let term = render(&s, width, 30);
        let screen = format!("{:?}", term.backend());
        for name in ["registry.local:5000/team/web", "postgres", "latest", "1.36"] {
            assert!(screen.contains(name), "{width}: {name}\n{screen}");
        }
    }
}
