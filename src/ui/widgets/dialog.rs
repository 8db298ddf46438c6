//! Modal dialogs: tag, remove confirmation, prune preview and text views.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::config::theme::Theme;
use crate::engine::PruneScope;
use crate::state::images::dialogs::{ImagesDialog, PlanState};
use crate::state::widgets::text_view::TextView;
use crate::ui::{Ctx, centered};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize, short_id};

pub(crate) fn hint<'a>(theme: &Theme, parts: &[(&'a str, &'a str)]) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (k, what)) in parts.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", Style::default().fg(theme.dim)));
        }
        spans.push(Span::styled(
            *k,
            Style::default().fg(theme.key).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

pub(crate) fn frame_dialog(
    frame: &mut Frame<'_>,
    rect: Rect,
    title: String,
    lines: Vec<Line<'_>>,
    theme: &Theme,
    danger: bool,
) {
    frame.render_widget(Clear, rect);
    let border = if danger {
        theme.error
    } else {
        theme.border_focused
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(border))
        .title(Span::styled(
            format!(" {title} "),
            Style::default().fg(border).add_modifier(Modifier::BOLD),
        ))
        .style(Style::default().bg(theme.dialog_bg).fg(theme.fg));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// Rows a dialog of outer width `w` needs for `lines` once wrapped, plus its border.
pub(crate) fn height_for(lines: &[Line<'_>], w: u16, area: Rect) -> u16 {
    let inner = usize::from(w.min(area.width).saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    u16::try_from(rows + 2).unwrap_or(u16::MAX).min(area.height)
}

/// Draws the open dialog over `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, dialog: &ImagesDialog, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    match dialog {
        ImagesDialog::Offline(d) => crate::ui::panes::offline::draw(frame, area, d, ctx),
        ImagesDialog::Tag {
            source,
            source_label,
            prompt,
        } => {
            let (input, error) = (&prompt.input, &prompt.error);
            let status = match error {
                Some(e) => Line::styled(format!("✗ {e}"), Style::default().fg(theme.error)),
                None => Line::styled("✓ valid reference", Style::default().fg(theme.ok)),
            };
            let lines = vec![
                Line::raw(format!(
                    "Image: {} ({})",
                    sanitize(source_label),
                    short_id(source)
                )),
                Line::raw("New reference [registry[:port]/]path[:tag]:"),
                Line::from(vec![
                    Span::styled("> ", Style::default().fg(theme.key)),
                    Span::raw(sanitize(&input.text)),
                    Span::styled("█", Style::default().fg(theme.key)),
                ]),
                status,
                Line::raw(""),
                hint(theme, &[("Enter", "tag"), ("Esc", "cancel")]),
            ];
            let rect = centered(area, 70, height_for(&lines, 70, area));
            frame_dialog(frame, rect, "Tag image".into(), lines, theme, false);
        }
        ImagesDialog::Remove {
            targets,
            force_step,
        } => {
            let mut lines = Vec::new();
            let used: Vec<&str> = targets
                .iter()
                .flat_map(|t| t.used_by.iter().map(String::as_str))
                .collect();
            if *force_step {
                lines.push(Line::styled(
                    "These images are used by containers:",
                    Style::default()
                        .fg(theme.error)
                        .add_modifier(Modifier::BOLD),
                ));
                for t in targets.iter().filter(|t| !t.used_by.is_empty()) {
                    lines.push(Line::raw(format!(
                        "  {}  ← {}",
                        sanitize(&t.label),
                        t.used_by.join(", ")
                    )));
                }
                lines.push(Line::raw(""));
                lines.push(Line::raw(
                    "Force removal untags them; the containers keep running on the image ID.",
                ));
                lines.push(Line::raw(""));
                lines.push(hint(
                    theme,
                    &[("y", "force remove"), ("n/Esc", "keep them")],
                ));
            } else {
                lines.push(Line::raw(format!(
                    "Remove {} image reference{}?",
                    targets.len(),
                    if targets.len() == 1 { "" } else { "s" }
                )));
                for t in targets
                    .iter()
                    .take(usize::from(area.height.saturating_sub(8)))
                {
                    let mut note = String::new();
                    if t.other_tags > 0 {
                        note = format!("  (untag only: {} other tag(s) stay)", t.other_tags);
                    }
                    if !t.used_by.is_empty() {
                        note.push_str(&format!("  used by {}", t.used_by.join(", ")));
                    }
                    lines.push(Line::from(vec![
                        Span::raw(format!("  • {}", sanitize(&t.label))),
                        Span::styled(note, Style::default().fg(theme.warning)),
                    ]));
                }
                if !used.is_empty() {
                    lines.push(Line::styled(
                        format!(
                            "{} container(s) use these images: you will be asked again.",
                            used.len()
                        ),
                        Style::default().fg(theme.warning),
                    ));
                }
                lines.push(Line::raw(""));
                lines.push(hint(theme, &[("y/Enter", "remove"), ("n/Esc", "cancel")]));
            }
            let rect = centered(area, 76, height_for(&lines, 76, area));
            frame_dialog(frame, rect, "Remove images".into(), lines, theme, true);
        }
        ImagesDialog::Prune {
            scope,
            build_cache,
            plan,
            view,
        } => {
            let radio = |on: bool| if on { "(•)" } else { "( )" };
            let mut lines = vec![
                Line::raw(format!(
                    "{} dangling images only   {} all unused images      [b] build cache: {}",
                    radio(*scope == PruneScope::Dangling),
                    radio(*scope == PruneScope::AllUnused),
                    if *build_cache { "yes" } else { "no" }
                )),
                Line::raw(""),
            ];
            let list_room = usize::from(area.height.saturating_sub(10)).max(1);
            match plan {
                PlanState::Loading => lines.push(Line::raw("Working out what would go…")),
                PlanState::Failed(e) => lines.push(Line::styled(
                    format!("Could not compute the preview: {}", sanitize(e)),
                    Style::default().fg(theme.error),
                )),
                PlanState::Ready(p) => {
                    if p.images.is_empty() {
                        lines.push(Line::raw("No image would be removed."));
                    } else {
                        lines.push(Line::raw(format!("{} image(s) would go:", p.images.len())));
                    }
                    for c in p.images.iter().skip(view.offset).take(list_room) {
                        let name = if c.repo_tags.is_empty() {
                            format!("<none> {}", short_id(&c.id))
                        } else {
                            c.repo_tags.join(", ")
                        };
                        let what = if c.untag_only {
                            "untag only".to_string()
                        } else {
                            bytes(c.reclaim)
                        };
                        lines.push(Line::raw(format!(
                            "  {:<50} {what:>12}",
                            ellipsize(&sanitize(&name), 50)
                        )));
                    }
                    if p.images.len() > list_room {
                        lines.push(Line::styled(
                            format!("  … {} in all (j/k to scroll)", p.images.len()),
                            Style::default().fg(theme.dim),
                        ));
                    }
                    if p.images.iter().any(|c| c.untag_only) {
                        lines.push(Line::styled(
                            "  untag only: the parent of another image loses its tags and stays",
                            Style::default().fg(theme.dim),
                        ));
                    }
                    lines.push(Line::styled(
                        format!(
                            "Reclaimable from images: {} (shared layers counted once)",
                            bytes(p.reclaim)
                        ),
                        Style::default().add_modifier(Modifier::BOLD),
                    ));
                    if *build_cache {
                        lines.push(Line::raw(
                            "Build cache: unused entries are removed too (the engine reports the size after).",
                        ));
                    }
                }
            }
            lines.push(Line::raw(""));
            lines.push(hint(
                theme,
                &[
                    ("y/Enter", "prune"),
                    ("a", "switch scope"),
                    ("b", "build cache"),
                    ("Esc", "cancel"),
                ],
            ));
            let rect = centered(area, 90, height_for(&lines, 90, area));
            frame_dialog(frame, rect, "Prune images".into(), lines, theme, true);
        }
        ImagesDialog::Copy(d) => crate::ui::panes::images_copy::draw(frame, area, d, ctx),
    }
}

/// Draws a text view (an image's config, a layer's instruction, a job's output) over `area`.
pub fn draw_text(frame: &mut Frame<'_>, area: Rect, view: &TextView, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let room = usize::from(area.height.saturating_sub(4));
    let top = view.view.offset.min(view.lines.len().saturating_sub(room));
    let mut out: Vec<Line<'_>> = view
        .lines
        .iter()
        .skip(top)
        .take(room)
        .map(|l| Line::raw(l.as_str()))
        .collect();
    out.push(hint(theme, &[("j/k", "scroll"), ("Esc", "close")]));
    let w = area.width.saturating_sub(6).max(20);
    let rect = centered(area, w, height_for(&out, w, area));
    frame_dialog(frame, rect, sanitize(&view.title), out, theme, false);
}
