//! `docker cp` through dockhand's engine module against the REAL engine at `DOCKER_HOST`: a
//! directory with a symlink and modes goes out, back in under a new name and out again
//! unchanged; a hostile tar to unpack is refused before anything is sent; a missing path is
//! named.
mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::CreateContainerOptionsBuilder;
use common::engine::{self, Cleanup};
use dockhand::engine::offline::{self, OfflineCommand};
use dockhand::engine::{EngineError, JobCtx, JobOutcome, Sink};
use futures::StreamExt;
use support::fixture;

async fn run(docker: &Docker, cmd: OfflineCommand) -> Result<JobOutcome, EngineError> {
    let sink: Sink = Arc::new(|_| {});
    let job = JobCtx::new(dockhand::engine::new_job_id(), sink);
    offline::run_job(docker, cmd, &job).await
}

/// Runs `sh -c script` in `image` to completion and returns the (kept) container's ID.
async fn run_script(docker: &Docker, image: &str, name: &str, script: &str) -> String {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(vec!["sh".into(), "-c".into(), script.into()]),
        host_config: Some(HostConfig {
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::default().name(name).build();
    let id = docker
        .create_container(Some(options), body)
        .await
        .expect("create")
        .id;
    docker.start_container(&id, None).await.expect("start");
    let mut wait = docker.wait_container(&id, None);
    let _ = wait.next().await;
    id
}

fn tree_on_disk(root: &Path) -> BTreeMap<String, (String, u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let mode = m.permissions().mode() & 0o7777;
            if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap().display().to_string();
                out.insert(rel, ("link".into(), 0, t.into_bytes()));
            } else if m.is_dir() {
                out.insert(rel, ("dir".into(), mode, vec![]));
                stack.push(p);
            } else {
                out.insert(rel, ("file".into(), mode, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[tokio::test]
async fn copy_round_trips_a_directory_with_a_symlink_and_modes() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dho-cp")));
    fixture(&docker, &tag, "").await;
    let c1 = guard.container(engine::unique("dho-cp-a"));
    run_script(
        &docker,
        &tag,
        &c1,
        "mkdir -p /data/sub && echo one > /data/sub/x.sh && chmod 0750 /data/sub/x.sh \
         && echo two > /data/ro && chmod 0444 /data/ro && ln -s sub/x.sh /data/link \
         && chmod 0700 /data/sub",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out1 = dir.path().join("out1");
    run(
        &docker,
        OfflineCommand::CopyOut {
            container: c1.clone(),
            name: c1.clone(),
            src: "/data".into(),
            dest: out1.clone(),
        },
    )
    .await
    .expect("copy out");
    let t1 = tree_on_disk(&out1);
    assert_eq!(
        t1["sub/x.sh"],
        ("file".to_string(), 0o750, b"one\n".to_vec())
    );
    assert_eq!(t1["ro"].1, 0o444);
    assert_eq!(t1["sub"].1, 0o700);
    assert_eq!(t1["link"].2, b"sub/x.sh".to_vec());

    // Into another container under a new name, then out again: the same tree.
    let c2 = guard.container(engine::unique("dho-cp-b"));
    run_script(&docker, &tag, &c2, "mkdir /in").await;
    run(
        &docker,
        OfflineCommand::CopyIn {
            container: c2.clone(),
            name: c2.clone(),
            src: out1.clone(),
            dest: "/in/restored".into(),
            unpack: false,
        },
    )
    .await
    .expect("copy in");
    let out2 = dir.path().join("out2");
    std::fs::create_dir(&out2).unwrap();
    run(
        &docker,
        OfflineCommand::CopyOut {
            container: c2.clone(),
            name: c2.clone(),
            src: "/in/restored".into(),
            dest: out2.clone(),
        },
    )
    .await
    .expect("copy out again");
    assert_eq!(tree_on_disk(&out2.join("restored")), t1);

    // A hostile archive to unpack is refused before anything is sent.
    let evil = dir.path().join("evil.tar");
    {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        h.as_old_mut().name[..4].copy_from_slice(b"etcx");
        h.as_old_mut().linkname[..4].copy_from_slice(b"/etc");
        h.set_cksum();
        b.append(&h, &b""[..]).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        h.as_old_mut().name[..9].copy_from_slice(b"../escape");
        h.set_cksum();
        b.append(&h, &b"hi"[..]).unwrap();
        std::fs::write(&evil, b.into_inner().unwrap()).unwrap();
    }
    let e = run(
        &docker,
        OfflineCommand::CopyIn {
            container: c2.clone(),
            name: c2.clone(),
            src: evil,
            dest: "/in".into(),
            unpack: true,
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("points outside"), "{e}");
    let listing = run(
        &docker,
        OfflineCommand::CopyOut {
            container: c2.clone(),
            name: c2.clone(),
            src: "/in".into(),
            dest: dir.path().join("after"),
        },
    )
    .await;
    assert!(listing.is_ok());
    let after = tree_on_disk(&dir.path().join("after"));
    assert!(
        !after.contains_key("etcx"),
        "nothing was unpacked: {after:?}"
    );
    // A missing container path is named.
    let e = run(
        &docker,
        OfflineCommand::CopyOut {
            container: c2.clone(),
            name: c2,
            src: "/no/such".into(),
            dest: dir.path().join("x"),
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("no such path"), "{e}");
}
