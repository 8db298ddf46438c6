//! The volumes and networks panes' dialogs: create, remove (or why not), connect, disconnect,
//! and prune with the engine's preview.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::config::theme::Theme;
use crate::engine::volumes::VolumePruneScope;
use crate::state::disk::plan::Plan;
use crate::state::networks::NetworksDialog;
use crate::state::volumes::VolumesDialog;
use crate::state::widgets::prompt::Prompt;
use crate::ui::widgets::dialog::{frame_dialog, height_for, hint};
use crate::ui::{Ctx, centered, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::bytes;

fn input_lines(label: &str, prompt: &Prompt, ok: &str, theme: &Theme) -> Vec<Line<'static>> {
    vec![
        Line::raw(label.to_string()),
        Line::from(vec![
            Span::styled("> ", Style::default().fg(theme.key)),
            Span::raw(sanitize(&prompt.input.text)),
            Span::styled("█", Style::default().fg(theme.key)),
        ]),
        match &prompt.error {
            Some(e) => Line::styled(format!("✗ {e}"), Style::default().fg(theme.error)),
            None => Line::styled(format!("✓ {ok}"), Style::default().fg(theme.ok)),
        },
        Line::raw(""),
    ]
}

fn show(
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
    lines: Vec<Line<'_>>,
    theme: &Theme,
    danger: bool,
) {
    let rect = centered(area, 80, height_for(&lines, 80, area));
    frame_dialog(frame, rect, title.into(), lines, theme, danger);
}

fn room(area: Rect, used: usize) -> usize {
    usize::from(area.height).saturating_sub(used + 4).max(1)
}

fn plan_status<T>(plan: &Plan<T>, theme: &Theme) -> Option<Line<'static>> {
    match plan {
        Plan::Loading => Some(Line::raw("Working out what would go…")),
        Plan::Failed(e) => Some(Line::styled(
            format!("No preview: {}", sanitize(e)),
            Style::default().fg(theme.error),
        )),
        Plan::Ready(_) => None,
    }
}

/// Draws a volumes dialog over `area`.
pub fn draw_volumes(frame: &mut Frame<'_>, area: Rect, d: &VolumesDialog, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    match d {
        VolumesDialog::Create { prompt } => {
            let mut lines =
                input_lines("Name of the new local volume:", prompt, "valid name", theme);
            lines.push(hint(theme, &[("Enter", "create"), ("Esc", "cancel")]));
            show(frame, area, "Create volume", lines, theme, false);
        }
        VolumesDialog::Remove { names, refused } => {
            let mut lines = Vec::new();
            if !names.is_empty() {
                lines.push(Line::raw(format!(
                    "Remove {} volume(s) and their data?",
                    names.len()
                )));
                for n in names {
                    lines.push(Line::raw(format!("  • {}", sanitize(n))));
                }
            }
            for (n, users) in refused {
                lines.push(Line::styled(
                    format!(
                        "  ✗ {} stays: used by {}",
                        sanitize(n),
                        sanitize(&users.join(", "))
                    ),
                    Style::default().fg(theme.error),
                ));
            }
            lines.push(Line::raw(""));
            lines.push(if names.is_empty() {
                hint(theme, &[("Esc", "close")])
            } else {
                hint(theme, &[("y/Enter", "remove"), ("n/Esc", "cancel")])
            });
            show(frame, area, "Remove volumes", lines, theme, true);
        }
        VolumesDialog::Prune { scope, plan, view } => {
            let radio = |on: bool| if on { "(•)" } else { "( )" };
            let mut lines = vec![
                Line::raw(format!(
                    "{} anonymous unused volumes   {} all unused volumes (named too)",
                    radio(*scope == VolumePruneScope::Anonymous),
                    radio(*scope == VolumePruneScope::All)
                )),
                Line::raw(""),
            ];
            lines.extend(plan_status(plan, theme));
            if let Plan::Ready(p) = plan {
                if p.effective != p.asked {
                    lines.push(Line::styled(
                        "This engine (API < 1.42) prunes every unused volume, named ones too.",
                        Style::default().fg(theme.warning),
                    ));
                }
                lines.push(Line::styled(
                    format!(
                        "{} volume(s) would go, freeing {}",
                        p.volumes.len(),
                        bytes(p.reclaim)
                    ),
                    Style::default().add_modifier(Modifier::BOLD),
                ));
                let take = room(area, lines.len());
                for v in p.volumes.iter().skip(view.offset).take(take) {
                    let size = v.size.map_or_else(|| "?".into(), bytes);
                    lines.push(Line::raw(format!("  {size:>10}  {}", sanitize(&v.name))));
                }
            }
            lines.push(Line::raw(""));
            lines.push(hint(
                theme,
                &[("Enter", "prune"), ("Tab", "scope"), ("Esc", "cancel")],
            ));
            show(frame, area, "Prune volumes", lines, theme, true);
        }
    }
}

/// Draws a networks dialog over `area`.
pub fn draw_networks(frame: &mut Frame<'_>, area: Rect, d: &NetworksDialog, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    match d {
        NetworksDialog::Create { prompt } => {
            let mut lines = input_lines(
                "Name of the new bridge network:",
                prompt,
                "valid name",
                theme,
            );
            lines.push(hint(theme, &[("Enter", "create"), ("Esc", "cancel")]));
            show(frame, area, "Create network", lines, theme, false);
        }
        NetworksDialog::Remove { name, refusal } => {
            let lines = match refusal {
                Some(why) => vec![
                    Line::styled(
                        format!("✗ {}", sanitize(why)),
                        Style::default().fg(theme.error),
                    ),
                    Line::raw(""),
                    hint(theme, &[("Esc", "close")]),
                ],
                None => vec![
                    Line::raw(format!("Remove network {}?", sanitize(name))),
                    Line::raw(""),
                    hint(theme, &[("y/Enter", "remove"), ("n/Esc", "cancel")]),
                ],
            };
            show(frame, area, "Remove network", lines, theme, true);
        }
        NetworksDialog::Connect {
            network,
            prompt,
            candidates,
        } => {
            let label = format!("Container to connect to {}:", sanitize(network));
            let mut lines = input_lines(&label, prompt, "known container", theme);
            if !candidates.is_empty() {
                lines.insert(
                    3,
                    Line::styled(
                        format!("Not attached: {}", sanitize(&candidates.join(", "))),
                        Style::default().fg(theme.dim),
                    ),
                );
            }
            lines.push(hint(theme, &[("Enter", "connect"), ("Esc", "cancel")]));
            show(frame, area, "Connect a container", lines, theme, false);
        }
        NetworksDialog::Disconnect {
            network,
            members,
            cursor,
        } => {
            let lines = disconnect_lines(network, members, *cursor, theme);
            show(frame, area, "Disconnect a container", lines, theme, true);
        }
        NetworksDialog::Prune { plan, view } => {
            let lines = network_prune_lines(plan, view.offset, area, theme);
            show(frame, area, "Prune networks", lines, theme, true);
        }
    }
}

fn disconnect_lines(
    network: &str,
    members: &[crate::engine::networks::NetworkMember],
    cursor: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw(format!(
        "Disconnect which container from {}?",
        sanitize(network)
    ))];
    for (i, m) in members.iter().enumerate() {
        let state = if m.active { "" } else { " (stopped)" };
        let line = Line::raw(format!("  {}{state}", sanitize(&m.name)));
        lines.push(if i == cursor {
            line.style(selected_style(theme))
        } else {
            line
        });
    }
    lines.push(Line::raw(""));
    lines.push(hint(
        theme,
        &[
            ("↑/↓", "choose"),
            ("Enter", "disconnect"),
            ("Esc", "cancel"),
        ],
    ));
    lines
}

fn network_prune_lines(
    plan: &Plan<crate::engine::networks::NetworkPrunePlan>,
    offset: usize,
    area: Rect,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    lines.extend(plan_status(plan, theme));
    if let Plan::Ready(p) = plan {
        lines.push(Line::styled(
            format!("{} unused network(s) would go:", p.networks.len()),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        let take = room(area, lines.len());
        for n in p.networks.iter().skip(offset).take(take) {
            let mut text = format!("  • {}", sanitize(&n.name));
            if !n.stopped_users.is_empty() {
                text.push_str(&format!(
                    "  (stopped containers refer to it: {})",
                    sanitize(&n.stopped_users.join(", "))
                ));
            }
            lines.push(Line::raw(text));
        }
    }
    lines.push(Line::raw(""));
    lines.push(hint(theme, &[("Enter", "prune"), ("Esc", "cancel")]));
    lines
}
