//! The explorer's three lists: the layers, the file tree and the inefficient files.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use crate::config::theme::Theme;
use crate::layers::ImageAnalysis;
use crate::layers::model::EntryKind;
use crate::layers::report::human_bytes;
use crate::layers::tree::Status;
use crate::layers::view::{Row as TreeRow, ViewMode};
use crate::state::explorer::{Side, layer_label};
use crate::state::widgets::scroll::follow;
use crate::state::{AppState, PaneId};
use crate::ui::widgets::bar::bar;
use crate::ui::{Ctx, focused, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::ellipsize;

/// Colour and letter of a status.
pub fn status_mark(status: Status, theme: &Theme) -> (char, Color) {
    match status {
        Status::Added => ('A', theme.ok),
        Status::Modified => ('M', theme.warning),
        Status::Removed => ('R', theme.error),
        Status::Unchanged => ('·', theme.dim),
    }
}

/// The image's layers with size, a bar and the instruction; the chosen one highlighted.
pub fn draw_layers(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &AppState,
    a: &ImageAnalysis,
    ctx: &Ctx<'_>,
) {
    let t = ctx.theme;
    let ex = &state.panes.explorer.state;
    let active = focused(state, PaneId::Explorer) && ex.side == Side::Layers;
    let block = crate::ui::framed(Line::raw(" Layers "), active, t);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // With room to spare, the chosen layer's full instruction goes under the list.
    let list_h = a.layers.len() as u16 + 1;
    let inner = if inner.height >= list_h + 5 {
        let [list, detail] =
            Layout::vertical([Constraint::Length(list_h), Constraint::Min(4)]).areas(inner);
        draw_layer_detail(frame, detail, state, a, ctx);
        list
    } else {
        inner
    };
    let height = inner.height.saturating_sub(1) as usize;
    let offset = follow(ex.layer_offset, ex.layer, height, usize::MAX);
    let max = a.layers.iter().map(|l| l.size).max().unwrap_or(0);
    let bar_w: u16 = if inner.width >= 44 { 6 } else { 0 };
    let cmd_w = inner.width.saturating_sub(3 + 9 + bar_w + 3) as usize;
    let rows = a
        .layers
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, l)| {
            let chosen = i == ex.layer;
            let style = if chosen && active {
                selected_style(t)
            } else if chosen {
                Style::default()
                    .fg(t.border_focused)
                    .add_modifier(Modifier::BOLD)
            } else if l.size == 0 {
                Style::default().fg(t.dim)
            } else {
                Style::default().fg(t.fg)
            };
            let marker = if chosen { "▶" } else { " " };
            Row::new(vec![
                Line::raw(format!("{marker}{:>2}", i + 1)),
                Line::raw(human_bytes(l.size)).right_aligned(),
                Line::styled(bar(l.size, max, bar_w as usize), Style::default().fg(t.bar)),
                Line::raw(ellipsize(&sanitize(&layer_label(&l.command)), cmd_w)),
            ])
            .style(style)
        });
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Length(9),
            Constraint::Length(bar_w),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(vec!["  #", "     SIZE", "", "COMMAND"]).style(crate::ui::header_style(t)))
    .column_spacing(1);
    frame.render_widget(table, inner);
}

/// The chosen layer: number, size, entries, digest and the whole instruction.
fn draw_layer_detail(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &AppState,
    a: &ImageAnalysis,
    ctx: &Ctx<'_>,
) {
    let t = ctx.theme;
    let Some(l) = a.layers.get(state.panes.explorer.state.layer) else {
        return;
    };
    let dim = Style::default().fg(t.dim);
    let digest = if l.diff_id.is_empty() {
        &l.id
    } else {
        &l.diff_id
    };
    let lines = vec![
        Line::styled(
            "─".repeat(area.width as usize),
            Style::default().fg(t.border),
        ),
        Line::from(vec![
            Span::styled(
                format!("Layer {} of {}", l.index + 1, a.layers.len()),
                Style::default().fg(t.fg).add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    " · {} · {}",
                    human_bytes(l.size),
                    match l.entries.len() {
                        1 => "1 entry".to_string(),
                        n => format!("{n} entries"),
                    }
                ),
                dim,
            ),
        ]),
        Line::styled(
            format!("Digest  {}", crate::util::text::short_id(&sanitize(digest))),
            dim,
        ),
        Line::styled(
            sanitize(&layer_label(&l.command)),
            Style::default().fg(t.fg),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn name_cell<'a>(row: &TreeRow, theme: &Theme) -> Line<'a> {
    let (_, color) = status_mark(row.status, theme);
    let mut name_style = Style::default().fg(if row.status == Status::Unchanged {
        theme.fg
    } else {
        color
    });
    if row.kind == EntryKind::Dir {
        name_style = name_style.add_modifier(Modifier::BOLD);
    }
    if row.status == Status::Removed {
        name_style = name_style.add_modifier(Modifier::CROSSED_OUT);
    }
    let arrow = if row.collapsed {
        "▸ "
    } else if row.has_children {
        "▾ "
    } else {
        "  "
    };
    let mut spans = vec![
        Span::styled("  ".repeat(row.depth), Style::default().fg(theme.dim)),
        Span::styled(arrow, Style::default().fg(theme.dim)),
        Span::styled(sanitize(&row.name), name_style),
    ];
    if row.kind == EntryKind::Dir {
        spans.push(Span::styled("/", Style::default().fg(theme.dim)));
    }
    if let Some(link) = &row.link {
        let arrow = if row.kind == EntryKind::HardLink {
            " ⇒ "
        } else {
            " → "
        };
        spans.push(Span::styled(arrow, Style::default().fg(theme.dim)));
        spans.push(Span::styled(sanitize(link), Style::default().fg(theme.dim)));
    }
    Line::from(spans)
}

/// The file tree of the chosen layer; returns how many rows fit.
pub fn draw_tree(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &AppState,
    a: &ImageAnalysis,
    ctx: &Ctx<'_>,
) -> usize {
    let t = ctx.theme;
    let ex = &state.panes.explorer.state;
    let active = focused(state, PaneId::Explorer) && ex.side == Side::Tree;
    let layer = ex.layer + 1;
    let what = match ex.opts.mode {
        ViewMode::Aggregated => format!(" Files as of layer {layer}/{} ", a.layers.len()),
        ViewMode::LayerChanges => format!(" Changes in layer {layer}/{} ", a.layers.len()),
    };
    let count = format!("{} rows ", ex.rows.len());
    let block = crate::ui::framed(Line::raw(what), active, t)
        .title_top(Line::styled(count, Style::default().fg(t.dim)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height.saturating_sub(1) as usize;
    if ex.rows.is_empty() {
        let text = if ex.opts.path_filter.is_empty() {
            "Nothing to show with these choices."
        } else {
            "No path matches the filter."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, Style::default().fg(t.dim))),
            inner,
        );
        return height.max(1);
    }
    let show_mode = inner.width >= 60;
    let show_owner = inner.width >= 76;
    let offset = follow(ex.offset, ex.cursor, height, ex.rows.len());
    let rows = ex
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, r)| {
            let (letter, color) = status_mark(r.status, t);
            let mut cells = vec![Line::styled(
                letter.to_string(),
                Style::default().fg(color).add_modifier(Modifier::BOLD),
            )];
            if show_mode {
                cells.push(Line::styled(r.mode.clone(), Style::default().fg(t.dim)));
            }
            if show_owner {
                cells.push(
                    Line::styled(r.owner.clone(), Style::default().fg(t.dim)).right_aligned(),
                );
            }
            cells.push(Line::raw(human_bytes(r.size)).right_aligned());
            cells.push(name_cell(r, t));
            let mut row = Row::new(cells);
            if i == ex.cursor && active {
                row = row.style(selected_style(t));
            } else if i == ex.cursor {
                row = row.style(Style::default().add_modifier(Modifier::UNDERLINED));
            }
            row
        });
    let mut widths = vec![Constraint::Length(1)];
    let mut header = vec![" "];
    if show_mode {
        widths.push(Constraint::Length(10));
        header.push("PERMISSION");
    }
    if show_owner {
        widths.push(Constraint::Length(11));
        header.push("    UID:GID");
    }
    widths.push(Constraint::Length(8));
    header.push("    SIZE");
    widths.push(Constraint::Fill(1));
    header.push("PATH");
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(crate::ui::header_style(t)))
        .column_spacing(1);
    frame.render_widget(table, inner);
    height.max(1)
}

/// The inefficient files (dive's list); returns how many rows fit.
pub fn draw_wasted(
    frame: &mut Frame<'_>,
    area: Rect,
    state: &AppState,
    a: &ImageAnalysis,
    ctx: &Ctx<'_>,
) -> usize {
    let t = ctx.theme;
    let ex = &state.panes.explorer.state;
    let active = focused(state, PaneId::Explorer) && ex.side == Side::Tree;
    let f = &a.figures;
    let title = format!(
        " Inefficient files: {} · {} potentially wasted ",
        f.inefficient.len(),
        human_bytes(f.wasted_bytes)
    );
    let block = crate::ui::framed(Line::raw(title), active, t);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height.saturating_sub(1) as usize;
    if f.inefficient.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "No file is stored more than once: nothing is wasted.",
                Style::default().fg(t.ok),
            )),
            inner,
        );
        return height.max(1);
    }
    let offset = ex.wasted_cursor.saturating_sub(height.saturating_sub(1));
    let rows = f
        .inefficient
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, file)| {
            let row = Row::new(vec![
                Line::raw(file.count.to_string()).right_aligned(),
                Line::raw(human_bytes(file.size)).right_aligned(),
                Line::raw(ellipsize(&file.layer_list(), 12)),
                Line::raw(sanitize(&file.path)),
            ]);
            if i == ex.wasted_cursor && active {
                row.style(selected_style(t))
            } else {
                row
            }
        });
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(12),
            Constraint::Length(12),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(vec!["COUNT", "WASTED SPACE", "IN LAYERS", "FILE PATH"])
            .style(crate::ui::header_style(t)),
    )
    .column_spacing(2);
    frame.render_widget(table, inner);
    height.max(1)
}
