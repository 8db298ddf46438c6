//! Builds from the editor against the real engine, through dockhand's own engine task and the pure
//! state: open a fixture Dockerfile, build it from the build dialog, rebuild with cache hits, edit a
//! line and see the cache invalidated there, break a step and see the failure on its line.
//!
//! Needs `DOCKER_HOST`; skips with a notice when the engine is unreachable, unless
//! `DOCKHAND_REQUIRE_ENGINE=1`.
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dockhand::config::keymap::Keymap;
use dockhand::engine::{self, Connection, EngineEvent, EngineHandle, endpoint};
use dockhand::state::editor::Modal;
use dockhand::state::editor::build::{ContextSize, StepMark};
use dockhand::state::{AppState, Effect, PaneId};
use tokio::sync::mpsc;

use common::engine as fx;

struct Harness {
    state: AppState,
    keymap: Keymap,
    engine: EngineHandle,
    rx: mpsc::UnboundedReceiver<EngineEvent>,
    /// File work as the app's worker does it; recovery files in a temp directory.
    files: dockhand::files::Files,
    _recover: tempfile::TempDir,
}

impl Harness {
    async fn new(dockerfile: &Path) -> Harness {
        let (tx, rx) = mpsc::unbounded_channel();
        let sink: engine::Sink = Arc::new(move |ev| {
            let _ = tx.send(ev);
        });
        let endpoints = endpoint::resolve(&endpoint::ResolveInput::from_env(None));
        let engine = engine::spawn(endpoints, sink);
        let recover = tempfile::tempdir().expect("tempdir");
        let mut h = Harness {
            state: AppState::default(),
            keymap: Keymap::defaults(),
            engine,
            rx,
            files: dockhand::files::Files::at(recover.path().join("recover")),
            _recover: recover,
        };
        let open = h.state.panes.editor.request_open(dockerfile.to_path_buf());
        h.run(open);
        h.state.shared.focus = PaneId::Editor;
        h.pump_until(|s| matches!(s.shared.connection, Connection::Connected(_)))
            .await;
        h
    }

    /// Carries out effects as the app loop does: engine commands sent, file work done here.
    fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Engine(cmd) => self.engine.send(cmd),
                Effect::File(op) => {
                    if let Some(done) = self.files.perform(op) {
                        let more = self.state.on_file(&self.keymap, done);
                        self.run(more);
                    }
                }
                _ => {}
            }
        }
    }

    fn key(&mut self, key: KeyEvent) {
        let effects = self.state.on_key(&self.keymap, &key);
        self.run(effects);
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn ctrl(&mut self, c: char) {
        self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    fn code(&mut self, c: KeyCode) {
        self.key(KeyEvent::new(c, KeyModifiers::NONE));
    }

    async fn pump_until(&mut self, done: impl Fn(&AppState) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while !done(&self.state) {
            let ev = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .expect("engine events in time")
                .expect("engine alive");
            let effects = self.state.on_engine(&self.keymap, ev);
            self.run(effects);
        }
    }

    /// Opens the build dialog (tags and network set on the first build) and builds.
    async fn build(&mut self, tags: Option<&str>) {
        self.ctrl('b');
        let Some(Modal::Build(form)) = &self.state.panes.editor.modal else {
            panic!("build dialog expected: {:?}", self.state.panes.editor.modal)
        };
        assert!(
            matches!(form.size, ContextSize::Planned { files, .. } if files >= 2),
            "{:?}",
            form.size
        );
        if let Some(tags) = tags {
            // The form opens on Tags; this test keeps the classic builder (BuildKit is
            // tests/e2e_editor_buildkit.rs): Builder auto → BuildKit → classic.
            self.typed(tags);
            self.code(KeyCode::Tab);
            self.typed("  ");
            for _ in 0..4 {
                self.code(KeyCode::Tab);
            }
            // Network default → host → none.
            self.typed("  ");
        }
        self.code(KeyCode::Enter);
        assert!(
            self.state.panes.editor.modal.is_none(),
            "{:?}",
            self.state.panes.editor.modal
        );
        self.pump_until(|s| s.panes.editor.build.running()).await;
        self.pump_until(|s| !s.panes.editor.build.running()).await;
    }

    fn mark(&self, line: usize) -> Option<StepMark> {
        self.state.panes.editor.build.marks.get(&line).copied()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_rebuild_edit_and_failure_from_the_editor() {
    let Some(docker) = fx::docker().await else {
        return;
    };
    let mut cleanup = fx::Cleanup::new();
    let base = cleanup.image(format!("{}:1", fx::unique("dh-edbase")));
    fx::busybox_image(&docker, &base).await;
    let tag = cleanup.image(format!("{}:1", fx::unique("dh-editor")));
    let tag2 = cleanup.image(format!("{}:extra", tag.trim_end_matches(":1")));

    let dir = tempfile::tempdir().expect("tempdir");
    let nonce = fx::unique("n");
    let src = format!(
        "FROM {base}\nRUN echo {nonce} > /id\nCOPY app.txt /ctx/app.txt\nRUN cat /ctx/app.txt \\\n    && echo ok\nCOPY . /all\nRUN test ! -e /all/secret.txt && test -e /all/app.txt\nCMD [\"cat\", \"/ctx/app.txt\"]\n"
    );
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, &src).expect("write");
    std::fs::write(dir.path().join("app.txt"), "v1").expect("write");
    std::fs::write(dir.path().join("secret.txt"), "s3cr3t").expect("write");
    std::fs::write(dir.path().join(".dockerignore"), "secret.txt\n").expect("write");

    let mut h = Harness::new(&file).await;
    assert_eq!(h.state.panes.editor.text(), src);

    // First build: every step built, the image selected once listed, layers mapped to lines.
    h.build(Some(&format!("{tag} {tag2}"))).await;
    let b = &h.state.panes.editor.build;
    assert!(
        b.failure.is_none(),
        "{:?}\n{}",
        b.failure,
        Vec::from(b.log.clone()).join("\n")
    );
    assert_eq!(h.mark(1), Some(StepMark::Base));
    for line in [2, 3, 4, 6, 7] {
        assert_eq!(
            h.mark(line),
            Some(StepMark::Built),
            "line {line}: {:?}",
            b.marks
        );
    }
    let image = b.image.clone().expect("built image id");
    let inspect = docker.inspect_image(&tag2).await.expect("second tag");
    assert_eq!(inspect.id.as_deref(), Some(image.as_str()));
    let history = docker.image_history(&image).await.expect("history");
    let mapped: Vec<usize> = history
        .iter()
        .filter_map(|e| h.state.panes.editor.build.line_of_layer(&e.id))
        .collect();
    for line in [2, 3, 4, 6, 7] {
        assert!(mapped.contains(&line), "layer of line {line}: {mapped:?}");
    }
    h.pump_until(|s| {
        s.panes
            .images
            .table
            .selected()
            .is_some_and(|r| r.id == image)
    })
    .await;

    // Rebuild: cache hits on every step.
    h.build(None).await;
    for line in [2, 3, 4, 6, 7] {
        assert_eq!(h.mark(line), Some(StepMark::Cached), "line {line}");
    }

    // Edit line 5 (the RUN of line 4) in the editor, save, rebuild: 2 and 3 cached, 4 invalidated,
    // the later steps rebuilt.
    h.state.panes.editor.jump_to(5);
    h.code(KeyCode::End);
    h.typed(" && echo edited");
    assert!(h.state.panes.editor.dirty);
    h.ctrl('s');
    assert!(!h.state.panes.editor.dirty);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("&& echo edited")
    );
    h.build(None).await;
    assert_eq!(h.mark(2), Some(StepMark::Cached));
    assert_eq!(h.mark(3), Some(StepMark::Cached));
    assert_eq!(h.mark(4), Some(StepMark::Invalidated));
    assert_eq!(h.mark(6), Some(StepMark::Rebuilt));
    assert_eq!(h.mark(7), Some(StepMark::Rebuilt));

    // Break the continued RUN: the failure maps to its first line and the cursor jumps there.
    h.state.panes.editor.jump_to(5);
    h.code(KeyCode::End);
    h.typed(" && false");
    h.state.panes.editor.jump_to(1);
    h.ctrl('b'); // saves first, then opens the dialog
    assert!(!h.state.panes.editor.dirty);
    assert!(matches!(h.state.panes.editor.modal, Some(Modal::Build(_))));
    h.code(KeyCode::Enter);
    h.pump_until(|s| s.panes.editor.build.running()).await;
    h.pump_until(|s| !s.panes.editor.build.running()).await;
    let (line, message) = h
        .state
        .panes
        .editor
        .build
        .failure
        .clone()
        .expect("a failure");
    assert_eq!(line, 4, "{message}");
    assert!(message.contains("non-zero code"), "{message}");
    assert_eq!(h.mark(4), Some(StepMark::Failed));
    assert_eq!(h.state.panes.editor.textarea.cursor(), (3, 0));
}
