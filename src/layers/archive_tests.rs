//! Tests of reading image archives, hostile ones included.
use super::*;
use crate::layers::testutil::{TarBuilder, docker_save, gzip, header};
use crate::layers::{LayersError, analyze_reader, analyze_reader_with};

fn analyze(bytes: &[u8]) -> Result<ImageAnalysis, LayersError> {
    analyze_reader(bytes, |_| {}, &AtomicBool::new(false))
}

fn two_layers() -> Vec<Vec<u8>> {
    vec![
        TarBuilder::new()
            .dir("etc/")
            .file("etc/a", b"hello")
            .symlink("etc/l", "a")
            .finish(),
        TarBuilder::new()
            .dir("etc/")
            .file("etc/a", b"hello world")
            .finish(),
    ]
}

#[test]
fn legacy_layout_with_manifest_last() {
    for manifest_last in [false, true] {
        let a = analyze(&docker_save(&two_layers(), manifest_last)).unwrap();
        assert_eq!(a.layers.len(), 2);
        assert_eq!(a.tags, vec!["test:1"]);
        assert_eq!(a.layers[0].id, "layer00");
        assert_eq!(a.layers[1].command, "step 1");
        assert_eq!(a.layers[0].size, 5);
        assert_eq!(a.layers[1].size, 11);
        assert_eq!(a.figures.wasted_bytes, 16);
        let l = &a.layers[0].entries[2];
        assert_eq!(a.link(l), Some("a"));
        assert_eq!(a.paths.path(l.path), "/etc/l");
    }
}

#[test]
fn gzip_layers_are_sniffed() {
    let layers: Vec<Vec<u8>> = two_layers().iter().map(|l| gzip(l)).collect();
    let a = analyze(&docker_save(&layers, true)).unwrap();
    assert_eq!(a.layers[1].size, 11);
    assert_eq!(a.figures.wasted_bytes, 16);
}

fn oci_archive(layers: &[Vec<u8>], with_manifest_json: bool) -> Vec<u8> {
    let mut t = TarBuilder::new();
    let digests: Vec<String> = (0..layers.len())
        .map(|i| format!("{:064x}", i + 1))
        .collect();
    let config =
        r#"{"rootfs":{"diff_ids":[]},"history":[{"created_by":"ADD a"},{"created_by":"RUN b"}]}"#;
    let cfg = format!("{:064x}", 0xc0ffee);
    let layer_descs: Vec<String> = digests
        .iter()
        .map(|d| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{d}"}}"#
            )
        })
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"digest":"sha256:{cfg}"}},"layers":[{}]}}"#,
        layer_descs.join(",")
    );
    let man = format!("{:064x}", 0xabc);
    t.file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    for (d, l) in digests.iter().zip(layers) {
        t.file(&format!("blobs/sha256/{d}"), l);
    }
    t.file(&format!("blobs/sha256/{cfg}"), config.as_bytes());
    t.file(&format!("blobs/sha256/{man}"), manifest.as_bytes());
    t.file(
        "index.json",
        format!(r#"{{"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{man}","annotations":{{"io.containerd.image.name":"x:oci"}}}}]}}"#).as_bytes(),
    );
    if with_manifest_json {
        let names: Vec<String> = digests
            .iter()
            .map(|d| format!(r#""blobs/sha256/{d}""#))
            .collect();
        t.file(
            "manifest.json",
            format!(
                r#"[{{"Config":"blobs/sha256/{cfg}","RepoTags":["x:save"],"Layers":[{}]}}]"#,
                names.join(",")
            )
            .as_bytes(),
        );
    }
    t.finish()
}

#[test]
fn oci_layout_tar_with_and_without_manifest_json() {
    let a = analyze(&oci_archive(&two_layers(), false)).unwrap();
    assert_eq!(a.tags, vec!["x:oci"]);
    assert_eq!(a.layers.len(), 2);
    assert_eq!(a.layers[1].command, "RUN b");
    assert_eq!(a.figures.wasted_bytes, 16);
    let b = analyze(&oci_archive(&two_layers(), true)).unwrap();
    assert_eq!(b.tags, vec!["x:save"]);
    assert_eq!(b.figures, a.figures);
}

#[test]
fn oci_layout_directory() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = oci_archive(&two_layers(), false);
    let mut t = crate::layers::tar::TarReader::new(&bytes[..], "t", 1 << 30);
    while t.next_entry().unwrap() {
        let name = String::from_utf8(t.header().path.clone()).unwrap();
        let path = dir.path().join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut data = Vec::new();
        t.data().read_to_end(&mut data).unwrap();
        std::fs::write(path, data).unwrap();
    }
    let a = crate::layers::analyze_path(dir.path(), |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(a.layers.len(), 2);
    assert_eq!(a.figures.wasted_bytes, 16);
}

#[test]
fn symlinked_layer_tar_is_followed() {
    let layer = TarBuilder::new().file("x", b"data").finish();
    let mut t = TarBuilder::new();
    t.file("l0/layer.tar", &layer);
    t.raw(
        header("l1/layer.tar", b'2', 0, 0o777, "../l0/layer.tar"),
        &[],
    );
    t.file("c.json", br#"{"history":[]}"#);
    t.file(
        "manifest.json",
        br#"[{"Config":"c.json","Layers":["l0/layer.tar","l1/layer.tar"]}]"#,
    );
    let a = analyze(&t.finish()).unwrap();
    assert_eq!(a.layers.len(), 2);
    assert_eq!(a.layers[1].entries.len(), 1);
    assert_eq!(a.layers[1].command, "(missing)");
    assert_eq!(a.figures.wasted_bytes, 8);
}

#[test]
fn missing_layer_is_a_clear_error() {
    let mut t = TarBuilder::new();
    t.file("c.json", br#"{}"#);
    t.file(
        "manifest.json",
        br#"[{"Config":"c.json","Layers":["nope/layer.tar"]}]"#,
    );
    let err = analyze(&t.finish()).unwrap_err();
    assert!(
        matches!(err, LayersError::Missing { what: "layer", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("nope/layer.tar"));
    let mut t = TarBuilder::new();
    t.file("manifest.json", br#"[{"Config":"c.json","Layers":[]}]"#);
    assert!(matches!(
        analyze(&t.finish()),
        Err(LayersError::Missing { what: "config", .. })
    ));
    let mut t = TarBuilder::new();
    t.file("x/layer.tar", &TarBuilder::new().finish());
    assert!(matches!(analyze(&t.finish()), Err(LayersError::NoManifest)));
}

#[test]
fn dotdot_paths_are_rejected() {
    let evil = TarBuilder::new().file("../../etc/passwd", b"x").finish();
    let err = analyze(&docker_save(&[evil], true)).unwrap_err();
    assert!(matches!(err, LayersError::UnsafePath { .. }), "{err}");
    let evil = TarBuilder::new().file("a/.wh...", b"").finish();
    assert!(analyze(&docker_save(&[evil], true)).is_err());
    // ".." that stays inside the root is just cleaned
    let ok = TarBuilder::new().file("a/../b", b"x").finish();
    let a = analyze(&docker_save(&[ok], true)).unwrap();
    assert_eq!(a.paths.path(a.layers[0].entries[0].path), "/b");
}

#[test]
fn truncated_archives_are_errors() {
    let bytes = docker_save(&two_layers(), true);
    for cut in [100, 1500, 3000, bytes.len() - 1100] {
        let err = analyze(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(err, LayersError::Truncated(_) | LayersError::NoManifest),
            "cut {cut}: {err}"
        );
    }
}

#[test]
fn gzip_bomb_is_capped() {
    let zeros = vec![0u8; 4 << 20];
    let mut inner = TarBuilder::new();
    inner.file("big", &zeros);
    let layer = gzip(&inner.finish());
    assert!(layer.len() < 64 << 10);
    let limits = Limits {
        gzip_floor_bytes: 1 << 20,
        gzip_max_ratio: 10,
        ..Limits::default()
    };
    let err = analyze_reader_with(
        &docker_save(&[layer], true)[..],
        limits,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(err.to_string().contains("gzip bomb"), "{err}");
}

#[test]
fn entry_count_is_capped() {
    let mut l = TarBuilder::new();
    for i in 0..50 {
        l.file(&format!("f{i}"), b"");
    }
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let err = analyze_reader_with(
        &docker_save(&[l.finish()], true)[..],
        limits,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(matches!(err, LayersError::LimitExceeded { .. }), "{err}");
}

#[test]
fn cancel_stops_the_analysis() {
    let cancel = AtomicBool::new(true);
    let err = analyze_reader(&docker_save(&two_layers(), true)[..], |_| {}, &cancel).unwrap_err();
    assert!(matches!(err, LayersError::Cancelled), "{err}");
}

#[test]
fn progress_is_reported() {
    let bytes = docker_save(&two_layers(), true);
    let mut last = Progress::default();
    analyze_reader(&bytes[..], |p| last = p, &AtomicBool::new(false)).unwrap();
    assert_eq!(last.layers_done, 2);
    assert_eq!(last.bytes_read, bytes.len() as u64);
    assert_eq!(last.entries, 5);
}

#[test]
fn zstd_layers_are_reported() {
    let mut t = TarBuilder::new();
    t.file("l/layer.tar", &[0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    t.file("c.json", br#"{}"#);
    t.file(
        "manifest.json",
        br#"[{"Config":"c.json","Layers":["l/layer.tar"]}]"#,
    );
    let err = analyze(&t.finish()).unwrap_err();
    assert!(
        matches!(err, LayersError::UnsupportedCompression(_, "zstd")),
        "{err}"
    );
}

/// A `docker save` archive whose manifest lists the one layer `times` times.
fn repeated_layer_archive(layer: Vec<u8>, times: usize) -> Vec<u8> {
    let history = vec![r#"{"created_by":"/bin/sh -c step"}"#; times].join(",");
    let diff_ids = vec![format!(r#""sha256:{:064}""#, 1); times].join(",");
    let config = format!(
        r#"{{"rootfs":{{"type":"layers","diff_ids":[{diff_ids}]}},"history":[{history}]}}"#
    );
    let layers = vec![r#""l/layer.tar""#; times].join(",");
    let manifest = format!(r#"[{{"Config":"cfg.json","RepoTags":["t:1"],"Layers":[{layers}]}}]"#);
    let mut t = TarBuilder::new();
    t.file("cfg.json", config.as_bytes());
    t.file("manifest.json", manifest.as_bytes());
    t.dir("l");
    t.file("l/layer.tar", &layer);
    t.finish()
}

#[test]
fn a_layer_listed_twice_is_parsed_once_and_counted_per_listing() {
    let layer = TarBuilder::new()
        .file("a", b"12345")
        .file("b", b"67")
        .finish();
    let a = analyze(&repeated_layer_archive(layer, 3)).unwrap();
    assert_eq!(a.layers.len(), 3);
    assert!(a.layers.iter().all(|l| l.entries.len() == 2));
    let f = &a.figures;
    assert_eq!(f.inefficient.len(), 2);
    assert_eq!((f.inefficient[0].count, f.inefficient[0].size), (3, 15));
    assert_eq!(f.wasted_bytes, 21);
    assert_eq!(f.user_size_bytes, 2 * a.layers[0].size);
}

/// The hostile case: one 5,000-entry layer listed 20,000 times (100M entries if each listing
/// were materialised) is refused by the total entry limit before anything is copied.
#[test]
fn a_small_layer_listed_thousands_of_times_hits_the_total_entry_limit() {
    let mut l = TarBuilder::new();
    for i in 0..5000 {
        l.file(&format!("f{i}"), b"");
    }
    let archive = repeated_layer_archive(l.finish(), 20_000);
    let limits = Limits {
        max_layers: usize::MAX,
        ..Limits::default()
    };
    let started = std::time::Instant::now();
    let err = analyze_reader_with(&archive[..], limits, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert!(matches!(err, LayersError::LimitExceeded { .. }), "{err}");
    assert!(err.to_string().contains("100000000 entries"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // With the default limits the layer count stops it first.
    let err = analyze(&archive).unwrap_err();
    assert!(err.to_string().contains("20000 layers listed"), "{err}");
}

#[test]
fn images_without_user_bytes_print_no_nan() {
    let base = TarBuilder::new().file("a", b"x").finish();
    let empty = TarBuilder::new().dir("d/").finish();
    for layers in [vec![base.clone()], vec![base, empty]] {
        let a = analyze(&docker_save(&layers, false)).unwrap();
        let text = crate::layers::report::figure_lines(&a.figures);
        assert!(!text.contains("NaN"), "{text}");
        assert!(text.contains("userWastedPercent: 0.0000 %"), "{text}");
    }
}
