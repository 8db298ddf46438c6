//! The image-wide figures, computed exactly as dive 0.13.1 does (`filetree/efficiency.go`,
//! `image/analysis.go`), including its quirks:
//!
//! - only *leaf* nodes of each layer's own tree are counted (a directory with entries under it
//!   in the same layer is not; an empty directory is, with its header size, normally 0);
//! - a whiteout of a path that was a directory (in the stack of the lower layers) costs the sum
//!   of everything under it; a whiteout of a *file* costs 0 bytes;
//! - opaque markers (`.wh..wh..opq`) are ignored, so files hidden by an opaque directory stay in
//!   dive's stack and are counted again if a parent directory is later whited out;
//! - a path is inefficient when two or more layers touch it; its wasted size is the sum over all.
use super::model::{EntryKind, Figures, ImageAnalysis, InefficientFile, Layer};
use super::paths::{PathId, PathTable, ROOT};

/// dive's stacked tree: which paths exist as of some layer, with dive's payload.
struct Stack {
    present: Vec<bool>,
    is_dir: Vec<bool>,
    size: Vec<i64>,
}

impl Stack {
    fn new(n: usize) -> Self {
        Self {
            present: vec![false; n],
            is_dir: vec![false; n],
            size: vec![0; n],
        }
    }

    fn remove(&mut self, paths: &PathTable, id: PathId) {
        if !self.present[id as usize] || id == ROOT {
            return;
        }
        let mut todo = vec![id];
        while let Some(cur) = todo.pop() {
            self.present[cur as usize] = false;
            todo.extend(paths.children(cur).filter(|&c| self.present[c as usize]));
        }
    }

    fn add(&mut self, paths: &PathTable, id: PathId, is_dir: bool, size: i64) {
        let mut anc = paths.parent(id);
        while anc != ROOT && !self.present[anc as usize] {
            // dive's AddPath creates missing parents with an empty payload.
            self.present[anc as usize] = true;
            self.is_dir[anc as usize] = false;
            self.size[anc as usize] = 0;
            anc = paths.parent(anc);
        }
        self.present[id as usize] = true;
        self.is_dir[id as usize] = is_dir;
        self.size[id as usize] = size;
    }

    /// Sum of the sizes of `id` and everything present under it.
    fn subtree_size(&self, paths: &PathTable, id: PathId) -> i64 {
        let mut total = 0;
        let mut todo = vec![id];
        while let Some(cur) = todo.pop() {
            total += self.size[cur as usize];
            todo.extend(paths.children(cur).filter(|&c| self.present[c as usize]));
        }
        total
    }

    /// Applies a layer the way dive's `Stack` does (opaque markers ignored).
    fn apply(&mut self, paths: &PathTable, layer: &Layer) {
        for e in &layer.entries {
            if e.kind == EntryKind::Whiteout {
                self.remove(paths, e.path);
            }
        }
        for e in &layer.entries {
            match e.kind {
                EntryKind::Whiteout | EntryKind::Opaque => {}
                _ => self.add(paths, e.path, e.kind == EntryKind::Dir, e.size as i64),
            }
        }
    }
}

/// Per-layer scratch marks, reset by bumping the generation.
struct Marks {
    has_child: Vec<u32>,
    seen: Vec<u32>,
    seen_wh: Vec<u32>,
}

/// Computes efficiency, wasted bytes, user-wasted percent and the inefficient files.
pub fn compute_figures(image: &ImageAnalysis) -> Figures {
    let paths = &image.paths;
    let n = paths.len();
    let mut stack = Stack::new(n);
    let mut marks = Marks {
        has_child: vec![0; n],
        seen: vec![0; n],
        seen_wh: vec![0; n],
    };
    let mut cumulative = vec![0i64; n];
    let mut minimum = vec![-1i64; n];
    let mut count = vec![0u32; n];
    let mut visited: Vec<PathId> = Vec::new();
    // The layers touching each path: the first one per path, the rest only for the few paths
    // touched again (the inefficient ones), to keep this cheap for a million paths.
    let mut first_layer = vec![0u32; n];
    let mut more_layers: std::collections::HashMap<PathId, Vec<usize>> =
        std::collections::HashMap::new();

    for (idx, layer) in image.layers.iter().enumerate() {
        let generation = idx as u32 + 1;
        // Mark the parents of every node of this layer's tree.
        for e in &layer.entries {
            if e.kind == EntryKind::Opaque {
                continue;
            }
            let mut anc = paths.parent(e.path);
            while anc != ROOT && marks.has_child[anc as usize] != generation {
                marks.has_child[anc as usize] = generation;
                anc = paths.parent(anc);
            }
        }
        // dive compares whiteouts against the stack of the layers below; for the base layer
        // `StackTreeRange(trees, 0, -1)` yields the base layer itself.
        if idx == 0 {
            stack.apply(paths, layer);
        }
        // Visit leaves; the last entry for a node wins, as dive's AddPath replaces payloads.
        for e in layer.entries.iter().rev() {
            let whiteout = match e.kind {
                EntryKind::Opaque => continue,
                EntryKind::Whiteout => true,
                _ => false,
            };
            let seen = if whiteout {
                &mut marks.seen_wh
            } else {
                &mut marks.seen
            };
            if seen[e.path as usize] == generation {
                continue;
            }
            seen[e.path as usize] = generation;
            if !whiteout && marks.has_child[e.path as usize] == generation {
                continue; // not a leaf
            }
            let size = if whiteout {
                let p = e.path as usize;
                if stack.present[p] && stack.is_dir[p] {
                    stack.subtree_size(paths, e.path)
                } else {
                    0
                }
            } else {
                e.size as i64
            };
            let p = e.path as usize;
            if count[p] == 0 {
                visited.push(e.path);
                first_layer[p] = idx as u32;
            } else {
                more_layers.entry(e.path).or_default().push(idx);
            }
            cumulative[p] += size;
            if minimum[p] < 0 || size < minimum[p] {
                minimum[p] = size;
            }
            count[p] += 1;
        }
        if idx > 0 {
            stack.apply(paths, layer);
        }
    }

    let mut min_sum: i64 = 0;
    let mut cum_sum: i64 = 0;
    let mut inefficient = Vec::new();
    for &id in &visited {
        let p = id as usize;
        min_sum += minimum[p];
        cum_sum += cumulative[p];
        if count[p] >= 2 {
            let mut layers = vec![first_layer[p] as usize];
            layers.extend(more_layers.remove(&id).unwrap_or_default());
            inefficient.push(InefficientFile {
                path: paths.path(id),
                count: count[p] as usize,
                size: cumulative[p].max(0) as u64,
                layers,
            });
        }
    }
    let efficiency = if cum_sum == 0 {
        1.0
    } else {
        min_sum as f64 / cum_sum as f64
    };
    inefficient.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    let size_bytes: u64 = image.layers.iter().map(|l| l.size).sum();
    let user_size_bytes: u64 = image.layers.iter().skip(1).map(|l| l.size).sum();
    let wasted_bytes: u64 = inefficient.iter().map(|f| f.size).sum();
    Figures {
        size_bytes,
        user_size_bytes,
        wasted_bytes,
        user_wasted_percent: user_wasted_ratio(wasted_bytes, user_size_bytes),
        efficiency,
        inefficient,
    }
}

/// Wasted bytes relative to the bytes added above the base layer. dive prints `NaN` when no
/// bytes were added (0/0); nothing wasted out of nothing is 0 here. Waste with no user bytes
/// (a whiteout in an empty layer) stays +Inf: more waste than anything added.
fn user_wasted_ratio(wasted: u64, user: u64) -> f64 {
    match (wasted, user) {
        (0, _) => 0.0,
        (_, 0) => f64::INFINITY,
        (w, u) => w as f64 / u as f64,
    }
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
pub(crate) mod tests;
