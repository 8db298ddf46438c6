//! The copy dialog of the images pane: what goes (every tag of each image) and where to.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::state::images::copy::CopyDialog;
use crate::ui::widgets::dialog::{frame_dialog, height_for, hint};
use crate::ui::{Ctx, centered, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::short_id;

/// Draws the dialog over `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, d: &CopyDialog, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let mut lines = vec![Line::raw(format!(
        "{} image(s) from {}, each with every tag it has:",
        d.images.len(),
        sanitize(&d.from_name)
    ))];
    let room = usize::from(area.height.saturating_sub(8 + d.targets.len() as u16)).max(1);
    for image in d.images.iter().take(room) {
        let tags = if image.tags.is_empty() {
            "<none>".to_string()
        } else {
            image
                .tags
                .iter()
                .map(|t| sanitize(t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        lines.push(Line::from(vec![
            Span::raw(format!("  • {} ", short_id(&image.id))),
            Span::styled(tags, Style::default().fg(theme.dim)),
        ]));
    }
    if d.images.len() > room {
        lines.push(Line::styled(
            format!("  … {} in all", d.images.len()),
            Style::default().fg(theme.dim),
        ));
    }
    lines.push(Line::styled(
        "To:",
        Style::default().add_modifier(Modifier::BOLD),
    ));
    for (i, t) in d.targets.iter().enumerate() {
        let has = match t.has {
            0 => String::new(),
            n => format!("  (has {n} of them already)"),
        };
        let text = format!(
            "  {} {}{has}",
            if i == d.cursor { "▸" } else { " " },
            sanitize(&t.name)
        );
        lines.push(if i == d.cursor {
            Line::styled(text, selected_style(theme))
        } else {
            Line::raw(text)
        });
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        theme,
        &[("j/k", "choose"), ("Enter", "copy"), ("Esc", "cancel")],
    ));
    let rect = centered(area, 72, height_for(&lines, 72, area));
    frame_dialog(frame, rect, "Copy to engine".into(), lines, theme, false);
}
