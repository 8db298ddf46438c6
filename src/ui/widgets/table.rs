//! The one renderer of list panes: a framed table with its title (count, sort, marks), the
//! filter line, an optional strip under the rows, and the rows on screen.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use crate::state::widgets::filter::FilterInput;
use crate::state::widgets::scroll::follow;
use crate::state::widgets::table::{SortOrder, TableRow, TableState};
use crate::ui::{Ctx, pane_block, selected_style};
use crate::util::sanitize::sanitize;

/// Draws a strip under the rows.
pub type Strip<'a> = &'a dyn Fn(&mut Frame<'_>, Rect);

/// What a pane tells the renderer about its table.
pub struct TableView<'a, R: TableRow> {
    /// The rows, view and cursor.
    pub table: &'a TableState<R>,
    /// The filter box.
    pub filter: &'a FilterInput,
    /// The title's first part (name and counts); sort and marks are added.
    pub title: String,
    /// Whether the pane has the focus.
    pub focused: bool,
    /// Column headers and widths.
    pub columns: Vec<(&'static str, Constraint)>,
    /// The cells of a row (`true`: the row is marked).
    pub cells: &'a dyn Fn(&R, bool) -> Vec<Line<'static>>,
    /// The style of a row that is not selected (`true`: marked).
    pub style: &'a dyn Fn(&R, bool) -> Style,
    /// What to say when there are no rows.
    pub empty: Vec<Line<'static>>,
    /// A strip drawn under the rows (height, drawer), e.g. the selected container's stats.
    pub strip: Option<(u16, Strip<'a>)>,
}

fn title_line<R: TableRow>(view: &TableView<'_, R>, ctx: &Ctx<'_>) -> Line<'static>
where
    R::Sort: SortOrder,
{
    let t = view.table;
    let theme = ctx.theme;
    let arrow = if t.reverse { "↑" } else { "↓" };
    let mut title = vec![
        Span::raw(view.title.clone()),
        Span::styled(
            format!("· {} {arrow} ", t.sort.label()),
            Style::default().fg(theme.dim),
        ),
    ];
    if let Some(scope) = &t.scope {
        title.push(Span::styled(
            format!("· only {} (Esc: all) ", scope.label),
            Style::default().fg(theme.warning),
        ));
    }
    if !t.marked.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", t.marked.len()),
            Style::default().fg(theme.marked),
        ));
    }
    Line::from(title)
}

fn filter_line(
    frame: &mut Frame<'_>,
    area: Rect,
    filter: &FilterInput,
    current: &str,
    ctx: &Ctx<'_>,
) {
    let theme = ctx.theme;
    let (text, hint) = match &filter.editing {
        Some(input) => (input.text.as_str(), "█  Enter keep · Esc clear"),
        None => (current, ""),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("/", Style::default().fg(theme.key)),
            Span::raw(sanitize(text)),
            Span::styled(hint, Style::default().fg(theme.dim)),
        ])),
        area,
    );
}

/// A cell of the selected row: its own colours give way to the selection's, so no dim or
/// coloured text sits unreadable on the selection bar (grey IDs on blue).
pub fn on_selection<'a>(line: Line<'a>, ctx: &Ctx<'_>) -> Line<'a> {
    let theme = ctx.theme;
    let fg = if theme.selected_bg == ratatui::style::Color::Reset {
        ratatui::style::Color::Reset
    } else {
        theme.selected_fg
    };
    let mut line = line;
    line.style = line.style.fg(fg);
    for span in &mut line.spans {
        span.style = span.style.fg(fg);
    }
    line
}

/// Draws the table; returns how many rows fit.
pub fn draw<R: TableRow>(
    frame: &mut Frame<'_>,
    area: Rect,
    view: &TableView<'_, R>,
    ctx: &Ctx<'_>,
) -> usize
where
    R::Sort: SortOrder,
{
    let t = view.table;
    let block = pane_block(title_line(view, ctx), view.focused, ctx.theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let has_filter = view.filter.is_open() || !t.filter.is_empty();
    let strip_h = view.strip.as_ref().map_or(0, |(h, _)| *h);
    let [table_area, strip_area, filter_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(strip_h),
        Constraint::Length(u16::from(has_filter)),
    ])
    .areas(inner);
    if has_filter {
        filter_line(frame, filter_area, view.filter, &t.filter, ctx);
    }
    if let Some((_, strip)) = &view.strip {
        strip(frame, strip_area);
    }
    let height = table_area.height.saturating_sub(1) as usize;
    if t.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(view.empty.clone()).wrap(Wrap { trim: false }),
            table_area,
        );
        return height;
    }
    let cursor = t.viewport.cursor;
    let offset = follow(t.viewport.offset, cursor, height, t.view.len());
    let rows = t
        .view
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let r = &t.rows[i];
            let marked = t.is_marked(r);
            if pos == cursor {
                let cells = (view.cells)(r, marked)
                    .into_iter()
                    .map(|l| on_selection(l, ctx));
                return Row::new(cells).style(selected_style(ctx.theme));
            }
            Row::new((view.cells)(r, marked)).style((view.style)(r, marked))
        });
    let (header, widths): (Vec<&str>, Vec<Constraint>) = view.columns.iter().copied().unzip();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(crate::ui::header_style(ctx.theme)))
        .column_spacing(1);
    frame.render_widget(table, table_area);
    height
}
