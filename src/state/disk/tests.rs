//! The disk pane's state: figures in, Enter routed to the other panes, the build-cache and
//! system prune dialogs sending exactly what their preview showed.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::fixtures::{self, NOW};
use super::*;
use crate::action::{Action, AppAction, DiskAction, ListAction};
use crate::engine::buildcache::{BuildCacheReport, BuilderPruneOptions, plan};
use crate::engine::disk_worker::DiskJob;
use crate::engine::{Connection, EngineInfo};
use crate::state::{AppState, PaneId};

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn disk(cmd: DiskCommand) -> Command {
    Command::Disk(cmd)
}

/// The app on the disk pane with the fixture's figures.
fn app() -> AppState {
    let mut s = AppState::default();
    s.shared.now = NOW;
    s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    let sent = s.test_action(Action::App(AppAction::FocusDisk));
    assert_eq!(sent, vec![disk(DiskCommand::Usage)]);
    assert!(s.panes.disk.loading);
    s.test_engine(EngineEvent::Disk(DiskEvent::Usage(Ok(Box::new(
        fixtures::usage(),
    )))));
    s.set_viewports(&[(PaneId::Disk, 20)]);
    s
}

#[test]
fn figures_arrive_and_focus_does_not_ask_twice_while_measuring() {
    let mut s = AppState::default();
    s.test_action(Action::App(AppAction::FocusDisk));
    s.test_action(Action::App(AppAction::FocusImages));
    assert!(s.test_action(Action::App(AppAction::FocusDisk)).is_empty());
    let s = app();
    let pane = &s.panes.disk;
    assert!(!pane.loading);
    let du = pane.usage.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(pane.cache.rows.len(), du.build_cache_items.len());
    assert!(!pane.cache.rows.is_empty(), "the fixture has build cache");
}

#[test]
fn enter_shows_each_kinds_reclaimable_part_in_its_pane() {
    let mut s = app();
    s.test_action(Action::List(ListAction::Details));
    assert_eq!(s.shared.focus, PaneId::Images);
    assert_eq!(
        s.panes.images.table.scope.as_ref().map(|x| x.label),
        Some("unused")
    );
    s.test_action(Action::App(AppAction::FocusDisk));
    s.test_action(Action::List(ListAction::Down));
    s.test_action(Action::List(ListAction::Details));
    assert_eq!(s.shared.focus, PaneId::Containers);
    assert_eq!(
        s.panes.containers.table.scope.as_ref().map(|x| x.label),
        Some("stopped")
    );
    s.test_action(Action::App(AppAction::FocusDisk));
    s.test_action(Action::List(ListAction::Down));
    let sent = s.test_action(Action::List(ListAction::Details));
    assert_eq!(s.shared.focus, PaneId::Volumes);
    assert_eq!(sent, vec![disk(DiskCommand::ListVolumes)]);
    // The volumes the disk usage listed are there already, narrowed to the unused ones.
    let v = &s.panes.volumes.table;
    assert!(v.visible().all(|v| v.ref_count == Some(0)));
    assert!(v.rows.iter().any(|v| v.ref_count != Some(0)));
    let all = v.rows.len();
    s.test_action(Action::List(ListAction::Back));
    assert_eq!(s.panes.volumes.table.view.len(), all);
    s.test_action(Action::App(AppAction::FocusDisk));
    s.test_action(Action::List(ListAction::Bottom));
    s.test_action(Action::List(ListAction::Details));
    assert_eq!(s.shared.focus, PaneId::Disk);
    assert_eq!(s.panes.disk.view, DiskView::BuildCache);
    s.test_action(Action::List(ListAction::Back));
    assert_eq!(s.panes.disk.view, DiskView::Summary);
}

#[test]
fn build_cache_sorts_by_size_and_by_last_use() {
    let mut s = app();
    s.test_action(Action::Disk(DiskAction::BuildCache));
    let sizes: Vec<u64> = s.panes.disk.cache.visible().map(|r| r.size).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    s.test_action(Action::List(ListAction::CycleSort));
    let used: Vec<_> = s
        .panes
        .disk
        .cache
        .visible()
        .map(|r| r.last_used_at)
        .collect();
    assert!(used.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn cache_prune_sends_exactly_what_the_preview_showed_and_reports_the_result() {
    let mut s = app();
    let sent = s.test_action(Action::List(ListAction::Prune));
    let unused = BuilderPruneOptions::default();
    assert_eq!(
        sent,
        vec![disk(DiskCommand::BuildCachePreview(unused.clone()))]
    );
    // Enter before the preview arrives does nothing.
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    // Tab: all records; the old preview arriving late is not taken for the new options.
    let all = BuilderPruneOptions {
        all: true,
        ..Default::default()
    };
    assert_eq!(
        s.test_key(&key(KeyCode::Tab)),
        vec![disk(DiskCommand::BuildCachePreview(all.clone()))]
    );
    let records = fixtures::usage().build_cache_items;
    let stale = plan(&records, &unused, fixtures::now());
    s.test_engine(EngineEvent::Disk(DiskEvent::BuildCachePlan(Ok(stale))));
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    let p = plan(&records, &all, fixtures::now());
    let preview = p.reclaim.bytes();
    assert_eq!(p.records.len(), records.len());
    s.test_engine(EngineEvent::Disk(DiskEvent::BuildCachePlan(Ok(p))));
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![disk(DiskCommand::PruneBuildCache(all))]
    );
    assert!(s.panes.disk.dialog.is_none());
    s.test_engine(EngineEvent::JobStarted {
        id: 7,
        kind: JobKind::Disk(DiskJob::PruneBuildCache),
    });
    let sent = s.test_engine(EngineEvent::JobFinished {
        id: 7,
        result: Ok(JobOutcome::Disk(DiskOutcome::BuildCachePruned(
            BuildCacheReport {
                deleted: records.iter().map(|r| r.id.clone()).collect(),
                reclaimed: preview,
            },
        ))),
    });
    // The figures are measured again (and the volumes pane, which took them, relists).
    assert_eq!(sent[0], disk(DiskCommand::Usage));
    let last = s.panes.disk.last.clone().unwrap();
    assert!(
        last.contains(&format!("{} reclaimed", bytes(preview)))
            && last.contains(&format!("(preview: {})", bytes(preview))),
        "{last}"
    );
}

#[test]
fn older_than_and_budget_read_what_is_typed() {
    let mut s = app();
    s.test_action(Action::List(ListAction::Prune));
    s.test_key(&key(KeyCode::Tab));
    let sent = s.test_key(&key(KeyCode::Tab));
    let day = BuilderPruneOptions {
        until: Some(std::time::Duration::from_secs(86_400)),
        ..Default::default()
    };
    assert_eq!(sent, vec![disk(DiskCommand::BuildCachePreview(day))]);
    // A bad duration: no preview, Enter refused, the text kept.
    assert!(s.test_key(&key(KeyCode::Char('x'))).is_empty());
    assert!(s.test_key(&key(KeyCode::Enter)).is_empty());
    let Some(DiskDialog::CachePrune(d)) = &s.panes.disk.dialog else {
        panic!("the dialog stays open");
    };
    assert_eq!(d.until.text(), "24hx");
    assert!(d.until.error.is_some());
    s.test_key(&key(KeyCode::Backspace));
    let sent = s.test_key(&key(KeyCode::Tab));
    let budget = BuilderPruneOptions {
        keep_storage: Some(1_000_000_000),
        ..Default::default()
    };
    assert_eq!(sent, vec![disk(DiskCommand::BuildCachePreview(budget))]);
    s.test_key(&key(KeyCode::Esc));
    assert!(s.panes.disk.dialog.is_none());
}

#[test]
fn system_prune_asks_for_a_plan_per_choice_and_sends_the_planned_options() {
    let mut s = app();
    let sent = s.test_action(Action::Disk(DiskAction::SystemPrune));
    let mut opts = SystemPruneOptions::default();
    assert_eq!(
        sent,
        vec![disk(DiskCommand::SystemPrunePreview(opts.clone()))]
    );
    // Space on the images field: all unused images.
    let sent = s.test_key(&key(KeyCode::Char(' ')));
    opts.all = true;
    assert_eq!(
        sent,
        vec![disk(DiskCommand::SystemPrunePreview(opts.clone()))]
    );
    // Tab to volumes, Space: anonymous volumes too.
    s.test_key(&key(KeyCode::Tab));
    let sent = s.test_key(&key(KeyCode::Char(' ')));
    opts.volumes = Some(crate::engine::volumes::VolumePruneScope::Anonymous);
    assert_eq!(
        sent,
        vec![disk(DiskCommand::SystemPrunePreview(opts.clone()))]
    );
    // Tab twice to labels; typing asks again with the filter.
    s.test_key(&key(KeyCode::Tab));
    s.test_key(&key(KeyCode::Tab));
    s.test_key(&key(KeyCode::Char('a')));
    opts.labels = vec!["a".into()];
    let plan = fixtures::system_plan(&opts);
    s.test_engine(EngineEvent::Disk(DiskEvent::SystemPrunePlan(Ok(Box::new(
        plan,
    )))));
    assert_eq!(
        s.test_key(&key(KeyCode::Enter)),
        vec![disk(DiskCommand::SystemPrune(opts))]
    );
}

use crate::engine::system_prune::SystemPruneOptions;

#[test]
fn a_request_refused_while_disconnected_is_made_again_on_connection() {
    let mut s = AppState::default();
    s.test_action(Action::App(AppAction::FocusDisk));
    s.test_engine(EngineEvent::Disk(DiskEvent::Usage(Err(
        crate::engine::EngineError::NotConnected,
    ))));
    assert!(matches!(s.panes.disk.usage, Some(Err(_))));
    let sent = s.test_engine(EngineEvent::Connection(Connection::Connected(
        EngineInfo::local_test(),
    )));
    assert!(sent.contains(&disk(DiskCommand::Usage)), "{sent:?}");
    // Panes never opened do not ask.
    assert!(!sent.contains(&disk(DiskCommand::ListNetworks)));
}
