//! The volumes pane: one row per volume with its size, references and users, and its dialogs.
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;

use crate::engine::disk_types::DiskVolume;
use crate::state::{AppState, PaneId};
use crate::ui::widgets::table::{self, TableView};
use crate::ui::{Ctx, focused};
use crate::util::sanitize::sanitize;
use crate::util::text::bytes;

/// Labels as `k=v, …`.
pub fn labels_text(labels: &[(String, String)]) -> String {
    labels
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Draws the pane; returns how many rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.volumes;
    let t = &pane.table;
    let total: u64 = t.visible().filter_map(|v| v.size).sum();
    let title = format!(
        " {} ({} · {}) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Volumes),
        t.view.len(),
        bytes(total)
    );
    let wide = area.width.saturating_sub(2) >= 120;
    let cells = |v: &DiskVolume, marked: bool| {
        let mut cells = vec![
            Line::styled(
                if marked { "✓" } else { " " },
                Style::default().fg(theme.marked),
            ),
            Line::raw(sanitize(&v.name)),
            Line::raw(sanitize(&v.driver)),
            Line::raw(v.size.map_or_else(|| "not reported".into(), bytes)).right_aligned(),
            Line::raw(v.ref_count.map_or_else(|| "?".into(), |n| n.to_string())).right_aligned(),
            Line::styled(
                sanitize(&v.containers.join(", ")),
                Style::default().fg(theme.in_use),
            ),
        ];
        if wide {
            cells.push(Line::raw(sanitize(&labels_text(&v.labels))));
            cells.push(Line::styled(
                sanitize(&v.mountpoint),
                Style::default().fg(theme.dim),
            ));
            cells.push(Line::raw(sanitize(
                v.created.get(..19).unwrap_or(&v.created),
            )));
        }
        cells
    };
    let style = |v: &DiskVolume, marked: bool| {
        let fg = if marked {
            theme.marked
        } else if v.ref_count == Some(0) {
            theme.dangling
        } else {
            theme.fg
        };
        Style::default().fg(fg)
    };
    let mut columns = vec![
        ("", Constraint::Length(1)),
        ("NAME", Constraint::Fill(2)),
        ("DRIVER", Constraint::Length(8)),
        ("        SIZE", Constraint::Length(12)),
        ("REFS", Constraint::Length(4)),
        ("USED BY", Constraint::Fill(1)),
    ];
    if wide {
        columns.push(("LABELS", Constraint::Fill(1)));
        columns.push(("MOUNTPOINT", Constraint::Fill(2)));
        columns.push(("CREATED", Constraint::Length(19)));
    }
    let empty = match (&pane.error, t.loaded) {
        (Some(e), _) => format!("Listing failed: {}", sanitize(e)),
        (None, false) => "Listing volumes…".into(),
        (None, true) => "No volumes. Create one with c.".into(),
    };
    let view = TableView {
        table: t,
        filter: &pane.filter,
        title,
        focused: focused(state, PaneId::Volumes),
        columns,
        cells: &cells,
        style: &style,
        empty: vec![Line::styled(empty, Style::default().fg(theme.dim))],
        strip: None,
    };
    table::draw(frame, area, &view, ctx)
}

/// The pane's dialog, over `area`.
pub fn draw_dialog(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    if let Some(d) = &state.panes.volumes.dialog {
        super::storage_dialogs::draw_volumes(frame, area, d, ctx);
    }
}

#[cfg(test)]
#[path = "storage_tests.rs"]
mod tests;
