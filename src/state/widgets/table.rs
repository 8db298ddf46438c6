//! The state every list pane shares: rows, a filtered and sorted view, marks, the cursor and a
//! viewport that always keeps the cursor's row on screen.
use std::cmp::Ordering;
use std::collections::HashSet;

use super::scroll::Viewport;
use crate::action::ListAction;

/// What a table needs of its rows.
pub trait TableRow {
    /// The sort orders of the table, cycled by a key.
    type Sort: Copy + Default + PartialEq + std::fmt::Debug;

    /// What identifies the row across refreshes (marks and the selection follow it).
    fn key(&self) -> String;
    /// Whether the row matches a lower-cased filter.
    fn matches(&self, needle: &str) -> bool;
    /// The natural order of two rows under `sort` (ties are broken by the key).
    fn compare(&self, other: &Self, sort: Self::Sort) -> Ordering;
}

/// The sort orders of a table, in the order a key cycles them.
pub trait SortOrder: Sized + Copy + 'static {
    /// Every order, in cycle order.
    const ALL: &'static [Self];
    /// Its name for the title bar.
    fn label(self) -> &'static str;
}

/// A named subset of the rows shown on its own (e.g. "unused"), besides the typed filter.
pub struct Scope<R> {
    /// Shown in the title.
    pub label: &'static str,
    /// Whether a row is in the subset.
    pub keep: fn(&R) -> bool,
}

impl<R> Clone for Scope<R> {
    fn clone(&self) -> Self {
        Scope {
            label: self.label,
            keep: self.keep,
        }
    }
}

impl<R> std::fmt::Debug for Scope<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scope({})", self.label)
    }
}

/// Rows, view, marks, cursor and viewport of a list pane.
#[derive(Debug, Clone)]
pub struct TableState<R: TableRow> {
    /// All rows, in engine order.
    pub rows: Vec<R>,
    /// Indices into `rows` after filtering and sorting.
    pub view: Vec<usize>,
    /// Cursor and first visible row.
    pub viewport: Viewport,
    /// Sort order.
    pub sort: R::Sort,
    /// Reverse the natural order.
    pub reverse: bool,
    /// Substring filter.
    pub filter: String,
    /// Only the rows of this subset are shown (Esc clears it).
    pub scope: Option<Scope<R>>,
    /// Keys of marked rows.
    pub marked: HashSet<String>,
    /// At least one listing has arrived.
    pub loaded: bool,
}

impl<R: TableRow> Default for TableState<R> {
    fn default() -> Self {
        TableState {
            rows: Vec::new(),
            view: Vec::new(),
            viewport: Viewport::default(),
            sort: R::Sort::default(),
            reverse: false,
            filter: String::new(),
            scope: None,
            marked: HashSet::new(),
            loaded: false,
        }
    }
}

impl<R: TableRow> TableState<R> {
    /// Replaces the rows, keeping the selection on `keep` (or on the same row) when it still
    /// exists; marks of rows that are gone are dropped.
    pub fn set_rows(&mut self, rows: Vec<R>, keep: Option<String>) {
        let keep = keep.or_else(|| self.selected().map(R::key));
        let keys: HashSet<String> = rows.iter().map(R::key).collect();
        self.marked.retain(|k| keys.contains(k));
        self.rows = rows;
        self.loaded = true;
        self.rebuild(keep.as_deref());
    }

    /// Recomputes the view from filter and sort, keeping `keep` selected when given.
    fn rebuild(&mut self, keep: Option<&str>) {
        let needle = self.filter.to_lowercase();
        let rows = &self.rows;
        let in_scope = self.scope.as_ref().map(|s| s.keep);
        let mut view: Vec<usize> = (0..rows.len())
            .filter(|&i| in_scope.is_none_or(|k| k(&rows[i])))
            .filter(|&i| needle.is_empty() || rows[i].matches(&needle))
            .collect();
        let sort = self.sort;
        view.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            a.compare(b, sort).then_with(|| a.key().cmp(&b.key()))
        });
        if self.reverse {
            view.reverse();
        }
        self.view = view;
        let found = keep.and_then(|k| self.position(|r| r.key() == k));
        let cursor = found.unwrap_or(self.viewport.cursor);
        self.viewport.set_len(self.view.len());
        self.viewport.select(cursor);
    }

    /// The position in the view of the first row that satisfies `pred`.
    pub fn position(&self, pred: impl Fn(&R) -> bool) -> Option<usize> {
        self.view.iter().position(|&i| pred(&self.rows[i]))
    }

    /// Puts the cursor on the first row that satisfies `pred`; returns whether one did.
    pub fn select_where(&mut self, pred: impl Fn(&R) -> bool) -> bool {
        match self.position(pred) {
            Some(p) => {
                self.viewport.select(p);
                true
            }
            None => false,
        }
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&R> {
        self.view.get(self.viewport.cursor).map(|&i| &self.rows[i])
    }

    /// The rows in view order.
    pub fn visible(&self) -> impl Iterator<Item = &R> {
        self.view.iter().map(|&i| &self.rows[i])
    }

    /// The rows on screen, with their position in the view.
    pub fn on_screen(&self) -> impl Iterator<Item = (usize, &R)> {
        self.view
            .iter()
            .enumerate()
            .skip(self.viewport.offset)
            .take(self.viewport.height)
            .map(|(pos, &i)| (pos, &self.rows[i]))
    }

    /// Moves the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.viewport.move_by(delta);
    }

    /// Sets the filter and rebuilds the view.
    pub fn set_filter(&mut self, filter: &str) {
        let keep = self.selected().map(R::key);
        self.filter = filter.to_string();
        self.rebuild(keep.as_deref());
    }

    /// Shows only the rows of `scope` (all rows with `None`) and rebuilds the view.
    pub fn set_scope(&mut self, scope: Option<Scope<R>>) {
        let keep = self.selected().map(R::key);
        self.scope = scope;
        self.rebuild(keep.as_deref());
    }

    /// Reverses the sort order.
    pub fn reverse_sort(&mut self) {
        let keep = self.selected().map(R::key);
        self.reverse = !self.reverse;
        self.rebuild(keep.as_deref());
    }

    /// Applies a list verb that only moves, sorts, marks or clears; returns false for the verbs
    /// each pane gives a meaning of its own (filter, details, remove, prune).
    pub fn navigate(&mut self, action: ListAction) -> bool
    where
        R::Sort: SortOrder,
    {
        let page = self.viewport.page();
        match action {
            ListAction::Up => self.move_by(-1),
            ListAction::Down => self.move_by(1),
            ListAction::PageUp => self.move_by(-page),
            ListAction::PageDown => self.move_by(page),
            ListAction::Top => self.viewport.select(0),
            ListAction::Bottom => self.viewport.select(usize::MAX),
            ListAction::Back if !self.filter.is_empty() => self.set_filter(""),
            ListAction::Back if self.scope.is_some() => self.set_scope(None),
            ListAction::Back => self.marked.clear(),
            ListAction::CycleSort => self.cycle_sort(),
            ListAction::ReverseSort => self.reverse_sort(),
            ListAction::ToggleMark => self.toggle_mark(),
            _ => return false,
        }
        true
    }

    /// Marks or unmarks the selected row and moves down.
    pub fn toggle_mark(&mut self) {
        if let Some(key) = self.selected().map(R::key) {
            if !self.marked.remove(&key) {
                self.marked.insert(key);
            }
            self.move_by(1);
        }
    }

    /// Whether the row is marked.
    pub fn is_marked(&self, row: &R) -> bool {
        self.marked.contains(&row.key())
    }

    /// The rows an action applies to: the marked ones, else the selected one.
    pub fn targets(&self) -> Vec<&R> {
        if self.marked.is_empty() {
            return self.selected().into_iter().collect();
        }
        self.visible().filter(|r| self.is_marked(r)).collect()
    }
}

impl<R: TableRow> TableState<R>
where
    R::Sort: SortOrder,
{
    /// Cycles the sort order.
    pub fn cycle_sort(&mut self) {
        let keep = self.selected().map(R::key);
        let all = <R::Sort as SortOrder>::ALL;
        let i = all.iter().position(|s| *s == self.sort).unwrap_or(0);
        self.sort = all[(i + 1) % all.len()];
        self.rebuild(keep.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Row(&'static str, u32);

    #[derive(Debug, Clone, Copy, PartialEq, Default)]
    enum By {
        #[default]
        Name,
        Size,
    }

    impl SortOrder for By {
        const ALL: &'static [By] = &[By::Name, By::Size];
        fn label(self) -> &'static str {
            "x"
        }
    }

    impl TableRow for Row {
        type Sort = By;
        fn key(&self) -> String {
            self.0.to_string()
        }
        fn matches(&self, needle: &str) -> bool {
            self.0.contains(needle)
        }
        fn compare(&self, other: &Self, sort: By) -> Ordering {
            match sort {
                By::Name => self.0.cmp(other.0),
                By::Size => other.1.cmp(&self.1),
            }
        }
    }

    fn table() -> TableState<Row> {
        let mut t = TableState::default();
        t.viewport.set_height(2);
        t.set_rows(vec![Row("b", 1), Row("a", 3), Row("c", 2)], None);
        t
    }

    fn names(t: &TableState<Row>) -> Vec<&str> {
        t.visible().map(|r| r.0).collect()
    }

    #[test]
    fn sorts_filters_and_keeps_the_selection() {
        let mut t = table();
        assert_eq!(names(&t), ["a", "b", "c"]);
        t.move_by(1);
        t.cycle_sort();
        assert_eq!(names(&t), ["a", "c", "b"]);
        assert_eq!(t.selected().map(|r| r.0), Some("b"));
        t.set_filter("c");
        assert_eq!(names(&t), ["c"]);
        assert_eq!(t.viewport.cursor, 0);
        t.set_filter("");
        t.reverse_sort();
        assert_eq!(names(&t), ["b", "c", "a"]);
    }

    #[test]
    fn a_scope_narrows_the_view_until_back() {
        let mut t = table();
        t.set_scope(Some(Scope {
            label: "big",
            keep: |r| r.1 >= 2,
        }));
        assert_eq!(names(&t), ["a", "c"]);
        t.set_filter("c");
        assert_eq!(names(&t), ["c"]);
        assert!(t.navigate(ListAction::Back));
        assert_eq!(names(&t), ["a", "c"]);
        assert!(t.navigate(ListAction::Back));
        assert_eq!(names(&t), ["a", "b", "c"]);
    }

    #[test]
    fn marks_follow_rows_and_drive_targets() {
        let mut t = table();
        t.toggle_mark();
        t.toggle_mark();
        assert_eq!(t.targets().len(), 2);
        t.set_rows(vec![Row("b", 1)], None);
        assert_eq!(t.marked.len(), 1);
        t.marked.clear();
        assert_eq!(t.targets().len(), 1);
    }

    #[test]
    fn the_cursor_row_stays_on_screen_when_rows_change() {
        let mut t = table();
        t.move_by(2);
        assert_eq!(t.viewport.offset, 1);
        t.set_rows(vec![Row("z", 1)], None);
        assert_eq!((t.viewport.cursor, t.viewport.offset), (0, 0));
        let on: Vec<_> = t.on_screen().map(|(p, r)| (p, r.0)).collect();
        assert_eq!(on, [(0, "z")]);
    }
}
