//! The containers pane: table (name, image, command, state, status, ports, created), the stats
//! strip of the selected running container, and the logs view / dialogs it opens.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Sparkline};

use crate::engine::{ContainerInfo, ContainerState};
use crate::state::containers::stats::StatsHistory;
use crate::state::containers::{ContainersPane, state_label};
use crate::state::{AppState, PaneId};
use crate::ui::widgets::table::{self, TableView};
use crate::ui::{Ctx, focused};
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

/// The IMAGE column: the reference the container was made from, or the short image ID when
/// that is all the engine has (an untagged or deleted image lists as `sha256:…`).
pub fn image_label(c: &ContainerInfo) -> String {
    let hex = c.image.strip_prefix("sha256:").unwrap_or(&c.image);
    if hex.len() == 64 && hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
        crate::util::text::short_id(hex).to_string()
    } else {
        c.image.clone()
    }
}

fn state_style(c: &ContainerInfo, ctx: &Ctx<'_>) -> Style {
    let t = ctx.theme;
    match c.state {
        ContainerState::Running => Style::default().fg(t.ok),
        ContainerState::Paused | ContainerState::Restarting => Style::default().fg(t.warning),
        ContainerState::Exited if c.exit_code.is_some_and(|c| c != 0) => {
            Style::default().fg(t.error)
        }
        ContainerState::Dead => Style::default().fg(t.error),
        _ => Style::default().fg(t.dim),
    }
}

/// Draws the pane; returns how many table rows (or log lines) fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let pane = &state.panes.containers;
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

/// The pane draws its dialogs itself (they open only while it has the focus).
pub fn draw_dialog(_frame: &mut Frame<'_>, _area: Rect, _state: &AppState, _ctx: &Ctx<'_>) {}

/// The STATUS column of the wide table: "Exited (137) 59 minutes ago" and "Up 59 minutes
/// (healthy)" fit.
const STATUS_WIDTH: u16 = 28;

fn columns(pane: &ContainersPane, wide: bool) -> Vec<(&'static str, Constraint)> {
    let mut columns = if wide {
        // Names, images, status and ports as wide as the longest shown (capped); the command
        // takes the rest.
        let fit = |f: &dyn Fn(&ContainerInfo) -> usize, head: usize| {
            let longest = pane.table.visible().map(f).max();
            Constraint::Length(longest.unwrap_or(0).clamp(head, 40) as u16)
        };
        vec![
            ("", Constraint::Length(1)),
            ("NAME", fit(&|c| c.name.chars().count(), 4)),
            ("IMAGE", fit(&|c| image_label(c).chars().count(), 5)),
            ("COMMAND", Constraint::Fill(1)),
            ("STATE", Constraint::Length(12)),
            // Fixed: a status changing with the clock or the state must not reflow the table.
            ("STATUS", Constraint::Length(STATUS_WIDTH)),
            ("PORTS", fit(&|c| ports_text(c).chars().count(), 5)),
            ("CREATED", Constraint::Length(14)),
        ]
    } else {
        vec![
            ("", Constraint::Length(1)),
            ("NAME", Constraint::Fill(2)),
            ("IMAGE", Constraint::Fill(2)),
            ("STATE", Constraint::Length(12)),
            ("STATUS", Constraint::Fill(2)),
        ]
    };
    columns.push(("   CPU", Constraint::Length(7)));
    columns
}

fn draw_table(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.containers;
    let t = &pane.table;
    let running = t
        .rows
        .iter()
        .filter(|c| c.state == ContainerState::Running)
        .count();
    let title = format!(
        " {} ({} · {running} running) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Containers),
        t.view.len()
    );
    let stats = pane
        .selected()
        .and_then(|c| pane.stats.get(&c.id).map(|s| (c, s)));
    let stats_h = if stats.is_some() && area.height.saturating_sub(2) >= 12 {
        4
    } else {
        0
    };
    let wide = area.width.saturating_sub(2) >= 100;
    let now = state.shared.now;
    let cells = |c: &ContainerInfo, marked: bool| {
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
            Line::raw(sanitize(&image_label(c))),
            Line::styled(state_label(c), state_style(c, ctx)),
            Line::raw(sanitize(&pane.status_of(c, now))),
        ];
        if wide {
            cells.insert(
                3,
                Line::styled(sanitize(&c.command), Style::default().fg(theme.dim)),
            );
            cells.push(Line::raw(sanitize(&ports_text(c))));
            cells.push(Line::raw(ago(c.created, now)));
        }
        cells.push(Line::raw(cpu).right_aligned());
        cells
    };
    let style = |_: &ContainerInfo, marked: bool| {
        Style::default().fg(if marked { theme.marked } else { theme.fg })
    };
    let strip = |frame: &mut Frame<'_>, area: Rect| {
        if let Some((c, s)) = stats {
            draw_stats(frame, area, c, s, ctx);
        }
    };
    let empty = if t.loaded {
        "No containers. Run one from the images pane (select an image, press r)."
    } else {
        "Listing containers…"
    };
    let view = TableView {
        table: t,
        filter: &pane.filter,
        title,
        focused: focused(state, PaneId::Containers) && pane.dialog.is_none(),
        columns: columns(pane, wide),
        cells: &cells,
        style: &style,
        empty: vec![Line::styled(empty, Style::default().fg(theme.dim))],
        strip: (stats_h > 0).then_some((stats_h, &strip as &dyn Fn(&mut Frame<'_>, Rect))),
    };
    table::draw(frame, area, &view, ctx)
}

fn draw_stats(
    frame: &mut Frame<'_>,
    area: Rect,
    c: &ContainerInfo,
    s: &StatsHistory,
    ctx: &Ctx<'_>,
) {
    let theme = ctx.theme;
    // One column apart, so "CPU 0.0%" and "MEM …" never run together.
    let cols = Layout::horizontal([Constraint::Ratio(1, 4); 4])
        .spacing(1)
        .split(area);
    let scales = s.scales();
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
                .max(scales[i])
                .style(Style::default().fg(theme.bar)),
            spark,
        );
    }
}

#[cfg(test)]
#[path = "containers_tests.rs"]
mod tests;
