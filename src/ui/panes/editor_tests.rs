//! Snapshots of the editor pane (text, gutter, lint list, build marks, failure, dialogs) at a normal
//! and a small size, and style checks that syntax roles reach the cells.
use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::{EngineError, EngineEvent, JobKind, Progress};
use crate::state::editor::build::ContextSize;
use crate::state::editor::{AfterSave, Modal};
use crate::state::{AppState, PaneId};
use crate::ui::{Ctx, draw};

const SRC: &str = "# syntax=docker/dockerfile:1\nFROM busybox:latest AS build\nARG VERSION=1.0\nWORKDIR app\nCOPY --from=build /src /app\nRUN echo \"$VERSION\" \\\n  && make\nCMD [\"./app\", \"--port=80\"]\n";

fn state() -> AppState {
    let mut s = AppState::default();
    s.shared.now = 1_700_000_000;
    s.panes
        .editor
        .open(&PathBuf::from("/src/app/Dockerfile"), SRC, None);
    s.shared.focus = PaneId::Editor;
    s
}

fn render_theme(state: &AppState, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let keymap = Keymap::defaults();
    let ctx = Ctx {
        theme,
        keymap: &keymap,
    };
    terminal
        .draw(|f| {
            draw(f, state, &ctx);
        })
        .unwrap();
    terminal
}

fn render(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    render_theme(state, &Theme::default_theme(), w, h)
}

/// Finds `needle` on screen; returns the position of its first cell.
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = row.find(needle) {
            let col = row[..i].chars().count() as u16;
            return (col, y);
        }
    }
    panic!("{needle:?} not on screen")
}

fn fg_at(buf: &Buffer, needle: &str, offset: u16) -> Color {
    let (x, y) = find(buf, needle);
    buf[(x + offset, y)].fg
}

fn building(s: &mut AppState) {
    s.test_engine(EngineEvent::JobStarted {
        id: 4,
        kind: JobKind::Build {
            dockerfile: "/src/app/Dockerfile".into(),
            tag: Some("app:dev".into()),
        },
    });
    for line in [
        "sending context: 3 files, 4.1 kB",
        "Step 1/7 : FROM busybox:latest AS build",
        " ---> d499595d43a3",
        "Step 2/7 : ARG VERSION=1.0",
        " ---> Using cache",
        " ---> 1111aaaa2222",
        "Step 3/7 : WORKDIR app",
        " ---> Using cache",
        " ---> 2222bbbb3333",
        "Step 4/7 : COPY --from=build /src /app",
        " ---> 3333cccc4444",
        "Step 5/7 : RUN echo \"$VERSION\"   && make",
        " ---> Running in 99aa",
    ] {
        s.test_engine(EngineEvent::JobProgress {
            id: 4,
            progress: Progress::Log(line.into()),
        });
    }
}

#[test]
fn editor_with_highlighting_and_lint_gutter() {
    let s = state();
    let theme = Theme::default_theme();
    let term = render_theme(&s, &theme, 100, 20);
    let buf = term.backend().buffer();
    assert_eq!(fg_at(buf, "FROM busybox", 0), theme.syntax_keyword);
    assert_eq!(fg_at(buf, "# syntax", 0), theme.syntax_comment);
    assert_eq!(fg_at(buf, "--from=build", 0), theme.syntax_flag);
    assert_eq!(fg_at(buf, "$VERSION", 0), theme.syntax_variable);
    assert_eq!(fg_at(buf, "\"./app\"", 1), theme.syntax_string);
    // Gutter: DL3007 on line 2 (warning) and DL3000 on line 4.
    let (x, y) = find(buf, "W   2 ");
    assert_eq!(buf[(x, y)].fg, theme.warning);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn mono_theme_still_shows_markers() {
    let s = state();
    let term = render_theme(&s, &Theme::named("mono").unwrap(), 100, 12);
    let buf = term.backend().buffer();
    find(buf, "W   2 FROM");
}

#[test]
fn lint_list_open_with_selection() {
    let mut s = state();
    s.panes.editor.lint_open = true;
    s.panes.editor.lint_cursor = 1;
    insta::assert_snapshot!(render(&s, 100, 22).backend());
}

#[test]
fn build_in_progress_with_cache_marks() {
    let mut s = state();
    building(&mut s);
    let term = render(&s, 100, 24);
    let buf = term.backend().buffer();
    let theme = Theme::default_theme();
    let (x, y) = find(buf, "✓  3 ARG");
    assert_eq!(buf[(x, y)].fg, theme.ok);
    find(buf, "▶  6 RUN");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn build_failure_shows_the_error_beside_its_line() {
    let mut s = state();
    building(&mut s);
    s.test_engine(EngineEvent::JobFinished {
        id: 4,
        result: Err(EngineError::Api {
            status: 0,
            message:
                "The command '/bin/sh -c echo \"$VERSION\"   && make' returned a non-zero code: 127"
                    .into(),
        }),
    });
    assert_eq!(s.panes.editor.textarea.cursor(), (5, 0));
    let term = render(&s, 100, 24);
    let buf = term.backend().buffer();
    let (x, y) = find(buf, "✗ The command");
    assert_eq!(buf[(x, y)].fg, Theme::default_theme().error);
    insta::assert_snapshot!(term.backend());
}

#[test]
fn small_terminal() {
    let mut s = state();
    building(&mut s);
    s.panes.editor.paste_text("x", 0);
    s.panes.editor.refresh_lint();
    insta::assert_snapshot!(render(&s, 48, 12).backend());
}

#[test]
fn build_dialog_shows_context_size() {
    let mut s = state();
    s.panes.editor.open_build();
    s.panes.editor.on_context_planned(
        &PathBuf::from("/src/app"),
        ContextSize::Planned {
            files: 12,
            bytes: 48_213,
            tar: 62_464,
            ignored: 3,
        },
    );
    insta::assert_snapshot!(render(&s, 100, 24).backend());
}

#[test]
fn unsaved_edits_question() {
    let mut s = state();
    s.panes.editor.paste_text("x", 0);
    s.panes.editor.refresh_lint();
    s.panes.editor.modal = Some(Modal::Unsaved {
        then: AfterSave::Quit,
    });
    insta::assert_snapshot!(render(&s, 80, 14).backend());
}

#[test]
fn no_file_open() {
    let mut s = AppState::default();
    s.shared.focus = PaneId::Editor;
    insta::assert_snapshot!(render(&s, 80, 8).backend());
}

#[test]
fn help_lists_only_editor_keys() {
    let mut s = state();
    s.help = true;
    let term = render(&s, 100, 24);
    let screen = format!("{:?}", term.backend());
    assert!(screen.contains("Save the Dockerfile"), "{screen}");
    assert!(!screen.contains("Go to the images pane"), "{screen}");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn layers_pane_names_the_line_of_each_layer_of_the_built_image() {
    use crate::engine::{HistoryEntry, ImageDetails, JobOutcome};
    let mut s = state();
    building(&mut s);
    for line in [
        " ---> 4444dddd5555",
        "Step 6/7 : CMD [\"./app\", \"--port=80\"]",
        " ---> 5555eeee6666",
    ] {
        s.test_engine(EngineEvent::JobProgress {
            id: 4,
            progress: Progress::Log(line.into()),
        });
    }
    let image = format!("sha256:5555eeee6666{}", "0".repeat(52));
    s.test_engine(EngineEvent::JobFinished {
        id: 4,
        result: Ok(JobOutcome::Done(format!("built {image}"))),
    });
    let entry = |id: &str, by: &str| HistoryEntry {
        id: id.into(),
        created: 0,
        created_by: by.into(),
        size: 10,
        comment: String::new(),
    };
    s.test_engine(EngineEvent::Inventory(Ok(crate::engine::Inventory {
        images: vec![crate::engine::ImageInfo {
            id: image.clone(),
            repo_tags: vec![],
            repo_digests: vec![],
            created: 0,
            size: 50,
        }],
        containers: vec![],
    })));
    s.test_engine(EngineEvent::Details {
        image_id: image.clone(),
        result: Ok(Box::new(ImageDetails {
            id: image.clone(),
            history: vec![
                entry("<missing>", "/bin/sh -c #(nop) ADD file:base in /"),
                entry("sha256:d499595d43a3ffff", "/bin/sh -c #(nop)  CMD [\"sh\"]"),
                entry(
                    "sha256:3333cccc4444ffff",
                    "/bin/sh -c #(nop) COPY dir:ab in /app",
                ),
                entry(
                    "sha256:4444dddd5555ffff",
                    "/bin/sh -c echo \"$VERSION\" && make",
                ),
                entry(&image, "/bin/sh -c #(nop)  CMD [\"./app\"]"),
            ],
            ..ImageDetails::default()
        })),
    });
    s.shared.focus = PaneId::Layers;
    let term = render(&s, 140, 14);
    let screen = format!("{:?}", term.backend());
    for needle in ["L2 CMD", "L5 COPY", "L6 RUN echo", "L8 CMD"] {
        assert!(screen.contains(needle), "{needle}:\n{screen}");
    }
    insta::assert_snapshot!(term.backend());
}

/// Seconds of the latest vertex start of the editor's build (a clock for recorded builds).
fn recorded_now(s: &AppState) -> i64 {
    s.panes
        .editor
        .build
        .graph
        .vertices
        .iter()
        .filter_map(|v| v.started)
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64 + 1)
        .max()
        .unwrap_or(0)
}

#[test]
fn build_form_opens_on_tags_with_every_field() {
    use crate::state::editor::form::Field;
    let mut s = crate::state::editor::recorded::opened("cold");
    s.panes.editor.open_build();
    s.panes.editor.on_context_planned(
        &PathBuf::from("/w/app"),
        ContextSize::Planned {
            files: 2,
            bytes: 604,
            tar: 3_584,
            ignored: 0,
        },
    );
    let Some(Modal::Build(form)) = &mut s.panes.editor.modal else {
        panic!("no form")
    };
    assert_eq!(form.field, Field::Tags);
    form.set(Field::Tags, "app:dev");
    form.set(Field::Target, "nope");
    form.set(Field::Secrets, "id=tok,src=/run/token");
    form.validate();
    let term = render(&s, 100, 30);
    let screen = format!("{:?}", term.backend());
    for needle in [
        "Builder",
        "Secrets",
        "Platform",
        "Labels",
        "Cache from",
        "Progress",
        "Pull",
        "no stage \"nope\": deps, tools",
    ] {
        assert!(screen.contains(needle), "{needle}:\n{screen}");
    }
    insta::assert_snapshot!(term.backend());
}

#[test]
fn buildkit_stages_building_in_parallel_show_side_by_side() {
    use crate::state::editor::recorded::{opened, parallel_point, replay};
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, parallel_point("cold"));
    s.shared.now = recorded_now(&s);
    let term = render(&s, 120, 30);
    let buf = term.backend().buffer();
    // Both stages' RUN steps are running, each in its stage's column, on one row.
    let (x1, y1) = find(buf, "▶ L2");
    let (x2, y2) = find(buf, "▶ L6");
    assert!(y1.abs_diff(y2) <= 1, "side by side: {y1} {y2}");
    assert!(x2 > x1 + 20);
    find(buf, "deps (");
    find(buf, "tools (");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn buildkit_rebuild_marks_cache_hits_beside_the_lines() {
    use crate::state::editor::recorded::{opened, replay};
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, None);
    replay(&mut s, "rebuild", 2, None);
    let term = render(&s, 120, 30);
    let buf = term.backend().buffer();
    let theme = Theme::default_theme();
    let (x, y) = find(buf, "✓  2 RUN --mount");
    assert_eq!(buf[(x, y)].fg, theme.ok);
    find(buf, "! 11 COPY app.txt");
    find(buf, "↻ 12 RUN cat");
    find(buf, "cache missed at L11: app.txt changed");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn buildkit_failure_shows_the_line_and_its_last_output() {
    use crate::state::editor::recorded::{opened, replay};
    let mut s = opened("failed");
    replay(&mut s, "failed", 3, None);
    let term = render(&s, 120, 30);
    let buf = term.backend().buffer();
    find(buf, "✗ 12 RUN cat");
    find(buf, "│ missing config: /etc/app.conf");
    find(buf, "failed at line 12");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn buildkit_graph_at_a_tiny_size_does_not_panic() {
    use crate::state::editor::recorded::{opened, parallel_point, replay};
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, parallel_point("cold"));
    for (w, h) in [(20, 5), (40, 10), (60, 14)] {
        render(&s, w, h);
    }
}

#[test]
fn layers_pane_shows_the_timing_of_the_built_image() {
    use crate::engine::{HistoryEntry, ImageDetails};
    use crate::state::editor::recorded::{opened, replay};
    let mut s = opened("cold");
    replay(&mut s, "cold", 1, None);
    replay(&mut s, "rebuild", 2, None);
    let image = s.panes.editor.build.image.clone().expect("built");
    s.test_engine(EngineEvent::Inventory(Ok(crate::engine::Inventory {
        images: vec![crate::engine::ImageInfo {
            id: image.clone(),
            repo_tags: vec!["app:dev".into()],
            repo_digests: vec![],
            created: 0,
            size: 50,
        }],
        containers: vec![],
    })));
    s.test_engine(EngineEvent::Details {
        image_id: image.clone(),
        result: Ok(Box::new(ImageDetails {
            id: image.clone(),
            history: vec![HistoryEntry {
                id: image.clone(),
                created: 0,
                created_by: "RUN /bin/sh -c cat /app.txt /deps /tools > /all # buildkit".into(),
                size: 10,
                comment: String::new(),
            }],
            ..ImageDetails::default()
        })),
    });
    s.shared.focus = PaneId::Layers;
    let term = render(&s, 160, 14);
    let screen = format!("{:?}", term.backend());
    assert!(
        screen.contains("Built in the editor by BuildKit"),
        "{screen}"
    );
    assert!(screen.contains("4 cached"), "{screen}");
    assert!(screen.contains("(L2 L6 L9 L10)"), "{screen}");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn build_form_on_a_short_terminal_keeps_the_field_with_the_cursor_in_view() {
    use crate::state::editor::form::Field;
    let mut s = state();
    s.panes.editor.open_build();
    let Some(Modal::Build(form)) = &mut s.panes.editor.modal else {
        panic!("no form")
    };
    form.field = Field::NoCache;
    let term = render(&s, 80, 16);
    let screen = format!("{:?}", term.backend());
    assert!(screen.contains("No cache"), "{screen}");
    assert!(screen.contains("Enter build"), "{screen}");
    for (w, h) in [(20, 5), (30, 8)] {
        render(&s, w, h);
    }
}
