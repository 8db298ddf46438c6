//! The images pane: one row per tag with ID, age, size and marks.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use crate::action::Action;
use crate::config::keymap::Context;
use crate::engine::Connection;
use crate::state::images::visible_offset;
use crate::state::{AppState, Pane};
use crate::ui::{Ctx, focused, pane_block, selected_style};
use crate::util::text::{bytes, ellipsize, short_id};
use crate::util::time::ago;

/// Draws the pane; returns how many table rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let imgs = &state.images;
    let arrow = if imgs.reverse { "↑" } else { "↓" };
    let mut title = vec![Span::raw(format!(
        " {} ({}) ",
        crate::ui::widgets::tabs::pane_label(ctx, crate::state::Pane::Images),
        imgs.view.len()
    ))];
    if imgs.view.len() != imgs.rows.len() {
        title.push(Span::raw(format!("of {} ", imgs.rows.len())));
    }
    title.push(Span::styled(
        format!("· {} {arrow} ", imgs.sort.label()),
        Style::default().fg(theme.dim),
    ));
    if !imgs.marked.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", imgs.marked.len()),
            Style::default().fg(theme.marked),
        ));
    }
    let block = pane_block(Line::from(title), focused(state, Pane::Images), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let filter_line = state.filter_input.is_some() || !imgs.filter.is_empty();
    let [table_area, filter_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(filter_line)),
    ])
    .areas(inner);
    if filter_line {
        let (text, editing) = match &state.filter_input {
            Some(input) => (input.text.as_str(), true),
            None => (imgs.filter.as_str(), false),
        };
        let hint = if editing {
            "█  Enter keep · Esc clear"
        } else {
            ""
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("/", Style::default().fg(theme.key)),
                Span::raw(crate::util::sanitize::sanitize(text)),
                Span::styled(hint, Style::default().fg(theme.dim)),
            ])),
            filter_area,
        );
    }

    if imgs.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_text(state, ctx)).wrap(ratatui::widgets::Wrap { trim: false }),
            table_area,
        );
        return table_area.height.saturating_sub(1) as usize;
    }

    let height = table_area.height.saturating_sub(1) as usize;
    let offset = visible_offset(imgs.offset, imgs.cursor, height);
    let wide = table_area.width >= 70;
    let rows = imgs
        .view
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let r = &imgs.rows[i];
            let key = r.key();
            let marked = imgs.marked.contains(&key);
            let mark = if marked { "✓" } else { " " };
            let (flag, flag_style) = if !r.used_by.is_empty() {
                ("●", Style::default().fg(theme.in_use))
            } else if r.dangling() {
                ("◌", Style::default().fg(theme.dangling))
            } else {
                (" ", Style::default())
            };
            let mut style = if r.dangling() {
                Style::default().fg(theme.dangling)
            } else {
                Style::default().fg(theme.fg)
            };
            if marked {
                style = style.fg(theme.marked);
            }
            if pos == imgs.cursor {
                style = selected_style(theme);
            }
            let id = if r.tag_count > 1 {
                format!("{}⁺", short_id(&r.id))
            } else {
                short_id(&r.id).to_string()
            };
            let mut cells = vec![
                Line::from(vec![
                    Span::styled(mark, Style::default().fg(theme.marked)),
                    Span::styled(flag, flag_style),
                ]),
                Line::raw(r.repo.clone()),
                Line::raw(r.tag.clone()),
                Line::styled(id, Style::default().fg(theme.dim)),
            ];
            if wide {
                cells.push(Line::raw(ago(r.created, state.now)));
            }
            cells.push(Line::raw(bytes(r.size)).right_aligned());
            Row::new(cells).style(style)
        });
    let mut widths = vec![
        Constraint::Length(2),
        Constraint::Fill(3),
        Constraint::Fill(1),
        Constraint::Length(13),
    ];
    let mut header = vec!["", "REPOSITORY", "TAG", "IMAGE ID"];
    if wide {
        widths.push(Constraint::Length(15));
        header.push("CREATED");
    }
    widths.push(Constraint::Length(10));
    header.push("      SIZE");
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(crate::ui::header_style(theme)))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    height
}

fn empty_text(state: &AppState, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    match &state.connection {
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
                .key_for(Context::Images, Action::Refresh)
                .map_or(String::new(), |k| format!(" (or press {k} to retry now)"));
            lines.push(Line::raw(format!(
                "Retrying in {}s{key}. Start Docker or Podman, or point DOCKER_HOST / --host at one.",
                retry_in.as_secs()
            )));
            lines
        }
        Connection::Connected(_) if !state.images.loaded => vec![Line::raw("Listing images…")],
        Connection::Connected(_) => vec![
            Line::raw("No images on this engine yet."),
            Line::styled(
                "Build one, or pull one (docker pull busybox).",
                Style::default().fg(theme.dim),
            ),
        ],
    }
}
