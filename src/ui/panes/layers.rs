//! The layers pane: the selected image's history with sizes and bars.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use crate::state::layers::clean_instruction;
use crate::state::widgets::scroll::follow;
use crate::state::{AppState, PaneId};
use crate::ui::widgets::bar::bar;
use crate::ui::{Ctx, focused, pane_block, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, count, ellipsize};

const BAR_WIDTH: usize = 10;

/// A step's details or the image config, when open.
pub fn draw_dialog(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    if let Some(view) = &state.panes.layers.dialog {
        crate::ui::widgets::dialog::draw_text(frame, area, view, ctx);
    }
}

/// Draws the pane; returns how many table rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let layers = &state.panes.layers;
    let name = state
        .panes
        .images
        .table
        .selected()
        .map(|r| r.label())
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::raw(format!(
            " {} ",
            crate::ui::widgets::tabs::pane_label(ctx, PaneId::Layers)
        )),
        Span::styled(
            format!("{} ", ellipsize(&name, 40)),
            Style::default().fg(theme.dim),
        ),
    ]);
    let block = pane_block(title, focused(state, PaneId::Layers), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let Some(details) = &layers.details else {
        let text = match (&layers.error, &layers.image_id) {
            (Some(e), _) => Line::styled(
                format!("Could not load layers: {}", sanitize(e)),
                Style::default().fg(theme.error),
            ),
            (None, Some(_)) => Line::raw("Loading layers…"),
            (None, None) => Line::styled("No image selected.", Style::default().fg(theme.dim)),
        };
        frame.render_widget(Paragraph::new(text), inner);
        return inner.height as usize;
    };

    let ed = &state.panes.editor.build;
    let timing = match (ed.image.as_deref(), layers.image_id.as_deref()) {
        (Some(built), Some(shown)) if built == shown => super::editor_build::timing_line(ed),
        _ => None,
    };
    let width = inner.width.max(1) as usize;
    let footer_h = 1 + timing
        .as_ref()
        .map_or(0, |t| t.chars().count().div_ceil(width).min(3) as u16);
    let [table_area, footer] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(footer_h)]).areas(inner);
    let entries = &details.history;
    let max = layers.max_size();
    let height = table_area.height.saturating_sub(1) as usize;
    let offset = follow(
        layers.view.offset,
        layers.view.cursor,
        height,
        layers.entries().len(),
    );
    let instr_width = table_area
        .width
        .saturating_sub(3 + 10 + BAR_WIDTH as u16 + 3) as usize;
    let numbers = layers.numbers();
    let rows = entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, h)| {
            let number = numbers.as_ref().map(|n| n.get(i).copied().flatten());
            let empty = h.size == 0;
            let mut style = if empty {
                Style::default().fg(theme.dim)
            } else {
                Style::default().fg(theme.fg)
            };
            if i == layers.view.cursor && focused(state, PaneId::Layers) {
                style = selected_style(theme);
            } else if i == layers.view.cursor {
                // Unfocused: the row stands out in the focus colour, without an underline
                // running through the size bar.
                style = Style::default()
                    .fg(theme.border_focused)
                    .add_modifier(Modifier::BOLD);
            }
            let instruction = ellipsize(&sanitize(&clean_instruction(&h.created_by)), instr_width);
            let instruction = super::editor::with_line(state, &h.id, instruction);
            // The layer number the explorer and `dockhand analyze` use; `·` marks a
            // metadata-only step (no layer).
            let number = match number {
                Some(Some(n)) => format!("{n:>3}"),
                Some(None) => "  ·".to_string(),
                None => format!("{:>3}", format!("s{}", i + 1)),
            };
            Row::new(vec![
                Line::raw(number),
                Line::raw(bytes(h.size)).right_aligned(),
                Line::styled(bar(h.size, max, BAR_WIDTH), Style::default().fg(theme.bar)),
                Line::raw(instruction),
            ])
            .style(style)
        });
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Length(10),
            Constraint::Length(BAR_WIDTH as u16),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(vec!["  #", "      SIZE", "", "CREATED BY"]).style(
            Style::default()
                .fg(theme.header)
                .add_modifier(Modifier::BOLD),
        ),
    )
    .column_spacing(1);
    frame.render_widget(table, table_area);

    let steps = match &numbers {
        Some(n) => format!(
            "{}, {} metadata-only (·)",
            count(details.layers.len(), "layer"),
            count(n.iter().filter(|n| n.is_none()).count(), "step")
        ),
        None => format!(
            "{}, {} (which step made which is unknown)",
            count(entries.len(), "step"),
            count(details.layers.len(), "layer")
        ),
    };
    let summary = format!("{steps} · {} · {}", bytes(details.size), details.platform);
    let [footer, timing_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(footer);
    frame.render_widget(
        Paragraph::new(Line::styled(summary, Style::default().fg(theme.dim))),
        footer,
    );
    if let Some(t) = timing {
        frame.render_widget(
            Paragraph::new(Line::styled(t, Style::default().fg(theme.dim)))
                .wrap(ratatui::widgets::Wrap { trim: false }),
            timing_area,
        );
    }
    height
}
