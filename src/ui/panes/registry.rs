//! The registry pane: registries on the left; Hub search results, or a private registry's
//! repositories → tags → manifest on the right.
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use crate::config::theme::Theme;
use crate::registry::client::{ManifestInfo, ManifestKind};
use crate::registry::known::Origin;
use crate::state::registry::{Load, RegistryState, View, local_size, registry_host};
use crate::state::widgets::scroll::follow;
use crate::state::{AppState, PaneId};
use crate::ui::{Ctx, focused, pane_block, selected_style};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize};

/// Draws the pane.
/// Draws the pane; returns the rows of text it has.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) -> usize {
    draw_body(frame, area, state, ctx);
    area.height.saturating_sub(2) as usize
}

/// The pull, push, login or add-registry dialog (over whichever pane has the focus).
pub fn draw_dialog(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    if let Some(d) = &state.panes.registry.dialog {
        super::registry_dialog::draw(frame, area, d, ctx);
    }
}

fn draw_body(frame: &mut Frame<'_>, area: Rect, state: &AppState, ctx: &Ctx<'_>) {
    let theme = ctx.theme;
    let reg = &state.panes.registry.state;
    let block = pane_block(
        Line::raw(format!(
            " {} ",
            crate::ui::widgets::tabs::pane_label(ctx, PaneId::Registry)
        )),
        focused(state, PaneId::Registry),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let (list, content) = if body.width >= 80 {
        let [l, c] = Layout::horizontal([Constraint::Length(26), Constraint::Min(20)]).areas(body);
        (l, c)
    } else {
        let rows = u16::try_from(reg.registries.len() + 1)
            .unwrap_or(4)
            .min(body.height / 3)
            .max(2);
        let [l, c] = Layout::vertical([Constraint::Length(rows), Constraint::Min(1)]).areas(body);
        (l, c)
    };
    draw_registries(frame, list, reg, theme);
    let content = Rect {
        x: content.x.saturating_add(u16::from(body.width >= 80)),
        width: content.width.saturating_sub(u16::from(body.width >= 80)),
        ..content
    };
    match reg.view {
        View::Registries => draw_intro(frame, content, reg, theme),
        View::Search => draw_search(frame, content, state, theme),
        View::Repositories => draw_repos(frame, content, reg, theme),
        View::Tags => draw_tags(frame, content, state, theme),
        View::Manifest => draw_manifest(frame, content, state, theme),
    }
    let hints: &[(&str, &str)] = match reg.view {
        View::Registries => &[
            ("Enter", "open"),
            ("a", "add"),
            ("L", "login"),
            ("P", "pull…"),
        ],
        View::Search => &[
            ("/", "search"),
            ("p", "pull"),
            ("Esc", "back"),
            ("L", "login"),
        ],
        View::Repositories => &[
            ("Enter", "tags"),
            ("/", "type a repository"),
            ("Esc", "back"),
        ],
        View::Tags => &[("Enter", "manifest"), ("p", "pull"), ("Esc", "back")],
        View::Manifest => &[("p", "pull"), ("j/k", "scroll"), ("Esc", "back")],
    };
    let mut spans = Vec::new();
    for (i, (k, what)) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", Style::default().fg(theme.dim)));
        }
        spans.push(Span::styled(*k, Style::default().fg(theme.key)));
        spans.push(Span::raw(format!(" {what}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), footer);
}

fn draw_registries(frame: &mut Frame<'_>, area: Rect, reg: &RegistryState, theme: &Theme) {
    let mut lines = vec![Line::styled("REGISTRIES", crate::ui::header_style(theme))];
    let width = usize::from(area.width);
    for (i, e) in reg.registries.iter().enumerate() {
        let mark = if e.insecure { " (http)" } else { "" };
        let found: Vec<&str> = reg
            .origins_of(i)
            .iter()
            .filter(|o| **o != Origin::File)
            .map(|o| o.label())
            .collect();
        let found = if found.is_empty() {
            String::new()
        } else {
            format!(" ·{}", found.join("+"))
        };
        let text = format!(" {}{mark}{found}", sanitize(&e.name));
        let text = ellipsize(&text, width.max(1));
        let style = if i == reg.selected && reg.view == View::Registries {
            selected_style(theme)
        } else if i == reg.selected {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        lines.push(Line::styled(
            format!("{text:<w$}", w = usize::from(area.width)),
            style,
        ));
    }
    if let Some(e) = &reg.config_error {
        lines.push(Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        ));
    }
    if !reg.trusted_ranges.is_empty() {
        let ranges: Vec<String> = reg.trusted_ranges.iter().map(|r| sanitize(r)).collect();
        lines.push(Line::styled(
            format!("engine trusts HTTP: {}", ranges.join(", ")),
            Style::default().fg(theme.dim),
        ));
    }
    if let Some(e) = &reg.known_error {
        lines.push(Line::styled(
            format!("engine registries unknown: {}", sanitize(e)),
            Style::default().fg(theme.dim),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Where a registry was found, in words.
fn origin_text(o: Origin) -> &'static str {
    match o {
        Origin::File => "registries file",
        Origin::Engine => "engine settings",
        Origin::Mirror => "engine mirror",
        Origin::Auths => "Docker config login",
        Origin::CredHelper => "Docker config credential helper",
    }
}

fn draw_intro(frame: &mut Frame<'_>, area: Rect, reg: &RegistryState, theme: &Theme) {
    let Some(e) = reg.entry() else { return };
    let what = if e.is_docker_hub() {
        "Enter or / searches Docker Hub through the engine (filters: stars>=N, is-official, --limit N)."
    } else {
        "Enter lists its repositories; / opens a repository by name."
    };
    let origins = reg.origins_of(reg.selected);
    let found = if origins.is_empty() {
        "built in".to_string()
    } else {
        let words: Vec<&str> = origins.iter().map(|o| origin_text(*o)).collect();
        words.join(", ")
    };
    let lines = vec![
        Line::styled(sanitize(&e.name), crate::ui::header_style(theme)),
        Line::raw(format!("address  {}", sanitize(&e.url))),
        Line::raw(format!("source   {found}")),
        Line::raw(format!(
            "access   {}",
            if e.insecure {
                "plain HTTP / unchecked TLS"
            } else {
                "HTTPS (plain HTTP for localhost)"
            }
        )),
        Line::raw(""),
        Line::styled(what, Style::default().fg(theme.dim)),
        Line::styled(
            "a adds a registry · L logs in (stored like docker login).",
            Style::default().fg(theme.dim),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The input line (search box or repository prompt) and its error, when open.
fn input_lines<'a>(reg: &RegistryState, label: &str, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    if let Some(input) = &reg.input {
        out.push(Line::from(vec![
            Span::styled(format!("{label} "), Style::default().fg(theme.key)),
            Span::raw(sanitize(&input.text)),
            Span::styled("█", Style::default().fg(theme.key)),
        ]));
        if let Some(e) = &reg.input_error {
            out.push(Line::styled(
                format!("✗ {e}"),
                Style::default().fg(theme.error),
            ));
        }
    }
    out
}

fn status_line<'a, T>(load: &Load<T>, loading: &str, theme: &Theme) -> Option<Line<'a>> {
    match load {
        Load::Loading => Some(Line::styled(
            loading.to_string(),
            Style::default().fg(theme.warning),
        )),
        Load::Failed(e) => Some(Line::styled(
            format!("✗ {}", sanitize(e)),
            Style::default().fg(theme.error),
        )),
        Load::Idle | Load::Ready(_) => None,
    }
}

/// Rows `lines` take when wrapped at `width`.
fn wrapped_height(lines: &[Line<'_>], width: u16) -> usize {
    let width = usize::from(width.max(1));
    lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum()
}

/// Splits `area` into the (wrapped) lines on top and the table below.
fn split(area: Rect, top: &[Line<'_>]) -> (Rect, Rect) {
    let top = wrapped_height(top, area.width);
    let top = u16::try_from(top).unwrap_or(u16::MAX).min(area.height);
    let [a, b] = Layout::vertical([Constraint::Length(top), Constraint::Min(0)]).areas(area);
    (a, b)
}

fn draw_search(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let reg = &state.panes.registry.state;
    let mut top = input_lines(reg, "Search Docker Hub:", theme);
    if top.is_empty()
        && let Some(q) = &reg.query
    {
        top.push(Line::styled(
            format!(
                "Docker Hub: {}",
                sanitize(&crate::state::registry::query_text(q))
            ),
            crate::ui::header_style(theme),
        ));
    }
    if reg.hits == Load::Idle && reg.input.is_none() {
        top.push(Line::styled(
            "Press / to search Docker Hub.",
            Style::default().fg(theme.dim),
        ));
    }
    top.extend(status_line(
        &reg.hits,
        "Searching Docker Hub through the engine…",
        theme,
    ));
    if let Some(hits) = reg.hits.ready()
        && hits.is_empty()
    {
        top.push(Line::styled("No results.", Style::default().fg(theme.dim)));
    }
    let Some(hits) = reg.hits.ready().filter(|h| !h.is_empty()) else {
        frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), area);
        return;
    };
    let (top_area, table_area) = split(area, &top);
    frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), top_area);
    let height = usize::from(table_area.height.saturating_sub(1));
    let offset = follow(0, reg.cursor(), height, usize::MAX);
    let rows = hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, h)| {
            let local =
                local_size(&state.panes.images.table.rows, &h.name).map_or(String::new(), bytes);
            let row = Row::new(vec![
                sanitize(&h.name),
                h.stars.to_string(),
                if h.official {
                    "[OK]".into()
                } else {
                    String::new()
                },
                if h.automated {
                    "[OK]".into()
                } else {
                    String::new()
                },
                local,
                sanitize(&h.description),
            ]);
            if i == reg.cursor() {
                row.style(selected_style(theme))
            } else {
                row
            }
        });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(28),
                Constraint::Length(7),
                Constraint::Length(8),
                Constraint::Length(9),
                Constraint::Length(9),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new(vec![
                "NAME",
                "STARS",
                "OFFICIAL",
                "AUTOMATED",
                "LOCAL",
                "DESCRIPTION",
            ])
            .style(crate::ui::header_style(theme)),
        ),
        table_area,
    );
}

fn simple_list(
    frame: &mut Frame<'_>,
    area: Rect,
    items: &[String],
    cursor: usize,
    extra: impl Fn(&str) -> String,
    theme: &Theme,
) {
    let height = usize::from(area.height);
    let offset = follow(0, cursor, height, usize::MAX);
    let lines: Vec<Line<'_>> = items
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, item)| {
            let text = format!("{:<40} {}", sanitize(item), extra(item));
            let text = format!("{text:<w$}", w = usize::from(area.width));
            if i == cursor {
                Line::styled(text, selected_style(theme))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_repos(frame: &mut Frame<'_>, area: Rect, reg: &RegistryState, theme: &Theme) {
    let host = reg
        .entry()
        .map(|e| registry_host(&e.url).to_string())
        .unwrap_or_default();
    let mut top = vec![Line::styled(
        format!("Repositories on {}", sanitize(&host)),
        crate::ui::header_style(theme),
    )];
    top.extend(input_lines(reg, "Repository:", theme));
    top.extend(status_line(&reg.repos, "Loading the catalog…", theme));
    if let Some(r) = reg.repos.ready()
        && r.is_empty()
    {
        top.push(Line::styled(
            "The registry holds no repositories.",
            Style::default().fg(theme.dim),
        ));
    }
    let (top_area, list_area) = split(area, &top);
    frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), top_area);
    if let Some(repos) = reg.repos.ready() {
        simple_list(
            frame,
            list_area,
            repos,
            reg.cursor(),
            |_| String::new(),
            theme,
        );
    }
}

fn draw_tags(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let reg = &state.panes.registry.state;
    let host = reg
        .entry()
        .map(|e| registry_host(&e.url).to_string())
        .unwrap_or_default();
    let repo = reg.repository.clone().unwrap_or_default();
    let mut top = vec![Line::styled(
        format!("Tags of {}/{}", sanitize(&host), sanitize(&repo)),
        crate::ui::header_style(theme),
    )];
    top.extend(status_line(&reg.tags, "Loading tags…", theme));
    if let Some(t) = reg.tags.ready()
        && t.is_empty()
    {
        top.push(Line::styled("No tags.", Style::default().fg(theme.dim)));
    }
    let (top_area, list_area) = split(area, &top);
    frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), top_area);
    if let Some(tags) = reg.tags.ready() {
        let rows = &state.panes.images.table.rows;
        let extra = |tag: &str| {
            local_size(rows, &format!("{host}/{repo}:{tag}"))
                .map_or(String::new(), |s| format!("local {}", bytes(s)))
        };
        simple_list(frame, list_area, tags, reg.cursor(), extra, theme);
    }
}

/// The manifest as text lines.
pub fn manifest_lines(m: &ManifestInfo, local: Option<u64>) -> Vec<String> {
    let mut out = vec![
        format!("Digest      {}", m.digest),
        format!("Media type  {}", sanitize(&m.media_type)),
        format!("Manifest    {} bytes", m.size),
    ];
    match &m.kind {
        ManifestKind::Index(entries) => {
            out.push(format!("Platforms   {} entries:", entries.len()));
            for e in entries {
                let p = e
                    .platform
                    .as_ref()
                    .map_or("(no platform: attestation?)".into(), ToString::to_string);
                out.push(format!(
                    "  {:<28} {}  {:>10}",
                    sanitize(&p),
                    e.digest.short(),
                    bytes(e.size)
                ));
            }
        }
        ManifestKind::Image(img) => {
            out.push(format!("Config      {}", img.config_digest));
            if let Some(c) = &img.config {
                let created = c.created.map_or("unknown".into(), |d| {
                    d.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                });
                out.push(format!("Created     {created}"));
                let variant = c
                    .variant
                    .as_deref()
                    .map_or(String::new(), |v| format!("/{v}"));
                out.push(format!(
                    "Platform    {}/{}{variant}",
                    sanitize(&c.os),
                    sanitize(&c.architecture)
                ));
            } else if let Some(e) = &img.config_error {
                out.push(format!("Config      unreadable: {}", sanitize(e)));
            }
            let remote = format!("Size        {} compressed", bytes(img.total_size));
            out.push(match local {
                Some(l) => format!("{remote} · local image {} uncompressed", bytes(l)),
                None => format!("{remote} · not pulled"),
            });
            out.push(format!("Layers      {}", img.layers.len()));
            for (i, l) in img.layers.iter().enumerate() {
                out.push(format!(
                    "  {:>3}  {:<12}  {:>10}",
                    i + 1,
                    l.digest.short(),
                    bytes(l.size)
                ));
            }
            out.push(format!("{:>19}  {:>10}", "total", bytes(img.total_size)));
        }
    }
    out
}

fn draw_manifest(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let reg = &state.panes.registry.state;
    let host = reg
        .entry()
        .map(|e| registry_host(&e.url).to_string())
        .unwrap_or_default();
    let name = format!(
        "{}/{}:{}",
        host,
        reg.repository.as_deref().unwrap_or_default(),
        reg.tag.as_deref().unwrap_or_default()
    );
    let mut lines = vec![Line::styled(
        sanitize(&name),
        crate::ui::header_style(theme),
    )];
    lines.extend(status_line(&reg.manifest, "Reading the manifest…", theme));
    if let Some(view) = reg.manifest.ready() {
        let local = local_size(&state.panes.images.table.rows, &name);
        let mut text = manifest_lines(&view.manifest, local);
        if let Some((platform, image)) = &view.platform_image {
            text.push(String::new());
            text.push(format!("Image for {}:", sanitize(platform)));
            text.extend(
                manifest_lines(image, local)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
        }
        if let Some(e) = &view.platform_error {
            text.push(format!("Image for this platform: {}", sanitize(e)));
        }
        lines.extend(text.into_iter().skip(reg.cursor()).map(Line::raw));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
