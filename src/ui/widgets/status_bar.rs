//! The status bar: engine, counts, jobs and the latest message or error.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::action::{Action, AppAction};
use crate::engine::Connection;
use crate::state::{AppState, Level};
use crate::ui::Ctx;
use crate::util::sanitize::sanitize;
use crate::util::text::ellipsize;

/// Draws the status bar.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let base = Style::default().bg(theme.status_bg).fg(theme.status_fg);
    let mut spans = Vec::new();
    if let Some(row) = state.shared.active_row() {
        spans.push(Span::styled(
            format!(" ▶ {} ", sanitize(&row.name)),
            base.fg(theme.key),
        ));
    }
    match &state.shared.connection {
        Connection::Connecting => {
            spans.push(Span::styled(" ◌ connecting ", base.fg(theme.warning)));
        }
        Connection::Connected(info) => {
            spans.push(Span::styled(" ● ", base.fg(theme.ok)));
            spans.push(Span::raw(format!(
                "{} {} (API {}) {} ",
                info.name, info.version, info.api_version, info.endpoint
            )));
        }
        Connection::NotAnswering { info, deadline } => {
            spans.push(Span::styled(
                format!(
                    " ◌ not answering (no reply within {}s) ",
                    deadline.as_secs()
                ),
                base.fg(theme.warning),
            ));
            spans.push(Span::raw(format!("{} {} ", info.name, info.endpoint)));
        }
        Connection::Disconnected { retry_in, .. } => {
            spans.push(Span::styled(
                format!(" ✗ disconnected, retry in {}s ", retry_in.as_secs()),
                base.fg(theme.error),
            ));
        }
    }
    let running = state
        .shared
        .inventory
        .containers
        .iter()
        .filter(|c| c.state == crate::engine::ContainerState::Running)
        .count();
    let images: std::collections::HashSet<&str> = state
        .panes
        .images
        .table
        .rows
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    spans.push(Span::styled(
        format!(
            "│ {} images, {} tags · {} container(s), {} running ",
            images.len(),
            state
                .panes
                .images
                .table
                .rows
                .iter()
                .filter(|r| !r.dangling())
                .count(),
            state.shared.inventory.containers.len(),
            running
        ),
        base,
    ));
    let jobs: Vec<_> = state.panes.jobs.jobs.running().collect();
    if let Some(job) = jobs.last() {
        spans.push(Span::styled(
            format!("│ ⟳ {} job(s): {} ", jobs.len(), job.kind),
            base.fg(theme.warning),
        ));
    }
    match &state.shared.message {
        Some((level, text)) => {
            let color = match level {
                Level::Ok => theme.ok,
                Level::Info => theme.status_fg,
                Level::Error => theme.error,
            };
            let text = sanitize(text);
            let room = usize::from(area.width);
            let used: usize = spans.iter().map(Span::width).sum();
            if used + unicode_width::UnicodeWidthStr::width(text.as_str()) + 3 > room {
                // The message matters more than the engine line: it takes the bar but for the
                // engine's name and a one-glyph connection state, cut with an ellipsis only when
                // it is wider than what is left.
                let mut short = Vec::new();
                if let Some(row) = state.shared.active_row() {
                    short.push(Span::styled(
                        format!(" ▶ {} ", sanitize(&row.name)),
                        base.fg(theme.key),
                    ));
                }
                short.push(match &state.shared.connection {
                    Connection::Connecting | Connection::NotAnswering { .. } => {
                        Span::styled(" ◌", base.fg(theme.warning))
                    }
                    Connection::Connected(_) => Span::styled(" ●", base.fg(theme.ok)),
                    Connection::Disconnected { .. } => Span::styled(" ✗", base.fg(theme.error)),
                });
                let used: usize = short.iter().map(Span::width).sum();
                short.push(Span::styled(
                    format!(" {}", ellipsize(&text, room.saturating_sub(used + 1))),
                    base.fg(color),
                ));
                frame.render_widget(Paragraph::new(Line::from(short)).style(base), area);
                return;
            }
            spans.push(Span::styled(format!("│ {text} "), base.fg(color)));
        }
        None => {
            let help = ctx
                .keymap
                .key_for(state.focus().context(), Action::App(AppAction::Help))
                .map_or(String::new(), |k| format!("│ {k} help "));
            spans.push(Span::styled(help, base.fg(theme.key)));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}
