//! The editor's modal questions and forms: unsaved edits, recovery, open, search and the build
//! dialog with the context size shown before sending.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::config::theme::Theme;
use crate::engine::build::{BuilderChoice, NetworkMode};
use crate::fsio::DiffLine;
use crate::state::editor::build::ContextSize;
use crate::state::editor::form::{BuildForm, Field};
use crate::state::editor::{AfterSave, EditorState, Modal, SaveRefused};
use crate::state::widgets::input::TextInput;
use crate::ui::centered;
use crate::util::sanitize::{sanitize, sanitize_name};
use crate::util::text::{bytes, ellipsize};

fn input_line<'a>(label: &str, input: &TextInput, active: bool, theme: &Theme) -> Line<'a> {
    let label_style = if active {
        Style::default().fg(theme.key).add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(theme.dim)
    };
    let mut spans = vec![Span::styled(format!("{label:<11}"), label_style)];
    let text = sanitize(&input.text);
    if active {
        let at = text
            .char_indices()
            .nth(input.cursor)
            .map_or(text.len(), |(i, _)| i);
        let (a, b) = text.split_at(at);
        let mut rest = b.chars();
        let under = rest.next().map_or(" ".to_string(), |c| c.to_string());
        spans.push(Span::raw(a.to_string()));
        spans.push(Span::styled(
            under,
            Style::default().add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(rest.as_str().to_string()));
    } else {
        spans.push(Span::raw(text));
    }
    Line::from(spans)
}

fn boxed(frame: &mut Frame<'_>, rect: Rect, title: &str, lines: Vec<Line<'_>>, theme: &Theme) {
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(theme.border_focused))
        .title(Line::styled(
            format!(" {title} "),
            Style::default()
                .fg(theme.border_focused)
                .add_modifier(Modifier::BOLD),
        ))
        .style(Style::default().bg(theme.dialog_bg).fg(theme.fg));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn size_line<'a>(size: &ContextSize, theme: &Theme) -> Line<'a> {
    match size {
        ContextSize::Unknown => {
            Line::styled("           measuring…", Style::default().fg(theme.dim))
        }
        ContextSize::Planned {
            files,
            bytes: b,
            tar,
            ignored,
        } => Line::from(vec![
            Span::styled("           ", Style::default().fg(theme.dim)),
            Span::styled(
                format!("{files} files, {} → {} tar", bytes(*b), bytes(*tar)),
                Style::default().fg(theme.ok),
            ),
            Span::styled(
                format!(", {ignored} ignored"),
                Style::default().fg(theme.dim),
            ),
        ]),
        ContextSize::Failed(e) => Line::styled(
            format!("           {}", sanitize(e)),
            Style::default().fg(theme.error),
        ),
    }
}

fn choice(form: &BuildForm, f: Field) -> String {
    let on = |b: bool| if b { "[x]" } else { "[ ]" };
    match f {
        Field::Builder => match form.builder {
            BuilderChoice::Auto => "‹ auto › BuildKit when the engine has it, else classic".into(),
            BuilderChoice::BuildKit => "‹ BuildKit ›".into(),
            BuilderChoice::Classic => "‹ classic › (no secrets, no cache mounts)".into(),
        },
        Field::Network => match form.network {
            NetworkMode::Default => "‹ default ›".into(),
            NetworkMode::Host => "‹ host ›".into(),
            NetworkMode::None => "‹ none ›".into(),
        },
        Field::Detail => format!("‹ {} ›", form.detail.name()),
        Field::Pull => format!("{} always pull base images", on(form.pull)),
        Field::NoCache => format!("{} ignore the build cache", on(form.no_cache)),
        _ => String::new(),
    }
}

/// The form's rows, and the row of the field with the cursor.
fn build_lines<'a>(form: &BuildForm, theme: &Theme) -> (Vec<Line<'a>>, usize) {
    let mut lines = vec![Line::styled(
        format!(
            "Dockerfile {}",
            sanitize(&form.dockerfile.display().to_string())
        ),
        Style::default().fg(theme.dim),
    )];
    let mut at = 0;
    for f in Field::ALL {
        let active = form.field == f;
        if active {
            at = lines.len();
        }
        if f.is_text() {
            let input = form.input(f);
            let mut line = input_line(f.label(), input, active, theme);
            if input.text.is_empty() && !active {
                line.spans
                    .push(Span::styled(f.hint(), Style::default().fg(theme.dim)));
            }
            lines.push(line);
        } else {
            let label = if active {
                Style::default().fg(theme.key).add_modifier(Modifier::BOLD)
            } else {
                Style::default().fg(theme.dim)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<11}", f.label()), label),
                Span::raw(choice(form, f)),
            ]));
        }
        if let Some(e) = form.error(f) {
            lines.push(Line::styled(
                format!("{:>11}✗ {}", "", sanitize(e)),
                Style::default().fg(theme.error),
            ));
        }
        if f == Field::Context && !matches!(form.size, ContextSize::Failed(_)) {
            lines.push(size_line(&form.size, theme));
        }
    }
    lines.push(crate::ui::widgets::dialog::hint(
        theme,
        &[
            ("Enter", "build"),
            ("Tab", "next field"),
            ("Space/←→", "change"),
            ("Esc", "cancel"),
        ],
    ));
    (lines, at)
}

/// Lines shown in the diff of a file changed on disk, at most.
const DIFF_LINES: usize = 8;

/// Why a save waits, the difference with the disk when it changed, and the choices.
fn refused_lines<'a>(
    ed: &EditorState,
    refused: &SaveRefused,
    target: &std::path::Path,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let hint = crate::ui::widgets::dialog::hint;
    let name = sanitize_name(&target.display().to_string());
    let mut lines = Vec::new();
    let keys: &[(&str, &str)] = match refused {
        SaveRefused::Changed { on_disk } => {
            match on_disk {
                Some(disk) => {
                    lines.push(Line::raw(format!(
                        "{name} changed on disk since it was opened:"
                    )));
                    let diff = crate::fsio::line_diff(disk, &ed.text());
                    let changed = diff.iter().filter(|d| !matches!(d, DiffLine::Same(_)));
                    for d in changed.clone().take(DIFF_LINES) {
                        let (sign, text, color) = match d {
                            DiffLine::Removed(t) => ("- on disk ", t, theme.error),
                            DiffLine::Added(t) => ("+ editor  ", t, theme.ok),
                            DiffLine::Same(t) => ("          ", t, theme.dim),
                        };
                        let text = ellipsize(&sanitize(text), 70);
                        lines.push(Line::styled(
                            format!("{sign}{text}"),
                            Style::default().fg(color),
                        ));
                    }
                    let more = changed.count().saturating_sub(DIFF_LINES);
                    if more > 0 {
                        lines.push(Line::raw(format!("… and {more} more changed line(s)")));
                    }
                }
                None => lines.push(Line::raw(format!("{name} was removed on disk."))),
            }
            &[
                ("o", "overwrite"),
                ("r", "reload from disk"),
                ("a", "save as"),
                ("Esc", "cancel"),
            ]
        }
        SaveRefused::ReadOnly => {
            lines.push(Line::raw(format!("{name} is read-only.")));
            &[
                ("o", "overwrite anyway"),
                ("a", "save as"),
                ("Esc", "cancel"),
            ]
        }
        SaveRefused::Symlink { target: link } => {
            let link = sanitize_name(link);
            lines.push(Line::raw(format!("{name} is a symlink to {link}.")));
            &[
                ("f", "write to the link's target"),
                ("a", "save as"),
                ("Esc", "cancel"),
            ]
        }
        SaveRefused::NoSuchDirectory { dir } => {
            lines.push(Line::raw(format!(
                "The directory {} does not exist.",
                sanitize_name(dir)
            )));
            &[
                ("c", "create it and save"),
                ("a", "save as"),
                ("Esc", "cancel"),
            ]
        }
        SaveRefused::Exists => {
            lines.push(Line::raw(format!("{name} exists already.")));
            &[("o", "overwrite"), ("Esc", "cancel")]
        }
        SaveRefused::Failed(e) => {
            lines.push(Line::raw(sanitize(e)));
            &[("Esc", "close")]
        }
    };
    lines.push(Line::raw(""));
    lines.push(hint(theme, keys));
    lines
}

/// Draws the open modal, if any, centred in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ed: &EditorState, theme: &Theme) {
    let Some(modal) = &ed.modal else { return };
    match modal {
        // Drawn by the pane with the shared text view.
        Modal::Why(_) => {}
        Modal::Unsaved { then } => {
            let what = match then {
                AfterSave::Quit => "before quitting",
                AfterSave::Open(_) => "before opening another file",
                AfterSave::Build | AfterSave::Nothing => "first",
            };
            let lines = vec![
                Line::raw(format!(
                    "{} has unsaved edits. Save them {what}?",
                    sanitize(&ed.name())
                )),
                Line::raw(""),
                crate::ui::widgets::dialog::hint(
                    theme,
                    &[("s", "save"), ("d", "discard"), ("Esc", "cancel")],
                ),
            ];
            boxed(frame, centered(area, 64, 6), "Unsaved edits", lines, theme);
        }
        Modal::Recover { text } => {
            let lines = vec![
                Line::raw(format!(
                    "Unsaved edits of {} were recovered ({} lines) from an earlier session.",
                    sanitize(&ed.name()),
                    text.lines().count()
                )),
                Line::raw(""),
                crate::ui::widgets::dialog::hint(theme, &[("r", "restore them"), ("d", "discard")]),
            ];
            boxed(frame, centered(area, 64, 7), "Recovery", lines, theme);
        }
        Modal::Open(input) => {
            let lines = vec![
                input_line("Path", input, true, theme),
                crate::ui::widgets::dialog::hint(theme, &[("Enter", "open"), ("Esc", "cancel")]),
            ];
            boxed(
                frame,
                centered(area, 70, 4),
                "Open Dockerfile",
                lines,
                theme,
            );
        }
        Modal::SaveAs(input) => {
            let lines = vec![
                input_line("Path", input, true, theme),
                crate::ui::widgets::dialog::hint(theme, &[("Enter", "save"), ("Esc", "cancel")]),
            ];
            boxed(frame, centered(area, 70, 4), "Save as", lines, theme);
        }
        Modal::Refused { refused, target } => {
            let lines = refused_lines(ed, refused, target, theme);
            let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
            boxed(frame, centered(area, 84, h), "Not saved yet", lines, theme);
        }
        Modal::Search(input) => {
            let lines = vec![
                input_line("Regex", input, true, theme),
                crate::ui::widgets::dialog::hint(
                    theme,
                    &[("Enter", "find"), ("F3", "next"), ("Esc", "clear")],
                ),
            ];
            boxed(frame, centered(area, 60, 4), "Search", lines, theme);
        }
        Modal::Build(form) => {
            let (mut lines, active) = build_lines(form, theme);
            // Too short for every field: the rows around the field with the cursor, the keys
            // hint kept last.
            let room = area.height.saturating_sub(2) as usize;
            if lines.len() > room && room > 1 {
                let hint = lines.pop();
                let body = room - 1;
                let start = (active + 2).saturating_sub(body).min(lines.len() - body);
                lines = lines.into_iter().skip(start).take(body).collect();
                lines.extend(hint);
            }
            let h = lines.len() as u16 + 2;
            boxed(frame, centered(area, 76, h), "Build image", lines, theme);
        }
    }
}
