//! A small line diff (longest common subsequence) for showing what changed on disk against the
//! editor's text.

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// In both texts.
    Same(String),
    /// Only in the old text.
    Removed(String),
    /// Only in the new text.
    Added(String),
}

/// Cells of the LCS table allowed after the common head and tail are trimmed; past that the
/// middle is shown as all removed then all added (still a correct, if long, diff).
const MAX_CELLS: usize = 4_000_000;

/// The lines of `old` and `new` as kept, removed and added lines, in order.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out: Vec<DiffLine> = a[..head]
        .iter()
        .map(|l| DiffLine::Same(l.to_string()))
        .collect();
    if am.len().saturating_mul(bm.len()) > MAX_CELLS {
        out.extend(am.iter().map(|l| DiffLine::Removed(l.to_string())));
        out.extend(bm.iter().map(|l| DiffLine::Added(l.to_string())));
    } else {
        out.extend(lcs_diff(am, bm));
    }
    out.extend(
        a[a.len() - tail..]
            .iter()
            .map(|l| DiffLine::Same(l.to_string())),
    );
    out
}

fn lcs_diff(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: LCS length of a[i..] and b[j..].
    let w = m + 1;
    let mut len = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i * w + j] = if a[i] == b[j] {
                len[(i + 1) * w + j + 1] + 1
            } else {
                len[(i + 1) * w + j].max(len[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || len[(i + 1) * w + j] >= len[i * w + j + 1]) {
            // Removed lines before added ones, as `diff -u` shows a changed line.
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        } else {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::DiffLine::{Added, Removed, Same};
    use super::*;

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn changed_line_in_the_middle() {
        let d = line_diff("FROM a\nRUN x\nCMD y\n", "FROM a\nRUN z\nCMD y\n");
        assert_eq!(
            d,
            vec![
                Same(s("FROM a")),
                Removed(s("RUN x")),
                Added(s("RUN z")),
                Same(s("CMD y"))
            ]
        );
    }

    #[test]
    fn insertions_and_deletions_keep_the_common_lines() {
        let d = line_diff("a\nb\nc\nd\n", "a\nc\nd\ne\n");
        assert_eq!(
            d,
            vec![
                Same(s("a")),
                Removed(s("b")),
                Same(s("c")),
                Same(s("d")),
                Added(s("e"))
            ]
        );
        assert_eq!(line_diff("", "x"), vec![Added(s("x"))]);
        assert_eq!(line_diff("x", ""), vec![Removed(s("x"))]);
        assert!(line_diff("", "").is_empty());
    }

    #[test]
    fn applying_the_diff_gives_both_texts_back() {
        let old = "1\n2\n3\n4\n5\n6\n7\n";
        let new = "0\n2\n3\nx\n5\n7\n8\n";
        let d = line_diff(old, new);
        let back_old: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                Same(t) | Removed(t) => Some(t.as_str()),
                Added(_) => None,
            })
            .collect();
        let back_new: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                Same(t) | Added(t) => Some(t.as_str()),
                Removed(_) => None,
            })
            .collect();
        assert_eq!(back_old.join("\n") + "\n", old);
        assert_eq!(back_new.join("\n") + "\n", new);
        assert_eq!(d.iter().filter(|l| matches!(l, Same(_))).count(), 4);
    }

    #[test]
    fn huge_inputs_fall_back_without_the_quadratic_table() {
        let old: String = (0..3000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("b{i}\n")).collect();
        let d = line_diff(&old, &new);
        assert_eq!(d.len(), 6000);
        assert!(matches!(d[0], Removed(_)) && matches!(d[5999], Added(_)));
    }
}
