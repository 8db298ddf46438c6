//! The tab bar: every pane with the key that focuses it.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::state::{AppState, Pane};
use crate::ui::Ctx;

/// Draws the tab bar.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let mut spans = vec![Span::styled(
        " dockhand ",
        Style::default().fg(theme.key).add_modifier(Modifier::BOLD),
    )];
    for pane in Pane::ALL {
        let key = ctx
            .keymap
            .key_for(pane.context(), pane.focus_action())
            .map_or(String::new(), |k| format!("{k} "));
        let active = if state.focus.beside_images() {
            pane.beside_images()
        } else {
            pane == state.focus
        };
        let style = if pane == state.focus {
            Style::default()
                .fg(theme.border_focused)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else if active {
            Style::default().fg(theme.fg)
        } else {
            Style::default().fg(theme.dim)
        };
        spans.push(Span::styled(format!(" {key}{} ", pane.title()), style));
        if pane == Pane::Jobs {
            let running = state.jobs.running().count();
            if running > 0 {
                spans.push(Span::styled(
                    format!("⟳{running} "),
                    Style::default().fg(theme.warning),
                ));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
