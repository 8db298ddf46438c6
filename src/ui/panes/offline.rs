//! Drawing of the save, load, import, export, commit and diff dialogs
//! ([`crate::state::offline::OfflineDialog`]).
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::explorer_lists::status_mark;
use crate::config::theme::Theme;
use crate::layers::tree::Status;
use crate::state::offline::{OfflineDialog, Pending};
use crate::state::widgets::form::{FieldValue, Form};
use crate::state::widgets::scroll::{Viewport, follow};
use crate::ui::widgets::dialog::{frame_dialog, height_for, hint};
use crate::ui::{Ctx, centered};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize, short_id};

/// The lines of a form: one per field, its inline error below it.
fn form_lines(form: &Form, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            Style::default().fg(theme.key).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(theme.header)
        };
        let mut spans = vec![Span::styled(format!("{:>10} ", f.label), label_style)];
        match &f.value {
            FieldValue::Toggle(on) => spans.push(Span::raw(if *on { "[x]" } else { "[ ]" })),
            FieldValue::Text {
                input, error, hint, ..
            } => {
                if input.text.is_empty() && !focused {
                    spans.push(Span::styled(*hint, Style::default().fg(theme.dim)));
                } else {
                    spans.push(Span::raw(sanitize(&input.text)));
                }
                if focused {
                    spans.push(Span::styled("█", Style::default().fg(theme.key)));
                }
                lines.push(Line::from(std::mem::take(&mut spans)));
                if focused && f.path && !form.candidates.is_empty() {
                    let shown: Vec<String> = form
                        .candidates
                        .iter()
                        .take(6)
                        .map(|c| sanitize(c))
                        .collect();
                    let more = form.candidates.len().saturating_sub(6);
                    let tail = if more > 0 {
                        format!(" … +{more}")
                    } else {
                        String::new()
                    };
                    lines.push(Line::styled(
                        format!("{:>10}   {}{tail}", "", shown.join("  ")),
                        Style::default().fg(theme.dim),
                    ));
                }
                if let Some(e) = error {
                    lines.push(Line::styled(
                        format!("{:>10} ✗ {}", "", sanitize(e)),
                        Style::default().fg(theme.error),
                    ));
                }
                continue;
            }
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn form_dialog(
    frame: &mut Frame<'_>,
    area: Rect,
    title: String,
    mut lines: Vec<Line<'static>>,
    form: &Form,
    verb: &'static str,
    theme: &Theme,
) {
    lines.push(Line::raw(""));
    lines.extend(form_lines(form, theme));
    lines.push(Line::raw(""));
    let toggles = form
        .fields
        .iter()
        .any(|f| matches!(f.value, FieldValue::Toggle(_)));
    let mut keys = vec![("Tab", "field"), ("Enter", verb), ("Esc", "cancel")];
    if toggles {
        keys.insert(1, ("Space", "toggle"));
    }
    lines.push(hint(theme, &keys));
    let w = 84;
    let rect = centered(area, w, height_for(&lines, w, area));
    frame_dialog(frame, rect, title, lines, theme, false);
}

/// Draws the dialog over `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, d: &OfflineDialog, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    match d {
        OfflineDialog::Save { images, form } => {
            let mut lines = vec![Line::raw(format!(
                "{} image{} (layers they share are written once):",
                images.len(),
                if images.len() == 1 { "" } else { "s" }
            ))];
            for i in images.iter().take(6) {
                let shown = if i.starts_with("sha256:") {
                    short_id(i)
                } else {
                    i
                };
                lines.push(Line::raw(format!("  {}", sanitize(shown))));
            }
            if images.len() > 6 {
                lines.push(Line::raw(format!("  … and {} more", images.len() - 6)));
            }
            form_dialog(
                frame,
                area,
                "Save images".into(),
                lines,
                form,
                "save",
                theme,
            );
        }
        OfflineDialog::LoadPath { form } => {
            let lines = vec![Line::raw(
                "A docker save tar (plain or gzip) or an OCI archive; its contents are shown before loading.",
            )];
            form_dialog(
                frame,
                area,
                "Load images".into(),
                lines,
                form,
                "preview",
                theme,
            );
        }
        OfflineDialog::LoadPreview {
            path,
            preview,
            view,
        } => draw_preview(frame, area, &path.display().to_string(), preview, view, ctx),
        OfflineDialog::Import { form } => {
            let lines = vec![Line::raw(
                "A filesystem tar (docker export) becomes an image of one layer.",
            )];
            form_dialog(
                frame,
                area,
                "Import image".into(),
                lines,
                form,
                "import",
                theme,
            );
        }
        OfflineDialog::Commit { name, form, .. } => {
            let lines = vec![Line::raw(format!(
                "Container {}: its writable layer becomes the new image's top layer.",
                sanitize(name)
            ))];
            form_dialog(
                frame,
                area,
                "Commit container".into(),
                lines,
                form,
                "commit",
                theme,
            );
        }
        OfflineDialog::Export { name, form, .. } => {
            let lines = vec![Line::raw(format!(
                "The whole filesystem of {} as one tar.",
                sanitize(name)
            ))];
            form_dialog(
                frame,
                area,
                "Export container".into(),
                lines,
                form,
                "export",
                theme,
            );
        }
        OfflineDialog::CopyOut { name, form, .. } => {
            let lines = vec![Line::raw(format!(
                "From {} to this machine (like docker cp): into an existing directory, or as the new name.",
                sanitize(name)
            ))];
            form_dialog(
                frame,
                area,
                "Copy from container".into(),
                lines,
                form,
                "copy",
                theme,
            );
        }
        OfflineDialog::CopyIn { name, form, .. } => {
            let lines = vec![Line::raw(format!(
                "Into {} (like docker cp; owned by root there). With unpack, the file is a tar whose entries are checked first.",
                sanitize(name)
            ))];
            form_dialog(
                frame,
                area,
                "Copy into container".into(),
                lines,
                form,
                "copy",
                theme,
            );
        }
        OfflineDialog::Diff {
            name,
            changes,
            view,
            ..
        } => draw_diff(frame, area, name, d, changes, view, ctx),
    }
}

fn draw_preview(
    frame: &mut Frame<'_>,
    area: Rect,
    path: &str,
    preview: &Pending<Box<crate::engine::offline::LoadPreview>>,
    view: &Viewport,
    ctx: &Ctx<'_>,
) {
    let theme = ctx.theme;
    let mut lines = vec![Line::raw(format!("File: {}", sanitize(path)))];
    let mut ready = false;
    match preview {
        Pending::Loading => lines.push(Line::raw("Reading the archive…")),
        Pending::Failed(e) => lines.push(Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        )),
        Pending::Ready(p) => {
            ready = true;
            let c = &p.contents;
            lines.push(Line::raw(format!(
                "{} image{} · file {}{} · {} of layers new to this engine",
                c.images.len(),
                if c.images.len() == 1 { "" } else { "s" },
                bytes(c.file_bytes),
                if c.gzip { " gzip" } else { "" },
                bytes(p.new_bytes()),
            )));
            for (tag, old) in &p.tag_moves {
                lines.push(Line::styled(
                    format!(
                        "⚠ moves the tag {} away from {} (that image stays, without this tag)",
                        sanitize(tag),
                        short_id(old)
                    ),
                    Style::default().fg(theme.warning),
                ));
            }
            lines.push(Line::raw(""));
            let room =
                usize::from(area.height.saturating_sub(10 + p.tag_moves.len() as u16)).max(1);
            let offset = follow(view.offset, view.cursor, room, c.images.len());
            for (i, image) in c.images.iter().enumerate().skip(offset).take(room) {
                let have = image
                    .layers
                    .iter()
                    .filter(|l| p.layers_present.contains(&l.diff_id))
                    .count();
                let tags = if image.tags.is_empty() {
                    "<untagged>".to_string()
                } else {
                    image.tags.join(", ")
                };
                let state = if p.image_present.get(i).copied().unwrap_or(false) {
                    "already here"
                } else {
                    "new"
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} ", short_id(&image.id)),
                        Style::default().fg(theme.dim),
                    ),
                    Span::raw(ellipsize(&sanitize(&tags), 40)),
                    Span::raw(format!(
                        "  {} · {}/{} layers here · {state}",
                        bytes(image.size()),
                        have,
                        image.layers.len()
                    )),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    let mut keys = vec![("Esc", "cancel")];
    if ready {
        keys.insert(0, ("f", "explore its files first"));
        keys.insert(0, ("Enter", "load"));
    }
    lines.push(hint(theme, &keys));
    let w = 96;
    let rect = centered(area, w, height_for(&lines, w, area));
    frame_dialog(frame, rect, "Load images".into(), lines, theme, false);
}

fn draw_diff(
    frame: &mut Frame<'_>,
    area: Rect,
    name: &str,
    d: &OfflineDialog,
    changes: &Pending<Vec<crate::engine::offline::Change>>,
    view: &Viewport,
    ctx: &Ctx<'_>,
) {
    let theme = ctx.theme;
    let mut lines = Vec::new();
    match changes {
        Pending::Loading => lines.push(Line::raw("Asking the engine…")),
        Pending::Failed(e) => lines.push(Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        )),
        Pending::Ready(list) => {
            let count = |k| list.iter().filter(|c| c.kind == k).count();
            use crate::engine::offline::ChangeKind as K;
            lines.push(Line::raw(format!(
                "{} added · {} changed · {} deleted",
                count(K::Added),
                count(K::Changed),
                count(K::Deleted)
            )));
            lines.push(Line::raw(""));
            let rows = d.diff_rows();
            let room = usize::from(area.height.saturating_sub(8)).max(1);
            let offset = follow(view.offset, view.cursor, room, rows.len());
            for (i, row) in rows.iter().enumerate().skip(offset).take(room) {
                let (mark, color) = status_mark(row.status, theme);
                let mut name_style = Style::default().fg(if row.status == Status::Unchanged {
                    theme.fg
                } else {
                    color
                });
                if row.status == Status::Removed {
                    name_style = name_style.add_modifier(Modifier::CROSSED_OUT);
                }
                if i == view.cursor {
                    name_style = name_style.add_modifier(Modifier::REVERSED);
                }
                let arrow = if row.has_children { "▾ " } else { "  " };
                let size = row.size.map_or(String::new(), bytes);
                lines.push(Line::from(vec![
                    Span::styled(format!("{mark} "), Style::default().fg(color)),
                    Span::styled(format!("{size:>9} "), Style::default().fg(theme.dim)),
                    Span::raw("  ".repeat(row.depth)),
                    Span::styled(arrow, Style::default().fg(theme.dim)),
                    Span::styled(sanitize(&row.name), name_style),
                ]));
            }
            if rows.is_empty() {
                lines.push(Line::raw(
                    "No changes: the container's filesystem is the image's.",
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(hint(theme, &[("↑↓", "scroll"), ("Esc", "close")]));
    let w = 84;
    let rect = centered(area, w, height_for(&lines, w, area));
    frame_dialog(
        frame,
        rect,
        format!("Changes of {}", sanitize(name)),
        lines,
        theme,
        false,
    );
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
