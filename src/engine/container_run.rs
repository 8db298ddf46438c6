//! `docker run` from a spec: parsing/validating the run dialog's fields and creating the container.
use std::collections::HashMap;

use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding as BollardPort, RestartPolicy,
    RestartPolicyNameEnum,
};
use bollard::query_parameters::{CreateContainerOptionsBuilder, StartContainerOptions};

use super::error::EngineError;

/// A port to publish: `[ip:]host:container[/proto]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// Host address (empty = all).
    pub host_ip: String,
    /// Host port; `None` lets the engine choose.
    pub host_port: Option<u16>,
    /// Container port.
    pub container_port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub proto: String,
}

/// Everything the run dialog sends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunSpec {
    /// Image reference or ID.
    pub image: String,
    /// Container name (empty: the engine picks one).
    pub name: String,
    /// Command, overriding the image's CMD (empty: keep it).
    pub cmd: Vec<String>,
    /// Entrypoint override (`None`: keep the image's).
    pub entrypoint: Option<Vec<String>>,
    /// `KEY=value` pairs.
    pub env: Vec<String>,
    /// Ports to publish.
    pub ports: Vec<PortSpec>,
    /// Binds/volumes, `source:/target[:ro]`.
    pub binds: Vec<String>,
    /// Network mode (`none`, `host`, `bridge`, a network name); empty: engine default.
    pub network: String,
    /// Restart policy: `no`, `always`, `unless-stopped`, `on-failure[:N]`.
    pub restart: String,
    /// Remove the container when it exits (`--rm`).
    pub auto_remove: bool,
    /// Allocate a TTY and keep stdin open (`-it`).
    pub tty: bool,
    /// Only create, do not start.
    pub create_only: bool,
}

/// Splits a command line into words: whitespace separates, single and double quotes group,
/// backslash escapes the next character outside single quotes.
pub fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated ' quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => cur.push(chars.next().ok_or("trailing backslash")?),
                        Some(c) => cur.push(c),
                        None => return Err("unterminated \" quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next().ok_or("trailing backslash")?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn port_number(s: &str, what: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("{what} port {s:?} is not a number from 1 to 65535")),
    }
}

/// Parses one port binding: `container[/proto]`, `host:container[/proto]`,
/// `ip:host:container[/proto]` (an IPv6 address in brackets).
pub fn parse_port(s: &str) -> Result<PortSpec, String> {
    let s = s.trim();
    let (rest, proto) = match s.rsplit_once('/') {
        Some((r, p)) => (r, p.to_ascii_lowercase()),
        None => (s, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("protocol {proto:?} must be tcp, udp or sctp"));
    }
    let (host_ip, hostport) = if let Some(r) = rest.strip_prefix('[') {
        let (ip, r) = r
            .split_once("]:")
            .ok_or_else(|| format!("{s:?}: expected [ipv6]:host:container"))?;
        (ip.to_string(), r)
    } else {
        match rest.matches(':').count() {
            0 | 1 => (String::new(), rest),
            2 => {
                let (ip, r) = rest.split_once(':').unwrap_or_default();
                (ip.to_string(), r)
            }
            _ => return Err(format!("{s:?}: expected host:container/proto")),
        }
    };
    if !host_ip.is_empty() && host_ip.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("{host_ip:?} is not an IP address"));
    }
    let (host_port, container) = match hostport.split_once(':') {
        Some(("", c)) => (None, c),
        Some((h, c)) => (Some(port_number(h, "host")?), c),
        None => (None, hostport),
    };
    Ok(PortSpec {
        host_ip,
        host_port,
        container_port: port_number(container, "container")?,
        proto,
    })
}

/// Checks a `KEY=value` pair.
pub fn parse_env(s: &str) -> Result<String, String> {
    let (key, _) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected KEY=value"))?;
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c == '\0') {
        return Err(format!("{key:?} is not a valid variable name"));
    }
    Ok(s.to_string())
}

/// Checks a bind/volume: `source:/target[:ro|rw]`, target absolute.
pub fn parse_bind(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let (src, dst, mode) = match parts.as_slice() {
        [src, dst] => (*src, *dst, None),
        [src, dst, mode] => (*src, *dst, Some(*mode)),
        _ => return Err(format!("{s:?}: expected source:/target[:ro]")),
    };
    if src.is_empty() {
        return Err(format!("{s:?}: the source is empty"));
    }
    if !dst.starts_with('/') {
        return Err(format!("{dst:?}: the target must be an absolute path"));
    }
    if let Some(m) = mode
        && !m.split(',').all(|o| matches!(o, "ro" | "rw" | "z" | "Z"))
    {
        return Err(format!("{m:?}: mode must be ro or rw"));
    }
    Ok(s.to_string())
}

/// Checks a container name against the engine's rule `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
pub fn validate_name(s: &str) -> Result<(), String> {
    let mut chars = s.chars();
    match chars.next() {
        None => Ok(()),
        Some(c) if c.is_ascii_alphanumeric() => {
            if chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
                Ok(())
            } else {
                Err(format!("{s:?}: names may use letters, digits, _ . -"))
            }
        }
        Some(_) => Err(format!("{s:?}: a name must start with a letter or digit")),
    }
}

/// Parses a restart policy.
pub fn parse_restart(s: &str) -> Result<RestartPolicy, String> {
    let (name, count) = match s.trim().split_once(':') {
        Some((n, c)) => (n, Some(c)),
        None => (s.trim(), None),
    };
    let name_enum = match name {
        "" | "no" => RestartPolicyNameEnum::NO,
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        other => {
            return Err(format!(
                "{other:?}: restart policy is no, always, unless-stopped or on-failure[:N]"
            ));
        }
    };
    let maximum_retry_count = match count {
        None => None,
        Some(c) if name == "on-failure" => Some(
            c.parse::<i64>()
                .map_err(|_| format!("{c:?}: retry count must be a number"))?,
        ),
        Some(_) => return Err("only on-failure takes a retry count".into()),
    };
    Ok(RestartPolicy {
        name: Some(name_enum),
        maximum_retry_count,
    })
}

/// Builds the engine's create body from a spec.
pub fn create_body(spec: &RunSpec) -> Result<ContainerCreateBody, String> {
    let mut exposed = Vec::new();
    let mut bindings: HashMap<String, Option<Vec<BollardPort>>> = HashMap::new();
    for p in &spec.ports {
        let key = format!("{}/{}", p.container_port, p.proto);
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(BollardPort {
                host_ip: Some(p.host_ip.clone()),
                host_port: Some(p.host_port.map(|h| h.to_string()).unwrap_or_default()),
            });
    }
    let restart = parse_restart(&spec.restart)?;
    let interactive = spec.tty && spec.create_only;
    Ok(ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: (!spec.cmd.is_empty()).then(|| spec.cmd.clone()),
        entrypoint: spec.entrypoint.clone(),
        env: (!spec.env.is_empty()).then(|| spec.env.clone()),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        tty: Some(spec.tty),
        open_stdin: Some(spec.tty),
        // `docker run -it` (created only, the app attaches then starts it): stdin closes when the
        // attached terminal goes.
        attach_stdin: Some(interactive),
        attach_stdout: Some(interactive),
        attach_stderr: Some(interactive),
        stdin_once: Some(interactive),
        host_config: Some(HostConfig {
            port_bindings: (!bindings.is_empty()).then_some(bindings),
            binds: (!spec.binds.is_empty()).then(|| spec.binds.clone()),
            network_mode: (!spec.network.is_empty()).then(|| spec.network.clone()),
            restart_policy: Some(restart),
            auto_remove: Some(spec.auto_remove),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Creates the container and starts it unless `create_only`; returns its ID and name.
pub async fn run(docker: &Docker, spec: &RunSpec) -> Result<(String, String), EngineError> {
    let body = create_body(spec).map_err(EngineError::Invalid)?;
    let mut opts = CreateContainerOptionsBuilder::default();
    if !spec.name.is_empty() {
        opts = opts.name(&spec.name);
    }
    let created = docker.create_container(Some(opts.build()), body).await?;
    if !spec.create_only {
        docker
            .start_container(&created.id, None::<StartContainerOptions>)
            .await?;
    }
    let name = if spec.name.is_empty() {
        docker
            .inspect_container(
                &created.id,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .ok()
            .and_then(|c| c.name)
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default()
    } else {
        spec.name.clone()
    };
    Ok((created.id, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"sh -c 'echo "hi there"' a\ b"#).unwrap(),
            vec!["sh", "-c", "echo \"hi there\"", "a b"]
        );
        assert_eq!(split_words("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_words("''").unwrap(), vec![""]);
        assert!(split_words("'open").is_err());
    }

    #[test]
    fn ports_parse_with_addresses_and_protocols() {
        let p = parse_port("127.0.0.1:8080:80/udp").unwrap();
        assert_eq!(
            (
                p.host_ip.as_str(),
                p.host_port,
                p.container_port,
                p.proto.as_str()
            ),
            ("127.0.0.1", Some(8080), 80, "udp")
        );
        let p = parse_port("8080:80").unwrap();
        assert_eq!(
            (p.host_port, p.container_port, p.proto.as_str()),
            (Some(8080), 80, "tcp")
        );
        assert_eq!(parse_port("80").unwrap().host_port, None);
        assert_eq!(parse_port("[::1]:9000:90").unwrap().host_ip, "::1");
        assert!(parse_port("70000:80").is_err());
        assert!(parse_port("80/xyz").is_err());
        assert!(parse_port("abc").is_err());
        assert!(parse_port("300.1.1.1:1:2").is_err());
        assert!(parse_port("0").is_err());
    }

    #[test]
    fn env_binds_names_and_restart_are_checked() {
        assert!(parse_env("A=1").is_ok());
        assert!(parse_env("A=").is_ok());
        assert!(parse_env("=1").is_err());
        assert!(parse_env("NOEQ").is_err());
        assert!(parse_bind("/tmp:/data:ro").is_ok());
        assert!(parse_bind("vol:/data").is_ok());
        assert!(parse_bind("/tmp:data").is_err());
        assert!(parse_bind("/tmp:/d:xx").is_err());
        assert!(validate_name("web-1.a_b").is_ok());
        assert!(validate_name("-web").is_err());
        assert!(validate_name("we b").is_err());
        assert_eq!(
            parse_restart("on-failure:3").unwrap().maximum_retry_count,
            Some(3)
        );
        assert!(parse_restart("always:3").is_err());
        assert!(parse_restart("sometimes").is_err());
    }

    #[test]
    fn create_body_carries_every_field() {
        let spec = RunSpec {
            image: "dh-busybox:1".into(),
            cmd: vec!["sleep".into(), "9".into()],
            entrypoint: Some(vec![]),
            env: vec!["A=1".into()],
            ports: vec![parse_port("127.0.0.1:18080:80").unwrap()],
            binds: vec!["/tmp:/data:ro".into()],
            network: "none".into(),
            restart: "unless-stopped".into(),
            auto_remove: false,
            ..Default::default()
        };
        let body = create_body(&spec).unwrap();
        let hc = body.host_config.unwrap();
        let b = &hc.port_bindings.unwrap()["80/tcp"];
        assert_eq!(b.as_ref().unwrap()[0].host_port.as_deref(), Some("18080"));
        assert_eq!(hc.network_mode.as_deref(), Some("none"));
        assert_eq!(body.exposed_ports.unwrap(), vec!["80/tcp".to_string()]);
    }
}
