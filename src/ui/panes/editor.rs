//! The Dockerfile editor pane: the textarea with syntax colours laid over it, a gutter with line
//! numbers, lint severities and build-step marks, the failing step's error beside its line, and
//! panels for the lint list and the build log. Modal questions are drawn by `editor_modal`.
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthChar;

use super::{editor_build, editor_modal};
use crate::config::theme::Theme;
use crate::dockerfile::Severity;
use crate::dockerfile::highlight::TokenKind;
use crate::state::editor::build::StepMark;
use crate::state::editor::{EditorState, Modal};
use crate::state::{AppState, PaneId};
use crate::ui::{Ctx, focused, pane_block, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::ellipsize;

/// The text-editing keys (handled by the textarea, not the keymap), for help.
pub const TEXT_KEYS: [&str; 1] = ["Text: arrows move, Shift+arrows select; every other key types."];

/// The colour of a token kind in `theme`.
pub fn token_color(kind: TokenKind, theme: &Theme) -> Option<Color> {
    Some(match kind {
        TokenKind::Instruction | TokenKind::Keyword => theme.syntax_keyword,
        TokenKind::Flag | TokenKind::Escape => theme.syntax_flag,
        TokenKind::String | TokenKind::Heredoc | TokenKind::Number => theme.syntax_string,
        TokenKind::Comment | TokenKind::Directive => theme.syntax_comment,
        TokenKind::Variable | TokenKind::Key => theme.syntax_variable,
        TokenKind::Image | TokenKind::StageName => theme.title,
        TokenKind::Operator => theme.dim,
        TokenKind::Invalid => theme.error,
        TokenKind::Plain => return None,
    })
}

/// Marker and colour of a lint severity.
pub fn severity_marker(sev: Severity, theme: &Theme) -> (char, Color) {
    match sev {
        Severity::Error => ('E', theme.error),
        Severity::Warning => ('W', theme.warning),
        Severity::Info => ('i', theme.key),
        Severity::Style => ('s', theme.dim),
    }
}

/// Marker and colour of a build step mark.
pub fn step_marker(mark: StepMark, theme: &Theme) -> (char, Color) {
    match mark {
        StepMark::Running => ('▶', theme.key),
        StepMark::Cached => ('✓', theme.ok),
        StepMark::Built => ('●', theme.ok),
        StepMark::Rebuilt => ('↻', theme.warning),
        StepMark::Invalidated => ('!', theme.warning),
        StepMark::Failed => ('✗', theme.error),
        StepMark::Base => ('◆', theme.dim),
    }
}

/// Draws the pane.
/// Draws the pane; returns the rows of text it has.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    draw_body(frame, area, state, ctx);
    area.height.saturating_sub(2) as usize
}

/// The editor draws its own questions and forms.
pub fn draw_dialog(_frame: &mut Frame<'_>, _area: Rect, _state: &AppState, _ctx: &Ctx<'_>) {}

fn draw_body(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let ed = &state.panes.editor;
    let block = pane_block(title(ed, ctx), focused(state, PaneId::Editor), theme);
    let block = match footer(ed, theme) {
        Some(f) => block.title_bottom(f),
        None => block,
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if ed.path.is_none() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("No Dockerfile open.", Style::default().fg(theme.dim)),
                Line::styled(
                    "Start with `dockhand path/to/Dockerfile`, or press Ctrl-o here to open one.",
                    Style::default().fg(theme.dim),
                ),
            ]),
            inner,
        );
        editor_modal::draw(frame, inner, ed, theme);
        if let Some(Modal::Why(view)) = &ed.modal {
            crate::ui::widgets::dialog::draw_text(frame, inner, view, ctx);
        }
        return;
    }
    let mut constraints = vec![Constraint::Min(1)];
    let log_h = editor_build::height(ed, inner.height);
    let lint_h = if ed.lint_open {
        (ed.diagnostics.len() as u16 + 1).clamp(2, (inner.height / 3).max(2))
    } else {
        0
    };
    constraints.push(Constraint::Length(lint_h));
    constraints.push(Constraint::Length(log_h));
    let [text_area, lint_area, log_area] = Layout::vertical(constraints)
        .areas::<3>(inner)
        .map(|r| r.intersection(inner));
    draw_text(frame.buffer_mut(), text_area, ed, theme);
    if lint_h > 0 {
        draw_lint(frame, lint_area, ed, theme);
    }
    if log_h > 0 {
        editor_build::draw(frame, log_area, ed, theme, state.shared.now);
    }
    editor_modal::draw(frame, inner, ed, theme);
    if let Some(Modal::Why(view)) = &ed.modal {
        crate::ui::widgets::dialog::draw_text(frame, inner, view, ctx);
    }
}

fn title<'a>(ed: &EditorState, ctx: &Ctx<'_>) -> Line<'a> {
    let theme = ctx.theme;
    let mut spans = vec![Span::raw(format!(
        " {} — {}",
        crate::ui::widgets::tabs::pane_label(ctx, PaneId::Editor),
        sanitize(&ed.name())
    ))];
    if ed.dirty {
        spans.push(Span::styled(
            " ● unsaved",
            Style::default().fg(theme.warning),
        ));
    }
    let errors = ed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let others = ed.diagnostics.len() - errors;
    spans.push(Span::raw(format!(
        " · lint: {errors} error(s), {others} other "
    )));
    Line::from(spans)
}

fn footer<'a>(ed: &EditorState, theme: &Theme) -> Option<Line<'a>> {
    let line = ed.textarea.cursor().0 + 1;
    if let Some((fail, msg)) = &ed.build.failure
        && *fail == line
    {
        return Some(Line::styled(
            format!(" build failed: {} ", sanitize(msg)),
            Style::default().fg(theme.error),
        ));
    }
    let d = ed.diagnostic_at(line)?;
    let (_, color) = severity_marker(d.severity, theme);
    Some(Line::styled(
        format!(" {} {}: {} ", d.code, d.severity, sanitize(&d.message)),
        Style::default().fg(color),
    ))
}

/// Gutter width: two marker columns, the line number, a space.
fn gutter_width(lines: usize) -> u16 {
    let digits = lines.max(1).to_string().len().max(3) as u16;
    digits + 3
}

fn draw_text(buf: &mut Buffer, area: Rect, ed: &EditorState, theme: &Theme) {
    let lines = ed.textarea.lines();
    let gw = gutter_width(lines.len()).min(area.width);
    let text_rect = Rect {
        x: area.x + gw,
        width: area.width - gw,
        ..area
    };
    ratatui::widgets::Widget::render(&ed.textarea, text_rect, buf);
    let (top, left) = ed.textarea.scroll_offset();
    let (top, left) = (top as usize, left as usize);
    let cursor_row = ed.textarea.cursor().0;
    for r in 0..area.height as usize {
        let idx = top + r;
        let y = area.y + r as u16;
        if idx >= lines.len() {
            break;
        }
        let line_no = idx + 1;
        // Gutter: lint marker, build marker, number.
        if let Some(d) = ed.diagnostic_at(line_no) {
            let (c, color) = severity_marker(d.severity, theme);
            set(
                buf,
                area.x,
                y,
                c,
                Style::default().fg(color).add_modifier(Modifier::BOLD),
                area,
            );
        }
        if let Some(mark) = ed.build.marks.get(&line_no) {
            let (c, color) = step_marker(*mark, theme);
            set(buf, area.x + 1, y, c, Style::default().fg(color), area);
        } else if ed
            .build
            .running
            .is_some_and(|(a, b)| (a..=b).contains(&line_no))
        {
            set(
                buf,
                area.x + 1,
                y,
                '┃',
                Style::default().fg(theme.key),
                area,
            );
        }
        let num_style = if idx == cursor_row {
            Style::default().fg(theme.fg).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(theme.dim)
        };
        let num = format!("{:>w$} ", line_no, w = gw.saturating_sub(3) as usize);
        buf.set_stringn(area.x + 2, y, num, gw.saturating_sub(2) as usize, num_style);
        // Syntax colours over the text the textarea drew.
        if let Some(h) = &ed.highlighter
            && idx < h.len()
        {
            colour_line(
                buf,
                text_rect,
                y,
                &lines[idx],
                &h.line(idx, &lines[idx]),
                left,
                theme,
            );
        }
        // The failing step's error beside its line.
        if let Some((fail, msg)) = &ed.build.failure
            && *fail == line_no
        {
            let used = display_width(&lines[idx]).saturating_sub(left) as u16 + 2;
            if used < text_rect.width {
                let room = (text_rect.width - used) as usize;
                buf.set_stringn(
                    text_rect.x + used,
                    y,
                    format!("✗ {}", ellipsize(&sanitize(msg), room.saturating_sub(2))),
                    room,
                    Style::default()
                        .fg(theme.error)
                        .add_modifier(Modifier::ITALIC),
                );
            }
        }
    }
}

fn set(buf: &mut Buffer, x: u16, y: u16, c: char, style: Style, area: Rect) {
    if x < area.right() && y < area.bottom() {
        buf[(x, y)].set_char(c).set_style(style);
    }
}

fn char_cols(c: char, col: usize) -> usize {
    if c == '\t' {
        4 - col % 4
    } else {
        c.width().unwrap_or(0)
    }
}

fn display_width(s: &str) -> usize {
    s.chars().fold(0, |col, c| col + char_cols(c, col))
}

/// Sets the foreground of the cells of each token (byte ranges) of a line drawn at row `y`.
fn colour_line(
    buf: &mut Buffer,
    rect: Rect,
    y: u16,
    text: &str,
    tokens: &[(std::ops::Range<usize>, TokenKind)],
    left: usize,
    theme: &Theme,
) {
    let mut col = 0usize;
    let mut tok = tokens.iter().peekable();
    for (byte, c) in text.char_indices() {
        let w = char_cols(c, col);
        while tok.peek().is_some_and(|(r, _)| r.end <= byte) {
            tok.next();
        }
        if let Some((r, kind)) = tok.peek()
            && r.contains(&byte)
            && let Some(color) = token_color(*kind, theme)
        {
            for k in 0..w {
                let x = (col + k).checked_sub(left);
                if let Some(x) = x.and_then(|x| u16::try_from(x).ok())
                    && x < rect.width
                {
                    buf[(rect.x + x, y)].set_fg(color);
                }
            }
        }
        col += w;
        if col.saturating_sub(left) > rect.width as usize {
            break;
        }
    }
}

fn draw_lint(frame: &mut Frame<'_>, area: Rect, ed: &EditorState, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(Style::default().fg(theme.border))
        .title(Line::styled(
            format!(
                " Lint ({}) · Enter jumps · Esc closes ",
                ed.diagnostics.len()
            ),
            Style::default().fg(theme.title),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if ed.diagnostics.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("No findings.", Style::default().fg(theme.ok))),
            inner,
        );
        return;
    }
    let height = inner.height as usize;
    let offset = ed.lint_cursor.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = ed
        .diagnostics
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, d)| {
            let (c, color) = severity_marker(d.severity, theme);
            let text = format!(
                "{c} {:>4}  {}  {}",
                d.line,
                d.code,
                ellipsize(
                    &sanitize(&d.message),
                    inner.width.saturating_sub(16) as usize
                )
            );
            let style = if i == ed.lint_cursor {
                selected_style(theme)
            } else {
                Style::default().fg(color)
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Prefixes a layer's instruction with the Dockerfile line that made it (`L12 …`) when the layers
/// pane shows the image the editor just built.
pub fn with_line(state: &AppState, history_id: &str, instruction: String) -> String {
    let built = state.panes.editor.build.image.as_deref();
    match (built, state.panes.layers.image_id.as_deref()) {
        (Some(b), Some(shown)) if b == shown => {
            match state.panes.editor.build.line_of_layer(history_id) {
                Some(line) => format!("L{line} {instruction}"),
                None => instruction,
            }
        }
        _ => instruction,
    }
}

#[cfg(test)]
#[path = "editor_tests.rs"]
mod tests;
