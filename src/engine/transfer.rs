//! Shared by pull and push: the engine's progress stream reduced to per-layer [`Progress`], and
//! the engine's/registry's error text turned into words a user can act on.
use std::collections::HashMap;

use super::types::Progress;

/// Layer phases of a pull as dockerd words them.
pub const PULL_PHASES: [&str; 8] = [
    "Pulling fs layer",
    "Waiting",
    "Downloading",
    "Verifying Checksum",
    "Download complete",
    "Extracting",
    "Pull complete",
    "Already exists",
];

/// Layer phases of a push as dockerd words them (`Mounted from …` is matched by prefix).
pub const PUSH_PHASES: [&str; 5] = [
    "Preparing",
    "Waiting",
    "Pushing",
    "Pushed",
    "Layer already exists",
];

/// Phases after which a layer is done.
pub fn is_final_phase(phase: &str) -> bool {
    matches!(
        phase,
        "Pull complete" | "Already exists" | "Pushed" | "Layer already exists"
    ) || phase.starts_with("Mounted from")
}

/// Phases after which the layer's bytes have all been transferred.
fn is_transferred(phase: &str) -> bool {
    is_final_phase(phase)
        || matches!(
            phase,
            "Verifying Checksum" | "Download complete" | "Extracting"
        )
}

/// Whether a status with an ID is a layer phase (not e.g. "Pulling from team/app").
pub fn is_layer_phase(status: &str) -> bool {
    PULL_PHASES.contains(&status)
        || PUSH_PHASES.contains(&status)
        || status.starts_with("Mounted from")
}

/// One message of the engine's progress stream, engine-neutral.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamItem {
    /// Layer ID (or tag for whole-image messages).
    pub id: Option<String>,
    /// Status text.
    pub status: Option<String>,
    /// Bytes done.
    pub current: Option<i64>,
    /// Bytes in all.
    pub total: Option<i64>,
}

/// Reduces the stream into [`Progress`] reports: layers with monotone bytes and an overall total.
#[derive(Debug, Default)]
pub struct Tracker {
    /// Per layer: (bytes transferred, size), in first-seen order.
    layers: Vec<(String, u64, u64)>,
    index: HashMap<String, usize>,
}

fn to_u64(v: Option<i64>) -> u64 {
    v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

impl Tracker {
    /// Reports for one stream item: a layer row and the overall bytes, or a log line.
    pub fn feed(&mut self, item: &StreamItem) -> Vec<Progress> {
        let status = item.status.clone().unwrap_or_default();
        let Some(id) = item.id.clone().filter(|_| is_layer_phase(&status)) else {
            let line = match &item.id {
                Some(id) if !status.is_empty() => format!("{id}: {status}"),
                _ => status,
            };
            return if line.is_empty() {
                vec![]
            } else {
                vec![Progress::Log(line)]
            };
        };
        let i = *self.index.entry(id.clone()).or_insert_with(|| {
            self.layers.push((id.clone(), 0, 0));
            self.layers.len() - 1
        });
        let (current, total) = (to_u64(item.current), to_u64(item.total));
        let entry = &mut self.layers[i];
        // The size comes with Downloading/Pushing; a small layer may skip straight to Extracting,
        // whose total is the same compressed size.
        if total > 0 && (entry.2 == 0 || matches!(status.as_str(), "Downloading" | "Pushing")) {
            entry.2 = total;
        }
        if matches!(status.as_str(), "Downloading" | "Pushing") {
            let capped = if entry.2 > 0 {
                current.min(entry.2)
            } else {
                current
            };
            entry.1 = entry.1.max(capped);
        } else if is_transferred(&status) {
            entry.1 = entry.2;
        }
        let (layer_current, layer_total) = if is_final_phase(&status)
            || status == "Download complete"
            || status == "Verifying Checksum"
        {
            (entry.2, entry.2)
        } else if total > 0 {
            (current, total)
        } else {
            (current, entry.2)
        };
        let done = self.layers.iter().map(|l| l.1).sum();
        let all = self.layers.iter().map(|l| l.2).sum();
        vec![
            Progress::Layer {
                id,
                phase: status,
                current: layer_current,
                total: layer_total,
            },
            Progress::Bytes { done, total: all },
        ]
    }
}

/// What a failed pull or push means, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The image or tag does not exist.
    NotFound,
    /// Credentials missing or refused.
    Unauthorized,
    /// The registry cannot be reached.
    Unreachable,
    /// The registry answered with a server error (5xx).
    ServerError,
    /// Something else.
    Other,
}

/// Sorts an engine error message into a [`Failure`].
pub fn classify(message: &str) -> Failure {
    let m = message.to_ascii_lowercase();
    if m.contains("unexpected http status: 5") || m.contains("internal server error") {
        return Failure::ServerError;
    }
    if m.contains("unauthorized")
        || m.contains("authentication required")
        || m.contains("no basic auth credentials")
        || m.contains("denied")
        || m.contains("may require 'docker login'")
    {
        // "repository does not exist or may require 'docker login'" is ambiguous: a login may help.
        return Failure::Unauthorized;
    }
    if m.contains("manifest unknown")
        || m.contains("not found")
        || m.contains("name unknown")
        || m.contains("no such image")
        || m.contains("does not exist")
    {
        return Failure::NotFound;
    }
    if m.contains("connection refused")
        || m.contains("no such host")
        || m.contains("i/o timeout")
        || m.contains("dial tcp")
        || m.contains("connection reset")
        || m.contains("tls:")
        || m.contains("http response to https client")
        || m.contains("timeout exceeded")
        || m.contains("eof")
    {
        return Failure::Unreachable;
    }
    Failure::Other
}

/// The message shown when a pull or push of `reference` (at `registry`) fails with `message`.
pub fn explain(verb: &str, reference: &str, registry: &str, message: &str) -> String {
    let message = message.trim();
    match classify(message) {
        Failure::NotFound => {
            format!("{verb} {reference}: no such image or tag on {registry} (engine: {message})")
        }
        Failure::Unauthorized => format!(
            "{verb} {reference}: unauthorized at registry {registry} — log in to it (L in the registry pane) or check access (engine: {message})"
        ),
        Failure::Unreachable => format!(
            "{verb} {reference}: registry {registry} is unreachable — is it running, and is the address right? (engine: {message})"
        ),
        Failure::ServerError => format!(
            "{verb} {reference}: registry {registry} answered with a server error — try again later or check the registry (engine: {message})"
        ),
        Failure::Other => format!("{verb} {reference}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, status: &str, current: i64, total: i64) -> StreamItem {
        StreamItem {
            id: Some(id.into()),
            status: Some(status.into()),
            current: (current > 0).then_some(current),
            total: (total > 0).then_some(total),
        }
    }

    #[test]
    fn layers_are_tracked_and_overall_bytes_never_go_backwards() {
        let mut t = Tracker::default();
        assert_eq!(
            t.feed(&item("latest", "Pulling from team/app", 0, 0)),
            vec![Progress::Log("latest: Pulling from team/app".into())]
        );
        t.feed(&item("aaa", "Pulling fs layer", 0, 0));
        t.feed(&item("bbb", "Already exists", 0, 0));
        let out = t.feed(&item("aaa", "Downloading", 50, 100));
        assert_eq!(
            out[1],
            Progress::Bytes {
                done: 50,
                total: 100
            }
        );
        let out = t.feed(&item("aaa", "Download complete", 0, 0));
        assert_eq!(
            out[0],
            Progress::Layer {
                id: "aaa".into(),
                phase: "Download complete".into(),
                current: 100,
                total: 100
            }
        );
        let out = t.feed(&item("aaa", "Extracting", 10, 100));
        assert_eq!(
            out[1],
            Progress::Bytes {
                done: 100,
                total: 100
            }
        );
        let out = t.feed(&item("aaa", "Pull complete", 0, 0));
        assert_eq!(
            out[0],
            Progress::Layer {
                id: "aaa".into(),
                phase: "Pull complete".into(),
                current: 100,
                total: 100
            }
        );
        assert!(matches!(
            &t.feed(&item("x", "Digest: sha256:00", 0, 0))[0],
            Progress::Log(_)
        ));
    }

    #[test]
    fn a_small_layer_that_skips_downloading_finishes_at_its_size() {
        let mut t = Tracker::default();
        t.feed(&item("tiny", "Pulling fs layer", 0, 0));
        t.feed(&item("tiny", "Verifying Checksum", 0, 0));
        t.feed(&item("tiny", "Download complete", 0, 0));
        t.feed(&item("tiny", "Extracting", 104, 104));
        let out = t.feed(&item("tiny", "Pull complete", 0, 0));
        assert_eq!(
            out,
            vec![
                Progress::Layer {
                    id: "tiny".into(),
                    phase: "Pull complete".into(),
                    current: 104,
                    total: 104
                },
                Progress::Bytes {
                    done: 104,
                    total: 104
                }
            ]
        );
    }

    #[test]
    fn failures_are_sorted() {
        assert_eq!(
            classify(
                "manifest for 127.0.0.1:5000/a:nope not found: manifest unknown: manifest unknown"
            ),
            Failure::NotFound
        );
        assert_eq!(
            classify("unauthorized: authentication required"),
            Failure::Unauthorized
        );
        assert_eq!(classify("no basic auth credentials"), Failure::Unauthorized);
        assert_eq!(
            classify(
                "Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused"
            ),
            Failure::Unreachable
        );
        assert_eq!(classify("disk full"), Failure::Other);
        assert_eq!(
            classify("received unexpected HTTP status: 500 Internal Server Error"),
            Failure::ServerError
        );
        let text = explain(
            "pull",
            "a:1",
            "127.0.0.1:5000",
            "unauthorized: authentication required",
        );
        assert!(
            text.contains("unauthorized at registry 127.0.0.1:5000"),
            "{text}"
        );
    }
}
