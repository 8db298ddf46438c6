//! The disk pane's dialogs: the build-cache prune and the system prune, each listing exactly
//! what goes and the bytes it frees before asking.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::config::theme::Theme;
use crate::engine::buildcache::{
    BuildCachePlan, BuilderPruneOptions, Reclaim, go_duration, origin,
};
use crate::engine::system_prune::{SystemPruneOptions, SystemPrunePlan};
use crate::engine::volumes::VolumePruneScope;
use crate::state::disk::DiskDialog;
use crate::state::disk::cache_prune::{CacheMode, CachePrune};
use crate::state::disk::plan::Plan;
use crate::state::disk::system_prune::{SysField, SystemPruneDialog};
use crate::state::widgets::prompt::Prompt;
use crate::state::widgets::scroll::Viewport;
use crate::ui::widgets::dialog::{frame_dialog, hint};
use crate::ui::{Ctx, centered};
use crate::util::sanitize::sanitize;
use crate::util::text::{bytes, ellipsize, short_id};

/// Draws the dialog over `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, dialog: &DiskDialog, ctx: &Ctx<'_>) {
    let rect = centered(area, 96, area.height.saturating_sub(2).max(3));
    let room = usize::from(rect.height.saturating_sub(2));
    let (title, lines) = match dialog {
        DiskDialog::CachePrune(d) => ("Prune build cache", cache_lines(d, room, ctx.theme)),
        DiskDialog::SystemPrune(d) => ("System prune", system_lines(d, room, ctx.theme)),
    };
    frame_dialog(frame, rect, title.into(), lines, ctx.theme, true);
}

/// "up to " for an upper bound.
pub fn reclaim_text(r: Reclaim) -> String {
    match r {
        Reclaim::Exact(n) => bytes(n),
        Reclaim::UpTo(n) => format!("up to {}", bytes(n)),
    }
}

fn radio(on: bool) -> &'static str {
    if on { "(•)" } else { "( )" }
}

fn prompt_line(label: &str, prompt: &Prompt, active: bool, theme: &Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled(
            format!("{label} > "),
            Style::default().fg(if active { theme.key } else { theme.dim }),
        ),
        Span::raw(sanitize(&prompt.input.text)),
    ];
    if active {
        spans.push(Span::styled("█", Style::default().fg(theme.key)));
    }
    if let Some(e) = &prompt.error {
        spans.push(Span::styled(
            format!("  ✗ {e}"),
            Style::default().fg(theme.error),
        ));
    }
    Line::from(spans)
}

/// The CLI command that does what the options ask.
pub fn cache_command(o: &BuilderPruneOptions) -> String {
    let mut cmd = "docker builder prune".to_string();
    if o.all {
        cmd.push_str(" --all");
    }
    if let Some(u) = o.until {
        cmd.push_str(&format!(" --filter until={}", go_duration(u)));
    }
    if let Some(k) = o.keep_storage {
        cmd.push_str(&format!(" --keep-storage {k}"));
    }
    cmd
}

fn scrolled(mut list: Vec<Line<'static>>, view: &Viewport, room: usize) -> Vec<Line<'static>> {
    let offset = view.offset.min(list.len().saturating_sub(room));
    let more = list.len().saturating_sub(offset + room);
    let mut out: Vec<Line<'static>> = list.drain(offset..).take(room).collect();
    if more > 0 && !out.is_empty() {
        out.pop();
        out.push(Line::raw(format!("  … {} more (↓/PgDn)", more + 1)));
    }
    out
}

fn cache_plan_lines(p: &BuildCachePlan, theme: &Theme) -> (Line<'static>, Vec<Line<'static>>) {
    let head = if p.records.is_empty() {
        Line::raw("Nothing would go: no record matches.")
    } else {
        let mut text = format!(
            "{} record(s) would go, freeing {}",
            p.records.len(),
            reclaim_text(p.reclaim)
        );
        if let Some(e) = p.expected {
            text.push_str(&format!(
                " (expected {}: the engine breaks ties between equally old records its own way)",
                bytes(e)
            ));
        }
        Line::styled(text, Style::default().add_modifier(Modifier::BOLD))
    };
    let list = p
        .records
        .iter()
        .map(|r| {
            let what = origin(&r.description)
                .instruction()
                .unwrap_or_else(|| r.description.clone());
            let mark = if r.certain { " " } else { "?" };
            Line::from(vec![
                Span::styled(
                    format!("{mark} {:>10}  ", bytes(r.size)),
                    Style::default().fg(theme.fg),
                ),
                Span::styled(
                    format!("{}  ", short_id(&r.id)),
                    Style::default().fg(theme.dim),
                ),
                Span::raw(ellipsize(&sanitize(&what), 64)),
            ])
        })
        .collect();
    (head, list)
}

fn cache_lines(d: &CachePrune, room: usize, theme: &Theme) -> Vec<Line<'static>> {
    let modes: Vec<String> = CacheMode::ALL
        .iter()
        .map(|m| format!("{} {}", radio(*m == d.mode), m.label()))
        .collect();
    let mut lines = vec![Line::raw(modes.join("   "))];
    if let Some(p) = d.prompt() {
        let label = match d.mode {
            CacheMode::OlderThan => "not used for",
            _ => "keep at most",
        };
        lines.push(prompt_line(label, p, true, theme));
    }
    if let Ok(o) = d.options() {
        lines.push(Line::styled(
            format!("= {}", cache_command(&o)),
            Style::default().fg(theme.dim),
        ));
    }
    lines.push(Line::raw(""));
    let mut list = Vec::new();
    match &d.plan {
        Plan::Loading => lines.push(Line::raw("Working out what would go…")),
        Plan::Failed(e) => lines.push(Line::styled(
            format!("No preview: {}", sanitize(e)),
            Style::default().fg(theme.error),
        )),
        Plan::Ready(p) => {
            let (head, l) = cache_plan_lines(p, theme);
            lines.push(head);
            list = l;
        }
    }
    let ready = d.plan.ready().is_some_and(|p| !p.records.is_empty());
    let footer = hint(
        theme,
        &[
            ("Enter", if ready { "prune" } else { "close" }),
            ("Tab", "which records"),
            ("Esc", "cancel"),
        ],
    );
    let room = room.saturating_sub(lines.len() + 2);
    lines.extend(scrolled(list, &d.view, room));
    lines.push(Line::raw(""));
    lines.push(footer);
    lines
}

/// The CLI command that does what the options ask.
pub fn system_command(o: &SystemPruneOptions) -> String {
    let mut cmd = "docker system prune".to_string();
    if o.all {
        cmd.push_str(" --all");
    }
    if o.volumes.is_some() {
        cmd.push_str(" --volumes");
    }
    if let Some(u) = o.until {
        cmd.push_str(&format!(" --filter until={}", go_duration(u)));
    }
    for l in &o.labels {
        cmd.push_str(&format!(" --filter label={l}"));
    }
    cmd
}

fn field_label(name: &str, on: bool, theme: &Theme) -> Span<'static> {
    let style = if on {
        Style::default().fg(theme.key).add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(theme.dim)
    };
    Span::styled(format!("{}{name:<9}", if on { "▸" } else { " " }), style)
}

fn system_form(d: &SystemPruneDialog, theme: &Theme) -> Vec<Line<'static>> {
    let vol = d.volumes;
    vec![
        Line::from(vec![
            field_label("Images", d.field == SysField::Images, theme),
            Span::raw(format!(
                "{} dangling + unused build cache   {} all unused images + all build cache (-a)",
                radio(!d.all),
                radio(d.all)
            )),
        ]),
        Line::from(vec![
            field_label("Volumes", d.field == SysField::Volumes, theme),
            Span::raw(format!(
                "{} keep   {} anonymous unused   {} all unused",
                radio(vol.is_none()),
                radio(vol == Some(VolumePruneScope::Anonymous)),
                radio(vol == Some(VolumePruneScope::All))
            )),
        ]),
        Line::from(
            [field_label("Until", d.field == SysField::Until, theme)]
                .into_iter()
                .chain(prompt_line("", &d.until, d.field == SysField::Until, theme).spans)
                .collect::<Vec<_>>(),
        ),
        Line::from(
            [field_label("Labels", d.field == SysField::Labels, theme)]
                .into_iter()
                .chain(prompt_line("", &d.labels, d.field == SysField::Labels, theme).spans)
                .collect::<Vec<_>>(),
        ),
    ]
}

fn section(title: String, theme: &Theme) -> Line<'static> {
    Line::styled(
        title,
        Style::default()
            .fg(theme.header)
            .add_modifier(Modifier::BOLD),
    )
}

/// Every object the plan removes, a heading per kind.
pub fn system_plan_lines(p: &SystemPrunePlan, theme: &Theme) -> Vec<Line<'static>> {
    let mut list = vec![section(
        format!(
            "Stopped containers: {} — {}",
            p.containers.len(),
            bytes(p.containers_reclaim)
        ),
        theme,
    )];
    for c in &p.containers {
        list.push(Line::raw(format!(
            "  {:>10}  {}",
            bytes(c.size_rw),
            sanitize(&c.name)
        )));
    }
    list.push(section(
        format!("Unused networks: {}", p.networks.networks.len()),
        theme,
    ));
    for n in &p.networks.networks {
        let mut text = format!("  {}", sanitize(&n.name));
        if !n.stopped_users.is_empty() {
            text.push_str(&format!(
                "  (stopped users: {})",
                n.stopped_users.join(", ")
            ));
        }
        list.push(Line::raw(text));
    }
    if let Some(v) = &p.volumes {
        let widened = if v.effective != v.asked {
            " — this engine prunes named volumes too"
        } else {
            ""
        };
        list.push(section(
            format!(
                "Volumes: {} — {}{widened}",
                v.volumes.len(),
                bytes(v.reclaim)
            ),
            theme,
        ));
        for vol in &v.volumes {
            let size = vol.size.map_or_else(|| "?".into(), bytes);
            list.push(Line::raw(format!("  {size:>10}  {}", sanitize(&vol.name))));
        }
    }
    list.extend(image_and_cache_lines(p, theme));
    list
}

fn image_and_cache_lines(p: &SystemPrunePlan, theme: &Theme) -> Vec<Line<'static>> {
    let mut list = Vec::new();
    list.push(section(
        format!(
            "Images: {} — {}",
            p.images.images.len(),
            reclaim_text(p.images_reclaim)
        ),
        theme,
    ));
    for i in &p.images.images {
        let name = if i.repo_tags.is_empty() {
            "<none>".to_string()
        } else {
            sanitize(&i.repo_tags.join(", "))
        };
        let untag = if i.untag_only { "  (untag only)" } else { "" };
        list.push(Line::raw(format!(
            "  {:>10}  {}  {name}{untag}",
            bytes(i.reclaim),
            short_id(&i.id)
        )));
    }
    list.push(section(
        format!(
            "Build cache: {} record(s) — {}",
            p.build_cache.records.len(),
            reclaim_text(p.build_cache.reclaim)
        ),
        theme,
    ));
    for r in &p.build_cache.records {
        let what = origin(&r.description)
            .instruction()
            .unwrap_or_else(|| r.description.clone());
        list.push(Line::raw(format!(
            "  {:>10}  {}",
            bytes(r.size),
            ellipsize(&sanitize(&what), 70)
        )));
    }
    list
}

fn system_lines(d: &SystemPruneDialog, room: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = system_form(d, theme);
    if let Ok(o) = d.options() {
        lines.push(Line::styled(
            format!("= {}", system_command(&o)),
            Style::default().fg(theme.dim),
        ));
    }
    lines.push(Line::raw(""));
    let mut list = Vec::new();
    match &d.plan {
        Plan::Loading => lines.push(Line::raw("Working out what would go…")),
        Plan::Failed(e) => lines.push(Line::styled(
            format!("No plan: {}", sanitize(e)),
            Style::default().fg(theme.error),
        )),
        Plan::Ready(p) => {
            lines.push(Line::styled(
                format!("This frees {}:", reclaim_text(p.total)),
                Style::default().add_modifier(Modifier::BOLD),
            ));
            list = system_plan_lines(p, theme);
        }
    }
    let footer = hint(
        theme,
        &[
            ("Enter", "prune"),
            ("Tab", "field"),
            ("Space", "change"),
            ("Esc", "cancel"),
        ],
    );
    let room = room.saturating_sub(lines.len() + 2);
    lines.extend(scrolled(list, &d.view, room));
    lines.push(Line::raw(""));
    lines.push(footer);
    lines
}
