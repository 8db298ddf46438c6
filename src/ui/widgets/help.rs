//! The `?` overlay: every key of the focused pane and the global ones, from the keymap data.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::config::keymap::Context;
use crate::state::PaneId;
use crate::ui::{Ctx, centered};

/// The bindings with the keys that go to a pane listed together, in the panes' order (1, 2, …),
/// where the first of them stands in the keymap file; the others keep the file's order.
fn panes_in_order(
    bindings: &[crate::config::keymap::Binding],
) -> Vec<&crate::config::keymap::Binding> {
    let pane_of = |b: &crate::config::keymap::Binding| {
        PaneId::ALL
            .iter()
            .position(|p| p.focus_action() == b.action)
    };
    let mut focus: Vec<_> = bindings.iter().filter(|b| pane_of(b).is_some()).collect();
    focus.sort_by_key(|b| pane_of(b));
    let mut out = Vec::with_capacity(bindings.len());
    for b in bindings {
        match pane_of(b) {
            None => out.push(b),
            Some(_) if !focus.is_empty() => out.append(&mut focus),
            Some(_) => {}
        }
    }
    out
}

/// Draws the help overlay for the focused pane.
pub fn draw(frame: &mut Frame<'_>, area: Rect, focus: PaneId, scroll: usize, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let mut lines = Vec::new();
    // In the editor, global keys type text: only its own section applies.
    let sections = if focus == PaneId::Editor {
        vec![Context::Editor]
    } else {
        vec![focus.context(), Context::Global]
    };
    for section in sections {
        lines.push(Line::styled(
            section.title(),
            Style::default()
                .fg(theme.header)
                .add_modifier(Modifier::BOLD),
        ));
        let bindings = panes_in_order(ctx.keymap.bindings(section));
        for b in bindings {
            // A global key the pane rebinds is not shown under "Everywhere".
            let keys: Vec<String> = b
                .keys
                .iter()
                .filter(|k| {
                    section != Context::Global
                        || ctx.keymap.action(focus.context(), **k) == Some(b.action)
                })
                .map(ToString::to_string)
                .collect();
            if keys.is_empty() {
                continue;
            }
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<16}", keys.join(" / ")),
                    Style::default().fg(theme.key),
                ),
                Span::raw(b.desc.clone()),
            ]));
        }
        lines.push(Line::raw(""));
    }
    if focus == PaneId::Editor {
        for text in crate::ui::panes::editor::TEXT_KEYS {
            lines.push(Line::styled(text, Style::default().fg(theme.dim)));
        }
    }
    // Taller than the screen: it scrolls, and the last line says how.
    let room = usize::from(area.height.saturating_sub(3)).max(1);
    let last_top = lines.len().saturating_sub(room);
    let top = scroll.min(last_top);
    let mut lines: Vec<Line<'_>> = lines.into_iter().skip(top).take(room).collect();
    let footer = if last_top > 0 {
        format!(
            "↑↓ scroll ({}/{}) · any other key closes this help.",
            top, last_top
        )
    } else {
        "Any key closes this help.".to_string()
    };
    lines.push(Line::styled(footer, Style::default().fg(theme.dim)));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, 76, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(theme.border_focused))
        .title(" Keys ")
        .style(Style::default().bg(theme.dialog_bg).fg(theme.fg));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
