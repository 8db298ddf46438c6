//! Drawing the pull, push, login and add-registry dialogs. Passwords are drawn as dots.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::config::theme::Theme;
use crate::state::registry::dialogs::RegistryDialog;
use crate::state::widgets::input::TextInput;
use crate::ui::widgets::dialog::{frame_dialog, height_for, hint};
use crate::ui::{Ctx, centered};
use crate::util::sanitize::sanitize;

fn field<'a>(label: &str, text: String, active: bool, theme: &Theme) -> Line<'a> {
    let style = if active {
        Style::default().fg(theme.key).add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(theme.dim)
    };
    let mut spans = vec![
        Span::styled(format!("{label:<10}"), style),
        Span::styled(if active { "> " } else { "  " }, style),
        Span::raw(text),
    ];
    if active {
        spans.push(Span::styled("█", Style::default().fg(theme.key)));
    }
    Line::from(spans)
}

fn toggle<'a>(label: &str, on: bool, active: bool, theme: &Theme) -> Line<'a> {
    field(
        label,
        format!("[{}] (Space toggles)", if on { "x" } else { " " }),
        active,
        theme,
    )
}

fn text(input: &TextInput) -> String {
    sanitize(&input.text)
}

fn error_line<'a>(error: &Option<String>, ok: &str, theme: &Theme) -> Line<'a> {
    match error {
        Some(e) => Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        ),
        None => Line::styled(ok.to_string(), Style::default().fg(theme.ok)),
    }
}

/// Draws the dialog over `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, dialog: &RegistryDialog, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let (title, lines, danger) = match dialog {
        RegistryDialog::Pull {
            reference,
            platform,
            field: f,
            error,
        } => (
            "Pull image",
            vec![
                Line::raw("name, name:tag, name@sha256:… or host:port/path:tag"),
                field("Reference", text(reference), *f == 0, theme),
                field("Platform", text(platform), *f == 1, theme),
                Line::styled(
                    "          optional, e.g. linux/arm64 (empty: the engine's own)",
                    Style::default().fg(theme.dim),
                ),
                error_line(error, "", theme),
                hint(
                    theme,
                    &[("Enter", "pull"), ("Tab", "next field"), ("Esc", "cancel")],
                ),
            ],
            false,
        ),
        RegistryDialog::Push {
            reference,
            registry,
        } => (
            "Push image",
            vec![
                Line::raw(format!("Push {}", sanitize(reference))),
                Line::from(vec![
                    Span::raw("to registry "),
                    Span::styled(
                        sanitize(registry),
                        Style::default()
                            .fg(theme.warning)
                            .add_modifier(Modifier::BOLD),
                    ),
                    Span::raw("?"),
                ]),
                Line::styled(
                    "Sends your saved login for that registry, if you have one (L logs in).",
                    Style::default().fg(theme.dim),
                ),
                Line::raw(""),
                hint(theme, &[("y/Enter", "push"), ("n/Esc", "cancel")]),
            ],
            true,
        ),
        RegistryDialog::Login {
            server,
            username,
            password,
            insecure,
            field: f,
            error,
            pending,
        } => {
            let status = if *pending {
                Line::styled(
                    "Verifying with the registry…",
                    Style::default().fg(theme.warning),
                )
            } else {
                error_line(error, "", theme)
            };
            (
                "Log in to a registry",
                vec![
                    field("Registry", text(server), *f == 0, theme),
                    field("User", text(username), *f == 1, theme),
                    field(
                        "Password",
                        "•".repeat(password.0.text.chars().count()),
                        *f == 2,
                        theme,
                    ),
                    toggle("Insecure", *insecure, *f == 3, theme),
                    status,
                    Line::styled(
                        "Saved like docker login: credential helper if configured, else config.json (0600).",
                        Style::default().fg(theme.dim),
                    ),
                    hint(
                        theme,
                        &[
                            ("Enter", "log in"),
                            ("Tab", "next field"),
                            ("Esc", "cancel"),
                        ],
                    ),
                ],
                false,
            )
        }
        RegistryDialog::AddRegistry {
            url,
            insecure,
            field: f,
            error,
        } => (
            "Add a registry",
            vec![
                field("Address", text(url), *f == 0, theme),
                toggle("Insecure", *insecure, *f == 1, theme),
                Line::styled(
                    "host[:port] or https://host; insecure = plain HTTP (localhost always is).",
                    Style::default().fg(theme.dim),
                ),
                error_line(error, "", theme),
                hint(
                    theme,
                    &[("Enter", "add"), ("Tab", "next field"), ("Esc", "cancel")],
                ),
            ],
            false,
        ),
    };
    let rect = centered(area, 76, height_for(&lines, 76, area));
    frame_dialog(frame, rect, title.to_string(), lines, theme, danger);
}
