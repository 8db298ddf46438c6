//! The images pane: one row per tag with ID, age, size and marks.
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::action::{Action, AppAction};
use crate::config::keymap::Context;
use crate::engine::Connection;
use crate::state::images::rows::{ImageRow, SortKey};
use crate::state::{AppState, PaneId};
use crate::ui::widgets::table::{self, TableView};
use crate::ui::{Ctx, focused};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize, short_id};
use crate::util::time::ago;

/// The width the images table needs beside the layers pane (borders included): the longest
/// repository (up to 48) and tag (up to 24) shown, the ID, age and size columns. The layers pane
/// gets the rest, so CREATED BY is not squeezed while REPOSITORY pads.
pub fn wanted_width(state: &AppState) -> u16 {
    let t = &state.panes.images.table;
    let longest = |f: &dyn Fn(&ImageRow) -> usize, head: usize, cap: usize| {
        t.visible().map(f).max().unwrap_or(0).clamp(head, cap)
    };
    let repo = longest(&|r| r.repo.chars().count(), 10, 48);
    let tag = longest(&|r| r.tag.chars().count(), 3, 24);
    if t.rows.is_empty() {
        // No columns to fit: the pane's notice (connecting, what was tried) gets its room.
        return u16::MAX;
    }
    // REPOSITORY and TAG share the room 3:1 (their Fill weights): enough for both.
    let shared = (repo * 4).div_ceil(3).max(tag * 4);
    // The optional columns, each with its gap: UNIQUE, and ALSO ON as wide as its longest list.
    let unique = if shows_unique(state) { 11 } else { 0 };
    let also = if shows_also_on(state) {
        usize::from(also_on_width(state)) + 1
    } else {
        0
    };
    // marks 2, ID 13, CREATED 15, SIZE 10, five gaps, two borders; never so narrow that the
    // CREATED column is dropped.
    u16::try_from((2 + shared + 13 + 15 + 10 + 5 + 2 + unique + also).max(72)).unwrap_or(u16::MAX)
}

/// Whether the UNIQUE column is shown: once a disk usage measured it (or it is sorted by it).
fn shows_unique(state: &AppState) -> bool {
    let pane = &state.panes.images;
    !pane.share.is_empty() || pane.table.sort == SortKey::Unique
}

/// The ALSO ON column's width: its longest list of engine names (its header at least).
fn also_on_width(state: &AppState) -> u16 {
    let t = &state.panes.images.table;
    let names = |r: &ImageRow| {
        state.shared.also_on.get(&r.id).map_or(0, |e| {
            e.iter().map(|n| n.chars().count()).sum::<usize>() + 2 * e.len().saturating_sub(1)
        })
    };
    let widest = t.visible().map(names).max().unwrap_or(0).clamp(8, 40);
    u16::try_from(widest).unwrap_or(40)
}

/// Whether the ALSO ON column can be shown: another engine is connected.
fn shows_also_on(state: &AppState) -> bool {
    state
        .shared
        .engines
        .iter()
        .any(|e| e.connected() && e.id != state.shared.active_engine)
}

/// Draws the pane; returns how many table rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.images;
    let t = &pane.table;
    let mut title = format!(
        " {} ({}) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Images),
        t.view.len()
    );
    if t.view.len() != t.rows.len() {
        title.push_str(&format!("of {} ", t.rows.len()));
    }
    let wide = area.width.saturating_sub(2) >= 70;
    // What removing each image frees, once a disk usage measured it (or it is sorted by it).
    let share = shows_unique(state);
    let now = state.shared.now;
    // Which other connected engines have the same image ID, when another engine is connected.
    let also_on = wide && shows_also_on(state);
    let cells = |r: &ImageRow, marked: bool| {
        let (flag, flag_style) = if !r.used_by.is_empty() {
            ("●", Style::default().fg(theme.in_use))
        } else if r.dangling() {
            ("◌", Style::default().fg(theme.dangling))
        } else {
            (" ", Style::default())
        };
        let id = if r.tag_count > 1 {
            format!("{}⁺", short_id(&r.id))
        } else {
            short_id(&r.id).to_string()
        };
        let mut cells = vec![
            Line::from(vec![
                Span::styled(
                    if marked { "✓" } else { " " },
                    Style::default().fg(theme.marked),
                ),
                Span::styled(flag, flag_style),
            ]),
            Line::raw(r.repo.clone()),
            Line::raw(r.tag.clone()),
            Line::styled(id, Style::default().fg(theme.dim)),
        ];
        if wide {
            cells.push(Line::raw(ago(r.created, now)));
        }
        cells.push(Line::raw(bytes(r.size)).right_aligned());
        if share {
            cells.push(match r.unique {
                Some(n) => Line::raw(bytes(n)).right_aligned(),
                None => Line::styled("—", Style::default().fg(theme.dim)).right_aligned(),
            });
        }
        if also_on {
            let names = state.shared.also_on.get(&r.id).map_or(String::new(), |e| {
                e.iter().map(|n| sanitize(n)).collect::<Vec<_>>().join(", ")
            });
            cells.push(Line::styled(names, Style::default().fg(theme.dim)));
        }
        cells
    };
    let style = |r: &ImageRow, marked: bool| {
        let style = if r.dangling() {
            Style::default().fg(theme.dangling)
        } else {
            Style::default().fg(theme.fg)
        };
        if marked {
            style.fg(theme.marked)
        } else {
            style
        }
    };
    let mut columns = vec![
        ("", Constraint::Length(2)),
        ("REPOSITORY", Constraint::Fill(3)),
        ("TAG", Constraint::Fill(1)),
        ("IMAGE ID", Constraint::Length(13)),
    ];
    if wide {
        columns.push(("CREATED", Constraint::Length(15)));
    }
    columns.push(("      SIZE", Constraint::Length(10)));
    if share {
        columns.push(("    UNIQUE", Constraint::Length(10)));
    }
    if also_on {
        columns.push((" ALSO ON", Constraint::Length(also_on_width(state))));
    }
    let view = TableView {
        table: t,
        filter: &pane.filter,
        title,
        focused: focused(state, PaneId::Images),
        columns,
        cells: &cells,
        style: &style,
        empty: empty_text(state, ctx),
        strip: None,
    };
    table::draw(frame, area, &view, ctx)
}

/// The dialog of the pane (tag, remove, prune), over `area`.
pub fn draw_dialog(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    if let Some(d) = &state.panes.images.dialog {
        crate::ui::widgets::dialog::draw(frame, area, d, ctx);
    }
}

fn empty_text(state: &AppState, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    match &state.shared.connection {
        Connection::Connecting => vec![Line::raw("Connecting to the engine…")],
        Connection::Disconnected { attempts, retry_in } => {
            let mut lines = vec![
                Line::styled(
                    "No container engine reachable.",
                    Style::default()
                        .fg(theme.error)
                        .add_modifier(Modifier::BOLD),
                ),
                Line::raw("Tried:"),
            ];
            for a in attempts {
                lines.push(Line::raw(format!("  {} {}", a.source, a.endpoint)));
                lines.push(Line::styled(
                    format!("    {}", ellipsize(&a.error, 200)),
                    Style::default().fg(theme.dim),
                ));
            }
            let key = ctx
                .keymap
                .key_for(Context::Images, Action::App(AppAction::Refresh))
                .map_or(String::new(), |k| format!(" (or press {k} to retry now)"));
            lines.push(Line::raw(format!(
                "Retrying in {}s{key}. Start Docker or Podman, or point DOCKER_HOST / --host at one.",
                retry_in.as_secs()
            )));
            lines
        }
        Connection::NotAnswering { deadline, .. } => vec![Line::styled(
            format!(
                "The engine is not answering (no reply to a ping within {}s): hung or stopped?",
                deadline.as_secs()
            ),
            Style::default().fg(theme.warning),
        )],
        Connection::Connected(_) if !state.panes.images.table.loaded => {
            vec![Line::raw("Listing images…")]
        }
        Connection::Connected(_) => vec![
            Line::raw("No images on this engine yet."),
            Line::styled(
                "Build one, or pull one (docker pull busybox).",
                Style::default().fg(theme.dim),
            ),
        ],
    }
}
