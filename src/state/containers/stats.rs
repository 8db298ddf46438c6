//! Stats history of one container for sparklines: CPU, memory, and I/O rates between readings.
use std::collections::VecDeque;

use crate::engine::container_streams::StatsSample;

/// Readings kept for sparklines (one a second).
pub const HISTORY: usize = 60;

/// Recent readings of one container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatsHistory {
    /// The newest reading.
    pub last: StatsSample,
    /// CPU use in hundredths of a percent, oldest first.
    pub cpu: VecDeque<u64>,
    /// Memory used in bytes, oldest first.
    pub mem: VecDeque<u64>,
    /// Network bytes (rx + tx) per reading, oldest first.
    pub net: VecDeque<u64>,
    /// Block bytes (read + write) per reading, oldest first.
    pub blk: VecDeque<u64>,
    seen: bool,
}

fn push(q: &mut VecDeque<u64>, v: u64) {
    q.push_back(v);
    while q.len() > HISTORY {
        q.pop_front();
    }
}

impl StatsHistory {
    /// Adds a reading.
    pub fn add(&mut self, s: StatsSample) {
        let (net, blk) = if self.seen {
            (
                (s.net_rx + s.net_tx).saturating_sub(self.last.net_rx + self.last.net_tx),
                (s.blk_read + s.blk_write).saturating_sub(self.last.blk_read + self.last.blk_write),
            )
        } else {
            (0, 0)
        };
        push(
            &mut self.cpu,
            (s.cpu_percent * 100.0).round().max(0.0) as u64,
        );
        push(&mut self.mem, s.mem_used);
        push(&mut self.net, net);
        push(&mut self.blk, blk);
        self.last = s;
        self.seen = true;
    }

    /// The top of each sparkline's scale (CPU, memory, network, block I/O): memory against its
    /// limit and CPU against one full core (100 %), so a steady value draws at its level rather
    /// than as a full block; the I/O rates against their own peak.
    pub fn scales(&self) -> [u64; 4] {
        let peak = |q: &VecDeque<u64>| q.iter().copied().max().unwrap_or(0).max(1);
        let mem = if self.last.mem_limit > 0 {
            self.last.mem_limit.max(peak(&self.mem))
        } else {
            peak(&self.mem)
        };
        [
            peak(&self.cpu).max(10_000),
            mem,
            peak(&self.net),
            peak(&self.blk),
        ]
    }

    /// Memory use as a percentage of the limit.
    pub fn mem_percent(&self) -> f64 {
        if self.last.mem_limit == 0 {
            0.0
        } else {
            self.last.mem_used as f64 * 100.0 / self.last.mem_limit as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_bounded_and_rates_are_deltas() {
        let mut h = StatsHistory::default();
        for i in 0..70u64 {
            h.add(StatsSample {
                cpu_percent: 12.5,
                mem_used: 50,
                mem_limit: 200,
                net_rx: i * 10,
                net_tx: i * 5,
                blk_read: 0,
                blk_write: i,
            });
        }
        assert_eq!(h.cpu.len(), HISTORY);
        assert_eq!(h.cpu[0], 1250);
        assert_eq!(*h.net.back().unwrap(), 15);
        assert_eq!(*h.blk.back().unwrap(), 1);
        assert!((h.mem_percent() - 25.0).abs() < 1e-9);
        // Steady memory at a quarter of the limit is drawn a quarter high, not full.
        assert_eq!(h.scales()[1], 200);
        assert_eq!(h.scales()[0], 10_000);
    }
}
