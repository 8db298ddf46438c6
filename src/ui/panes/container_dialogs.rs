//! Dialogs of the containers pane, drawn over it.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::engine::containers::SIGNALS;
use crate::state::AppState;
use crate::state::containers::dialogs::{ContainerDialog, Target, inspect_lines};
use crate::state::containers::run_form::{Field, RunForm};
use crate::ui::widgets::dialog::{frame_dialog, hint};
use crate::ui::{Ctx, Theme, centered};
use crate::util::sanitize::sanitize;

fn height(lines: usize, area: Rect) -> u16 {
    u16::try_from(lines + 2)
        .unwrap_or(u16::MAX)
        .min(area.height)
}

fn target_line(t: &Target) -> Line<'static> {
    Line::raw(format!("  {}  ({})", sanitize(&t.name), t.state))
}

/// Draws the dialog.
pub fn draw(
    frame: &mut Frame<'_>,
    area: Rect,
    d: &ContainerDialog,
    _state: &AppState,
    ctx: &Ctx<'_>,
) {
    let theme = ctx.theme;
    let room = usize::from(area.height.saturating_sub(8)).max(1);
    match d {
        ContainerDialog::Offline(o) => super::offline::draw(frame, area, o, ctx),
        ContainerDialog::Remove {
            targets,
            force_step,
        } => {
            let mut lines = Vec::new();
            if *force_step {
                lines.push(Line::styled(
                    "These containers are running, paused or restarting; force removal kills them:",
                    Style::default()
                        .fg(theme.error)
                        .add_modifier(Modifier::BOLD),
                ));
                lines.extend(
                    targets
                        .iter()
                        .filter(|t| t.live)
                        .take(room)
                        .map(target_line),
                );
                lines.push(Line::raw(""));
                lines.push(hint(
                    theme,
                    &[("y", "force remove"), ("n/Esc", "keep them")],
                ));
            } else {
                let n = targets.len();
                lines.push(Line::raw(format!(
                    "Remove {n} container{}?",
                    if n == 1 { "" } else { "s" }
                )));
                lines.extend(targets.iter().take(room).map(target_line));
                if n > room {
                    lines.push(Line::raw(format!("  … and {} more", n - room)));
                }
                lines.push(Line::raw(""));
                lines.push(hint(theme, &[("y/Enter", "remove"), ("n/Esc", "cancel")]));
            }
            let rect = centered(area, 70, height(lines.len(), area));
            frame_dialog(frame, rect, "Remove containers".into(), lines, theme, true);
        }
        ContainerDialog::Kill { targets, signal } => {
            let mut lines = vec![Line::raw(format!(
                "Send a signal to {}:",
                targets
                    .iter()
                    .map(|t| sanitize(&t.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))];
            for (i, s) in SIGNALS.iter().enumerate() {
                let style = if i == *signal {
                    crate::ui::selected_style(theme)
                } else {
                    Style::default()
                };
                lines.push(Line::styled(format!("  {s}"), style));
            }
            lines.push(Line::raw(""));
            lines.push(hint(
                theme,
                &[("↑↓", "choose"), ("Enter", "send"), ("Esc", "cancel")],
            ));
            let rect = centered(area, 60, height(lines.len(), area));
            frame_dialog(frame, rect, "Kill".into(), lines, theme, true);
        }
        ContainerDialog::Rename {
            target,
            prompt: input,
        } => {
            let ok = Line::styled("✓ valid name", Style::default().fg(theme.ok));
            let p = Prompt {
                title: "Rename container",
                sigil: "> ",
                verb: "rename",
                width: 60,
                name: &target.name,
                text: &input.input.text,
                error: input.error.as_deref(),
                ok,
            };
            prompt(frame, area, theme, p);
        }
        ContainerDialog::Exec {
            target,
            prompt: input,
        } => {
            let ok = Line::styled(
                "runs with a TTY; dockhand comes back when it exits",
                Style::default().fg(theme.dim),
            );
            let p = Prompt {
                title: "Run a command",
                sigil: "$ ",
                verb: "run",
                width: 70,
                name: &target.name,
                text: &input.input.text,
                error: input.error.as_deref(),
                ok,
            };
            prompt(frame, area, theme, p);
        }
        ContainerDialog::Prune { targets, view } => {
            let mut lines = Vec::new();
            if targets.is_empty() {
                lines.push(Line::raw("No stopped containers: nothing to prune."));
                lines.push(Line::raw(""));
                lines.push(hint(theme, &[("Enter/Esc", "close")]));
            } else {
                lines.push(Line::raw(format!(
                    "Prune removes these {} stopped containers:",
                    targets.len()
                )));
                let start = view.offset.min(targets.len().saturating_sub(1));
                lines.extend(targets.iter().skip(start).take(room).map(target_line));
                lines.push(Line::raw(""));
                lines.push(hint(
                    theme,
                    &[("y/Enter", "prune"), ("↑↓", "scroll"), ("n/Esc", "cancel")],
                ));
            }
            let rect = centered(area, 70, height(lines.len(), area));
            frame_dialog(
                frame,
                rect,
                "Prune stopped containers".into(),
                lines,
                theme,
                true,
            );
        }
        ContainerDialog::Run(form) => draw_run(frame, area, form, ctx),
        ContainerDialog::Inspect {
            id,
            details,
            reveal,
            view,
        } => {
            let body: Vec<String> = match details {
                None => vec!["Inspecting…".into()],
                Some(Err(e)) => vec![format!("inspect failed: {}", sanitize(e))],
                Some(Ok(d)) => inspect_lines(d, *reveal),
            };
            let room = usize::from(area.height.saturating_sub(4)).max(1);
            let start = view.offset.min(body.len().saturating_sub(1));
            let mut lines: Vec<Line<'_>> = body
                .into_iter()
                .skip(start)
                .take(room.saturating_sub(1))
                .map(Line::raw)
                .collect();
            lines.push(hint(
                theme,
                &[
                    ("↑↓", "scroll"),
                    (
                        "r",
                        if *reveal {
                            "mask secrets"
                        } else {
                            "reveal secrets"
                        },
                    ),
                    ("Esc", "close"),
                ],
            ));
            let rect = centered(area, 100, area.height.saturating_sub(2));
            let title = format!("Inspect {}", crate::util::text::short_id(id));
            frame_dialog(frame, rect, title, lines, theme, false);
        }
    }
}

fn draw_run(frame: &mut Frame<'_>, area: Rect, form: &RunForm, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let mut lines = vec![
        Line::raw(format!("Image: {}", sanitize(&form.image))),
        Line::raw(""),
    ];
    for (i, f) in Field::ALL.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            Style::default().fg(theme.key).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(theme.header)
        };
        let mut spans = vec![Span::styled(format!("{:>11} ", f.label()), label_style)];
        if f.is_toggle() {
            let on = match f {
                Field::AutoRemove => form.auto_remove,
                Field::Detached => form.detached,
                _ => form.tty,
            };
            spans.push(Span::raw(if on { "[x]" } else { "[ ]" }));
            if *f == Field::Detached && !on {
                let what = if form.tty {
                    " attached: the terminal is handed to it (like docker run -it)"
                } else {
                    " attached: opens its logs"
                };
                spans.push(Span::styled(what, Style::default().fg(theme.dim)));
            }
        } else {
            let text = &form.inputs[i].text;
            if text.is_empty() && !focused {
                spans.push(Span::styled(f.hint(), Style::default().fg(theme.dim)));
            } else {
                spans.push(Span::raw(sanitize(text)));
            }
            if focused {
                spans.push(Span::styled("█", Style::default().fg(theme.key)));
            }
        }
        lines.push(Line::from(spans));
        if let Some(e) = &form.errors[i] {
            lines.push(Line::styled(
                format!("{:>11} ✗ {}", "", sanitize(e)),
                Style::default().fg(theme.error),
            ));
        }
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        theme,
        &[
            ("Tab/↑↓", "field"),
            ("Space", "toggle"),
            ("Enter", "run"),
            ("Esc", "cancel"),
        ],
    ));
    let rect = centered(area, 80, height(lines.len(), area));
    frame_dialog(frame, rect, "Run container".into(), lines, theme, false);
}

/// A one-line prompt about a container.
struct Prompt<'a> {
    title: &'static str,
    sigil: &'static str,
    verb: &'static str,
    width: u16,
    /// The container's name.
    name: &'a str,
    /// What is typed.
    text: &'a str,
    /// The inline error, if any.
    error: Option<&'a str>,
    /// The status line when there is no error.
    ok: Line<'static>,
}

/// Draws a one-line prompt: the container, the text typed, the inline error (or `ok`), keys.
fn prompt(frame: &mut Frame<'_>, area: Rect, theme: &Theme, p: Prompt<'_>) {
    let status = match p.error {
        Some(e) => Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        ),
        None => p.ok,
    };
    let lines = vec![
        Line::raw(format!("Container: {}", sanitize(p.name))),
        Line::from(vec![
            Span::styled(p.sigil, Style::default().fg(theme.key)),
            Span::raw(sanitize(p.text)),
            Span::styled("█", Style::default().fg(theme.key)),
        ]),
        status,
        Line::raw(""),
        hint(theme, &[("Enter", p.verb), ("Esc", "cancel")]),
    ];
    let rect = centered(area, p.width, height(lines.len(), area));
    frame_dialog(frame, rect, p.title.into(), lines, theme, false);
}
