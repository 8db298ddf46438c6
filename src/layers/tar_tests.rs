//! Tests of the streaming tar reader.
use super::*;
use crate::layers::testutil::{TarBuilder, header, set_checksum};

fn names(bytes: &[u8]) -> Result<Vec<(String, u64)>, LayersError> {
    let mut t = TarReader::new(bytes, "test", 1 << 30);
    let mut out = Vec::new();
    while t.next_entry()? {
        let h = t.header();
        out.push((String::from_utf8_lossy(&h.path).into_owned(), h.size));
    }
    Ok(out)
}

#[test]
fn reads_entries_and_data() {
    let bytes = TarBuilder::new()
        .dir("etc/")
        .file("etc/hosts", b"127.0.0.1 localhost\n")
        .symlink("etc/l", "hosts")
        .finish();
    let mut t = TarReader::new(&bytes[..], "test", 1 << 30);
    assert!(t.next_entry().unwrap());
    assert_eq!(t.header().kind, Some(TarKind::Dir));
    assert!(t.next_entry().unwrap());
    assert_eq!(t.header().path, b"etc/hosts");
    let mut s = String::new();
    t.data().read_to_string(&mut s).unwrap();
    assert_eq!(s, "127.0.0.1 localhost\n");
    assert!(t.next_entry().unwrap());
    assert_eq!(t.header().kind, Some(TarKind::Symlink));
    assert_eq!(t.header().link, b"hosts");
    assert!(!t.next_entry().unwrap());
    assert!(!t.next_entry().unwrap());
}

#[test]
fn skips_unread_data() {
    let big = vec![7u8; 5000];
    let bytes = TarBuilder::new().file("a", &big).file("b", b"x").finish();
    assert_eq!(
        names(&bytes).unwrap(),
        vec![("a".to_string(), 5000), ("b".to_string(), 1)]
    );
}

#[test]
fn pax_and_gnu_long_names() {
    let long = format!("{}/file", "d".repeat(150));
    let mut b = TarBuilder::new();
    b.pax(&[("path", &long), ("uid", "123456789")]);
    b.file("short", b"abc");
    let gnu_name = format!("{}/gnu", "g".repeat(120));
    let mut data = gnu_name.clone().into_bytes();
    data.push(0);
    b.raw(
        header("././@LongLink", b'L', data.len() as u64, 0o644, ""),
        &data,
    );
    b.file("trunc", b"");
    let bytes = b.finish();
    let mut t = TarReader::new(&bytes[..], "test", 1 << 30);
    assert!(t.next_entry().unwrap());
    assert_eq!(String::from_utf8_lossy(&t.header().path), long);
    assert_eq!(t.header().uid, 123456789);
    assert!(t.next_entry().unwrap());
    assert_eq!(String::from_utf8_lossy(&t.header().path), gnu_name);
}

#[test]
fn bad_checksum_is_an_error() {
    let mut bytes = TarBuilder::new().file("a", b"x").finish();
    bytes[0] = b'b';
    assert!(matches!(names(&bytes), Err(LayersError::BadHeader { .. })));
}

#[test]
fn truncated_header_and_data_are_errors() {
    let bytes = TarBuilder::new().file("a", &[1u8; 2000]).finish();
    assert!(matches!(
        names(&bytes[..300]),
        Err(LayersError::Truncated(_))
    ));
    assert!(matches!(
        names(&bytes[..1024]),
        Err(LayersError::Truncated(_))
    ));
}

#[test]
fn absurd_sizes_are_rejected_without_allocating() {
    let mut h = header("huge", b'0', 0, 0o644, "");
    // base-256: 2^62 bytes
    h[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]);
    set_checksum(&mut h);
    let bytes = TarBuilder::new().raw(h, &[]).finish();
    assert!(matches!(
        names(&bytes),
        Err(LayersError::LimitExceeded { .. })
    ));
    // a PAX header claiming a huge extended header
    let h = header("PaxHeader", b'x', (1 << 33) - 1, 0o644, "");
    let mut bytes = h.to_vec();
    bytes.extend_from_slice(&[0u8; 1024]);
    assert!(matches!(
        names(&bytes),
        Err(LayersError::LimitExceeded { .. })
    ));
}

#[test]
fn numbers_parse() {
    assert_eq!(parse_number(b"0000644\0"), Some(0o644));
    assert_eq!(parse_number(b"   12 \0"), Some(0o12));
    assert_eq!(parse_number(b"\0\0\0\0"), Some(0));
    assert_eq!(parse_number(b"12x4"), None);
    assert_eq!(parse_number(&[0x80, 0, 1, 0]), Some(256));
    assert_eq!(parse_number(&[0xff, 0xff]), None);
}
