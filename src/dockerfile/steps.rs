//! Ties the classic builder's progress stream (`Step 3/6 : RUN …`, ` ---> Using cache`,
//! ` ---> 2d11f52acaa6`, errors) to Dockerfile lines, so a build log can mark the line being built,
//! cache hits, the layer each line made, and where a failure happened.
//!
//! The classic builder numbers every instruction in file order (meta `ARG`s before the first
//! `FROM` included), which is [`Dockerfile::instructions`]' order.

use super::parser::Dockerfile;

/// A step header of the classic builder's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepHeader {
    /// 1-based step number.
    pub index: usize,
    /// Number of steps.
    pub total: usize,
    /// The instruction text the builder echoes.
    pub text: String,
}

/// Parses `Step N/M : TEXT`.
pub fn parse_step_header(line: &str) -> Option<StepHeader> {
    let rest = line.trim_start().strip_prefix("Step ")?;
    let (counts, text) = rest.split_once(" : ")?;
    let (n, m) = counts.split_once('/')?;
    Some(StepHeader {
        index: n.trim().parse().ok()?,
        total: m.trim().parse().ok()?,
        text: text.trim_end().to_string(),
    })
}

/// What happened, tied to Dockerfile lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepEvent {
    /// A step started.
    Started {
        /// 1-based step number.
        step: usize,
        /// Number of steps.
        total: usize,
        /// First line of its instruction.
        start_line: usize,
        /// Last line of its instruction.
        end_line: usize,
    },
    /// The step was satisfied from the build cache.
    CacheHit {
        /// 1-based step number.
        step: usize,
        /// First line of its instruction.
        start_line: usize,
    },
    /// The step finished and produced this image (layer) id.
    Done {
        /// 1-based step number.
        step: usize,
        /// First line of its instruction.
        start_line: usize,
        /// Short image id the builder printed.
        image_id: String,
    },
    /// The build failed during this step.
    Failed {
        /// 1-based step number (0 when no step had started).
        step: usize,
        /// First line of the failing instruction (0 when unknown).
        start_line: usize,
        /// Last line of the failing instruction.
        end_line: usize,
        /// The builder's message.
        message: String,
    },
    /// The whole build finished.
    Built {
        /// The final image id.
        image_id: String,
    },
}

/// Consumes the build stream text and yields [`StepEvent`]s.
#[derive(Debug, Clone)]
pub struct StepTracker {
    lines: Vec<(usize, usize)>,
    current: usize,
    pending: String,
}

impl StepTracker {
    /// A tracker for the Dockerfile being built.
    pub fn new(file: &Dockerfile) -> Self {
        StepTracker {
            lines: file
                .instructions
                .iter()
                .map(|i| (i.start_line, i.end_line))
                .collect(),
            current: 0,
            pending: String::new(),
        }
    }

    fn lines_of(&self, step: usize) -> (usize, usize) {
        step.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or((0, 0))
    }

    /// The step currently running (1-based; 0 before the first).
    pub fn current_step(&self) -> usize {
        self.current
    }

    /// Feeds a chunk of the stream (the `stream` field of build messages; chunks may split lines).
    pub fn feed(&mut self, chunk: &str) -> Vec<StepEvent> {
        self.pending.push_str(chunk);
        let mut events = Vec::new();
        while let Some(nl) = self.pending.find('\n') {
            let line: String = self.pending.drain(..=nl).collect();
            self.line(line.trim_end(), &mut events);
        }
        events
    }

    fn line(&mut self, line: &str, events: &mut Vec<StepEvent>) {
        if let Some(h) = parse_step_header(line) {
            self.current = h.index;
            let (start_line, end_line) = self.lines_of(h.index);
            events.push(StepEvent::Started {
                step: h.index,
                total: h.total,
                start_line,
                end_line,
            });
        } else if line.trim() == "---> Using cache" {
            let (start_line, _) = self.lines_of(self.current);
            events.push(StepEvent::CacheHit {
                step: self.current,
                start_line,
            });
        } else if let Some(id) = line.trim().strip_prefix("---> ") {
            if !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()) && self.current > 0 {
                let (start_line, _) = self.lines_of(self.current);
                events.push(StepEvent::Done {
                    step: self.current,
                    start_line,
                    image_id: id.to_string(),
                });
            }
        } else if let Some(id) = line.strip_prefix("Successfully built ") {
            events.push(StepEvent::Built {
                image_id: id.trim().to_string(),
            });
        }
    }

    /// Records a build error (the `error` / `errorDetail` of a build message) against the step
    /// that was running.
    pub fn error(&mut self, message: &str) -> StepEvent {
        let (start_line, end_line) = self.lines_of(self.current);
        StepEvent::Failed {
            step: self.current,
            start_line,
            end_line,
            message: message.trim().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::parse;

    #[test]
    fn maps_steps_to_lines() {
        let file = parse("ARG V=1\nFROM a AS b\nRUN echo one \\\n  two\nFROM b\nRUN false\n");
        let mut t = StepTracker::new(&file);
        let mut ev = t.feed(
            "Step 1/5 : ARG V=1\nStep 2/5 : FROM a AS b\n ---> d499595d43a3\nStep 3/5 : RUN ec",
        );
        ev.extend(
            t.feed("ho one   two\n ---> Using cache\n ---> 2d11f52acaa6\nStep 5/5 : RUN false\n"),
        );
        assert_eq!(
            ev[0],
            StepEvent::Started {
                step: 1,
                total: 5,
                start_line: 1,
                end_line: 1
            }
        );
        assert_eq!(
            ev[2],
            StepEvent::Done {
                step: 2,
                start_line: 2,
                image_id: "d499595d43a3".into()
            }
        );
        assert_eq!(
            ev[3],
            StepEvent::Started {
                step: 3,
                total: 5,
                start_line: 3,
                end_line: 4
            }
        );
        assert_eq!(
            ev[4],
            StepEvent::CacheHit {
                step: 3,
                start_line: 3
            }
        );
        assert_eq!(t.current_step(), 5);
        assert_eq!(
            t.error("The command '/bin/sh -c false' returned a non-zero code: 1\n"),
            StepEvent::Failed {
                step: 5,
                start_line: 6,
                end_line: 6,
                message: "The command '/bin/sh -c false' returned a non-zero code: 1".into()
            }
        );
        assert_eq!(
            t.feed("Successfully built 9a798591ed56\n"),
            vec![StepEvent::Built {
                image_id: "9a798591ed56".into()
            }]
        );
    }
}
