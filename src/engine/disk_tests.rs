//! Unit tests of `/system/df` parsing and the CLI's summary figures.
use super::*;

/// A trimmed answer of dockerd 20.10 (API 1.41) after the fixture builds of the engine tests.
const LEGACY: &str = r#"{
  "LayersSize": 2445075,
  "Images": [
    {"Containers": 1, "Created": 1796233383, "Id": "sha256:b", "ParentId": "", "RepoDigests": null,
     "RepoTags": ["dhx-b:1"], "SharedSize": 2342675, "Size": 2445075, "VirtualSize": 2445075},
    {"Containers": 0, "Created": 1796233377, "Id": "sha256:a", "ParentId": "", "RepoDigests": null,
     "RepoTags": ["dhx-a:1"], "SharedSize": 2342675, "Size": 2342675, "VirtualSize": 2342675},
    {"Containers": 1, "Created": 1796233344, "Id": "sha256:bb", "ParentId": "sha256:p",
     "RepoTags": ["dh-busybox:1"], "SharedSize": 1985472, "Size": 1985472, "VirtualSize": 1985472}
  ],
  "Containers": [
    {"Id": "c2", "Names": ["/dhx-c2"], "Image": "dhx-b:1", "ImageID": "sha256:b", "Command": "true",
     "Created": 1, "SizeRootFs": 2445075, "State": "exited", "Status": "Exited (0)",
     "NetworkSettings": {"Networks": {"none": {}}},
     "Mounts": [{"Type": "volume", "Name": "d8d1283db15f0182559390e6d05a546bd5f9c0c5e1c8bf6d6a5d0ec0360935ca"}]},
    {"Id": "c1", "Names": ["/dhx-c1"], "Image": "dh-busybox:1", "ImageID": "sha256:bb", "Command": "sh",
     "Created": 1, "SizeRw": 32768, "SizeRootFs": 2018240, "State": "exited", "Status": "Exited (0)",
     "Mounts": [{"Type": "volume", "Name": "dhx-vol"}, {"Type": "bind", "Source": "/x"}]},
    {"Id": "c3", "Names": ["/up"], "Image": "x", "ImageID": "sha256:bb", "Command": "sleep",
     "Created": 1, "SizeRw": 5, "SizeRootFs": 2018240, "State": "running", "Status": "Up"}
  ],
  "Volumes": [
    {"CreatedAt": "2026-12-02T17:43:03Z", "Driver": "local", "Labels": {"b": "2", "a": "1"},
     "Mountpoint": "/d/volumes/dhx-vol/_data", "Name": "dhx-vol", "Scope": "local",
     "UsageData": {"RefCount": 1, "Size": 65536}},
    {"Driver": "local", "Labels": null, "Name": "d8d1283db15f0182559390e6d05a546bd5f9c0c5e1c8bf6d6a5d0ec0360935ca",
     "Scope": "local", "UsageData": {"RefCount": 1, "Size": 0}},
    {"Driver": "local", "Name": "idle", "UsageData": {"RefCount": 0, "Size": 100}},
    {"Driver": "other", "Name": "remote", "UsageData": {"RefCount": -1, "Size": -1}}
  ],
  "BuildCache": [
    {"ID": "src", "Parent": "", "Type": "source.local", "Description": "local source for context",
     "InUse": false, "Shared": false, "Size": 50000, "CreatedAt": "2026-12-02T17:42:56.76538443Z",
     "LastUsedAt": "2026-12-02T17:42:57.333096775Z", "UsageCount": 1},
    {"ID": "run", "Parent": "base", "Type": "regular", "Description": "mount / from exec /bin/sh -c true",
     "InUse": true, "Shared": false, "Size": 7, "CreatedAt": "2026-12-02T17:42:56Z",
     "LastUsedAt": null, "UsageCount": 0},
    {"ID": "base", "Parent": "", "Type": "regular", "Description": "from local ",
     "InUse": false, "Shared": true, "Size": 300, "CreatedAt": "2026-12-02T17:42:56Z",
     "LastUsedAt": "2026-12-02T17:42:57Z", "UsageCount": 2}
  ],
  "BuilderSize": 50307
}"#;

#[test]
fn legacy_answers_give_the_cli_figures() {
    let v: Value = serde_json::from_str(LEGACY).unwrap();
    let du = parse_df(&v);
    assert_eq!(du.format, DfFormat::Legacy);
    // Images: LayersSize minus the unique bytes of images in use (102400 + 0).
    assert_eq!(du.images.total_count, 3);
    assert_eq!(du.images.active_count, 2);
    assert_eq!(du.images.size, Some(2_445_075));
    assert_eq!(du.images.reclaimable, Some(2_342_675));
    assert!(!du.images.reclaimable_exact);
    assert_eq!(du.image_items[0].unique_size, Some(102_400));
    assert_eq!(du.image_items[2].parent_id, "sha256:p");
    // Containers: SizeRw, left out when 0; the running one is active and not reclaimable.
    assert_eq!(du.containers.total_count, 3);
    assert_eq!(du.containers.active_count, 1);
    assert_eq!(du.containers.size, Some(32_773));
    assert_eq!(du.containers.reclaimable, Some(32_768));
    assert_eq!(du.container_items[0].size_rw, Some(0));
    assert_eq!(du.container_items[0].networks, vec!["none"]);
    // Volumes: unknown sizes (-1) are left out of the sums.
    assert_eq!(du.volumes.total_count, 4);
    assert_eq!(du.volumes.active_count, 2);
    assert_eq!(du.volumes.size, Some(65_636));
    assert_eq!(du.volumes.reclaimable, Some(100));
    let vol = &du.volume_items[0];
    assert_eq!(vol.containers, vec!["dhx-c1"]);
    assert_eq!(vol.labels[0], ("a".to_string(), "1".to_string()));
    assert!(!vol.anonymous);
    assert!(du.volume_items[1].anonymous);
    assert_eq!(du.volume_items[3].size, None);
    // Build cache: non-shared records only; in-use ones are not reclaimable.
    assert_eq!(du.build_cache.total_count, 3);
    assert_eq!(du.build_cache.active_count, 1);
    assert_eq!(du.build_cache.size, Some(50_007));
    assert_eq!(du.build_cache.reclaimable, Some(50_000));
    assert_eq!(du.build_cache_items[1].parents, vec!["base"]);
    assert_eq!(du.build_cache_items[1].last_used_at, None);
    assert_eq!(du.builder_size, Some(50_307));
}

#[test]
fn summary_answers_are_taken_as_sent() {
    let v: Value = serde_json::from_str(
        r#"{"ImageUsage": {"ActiveCount": 1, "TotalCount": 2, "Reclaimable": 10, "TotalSize": 30,
             "Items": [{"Id": "sha256:x", "Size": 30, "SharedSize": -1, "Containers": 1}]},
            "BuildCacheUsage": {"ActiveCount": 0, "TotalCount": 1, "Reclaimable": 5, "TotalSize": 5,
             "Items": [{"ID": "r", "Parents": ["p1", "p2"], "Type": "regular", "Size": 5}]}}"#,
    )
    .unwrap();
    let du = parse_df(&v);
    assert_eq!(du.format, DfFormat::Summaries);
    assert_eq!(du.images.reclaimable, Some(10));
    assert_eq!(du.images.size, Some(30));
    assert_eq!(du.image_items[0].shared_size, None);
    assert_eq!(du.image_items[0].unique_size, None);
    assert_eq!(du.build_cache_items[0].parents, vec!["p1", "p2"]);
    // Kinds the engine left out are not reported, not zero.
    assert_eq!(du.volumes.size, None);
    assert_eq!(du.containers.reclaimable, None);
}

#[test]
fn an_answer_of_neither_form_reports_nothing() {
    let du = parse_df(&serde_json::json!({}));
    assert_eq!(du.images.size, None);
    assert_eq!(du.build_cache.size, None);
    assert_eq!(du.images.total_count, 0);
}

#[test]
fn statvfs_reads_the_root_filesystem() {
    let (total, available) = statvfs("/").unwrap();
    assert!(total > 0 && available <= total);
    assert!(statvfs("/no/such/dir").is_err());
}
