//! Per-instruction argument parsers (BuildKit's `line_parsers.go` dispatch table).

use super::split::{parse_words, split_command, split_re_whitespace, is_space_byte};

/// One parsed line as BuildKit's parser sees it, before it is flattened into an [`super::Instruction`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RawNode {
    pub cmd: String,
    pub flags: Vec<String>,
    /// The values of the `Next` chain of BuildKit's node.
    pub values: Vec<String>,
    pub json: bool,
    /// ONBUILD's trigger.
    pub child: Option<Box<RawNode>>,
}

const NOT_STRING_ARRAY: &str = "when using JSON array syntax, arrays must be comprised of strings only";

/// Outcome of trying to read the arguments as a JSON array.
enum Json {
    Strings(Vec<String>),
    NotJson,
}

/// BuildKit's `parseJSON`: a JSON array of strings; trailing text after the array is ignored,
/// as Go's `json.Decoder` does.
fn parse_json(rest: &str) -> Result<Json, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(Json::NotJson);
    }
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(serde_json::Value::Array(items))) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    serde_json::Value::String(s) => out.push(s),
                    _ => return Err(NOT_STRING_ARRAY.to_string()),
                }
            }
            Ok(Json::Strings(out))
        }
        _ => Ok(Json::NotJson),
    }
}

fn maybe_json(rest: &str) -> Result<(Vec<String>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    match parse_json(rest)? {
        Json::Strings(v) => Ok((v, true)),
        Json::NotJson => Ok((vec![rest.to_string()], false)),
    }
}

fn whitespace_delimited(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    split_re_whitespace(rest, -1)
}

fn maybe_json_to_list(rest: &str) -> Result<(Vec<String>, bool), String> {
    match parse_json(rest)? {
        Json::Strings(v) => Ok((v, true)),
        Json::NotJson => Ok((whitespace_delimited(rest), false)),
    }
}

fn name_val(rest: &str, key: &str, escape: char) -> Result<Vec<String>, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let parts = split_re_whitespace(rest, 2);
        if parts.len() < 2 {
            return Err(format!("{key} must have two arguments"));
        }
        return Ok(parts);
    }
    let mut out = Vec::new();
    for word in &words {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        out.push(k.to_string());
        out.push(v.to_string());
    }
    Ok(out)
}

fn health_config(rest: &str) -> Result<(Vec<String>, bool), String> {
    let bytes = rest.as_bytes();
    let sep = bytes.iter().position(|b| is_space_byte(*b)).unwrap_or(bytes.len());
    let next = bytes[sep..]
        .iter()
        .position(|b| !is_space_byte(*b))
        .map_or(bytes.len(), |p| sep + p);
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let typ = String::from_utf8_lossy(&bytes[..sep]).into_owned();
    let tail = String::from_utf8_lossy(&bytes[next..]).into_owned();
    let (cmd, json) = maybe_json(&tail)?;
    let mut out = vec![typ];
    out.extend(cmd);
    Ok((out, json))
}

/// BuildKit's `newNodeFromLine`: splits the line and dispatches on the instruction.
pub(crate) fn node_from_line(line: &str, escape: char) -> Result<RawNode, String> {
    let (cmd, flags, rest) = split_command(line);
    let mut node = RawNode {
        cmd,
        flags,
        ..RawNode::default()
    };
    let lower = node.cmd.to_ascii_lowercase();
    let (values, json) = match lower.as_str() {
        "add" | "copy" | "volume" => maybe_json_to_list(&rest)?,
        "arg" => (parse_words(&rest, escape), false),
        "cmd" | "entrypoint" | "run" | "shell" => maybe_json(&rest)?,
        "env" => (name_val(&rest, "ENV", escape)?, false),
        "label" => (name_val(&rest, "LABEL", escape)?, false),
        "expose" | "from" => (whitespace_delimited(&rest), false),
        "healthcheck" => health_config(&rest)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if rest.is_empty() {
                (Vec::new(), false)
            } else {
                (vec![rest.clone()], false)
            }
        }
        "onbuild" => {
            if rest.is_empty() {
                (Vec::new(), false)
            } else {
                node.child = Some(Box::new(node_from_line(&rest, escape)?));
                (vec![String::new()], false)
            }
        }
        _ => (vec![String::new()], false),
    };
    node.values = values;
    node.json = json;
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> RawNode {
        node_from_line(line, '\\').expect("parses")
    }

    #[test]
    fn json_and_fallback() {
        let n = parse("CMD [\"a\", \"b\"]");
        assert!(n.json);
        assert_eq!(n.values, vec!["a", "b"]);
        let n = parse("CMD [\"a\", 'b']");
        assert!(!n.json);
        assert_eq!(n.values, vec!["[\"a\", 'b']"]);
        let n = parse("CMD [\"a\"] trailing");
        assert!(n.json);
        assert!(node_from_line("CMD [1]", '\\').is_err());
    }

    #[test]
    fn env_forms() {
        assert_eq!(parse("ENV A b c").values, vec!["A", "b c"]);
        assert_eq!(parse("ENV A=1 B=\"x y\"").values, vec!["A", "1", "B", "\"x y\""]);
        assert!(node_from_line("ENV A", '\\').is_err());
        assert!(node_from_line("ENV A=1 B", '\\').is_err());
    }

    #[test]
    fn onbuild_and_healthcheck() {
        let n = parse("ONBUILD RUN echo hi");
        assert_eq!(n.child.as_ref().map(|c| c.values.clone()), Some(vec!["echo hi".to_string()]));
        let n = parse("HEALTHCHECK --interval=5s CMD [\"curl\", \"x\"]");
        assert_eq!(n.flags, vec!["--interval=5s"]);
        assert_eq!(n.values, vec!["CMD", "curl", "x"]);
        assert!(n.json);
    }
}
