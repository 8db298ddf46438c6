//! The disk pane: `docker system df -v` as a picture (a row and a bar per kind, the data root's
//! free space) and the build-cache records.
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::action::{Action, DiskAction, ListAction};
use crate::config::keymap::Context;
use crate::engine::buildcache::origin;
use crate::engine::disk_types::{BuildCacheRecord, DataRoot, DiskCategory, DiskUsage};
use crate::state::disk::{DiskPane, DiskRow, DiskView};
use crate::state::{AppState, PaneId};
use crate::ui::widgets::dialog::hint;
use crate::ui::widgets::table::{self, TableView};
use crate::ui::{Ctx, focused, header_style, pane_block, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, short_id};
use crate::util::time::ago;

/// Draws the pane; returns how many rows of the build-cache list fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    match state.panes.disk.view {
        DiskView::Summary => draw_summary(frame, area, state, ctx),
        DiskView::BuildCache => draw_cache(frame, area, state, ctx),
    }
}

/// The pane's dialog (build-cache prune, system prune), over `area`.
pub fn draw_dialog(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    if let Some(d) = &state.panes.disk.dialog {
        super::disk_dialogs::draw(frame, area, d, ctx);
    }
}

fn category(du: &DiskUsage, row: DiskRow) -> &DiskCategory {
    match row {
        DiskRow::Images => &du.images,
        DiskRow::Containers => &du.containers,
        DiskRow::Volumes => &du.volumes,
        DiskRow::BuildCache => &du.build_cache,
    }
}

/// The reclaimable column: bytes, share of the size, and "up to" for the CLI's estimates.
pub fn reclaimable_text(c: &DiskCategory) -> String {
    let Some(r) = c.reclaimable else {
        return "not reported".into();
    };
    let up_to = if c.reclaimable_exact { "" } else { "up to " };
    match c.size {
        Some(s) if s > 0 => format!("{up_to}{} ({}%)", bytes(r), r * 100 / s),
        _ => format!("{up_to}{}", bytes(r)),
    }
}

fn bar_spans(c: &DiskCategory, max: u64, width: usize, ctx: &Ctx<'_>) -> Vec<Span<'static>> {
    let theme = ctx.theme;
    let (Some(size), true) = (c.size, max > 0) else {
        return vec![Span::raw(" ".repeat(width))];
    };
    let cells = |n: u64| (u128::from(n) * width as u128 / u128::from(max)) as usize;
    let total = cells(size).max(usize::from(size > 0)).min(width);
    let free = cells(c.reclaimable.unwrap_or(0).min(size)).min(total);
    vec![
        Span::styled("█".repeat(total - free), Style::default().fg(theme.in_use)),
        Span::styled("█".repeat(free), Style::default().fg(theme.bar)),
        Span::raw(" ".repeat(width - total)),
    ]
}

fn summary_lines(
    du: &DiskUsage,
    pane: &DiskPane,
    width: usize,
    ctx: &Ctx<'_>,
) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let bar_w = width.saturating_sub(70).clamp(0, 40);
    let mut lines = vec![Line::styled(
        format!(
            "{:<14}{:>7}{:>8}  {:>12}  {:<22}{}",
            "TYPE",
            "TOTAL",
            "ACTIVE",
            "SIZE",
            "RECLAIMABLE",
            if bar_w > 0 { "USED / RECLAIMABLE" } else { "" }
        ),
        header_style(theme),
    )];
    let max = DiskRow::ALL
        .iter()
        .filter_map(|r| category(du, *r).size)
        .max()
        .unwrap_or(0);
    for (i, row) in DiskRow::ALL.iter().enumerate() {
        let c = category(du, *row);
        let size = c.size.map_or_else(|| "not reported".into(), bytes);
        let text = format!(
            "{:<14}{:>7}{:>8}  {:>12}  {:<22}",
            row.label(),
            c.total_count,
            c.active_count,
            size,
            reclaimable_text(c)
        );
        let mut spans = vec![Span::raw(text)];
        if bar_w > 0 {
            spans.extend(bar_spans(c, max, bar_w, ctx));
        }
        let mut line = Line::from(spans);
        if i == pane.row {
            line = line.style(selected_style(theme));
        }
        lines.push(line);
    }
    lines.push(Line::raw(""));
    lines.push(match &du.data_root {
        DataRoot::Reported {
            path,
            total,
            available,
        } => {
            let used = total.saturating_sub(*available);
            let pct = if *total > 0 { used * 100 / total } else { 0 };
            Line::raw(format!(
                "Data root {}: {} free of {} ({pct}% used)",
                sanitize(path),
                bytes(*available),
                bytes(*total)
            ))
        }
        DataRoot::NotReported(why) => Line::styled(
            format!("Data root free space: not reported ({})", sanitize(why)),
            Style::default().fg(theme.dim),
        ),
    });
    if du.images.reclaimable_exact || du.build_cache.reclaimable_exact {
        return lines;
    }
    lines.push(Line::styled(
        "\"up to\": the engine's estimate; a prune's preview gives the exact figure.",
        Style::default().fg(theme.dim),
    ));
    lines
}

fn draw_summary(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.disk;
    let mut title = format!(
        " {} · docker system df ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Disk)
    );
    if pane.loading {
        title.push_str("· measuring… ");
    }
    let block = pane_block(Line::raw(title), focused(state, PaneId::Disk), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = match &pane.usage {
        None => vec![Line::raw(
            "Measuring the engine's disk usage (docker system df -v)…",
        )],
        Some(Err(e)) => vec![Line::styled(
            format!("The engine did not say: {}", sanitize(e)),
            Style::default().fg(theme.error),
        )],
        Some(Ok(du)) => summary_lines(du, pane, usize::from(inner.width), ctx),
    };
    if let Some(last) = &pane.last {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Last: {}", sanitize(last)),
            Style::default().fg(theme.ok).add_modifier(Modifier::BOLD),
        ));
    }
    lines.push(Line::raw(""));
    let key = |a| {
        ctx.keymap
            .key_for(Context::Disk, a)
            .map_or("?".to_string(), |k| k.to_string())
    };
    let keys = [
        key(Action::List(ListAction::Details)),
        key(Action::Disk(DiskAction::BuildCache)),
        key(Action::List(ListAction::Prune)),
        key(Action::Disk(DiskAction::SystemPrune)),
    ];
    lines.push(hint(
        theme,
        &[
            (keys[0].as_str(), "show what is reclaimable"),
            (keys[1].as_str(), "build cache"),
            (keys[2].as_str(), "prune build cache"),
            (keys[3].as_str(), "system prune"),
        ],
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    0
}

/// What made a record, as the Dockerfile instruction where the description tells it.
pub fn made_by(r: &BuildCacheRecord) -> String {
    let o = origin(&r.description);
    o.instruction().unwrap_or_else(|| r.description.clone())
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>, now: i64) -> String {
    t.map_or_else(|| "never".into(), |t| ago(t.timestamp(), now))
}

fn cache_columns(wide: bool) -> Vec<(&'static str, Constraint)> {
    let mut columns = vec![
        ("ID", Constraint::Length(12)),
        ("TYPE", Constraint::Length(15)),
        ("      SIZE", Constraint::Length(10)),
        ("SHARED", Constraint::Length(6)),
        ("IN USE", Constraint::Length(6)),
    ];
    if wide {
        columns.push(("CREATED", Constraint::Length(15)));
    }
    columns.push(("LAST USED", Constraint::Length(15)));
    columns.push(("USES", Constraint::Length(4)));
    columns.push(("MADE BY", Constraint::Fill(1)));
    columns
}

fn draw_cache(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let pane = &state.panes.disk;
    let t = &pane.cache;
    let total: u64 = t.rows.iter().filter(|r| !r.shared).map(|r| r.size).sum();
    let title = format!(
        " {} · build cache ({} records · {} not shared with images) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Disk),
        t.view.len(),
        bytes(total)
    );
    let now = state.shared.now;
    let wide = area.width.saturating_sub(2) >= 110;
    let cells = |r: &BuildCacheRecord, _marked: bool| {
        let yes = |b: bool| if b { "yes" } else { "" };
        let mut cells = vec![
            Line::styled(short_id(&r.id).to_string(), Style::default().fg(theme.dim)),
            Line::raw(sanitize(&r.kind)),
            Line::raw(bytes(r.size)).right_aligned(),
            Line::raw(yes(r.shared)),
            Line::styled(yes(r.in_use), Style::default().fg(theme.in_use)),
        ];
        if wide {
            cells.push(Line::raw(when(r.created_at, now)));
        }
        cells.push(Line::raw(when(r.last_used_at, now)));
        cells.push(Line::raw(r.usage_count.to_string()).right_aligned());
        cells.push(Line::raw(sanitize(&made_by(r))));
        cells
    };
    let style = |r: &BuildCacheRecord, _| {
        Style::default().fg(if r.in_use { theme.in_use } else { theme.fg })
    };
    let columns = cache_columns(wide);
    let hint_line = |frame: &mut Frame<'_>, area: Rect| {
        let mut lines = Vec::new();
        if let Some(last) = &pane.last {
            lines.push(Line::styled(
                format!("Last: {}", sanitize(last)),
                Style::default().fg(theme.ok).add_modifier(Modifier::BOLD),
            ));
        }
        lines.push(hint(
            theme,
            &[
                ("p", "prune"),
                ("s", "sort"),
                ("/", "filter"),
                ("Esc", "summary"),
            ],
        ));
        frame.render_widget(Paragraph::new(lines), area);
    };
    let strip_h = 1 + u16::from(pane.last.is_some());
    let empty = if pane.usage.is_none() {
        "Measuring…"
    } else {
        "No build cache: nothing has been built with BuildKit on this engine."
    };
    let view = TableView {
        table: t,
        filter: &pane.filter,
        title,
        focused: focused(state, PaneId::Disk),
        columns,
        cells: &cells,
        style: &style,
        empty: vec![Line::styled(empty, Style::default().fg(theme.dim))],
        strip: Some((strip_h, &hint_line as &dyn Fn(&mut Frame<'_>, Rect))),
    };
    table::draw(frame, area, &view, ctx)
}

#[cfg(test)]
#[path = "disk_tests.rs"]
pub(crate) mod tests;
