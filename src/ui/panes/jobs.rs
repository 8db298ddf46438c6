//! The jobs pane: every job of the session, and the selected job's layers, bytes and output.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use crate::state::jobs::{Job, JobStatus};
use crate::state::{AppState, PaneId};
use crate::ui::widgets::bar::bar;
use crate::ui::{Ctx, focused, pane_block, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize};

fn status_span<'a>(job: &Job, ctx: &Ctx<'_>) -> Span<'a> {
    let t = ctx.theme;
    match &job.status {
        JobStatus::Running => Span::styled("⟳ running", Style::default().fg(t.warning)),
        JobStatus::Done => Span::styled("✓ done", Style::default().fg(t.ok)),
        JobStatus::Failed(_) => Span::styled("✗ failed", Style::default().fg(t.error)),
        JobStatus::Cancelled => Span::styled("⊘ cancelled", Style::default().fg(t.dim)),
    }
}

/// Throughput (bytes/s) and seconds left, from overall bytes and elapsed time.
pub fn rate_eta(done: u64, total: u64, elapsed_secs: i64) -> Option<(u64, Option<u64>)> {
    let elapsed = u64::try_from(elapsed_secs).ok().filter(|e| *e > 0)?;
    let rate = done / elapsed;
    let eta = (rate > 0 && total > done).then(|| (total - done) / rate);
    Some((rate, eta))
}

/// Draws the pane.
/// Draws the pane; returns the rows of text it has.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    draw_body(frame, area, state, ctx);
    area.height.saturating_sub(2) as usize
}

/// The selected job's output, when open.
pub fn draw_dialog(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    if let Some(view) = &state.panes.jobs.dialog {
        crate::ui::widgets::dialog::draw_text(frame, area, view, ctx);
    }
}

fn draw_body(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let jobs = &state.panes.jobs.jobs;
    let title = Line::raw(format!(
        " {} ({} running, {} in all) ",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Jobs),
        jobs.running().count(),
        jobs.list.len()
    ));
    let block = pane_block(title, focused(state, PaneId::Jobs), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if jobs.list.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "No jobs yet. Tag, remove, prune, pull, push and builds show up here with their progress.",
                Style::default().fg(theme.dim),
            )),
            inner,
        );
        return;
    }
    let list_height = (jobs.list.len() as u16 + 1).min(inner.height / 3).max(2);
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(1)]).areas(inner);
    let visible = list_height.saturating_sub(1) as usize;
    let offset = jobs.cursor.saturating_sub(visible.saturating_sub(1));
    let rows = jobs
        .list
        .iter()
        .rev()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, job)| {
            let ended = job.ended.unwrap_or(state.shared.now);
            let mut row = Row::new(vec![
                Line::raw(format!("#{}", job.id)),
                Line::from(status_span(job, ctx)),
                Line::raw(format!("{}s", (ended - job.started).max(0))),
                Line::raw(sanitize(&job.what())),
            ]);
            if i == jobs.cursor {
                row = row.style(selected_style(theme));
            }
            row
        });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(5),
                Constraint::Length(12),
                Constraint::Length(7),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new(vec!["ID", "STATUS", "TIME", "WHAT"]).style(
                Style::default()
                    .fg(theme.header)
                    .add_modifier(Modifier::BOLD),
            ),
        ),
        list_area,
    );
    if let Some(job) = jobs.selected() {
        draw_detail(frame, detail_area, job, state, ctx);
    }
}

fn draw_detail(frame: &mut Frame<'_>, area: Rect, job: &Job, state: &AppState, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let mut lines = Vec::new();
    if let JobStatus::Failed(e) = &job.status {
        lines.push(Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        ));
    }
    let (mut done, mut total) = job.bytes;
    if total == 0 && !job.layers.is_empty() {
        done = job.layers.iter().map(|l| l.current.min(l.total)).sum();
        total = job.layers.iter().map(|l| l.total).sum();
    }
    let bar_width = usize::from(area.width.saturating_sub(50)).clamp(10, 40);
    if total > 0 {
        let mut overall = format!(
            "overall {} {:>10} / {:<10}",
            bar(done, total, bar_width),
            bytes(done),
            bytes(total)
        );
        let ended = job.ended.unwrap_or(state.shared.now);
        if let Some((rate, eta)) = rate_eta(done, total, ended - job.started) {
            overall.push_str(&format!("  {}/s", bytes(rate)));
            if let (Some(eta), None) = (eta, job.ended) {
                overall.push_str(&format!("  ETA {eta}s"));
            }
        }
        lines.push(Line::styled(
            overall,
            Style::default().add_modifier(Modifier::BOLD),
        ));
    }
    for l in &job.layers {
        let b = if l.total > 0 {
            bar(l.current, l.total, bar_width)
        } else {
            " ".repeat(bar_width)
        };
        let amount = if l.total > 0 {
            format!("{} / {}", bytes(l.current), bytes(l.total))
        } else {
            String::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<12} ", ellipsize(&sanitize(&l.id), 12)),
                Style::default().fg(theme.dim),
            ),
            Span::raw(format!("{:<18} ", ellipsize(&sanitize(&l.phase), 18))),
            Span::styled(b, Style::default().fg(theme.bar)),
            Span::raw(format!(" {amount}")),
        ]));
    }
    let room = usize::from(area.height).saturating_sub(lines.len());
    let skip = job.log.len().saturating_sub(room);
    lines.extend(job.log.iter().skip(skip).map(|l| Line::raw(sanitize(l))));
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::rate_eta;

    #[test]
    fn throughput_and_eta() {
        assert_eq!(rate_eta(100, 300, 10), Some((10, Some(20))));
        assert_eq!(rate_eta(100, 100, 10), Some((10, None)));
        assert_eq!(rate_eta(100, 300, 0), None);
    }
}
