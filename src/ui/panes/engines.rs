//! The engines pane: every engine as `docker context ls` lists it (the context in use marked
//! `*`), the one shown marked `▶`, and each one's state.
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::engine::set::EngineState;
use crate::state::engines::{EngineRow, RowState};
use crate::state::{AppState, PaneId};
use crate::ui::widgets::table::{self, TableView};
use crate::ui::{Ctx, focused};
use crate::util::sanitize::sanitize;
use crate::util::text::ellipsize;

/// What a row's state says, and how it looks (a failure on the row's own endpoint does not
/// repeat it).
pub fn state_text(row: &EngineRow) -> (&'static str, String) {
    match &row.state {
        RowState::Unusable(why) => ("✗", format!("unusable: {}", sanitize(why))),
        RowState::Engine(EngineState::Connecting) => ("◌", "connecting…".into()),
        RowState::Engine(EngineState::Failed { error, retry_in }) => {
            let own = format!("{}: ", row.endpoint);
            let why = error.strip_prefix(&own).unwrap_or(error);
            (
                "✗",
                format!(
                    "{} · retrying, backoff {}s",
                    ellipsize(&sanitize(why), 300),
                    retry_in.as_secs()
                ),
            )
        }
        RowState::Engine(EngineState::Connected {
            info,
            images,
            containers,
        }) => {
            let count = |n: &Option<usize>, what: &str| match n {
                Some(n) => format!(" · {n} {what}"),
                None => String::new(),
            };
            (
                "●",
                format!(
                    "{} {} (API {}){}{}",
                    sanitize(&info.name),
                    sanitize(&info.version),
                    sanitize(&info.api_version),
                    count(images, "images"),
                    count(containers, "containers")
                ),
            )
        }
    }
}

/// Draws the pane; returns how many rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.engines;
    let active = state.shared.active_engine;
    let title = format!(
        " {} ({}) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Engines),
        pane.table.view.len()
    );
    let wide = area.width.saturating_sub(2) >= 110;
    let cells = |r: &EngineRow, _marked: bool| {
        let (icon, text) = state_text(r);
        let icon_style = match icon {
            "●" => Style::default().fg(theme.ok),
            "◌" => Style::default().fg(theme.warning),
            _ => Style::default().fg(theme.error),
        };
        let shown = r.id.is_some() && r.id == active;
        let mut name = sanitize(&r.name);
        if r.current {
            name.push_str(" *");
        }
        let mut cells = vec![
            Line::styled(
                if shown { "▶" } else { " " },
                Style::default().fg(theme.key).add_modifier(Modifier::BOLD),
            ),
            Line::raw(name),
        ];
        if wide {
            cells.push(Line::styled(
                sanitize(&r.description),
                Style::default().fg(theme.dim),
            ));
        }
        cells.push(Line::raw(sanitize(&r.endpoint)));
        cells.push(Line::from(vec![
            Span::styled(format!("{icon} "), icon_style),
            Span::raw(text),
        ]));
        cells
    };
    let style = |r: &EngineRow, _marked: bool| {
        if r.id.is_some() && r.id == active {
            Style::default().fg(theme.fg).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(theme.fg)
        }
    };
    // The selected engine's state in full (a long reason does not fit its cell).
    let strip = |frame: &mut Frame<'_>, area: Rect| {
        let Some(row) = pane.table.selected() else {
            return;
        };
        let (icon, text) = state_text(row);
        let line = Line::from(vec![
            Span::styled(
                format!("{}: ", sanitize(&row.name)),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!("{icon} {text}")),
        ]);
        frame.render_widget(
            Paragraph::new(line)
                .wrap(Wrap { trim: true })
                .style(Style::default().fg(theme.dim)),
            area,
        );
    };
    let mut columns = vec![("", Constraint::Length(1)), ("NAME", Constraint::Fill(1))];
    if wide {
        columns.push(("DESCRIPTION", Constraint::Fill(1)));
    }
    columns.push(("DOCKER ENDPOINT", Constraint::Fill(2)));
    columns.push(("STATE", Constraint::Fill(3)));
    let view = TableView {
        table: &pane.table,
        filter: &pane.filter,
        title,
        focused: focused(state, PaneId::Engines),
        columns,
        cells: &cells,
        style: &style,
        empty: vec![Line::raw(
            "No engine: dockhand starts its engines with the app.",
        )],
        strip: Some((3, &strip)),
    };
    table::draw(frame, area, &view, ctx)
}

/// The pane has no dialog.
pub fn draw_dialog(_frame: &mut Frame<'_>, _area: Rect, _state: &AppState, _ctx: &Ctx<'_>) {}

#[cfg(test)]
#[path = "engines_tests.rs"]
mod tests;
