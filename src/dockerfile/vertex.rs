//! BuildKit vertex names tied to Dockerfile lines.
//!
//! BuildKit's Dockerfile frontend names the vertex of each step `[stage n/m] INSTRUCTION …`: the
//! stage label is the stage's name, `stage-K` for an unnamed stage K, or nothing when the file has
//! one stage; `n/m` counts the stage's vertex-making instructions (`FROM` unless it is `scratch`,
//! `RUN`, `COPY`, `ADD`, `WORKDIR`); a one-stage file is also seen labelled `stage-0`. Other vertices are `[internal] load …` or the export.
//! [`locate`] maps a name to the instruction and its lines; [`cache::explain`] says why a rebuild
//! missed the cache.
pub mod cache;

use super::parser::{Dockerfile, Instruction};

/// A parsed `[platform stage n/m] text` step name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepName {
    /// `os/arch` prefix, present in multi-platform builds.
    pub platform: Option<String>,
    /// Stage label (`build`, `stage-1`); `None` in a one-stage file.
    pub stage: Option<String>,
    /// 1-based position of the step in its stage.
    pub index: usize,
    /// Number of vertex-making steps of the stage.
    pub total: usize,
    /// The instruction as BuildKit prints it (variables expanded).
    pub text: String,
}

/// What a vertex is, from its name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VertexName {
    /// A Dockerfile step.
    Step(StepName),
    /// `[internal] load build definition from FILE`.
    LoadDefinition,
    /// `[internal] load .dockerignore`.
    LoadDockerignore,
    /// `[internal] load build context`.
    LoadContext,
    /// `[internal] load metadata for REF`.
    LoadMetadata(String),
    /// `exporting to image` and other non-step work.
    Other,
}

/// Parses a vertex name.
pub fn parse_name(name: &str) -> VertexName {
    if let Some(rest) = name.strip_prefix("[internal] ") {
        return if rest.starts_with("load build definition") {
            VertexName::LoadDefinition
        } else if rest == "load .dockerignore" {
            VertexName::LoadDockerignore
        } else if rest == "load build context" {
            VertexName::LoadContext
        } else if let Some(image) = rest.strip_prefix("load metadata for ") {
            VertexName::LoadMetadata(image.trim().to_string())
        } else {
            VertexName::Other
        };
    }
    parse_step(name).map_or(VertexName::Other, VertexName::Step)
}

fn parse_step(name: &str) -> Option<StepName> {
    let rest = name.strip_prefix('[')?;
    let (label, text) = rest.split_once("] ")?;
    let mut words: Vec<&str> = label.split_whitespace().collect();
    let counts = words.pop()?;
    let (n, m) = counts.split_once('/')?;
    let (index, total) = (n.parse().ok()?, m.parse().ok()?);
    let platform = match words.first() {
        Some(w) if w.contains('/') => Some(words.remove(0).to_string()),
        _ => None,
    };
    if words.len() > 1 || index == 0 || index > total {
        return None;
    }
    Some(StepName {
        platform,
        stage: words.first().map(|s| s.to_string()),
        index,
        total,
        text: text.to_string(),
    })
}

/// One stage of a Dockerfile as BuildKit counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Position among the stages (0-based).
    pub index: usize,
    /// The label BuildKit prints (`None` when the file has one stage).
    pub label: Option<String>,
    /// The `AS` name, lower-cased, if any.
    pub name: Option<String>,
    /// Indices into [`Dockerfile::instructions`] of the vertex-making steps, in order.
    pub steps: Vec<usize>,
}

/// Whether an instruction makes a vertex of its own.
fn makes_vertex(ins: &Instruction) -> bool {
    match ins.keyword().as_str() {
        "RUN" | "COPY" | "ADD" | "WORKDIR" => true,
        "FROM" => !ins
            .args
            .first()
            .is_some_and(|a| a.eq_ignore_ascii_case("scratch")),
        _ => false,
    }
}

/// The stages of `file`, with their vertex-making steps.
pub fn stages(file: &Dockerfile) -> Vec<Stage> {
    let mut out: Vec<Stage> = Vec::new();
    for (i, ins) in file.instructions.iter().enumerate() {
        if ins.keyword() == "FROM" {
            let name = match ins.args.as_slice() {
                [_, kw, name, ..] if kw.eq_ignore_ascii_case("as") => {
                    Some(name.to_ascii_lowercase())
                }
                _ => None,
            };
            out.push(Stage {
                index: out.len(),
                label: None,
                name,
                steps: Vec::new(),
            });
        }
        if let Some(stage) = out.last_mut()
            && makes_vertex(ins)
        {
            stage.steps.push(i);
        }
    }
    if out.len() > 1 {
        for s in &mut out {
            s.label = Some(
                s.name
                    .clone()
                    .unwrap_or_else(|| format!("stage-{}", s.index)),
            );
        }
    }
    out
}

/// Where a step vertex comes from in the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepLocation {
    /// Stage position (0-based).
    pub stage: usize,
    /// The stage label BuildKit prints.
    pub stage_label: Option<String>,
    /// 1-based position of the step in its stage.
    pub index: usize,
    /// Index into [`Dockerfile::instructions`].
    pub instruction: usize,
    /// First line of the instruction (1-based).
    pub start_line: usize,
    /// Last line of the instruction.
    pub end_line: usize,
}

/// Where a vertex comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// A step of the Dockerfile.
    Step(StepLocation),
    /// Loading the Dockerfile itself.
    Definition,
    /// Loading `.dockerignore`.
    Dockerignore,
    /// Sending the build context.
    Context,
    /// Resolving a base image: the `FROM` lines that name it.
    BaseImage {
        /// The image reference as BuildKit prints it.
        image: String,
        /// First lines of the `FROM` instructions that use it.
        lines: Vec<usize>,
    },
    /// Anything else (export, unknown names).
    Other,
}

/// Maps a vertex name to where it comes from in `file`. A step name whose stage or counts do
/// not fit `file` (the file changed since the build started) maps to [`Origin::Other`].
pub fn locate(file: &Dockerfile, stages: &[Stage], name: &str) -> Origin {
    match parse_name(name) {
        VertexName::Step(step) => {
            locate_step(file, stages, &step).map_or(Origin::Other, Origin::Step)
        }
        VertexName::LoadDefinition => Origin::Definition,
        VertexName::LoadDockerignore => Origin::Dockerignore,
        VertexName::LoadContext => Origin::Context,
        VertexName::LoadMetadata(image) => {
            let lines = from_lines_for(file, &image);
            Origin::BaseImage { image, lines }
        }
        VertexName::Other => Origin::Other,
    }
}

fn locate_step(file: &Dockerfile, stages: &[Stage], step: &StepName) -> Option<StepLocation> {
    let stage = match &step.stage {
        None if stages.len() == 1 => stages.first()?,
        None => return None,
        // A one-stage file is printed with or without `stage-0` (dockerd 20.10 does both).
        Some(label) => stages.iter().find(|s| {
            s.label.as_deref() == Some(label)
                || (s.name.is_none() && *label == format!("stage-{}", s.index))
        })?,
    };
    if stage.steps.len() != step.total {
        return None;
    }
    let instruction = *stage.steps.get(step.index - 1)?;
    let ins = file.instructions.get(instruction)?;
    let printed = step.text.split_whitespace().next().unwrap_or("");
    if !printed.eq_ignore_ascii_case(&ins.keyword()) {
        return None;
    }
    Some(StepLocation {
        stage: stage.index,
        stage_label: stage.label.clone(),
        index: step.index,
        instruction,
        start_line: ins.start_line,
        end_line: ins.end_line,
    })
}

/// `docker.io/library/busybox:1` and `busybox:1` name the same image.
pub fn normalize_image(image: &str) -> String {
    let image = image.trim();
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    let image = image.strip_prefix("library/").unwrap_or(image);
    if image.contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

/// The `FROM` lines whose image is `image`, meta `ARG` defaults substituted.
fn from_lines_for(file: &Dockerfile, image: &str) -> Vec<usize> {
    let want = normalize_image(image);
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut seen_from = false;
    let mut lines = Vec::new();
    for ins in &file.instructions {
        match ins.keyword().as_str() {
            "ARG" if !seen_from => {
                for a in &ins.args {
                    let (k, v) = a.split_once('=').unwrap_or((a, ""));
                    meta.push((k.to_string(), v.trim_matches('"').to_string()));
                }
            }
            "FROM" => {
                seen_from = true;
                if let Some(arg) = ins.args.first()
                    && normalize_image(&substitute(arg, &meta)) == want
                {
                    lines.push(ins.start_line);
                }
            }
            _ => {}
        }
    }
    lines
}

/// Replaces `$NAME` and `${NAME}` by their values (unknown names become empty, as BuildKit does).
pub fn substitute(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, tail) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], &inner[end + 1..]),
                None => ("", after),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        let key = name.split([':', '-']).next().unwrap_or(name);
        if let Some((_, v)) = vars.iter().rev().find(|(k, _)| k == key) {
            out.push_str(v);
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
