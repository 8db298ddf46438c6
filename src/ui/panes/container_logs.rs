//! The logs view: sanitised lines with optional timestamps, search highlight, wrap, follow.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::state::containers::logs::LogsView;
use crate::ui::widgets::dialog::hint;
use crate::ui::{Ctx, pane_block};
use crate::util::sanitize::sanitize;

fn highlighted<'a>(text: &'a str, query: &str, style: Style, hit: Style) -> Vec<Span<'a>> {
    if query.is_empty() {
        return vec![Span::styled(text, style)];
    }
    let lower = text.to_lowercase();
    let q = query.to_lowercase();
    // Lowercasing can change byte lengths; only highlight when it did not.
    if lower.len() != text.len() {
        return vec![Span::styled(text, style)];
    }
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&q) {
        let start = at + i;
        let end = start + q.len();
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            break;
        }
        spans.push(Span::styled(&text[at..start], style));
        spans.push(Span::styled(&text[start..end], hit));
        at = end;
    }
    spans.push(Span::styled(&text[at..], style));
    spans
}

/// Draws the view; returns how many lines fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, v: &LogsView, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let mode = if v.follow { "following" } else { "paused" };
    let title = Line::raw(format!(
        " Logs · {} · {} lines{} · {mode}{} ",
        sanitize(&v.name),
        v.lines.len(),
        if v.dropped > 0 {
            format!(" (+{} dropped)", v.dropped)
        } else {
            String::new()
        },
        if v.wrap { " · wrap" } else { "" },
    ));
    let block = pane_block(title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let height = body.height as usize;
    let first = v.first_visible();
    let hit = Style::default()
        .fg(theme.selected_fg)
        .bg(theme.warning)
        .add_modifier(Modifier::BOLD);
    let lines: Vec<Line<'_>> = v
        .lines
        .iter()
        .skip(first)
        .take(height)
        .map(|l| {
            let style = if l.stderr {
                Style::default().fg(theme.error)
            } else {
                Style::default().fg(theme.fg)
            };
            let mut spans = Vec::new();
            if v.timestamps && !l.time.is_empty() {
                spans.push(Span::styled(
                    format!("{} ", l.time),
                    Style::default().fg(theme.dim),
                ));
            }
            spans.extend(highlighted(&l.text, &v.query, style, hit));
            Line::from(spans)
        })
        .collect();
    let mut para = Paragraph::new(lines);
    if v.wrap {
        para = para.wrap(Wrap { trim: false });
    }
    frame.render_widget(para, body);
    let footer = if let Some(input) = &v.search_input {
        Line::from(vec![
            Span::styled("search /", Style::default().fg(theme.key)),
            Span::raw(sanitize(&input.text)),
            Span::styled("█  Enter find · Esc cancel", Style::default().fg(theme.dim)),
        ])
    } else if let Some(ended) = &v.ended {
        Line::styled(
            format!("{ended} · Esc close"),
            Style::default().fg(theme.warning),
        )
    } else {
        hint(
            theme,
            &[
                ("/", "search"),
                ("n/N", "next/prev"),
                ("w", "wrap"),
                ("t", "time"),
                ("G", "end"),
                ("Esc", "close"),
            ],
        )
    };
    frame.render_widget(Paragraph::new(footer), foot);
    height
}
