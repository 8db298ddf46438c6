//! Label-schema rules (they need a configuration).
use super::{check_with, schema};

#[test]
fn label_schema_rules() {
    let all = "LABEL author=a url=https://x created=2024-05-01T10:00:00Z license=MIT revision=4f3c2a1 version=1.2.3 email=a@b.c\n";
    let good = format!("FROM a:1\n{all}");
    let good: &'static str = Box::leak(good.into_boxed_str());
    check_with(
        &[
            ("DL3049", "FROM a:1\nRUN x\n", 1, good),
            ("DL3050", "FROM a:1\nLABEL extra=1\n", 2, good),
            ("DL3051", "FROM a:1\nLABEL author=\"\"\n", 2, good),
            ("DL3052", "FROM a:1\nLABEL url=\"not a url\"\n", 2, good),
            ("DL3053", "FROM a:1\nLABEL created=yesterday\n", 2, good),
            ("DL3054", "FROM a:1\nLABEL license=\"Apache 2\"\n", 2, good),
            ("DL3055", "FROM a:1\nLABEL revision=main\n", 2, good),
            ("DL3056", "FROM a:1\nLABEL version=v1\n", 2, good),
            ("DL3058", "FROM a:1\nLABEL email=nobody\n", 2, good),
        ],
        &schema(),
    );
}
