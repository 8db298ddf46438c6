//! Stage and instruction-order rules, as hadolint defines them: FROM (DL3006, DL3007, DL3024,
//! DL3029, DL3063, DL3065), stage references (DL3022, DL3023), USER (DL3002, DL3066), WORKDIR
//! (DL3000), HEALTHCHECK (DL3012, DL3057), order (DL3061), ONBUILD (DL3043), MAINTAINER (DL4000),
//! CMD/ENTRYPOINT count (DL4003, DL4004).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Findings, Item};

/// A FROM instruction split the way hadolint's parser splits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct From {
    /// Registry host, when the first path component names one.
    pub registry: Option<String>,
    /// The image name without registry, tag and digest.
    pub image: String,
    pub tag: Option<String>,
    pub digest: bool,
    pub alias: Option<String>,
    pub platform: Option<String>,
}

/// Splits `[registry/]name[:tag][@digest]`.
pub(crate) fn split_image(reference: &str) -> (Option<String>, String, Option<String>, bool) {
    let (rest, digest) = match reference.split_once('@') {
        Some((r, _)) => (r, true),
        None => (reference, false),
    };
    let (registry, path) = match rest.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first.to_string()), path)
        }
        _ => (None, rest),
    };
    let last_slash = path.rfind('/').map_or(0, |i| i + 1);
    match path[last_slash..].rfind(':') {
        Some(i) => (
            registry,
            path[..last_slash + i].to_string(),
            Some(path[last_slash + i + 1..].to_string()),
            digest,
        ),
        None => (registry, path.to_string(), None, digest),
    }
}

pub(crate) fn parse_from(item: &Item<'_>) -> From {
    let args = &item.inst.args;
    let (registry, image, tag, digest) = split_image(args.first().map_or("", String::as_str));
    let alias = (args.len() >= 3 && args[1].eq_ignore_ascii_case("as")).then(|| args[2].clone());
    From {
        registry,
        image,
        tag,
        digest,
        alias,
        platform: item.inst.flag("platform").map(str::to_string),
    }
}

/// A LABEL/ENV word as the instruction uses it: surrounding quotes removed, escapes resolved.
pub(crate) fn unquote(s: &str) -> String {
    let (body, double) = match s.as_bytes() {
        [b'"', .., b'"'] if s.len() >= 2 => (&s[1..s.len() - 1], true),
        [b'\'', .., b'\''] if s.len() >= 2 => return s[1..s.len() - 1].to_string(),
        _ => (s, false),
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match (c, double) {
            ('\\', true) => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `text` refers to one of `vars` the way hadolint tests it: `${NAME}` exactly, or `$NAME`
/// as a prefix of what follows the `$` (so `$VERSION` refers to `VER` as well).
pub(crate) fn refers_to_any(text: &str, vars: &HashSet<String>) -> bool {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    for (i, _) in text.match_indices('$') {
        let rest = &text[i + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            if inner
                .split_once('}')
                .is_some_and(|(name, _)| vars.contains(name))
            {
                return true;
            }
            continue;
        }
        let len = rest.bytes().take_while(|c| ident(*c)).count();
        if (1..=len).any(|n| vars.contains(&rest[..n])) {
            return true;
        }
    }
    false
}

pub(crate) fn drop_quotes(s: &str) -> &str {
    s.trim_matches(['"', '\''])
}

fn from_rules(items: &[Item<'_>], out: &mut Findings) {
    let mut aliases: HashSet<String> = HashSet::new();
    for item in items.iter().filter(|i| i.is("FROM")) {
        let f = parse_from(item);
        let line = item.line();
        if f.image != "scratch" && !f.digest && f.tag.is_none() {
            let known = f.image.starts_with('$') || aliases.contains(&f.image);
            if !known {
                out.push("DL3006", line);
            }
        }
        if f.tag.as_deref() == Some("latest") && !f.digest {
            out.push("DL3007", line);
        }
        if let Some(p) = &f.platform {
            if !p.contains("BUILDPLATFORM") && !p.contains("TARGETPLATFORM") {
                out.push("DL3029", line);
            }
            if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
                out.push("DL3065", line);
            }
        }
        if let Some(a) = &f.alias {
            if aliases.contains(a) {
                out.push("DL3024", line);
            }
            if a == "scratch" || a == "context" {
                out.push("DL3063", line);
            }
            aliases.insert(a.clone());
        }
    }
}

fn copy_from_rules(items: &[Item<'_>], out: &mut Findings) {
    let mut count = 0usize;
    let mut names: HashSet<String> = HashSet::new();
    let mut current: Option<From> = None;
    for item in items {
        if item.is("FROM") {
            let f = parse_from(item);
            count += 1;
            names.extend(f.alias.clone());
            current = Some(f);
            continue;
        }
        if !item.is("COPY") {
            continue;
        }
        let Some(src) = item.inst.flag("from") else {
            continue;
        };
        let known = drop_quotes(src).contains(':')
            || names.contains(src)
            || leading_number(src).is_some_and(|n| n < count);
        if !known {
            out.push("DL3022", item.line());
        }
        if let Some(f) = &current
            && f.alias.as_deref() == Some(src)
        {
            out.push("DL3023", item.line());
        }
    }
}

/// The decimal number `s` starts with (hadolint reads `COPY --from=1x` as stage 1).
fn leading_number(s: &str) -> Option<usize> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn user_rules(items: &[Item<'_>], out: &mut Findings) {
    // DL3002: per stage, the last USER if it is root.
    let mut root_user: Vec<(usize, Option<usize>)> = Vec::new();
    let mut args: HashSet<String> = HashSet::new();
    for item in items {
        if item.is("FROM") {
            root_user.push((item.line(), None));
        } else if item.is("ARG") {
            args.extend(item.inst.args.iter().map(|a| arg_name(a).to_string()));
        } else if item.is("USER") {
            let user = item.inst.args.join(" ");
            let root = user == "root"
                || user == "0"
                || user.starts_with("root:")
                || user.starts_with("0:");
            if let Some(stage) = root_user.last_mut() {
                stage.1 = root.then_some(item.line());
            }
            let uid = user.split(':').next().unwrap_or_default();
            let numeric = uid.chars().all(|c| c.is_ascii_digit());
            let from_arg = refers_to_any(uid, &args);
            if !numeric && !from_arg {
                out.push("DL3066", item.line());
            }
        }
    }
    let mut lines: Vec<usize> = root_user.into_iter().filter_map(|(_, l)| l).collect();
    lines.sort_unstable();
    for line in lines {
        out.push("DL3002", line);
    }
}

/// The name of an `ARG name[=value]` word.
pub(crate) fn arg_name(a: &str) -> &str {
    a.split('=').next().unwrap_or_default()
}

/// Stages without a HEALTHCHECK (DL3057), by FROM line, with their source image and name.
#[derive(Default)]
struct Healthless {
    good: HashSet<String>,
    bad: BTreeMap<usize, (String, String)>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Healthless {
    fn add(&mut self, line: usize, src: String, name: String) {
        if self.good.contains(&src) {
            self.good.insert(name);
        } else {
            self.by_name.entry(name.clone()).or_default().push(line);
            self.bad.insert(line, (src, name));
        }
    }

    /// A stage with a HEALTHCHECK is good, and so are (as hadolint has it) the stages it is built
    /// from, transitively.
    fn mark_good(&mut self, line: usize, src: &str, name: &str) {
        self.good.insert(name.to_string());
        self.bad.remove(&line);
        let mut sources = vec![src.to_string()];
        while let Some(s) = sources.pop() {
            for l in self.by_name.remove(&s).unwrap_or_default() {
                if let Some((src, name)) = self.bad.remove(&l) {
                    self.good.insert(name);
                    sources.push(src);
                }
            }
        }
    }
}

fn healthcheck_rules(items: &[Item<'_>], out: &mut Findings) {
    let mut seen = false;
    let mut stages = Healthless::default();
    let mut current: Option<(usize, String, String)> = None;
    for item in items {
        if item.is("FROM") {
            seen = false;
            let f = parse_from(item);
            let name = f.alias.clone().unwrap_or_else(|| f.image.clone());
            stages.add(item.line(), f.image.clone(), name.clone());
            current = Some((item.line(), f.image, name));
        } else if item.is("HEALTHCHECK") {
            if seen {
                out.push("DL3012", item.line());
            }
            seen = true;
            if let Some((line, src, name)) = &current {
                stages.mark_good(*line, src, name);
            }
        }
    }
    for line in stages.bad.keys() {
        out.push("DL3057", *line);
    }
}

fn misc_rules(items: &[Item<'_>], out: &mut Findings) {
    let mut seen_from = false;
    let mut cmd_seen = false;
    let mut entry_seen = false;
    for item in items {
        let line = item.line();
        if item.is("FROM") {
            seen_from = true;
            cmd_seen = false;
            entry_seen = false;
            continue;
        }
        if !seen_from && !item.is("ARG") {
            out.push("DL3061", line);
        }
        if item.onbuild && matches!(item.kw, "ONBUILD" | "FROM" | "MAINTAINER") {
            out.push("DL3043", line);
        }
        match item.kw {
            "MAINTAINER" if !item.onbuild => out.push("DL4000", line),
            "WORKDIR" if !item.onbuild => {
                let dir = drop_quotes(item.inst.args.first().map_or("", String::as_str));
                let b = dir.as_bytes();
                let windows = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
                if !dir.is_empty() && !dir.starts_with('$') && !dir.starts_with('/') && !windows {
                    out.push("DL3000", line);
                }
            }
            "CMD" if !item.onbuild => {
                if cmd_seen {
                    out.push("DL4003", line);
                }
                cmd_seen = true;
            }
            "ENTRYPOINT" if !item.onbuild => {
                if entry_seen {
                    out.push("DL4004", line);
                }
                entry_seen = true;
            }
            _ => {}
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(items: &[Item<'_>], out: &mut Findings) {
    from_rules(items, out);
    copy_from_rules(items, out);
    user_rules(items, out);
    healthcheck_rules(items, out);
    misc_rules(items, out);
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn splits_image_references() {
        assert_eq!(split_image("alpine"), (None, "alpine".into(), None, false));
        assert_eq!(
            split_image("alpine:3.19"),
            (None, "alpine".into(), Some("3.19".into()), false)
        );
        assert_eq!(
            split_image("localhost:5000/app:1"),
            (
                Some("localhost:5000".into()),
                "app".into(),
                Some("1".into()),
                false
            )
        );
        assert_eq!(
            split_image("app@sha256:abc"),
            (None, "app".into(), None, true)
        );
    }
}
