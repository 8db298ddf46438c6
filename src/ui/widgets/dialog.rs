//! Modal dialogs: tag, remove confirmation, prune preview and text views.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::config::theme::Theme;
use crate::engine::PruneScope;
use crate::state::images::dialogs::{Fate, ImagesDialog, PlanState, RemoveTarget};
use crate::state::widgets::text_view::TextView;
use crate::ui::{Ctx, centered};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, count, ellipsize, short_id};

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

fn runs_on_it(names: &[String]) -> String {
    let verb = if names.len() == 1 { "runs" } else { "run" };
    format!("{} {verb} on it", names.join(", "))
}

/// The note beside a target in the first step of the remove dialog.
fn fate_note(t: &RemoveTarget) -> String {
    match &t.fate {
        Fate::Untag => format!(
            "  (untag only: {} {})",
            count(t.other_tags, "other tag"),
            if t.other_tags == 1 { "stays" } else { "stay" }
        ),
        Fate::Delete => String::new(),
        Fate::DeleteUnder(names) => format!("  used by {} (not running)", names.join(", ")),
        Fate::UntagKeepImage(names) => format!("  used by running {}", names.join(", ")),
        Fate::Refused(names) => format!("  stays: {}", runs_on_it(names)),
    }
}

fn remove_lines<'a>(targets: &[RemoveTarget], area: Rect, theme: &'a Theme) -> Vec<Line<'a>> {
    let n = targets.len();
    let mut lines = vec![Line::raw(format!(
        "Remove {n} image reference{}?",
        if n == 1 { "" } else { "s" }
    ))];
    for t in targets
        .iter()
        .take(usize::from(area.height.saturating_sub(8)))
    {
        lines.push(Line::from(vec![
            Span::raw(format!("  • {}", sanitize(&t.label))),
            Span::styled(sanitize(&fate_note(t)), Style::default().fg(theme.warning)),
        ]));
    }
    let refused = targets.iter().filter(|t| !t.fate.sent()).count();
    if refused > 0 {
        lines.push(Line::styled(
            format!(
                "{} in use by a running container cannot be removed (the engine refuses \
                 even with force): stop the container first.",
                count(refused, "untagged image")
            ),
            Style::default().fg(theme.warning),
        ));
    }
    let used = targets
        .iter()
        .filter(|t| t.fate.sent() && !t.used_by.is_empty())
        .count();
    if used > 0 {
        lines.push(Line::styled(
            format!("{used} of them are used by containers: you will be asked again."),
            Style::default().fg(theme.warning),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(hint(theme, &[("y/Enter", "remove"), ("n/Esc", "cancel")]));
    lines
}

/// The second step: what a forced removal does to each image used by a container, as dockerd
/// does it (`ImageDelete` with force: running containers keep their image, stopped or created
/// ones do not).
fn force_lines<'a>(targets: &[RemoveTarget], theme: &'a Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(
        "These images are used by containers. Forced removal will:",
        Style::default()
            .fg(theme.error)
            .add_modifier(Modifier::BOLD),
    )];
    for t in targets.iter().filter(|t| !t.used_by.is_empty()) {
        let label = sanitize(&t.label);
        let what = match &t.fate {
            Fate::Untag => format!("{label}: remove this tag only; other tags keep the image"),
            Fate::Delete => format!("{label}: delete the image"),
            Fate::DeleteUnder(names) => format!(
                "{label}: delete the image; {} (not running) {} listed by image ID and can \
                 still start",
                names.join(", "),
                if names.len() == 1 { "stays," } else { "stay," }
            ),
            Fate::UntagKeepImage(names) => format!(
                "{label}: remove the tag only; the image stays, untagged, while {}",
                runs_on_it(names)
            ),
            Fate::Refused(names) => format!("{label}: nothing (not sent): {}", runs_on_it(names)),
        };
        lines.push(Line::raw(format!("  • {}", sanitize(&what))));
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        theme,
        &[("y", "force remove"), ("n/Esc", "keep them")],
    ));
    lines
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
            let lines = if *force_step {
                force_lines(targets, theme)
            } else {
                remove_lines(targets, area, theme)
            };
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
                        let kept = p.images.iter().filter(|c| c.untag_only).count();
                        let gone = count(p.images.len() - kept, "image");
                        lines.push(Line::raw(if kept > 0 {
                            format!("{gone} would be deleted and {kept} only untagged:")
                        } else {
                            format!("{gone} would be deleted:")
                        }));
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
/// Lines of text a text dialog drawn in `area` shows (borders, hint and margins take four rows).
pub fn text_room(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(4))
}

pub fn draw_text(frame: &mut Frame<'_>, area: Rect, view: &TextView, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let room = text_room(area);
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

#[cfg(test)]
mod tests {
    use super::{RemoveTarget, fate_note};
    use crate::state::images::dialogs::Fate;

    #[test]
    fn notes_count_in_words_without_a_plural_s_on_one() {
        let target = |others: usize| RemoveTarget {
            key: "a:1".into(),
            label: "a:1".into(),
            used_by: vec![],
            other_tags: others,
            fate: Fate::Untag,
        };
        assert_eq!(fate_note(&target(1)), "  (untag only: 1 other tag stays)");
        assert_eq!(fate_note(&target(2)), "  (untag only: 2 other tags stay)");
    }
}
