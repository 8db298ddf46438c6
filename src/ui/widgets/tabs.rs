//! The tab bar: every pane with the key that focuses it.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::state::{AppState, PaneId};
use crate::ui::{Ctx, beside_images};

/// The pane's title preceded by the key that focuses it (from the keymap), e.g. "1 Images".
pub fn pane_label(ctx: &Ctx<'_>, pane: PaneId) -> String {
    match ctx.keymap.key_for(pane.context(), pane.focus_action()) {
        Some(k) => format!("{k} {}", pane.title()),
        None => pane.title().to_string(),
    }
}

/// How much of each tab's title is shown: the whole bar must fit the terminal's width.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// Brand and every title in full.
    Full,
    /// No brand; titles of the other panes cut to three letters.
    Short,
    /// No brand; the other panes show only their key.
    Keys,
}

/// Draws the tab bar.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let width = usize::from(area.width);
    let fit = [Fit::Full, Fit::Short, Fit::Keys]
        .into_iter()
        .find(|&fit| Line::from(spans(state, ctx, fit)).width() <= width)
        .unwrap_or(Fit::Keys);
    frame.render_widget(Paragraph::new(Line::from(spans(state, ctx, fit))), area);
}

fn spans(state: &AppState, ctx: &Ctx<'_>, fit: Fit) -> Vec<Span<'static>> {
    let theme = ctx.theme;
    let mut spans = Vec::new();
    if fit == Fit::Full {
        spans.push(Span::styled(
            " dockhand ",
            Style::default().fg(theme.key).add_modifier(Modifier::BOLD),
        ));
    }
    for pane in PaneId::ALL.iter().copied() {
        let key = ctx
            .keymap
            .key_for(pane.context(), pane.focus_action())
            .map_or(String::new(), |k| format!("{k} "));
        let title: String = match fit {
            _ if pane == state.focus() => pane.title().to_string(),
            Fit::Full => pane.title().to_string(),
            Fit::Short => pane.title().chars().take(3).collect(),
            Fit::Keys if key.is_empty() => pane.title().chars().take(1).collect(),
            Fit::Keys => String::new(),
        };
        let active = if beside_images(state.focus()) {
            beside_images(pane)
        } else {
            pane == state.focus()
        };
        let style = if pane == state.focus() {
            Style::default()
                .fg(theme.border_focused)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else if active {
            Style::default().fg(theme.fg)
        } else {
            Style::default().fg(theme.dim)
        };
        let label = if title.is_empty() {
            key.trim_end().to_string()
        } else {
            format!("{key}{title}")
        };
        spans.push(Span::styled(format!(" {label} "), style));
        if pane == PaneId::Jobs {
            let running = state.panes.jobs.jobs.running().count();
            if running > 0 {
                spans.push(Span::styled(
                    format!("⟳{running} "),
                    Style::default().fg(theme.warning),
                ));
            }
        }
    }
    spans
}
