//! Tests of the explorer's tree view.
use super::*;
use crate::layers::analysis::tests::image;
use crate::layers::testutil::TarBuilder;

fn fixture() -> ImageAnalysis {
    image(vec![
        TarBuilder::new()
            .dir("etc/")
            .file("etc/passwd", b"root")
            .dir("usr/")
            .dir("usr/bin/")
            .file("usr/bin/tool", &[0; 50])
            .symlink("usr/bin/alias", "tool")
            .finish(),
        TarBuilder::new()
            .dir("etc/")
            .file("etc/hosts", b"h")
            .dir("usr/")
            .dir("usr/bin/")
            .file("usr/bin/.wh.alias", b"")
            .finish(),
    ])
}

fn names(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| format!("{}{}", "  ".repeat(r.depth), r.name))
        .collect()
}

#[test]
fn aggregated_view_lists_everything_sorted() {
    let a = fixture();
    let t = LayerTree::build(&a, 1);
    let rows = rows(&a, &t, &ViewOptions::default());
    assert_eq!(
        names(&rows),
        vec![
            "etc",
            "  hosts",
            "  passwd",
            "usr",
            "  bin",
            "    alias",
            "    tool"
        ]
    );
    let alias = &rows[5];
    assert_eq!(alias.status, Status::Removed);
    assert_eq!(alias.link.as_deref(), Some("tool"));
    assert_eq!(alias.mode, "lrwxrwxrwx");
    let etc = &rows[0];
    assert_eq!(etc.mode, "drwxr-xr-x");
    assert_eq!(etc.owner, "0:0");
    assert_eq!(etc.size, 5);
    assert_eq!(etc.status, Status::Modified);
    assert_eq!(rows[1].status, Status::Added);
    assert_eq!(rows[2].status, Status::Unchanged);
}

#[test]
fn layer_changes_view_shows_only_changes_and_parents() {
    let a = fixture();
    let t = LayerTree::build(&a, 1);
    let opts = ViewOptions {
        mode: ViewMode::LayerChanges,
        ..Default::default()
    };
    assert_eq!(
        names(&rows(&a, &t, &opts)),
        vec!["etc", "  hosts", "usr", "  bin", "    alias"]
    );
}

#[test]
fn filters_by_path_and_status() {
    let a = fixture();
    let t = LayerTree::build(&a, 1);
    let opts = ViewOptions {
        path_filter: "TOO".into(),
        ..Default::default()
    };
    assert_eq!(
        names(&rows(&a, &t, &opts)),
        vec!["usr", "  bin", "    tool"]
    );
    let opts = ViewOptions {
        status_filter: StatusFilter {
            added: false,
            modified: false,
            removed: true,
            unchanged: false,
        },
        ..Default::default()
    };
    assert_eq!(
        names(&rows(&a, &t, &opts)),
        vec!["usr", "  bin", "    alias"]
    );
}

#[test]
fn collapse_and_expand() {
    let a = fixture();
    let t = LayerTree::build(&a, 1);
    let mut opts = ViewOptions::default();
    let r = rows(&a, &t, &opts);
    let usr = r.iter().find(|r| r.name == "usr").unwrap().clone();
    toggle(&mut opts.collapsed, &usr);
    let r = rows(&a, &t, &opts);
    assert_eq!(names(&r), vec!["etc", "  hosts", "  passwd", "usr"]);
    assert!(r[3].collapsed);
    toggle(&mut opts.collapsed, &r[3]);
    assert_eq!(rows(&a, &t, &opts).len(), 7);
    // files don't toggle
    toggle(&mut opts.collapsed, &r[1]);
    assert!(opts.collapsed.is_empty());
    collapse_all(&t, &mut opts.collapsed);
    assert_eq!(names(&rows(&a, &t, &opts)), vec!["etc", "usr"]);
}
