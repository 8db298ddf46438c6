//! The editor's build panel: BuildKit's step graph live (a column per stage, so stages that run
//! in parallel show side by side; each step with its state, time and last output lines), the
//! plain output, or only a status line, as the build form's progress detail says. Only the rows
//! that fit are built.
use std::time::{Duration, UNIX_EPOCH};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::config::theme::Theme;
use crate::dockerfile::vertex::Origin;
use crate::dockerfile::vertex::cache::MissReason;
use crate::engine::build::Builder;
use crate::engine::buildkit::progress::{VertexInfo, VertexState};
use crate::state::editor::EditorState;
use crate::state::editor::build::{BuildView, StepMark};
use crate::state::editor::form::Detail;
use crate::util::sanitize::sanitize;
use crate::util::text::ellipsize;

/// Output lines shown under a running step, and under a failed one.
const RUNNING_LINES: usize = 2;
const FAILED_LINES: usize = 6;
/// Narrowest column per stage before the graph becomes one list.
const MIN_COLUMN: u16 = 28;

/// Rows the panel wants inside `height` rows of editor.
pub fn height(ed: &EditorState, height: u16) -> u16 {
    let b = &ed.build;
    if b.log.is_empty() && !b.running() && b.graph.vertices.is_empty() {
        return 0;
    }
    match b.detail {
        Detail::Quiet => 1,
        Detail::Steps if !b.graph.vertices.is_empty() => (height * 2 / 5).clamp(3, 16),
        Detail::Plain | Detail::Steps => (height / 4).clamp(3, 8),
    }
}

/// Marker and colour of a vertex state.
pub fn state_marker(state: VertexState, theme: &Theme) -> (char, Color) {
    match state {
        VertexState::Queued => ('·', theme.dim),
        VertexState::Running => ('▶', theme.key),
        VertexState::Cached => ('✓', theme.ok),
        VertexState::Done => ('●', theme.ok),
        VertexState::Error => ('✗', theme.error),
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// How long a vertex ran, or has been running at `now` (unix seconds).
fn took(v: &VertexInfo, now: i64) -> String {
    match (v.duration(), v.started, v.state) {
        (_, _, VertexState::Cached) => String::new(),
        (Some(d), _, _) => secs(d),
        (None, Some(start), VertexState::Running) => {
            let now = UNIX_EPOCH + Duration::from_secs(now.max(0) as u64);
            secs(now.duration_since(start).unwrap_or_default())
        }
        _ => String::new(),
    }
}

fn status(b: &BuildView, theme: &Theme) -> (String, Color) {
    if b.running() {
        let running = b.graph.running().len();
        if b.builder == Some(Builder::BuildKit) {
            let done = b
                .graph
                .vertices
                .iter()
                .filter(|v| matches!(v.state, VertexState::Done | VertexState::Cached))
                .count();
            return (
                format!(
                    "building · {running} running · {done}/{} done",
                    b.graph.vertices.len()
                ),
                theme.warning,
            );
        }
        return (
            format!("building step {}/{}", b.step.0, b.step.1),
            theme.warning,
        );
    }
    if let Some((line, msg)) = &b.failure {
        let at = if *line > 0 {
            format!("failed at line {line}")
        } else {
            format!("failed: {}", sanitize(msg))
        };
        return (at, theme.error);
    }
    match &b.image {
        Some(id) => {
            let took = b
                .summary
                .as_ref()
                .map(|s| format!(" in {}", secs(s.elapsed)))
                .unwrap_or_default();
            (
                format!(
                    "built {}{took}{}",
                    crate::util::text::short_id(id),
                    first_miss(b)
                ),
                theme.ok,
            )
        }
        None => ("ended".to_string(), theme.dim),
    }
}

/// Where a rebuild first missed the cache, and why (empty for a first build or a full hit).
fn first_miss(b: &BuildView) -> String {
    let Some((line, why)) = b
        .summary
        .as_ref()
        .and_then(|s| s.cache.as_ref())
        .and_then(|c| c.first_miss.as_ref())
    else {
        return String::new();
    };
    let why = match why {
        MissReason::FirstBuild => return String::new(),
        MissReason::NoCache => "no-cache".to_string(),
        MissReason::NewStep => "a new step".to_string(),
        MissReason::InstructionChanged { .. } => "the instruction changed".to_string(),
        MissReason::ArgChanged { name, .. } => format!("build arg {name} changed"),
        MissReason::ContextChanged { paths } => {
            let more = paths.len().saturating_sub(2);
            let mut text = paths.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
            format!("{text} changed")
        }
        MissReason::BaseImageChanged => "the base image changed".to_string(),
        MissReason::Unknown => "an earlier step, or the cache was evicted".to_string(),
    };
    let at = b
        .current_line(*line)
        .map_or("an edited line".to_string(), |l| format!("L{l}"));
    sanitize(&format!(" · cache missed at {at}: {why}"))
}

/// Draws the panel.
pub fn draw(frame: &mut Frame<'_>, area: Rect, ed: &EditorState, theme: &Theme, now: i64) {
    let b = &ed.build;
    let (status, color) = status(b, theme);
    let cached = b.marks.values().filter(|m| **m == StepMark::Cached).count();
    let builder = b.builder.map(|b| format!(" ({b})")).unwrap_or_default();
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(Style::default().fg(theme.border))
        .title(Line::from(vec![
            Span::styled(
                format!(" Build{builder}: "),
                Style::default().fg(theme.title),
            ),
            Span::styled(status, Style::default().fg(color)),
            Span::styled(
                format!(
                    " · {cached} cached · ✓ cache hit ● built ! invalidated ↻ rebuilt ✗ failed "
                ),
                Style::default().fg(theme.dim),
            ),
        ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let graph = b.detail == Detail::Steps && !b.graph.vertices.is_empty();
    if graph {
        draw_graph(frame, inner, b, theme, now);
    } else if b.detail != Detail::Quiet {
        draw_plain(frame, inner, b, theme);
    }
}

fn draw_plain(frame: &mut Frame<'_>, area: Rect, b: &BuildView, theme: &Theme) {
    let height = area.height as usize;
    let lines: Vec<Line> = b
        .log
        .iter()
        .skip(b.log.len().saturating_sub(height))
        .map(|l| Line::styled(sanitize(l), Style::default().fg(theme.dim)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The step vertices of one stage.
struct Column<'a> {
    label: String,
    steps: Vec<&'a VertexInfo>,
}

fn columns(b: &BuildView) -> Vec<Column<'_>> {
    let mut cols: Vec<(usize, Column<'_>)> = Vec::new();
    for v in &b.graph.vertices {
        let Origin::Step(loc) = &v.origin else {
            continue;
        };
        match cols.iter_mut().find(|(i, _)| *i == loc.stage) {
            Some((_, c)) => c.steps.push(v),
            None => cols.push((
                loc.stage,
                Column {
                    label: loc
                        .stage_label
                        .clone()
                        .unwrap_or_else(|| format!("stage {}", loc.stage)),
                    steps: vec![v],
                },
            )),
        }
    }
    cols.sort_by_key(|(i, _)| *i);
    cols.into_iter().map(|(_, c)| c).collect()
}

/// A step's row: marker, current line, `n/m INSTRUCTION …`, time.
fn step_line<'a>(v: &VertexInfo, b: &BuildView, width: usize, now: i64, theme: &Theme) -> Line<'a> {
    let (c, color) = state_marker(v.state, theme);
    let line = match v.lines().map(|(a, _)| b.current_line(a)) {
        Some(Some(l)) => format!("L{l:<3}"),
        Some(None) => "L—  ".to_string(),
        None => String::new(),
    };
    let name = v
        .name
        .split_once("] ")
        .map_or(v.name.as_str(), |(_, rest)| rest);
    let index = match &v.origin {
        Origin::Step(loc) => format!("{} ", loc.index),
        _ => String::new(),
    };
    let time = took(v, now);
    let room = width.saturating_sub(line.len() + index.len() + time.len() + 4);
    Line::from(vec![
        Span::styled(format!("{c} "), Style::default().fg(color)),
        Span::styled(line, Style::default().fg(theme.dim)),
        Span::raw(format!("{index}{:<room$} ", ellipsize(name, room))),
        Span::styled(time, Style::default().fg(theme.dim)),
    ])
}

fn column_lines<'a>(
    col: &Column<'_>,
    b: &BuildView,
    width: usize,
    height: usize,
    now: i64,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for v in &col.steps {
        lines.push(step_line(v, b, width, now, theme));
        let keep = match v.state {
            VertexState::Running => RUNNING_LINES,
            VertexState::Error => FAILED_LINES,
            _ => 0,
        };
        if keep == 0 {
            continue;
        }
        let style = Style::default().fg(if v.state == VertexState::Error {
            theme.error
        } else {
            theme.dim
        });
        if let Some(log) = b.graph.logs.get(&v.id) {
            for l in log.iter().skip(log.len().saturating_sub(keep)) {
                let text = ellipsize(l, width.saturating_sub(4));
                lines.push(Line::styled(format!("  │ {text}"), style));
            }
        }
    }
    // The newest rows stay in view.
    let body = height.saturating_sub(1);
    let skip = lines.len().saturating_sub(body);
    let header = Line::styled(
        format!(
            "{} ({} step{})",
            sanitize(&col.label),
            col.steps.len(),
            if col.steps.len() == 1 { "" } else { "s" }
        ),
        Style::default()
            .fg(theme.header)
            .add_modifier(Modifier::BOLD),
    );
    std::iter::once(header)
        .chain(lines.into_iter().skip(skip))
        .collect()
}

fn draw_graph(frame: &mut Frame<'_>, area: Rect, b: &BuildView, theme: &Theme, now: i64) {
    let cols = columns(b);
    if cols.is_empty() {
        draw_plain(frame, area, b, theme);
        return;
    }
    let n = cols.len() as u16;
    if area.width / n >= MIN_COLUMN {
        let areas = Layout::horizontal(vec![Constraint::Ratio(1, n as u32); n as usize])
            .spacing(1)
            .split(area);
        for (col, rect) in cols.iter().zip(areas.iter()) {
            let lines = column_lines(
                col,
                b,
                rect.width as usize,
                rect.height as usize,
                now,
                theme,
            );
            frame.render_widget(Paragraph::new(lines), *rect);
        }
        return;
    }
    // Too narrow for side by side: the stages one under the other, newest rows in view.
    let width = area.width as usize;
    let mut lines = Vec::new();
    for col in &cols {
        lines.extend(column_lines(col, b, width, usize::MAX, now, theme));
    }
    let skip = lines.len().saturating_sub(area.height as usize);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        area,
    );
}

/// The finished build's timing in one line, for the layers pane showing the image it built:
/// builder and wall time, the slowest steps with their lines, the cached steps.
pub fn timing_line(b: &BuildView) -> Option<String> {
    let s = b.summary.as_ref()?;
    let at = |lines: Option<(usize, usize)>| match lines.map(|(a, _)| b.current_line(a)) {
        Some(Some(l)) => format!("L{l} "),
        _ => String::new(),
    };
    let step = |name: &str| {
        let name = name.split_once("] ").map_or(name, |(_, rest)| rest);
        ellipsize(name, 24)
    };
    let slow: Vec<String> = s
        .slowest(2)
        .iter()
        .filter(|t| t.lines.is_some())
        .map(|t| format!("{}{} {}", at(t.lines), step(&t.name), secs(t.duration)))
        .collect();
    let mut lines: Vec<Option<usize>> = s
        .cached()
        .iter()
        .filter_map(|t| t.lines)
        .map(|(a, _)| b.current_line(a))
        .collect();
    lines.sort();
    let cached: Vec<String> = lines
        .iter()
        .map(|l| l.map_or("L—".to_string(), |l| format!("L{l}")))
        .collect();
    let mut out = format!(
        "Built in the editor by {} in {}",
        s.builder,
        secs(s.elapsed)
    );
    if !slow.is_empty() {
        out.push_str(&format!(" · slowest: {}", slow.join(", ")));
    }
    out.push_str(&format!(" · {} cached", cached.len()));
    if !cached.is_empty() {
        out.push_str(&format!(" ({})", cached.join(" ")));
    }
    Some(sanitize(&out))
}
