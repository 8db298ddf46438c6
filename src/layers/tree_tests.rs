//! Tests of the merged file tree.
use super::*;
use crate::layers::analysis::tests::image;
use crate::layers::testutil::TarBuilder;

fn fixture() -> ImageAnalysis {
    image(vec![
        TarBuilder::new()
            .dir("d/")
            .file("d/a", &[0; 100])
            .file("d/b", b"bb")
            .dir("d/sub/")
            .file("d/sub/x", &[0; 10])
            .symlink("d/l", "a")
            .finish(),
        TarBuilder::new()
            .dir("d/")
            .file("d/a", &[1; 40])
            .file_mode("d/b", b"bb", 0o600)
            .file(".wh.gone", b"")
            .file("d/.wh.l", b"")
            .file("new/deep/f", b"n")
            .finish(),
        TarBuilder::new()
            .dir("d/")
            .dir("d/sub/")
            .file("d/sub/.wh..wh..opq", b"")
            .file("d/sub/y", b"yy")
            .file_mode("d/b", b"bb", 0o600)
            .finish(),
    ])
}

fn status(a: &ImageAnalysis, t: &LayerTree, path: &str) -> Option<Status> {
    a.paths
        .lookup(path)
        .and_then(|id| t.node(id))
        .map(|n| n.status)
}

#[test]
fn base_layer_is_all_added() {
    let a = fixture();
    let t = LayerTree::build(&a, 0);
    assert_eq!(status(&a, &t, "d"), Some(Status::Added));
    assert_eq!(status(&a, &t, "d/sub/x"), Some(Status::Added));
    assert_eq!(status(&a, &t, "new"), None);
    let d = t.node(a.paths.lookup("d").unwrap()).unwrap();
    assert_eq!(d.rolled_size, 112);
    assert_eq!(t.node(ROOT).unwrap().rolled_size, 112);
}

#[test]
fn modified_removed_and_implicit_parents() {
    let a = fixture();
    let t = LayerTree::build(&a, 1);
    assert_eq!(status(&a, &t, "d/a"), Some(Status::Modified)); // new contents
    assert_eq!(status(&a, &t, "d/b"), Some(Status::Modified)); // chmod
    assert_eq!(status(&a, &t, "d/l"), Some(Status::Removed)); // whiteout
    assert_eq!(status(&a, &t, "d/sub/x"), Some(Status::Unchanged));
    assert_eq!(status(&a, &t, "d"), Some(Status::Modified)); // dir itself same, children changed
    assert_eq!(status(&a, &t, "new"), Some(Status::Added)); // implicit parent
    assert_eq!(status(&a, &t, "new/deep/f"), Some(Status::Added));
    // whiteout of something that never existed leaves no node
    assert_eq!(status(&a, &t, "gone"), None);
    // removed children don't count towards a live directory's size
    let d = t.node(a.paths.lookup("d").unwrap()).unwrap();
    assert_eq!(d.rolled_size, 40 + 2 + 10);
}

#[test]
fn opaque_directory_hides_lower_contents() {
    let a = fixture();
    let t = LayerTree::build(&a, 2);
    assert_eq!(status(&a, &t, "d/sub/x"), Some(Status::Removed));
    assert_eq!(status(&a, &t, "d/sub/y"), Some(Status::Added));
    assert_eq!(status(&a, &t, "d/b"), Some(Status::Unchanged)); // rewritten identically
    assert_eq!(status(&a, &t, "d/l"), None); // gone since layer 1
    let sub = t.node(a.paths.lookup("d/sub").unwrap()).unwrap();
    assert_eq!(sub.rolled_size, 2);
    assert_eq!(sub.status, Status::Modified);
    let names: Vec<&str> = t
        .children(a.paths.lookup("d/sub").unwrap())
        .iter()
        .map(|&c| a.paths.name(c))
        .collect();
    assert_eq!(names, vec!["x", "y"]);
}

#[test]
fn layer_index_is_clamped() {
    let a = fixture();
    assert_eq!(LayerTree::build(&a, 99).layer, 2);
}
