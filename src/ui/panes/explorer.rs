//! The layer explorer pane: the image's layers on the left, the file tree as of the chosen layer
//! on the right, dive's image-wide figures on top and the view choices and keys at the bottom.
//! While the analysis runs it shows how much of the export was read and how to cancel.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::explorer_lists::{draw_layers, draw_tree, draw_wasted};
use super::jobs::rate_eta;
use crate::action::{Action, AppAction, ExplorerAction, ImagesAction, ListAction};
use crate::config::keymap::Context;
use crate::layers::Figures;
use crate::layers::report::human_bytes;
use crate::layers::view::ViewMode;
use crate::state::explorer::{ExplorerState, Phase};
use crate::state::{AppState, PaneId};
use crate::ui::widgets::bar::bar;
use crate::ui::{Ctx, focused, pane_block};
use crate::util::sanitize::sanitize;
use crate::util::text::ellipsize;

/// Below this width the layer list goes above the tree instead of beside it.
const SIDE_BY_SIDE: u16 = 100;

/// The key bound to `action` in the explorer, for hints.
pub(super) fn key(ctx: &Ctx<'_>, action: Action) -> String {
    ctx.keymap
        .key_for(Context::Explorer, action)
        .map_or_else(|| "?".to_string(), |k| k.to_string())
}

/// A percentage for display, `—` when it is not a number (an image without user layers).
fn pct(ratio: f64) -> String {
    if ratio.is_finite() {
        format!("{:.2} %", ratio * 100.0)
    } else {
        "—".to_string()
    }
}

fn figures_line<'a>(f: &Figures, width: u16, ctx: &Ctx<'_>) -> Line<'a> {
    let t = ctx.theme;
    let label = Style::default().fg(t.dim);
    let value = Style::default().fg(t.fg).add_modifier(Modifier::BOLD);
    let eff_style = if f.efficiency >= 0.9 { t.ok } else { t.warning };
    let wasted_style = if f.wasted_bytes == 0 { t.ok } else { t.warning };
    if width < 110 {
        return Line::from(vec![
            Span::styled(" ", label),
            Span::styled(human_bytes(f.size_bytes), value),
            Span::styled(" · wasted ", label),
            Span::styled(human_bytes(f.wasted_bytes), value.fg(wasted_style)),
            Span::styled(" · efficiency ", label),
            Span::styled(pct(f.efficiency), value.fg(eff_style)),
            Span::styled(" · user wasted ", label),
            Span::styled(pct(f.user_wasted_percent), value),
        ]);
    }
    Line::from(vec![
        Span::styled(" Total ", label),
        Span::styled(human_bytes(f.size_bytes), value),
        Span::styled("  │  Potential wasted ", label),
        Span::styled(human_bytes(f.wasted_bytes), value.fg(wasted_style)),
        Span::styled("  │  Efficiency ", label),
        Span::styled(pct(f.efficiency), value.fg(eff_style)),
        Span::styled("  │  User wasted ", label),
        Span::styled(pct(f.user_wasted_percent), value),
        Span::styled(
            format!("  │  {} inefficient files", f.inefficient.len()),
            label,
        ),
    ])
}

/// The left part of the footer: mode, status filter, path filter.
fn choices_line<'a>(ex: &ExplorerState, ctx: &Ctx<'_>) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let dim = Style::default().fg(t.dim);
    let mode = match ex.opts.mode {
        ViewMode::Aggregated => "whole image",
        ViewMode::LayerChanges => "layer changes",
    };
    let mut spans = vec![
        Span::styled(" ", dim),
        Span::styled(mode, Style::default().fg(t.key)),
        Span::styled(" │ ", dim),
    ];
    let f = ex.opts.status_filter;
    for (on, letter, color) in [
        (f.added, "A", t.ok),
        (f.modified, "M", t.warning),
        (f.removed, "R", t.error),
        (f.unchanged, "U", t.fg),
    ] {
        let style = if on {
            Style::default().fg(color).add_modifier(Modifier::BOLD)
        } else {
            Style::default()
                .fg(t.dim)
                .add_modifier(Modifier::CROSSED_OUT)
        };
        spans.push(Span::styled(letter, style));
        spans.push(Span::raw(" "));
    }
    if let Some(input) = &ex.filter_input.editing {
        spans.push(Span::styled("│ filter: ", dim));
        spans.push(Span::styled(
            format!("{}▏", sanitize(&input.text)),
            Style::default().fg(t.key),
        ));
    } else if !ex.opts.path_filter.is_empty() {
        spans.push(Span::styled("│ filter: ", dim));
        spans.push(Span::styled(
            sanitize(&ex.opts.path_filter),
            Style::default().fg(t.key),
        ));
    }
    spans
}

fn hints<'a>(ex: &ExplorerState, ctx: &Ctx<'_>) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let k = |a| Span::styled(key(ctx, a), Style::default().fg(t.key));
    let d = |s: &'static str| Span::styled(s, Style::default().fg(t.dim));
    if ex.filter_input.is_open() {
        return vec![d("type a path · Enter keep · Esc clear ")];
    }
    vec![
        k(Action::Explorer(ExplorerAction::PrevLayer)),
        d(" "),
        k(Action::Explorer(ExplorerAction::NextLayer)),
        d(" layer  "),
        k(Action::Explorer(ExplorerAction::SwitchSide)),
        d(" side  "),
        k(Action::Explorer(ExplorerAction::ToggleChangesOnly)),
        d(" changes  "),
        k(Action::Explorer(ExplorerAction::ToggleAdded)),
        k(Action::Explorer(ExplorerAction::ToggleModified)),
        k(Action::Explorer(ExplorerAction::ToggleRemoved)),
        k(Action::Explorer(ExplorerAction::ToggleUnchanged)),
        d(" status  "),
        k(Action::List(ListAction::Filter)),
        d(" filter  "),
        k(Action::Explorer(ExplorerAction::ToggleWasted)),
        d(" wasted  "),
        k(Action::App(AppAction::Help)),
        d(" help "),
    ]
}

/// The hints that matter most, for narrow screens.
fn short_hints<'a>(ex: &ExplorerState, ctx: &Ctx<'_>) -> Vec<Span<'a>> {
    let t = ctx.theme;
    let k = |a| Span::styled(key(ctx, a), Style::default().fg(t.key));
    let d = |s: &'static str| Span::styled(s, Style::default().fg(t.dim));
    if ex.filter_input.is_open() {
        return vec![d("Enter keep · Esc clear ")];
    }
    vec![
        k(Action::Explorer(ExplorerAction::PrevLayer)),
        d(" "),
        k(Action::Explorer(ExplorerAction::NextLayer)),
        d(" layer  "),
        k(Action::App(AppAction::Help)),
        d(" keys "),
    ]
}

fn draw_progress(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let t = ctx.theme;
    let ex = &state.panes.explorer.state;
    let dim = Style::default().fg(t.dim);
    let label = sanitize(&ex.label);
    let mut lines = Vec::new();
    match &ex.phase {
        Phase::Idle => lines.push(Line::styled(
            format!(
                "Select an image and press {} (or {} on a layer) to explore its files.",
                ctx.keymap
                    .key_for(Context::Images, Action::Images(ImagesAction::OpenExplorer))
                    .map_or_else(String::new, |k| k.to_string()),
                ctx.keymap
                    .key_for(Context::Layers, Action::Images(ImagesAction::OpenExplorer))
                    .map_or_else(String::new, |k| k.to_string()),
            ),
            dim,
        )),
        Phase::Running { done, total, job } => {
            lines.push(Line::from(vec![
                Span::styled("Analysing ", Style::default().fg(t.fg)),
                Span::styled(
                    label,
                    Style::default().fg(t.key).add_modifier(Modifier::BOLD),
                ),
                Span::styled(" — reading the engine's export", dim),
            ]));
            lines.push(Line::raw(""));
            let width = area.width.saturating_sub(4).clamp(10, 60) as usize;
            let shown = if *total > 0 { (*done).min(*total) } else { 0 };
            let filled = bar(shown, *total, width).trim_end().to_string();
            let rest = width - filled.chars().count();
            lines.push(Line::from(vec![
                Span::styled(filled, Style::default().fg(t.bar)),
                Span::styled("░".repeat(rest), dim),
            ]));
            let mut text = if *total > 0 {
                format!(
                    "{} of {} ({:.0} %)",
                    human_bytes(*done),
                    human_bytes(*total),
                    shown as f64 * 100.0 / *total as f64
                )
            } else {
                format!("{} read", human_bytes(*done))
            };
            let started = job.and_then(|id| state.panes.jobs.jobs.list.iter().find(|j| j.id == id));
            if *done == 0 {
                text.push_str(" · waiting for the engine to start the export…");
            } else if let Some((rate, eta)) =
                started.and_then(|j| rate_eta(*done, *total, state.shared.now - j.started))
            {
                text.push_str(&format!(" · {}/s", human_bytes(rate)));
                if let Some(eta) = eta {
                    text.push_str(&format!(" · about {eta} s left"));
                }
            }
            lines.push(Line::raw(text));
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled(
                    key(ctx, Action::App(AppAction::CancelJob)),
                    Style::default().fg(t.key),
                ),
                Span::styled(" cancel · ", dim),
                Span::styled(
                    key(ctx, Action::List(ListAction::Back)),
                    Style::default().fg(t.key),
                ),
                Span::styled(" back to the layers (it keeps running)", dim),
            ]));
        }
        Phase::Failed(e) => {
            lines.push(Line::styled(
                format!("Could not analyse {label}:"),
                Style::default().fg(t.error).add_modifier(Modifier::BOLD),
            ));
            lines.push(Line::styled(sanitize(e), Style::default().fg(t.error)));
            lines.push(Line::raw(""));
            lines.push(Line::styled("Ctrl-r tries again.", dim));
        }
        Phase::Cancelled => {
            lines.push(Line::styled(
                format!("The analysis of {label} was cancelled."),
                Style::default().fg(t.warning),
            ));
            lines.push(Line::styled("Ctrl-r starts it again.", dim));
        }
        Phase::Ready => {}
    }
    let height = (lines.len() as u16).min(area.height);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(2),
    ])
    .areas(area);
    let [_, center, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(area.width.saturating_sub(4).min(72)),
        Constraint::Fill(1),
    ])
    .areas(mid);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), center);
}

/// The explorer has no dialog.
pub fn draw_dialog(_frame: &mut Frame<'_>, _area: Rect, _state: &AppState, _ctx: &Ctx<'_>) {}

/// Draws the pane; returns how many tree rows fit.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    let theme = ctx.theme;
    let ex = &state.panes.explorer.state;
    let label = crate::ui::widgets::tabs::pane_label(ctx, PaneId::Explorer);
    let mut title = vec![Span::raw(format!(" {label} "))];
    if ex.image.is_some() {
        title.push(Span::styled(
            format!("{} ", ellipsize(&sanitize(&ex.label), 50)),
            Style::default().fg(theme.dim),
        ));
    }
    let block = pane_block(Line::from(title), focused(state, PaneId::Explorer), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let analysis = match (&ex.phase, &ex.analysis) {
        (Phase::Ready, Some(a)) => a,
        _ => {
            draw_progress(frame, inner, state, ctx);
            return inner.height.saturating_sub(2) as usize;
        }
    };
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(figures_line(&analysis.figures, header.width, ctx)),
        header,
    );
    let layers_len = analysis.layers.len() as u16;
    let (left, right) = if body.width >= SIDE_BY_SIDE {
        let w = (body.width * 36 / 100).clamp(34, 64);
        let [l, r] = Layout::horizontal([Constraint::Length(w), Constraint::Min(20)]).areas(body);
        (l, r)
    } else {
        let h = (layers_len + 3).min(body.height * 2 / 5).max(4);
        let [l, r] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(body);
        (l, r)
    };
    draw_layers(frame, left, state, analysis, ctx);
    let rows = if ex.show_wasted {
        draw_wasted(frame, right, state, analysis, ctx)
    } else {
        draw_tree(frame, right, state, analysis, ctx)
    };
    let mut spans = choices_line(ex, ctx);
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let width = |v: &[Span<'_>]| v.iter().map(|s| s.width()).sum::<usize>();
    let full = hints(ex, ctx);
    let hint = if used + width(&full) + 2 <= footer.width as usize {
        full
    } else {
        short_hints(ex, ctx)
    };
    let hint_w = width(&hint);
    if used + hint_w + 2 <= footer.width as usize {
        spans.push(Span::raw(" ".repeat(footer.width as usize - used - hint_w)));
        spans.extend(hint);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), footer);
    rows
}

#[cfg(test)]
#[path = "explorer_tests.rs"]
mod tests;
