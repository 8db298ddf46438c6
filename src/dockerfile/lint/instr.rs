//! Instruction rules, as hadolint defines them: EXPOSE (DL3011), ADD (DL3020), COPY (DL3021,
//! DL3045, DL3067), CMD/ENTRYPOINT/HEALTHCHECK form (DL3025), trusted registries (DL3026), ENV
//! self-reference (DL3044), label keys (DL3048), secrets in ARG/ENV (DL3064).

use std::collections::{HashMap, HashSet};

use super::base::{arg_name, drop_quotes, parse_from, split_image, unquote};
use super::config::LintConfig;
use super::runmisc::is_archive;
use super::{Findings, Item};

fn port_too_big(spec: &str) -> bool {
    let port = spec.split('/').next().unwrap_or_default();
    port.split('-')
        .any(|p| p.parse::<u64>().is_ok_and(|n| n > 65535))
}

fn is_windows_abs(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

fn simple_rules(item: &Item<'_>, out: &mut Findings) {
    let line = item.line();
    let args = &item.inst.args;
    match item.kw {
        "EXPOSE" if args.iter().any(|p| port_too_big(p)) => out.push("DL3011", line),
        "ADD" if item.inst.heredocs.is_empty() && args.len() >= 2 => {
            let url = |s: &str| {
                let s = drop_quotes(s);
                s.starts_with("https://") || s.starts_with("http://")
            };
            if !args[..args.len() - 1]
                .iter()
                .all(|s| is_archive(s) || url(s))
            {
                out.push("DL3020", line);
            }
        }
        "COPY" if args.len() > 2 && item.inst.heredocs.is_empty() => {
            let target = drop_quotes(&args[args.len() - 1]);
            if !target.ends_with('/') {
                out.push("DL3021", line);
            }
        }
        "CMD" | "ENTRYPOINT" if !item.inst.json && !args.is_empty() => out.push("DL3025", line),
        "HEALTHCHECK"
            if args.first().is_some_and(|a| a.eq_ignore_ascii_case("cmd")) && !item.inst.json =>
        {
            out.push("DL3025", line)
        }
        _ => {}
    }
    if item.kw == "COPY" && item.inst.flag("from").is_some() && args.len() >= 2 {
        let (target, sources) = args.split_last().unwrap_or((&args[0], &[]));
        if sources.iter().any(|s| drop_quotes(s) == "/") && drop_quotes(target) == "/" {
            out.push("DL3067", line);
        }
    }
}

const KNOWN_SECRETS: [&str; 48] = [
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
];

const SUSPICIOUS: [&str; 7] = [
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

/// Whether an ARG/ENV name looks like it holds a secret, by hadolint's DL3064 lists: a known
/// sensitive name, or one containing `password`, `secret`, `token`, `private`, `username`,
/// `api_key` or `client_key`. `GPG_KEY` or `PUBLIC_KEY` are not.
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    KNOWN_SECRETS.contains(&name.to_ascii_uppercase().as_str())
        || SUSPICIOUS.iter().any(|s| lower.contains(s))
}

fn secret_rule(item: &Item<'_>, out: &mut Findings) {
    let names: Vec<&str> = match item.kw {
        "ENV" => item
            .inst
            .args
            .iter()
            .step_by(2)
            .map(String::as_str)
            .collect(),
        "ARG" => item.inst.args.iter().map(|a| arg_name(a)).collect(),
        _ => return,
    };
    if names.iter().any(|n| looks_secret(n)) {
        out.push("DL3064", item.line());
    }
}

/// `$name` not followed by a name character, or `${name}`, in `text`.
fn references(text: &str, name: &str) -> bool {
    if text.contains(&format!("${{{name}}}")) {
        return true;
    }
    let needle = format!("${name}");
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn dl3044(items: &[Item<'_>], out: &mut Findings) {
    let mut defined: HashSet<String> = HashSet::new();
    for item in items.iter().filter(|i| !i.onbuild) {
        match item.kw {
            "ENV" => {
                let pairs: Vec<(&str, &str)> = item
                    .inst
                    .args
                    .chunks(2)
                    .map(|p| (p[0].as_str(), p.get(1).map_or("", String::as_str)))
                    .collect();
                let bad = pairs.iter().enumerate().any(|(i, (name, _))| {
                    !defined.contains(*name)
                        && pairs
                            .iter()
                            .enumerate()
                            .any(|(j, (_, v))| j != i && references(v, name))
                });
                if bad {
                    out.push("DL3044", item.line());
                }
                defined.extend(pairs.iter().map(|(n, _)| n.to_string()));
            }
            "ARG" => defined.extend(item.inst.args.iter().map(|a| arg_name(a).to_string())),
            _ => {}
        }
    }
}

fn dl3045(items: &[Item<'_>], out: &mut Findings) {
    // stage name -> WORKDIR set
    let mut stages: HashMap<Option<String>, bool> = HashMap::new();
    let mut current: Option<String> = None;
    for item in items.iter().filter(|i| !i.onbuild) {
        match item.kw {
            "FROM" => {
                let f = parse_from(item);
                let parent = stages.get(&Some(f.image.clone())).copied().unwrap_or(false);
                let name = f.alias.unwrap_or(f.image);
                stages.insert(Some(name.clone()), parent);
                current = Some(name);
            }
            "WORKDIR" => {
                stages.insert(current.clone(), true);
            }
            "COPY" if item.inst.args.len() >= 2 => {
                let set = stages.get(&current).copied().unwrap_or(false);
                let dest = item.inst.args[item.inst.args.len() - 1].trim_matches(['"', '\'']);
                if !set && !dest.starts_with('/') && !dest.starts_with('$') && !is_windows_abs(dest)
                {
                    out.push("DL3045", item.line());
                }
            }
            _ => {}
        }
    }
}

fn valid_label_key(k: &str) -> bool {
    k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c))
        && !["com.docker.", "io.docker.", "org.dockerproject."]
            .iter()
            .any(|p| k.starts_with(p))
        && !k.contains("..")
        && !k.contains("--")
}

fn registry_allowed(allowed: &[String], registry: &str) -> bool {
    allowed.iter().any(|a| {
        if a == "*" {
            true
        } else if let Some(suffix) = a.strip_prefix('*') {
            registry.ends_with(suffix)
        } else if let Some(prefix) = a.strip_suffix('*') {
            registry.starts_with(prefix)
        } else {
            registry == a
        }
    })
}

fn dl3026(items: &[Item<'_>], allowed: &[String], out: &mut Findings) {
    if allowed.is_empty() {
        return;
    }
    let mut aliases: HashSet<String> = HashSet::new();
    let ok = |aliases: &HashSet<String>, reference: &str| {
        let (registry, image, _, _) = split_image(reference);
        aliases.contains(&image)
            || match registry {
                Some(r) => registry_allowed(allowed, &r),
                None => {
                    image == "scratch"
                        || registry_allowed(allowed, "docker.io")
                        || registry_allowed(allowed, "hub.docker.com")
                }
            }
    };
    for item in items.iter().filter(|i| !i.onbuild) {
        let reference = match item.kw {
            "FROM" => item.inst.args.first().cloned(),
            "COPY" => item.inst.flag("from").map(str::to_string),
            _ => None,
        };
        if let Some(r) = reference {
            if !ok(&aliases, &r) {
                out.push("DL3026", item.line());
            }
            if item.kw == "FROM" {
                aliases.extend(parse_from(item).alias);
            }
        }
    }
}

/// Runs this family's rules.
pub(super) fn check(items: &[Item<'_>], config: &LintConfig, out: &mut Findings) {
    for item in items {
        if !item.onbuild {
            simple_rules(item, out);
            if item.kw == "LABEL" {
                let keys = item.inst.args.iter().step_by(2);
                if keys.clone().any(|k| !valid_label_key(&unquote(k))) {
                    out.push("DL3048", item.line());
                }
            }
        }
        secret_rule(item, out);
    }
    dl3044(items, out);
    dl3045(items, out);
    dl3026(items, &config.trusted_registries, out);
}
