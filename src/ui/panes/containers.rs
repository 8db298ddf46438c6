//! The containers pane: table (name, image, command, state, status, ports, created), the stats
//! strip of the selected running container, and the logs view / dialogs it opens.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};

use crate::engine::ContainerInfo;
use crate::state::container_stats::StatsHistory;
use crate::state::containers::state_label;
use crate::state::{AppState, Pane};
use crate::ui::{Ctx, focused, pane_block, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize};
use crate::util::time::ago;

/// The ports column: published ports first, then exposed-only ones.
pub fn ports_text(c: &ContainerInfo) -> String {
    let mut parts: Vec<String> = c
        .ports
        .iter()
        .filter(|p| p.host_port.is_some())
        .map(ToString::to_string)
        .collect();
    parts.extend(
        c.ports
            .iter()
            .filter(|p| p.host_port.is_none())
            .map(ToString::to_string),
    );
    parts.join(", ")
}

fn state_style(c: &ContainerInfo, ctx: &Ctx<'_>) -> Style {
    let t = ctx.theme;
    match c.state.as_str() {
        "running" => Style::default().fg(t.ok),
        "paused" | "restarting" => Style::default().fg(t.warning),
        "exited" if c.exit_code.is_some_and(|c| c != 0) => Style::default().fg(t.error),
        "dead" => Style::default().fg(t.error),
        _ => Style::default().fg(t.dim),
    }
}

/// Draws the pane; returns how many table rows (or log lines) fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let pane = &state.container_pane;
    let shown = if let Some(logs) = &pane.logs {
        super::container_logs::draw(frame, area, logs, ctx)
    } else {
        draw_table(frame, area, state, ctx)
    };
    if let Some(d) = &pane.dialog {
        super::container_dialogs::draw(frame, area, d, state, ctx);
    }
    shown
}

fn draw_table(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.container_pane;
    let running = pane.rows.iter().filter(|c| c.state == "running").count();
    let arrow = if pane.reverse { "↑" } else { "↓" };
    let mut title = vec![Span::raw(format!(
        " {} ({} · {running} running) ",
        crate::ui::widgets::tabs::pane_label(ctx, crate::state::Pane::Containers),
        pane.view.len()
    ))];
    title.push(Span::styled(
        format!("· {} {arrow} ", pane.sort.label()),
        Style::default().fg(theme.dim),
    ));
    if !pane.marked.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", pane.marked.len()),
            Style::default().fg(theme.marked),
        ));
    }
    let block = pane_block(
        Line::from(title),
        focused(state, Pane::Containers) && pane.dialog.is_none(),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let stats = pane
        .selected()
        .and_then(|c| pane.stats.get(&c.id).map(|s| (c, s)));
    let filter_line = pane.filter_input.is_some() || !pane.filter.is_empty();
    let stats_h = if stats.is_some() && inner.height >= 12 {
        4
    } else {
        0
    };
    let [table_area, stats_area, filter_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(stats_h),
        Constraint::Length(u16::from(filter_line)),
    ])
    .areas(inner);
    if filter_line {
        let (text, hint) = match &pane.filter_input {
            Some(input) => (input.text.as_str(), "█  Enter keep · Esc clear"),
            None => (pane.filter.as_str(), ""),
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("/", Style::default().fg(theme.key)),
                Span::raw(sanitize(text)),
                Span::styled(hint, Style::default().fg(theme.dim)),
            ])),
            filter_area,
        );
    }
    if let Some((c, s)) = stats
        && stats_h > 0
    {
        draw_stats(frame, stats_area, c, s, ctx);
    }
    let height = table_area.height.saturating_sub(1) as usize;
    if pane.rows.is_empty() {
        let text = if pane.loaded {
            "No containers. Run one from the images pane (select an image, press r)."
        } else {
            "Listing containers…"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, Style::default().fg(theme.dim))),
            table_area,
        );
        return height;
    }
    let offset = crate::state::images::visible_offset(pane.offset, pane.cursor, height);
    let wide = table_area.width >= 100;
    let rows = pane
        .view
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let c = &pane.rows[i];
            let marked = pane.marked.contains(&c.id);
            let mut style = Style::default().fg(if marked { theme.marked } else { theme.fg });
            if pos == pane.cursor {
                style = selected_style(theme);
            }
            let cpu = pane
                .stats
                .get(&c.id)
                .map(|s| format!("{:.1}%", s.last.cpu_percent))
                .unwrap_or_default();
            let mut cells = vec![
                Line::styled(
                    if marked { "✓" } else { " " },
                    Style::default().fg(theme.marked),
                ),
                Line::raw(sanitize(&c.name)),
                Line::raw(sanitize(&c.image)),
                Line::styled(state_label(c), state_style(c, ctx)),
                Line::raw(sanitize(&c.status)),
            ];
            if wide {
                cells.insert(
                    3,
                    Line::styled(sanitize(&c.command), Style::default().fg(theme.dim)),
                );
                cells.push(Line::raw(sanitize(&ports_text(c))));
                cells.push(Line::raw(ago(c.created, state.now)));
            }
            cells.push(Line::raw(cpu).right_aligned());
            Row::new(cells).style(style)
        });
    let mut header = vec!["", "NAME", "IMAGE", "STATE", "STATUS"];
    let mut widths = if wide {
        // Names, images, status and ports as wide as the longest shown (capped); the command
        // takes the rest.
        let fit = |f: &dyn Fn(&ContainerInfo) -> usize, head: usize| {
            let longest = pane.view.iter().map(|&i| f(&pane.rows[i])).max();
            Constraint::Length(longest.unwrap_or(0).clamp(head, 40) as u16)
        };
        header.insert(3, "COMMAND");
        header.push("PORTS");
        header.push("CREATED");
        vec![
            Constraint::Length(1),
            fit(&|c| c.name.chars().count(), 4),
            fit(&|c| c.image.chars().count(), 5),
            Constraint::Fill(1),
            Constraint::Length(12),
            fit(&|c| c.status.chars().count().min(28), 6),
            fit(&|c| ports_text(c).chars().count(), 5),
            Constraint::Length(14),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Length(12),
            Constraint::Fill(2),
        ]
    };
    widths.push(Constraint::Length(7));
    header.push("   CPU");
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(crate::ui::header_style(theme)))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    height
}

fn draw_stats(
    frame: &mut Frame<'_>,
    area: Rect,
    c: &ContainerInfo,
    s: &StatsHistory,
    ctx: &Ctx<'_>,
) {
    let theme = ctx.theme;
    let cols = Layout::horizontal([Constraint::Ratio(1, 4); 4]).split(area);
    let last = &s.last;
    let cells: [(String, &std::collections::VecDeque<u64>); 4] = [
        (format!("CPU {:.1}%", last.cpu_percent), &s.cpu),
        (
            format!(
                "MEM {} / {} ({:.0}%)",
                bytes(last.mem_used),
                bytes(last.mem_limit),
                s.mem_percent()
            ),
            &s.mem,
        ),
        (
            format!("NET ↓{} ↑{}", bytes(last.net_rx), bytes(last.net_tx)),
            &s.net,
        ),
        (
            format!("BLK r{} w{}", bytes(last.blk_read), bytes(last.blk_write)),
            &s.blk,
        ),
    ];
    for (i, (label, data)) in cells.iter().enumerate() {
        let [head, spark] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(cols[i]);
        let label = if i == 0 {
            format!("{} · {label}", ellipsize(&sanitize(&c.name), 16))
        } else {
            label.clone()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                ellipsize(&label, head.width as usize),
                Style::default().fg(theme.header),
            )),
            head,
        );
        let width = spark.width as usize;
        let data: Vec<u64> = data.iter().rev().take(width).rev().copied().collect();
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .style(Style::default().fg(theme.bar)),
            spark,
        );
    }
}

#[cfg(test)]
#[path = "containers_tests.rs"]
mod tests;
