//! `dockhand df`: the figures of `docker system df [-v]` without the TUI, as a table in the CLI's
//! units or as JSON with exact bytes.
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;

use crate::engine::disk_types::{DataRoot, DiskCategory, DiskUsage};
use crate::util::sanitize::sanitize;

/// Arguments of `dockhand df`.
#[derive(Debug, clap::Args)]
pub struct DfArgs {
    /// Show every image, container, volume and build-cache record.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print JSON with exact byte counts instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// A byte count the way the Docker CLI prints it (go-units `HumanSize`: decimal units, four
/// significant digits, no space).
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = n as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    let digits = if size < 1.0 {
        3
    } else {
        3 - (size.log10().floor() as i32).min(3)
    };
    let mut text = format!("{size:.*}", digits.max(0) as usize);
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{text}{}", UNITS[unit])
}

/// The CLI's reclaimable column: bytes and the share of the size in whole percent.
pub fn reclaimable_text(c: &DiskCategory, with_percent: bool) -> String {
    match (c.reclaimable, c.size) {
        (Some(r), Some(s)) if s > 0 && with_percent => {
            format!("{} ({}%)", human_size(r), r * 100 / s)
        }
        (Some(r), _) => human_size(r),
        (None, _) => "not reported".into(),
    }
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "not reported".into(), human_size)
}

fn summary_table(du: &DiskUsage) -> String {
    let mut out = format!(
        "{:<16}{:<10}{:<10}{:<14}{}\n",
        "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"
    );
    let rows = [
        ("Images", &du.images, true),
        ("Containers", &du.containers, true),
        ("Local Volumes", &du.volumes, true),
        ("Build Cache", &du.build_cache, false),
    ];
    for (name, c, pct) in rows {
        let mut reclaim = reclaimable_text(c, pct);
        if !c.reclaimable_exact && c.reclaimable.is_some() {
            reclaim.push_str(" (up to)");
        }
        out.push_str(&format!(
            "{name:<16}{:<10}{:<10}{:<14}{reclaim}\n",
            c.total_count,
            c.active_count,
            opt(c.size)
        ));
    }
    out.push_str(&match &du.data_root {
        DataRoot::Reported {
            path,
            total,
            available,
        } => format!(
            "\nData root {}: {} free of {}\n",
            sanitize(path),
            human_size(*available),
            human_size(*total)
        ),
        DataRoot::NotReported(why) => format!("\nData root free space: {}\n", sanitize(why)),
    });
    out
}

fn verbose_sections(du: &DiskUsage) -> String {
    let mut out = String::from("\nImages space usage:\n\n");
    out.push_str("IMAGE ID       REPOSITORY:TAG                          SIZE       SHARED     UNIQUE     CONTAINERS\n");
    for i in &du.image_items {
        let tag = i.repo_tags.first().map_or("<none>:<none>", String::as_str);
        out.push_str(&format!(
            "{:<15}{:<40}{:<11}{:<11}{:<11}{}\n",
            crate::util::text::short_id(&i.id),
            sanitize(tag),
            opt(i.size),
            opt(i.shared_size),
            opt(i.unique_size),
            i.containers.map_or("?".into(), |c| c.to_string())
        ));
    }
    out.push_str("\nContainers space usage:\n\nNAME                          STATE       SIZE\n");
    for c in &du.container_items {
        out.push_str(&format!(
            "{:<30}{:<12}{}\n",
            sanitize(&c.name),
            sanitize(&c.state),
            opt(c.size_rw)
        ));
    }
    out.push_str("\nLocal Volumes space usage:\n\nVOLUME NAME                                                        LINKS     SIZE\n");
    for v in &du.volume_items {
        out.push_str(&format!(
            "{:<67}{:<10}{}\n",
            sanitize(&v.name),
            v.ref_count.map_or("?".into(), |r| r.to_string()),
            opt(v.size)
        ));
    }
    out.push_str(&format!(
        "\nBuild cache usage: {}\n\nCACHE ID       CACHE TYPE      SIZE       USAGE   SHARED  INSTRUCTION\n",
        opt(du.build_cache.size)
    ));
    for r in &du.build_cache_items {
        let origin = crate::engine::buildcache::origin(&r.description);
        let what = origin
            .instruction()
            .unwrap_or_else(|| r.description.clone());
        out.push_str(&format!(
            "{:<15}{:<16}{:<11}{:<8}{:<8}{}\n",
            r.id.get(..12).unwrap_or(&r.id),
            sanitize(&r.kind),
            human_size(r.size),
            r.usage_count,
            r.shared,
            crate::util::text::ellipsize(&sanitize(&what), 60)
        ));
    }
    out
}

fn category_json(c: &DiskCategory) -> serde_json::Value {
    json!({
        "total": c.total_count, "active": c.active_count, "size": c.size,
        "reclaimable": c.reclaimable, "reclaimable_exact": c.reclaimable_exact,
    })
}

/// The figures as JSON: exact bytes; `null` where the engine does not report a figure.
pub fn to_json(du: &DiskUsage, verbose: bool) -> serde_json::Value {
    let root = match &du.data_root {
        DataRoot::Reported {
            path,
            total,
            available,
        } => json!({"path": path, "total": total, "available": available}),
        DataRoot::NotReported(why) => json!({"not_reported": why}),
    };
    let mut v = json!({
        "images": category_json(&du.images),
        "containers": category_json(&du.containers),
        "volumes": category_json(&du.volumes),
        "build_cache": category_json(&du.build_cache),
        "data_root": root,
    });
    if verbose {
        v["image_items"] = du
            .image_items
            .iter()
            .map(|i| {
                json!({
            "id": i.id, "repo_tags": i.repo_tags, "size": i.size, "shared_size": i.shared_size,
            "unique_size": i.unique_size, "containers": i.containers})
            })
            .collect();
        v["container_items"] = du
            .container_items
            .iter()
            .map(|c| {
                json!({
            "id": c.id, "name": c.name, "state": c.state, "size_rw": c.size_rw,
            "volumes": c.volumes})
            })
            .collect();
        v["volume_items"] = du
            .volume_items
            .iter()
            .map(|x| {
                json!({
            "name": x.name, "size": x.size, "ref_count": x.ref_count,
            "containers": x.containers})
            })
            .collect();
        v["build_cache_items"] = du
            .build_cache_items
            .iter()
            .map(|r| {
                json!({
            "id": r.id, "type": r.kind, "size": r.size, "shared": r.shared, "in_use": r.in_use,
            "usage_count": r.usage_count, "description": r.description,
            "instruction": crate::engine::buildcache::origin(&r.description).instruction()})
            })
            .collect();
    }
    v
}

/// Runs `dockhand df`.
pub fn run(args: DfArgs, host: Option<String>) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let du = runtime.block_on(async {
        let input = crate::engine::endpoint::ResolveInput::from_env(host);
        let endpoints = crate::engine::endpoint::resolve(&input).map_err(anyhow::Error::msg)?;
        let (docker, info) = crate::engine::connect::connect_any(&endpoints)
            .await
            .map_err(|attempts| {
                let tried: Vec<String> = attempts
                    .iter()
                    .map(|a| format!("{} ({})", a.endpoint, a.error))
                    .collect();
                anyhow::anyhow!("no engine reachable: {}", tried.join("; "))
            })?;
        let raw = crate::engine::raw_api::RawApi::for_endpoint(&info.endpoint, &docker);
        crate::engine::disk_worker::usage(&docker, raw.as_ref())
            .await
            .context("reading the engine's disk usage")
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", to_json(&du, args.verbose))?;
    } else {
        out.write_all(summary_table(&du).as_bytes())?;
        if args.verbose {
            out.write_all(verbose_sections(&du).as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_the_docker_cli() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(3), "3B");
        assert_eq!(human_size(50_000), "50kB");
        assert_eq!(human_size(32_768), "32.77kB");
        assert_eq!(human_size(2_445_075), "2.445MB");
        assert_eq!(human_size(102_400), "102.4kB");
        assert_eq!(human_size(999_950), "1000kB");
        assert_eq!(human_size(1_985_472), "1.985MB");
    }

    #[test]
    fn reclaimable_shows_a_whole_percent() {
        let c = DiskCategory {
            size: Some(2_445_075),
            reclaimable: Some(2_342_675),
            ..Default::default()
        };
        assert_eq!(reclaimable_text(&c, true), "2.343MB (95%)");
        assert_eq!(reclaimable_text(&c, false), "2.343MB");
        assert_eq!(
            reclaimable_text(&DiskCategory::default(), true),
            "not reported"
        );
    }
}
