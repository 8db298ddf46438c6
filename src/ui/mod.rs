//! Drawing: pure functions of state, theme and keymap onto a ratatui frame.
pub mod panes;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::state::{AppState, Pane};

/// The smallest area the full layout is drawn in; below it a short notice is shown instead.
pub const MIN_WIDTH: u16 = 40;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 8;

/// What the frame learnt about its layout, fed back into the state for paging and scrolling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameInfo {
    /// Table rows visible in the images pane.
    pub images_rows: usize,
    /// Table rows visible in the layers pane.
    pub layers_rows: usize,
    /// Tree rows visible in the layer explorer.
    pub explorer_rows: usize,
    /// Table rows (or log lines) visible in the containers pane.
    pub containers_rows: usize,
}

/// Everything drawing needs besides the state.
pub struct Ctx<'a> {
    /// Colours.
    pub theme: &'a Theme,
    /// Keys, for hints and help.
    pub keymap: &'a Keymap,
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, state: &AppState, ctx: &Ctx<'_>) -> FrameInfo {
    let area = frame.area();
    let theme = ctx.theme;
    frame.render_widget(
        Block::default().style(Style::default().fg(theme.fg).bg(theme.bg)),
        area,
    );
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "dockhand needs {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {}x{}. Enlarge it, or press q to quit.",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(Style::default().fg(theme.warning))
                .wrap(Wrap { trim: true }),
            area,
        );
        return FrameInfo::default();
    }
    let [tabs, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    widgets::tabs::draw(frame, tabs, state, ctx);
    let mut info = FrameInfo::default();
    if state.focus.beside_images() {
        let direction = if main.width >= 110 {
            Direction::Horizontal
        } else {
            Direction::Vertical
        };
        let [left, right] = Layout::default()
            .direction(direction)
            .constraints([Constraint::Percentage(58), Constraint::Percentage(42)])
            .areas(main);
        info.images_rows = panes::images::draw(frame, left, state, ctx);
        info.layers_rows = panes::layers::draw(frame, right, state, ctx);
    } else {
        match state.focus {
            Pane::Jobs => panes::jobs::draw(frame, main, state, ctx),
            Pane::Explorer => info.explorer_rows = panes::explorer::draw(frame, main, state, ctx),
            Pane::Registry => panes::registry::draw(frame, main, state, ctx),
            Pane::Editor => panes::editor::draw(frame, main, state, ctx),
            Pane::Containers => {
                info.containers_rows = panes::containers::draw(frame, main, state, ctx)
            }
            Pane::Images | Pane::Layers => {}
        }
    }
    widgets::status_bar::draw(frame, status, state, ctx);
    if let Some(dialog) = &state.dialog {
        widgets::dialog::draw(frame, main, dialog, ctx);
    }
    if state.help {
        widgets::help::draw(frame, main, state.focus, ctx);
    }
    info
}

/// A pane's frame: rounded border, highlighted when focused, with a title and a right-hand note.
pub fn pane_block<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    let border_type = if focused {
        BorderType::Thick
    } else {
        BorderType::Rounded
    };
    framed(title, focused, theme).border_type(border_type)
}

/// A rounded frame whose border and title are highlighted when `active` (panes, and boxes inside
/// a pane such as the explorer's two sides).
pub fn framed<'a>(title: Line<'a>, active: bool, theme: &Theme) -> Block<'a> {
    let (border, title_style) = if active {
        let bold = Style::default()
            .fg(theme.border_focused)
            .add_modifier(Modifier::BOLD);
        (theme.border_focused, bold)
    } else {
        (theme.border, Style::default().fg(theme.title))
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(border))
        .title(title.style(title_style))
}

/// Style of a table's header row.
pub fn header_style(theme: &Theme) -> Style {
    Style::default()
        .fg(theme.header)
        .add_modifier(Modifier::BOLD)
}

/// The style of the selected row; themes without a selection colour get reverse video.
pub fn selected_style(theme: &Theme) -> Style {
    if theme.selected_bg == ratatui::style::Color::Reset {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    } else {
        Style::default()
            .bg(theme.selected_bg)
            .fg(theme.selected_fg)
            .add_modifier(Modifier::BOLD)
    }
}

/// Whether the pane has focus.
pub fn focused(state: &AppState, pane: Pane) -> bool {
    state.focus == pane && state.dialog.is_none() && !state.help
}

/// A rectangle of at most `w`x`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests;
