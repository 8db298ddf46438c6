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
use crate::state::{AppState, PaneId};

/// The smallest area the full layout is drawn in; below it a short notice is shown instead.
pub const MIN_WIDTH: u16 = 40;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 8;

/// What the frame learnt about its layout, fed back into the state for paging and scrolling.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FrameInfo {
    /// Rows (of a list, or lines of text) each drawn pane showed.
    pub rows: Vec<(PaneId, usize)>,
    /// Lines of text the open dialog had room for, and whose dialog it is.
    pub dialog_rows: Option<(PaneId, usize)>,
}

/// Draws one pane with the drawing function of its module under `ui/panes/` (the module is
/// named like the pane's field in [`crate::with_panes`]).
macro_rules! dispatch_panes {
    ($($id:ident $field:ident: $ty:ty, $title:literal, $ctx:ident, $focus:ident;)*) => {
        /// Draws pane `id` in `area`; returns the rows it showed.
        fn draw_pane(frame: &mut Frame<'_>, area: Rect, id: PaneId, state: &AppState, ctx: &Ctx<'_>) -> usize {
            match id {
                $(PaneId::$id => panes::$field::draw(frame, area, state, ctx),)*
            }
        }

        /// Draws the open dialog of pane `id` over `area`.
        fn draw_dialog(frame: &mut Frame<'_>, area: Rect, id: PaneId, state: &AppState, ctx: &Ctx<'_>) {
            match id {
                $(PaneId::$id => panes::$field::draw_dialog(frame, area, state, ctx),)*
            }
        }
    };
}

crate::with_panes!(dispatch_panes);

/// The images and layers panes share the screen.
pub fn beside_images(pane: PaneId) -> bool {
    matches!(pane, PaneId::Images | PaneId::Layers)
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
    let focus = state.focus();
    if beside_images(focus) {
        let direction = if main.width >= 110 {
            Direction::Horizontal
        } else {
            Direction::Vertical
        };
        // Side by side, the images pane takes what its columns need (at most 58 %), the layers
        // pane the rest.
        let left = if direction == Direction::Horizontal {
            let most = main.width * 58 / 100;
            Constraint::Length(panes::images::wanted_width(state).min(most))
        } else {
            Constraint::Percentage(58)
        };
        let [left, right] = Layout::default()
            .direction(direction)
            .constraints([left, Constraint::Fill(1)])
            .areas(main);
        for (id, area) in [(PaneId::Images, left), (PaneId::Layers, right)] {
            info.rows.push((id, draw_pane(frame, area, id, state, ctx)));
        }
    } else {
        info.rows
            .push((focus, draw_pane(frame, main, focus, state, ctx)));
    }
    widgets::status_bar::draw(frame, status, state, ctx);
    if let Some(id) = state.modal() {
        draw_dialog(frame, main, id, state, ctx);
        info.dialog_rows = Some((id, widgets::dialog::text_room(main)));
    }
    if state.help {
        widgets::help::draw(frame, main, focus, state.help_scroll, ctx);
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
pub fn focused(state: &AppState, pane: PaneId) -> bool {
    state.focus() == pane && state.modal().is_none() && !state.help
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
