//! Editor state flows: keys in, buffer/dirty/modal/ops and engine commands out. No I/O.
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::build::{ContextSize, StepMark};
use super::*;
use crate::config::keymap::Keymap;
use crate::engine::{Command, EngineError, EngineEvent, JobKind, JobOutcome, Progress};
use crate::state::{AppState, PaneId};

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

fn saved(text: &str, result: Result<(), &str>) -> FileDone {
    FileDone::Saved {
        path: PathBuf::from("/w/Dockerfile"),
        text: text.to_string(),
        result: result
            .map(|()| crate::fsio::Fingerprint::of(text.as_bytes(), None))
            .map_err(|e| SaveRefused::Failed(e.to_string())),
    }
}

fn app(src: &str) -> (AppState, Keymap) {
    let mut s = AppState::default();
    s.panes
        .editor
        .open(&PathBuf::from("/w/Dockerfile"), src, None);
    s.shared.focus = PaneId::Editor;
    (s, Keymap::defaults())
}

#[test]
fn typing_marks_dirty_and_undo_back_to_saved_clears_it() {
    let (mut s, _km) = app(SRC);
    assert!(!s.panes.editor.dirty);
    s.test_key(&key('#'));
    assert!(s.panes.editor.dirty);
    assert_eq!(s.panes.editor.text(), format!("#{SRC}"));
    assert_eq!(s.panes.editor.unrecovered_since, Some(0));
    s.test_key(&ctrl('z'));
    assert!(
        !s.panes.editor.dirty,
        "undo back to the saved text is clean"
    );
    assert!(
        s.seen
            .ops
            .iter()
            .any(|op| matches!(op, FileOp::RemoveRecovery { .. }))
    );
    s.test_key(&ctrl('y'));
    assert!(s.panes.editor.dirty, "redo");
}

#[test]
fn global_keys_type_text_in_the_editor() {
    let (mut s, _km) = app(SRC);
    for c in ['q', '1', 'j', '?'] {
        s.test_key(&key(c));
    }
    assert!(!s.quit);
    assert_eq!(s.shared.focus, PaneId::Editor);
    assert!(!s.help);
    assert!(s.panes.editor.text().starts_with("q1j?FROM"));
}

#[test]
fn save_requests_an_atomic_write_of_the_buffer() {
    let (mut s, _km) = app(SRC);
    s.test_key(&key('#'));
    s.test_key(&ctrl('s'));
    let op = s.seen.ops.pop().expect("a save");
    let FileOp::Save { path, text, .. } = op else {
        panic!("{op:?}")
    };
    assert_eq!(path, PathBuf::from("/w/Dockerfile"));
    assert_eq!(text, format!("#{SRC}"));
    s.test_file(saved(&text, Ok(())));
    assert!(!s.panes.editor.dirty);
    s.test_file(saved(&text, Err("disk full")));
    assert!(
        s.shared
            .last_error
            .as_deref()
            .unwrap()
            .contains("disk full")
    );
}

#[test]
fn quitting_with_unsaved_edits_asks_first() {
    let (mut s, _km) = app(SRC);
    s.test_key(&key('x'));
    s.test_key(&ctrl('c'));
    assert!(!s.quit);
    assert!(matches!(
        s.panes.editor.modal,
        Some(Modal::Unsaved {
            then: AfterSave::Quit
        })
    ));
    // Esc cancels; the buffer is untouched.
    s.test_key(&code(KeyCode::Esc));
    assert!(s.panes.editor.modal.is_none() && !s.quit);
    // Quit from another pane asks too, and brings the editor to the front.
    s.shared.focus = PaneId::Images;
    s.test_key(&key('q'));
    assert!(!s.quit);
    assert_eq!(s.shared.focus, PaneId::Editor);
    // "s" saves and quits once the save succeeded.
    s.test_key(&key('s'));
    assert!(!s.quit);
    let Some(FileOp::Save { text, .. }) = s.seen.ops.pop() else {
        panic!("save expected")
    };
    s.test_file(saved(&text, Ok(())));
    assert!(s.quit);
}

#[test]
fn discarding_quits_and_clean_quit_needs_no_question() {
    let (mut s, _km) = app(SRC);
    s.test_key(&key('x'));
    s.test_key(&ctrl('q'));
    s.test_key(&key('d'));
    assert!(s.quit);
    let (mut clean, _km) = app(SRC);
    clean.test_key(&ctrl('c'));
    assert!(clean.quit);
}

#[test]
fn opening_another_file_with_unsaved_edits_asks_first() {
    let (mut s, _) = app(SRC);
    let e = s.panes.editor.paste_text("x", 5);
    s.capture(e);
    let e = s.panes.editor.request_open(PathBuf::from("/w/Other"));
    s.capture(e);
    assert!(matches!(
        s.panes.editor.modal,
        Some(Modal::Unsaved {
            then: AfterSave::Open(_)
        })
    ));
    assert!(s.seen.ops.is_empty());
    let (mut clean, _) = app(SRC);
    let e = clean.panes.editor.request_open(PathBuf::from("/w/Other"));
    clean.capture(e);
    assert_eq!(
        clean.seen.ops,
        vec![FileOp::Load {
            path: PathBuf::from("/w/Other")
        }]
    );
}

#[test]
fn recovery_is_written_a_few_seconds_after_edits_and_offered_on_open() {
    let (mut s, _) = app(SRC);
    let e = s.panes.editor.paste_text("# wip\n", 100);
    s.capture(e);
    s.test_tick(100 + RECOVERY_DELAY - 1);
    assert!(s.seen.ops.is_empty());
    s.test_tick(100 + RECOVERY_DELAY);
    assert!(matches!(
        s.seen.ops.as_slice(),
        [FileOp::WriteRecovery { text, .. }] if text.starts_with("# wip")
    ));
    s.seen.ops.clear();
    s.test_tick(200);
    assert!(s.seen.ops.is_empty(), "written once per burst of edits");

    let mut ed = EditorState::default();
    ed.open(
        &PathBuf::from("/w/Dockerfile"),
        SRC,
        Some(format!("# wip\n{SRC}")),
    );
    assert!(matches!(ed.modal, Some(Modal::Recover { .. })));
    let (mut s, _km) = app(SRC);
    s.panes.editor = ed;
    s.test_key(&key('r'));
    assert!(s.panes.editor.dirty);
    assert!(s.panes.editor.text().starts_with("# wip\n"));
    // An identical recovery file is not offered.
    let mut same = EditorState::default();
    same.open(&PathBuf::from("/w/Dockerfile"), SRC, Some(SRC.into()));
    assert!(same.modal.is_none());
}

#[test]
fn lint_is_live_and_enter_jumps_to_the_line() {
    let (mut s, _km) = app(SRC);
    assert!(
        s.panes.editor.diagnostic_at(2).is_some(),
        "relative WORKDIR"
    );
    assert!(s.panes.editor.diagnostic_at(1).is_none());
    // Typing ":latest" away from a pinned tag makes DL3007 appear live.
    s.panes.editor.jump_to(1);
    s.panes
        .editor
        .textarea
        .move_cursor(ratatui_textarea::CursorMove::End);
    for _ in 0..4 {
        s.test_key(&code(KeyCode::Backspace));
    }
    for c in "latest".chars() {
        s.test_key(&key(c));
    }
    assert!(
        s.panes.editor.lint_stale,
        "lint waits for the keystroke's frame"
    );
    assert!(s.panes.editor.refresh_lint());
    assert!(!s.panes.editor.refresh_lint(), "only once per change");
    assert_eq!(
        s.panes.editor.diagnostic_at(1).map(|d| d.code),
        Some("DL3007")
    );
    s.test_key(&ctrl('l'));
    assert!(s.panes.editor.lint_open);
    let idx = s
        .panes
        .editor
        .diagnostics
        .iter()
        .position(|d| d.line == 2)
        .unwrap();
    s.panes.editor.lint_cursor = 0;
    for _ in 0..idx {
        s.test_key(&code(KeyCode::Down));
    }
    s.test_key(&code(KeyCode::Enter));
    assert!(!s.panes.editor.lint_open);
    assert_eq!(s.panes.editor.textarea.cursor(), (1, 0));
    assert!(!s.panes.editor.dirty || s.panes.editor.text() != SRC);
}

#[test]
fn a_keystroke_rehighlights_only_what_changed() {
    let src: String = (0..200).map(|i| format!("RUN echo {i}\n")).collect();
    let (mut s, _km) = app(&format!("FROM a:1\n{src}"));
    s.panes.editor.jump_to(100);
    s.test_key(&key('x'));
    let h = s.panes.editor.highlighter.as_ref().unwrap();
    assert!(h.last_work() <= 2, "re-highlighted {}", h.last_work());
}

fn build_app() -> (AppState, Keymap) {
    let src = "FROM dh-busybox:1\nRUN echo one\nCOPY a /a\nRUN cat /a \\\n  && false\n";
    app(src)
}

fn feed(s: &mut AppState, id: u64, lines: &[&str]) {
    for l in lines {
        s.test_engine(EngineEvent::JobProgress {
            id,
            progress: Progress::Log((*l).to_string()),
        });
    }
}

#[test]
fn build_dialog_submits_a_build_command() {
    let (mut s, _km) = build_app();
    s.test_key(&ctrl('b'));
    assert!(matches!(
        s.seen.ops.as_slice(),
        [FileOp::PlanContext { dir, .. }] if dir == &PathBuf::from("/w")
    ));
    s.seen.ops.clear();
    s.test_file(FileDone::Planned {
        dir: PathBuf::from("/w"),
        size: ContextSize::Planned {
            files: 2,
            bytes: 10,
            tar: 2048,
            ignored: 1,
        },
    });
    // The form opens on Tags; Tab visits Builder, Context, Build args, Target, Network.
    for c in "app:1 app:latest".chars() {
        s.test_key(&key(c));
    }
    for _ in 0..3 {
        s.test_key(&code(KeyCode::Tab));
    }
    for c in "A=1 B=two".chars() {
        s.test_key(&key(c));
    }
    s.test_key(&code(KeyCode::Tab));
    s.test_key(&code(KeyCode::Tab));
    // Network: default → host → none.
    s.test_key(&key(' '));
    s.test_key(&key(' '));
    // Back round to No cache, the last field.
    for _ in 0..6 {
        s.test_key(&code(KeyCode::BackTab));
    }
    s.test_key(&key(' '));
    let cmds = s.test_key(&code(KeyCode::Enter));
    let [
        Command::BuildWith {
            request: req,
            options,
        },
    ] = cmds.as_slice()
    else {
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
    assert_eq!(
        options.builder,
        crate::engine::build::BuilderChoice::Auto,
        "BuildKit when the engine has it"
    );
    assert!(s.panes.editor.modal.is_none());
}

#[test]
fn build_dialog_refuses_bad_args_and_tags() {
    use super::form::{BuildForm, Field};
    let mut form = BuildForm::new(&PathBuf::from("Dockerfile"), vec![]);
    assert_eq!(form.text(Field::Context), ".");
    form.set(Field::Args, "NOVALUE");
    assert!(form.submit().is_none());
    assert!(form.error(Field::Args).unwrap().contains("KEY=VALUE"));
    form.set(Field::Args, "");
    form.set(Field::Tags, "Bad Tag");
    assert!(form.submit().is_none());
    assert_eq!(form.field, Field::Tags);
}

#[test]
fn build_with_unsaved_edits_saves_first() {
    let (mut s, _km) = build_app();
    s.test_key(&key('#'));
    s.test_key(&ctrl('b'));
    assert!(s.panes.editor.modal.is_none());
    let Some(FileOp::Save { text, .. }) = s.seen.ops.pop() else {
        panic!("save first")
    };
    s.test_file(saved(&text, Ok(())));
    assert!(matches!(s.panes.editor.modal, Some(Modal::Build(_))));
    // The save was not asked for: the status says it happened, to which file and why.
    assert_eq!(
        s.shared.message,
        Some((Level::Ok, "saved /w/Dockerfile before the build".into()))
    );
}

#[test]
fn build_steps_mark_lines_and_a_failure_moves_the_cursor() {
    let (mut s, _) = build_app();
    s.test_engine(EngineEvent::JobStarted {
        id: 7,
        kind: JobKind::Build {
            dockerfile: "/w/Dockerfile".into(),
            tag: None,
        },
    });
    assert_eq!(s.panes.editor.build.job, Some(7));
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
    assert_eq!(s.panes.editor.build.marks.get(&1), Some(&StepMark::Base));
    assert_eq!(s.panes.editor.build.marks.get(&2), Some(&StepMark::Cached));
    assert_eq!(s.panes.editor.build.marks.get(&3), Some(&StepMark::Running));
    assert_eq!(s.panes.editor.build.running, Some((3, 3)));
    feed(
        &mut s,
        7,
        &[" ---> 3333bbbb4444", "Step 4/4 : RUN cat /a   && false"],
    );
    assert_eq!(s.panes.editor.build.running, Some((4, 5)));
    s.test_engine(EngineEvent::JobFinished {
        id: 7,
        result: Err(EngineError::Api {
            status: 0,
            message: "The command '/bin/sh -c cat /a   && false' returned a non-zero code: 1"
                .into(),
        }),
    });
    assert_eq!(s.panes.editor.build.marks.get(&4), Some(&StepMark::Failed));
    assert_eq!(s.panes.editor.textarea.cursor(), (3, 0), "cursor on line 4");
    assert!(
        s.panes
            .editor
            .build
            .failure
            .as_ref()
            .unwrap()
            .1
            .contains("non-zero"),
        "{:?}",
        s.panes.editor.build.failure
    );
    assert!(s.shared.last_error.as_deref().unwrap().contains("non-zero"));
    assert!(!s.panes.editor.build.running());
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
        s.test_engine(EngineEvent::JobStarted {
            id,
            kind: JobKind::Build {
                dockerfile: "/w/Dockerfile".into(),
                tag: None,
            },
        })
    };
    started(&mut s, 1);
    feed(&mut s, 1, &first);
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(JobOutcome::Done("built sha256:3333bbbb4444ffff".into())),
    });
    assert_eq!(s.panes.editor.build.marks.get(&2), Some(&StepMark::Built));
    assert_eq!(
        s.panes.images.pending_select(),
        Some("sha256:3333bbbb4444ffff")
    );
    assert_eq!(
        s.panes
            .editor
            .build
            .line_of_layer("sha256:1111aaaa2222dead"),
        Some(2)
    );
    assert_eq!(
        s.panes
            .editor
            .build
            .line_of_layer("sha256:3333bbbb4444ffff"),
        Some(3)
    );
    assert_eq!(s.panes.editor.build.line_of_layer("<missing>"), None);

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
    s.test_engine(EngineEvent::JobFinished {
        id: 2,
        result: Ok(JobOutcome::Done("built sha256:5555cccc6666".into())),
    });
    assert_eq!(s.panes.editor.build.marks.get(&2), Some(&StepMark::Cached));
    assert_eq!(
        s.panes.editor.build.marks.get(&3),
        Some(&StepMark::Invalidated)
    );

    // The images pane selects the built image once it is listed.
    s.test_engine(EngineEvent::Inventory(Ok(crate::engine::Inventory {
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
        s.panes.images.table.selected().map(|r| r.id.as_str()),
        Some("sha256:5555cccc6666")
    );
    assert!(s.panes.images.pending_select().is_none());
}

#[test]
fn a_cancelled_build_is_not_a_failure() {
    let (mut s, _km) = build_app();
    s.test_engine(EngineEvent::JobStarted {
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
    let cmds = s.test_key(&ctrl('t'));
    assert_eq!(cmds, vec![Command::Cancel(9)]);
    s.test_engine(EngineEvent::JobFinished {
        id: 9,
        result: Err(EngineError::Cancelled),
    });
    assert!(!s.panes.editor.build.running());
    assert!(s.panes.editor.build.failure.is_none());
    assert_eq!(s.panes.editor.build.marks.get(&2), None);
    assert_eq!(
        s.panes.editor.build.log.back().map(String::as_str),
        Some("build cancelled")
    );
}

#[test]
fn paste_goes_to_the_buffer_or_a_form_but_never_answers_a_question() {
    let (mut s, _km) = app(SRC);
    s.test_paste("# a\n# b\n");
    assert!(s.panes.editor.text().starts_with("# a\n# b\nFROM"));
    s.test_key(&ctrl('f'));
    s.test_paste("WORK");
    assert!(matches!(&s.panes.editor.modal, Some(Modal::Search(i)) if i.text == "WORK"));
    s.test_key(&code(KeyCode::Esc));
    s.test_key(&ctrl('q'));
    s.test_paste("discard");
    assert!(!s.quit);
    assert!(matches!(s.panes.editor.modal, Some(Modal::Unsaved { .. })));
}

#[test]
fn search_finds_the_next_match() {
    let (mut s, _km) = app(SRC);
    s.test_key(&ctrl('f'));
    for c in "RUN".chars() {
        s.test_key(&key(c));
    }
    s.test_key(&code(KeyCode::Enter));
    assert!(s.panes.editor.modal.is_none());
    assert_eq!(s.panes.editor.textarea.cursor(), (2, 0));
}

#[test]
fn a_build_refused_before_any_step_keeps_the_cursor() {
    let (mut s, _) = build_app();
    s.panes.editor.jump_to(3);
    s.test_engine(EngineEvent::JobStarted {
        id: 5,
        kind: JobKind::Build {
            dockerfile: "/w/Dockerfile".into(),
            tag: None,
        },
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 5,
        result: Err(EngineError::NotConnected),
    });
    assert_eq!(s.panes.editor.textarea.cursor(), (2, 0));
    assert_eq!(
        s.panes.editor.build.failure,
        Some((0, "not connected to an engine".into()))
    );
    assert!(
        s.panes.editor.build.marks.is_empty(),
        "{:?}",
        s.panes.editor.build.marks
    );
}

#[test]
fn other_jobs_do_not_touch_the_editor() {
    let (mut s, _) = build_app();
    s.test_engine(EngineEvent::JobStarted {
        id: 3,
        kind: JobKind::Build {
            dockerfile: "/elsewhere/Dockerfile".into(),
            tag: None,
        },
    });
    feed(&mut s, 3, &["Step 1/1 : FROM x"]);
    assert!(s.panes.editor.build.job.is_none());
    assert!(s.panes.editor.build.marks.is_empty());
}

#[test]
fn copy_and_cut_hand_the_text_to_the_terminal_clipboard() {
    let (mut s, _km) = app("FROM a\nRUN b\n");
    let alt = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT);
    // Nothing selected: nothing to hand over.
    s.test_key(&alt('c'));
    assert_eq!(s.seen.clipboard, None);
    // Select the first line (Shift-End) and copy it.
    s.test_key(&KeyEvent::new(KeyCode::End, KeyModifiers::SHIFT));
    s.test_key(&alt('c'));
    assert_eq!(s.seen.clipboard.take().as_deref(), Some("FROM a"));
    assert!(!s.panes.editor.dirty, "copy changes nothing");
    // Select all and cut.
    s.test_key(&alt('a'));
    s.test_key(&ctrl('x'));
    assert_eq!(s.seen.clipboard.take().as_deref(), Some("FROM a\nRUN b"));
    assert!(s.panes.editor.dirty);
}

#[test]
fn ctrl_home_and_end_go_to_the_start_and_end_of_the_file() {
    let (mut s, _km) = app("FROM a\nRUN some long command\nCMD x\n");
    s.test_key(&code(KeyCode::Down));
    s.test_key(&code(KeyCode::End));
    let ctrl_key = |c| KeyEvent::new(c, KeyModifiers::CONTROL);
    s.test_key(&ctrl_key(KeyCode::Home));
    assert_eq!(s.panes.editor.textarea.cursor(), (0, 0));
    s.test_key(&ctrl_key(KeyCode::End));
    assert_eq!(s.panes.editor.textarea.cursor(), (2, 5));
}

#[test]
fn f2_explains_the_finding_and_f4_fixes_it_as_one_undoable_edit() {
    let src = "FROM debian:12.5\nRUN apt-get update && apt-get install -y curl=8.5.0-2\n";
    let (mut s, _km) = app(src);
    let f = |n| KeyEvent::new(KeyCode::F(n), KeyModifiers::NONE);
    s.test_key(&code(KeyCode::Down));
    let before: Vec<&str> = s.panes.editor.diagnostics.iter().map(|d| d.code).collect();
    assert!(before.contains(&"DL3015"), "{before:?}");
    s.test_key(&f(2));
    let Some(Modal::Why(view)) = &s.panes.editor.modal else {
        panic!("no explanation: {:?}", s.panes.editor.modal)
    };
    assert!(
        view.lines.iter().any(|l| l.contains("Quick fix")),
        "{:?}",
        view.lines
    );
    s.test_key(&code(KeyCode::Esc));
    assert!(s.panes.editor.modal.is_none());
    // The most severe finding on the line is fixed; its code is gone, the file still lints.
    let target = s
        .panes
        .editor
        .diagnostic_at(2)
        .map(|d| d.code)
        .expect("a finding");
    s.test_key(&f(4));
    s.panes.editor.refresh_lint();
    let after: Vec<&str> = s.panes.editor.diagnostics.iter().map(|d| d.code).collect();
    assert!(!after.contains(&target), "{target} still there: {after:?}");
    assert_ne!(s.panes.editor.text(), src);
    assert!(s.panes.editor.dirty);
    // One Ctrl-z takes the whole fix back, also after the cursor moved; Ctrl-y redoes it whole.
    let fixed = s.panes.editor.text();
    s.test_key(&code(KeyCode::Right));
    s.test_key(&ctrl('z'));
    assert_eq!(s.panes.editor.text(), src);
    assert!(!s.panes.editor.dirty);
    s.test_key(&ctrl('y'));
    assert_eq!(s.panes.editor.text(), fixed);
}

#[test]
fn with_no_file_open_typing_and_pasting_change_nothing_and_say_so() {
    let mut s = AppState::default();
    s.shared.focus = PaneId::Editor;
    let keymap = Keymap::defaults();
    for c in "RUN x".chars() {
        s.on_key(&keymap, &key(c));
    }
    s.on_key(&keymap, &code(KeyCode::Enter));
    s.on_paste(&keymap, "FROM scratch\n");
    let ed = &s.panes.editor;
    assert_eq!(ed.textarea.lines(), [""]);
    assert!(!ed.dirty);
    assert!(ed.unrecovered_since.is_none());
    let said = s.shared.message.as_ref().map(|(_, t)| t.clone());
    assert!(
        said.as_deref()
            .is_some_and(|t| t.contains("no file is open")),
        "{said:?}"
    );
}

/// Issue 15 item 3: build marks follow the lines they were made for.
#[test]
fn build_marks_follow_edits_and_leave_changed_lines() {
    let (mut s, _) = build_app();
    s.test_engine(EngineEvent::JobStarted {
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
            " ---> Using cache",
            " ---> 1111aaaa2222",
            "Step 3/4 : COPY a /a",
            " ---> 3333bbbb4444",
            "Step 4/4 : RUN cat /a   && false",
        ],
    );
    s.test_engine(EngineEvent::JobFinished {
        id: 9,
        result: Err(EngineError::Api {
            status: 0,
            message: "The command '/bin/sh -c cat /a   && false' returned a non-zero code: 1"
                .into(),
        }),
    });
    let marks = |s: &AppState| s.panes.editor.build.marks.clone();
    assert_eq!(marks(&s).get(&4), Some(&StepMark::Failed));
    // An inserted line (after line 1) is not marked; the marks below move down with their lines.
    s.panes.editor.jump_to(1);
    s.test_key(&code(KeyCode::End));
    s.test_key(&code(KeyCode::Enter));
    assert_eq!(s.panes.editor.textarea.lines()[1], "");
    assert_eq!(marks(&s).get(&2), None, "{:?}", marks(&s));
    assert_eq!(marks(&s).get(&3), Some(&StepMark::Cached));
    assert_eq!(marks(&s).get(&5), Some(&StepMark::Failed));
    assert_eq!(s.panes.editor.build.failure.as_ref().map(|f| f.0), Some(5));
    // A line whose text changed loses its mark.
    s.panes.editor.jump_to(4);
    s.test_key(&code(KeyCode::End));
    s.test_key(&key('x'));
    assert_eq!(s.panes.editor.textarea.lines()[3], "COPY a /ax");
    assert_eq!(marks(&s).get(&4), None, "{:?}", marks(&s));
    assert_eq!(marks(&s).get(&3), Some(&StepMark::Cached));
    // Deleting the failing instruction's first line removes its mark; the next line gets none.
    s.panes.editor.jump_to(5);
    s.test_key(&KeyEvent::new(KeyCode::Down, KeyModifiers::SHIFT));
    s.test_key(&code(KeyCode::Backspace));
    assert_eq!(s.panes.editor.textarea.lines()[4], "  && false");
    assert!(
        !marks(&s).values().any(|m| *m == StepMark::Failed),
        "{:?}",
        marks(&s)
    );
    assert_eq!(s.panes.editor.build.failure.as_ref().map(|f| f.0), Some(0));
    assert_eq!(marks(&s).get(&3), Some(&StepMark::Cached));
}
