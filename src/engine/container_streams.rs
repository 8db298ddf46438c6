//! Streams of one container: its log (followed, with timestamps) and its resource stats.
use std::collections::HashMap;

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::models::ContainerStatsResponse;
use bollard::query_parameters::{LogsOptionsBuilder, StatsOptionsBuilder};
use futures::StreamExt;

use super::error::EngineError;

/// One line of a container's output, as the engine sent it (not yet sanitised).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogLine {
    /// From stderr rather than stdout.
    pub stderr: bool,
    /// The engine's RFC 3339 timestamp of the line (empty when the engine sent none).
    pub timestamp: String,
    /// The line without its trailing newline.
    pub text: String,
}

/// Lines of the log tail to load before following.
pub const LOG_TAIL: usize = 2000;

/// Splits the engine's `timestamp text` prefix off a line.
pub fn split_timestamp(line: &str) -> (&str, &str) {
    match line.split_once(' ') {
        Some((ts, rest))
            if ts.len() >= 20 && ts.as_bytes()[4] == b'-' && ts.as_bytes()[10] == b'T' =>
        {
            (ts, rest)
        }
        _ => ("", line),
    }
}

/// Cuts chunks of output into lines, carrying a partial line to the next chunk.
#[derive(Debug, Default)]
pub struct LineSplitter {
    carry: [String; 2],
}

impl LineSplitter {
    /// Feeds one chunk; returns the complete lines it finished.
    pub fn feed(&mut self, stderr: bool, chunk: &[u8]) -> Vec<LogLine> {
        let carry = &mut self.carry[usize::from(stderr)];
        carry.push_str(&String::from_utf8_lossy(chunk));
        let mut out = Vec::new();
        while let Some(i) = carry.find('\n') {
            let line: String = carry.drain(..=i).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            let (ts, text) = split_timestamp(line);
            out.push(LogLine {
                stderr,
                timestamp: ts.to_string(),
                text: text.to_string(),
            });
        }
        out
    }

    /// Whatever is left when the stream ends.
    pub fn finish(&mut self) -> Vec<LogLine> {
        let mut out = Vec::new();
        for (i, carry) in self.carry.iter_mut().enumerate() {
            if !carry.is_empty() {
                let line = std::mem::take(carry);
                let (ts, text) = split_timestamp(&line);
                out.push(LogLine {
                    stderr: i == 1,
                    timestamp: ts.to_string(),
                    text: text.to_string(),
                });
            }
        }
        out
    }
}

/// Follows a container's stdout and stderr with timestamps, calling `emit` with batches of lines
/// until the stream ends (the container stops) or the task is aborted.
pub async fn follow_logs(
    docker: &Docker,
    id: &str,
    emit: impl Fn(Vec<LogLine>),
) -> Result<(), EngineError> {
    follow_logs_after(docker, id, None, emit).await
}

/// Whether a line stamped `ts` comes after `after` (lines without a readable stamp do).
fn is_after(ts: &str, after: &chrono::DateTime<chrono::FixedOffset>) -> bool {
    chrono::DateTime::parse_from_rfc3339(ts).map_or(true, |t| t > *after)
}

/// Like [`follow_logs`]; with `after` (an engine timestamp) only the lines after it, for resuming
/// a log once the connection is back: the engine's `since` has whole seconds, so the lines of
/// that second already shown are dropped here.
pub async fn follow_logs_after(
    docker: &Docker,
    id: &str,
    after: Option<&str>,
    emit: impl Fn(Vec<LogLine>),
) -> Result<(), EngineError> {
    let after = after.and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok());
    let mut builder = LogsOptionsBuilder::default()
        .follow(true)
        .stdout(true)
        .stderr(true)
        .timestamps(true);
    builder = match &after {
        Some(t) => builder
            .since(i32::try_from(t.timestamp()).unwrap_or(i32::MAX))
            .tail("all"),
        None => builder.tail(&LOG_TAIL.to_string()),
    };
    let opts = builder.build();
    let emit = |lines: Vec<LogLine>| match &after {
        Some(t) => {
            let lines: Vec<LogLine> = lines
                .into_iter()
                .filter(|l| is_after(&l.timestamp, t))
                .collect();
            if !lines.is_empty() {
                emit(lines);
            }
        }
        None => emit(lines),
    };
    let mut stream = docker.logs(id, Some(opts)).ready_chunks(512);
    let mut splitter = LineSplitter::default();
    while let Some(batch) = stream.next().await {
        let mut lines = Vec::new();
        for item in batch {
            match item? {
                LogOutput::StdErr { message } => lines.extend(splitter.feed(true, &message)),
                LogOutput::StdOut { message } | LogOutput::Console { message } => {
                    lines.extend(splitter.feed(false, &message))
                }
                LogOutput::StdIn { .. } => {}
            }
        }
        if !lines.is_empty() {
            emit(lines);
        }
    }
    let rest = splitter.finish();
    if !rest.is_empty() {
        emit(rest);
    }
    Ok(())
}

/// One stats reading of a running container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsSample {
    /// CPU use in percent of one CPU (100 = one full core), like `docker stats`.
    pub cpu_percent: f64,
    /// Memory in use (without the page cache), bytes.
    pub mem_used: u64,
    /// Memory limit, bytes.
    pub mem_limit: u64,
    /// Bytes received over all networks.
    pub net_rx: u64,
    /// Bytes sent over all networks.
    pub net_tx: u64,
    /// Bytes read from block devices.
    pub blk_read: u64,
    /// Bytes written to block devices.
    pub blk_write: u64,
}

/// Reduces the engine's stats answer to a sample (CPU from the delta against `precpu_stats`).
pub fn sample_from(s: &ContainerStatsResponse) -> StatsSample {
    let cpu = s.cpu_stats.as_ref();
    let pre = s.precpu_stats.as_ref();
    let total = |c: Option<&bollard::models::ContainerCpuStats>| {
        c.and_then(|c| c.cpu_usage.as_ref())
            .and_then(|u| u.total_usage)
            .unwrap_or(0)
    };
    let system = |c: Option<&bollard::models::ContainerCpuStats>| {
        c.and_then(|c| c.system_cpu_usage).unwrap_or(0)
    };
    let cpu_delta = total(cpu).saturating_sub(total(pre)) as f64;
    let sys_delta = system(cpu).saturating_sub(system(pre)) as f64;
    let cpus = cpu
        .and_then(|c| c.online_cpus)
        .map(f64::from)
        .or_else(|| {
            cpu.and_then(|c| c.cpu_usage.as_ref())
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|p| p.len() as f64)
        })
        .unwrap_or(1.0);
    let cpu_percent = if sys_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / sys_delta * cpus * 100.0
    } else {
        0.0
    };
    let mem = s.memory_stats.as_ref();
    let usage = mem.and_then(|m| m.usage).unwrap_or(0);
    let cache = mem
        .and_then(|m| m.stats.as_ref())
        .and_then(|st| {
            st.get("inactive_file")
                .or_else(|| st.get("total_inactive_file"))
        })
        .copied()
        .unwrap_or(0);
    let (net_rx, net_tx) = s
        .networks
        .as_ref()
        .map(
            |n: &HashMap<String, bollard::models::ContainerNetworkStats>| {
                n.values().fold((0, 0), |(r, t), v| {
                    (r + v.rx_bytes.unwrap_or(0), t + v.tx_bytes.unwrap_or(0))
                })
            },
        )
        .unwrap_or((0, 0));
    let (blk_read, blk_write) = s
        .blkio_stats
        .as_ref()
        .and_then(|b| b.io_service_bytes_recursive.as_ref())
        .map(|entries| {
            entries.iter().fold((0, 0), |(r, w), e| {
                match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("read") => (r + e.value.unwrap_or(0), w),
                    Some("write") => (r, w + e.value.unwrap_or(0)),
                    _ => (r, w),
                }
            })
        })
        .unwrap_or((0, 0));
    StatsSample {
        cpu_percent,
        mem_used: usage.saturating_sub(cache),
        mem_limit: mem.and_then(|m| m.limit).unwrap_or(0),
        net_rx,
        net_tx,
        blk_read,
        blk_write,
    }
}

/// Streams stats of one container (the engine sends one reading per second) until it stops or
/// the task is aborted.
pub async fn stream_stats(
    docker: &Docker,
    id: &str,
    emit: impl Fn(StatsSample),
) -> Result<(), EngineError> {
    let opts = StatsOptionsBuilder::default().stream(true).build();
    let mut stream = docker.stats(id, Some(opts));
    while let Some(item) = stream.next().await {
        emit(sample_from(&item?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_across_chunks_and_takes_timestamps() {
        let mut s = LineSplitter::default();
        let a = s.feed(false, b"2026-11-23T10:00:00.123456789Z hel");
        assert!(a.is_empty());
        let b = s.feed(false, b"lo\n2026-11-23T10:00:01.000000000Z world\r\npart");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].timestamp, "2026-11-23T10:00:00.123456789Z");
        assert_eq!(b[0].text, "hello");
        assert_eq!(b[1].text, "world");
        let e = s.feed(true, b"oops\n");
        assert!(e[0].stderr);
        assert_eq!(e[0].timestamp, "");
        let rest = s.finish();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].text, "part");
    }

    #[test]
    fn cpu_percent_uses_the_delta_against_the_previous_reading() {
        let s = ContainerStatsResponse {
            cpu_stats: Some(bollard::models::ContainerCpuStats {
                cpu_usage: Some(bollard::models::ContainerCpuUsage {
                    total_usage: Some(300),
                    ..Default::default()
                }),
                system_cpu_usage: Some(2000),
                online_cpus: Some(2),
                ..Default::default()
            }),
            precpu_stats: Some(bollard::models::ContainerCpuStats {
                cpu_usage: Some(bollard::models::ContainerCpuUsage {
                    total_usage: Some(100),
                    ..Default::default()
                }),
                system_cpu_usage: Some(1000),
                online_cpus: Some(2),
                ..Default::default()
            }),
            ..Default::default()
        };
        let sample = sample_from(&s);
        assert!((sample.cpu_percent - 40.0).abs() < 1e-9);
    }
}
