//! The networks pane: one row per network with its driver, scope, subnets and containers.
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;

use crate::engine::networks::NetworkInfo;
use crate::state::{AppState, PaneId};
use crate::ui::widgets::table::{self, TableView};
use crate::ui::{Ctx, focused};
use crate::util::sanitize::sanitize;

/// The attached containers, stopped ones marked.
pub fn members_text(n: &NetworkInfo) -> String {
    n.containers
        .iter()
        .map(|m| {
            if m.active {
                m.name.clone()
            } else {
                format!("{} (stopped)", m.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Draws the pane; returns how many rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.networks;
    let t = &pane.table;
    let title = format!(
        " {} ({}) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Networks),
        t.view.len()
    );
    let cells = |n: &NetworkInfo, _marked: bool| {
        let mut name = sanitize(&n.name);
        if n.predefined {
            name.push_str(" (built-in)");
        }
        if n.internal {
            name.push_str(" (internal)");
        }
        vec![
            Line::raw(name),
            Line::raw(sanitize(&n.driver)),
            Line::raw(sanitize(&n.scope)),
            Line::raw(sanitize(&n.subnets.join(", "))),
            Line::raw(n.containers.len().to_string()).right_aligned(),
            Line::styled(
                sanitize(&members_text(n)),
                Style::default().fg(theme.in_use),
            ),
        ]
    };
    let style =
        |n: &NetworkInfo, _| Style::default().fg(if n.predefined { theme.dim } else { theme.fg });
    let columns = vec![
        ("NAME", Constraint::Fill(2)),
        ("DRIVER", Constraint::Length(8)),
        ("SCOPE", Constraint::Length(6)),
        ("SUBNET", Constraint::Length(18)),
        ("CONT", Constraint::Length(4)),
        ("CONTAINERS", Constraint::Fill(3)),
    ];
    let empty = match (&pane.error, t.loaded) {
        (Some(e), _) => format!("Listing failed: {}", sanitize(e)),
        (None, false) => "Listing networks…".into(),
        (None, true) => "No networks.".into(),
    };
    let view = TableView {
        table: t,
        filter: &pane.filter,
        title,
        focused: focused(state, PaneId::Networks),
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
    if let Some(d) = &state.panes.networks.dialog {
        super::storage_dialogs::draw_networks(frame, area, d, ctx);
    }
}
