//! Cursor and scrolling for anything drawn as rows: lists, dialogs, text views.

/// A cursor over `len` rows and the first of the `height` rows on screen. Every change keeps the
/// cursor inside the rows and its row on screen, and never leaves blank rows below the last one
/// while rows above are scrolled off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    /// The selected row.
    pub cursor: usize,
    /// The first row on screen.
    pub offset: usize,
    /// Rows on screen (from the last frame).
    pub height: usize,
    /// Rows in all.
    pub len: usize,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            cursor: 0,
            offset: 0,
            height: 10,
            len: 0,
        }
    }
}

impl Viewport {
    /// A viewport over `len` rows.
    pub fn over(len: usize) -> Viewport {
        let mut v = Viewport::default();
        v.set_len(len);
        v
    }

    /// The number of rows changed.
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
        self.clamp();
    }

    /// The frame showed `height` rows.
    pub fn set_height(&mut self, height: usize) {
        self.height = height.max(1);
        self.clamp();
    }

    /// Puts the cursor on `row` (clamped).
    pub fn select(&mut self, row: usize) {
        self.cursor = row;
        self.clamp();
    }

    /// Moves the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.select(self.cursor.saturating_add_signed(delta));
    }

    /// One page (the rows on screen), for PageUp/PageDown.
    pub fn page(&self) -> isize {
        isize::try_from(self.height.max(1)).unwrap_or(10)
    }

    /// Scrolls the view by `delta` rows without a cursor (text views): the cursor is the top row.
    pub fn scroll_by(&mut self, delta: isize) {
        let last_top = self.len.saturating_sub(self.height);
        self.offset = self.offset.saturating_add_signed(delta).min(last_top);
        self.cursor = self.offset;
    }

    fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.len.saturating_sub(1));
        self.offset = follow(self.offset, self.cursor, self.height, self.len);
    }
}

/// The first row on screen so that `cursor` is on a screen of `height` rows that started at
/// `offset`, scrolling no more than needed and leaving no blank rows below the last of `len`.
pub fn follow(offset: usize, cursor: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let offset = if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vp(len: usize, height: usize) -> Viewport {
        let mut v = Viewport::over(len);
        v.set_height(height);
        v
    }

    #[test]
    fn scrolls_only_when_the_cursor_leaves_the_screen() {
        let mut v = vp(20, 5);
        v.select(3);
        assert_eq!(v.offset, 0);
        v.select(5);
        assert_eq!(v.offset, 1);
        v.select(2);
        assert_eq!(v.offset, 1);
        v.select(0);
        assert_eq!(v.offset, 0);
    }

    #[test]
    fn fewer_rows_or_a_taller_screen_bring_scrolled_rows_back() {
        let mut v = vp(10, 3);
        v.select(9);
        assert_eq!(v.offset, 7);
        v.set_height(20);
        assert_eq!((v.offset, v.cursor), (0, 9));
        v.set_height(3);
        v.set_len(4);
        assert_eq!((v.offset, v.cursor), (1, 3));
        v.set_len(0);
        assert_eq!((v.offset, v.cursor), (0, 0));
    }

    #[test]
    fn text_views_scroll_to_their_last_page_and_no_further() {
        let mut v = vp(12, 5);
        v.scroll_by(100);
        assert_eq!(v.offset, 7);
        v.scroll_by(-3);
        assert_eq!(v.offset, 4);
        v.scroll_by(-100);
        assert_eq!(v.offset, 0);
    }
}
