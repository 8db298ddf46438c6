//! Browsing a real, open `docker-registry` filled by the real engine.
//!
//! Needs `DOCKER_HOST`; skips with a notice when the engine is unreachable, fails instead when
//! `DOCKHAND_REQUIRE_ENGINE=1`.

mod registry_support;

use std::io::Read;

use dockhand::registry::client::manifest::{DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V2, OCI_INDEX};
use dockhand::registry::client::{ManifestKind, RegistryError};
use dockhand::registry::{ClientOptions, Digest, Reference, RegistryClient};
use registry_support::engine::{self, BASE_IMAGE, TWO_LAYER_IMAGE};
use registry_support::{AuthMode, Registry};

fn client(addr: &str, page_size: Option<u32>) -> RegistryClient {
    RegistryClient::new(
        addr,
        ClientOptions {
            page_size,
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

fn created_of(inspect: &bollard::models::ImageInspect) -> chrono::DateTime<chrono::Utc> {
    let v = serde_json::to_value(&inspect.created).expect("created to json");
    let s = v.as_str().expect("created is a string");
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("created is RFC 3339")
        .with_timezone(&chrono::Utc)
}

/// Pushes an image, then checks everything the client reports against the engine and storage.
async fn check_image(
    docker: &bollard::Docker,
    tags: &engine::LocalTags,
    reg: &Registry,
    source: &str,
    repo: &str,
    tag: &str,
) {
    let target = format!("{}/{repo}", reg.addr);
    engine::push(docker, tags, source, &target, tag, None)
        .await
        .expect("engine push");
    let reference = Reference::parse(&format!("{target}:{tag}")).expect("reference");
    assert_eq!(reference.registry_host(), reg.addr);
    let c = client(&reference.registry_host(), Some(100));
    let info = c
        .manifest(&reference.repository(), &reference.manifest_reference())
        .await
        .expect("manifest");
    assert_eq!(info.media_type, DOCKER_MANIFEST_V2);
    let inspect = docker
        .inspect_image(&format!("{target}:{tag}"))
        .await
        .expect("inspect");
    let repo_digest = format!("{target}@{}", info.digest);
    assert!(
        inspect
            .repo_digests
            .clone()
            .unwrap_or_default()
            .contains(&repo_digest),
        "engine repo digests {:?} lack {repo_digest}",
        inspect.repo_digests
    );
    assert_eq!(
        c.manifest_digest(repo, tag).await.expect("HEAD digest"),
        info.digest
    );
    let ManifestKind::Image(image) = &info.kind else {
        panic!("expected an image manifest, got {:?}", info.kind)
    };
    assert_eq!(Some(image.config_digest.to_string()), inspect.id);
    let diff_ids = inspect
        .root_fs
        .as_ref()
        .and_then(|r| r.layers.clone())
        .expect("rootfs layers");
    assert_eq!(image.layers.len(), diff_ids.len());
    let mut total = 0;
    for (layer, diff_id) in image.layers.iter().zip(&diff_ids) {
        assert_eq!(layer.size, reg.stored_blob_size(layer.digest.hex()));
        total += layer.size;
        let blob = c
            .blob(repo, &layer.digest, 64 << 20)
            .await
            .expect("layer blob");
        assert_eq!(blob.len() as u64, layer.size);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&blob[..])
            .read_to_end(&mut plain)
            .expect("gunzip layer");
        assert_eq!(&Digest::sha256_of(&plain).to_string(), diff_id);
    }
    assert_eq!(image.total_size, total);
    let config = image.config.as_ref().expect("config read");
    assert_eq!(Some(config.os.clone()), inspect.os);
    assert_eq!(Some(config.architecture.clone()), inspect.architecture);
    assert_eq!(config.created, Some(created_of(&inspect)));
    assert!(image.config_error.is_none());
    // The digest we report is what the engine pulls back.
    let by_digest = format!("{target}@{}", info.digest);
    Reference::parse(&by_digest).expect("digest reference parses");
    engine::pull(docker, tags, &by_digest, None)
        .await
        .expect("engine pulls by the reported digest");
    let pulled = docker
        .inspect_image(&by_digest)
        .await
        .expect("inspect pulled");
    assert_eq!(pulled.id, Some(image.config_digest.to_string()));
}

#[tokio::test]
async fn browse_images_pushed_by_the_engine() {
    let Some(docker) = engine::connect().await else {
        return;
    };
    engine::ensure_fixtures();
    let tags = engine::LocalTags::default();
    let reg = Registry::start(AuthMode::Open);
    let c = client(&reg.addr, Some(100));
    let ping = c.ping().await.expect("ping");
    assert_eq!(ping.auth, dockhand::registry::client::AuthKind::Anonymous);
    assert_eq!(ping.api_version.as_deref(), Some("registry/2.0"));
    assert_eq!(
        c.check_login().await.expect("login on open registry"),
        ping.auth
    );
    assert!(c.catalog().await.expect("empty catalog").is_empty());

    check_image(&docker, &tags, &reg, BASE_IMAGE, "dh/busybox", "1").await;
    check_image(&docker, &tags, &reg, TWO_LAYER_IMAGE, "dh/two", "v2").await;

    // Errors a user can act on.
    match c.tags("dh/nope").await {
        Err(RegistryError::RepositoryNotFound {
            repository,
            registry,
        }) => {
            assert_eq!(repository, "dh/nope");
            assert_eq!(registry, reg.addr);
        }
        other => panic!("expected RepositoryNotFound, got {other:?}"),
    }
    let err = c.manifest("dh/busybox", "nope").await.unwrap_err();
    assert!(
        matches!(err, RegistryError::ManifestNotFound { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "manifest nope not found in repository dh/busybox on registry {}",
            reg.addr
        )
    );
}

#[tokio::test]
async fn pagination_of_catalog_and_tags() {
    let Some(docker) = engine::connect().await else {
        return;
    };
    engine::ensure_fixtures();
    let tags = engine::LocalTags::default();
    let reg = Registry::start(AuthMode::Open);
    let repos = ["pg/a", "pg/b", "pg/c", "pg/d", "pg/e"];
    for r in repos {
        engine::push(
            &docker,
            &tags,
            BASE_IMAGE,
            &format!("{}/{r}", reg.addr),
            "1",
            None,
        )
        .await
        .expect("push");
    }
    let tag_names = ["t1", "t2", "t3", "t4", "t5", "t6", "t7"];
    for t in tag_names {
        engine::push(
            &docker,
            &tags,
            BASE_IMAGE,
            &format!("{}/pg/a", reg.addr),
            t,
            None,
        )
        .await
        .expect("push tag");
    }
    // The registry really pages: a first page of 2 has a Link to the next one.
    let raw = reqwest::get(format!("http://{}/v2/_catalog?n=2", reg.addr))
        .await
        .expect("raw catalog");
    assert!(raw.headers().get("link").is_some(), "registry did not page");
    let paged = client(&reg.addr, Some(2));
    assert_eq!(paged.catalog().await.expect("catalog"), repos);
    let mut all_tags = paged.tags("pg/a").await.expect("tags");
    all_tags.sort();
    let mut expected: Vec<&str> = tag_names.to_vec();
    expected.push("1");
    expected.sort();
    assert_eq!(all_tags, expected);
    // Same answer without an explicit page size.
    assert_eq!(
        client(&reg.addr, None).catalog().await.expect("catalog"),
        repos
    );
}

#[tokio::test]
async fn manifest_lists_and_oci_indexes() {
    let Some(docker) = engine::connect().await else {
        return;
    };
    engine::ensure_fixtures();
    let tags = engine::LocalTags::default();
    let reg = Registry::start(AuthMode::Open);
    let repo_ref = format!("{}/dh/multi", reg.addr);
    engine::push(&docker, &tags, BASE_IMAGE, &repo_ref, "amd", None)
        .await
        .expect("push");
    engine::push(&docker, &tags, TWO_LAYER_IMAGE, &repo_ref, "arm", None)
        .await
        .expect("push");
    let c = client(&reg.addr, None);
    let amd = c.manifest("dh/multi", "amd").await.expect("amd");
    let arm = c.manifest("dh/multi", "arm").await.expect("arm");
    for (media_type, tag) in [(OCI_INDEX, "oci"), (DOCKER_MANIFEST_LIST, "list")] {
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": [
                {"mediaType": DOCKER_MANIFEST_V2, "digest": amd.digest.to_string(), "size": amd.size,
                 "platform": {"architecture": "amd64", "os": "linux"}},
                {"mediaType": DOCKER_MANIFEST_V2, "digest": arm.digest.to_string(), "size": arm.size,
                 "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
            ]
        });
        let body = serde_json::to_vec_pretty(&index).expect("json");
        let expected = Digest::sha256_of(&body);
        let put = c
            .put_manifest("dh/multi", tag, media_type, body)
            .await
            .expect("put index");
        assert_eq!(put, expected);
        let info = c.manifest("dh/multi", tag).await.expect("index");
        assert_eq!(info.media_type, media_type);
        assert_eq!(info.digest, expected);
        let ManifestKind::Index(entries) = &info.kind else {
            panic!("expected an index, got {:?}", info.kind)
        };
        let platforms: Vec<String> = entries
            .iter()
            .map(|e| e.platform.as_ref().expect("platform").to_string())
            .collect();
        assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
        assert_eq!(
            info.platform_digest("linux", "arm64", Some("v8")),
            Some(&arm.digest)
        );
        // Resolving a platform gives the child image with its layers.
        let child = c
            .manifest("dh/multi", &entries[1].digest.to_string())
            .await
            .expect("child");
        assert_eq!(
            child.kind, arm.kind,
            "child resolved by digest is the arm image"
        );
        // Platform resolution in one call, as the "compare with local image" view needs.
        let resolved = c
            .image_manifest_for("dh/multi", tag, "linux", "amd64", None)
            .await
            .expect("resolve")
            .expect("amd64 present");
        assert_eq!(resolved.digest, amd.digest);
        let none = c
            .image_manifest_for("dh/multi", tag, "windows", "amd64", None)
            .await
            .expect("resolve");
        assert!(none.is_none());
        // Also by digest for the index itself.
        let by_digest = c
            .manifest("dh/multi", &expected.to_string())
            .await
            .expect("by digest");
        assert_eq!(by_digest.digest, expected);
    }
    // Deletion (the test registry has it enabled).
    let oci = c.manifest_digest("dh/multi", "oci").await.expect("digest");
    c.delete_manifest("dh/multi", &oci).await.expect("delete");
    let err = c.manifest("dh/multi", &oci.to_string()).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::ManifestNotFound { .. }),
        "{err:?}"
    );
}
