//! Why a rebuild missed the build cache: a pure comparison of two build records.
//!
//! BuildKit only says whether a step was cached (its cache key, the vertex digest, differs when
//! any input differs). Comparing with the previous build of the same Dockerfile names the input
//! that changed for the first step that missed: its instruction text, a build `ARG` it sees, or a
//! `COPY`/`ADD` source in the context.
use std::collections::BTreeMap;

use crate::dockerfile::ignore::DockerIgnore;
use crate::dockerfile::parser::Dockerfile;

/// A context file as sent to the builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Mode bits as sent.
    pub mode: u32,
}

/// One step of a finished build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// Stage position (0-based).
    pub stage: usize,
    /// 1-based position in the stage (BuildKit's `n` of `n/m`).
    pub index: usize,
    /// Instruction keyword (`RUN`, `COPY`, …).
    pub keyword: String,
    /// The instruction as written (continuations joined).
    pub text: String,
    /// First line of the instruction.
    pub start_line: usize,
    /// Whether BuildKit took it from the cache.
    pub cached: bool,
    /// Build `ARG`s in scope with their values (build-arg or default; `None`: unset).
    pub args: Vec<(String, Option<String>)>,
    /// `COPY`/`ADD` sources read from the context (none with `--from`).
    pub sources: Vec<String>,
    /// Milliseconds the step took (0 when cached or unknown).
    pub millis: u64,
    /// The vertex digest (BuildKit's cache key of the step).
    pub digest: String,
}

/// What a build did, kept to explain the next build of the same Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildRecord {
    /// Steps that ran or were cached, in file order.
    pub steps: Vec<StepRecord>,
    /// Context files sent (path → stamp).
    pub context: BTreeMap<String, FileStamp>,
    /// Whether the build was asked to ignore the cache.
    pub no_cache: bool,
}

/// Why a step missed the cache.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MissReason {
    /// No earlier build of this Dockerfile to compare with.
    FirstBuild,
    /// The build was asked not to use the cache.
    NoCache,
    /// The previous build had no such step.
    NewStep,
    /// The instruction's text changed.
    InstructionChanged {
        /// Text before.
        before: String,
        /// Text now.
        after: String,
    },
    /// A build argument the step sees changed.
    ArgChanged {
        /// The argument.
        name: String,
        /// Value before.
        before: Option<String>,
        /// Value now.
        after: Option<String>,
    },
    /// Files the step copies from the context changed (added, removed or modified).
    ContextChanged {
        /// The paths, sorted.
        paths: Vec<String>,
    },
    /// The stage's base image is another image than last time.
    BaseImageChanged,
    /// Nothing the record shows changed (an earlier stage, or evicted cache).
    Unknown,
}

/// The cache outcome of a build.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CacheReport {
    /// First lines of the steps taken from the cache.
    pub cached_lines: Vec<usize>,
    /// The first step (in file order) that was not cached, and why. A `FROM` is never the
    /// first miss: BuildKit reports a base image as done or cached by what its store holds,
    /// and a changed base shows as [`MissReason::BaseImageChanged`] on the step after it.
    pub first_miss: Option<(usize, MissReason)>,
}

/// Compares `cur` with the previous build of the same Dockerfile.
pub fn explain(prev: Option<&BuildRecord>, cur: &BuildRecord) -> CacheReport {
    let cached_lines = cur
        .steps
        .iter()
        .filter(|s| s.cached)
        .map(|s| s.start_line)
        .collect();
    let first_miss = cur
        .steps
        .iter()
        .filter(|s| !s.cached && s.keyword != "FROM")
        .min_by_key(|s| s.start_line)
        .map(|step| (step.start_line, reason(prev, cur, step)));
    CacheReport {
        cached_lines,
        first_miss,
    }
}

fn reason(prev: Option<&BuildRecord>, cur: &BuildRecord, step: &StepRecord) -> MissReason {
    if cur.no_cache {
        return MissReason::NoCache;
    }
    let Some(prev) = prev else {
        return MissReason::FirstBuild;
    };
    let Some(before) = prev
        .steps
        .iter()
        .find(|s| s.stage == step.stage && s.index == step.index && s.keyword == step.keyword)
    else {
        return MissReason::NewStep;
    };
    if before.text != step.text {
        return MissReason::InstructionChanged {
            before: before.text.clone(),
            after: step.text.clone(),
        };
    }
    for (name, value) in &step.args {
        let old = before.args.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let seen = step.keyword == "RUN" || mentions(&step.text, name);
        if seen && old != Some(value) {
            return MissReason::ArgChanged {
                name: name.clone(),
                before: old.cloned().flatten(),
                after: value.clone(),
            };
        }
    }
    let paths = changed_sources(&prev.context, &cur.context, &step.sources);
    if !paths.is_empty() {
        return MissReason::ContextChanged { paths };
    }
    let base = |r: &BuildRecord| {
        r.steps
            .iter()
            .find(|s| s.stage == step.stage && s.keyword == "FROM")
            .map(|s| s.digest.clone())
    };
    match (base(prev), base(cur)) {
        (Some(a), Some(b)) if a != b => MissReason::BaseImageChanged,
        _ => MissReason::Unknown,
    }
}

fn mentions(text: &str, name: &str) -> bool {
    text.contains(&format!("${name}")) || text.contains(&format!("${{{name}"))
}

/// Context paths that differ between two builds and fall under one of `sources`.
pub fn changed_sources(
    before: &BTreeMap<String, FileStamp>,
    after: &BTreeMap<String, FileStamp>,
    sources: &[String],
) -> Vec<String> {
    let patterns: Vec<String> = sources
        .iter()
        .map(|s| {
            let s = s.trim_start_matches("./").trim_start_matches('/');
            if s.is_empty() || s == "." {
                "**".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let Ok(matcher) = DockerIgnore::new(&patterns) else {
        return Vec::new();
    };
    let under = |path: &str| {
        matcher.matches(path)
            || patterns
                .iter()
                .any(|p| path.starts_with(&format!("{}/", p.trim_end_matches('/'))))
    };
    let mut paths: Vec<String> = before
        .iter()
        .filter(|(p, stamp)| after.get(*p) != Some(stamp))
        .map(|(p, _)| p.clone())
        .chain(after.keys().filter(|p| !before.contains_key(*p)).cloned())
        .filter(|p| under(p))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Build `ARG`s in scope and `COPY`/`ADD` context sources of one instruction.
pub type StepInputs = (Vec<(String, Option<String>)>, Vec<String>);

/// For each instruction of `file`: the build `ARG`s in scope (with their values given
/// `build_args`) and, for `COPY`/`ADD` from the context, the sources.
pub fn step_inputs(file: &Dockerfile, build_args: &[(String, String)]) -> Vec<StepInputs> {
    let mut out = vec![(Vec::new(), Vec::new()); file.instructions.len()];
    let mut scope: Vec<(String, Option<String>)> = Vec::new();
    for (i, ins) in file.instructions.iter().enumerate() {
        let keyword = ins.keyword();
        if keyword == "FROM" {
            scope.clear();
        }
        if keyword == "ARG" {
            for a in &ins.args {
                let (name, default) = match a.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.trim_matches('"').to_string())),
                    None => (a.clone(), None),
                };
                let value = build_args
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
                    .or(default);
                scope.retain(|(n, _)| *n != name);
                scope.push((name, value));
            }
        }
        let sources = if matches!(keyword.as_str(), "COPY" | "ADD") && ins.flag("from").is_none() {
            let n = ins.args.len().saturating_sub(1);
            ins.args[..n].to_vec()
        } else {
            Vec::new()
        };
        out[i] = (scope.clone(), sources);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(index: usize, keyword: &str, text: &str, line: usize, cached: bool) -> StepRecord {
        StepRecord {
            stage: 0,
            index,
            keyword: keyword.into(),
            text: text.into(),
            start_line: line,
            cached,
            args: Vec::new(),
            sources: Vec::new(),
            millis: 0,
            digest: format!("sha256:{index}{text}"),
        }
    }

    fn stamp(size: u64, mtime_ns: i64) -> FileStamp {
        FileStamp {
            size,
            mtime_ns,
            mode: 0o644,
        }
    }

    #[test]
    fn instruction_change_is_named() {
        let prev = BuildRecord {
            steps: vec![step(2, "RUN", "RUN echo a", 2, false)],
            ..Default::default()
        };
        let cur = BuildRecord {
            steps: vec![
                step(1, "FROM", "FROM x", 1, true),
                step(2, "RUN", "RUN echo b", 2, false),
            ],
            ..Default::default()
        };
        let report = explain(Some(&prev), &cur);
        assert_eq!(report.cached_lines, vec![1]);
        assert_eq!(
            report.first_miss,
            Some((
                2,
                MissReason::InstructionChanged {
                    before: "RUN echo a".into(),
                    after: "RUN echo b".into()
                }
            ))
        );
        assert_eq!(
            explain(None, &cur).first_miss,
            Some((2, MissReason::FirstBuild))
        );
    }

    #[test]
    fn arg_change_counts_for_run_and_for_copy_only_when_used() {
        let mut run_prev = step(2, "RUN", "RUN make", 3, true);
        run_prev.args = vec![("V".into(), Some("1".into()))];
        let mut run_cur = run_prev.clone();
        run_cur.cached = false;
        run_cur.args = vec![("V".into(), Some("2".into()))];
        let prev = BuildRecord {
            steps: vec![run_prev],
            ..Default::default()
        };
        let cur = BuildRecord {
            steps: vec![run_cur],
            ..Default::default()
        };
        assert_eq!(
            explain(Some(&prev), &cur).first_miss,
            Some((
                3,
                MissReason::ArgChanged {
                    name: "V".into(),
                    before: Some("1".into()),
                    after: Some("2".into())
                }
            ))
        );
        let mut copy_prev = step(2, "COPY", "COPY a /a", 3, true);
        copy_prev.args = vec![("V".into(), Some("1".into()))];
        copy_prev.sources = vec!["a".into()];
        let mut copy_cur = copy_prev.clone();
        copy_cur.cached = false;
        copy_cur.args = vec![("V".into(), Some("2".into()))];
        let prev = BuildRecord {
            steps: vec![copy_prev],
            context: BTreeMap::from([("a".into(), stamp(1, 1))]),
            ..Default::default()
        };
        let cur = BuildRecord {
            steps: vec![copy_cur],
            context: BTreeMap::from([("a".into(), stamp(2, 5))]),
            ..Default::default()
        };
        assert_eq!(
            explain(Some(&prev), &cur).first_miss,
            Some((
                3,
                MissReason::ContextChanged {
                    paths: vec!["a".into()]
                }
            ))
        );
    }

    #[test]
    fn changed_sources_follow_copy_patterns() {
        let before = BTreeMap::from([
            ("app/main.rs".to_string(), stamp(1, 1)),
            ("app/lib.rs".to_string(), stamp(1, 1)),
            ("README".to_string(), stamp(1, 1)),
        ]);
        let mut after = before.clone();
        after.insert("app/main.rs".into(), stamp(1, 2));
        after.insert("app/new.rs".into(), stamp(1, 2));
        after.remove("README");
        assert_eq!(
            changed_sources(&before, &after, &["app".into()]),
            vec!["app/main.rs".to_string(), "app/new.rs".to_string()]
        );
        assert_eq!(
            changed_sources(&before, &after, &["*.md".into()]),
            Vec::<String>::new()
        );
        assert_eq!(changed_sources(&before, &after, &[".".into()]).len(), 3);
        assert_eq!(
            changed_sources(&before, &after, &["app/*.rs".into()]),
            vec!["app/main.rs".to_string(), "app/new.rs".to_string()]
        );
    }

    #[test]
    fn inputs_give_args_in_scope_and_context_sources() {
        let file = crate::dockerfile::parse(
            "ARG BASE=x\nFROM $BASE AS a\nARG V=1\nARG W\nCOPY f g /d/\nCOPY --from=a /x /y\nFROM y\nRUN z\n",
        );
        let inputs = step_inputs(&file, &[("V".into(), "7".into())]);
        assert_eq!(
            inputs[4],
            (
                vec![
                    ("V".to_string(), Some("7".to_string())),
                    ("W".to_string(), None)
                ],
                vec!["f".to_string(), "g".to_string()]
            )
        );
        assert!(inputs[5].1.is_empty());
        assert!(inputs[7].0.is_empty(), "a new stage starts with no ARGs");
    }
}
