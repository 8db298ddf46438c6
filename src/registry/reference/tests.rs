//! Test tables adapted from distribution/reference `reference_test.go` and `normalize_test.go`.

use super::*;

const FF64: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// (input, domain, name, tag, digest) for inputs that must parse, with `Display` round-tripping.
fn valid_cases() -> Vec<(String, &'static str, String, &'static str, String)> {
    let sha256 = format!("sha256:{FF64}");
    let sha512 = format!("sha512:{}", "f".repeat(128));
    let many_a = format!("{}a", "a/".repeat(127));
    vec![
        ("test_com".into(), "", "test_com".into(), "", String::new()),
        (
            "test.com:tag".into(),
            "",
            "test.com".into(),
            "tag",
            String::new(),
        ),
        (
            "test.com:5000".into(),
            "",
            "test.com".into(),
            "5000",
            String::new(),
        ),
        (
            "test.com/repo:tag".into(),
            "test.com",
            "test.com/repo".into(),
            "tag",
            String::new(),
        ),
        (
            "test:5000/repo".into(),
            "test:5000",
            "test:5000/repo".into(),
            "",
            String::new(),
        ),
        (
            "test:5000/repo:tag".into(),
            "test:5000",
            "test:5000/repo".into(),
            "tag",
            String::new(),
        ),
        (
            format!("test:5000/repo@{sha256}"),
            "test:5000",
            "test:5000/repo".into(),
            "",
            sha256.clone(),
        ),
        (
            format!("test:5000/repo:tag@{sha256}"),
            "test:5000",
            "test:5000/repo".into(),
            "tag",
            sha256.clone(),
        ),
        (
            "lowercase:Uppercase".into(),
            "",
            "lowercase".into(),
            "Uppercase",
            String::new(),
        ),
        (
            format!("{many_a}:tag-puts-this-over-max"),
            "a",
            many_a.clone(),
            "tag-puts-this-over-max",
            String::new(),
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux".into(),
            "sub-dom1.foo.com",
            "sub-dom1.foo.com/bar/baz/quux".into(),
            "",
            String::new(),
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
            "sub-dom1.foo.com",
            "sub-dom1.foo.com/bar/baz/quux".into(),
            "some-long-tag",
            String::new(),
        ),
        (
            "b.gcr.io/test.example.com/my-app:test.example.com".into(),
            "b.gcr.io",
            "b.gcr.io/test.example.com/my-app".into(),
            "test.example.com",
            String::new(),
        ),
        (
            "xn--n3h.com/myimage:xn--n3h.com".into(),
            "xn--n3h.com",
            "xn--n3h.com/myimage".into(),
            "xn--n3h.com",
            String::new(),
        ),
        (
            format!("xn--7o8h.com/myimage:xn--7o8h.com@{sha512}"),
            "xn--7o8h.com",
            "xn--7o8h.com/myimage".into(),
            "xn--7o8h.com",
            sha512,
        ),
        (
            "foo_bar.com:8080".into(),
            "",
            "foo_bar.com".into(),
            "8080",
            String::new(),
        ),
        (
            "foo/foo_bar.com:8080".into(),
            "foo",
            "foo/foo_bar.com".into(),
            "8080",
            String::new(),
        ),
        (
            "192.168.1.1".into(),
            "",
            "192.168.1.1".into(),
            "",
            String::new(),
        ),
        (
            "192.168.1.1:tag".into(),
            "",
            "192.168.1.1".into(),
            "tag",
            String::new(),
        ),
        (
            "192.168.1.1:5000".into(),
            "",
            "192.168.1.1".into(),
            "5000",
            String::new(),
        ),
        (
            "192.168.1.1/repo".into(),
            "192.168.1.1",
            "192.168.1.1/repo".into(),
            "",
            String::new(),
        ),
        (
            "192.168.1.1:5000/repo".into(),
            "192.168.1.1:5000",
            "192.168.1.1:5000/repo".into(),
            "",
            String::new(),
        ),
        (
            "192.168.1.1:5000/repo:5050".into(),
            "192.168.1.1:5000",
            "192.168.1.1:5000/repo".into(),
            "5050",
            String::new(),
        ),
        (
            "[2001:db8::1]/repo".into(),
            "[2001:db8::1]",
            "[2001:db8::1]/repo".into(),
            "",
            String::new(),
        ),
        (
            "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
            "[2001:db8:1:2:3:4:5:6]",
            "[2001:db8:1:2:3:4:5:6]/repo".into(),
            "tag",
            String::new(),
        ),
        (
            "[2001:db8::1]:5000/repo".into(),
            "[2001:db8::1]:5000",
            "[2001:db8::1]:5000/repo".into(),
            "",
            String::new(),
        ),
        (
            "[2001:db8::1]:5000/repo:tag".into(),
            "[2001:db8::1]:5000",
            "[2001:db8::1]:5000/repo".into(),
            "tag",
            String::new(),
        ),
        (
            format!("[2001:db8::1]:5000/repo@{sha256}"),
            "[2001:db8::1]:5000",
            "[2001:db8::1]:5000/repo".into(),
            "",
            sha256.clone(),
        ),
        (
            format!("[2001:db8::1]:5000/repo:tag@{sha256}"),
            "[2001:db8::1]:5000",
            "[2001:db8::1]:5000/repo".into(),
            "tag",
            sha256,
        ),
        (
            "[2001:db8::]:5000/repo".into(),
            "[2001:db8::]:5000",
            "[2001:db8::]:5000/repo".into(),
            "",
            String::new(),
        ),
        (
            "[::1]:5000/repo".into(),
            "[::1]:5000",
            "[::1]:5000/repo".into(),
            "",
            String::new(),
        ),
        (
            "test-com:8080/foo".into(),
            "test-com:8080",
            "test-com:8080/foo".into(),
            "",
            String::new(),
        ),
        (
            "docker---rules/docker".into(),
            "docker---rules",
            "docker---rules/docker".into(),
            "",
            String::new(),
        ),
        (
            "dock__er/docker".into(),
            "",
            "dock__er/docker".into(),
            "",
            String::new(),
        ),
    ]
}

#[test]
fn upstream_valid_references() {
    for (input, domain, name, tag, digest) in valid_cases() {
        let r = Reference::parse(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.domain().unwrap_or(""), domain, "domain of {input}");
        assert_eq!(r.name(), name, "name of {input}");
        assert_eq!(r.tag().unwrap_or(""), tag, "tag of {input}");
        assert_eq!(
            r.digest().map(|d| d.to_string()).unwrap_or_default(),
            digest,
            "digest of {input}"
        );
        assert_eq!(r.to_string(), input, "display of {input}");
    }
}

fn kind(input: &str) -> ReferenceErrorKind {
    match Reference::parse(input) {
        Ok(r) => panic!("{input:?} parsed as {r:?}"),
        Err(e) => {
            assert_eq!(e.input, input);
            e.kind
        }
    }
}

#[test]
fn upstream_invalid_references() {
    assert_eq!(kind(""), ReferenceErrorKind::Empty);
    assert_eq!(kind(":justtag"), ReferenceErrorKind::MissingName(':'));
    assert_eq!(
        kind(&format!("@sha256:{FF64}")),
        ReferenceErrorKind::MissingName('@')
    );
    assert!(matches!(
        kind("repo@sha256:ffffffffffffffffffffffffffffffffff"),
        ReferenceErrorKind::InvalidDigest {
            source: DigestError::Length {
                expected: 64,
                found: 34,
                ..
            },
            position: 5
        }
    ));
    assert!(matches!(
        kind(&format!("validname@invaliddigest:{FF64}")),
        ReferenceErrorKind::InvalidDigest {
            source: DigestError::Unsupported { .. },
            ..
        }
    ));
    assert!(matches!(
        kind("Uppercase:tag"),
        ReferenceErrorKind::Uppercase { position: 0, .. }
    ));
    assert!(matches!(
        kind("test:5000/Uppercase/lowercase:tag"),
        ReferenceErrorKind::Uppercase { position: 10, .. }
    ));
    assert_eq!(
        kind(&format!("{}a:tag", "a/".repeat(128))),
        ReferenceErrorKind::NameTooLong { len: 257 }
    );
    assert!(matches!(
        kind("aa/asdf$$^/aa"),
        ReferenceErrorKind::InvalidComponent { position: 7, .. }
    ));
    for ipv6 in ["[2001:db8::1]", "[2001:db8::1]:5000", "[2001:db8::1]:tag"] {
        assert!(
            matches!(kind(ipv6), ReferenceErrorKind::InvalidDomain { .. }),
            "{ipv6}"
        );
    }
    for zone in [
        "[fe80::1%eth0]:5000/repo",
        "[fe80::1%@invalidzone]:5000/repo",
    ] {
        let k = kind(zone);
        assert!(
            matches!(
                k,
                ReferenceErrorKind::InvalidDomain { .. } | ReferenceErrorKind::InvalidDigest { .. }
            ),
            "{zone}: {k:?}"
        );
    }
}

#[test]
fn upstream_invalid_names() {
    let invalid = [
        "https://github.com/docker/docker",
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        "[fc00::1]",
        "[fc00::1]:5000",
        "fc00::1:5000/debian",
        "[fe80::1%eth0]:5000/debian",
        "[2001:db8:3:4::192.0.2.33]:5000/debian",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
    ];
    for name in invalid {
        assert!(
            Reference::parse_normalized(name).is_err(),
            "{name} should be invalid"
        );
    }
    let long_ns = format!(
        "{}/docker",
        "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_".repeat(4)
    );
    assert!(Reference::parse_normalized(&long_ns).is_err());
}

#[test]
fn upstream_valid_names() {
    let valid = [
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "index.docker.io/library/debian",
        "index.docker.io/debian",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:80",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "Docker/docker",
        "DOCKER/docker",
        "docker-rules/docker",
        "doc/docker",
        "d/docker",
        "jess/t",
    ];
    for name in valid {
        if let Err(e) = Reference::parse_normalized(name) {
            panic!("{name} should be valid: {e}");
        }
    }
}

#[test]
fn normalized_split_hostname() {
    let cases = [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "docker.io", "test_com/foo"),
        ("docker/migrator", "docker.io", "docker/migrator"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("foo", "docker.io", "library/foo"),
        ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
        ("docker.io/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
        ("localhost/foo", "localhost", "foo"),
        ("localhost:5000/a/b", "localhost:5000", "a/b"),
        ("Foo/bar", "Foo", "bar"),
    ];
    for (input, domain, path) in cases {
        let r = Reference::parse_normalized(input).unwrap();
        assert_eq!(r.domain(), Some(domain), "{input}");
        assert_eq!(r.path(), path, "{input}");
        assert_eq!(r.tag(), Some("latest"), "{input}");
    }
}

#[test]
fn familiar_and_full_names() {
    // (familiar, full) pairs from TestParseRepositoryInfo.
    let cases = [
        ("fooo/bar", "docker.io/fooo/bar"),
        ("ubuntu", "docker.io/library/ubuntu"),
        ("nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu"),
        ("other/library", "docker.io/other/library"),
        (
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000/private/moonbase",
        ),
        (
            "example.com:8000/privatebasee",
            "example.com:8000/privatebasee",
        ),
        ("ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base"),
        ("library/foo/bar", "docker.io/library/foo/bar"),
        ("store/foo/bar", "docker.io/store/foo/bar"),
        ("Foo/bar", "Foo/bar"),
    ];
    for (familiar, full) in cases {
        for input in [familiar, full] {
            let r = Reference::parse_normalized(input).unwrap();
            assert_eq!(r.name(), full, "{input}");
            assert_eq!(
                Reference::parse(input).unwrap().familiar(),
                familiar,
                "{input}"
            );
        }
    }
    let ambiguous =
        Reference::parse_normalized("index.docker.io/library/ubuntu-12.04-base").unwrap();
    assert_eq!(ambiguous.name(), "docker.io/library/ubuntu-12.04-base");
}

#[test]
fn tag_and_digest_together() {
    let short =
        "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    let r = Reference::parse_normalized(short).unwrap();
    assert_eq!(r.to_string(), format!("docker.io/library/{short}"));
    assert_eq!(r.familiar(), short);
    assert_eq!(r.manifest_reference(), &short[15..]);
    // A digest alone does not get the default tag.
    let d = Reference::parse_normalized(&format!("redis@sha256:{FF64}")).unwrap();
    assert_eq!(d.tag(), None);
    assert_eq!(
        d.to_string(),
        format!("docker.io/library/redis@sha256:{FF64}")
    );
}

#[test]
fn registry_hosts() {
    let hub = Reference::parse("busybox").unwrap();
    assert!(hub.is_docker_hub());
    assert_eq!(hub.registry(), "docker.io");
    assert_eq!(hub.registry_host(), "registry-1.docker.io");
    assert_eq!(hub.repository(), "library/busybox");
    let legacy = Reference::parse("index.docker.io/me/app:1").unwrap();
    assert_eq!(legacy.registry_host(), "registry-1.docker.io");
    assert_eq!(legacy.repository(), "me/app");
    let local = Reference::parse("127.0.0.1:5000/x/y:t").unwrap();
    assert!(!local.is_docker_hub());
    assert_eq!(local.registry_host(), "127.0.0.1:5000");
    assert_eq!(local.repository(), "x/y");
    assert_eq!(local.manifest_reference(), "t");
    assert_eq!(
        Reference::parse("x").unwrap().manifest_reference(),
        "latest"
    );
}

#[test]
fn actionable_messages() {
    let msg = |s: &str| Reference::parse(s).unwrap_err().to_string();
    let m = msg("MyApp:1");
    assert!(
        m.contains("repository name must be lowercase") && m.contains("\"MyApp\""),
        "{m}"
    );
    let m = msg(&format!("app:{}", "t".repeat(129)));
    assert!(
        m.contains("tag is longer than 128 characters (it has 129)"),
        "{m}"
    );
    let m = msg("app@sha256:abcd");
    assert!(
        m.contains("invalid digest length") && m.contains("position 4"),
        "{m}"
    );
    let m = msg("app:-x");
    assert!(
        m.contains("must start with a letter") && m.contains("position 4"),
        "{m}"
    );
    let m = msg("app:a$b");
    assert!(m.contains("'$'") && m.contains("position 5"), "{m}");
    let m = msg("host:port/app");
    assert!(m.contains("port must be a number"), "{m}");
    let m = msg("a//b");
    assert!(m.contains("empty path component at position 2"), "{m}");
    let m = msg("app:");
    assert!(m.contains("tag after ':' at position 4 is empty"), "{m}");
    let m = msg("dock..er/x");
    assert!(m.contains("separator \"..\""), "{m}");
    let m = Reference::parse_normalized(&"a".repeat(64))
        .unwrap_err()
        .to_string();
    assert!(m.contains("64-byte hexadecimal"), "{m}");
    // A 128-character tag is still fine.
    assert!(Reference::parse(&format!("app:{}", "t".repeat(128))).is_ok());
}

#[test]
fn normalized_length_limit_counts_the_hub_prefix() {
    let path = "a".repeat(250);
    assert!(Reference::parse(&path).is_ok());
    let err = Reference::parse_normalized(&path).unwrap_err();
    assert_eq!(err.kind, ReferenceErrorKind::NameTooLong { len: 268 });
}

#[test]
fn with_tag_and_digest() {
    let r = Reference::parse("test.com:8000/foo").unwrap();
    assert_eq!(
        r.with_tag("TAG5").unwrap().to_string(),
        "test.com:8000/foo:TAG5"
    );
    assert!(r.with_tag("-foo").is_err());
    let d = Digest::parse(&format!("sha256:{FF64}")).unwrap();
    assert_eq!(
        r.with_digest(d).to_string(),
        format!("test.com:8000/foo@sha256:{FF64}")
    );
    assert_eq!("a/b:c".parse::<Reference>().unwrap().tag(), Some("c"));
}
