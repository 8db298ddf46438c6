//! TestBackend snapshots of the disk pane (summary, build cache) and its prune dialogs, fed with
//! what a private dockerd 20.10 answered (see `state::disk::fixtures`).
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::action::{Action, AppAction, DiskAction, ListAction};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::engine::buildcache::plan;
use crate::engine::disk_types::DataRoot;
use crate::engine::disk_worker::DiskEvent;
use crate::engine::system_prune::SystemPruneOptions;
use crate::engine::{Connection, EngineEvent, EngineInfo};
use crate::state::disk::fixtures;
use crate::state::{AppState, PaneId};
use crate::ui::{Ctx, draw};

pub(crate) fn render(state: &AppState, w: u16, h: u16) -> String {
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

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn state(du: crate::engine::disk_types::DiskUsage) -> AppState {
    let mut s = AppState::default();
    s.shared.now = fixtures::NOW;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    s.test_action(Action::App(AppAction::FocusDisk));
    s.test_engine(EngineEvent::Disk(DiskEvent::Usage(Ok(Box::new(du)))));
    s.set_viewports(&[(PaneId::Disk, 20)]);
    s
}

#[test]
fn summary_with_bars_and_free_space() {
    let s = state(fixtures::usage());
    let screen = render(&s, 120, 20);
    assert!(screen.contains("Data root /var/lib/docker: 12.35 GB free of 50 GB (75% used)"));
    insta::assert_snapshot!(screen);
}

#[test]
fn summary_of_a_remote_engine_says_free_space_is_not_reported() {
    let mut du = fixtures::usage();
    du.data_root = DataRoot::NotReported(
        "the engine is not on this machine: its free space is not reported".into(),
    );
    du.volumes.size = None;
    du.volumes.reclaimable = None;
    let screen = render(&state(du), 90, 18);
    assert!(screen.contains("not reported"));
    insta::assert_snapshot!(screen);
}

#[test]
fn build_cache_records_with_their_instructions() {
    let mut s = state(fixtures::usage());
    s.test_action(Action::Disk(DiskAction::BuildCache));
    let screen = render(&s, 150, 22);
    assert!(screen.contains("RUN "), "instructions are named:\n{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn cache_prune_dialog_lists_what_goes() {
    let mut s = state(fixtures::usage());
    s.test_action(Action::List(ListAction::Prune));
    s.test_key(&key(KeyCode::Tab));
    let records = fixtures::usage().build_cache_items;
    let all = crate::engine::buildcache::BuilderPruneOptions {
        all: true,
        ..Default::default()
    };
    s.test_engine(EngineEvent::Disk(DiskEvent::BuildCachePlan(Ok(plan(
        &records,
        &all,
        fixtures::now(),
    )))));
    insta::assert_snapshot!(render(&s, 120, 26));
}

#[test]
fn cache_prune_dialog_with_a_bad_duration() {
    let mut s = state(fixtures::usage());
    s.test_action(Action::List(ListAction::Prune));
    s.test_key(&key(KeyCode::Tab));
    s.test_key(&key(KeyCode::Tab));
    s.test_key(&key(KeyCode::Backspace));
    insta::assert_snapshot!(render(&s, 100, 16));
}

#[test]
fn system_prune_dialog_lists_every_kind() {
    let mut s = state(fixtures::usage());
    s.test_action(Action::Disk(DiskAction::SystemPrune));
    s.test_key(&key(KeyCode::Tab));
    s.test_key(&key(KeyCode::Char(' ')));
    let opts = SystemPruneOptions {
        volumes: Some(crate::engine::volumes::VolumePruneScope::Anonymous),
        ..Default::default()
    };
    s.test_engine(EngineEvent::Disk(DiskEvent::SystemPrunePlan(Ok(Box::new(
        fixtures::system_plan(&opts),
    )))));
    insta::assert_snapshot!(render(&s, 120, 34));
}

#[test]
fn last_prune_and_reclaimed_bytes_show_under_the_summary() {
    use crate::engine::buildcache::BuildCacheReport;
    use crate::engine::disk_worker::{DiskJob, DiskOutcome};
    use crate::engine::{JobKind, JobOutcome};
    let mut s = state(fixtures::usage());
    s.test_action(Action::List(ListAction::Prune));
    let records = fixtures::usage().build_cache_items;
    let p = plan(&records, &Default::default(), fixtures::now());
    let bytes = p.reclaim.bytes();
    s.test_engine(EngineEvent::Disk(DiskEvent::BuildCachePlan(Ok(p))));
    s.test_key(&key(KeyCode::Enter));
    s.test_engine(EngineEvent::JobStarted {
        id: 1,
        kind: JobKind::Disk(DiskJob::PruneBuildCache),
    });
    s.test_engine(EngineEvent::JobFinished {
        id: 1,
        result: Ok(JobOutcome::Disk(DiskOutcome::BuildCachePruned(
            BuildCacheReport {
                deleted: vec!["a".into(), "b".into()],
                reclaimed: bytes,
            },
        ))),
    });
    let screen = render(&s, 110, 18);
    assert!(screen.contains("Last: build cache pruned"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn tiny_terminal_does_not_panic() {
    let mut s = state(fixtures::usage());
    render(&s, 20, 5);
    render(&s, 40, 8);
    s.test_action(Action::Disk(DiskAction::SystemPrune));
    render(&s, 40, 8);
    s.test_key(&key(KeyCode::Esc));
    s.test_action(Action::Disk(DiskAction::BuildCache));
    render(&s, 40, 8);
}

#[test]
fn images_show_unique_sizes_once_measured() {
    let mut s = state(fixtures::usage());
    s.test_engine(EngineEvent::Inventory(Ok(fixtures::inventory())));
    s.test_action(Action::App(AppAction::FocusImages));
    for _ in 0..3 {
        s.test_action(Action::List(ListAction::CycleSort));
    }
    let screen = render(&s, 110, 12);
    assert!(
        screen.contains("UNIQUE") && screen.contains("unique size"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}
