//! Editor state flows: keys in, buffer/dirty/modal/ops and engine commands out. No I/O.
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::build::{ContextSize, StepMark};
use super::*;
use crate::config::keymap::Keymap;
use crate::engine::{Command, EngineError, EngineEvent, JobKind, JobOutcome, Progress};
use crate::state::{AppState, Pane};

const SRC: &str = "FROM busybox:1.36\nWORKDIR app\nRUN echo hi\nCMD [\"sh\"]\n";

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn app(src: &str) -> (AppState, Keymap) {
    let mut s = AppState::default();
    s.editor.open(&PathBuf::from("/w/Dockerfile"), src, None);
    s.focus = Pane::Editor;
    (s, Keymap::defaults())
}

#[test]
fn typing_marks_dirty_and_undo_back_to_saved_clears_it() {
    let (mut s, km) = app(SRC);
    assert!(!s.editor.dirty);
    s.on_key(&km, &key('#'));
    assert!(s.editor.dirty);
    assert_eq!(s.editor.text(), format!("#{SRC}"));
    assert_eq!(s.editor.unrecovered_since, Some(0));
    s.on_key(&km, &ctrl('z'));
    assert!(!s.editor.dirty, "undo back to the saved text is clean");
    assert!(
        s.editor
            .ops
            .iter()
            .any(|op| matches!(op, FileOp::RemoveRecovery { .. }))
    );
    s.on_key(&km, &ctrl('y'));
    assert!(s.editor.dirty, "redo");
}

#[test]
fn global_keys_type_text_in_the_editor() {
    let (mut s, km) = app(SRC);
    for c in ['q', '1', 'j', '?'] {
        s.on_key(&km, &key(c));
    }
    assert!(!s.quit);
    assert_eq!(s.focus, Pane::Editor);
    assert!(!s.help);
    assert!(s.editor.text().starts_with("q1j?FROM"));
}

#[test]
fn save_requests_an_atomic_write_of_the_buffer() {
    let (mut s, km) = app(SRC);
    s.on_key(&km, &key('#'));
    s.on_key(&km, &ctrl('s'));
    let op = s.editor.ops.pop().expect("a save");
    let FileOp::Save { path, text } = op else {
        panic!("{op:?}")
    };
    assert_eq!(path, PathBuf::from("/w/Dockerfile"));
    assert_eq!(text, format!("#{SRC}"));
    s.editor.on_saved(&text, Ok(()));
    assert!(!s.editor.dirty);
    s.editor.on_saved(&text, Err("disk full".into()));
    s.drain_editor();
    assert!(s.last_error.as_deref().unwrap().contains("disk full"));
}

#[test]
fn quitting_with_unsaved_edits_asks_first() {
    let (mut s, km) = app(SRC);
    s.on_key(&km, &key('x'));
    s.on_key(&km, &ctrl('c'));
    assert!(!s.quit);
    assert!(matches!(
        s.editor.modal,
        Some(Modal::Unsaved {
            then: AfterSave::Quit
        })
    ));
    // Esc cancels; the buffer is untouched.
    s.on_key(&km, &code(KeyCode::Esc));
    assert!(s.editor.modal.is_none() && !s.quit);
    // Quit from another pane asks too, and brings the editor to the front.
    s.focus = Pane::Images;
    s.on_key(&km, &key('q'));
    assert!(!s.quit);
    assert_eq!(s.focus, Pane::Editor);
    // "s" saves and quits once the save succeeded.
    s.on_key(&km, &key('s'));
    assert!(!s.quit);
    let Some(FileOp::Save { text, .. }) = s.editor.ops.pop() else {
        panic!("save expected")
    };
    s.editor.on_saved(&text, Ok(()));
    s.drain_editor();
    assert!(s.quit);
}

#[test]
fn discarding_quits_and_clean_quit_needs_no_question() {
    let (mut s, km) = app(SRC);
    s.on_key(&km, &key('x'));
    s.on_key(&km, &ctrl('q'));
    s.on_key(&km, &key('d'));
    assert!(s.quit);
    let (mut clean, km) = app(SRC);
    clean.on_key(&km, &ctrl('c'));
    assert!(clean.quit);
}

#[test]
fn opening_another_file_with_unsaved_edits_asks_first() {
    let (mut s, _) = app(SRC);
    s.editor.paste_text("x", 5);
    s.editor.request_open(PathBuf::from("/w/Other"));
    assert!(matches!(
        s.editor.modal,
        Some(Modal::Unsaved {
            then: AfterSave::Open(_)
        })
    ));
    assert!(s.editor.ops.is_empty());
    let (mut clean, _) = app(SRC);
    clean.editor.request_open(PathBuf::from("/w/Other"));
    assert_eq!(
        clean.editor.ops,
        vec![FileOp::Load {
            path: PathBuf::from("/w/Other")
        }]
    );
}

#[test]
fn recovery_is_written_a_few_seconds_after_edits_and_offered_on_open() {
    let (mut s, _) = app(SRC);
    s.editor.paste_text("# wip\n", 100);
    s.editor.tick(100 + RECOVERY_DELAY - 1);
    assert!(s.editor.ops.is_empty());
    s.editor.tick(100 + RECOVERY_DELAY);
    assert!(matches!(
        s.editor.ops.as_slice(),
        [FileOp::WriteRecovery { text, .. }] if text.starts_with("# wip")
    ));
    s.editor.ops.clear();
    s.editor.tick(200);
    assert!(s.editor.ops.is_empty(), "written once per burst of edits");

    let mut ed = EditorState::default();
    ed.open(
        &PathBuf::from("/w/Dockerfile"),
        SRC,
        Some(format!("# wip\n{SRC}")),
    );
    assert!(matches!(ed.modal, Some(Modal::Recover { .. })));
    let (mut s, km) = app(SRC);
    *s.editor = ed;
    s.on_key(&km, &key('r'));
    assert!(s.editor.dirty);
    assert!(s.editor.text().starts_with("# wip\n"));
    // An identical recovery file is not offered.
    let mut same = EditorState::default();
    same.open(&PathBuf::from("/w/Dockerfile"), SRC, Some(SRC.into()));
    assert!(same.modal.is_none());
}

#[test]
fn lint_is_live_and_enter_jumps_to_the_line() {
    let (mut s, km) = app(SRC);
    assert!(s.editor.diagnostic_at(2).is_some(), "relative WORKDIR");
    assert!(s.editor.diagnostic_at(1).is_none());
    // Typing ":latest" away from a pinned tag makes DL3007 appear live.
    s.editor.jump_to(1);
    s.editor
        .textarea
        .move_cursor(ratatui_textarea::CursorMove::End);
    for _ in 0..4 {
        s.on_key(&km, &code(KeyCode::Backspace));
    }
    for c in "latest".chars() {
        s.on_key(&km, &key(c));
    }
    assert!(s.editor.lint_stale, "lint waits for the keystroke's frame");
    assert!(s.editor.refresh_lint());
    assert!(!s.editor.refresh_lint(), "only once per change");
    assert_eq!(s.editor.diagnostic_at(1).map(|d| d.code), Some("DL3007"));
    s.on_key(&km, &ctrl('l'));
    assert!(s.editor.lint_open);
    let idx = s
        .editor
        .diagnostics
        .iter()
        .position(|d| d.line == 2)
        .unwrap();
    s.editor.lint_cursor = 0;
    for _ in 0..idx {
        s.on_key(&km, &code(KeyCode::Down));
    }
    s.on_key(&km, &code(KeyCode::Enter));
    assert!(!s.editor.lint_open);
    assert_eq!(s.editor.textarea.cursor(), (1, 0));
    assert!(!s.editor.dirty || s.editor.text() != SRC);
}

#[test]
fn a_keystroke_rehighlights_only_what_changed() {
    let src: String = (0..200).map(|i| format!("RUN echo {i}\n")).collect();
    let (mut s, km) = app(&format!("FROM a:1\n{src}"));
    s.editor.jump_to(100);
    s.on_key(&km, &key('x'));
    let h = s.editor.highlighter.as_ref().unwrap();
    assert!(h.last_work() <= 2, "re-highlighted {}", h.last_work());
}

fn build_app() -> (AppState, Keymap) {
    let src = "FROM dh-busybox:1\nRUN echo one\nCOPY a /a\nRUN cat /a \\\n  && false\n";
    app(src)
}

fn feed(s: &mut AppState, id: u64, lines: &[&str]) {
    for l in lines {
        s.on_engine(EngineEvent::JobProgress {
            id,
            progress: Progress::Log((*l).to_string()),
        });
    }
}

#[test]
fn build_dialog_submits_a_build_command() {
    let (mut s, km) = build_app();
    s.on_key(&km, &ctrl('b'));
    assert!(matches!(
        s.editor.ops.as_slice(),
        [FileOp::PlanContext { dir, .. }] if dir == &PathBuf::from("/w")
    ));
    s.editor.ops.clear();
    s.editor.on_context_planned(
        &PathBuf::from("/w"),
        ContextSize::Planned {
            files: 2,
            bytes: 10,
            tar: 2048,
            ignored: 1,
        },
    );
    s.on_key(&km, &code(KeyCode::Tab));
    for c in "app:1 app:latest".chars() {
        s.on_key(&km, &key(c));
    }
    s.on_key(&km, &code(KeyCode::Tab));
    for c in "A=1 B=two".chars() {
        s.on_key(&km, &key(c));
    }
    s.on_key(&km, &code(KeyCode::Tab));
    s.on_key(&km, &code(KeyCode::Tab));
    for c in "none".chars() {
        s.on_key(&km, &key(c));
    }
    s.on_key(&km, &code(KeyCode::Tab));
    s.on_key(&km, &key(' '));
    let cmds = s.on_key(&km, &code(KeyCode::Enter));
    let [Command::Build(req)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.tags, vec!["app:1", "app:latest"]);
    assert_eq!(
        req.build_args,
        vec![("A".into(), "1".into()), ("B".into(), "two".into())]
    );
    assert_eq!(req.network, "none");
    assert!(req.no_cache);
    assert_eq!(req.context, PathBuf::from("/w"));
    assert!(s.editor.modal.is_none());
}

#[test]
fn build_dialog_refuses_bad_args_and_tags() {
    let mut form = build::BuildForm::new(&PathBuf::from("Dockerfile"));
    assert_eq!(form.context.text, ".");
    form.args = TextInput::with("NOVALUE");
    assert!(form.request().unwrap_err().contains("KEY=VALUE"));
    form.args = TextInput::default();
    form.tags = TextInput::with("Bad Tag");
    assert!(form.request().is_err());
}

#[test]
fn build_with_unsaved_edits_saves_first() {
    let (mut s, km) = build_app();
    s.on_key(&km, &key('#'));
    s.on_key(&km, &ctrl('b'));
    assert!(s.editor.modal.is_none());
    let Some(FileOp::Save { text, .. }) = s.editor.ops.pop() else {
        panic!("save first")
    };
    s.editor.on_saved(&text, Ok(()));
    assert!(matches!(s.editor.modal, Some(Modal::Build(_))));
}

#[test]
fn build_steps_mark_lines_and_a_failure_moves_the_cursor() {
    let (mut s, _) = build_app();
    s.on_engine(EngineEvent::JobStarted {
        id: 7,
        kind: JobKind::Build {
            dockerfile: "/w/Dockerfile".into(),
            tag: None,
        },
    });
    assert_eq!(s.editor.build.job, Some(7));
    feed(
        &mut s,
        7,
        &[
            "Step 1/4 : FROM dh-busybox:1",
            " ---> d499595d43a3",
            "Step 2/4 : RUN echo one",
            " ---> Using cache",
            " ---> 1111aaaa2222",
            "Step 3/4 : COPY a /a",
        ],
    );
    assert_eq!(s.editor.build.marks.get(&1), Some(&StepMark::Base));
    assert_eq!(s.editor.build.marks.get(&2), Some(&StepMark::Cached));
    assert_eq!(s.editor.build.marks.get(&3), Some(&StepMark::Running));
    assert_eq!(s.editor.build.running, Some((3, 3)));
    feed(
        &mut s,
        7,
        &[" ---> 3333bbbb4444", "Step 4/4 : RUN cat /a   && false"],
    );
    assert_eq!(s.editor.build.running, Some((4, 5)));
    s.on_engine(EngineEvent::JobFinished {
        id: 7,
        result: Err(EngineError::Api {
            status: 0,
            message: "The command '/bin/sh -c cat /a   && false' returned a non-zero code: 1"
                .into(),
        }),
    });
    assert_eq!(s.editor.build.marks.get(&4), Some(&StepMark::Failed));
    assert_eq!(s.editor.textarea.cursor(), (3, 0), "cursor on line 4");
    assert!(
        s.editor
            .build
            .failure
            .as_ref()
            .unwrap()
            .1
            .contains("non-zero"),
        "{:?}",
        s.editor.build.failure
    );
    assert!(s.last_error.as_deref().unwrap().contains("non-zero"));
    assert!(!s.editor.build.running());
}

#[test]
fn a_rebuild_shows_cached_and_invalidated_steps_and_selects_the_image() {
    let (mut s, _) = build_app();
    let first = [
        "Step 1/3 : FROM dh-busybox:1",
        " ---> d499595d43a3",
        "Step 2/3 : RUN echo one",
        " ---> Running in abc",
        " ---> 1111aaaa2222",
        "Step 3/3 : COPY a /a",
        " ---> 3333bbbb4444",
        "Successfully built 3333bbbb4444",
    ];
    let started = |s: &mut AppState, id| {
        s.on_engine(EngineEvent::JobStarted {
            id,
            kind: JobKind::Build {
                dockerfile: "/w/Dockerfile".into(),
                tag: None,
            },
        })
    };
    started(&mut s, 1);
    feed(&mut s, 1, &first);
    s.on_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(JobOutcome::Done("built sha256:3333bbbb4444ffff".into())),
    });
    assert_eq!(s.editor.build.marks.get(&2), Some(&StepMark::Built));
    assert_eq!(
        s.editor.select_image.as_deref(),
        Some("sha256:3333bbbb4444ffff")
    );
    assert_eq!(
        s.editor.build.line_of_layer("sha256:1111aaaa2222dead"),
        Some(2)
    );
    assert_eq!(
        s.editor.build.line_of_layer("sha256:3333bbbb4444ffff"),
        Some(3)
    );
    assert_eq!(s.editor.build.line_of_layer("<missing>"), None);

    started(&mut s, 2);
    feed(
        &mut s,
        2,
        &[
            "Step 1/3 : FROM dh-busybox:1",
            " ---> d499595d43a3",
            "Step 2/3 : RUN echo one",
            " ---> Using cache",
            " ---> 1111aaaa2222",
            "Step 3/3 : COPY a /a",
            " ---> 5555cccc6666",
        ],
    );
    s.on_engine(EngineEvent::JobFinished {
        id: 2,
        result: Ok(JobOutcome::Done("built sha256:5555cccc6666".into())),
    });
    assert_eq!(s.editor.build.marks.get(&2), Some(&StepMark::Cached));
    assert_eq!(s.editor.build.marks.get(&3), Some(&StepMark::Invalidated));

    // The images pane selects the built image once it is listed.
    s.on_engine(EngineEvent::Inventory(Ok(crate::engine::Inventory {
        images: vec![
            crate::engine::ImageInfo {
                id: "sha256:5555cccc6666".into(),
                repo_tags: vec![],
                repo_digests: vec![],
                created: 1,
                size: 1,
            },
            crate::engine::ImageInfo {
                id: "sha256:9999".into(),
                repo_tags: vec!["newest:1".into()],
                repo_digests: vec![],
                created: 9,
                size: 1,
            },
        ],
        containers: vec![],
    })));
    assert_eq!(
        s.images.selected().map(|r| r.id.as_str()),
        Some("sha256:5555cccc6666")
    );
    assert!(s.editor.select_image.is_none());
}

#[test]
fn a_cancelled_build_is_not_a_failure() {
    let (mut s, km) = build_app();
    s.on_engine(EngineEvent::JobStarted {
        id: 9,
        kind: JobKind::Build {
            dockerfile: "/w/Dockerfile".into(),
            tag: None,
        },
    });
    feed(
        &mut s,
        9,
        &[
            "Step 1/4 : FROM dh-busybox:1",
            " ---> d499595d43a3",
            "Step 2/4 : RUN echo one",
        ],
    );
    let cmds = s.on_key(&km, &ctrl('t'));
    assert_eq!(cmds, vec![Command::Cancel(9)]);
    s.on_engine(EngineEvent::JobFinished {
        id: 9,
        result: Err(EngineError::Cancelled),
    });
    assert!(!s.editor.build.running());
    assert!(s.editor.build.failure.is_none());
    assert_eq!(s.editor.build.marks.get(&2), None);
    assert_eq!(
        s.editor.build.log.last().map(String::as_str),
        Some("build cancelled")
    );
}

#[test]
fn paste_goes_to_the_buffer_or_a_form_but_never_answers_a_question() {
    let (mut s, km) = app(SRC);
    s.editor_paste(&km, "# a\n# b\n");
    assert!(s.editor.text().starts_with("# a\n# b\nFROM"));
    s.on_key(&km, &ctrl('f'));
    s.editor_paste(&km, "WORK");
    assert!(matches!(&s.editor.modal, Some(Modal::Search(i)) if i.text == "WORK"));
    s.on_key(&km, &code(KeyCode::Esc));
    s.on_key(&km, &ctrl('q'));
    s.editor_paste(&km, "discard");
    assert!(!s.quit);
    assert!(matches!(s.editor.modal, Some(Modal::Unsaved { .. })));
}

#[test]
fn search_finds_the_next_match() {
    let (mut s, km) = app(SRC);
    s.on_key(&km, &ctrl('f'));
    for c in "RUN".chars() {
        s.on_key(&km, &key(c));
    }
    s.on_key(&km, &code(KeyCode::Enter));
    assert!(s.editor.modal.is_none());
    assert_eq!(s.editor.textarea.cursor(), (2, 0));
}

#[test]
fn a_build_refused_before_any_step_keeps_the_cursor() {
    let (mut s, _) = build_app();
    s.editor.jump_to(3);
    s.on_engine(EngineEvent::JobStarted {
        id: 5,
        kind: JobKind::Build {
            dockerfile: "/w/Dockerfile".into(),
            tag: None,
        },
    });
    s.on_engine(EngineEvent::JobFinished {
        id: 5,
        result: Err(EngineError::NotConnected),
    });
    assert_eq!(s.editor.textarea.cursor(), (2, 0));
    assert_eq!(
        s.editor.build.failure,
        Some((0, "not connected to an engine".into()))
    );
    assert!(
        s.editor.build.marks.is_empty(),
        "{:?}",
        s.editor.build.marks
    );
}

#[test]
fn other_jobs_do_not_touch_the_editor() {
    let (mut s, _) = build_app();
    s.on_engine(EngineEvent::JobStarted {
        id: 3,
        kind: JobKind::Build {
            dockerfile: "/elsewhere/Dockerfile".into(),
            tag: None,
        },
    });
    feed(&mut s, 3, &["Step 1/1 : FROM x"]);
    assert!(s.editor.build.job.is_none());
    assert!(s.editor.build.marks.is_empty());
}

#[test]
fn copy_and_cut_hand_the_text_to_the_terminal_clipboard() {
    let (mut s, km) = app("FROM a\nRUN b\n");
    let alt = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT);
    // Nothing selected: nothing to hand over.
    s.on_key(&km, &alt('c'));
    assert_eq!(s.editor.clipboard_out, None);
    // Select the first line (Shift-End) and copy it.
    s.on_key(&km, &KeyEvent::new(KeyCode::End, KeyModifiers::SHIFT));
    s.on_key(&km, &alt('c'));
    assert_eq!(s.editor.clipboard_out.take().as_deref(), Some("FROM a"));
    assert!(!s.editor.dirty, "copy changes nothing");
    // Select all and cut.
    s.on_key(&km, &alt('a'));
    s.on_key(&km, &ctrl('x'));
    assert_eq!(
        s.editor.clipboard_out.take().as_deref(),
        Some("FROM a\nRUN b")
    );
    assert!(s.editor.dirty);
}

#[test]
fn ctrl_home_and_end_go_to_the_start_and_end_of_the_file() {
    let (mut s, km) = app("FROM a\nRUN some long command\nCMD x\n");
    s.on_key(&km, &code(KeyCode::Down));
    s.on_key(&km, &code(KeyCode::End));
    let ctrl_key = |c| KeyEvent::new(c, KeyModifiers::CONTROL);
    s.on_key(&km, &ctrl_key(KeyCode::Home));
    assert_eq!(s.editor.textarea.cursor(), (0, 0));
    s.on_key(&km, &ctrl_key(KeyCode::End));
    assert_eq!(s.editor.textarea.cursor(), (2, 5));
}
