//! A horizontal size bar drawn with eighth blocks.

/// A bar of `width` cells showing `value / max`; non-zero values get at least a sliver.
pub fn bar(value: u64, max: u64, width: usize) -> String {
    if width == 0 || max == 0 {
        return " ".repeat(width);
    }
    let eighths = (u128::from(value) * (width as u128) * 8 / u128::from(max)) as usize;
    let eighths = if value > 0 { eighths.max(1) } else { 0 }.min(width * 8);
    let full = eighths / 8;
    let mut out = "█".repeat(full);
    let rest = eighths % 8;
    if rest > 0 {
        out.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][rest]);
    }
    let used = full + usize::from(rest > 0);
    out.push_str(&" ".repeat(width - used));
    out
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_and_pad() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██  ");
        assert_eq!(bar(1, 1000, 4), "▏   ");
        assert_eq!(bar(0, 10, 3), "   ");
        assert_eq!(bar(3, 0, 2), "  ");
        assert_eq!(bar(7, 16, 2).chars().count(), 2);
    }
}
