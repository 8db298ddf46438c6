//! Stage and filesystem rules: DL3006, DL3007 (base image tag), DL3022 (COPY --from), DL4000
//! (MAINTAINER), DL3000 (absolute WORKDIR), DL3002 (last USER root), DL3020 (ADD for local files).

use super::{Diagnostic, Severity, Stage};
use crate::dockerfile::parser::Dockerfile;

/// Splits an image reference into `(name, tag, has_digest)`.
fn image_tag(image: &str) -> (&str, Option<&str>, bool) {
    let (image, digest) = match image.split_once('@') {
        Some((i, _)) => (i, true),
        None => (image, false),
    };
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(i) => (&image[..last_slash + i], Some(&image[last_slash + i + 1..]), digest),
        None => (image, None, digest),
    }
}

fn base_image_rules(stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    for stage in stages {
        let image = stage.base.as_str();
        let earlier_alias = stages[..stage.index]
            .iter()
            .any(|s| s.name.as_deref() == Some(&image.to_ascii_lowercase()));
        if image.is_empty() || image.eq_ignore_ascii_case("scratch") || earlier_alias || image.starts_with('$') {
            continue;
        }
        let line = stage.from.start_line;
        match image_tag(image) {
            (_, None, false) => out.push(Diagnostic::new(
                "DL3006",
                Severity::Warning,
                line,
                format!("Always tag the version of an image explicitly ({image})"),
            )),
            (_, Some("latest"), false) => out.push(Diagnostic::new(
                "DL3007",
                Severity::Warning,
                line,
                "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
            )),
            _ => {}
        }
    }
}

fn copy_from_rule(stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    for stage in stages {
        for inst in &stage.body {
            if inst.effective_keyword() != "COPY" {
                continue;
            }
            let Some(from) = inst.flag("from") else { continue };
            let lower = from.to_ascii_lowercase();
            let known_alias = stages[..stage.index].iter().any(|s| s.name.as_deref() == Some(&lower));
            let known_index = from.parse::<usize>().is_ok_and(|i| i < stage.index);
            let image_ref = from.contains(':') || from.contains('/') || from.starts_with('$');
            if !known_alias && !known_index && !image_ref {
                out.push(Diagnostic::new(
                    "DL3022",
                    Severity::Warning,
                    inst.start_line,
                    format!("`COPY --from={from}` should reference a previously defined `FROM` alias"),
                ));
            }
        }
    }
}

fn is_archive(src: &str) -> bool {
    const EXT: [&str; 14] = [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz",
        ".bz2", ".xz", ".zst", ".lz",
    ];
    let lower = src.to_ascii_lowercase();
    EXT.iter().any(|e| lower.ends_with(e))
}

fn is_url(src: &str) -> bool {
    let lower = src.to_ascii_lowercase();
    ["http://", "https://", "git@", "git://"].iter().any(|p| lower.starts_with(p))
}

fn instruction_rules(file: &Dockerfile, stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    for inst in &file.instructions {
        let line = inst.start_line;
        match inst.effective_keyword().as_str() {
            "MAINTAINER" => out.push(Diagnostic::new(
                "DL4000",
                Severity::Error,
                line,
                "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors=…",
            )),
            "WORKDIR" => {
                let dir = inst.args.first().map(|s| s.trim_matches(['"', '\''])).unwrap_or_default();
                let windows = dir.len() >= 2 && dir.as_bytes()[1] == b':';
                if !dir.is_empty() && !dir.starts_with('/') && !dir.starts_with('$') && !windows {
                    out.push(Diagnostic::new("DL3000", Severity::Error, line, format!("Use absolute WORKDIR (got {dir})")));
                }
            }
            "ADD" if inst.heredocs.is_empty() && inst.args.len() >= 2 => {
                let sources = &inst.args[..inst.args.len() - 1];
                if sources.iter().all(|s| !is_url(s) && !is_archive(s)) {
                    out.push(Diagnostic::new(
                        "DL3020",
                        Severity::Error,
                        line,
                        "Use COPY instead of ADD for files and folders",
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some(last) = stages.last() {
        let last_user = last.body.iter().rev().find(|i| i.trigger.is_none() && i.keyword() == "USER");
        if let Some(user) = last_user {
            let name = user.args.first().map(String::as_str).unwrap_or_default();
            let who = name.split(':').next().unwrap_or_default();
            if who == "root" || who == "0" {
                out.push(Diagnostic::new("DL3002", Severity::Warning, user.start_line, "Last USER should not be root"));
            }
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(file: &Dockerfile, stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    base_image_rules(stages, out);
    copy_from_rule(stages, out);
    instruction_rules(file, stages, out);
}

#[cfg(test)]
mod tests {
    use super::image_tag;

    #[test]
    fn splits_image_references() {
        assert_eq!(image_tag("alpine"), ("alpine", None, false));
        assert_eq!(image_tag("alpine:3.19"), ("alpine", Some("3.19"), false));
        assert_eq!(image_tag("localhost:5000/app"), ("localhost:5000/app", None, false));
        assert_eq!(image_tag("localhost:5000/app:1"), ("localhost:5000/app", Some("1"), false));
        assert_eq!(image_tag("app@sha256:abc"), ("app", None, true));
    }
}
