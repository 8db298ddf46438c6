//! Images in and out without a registry, against the REAL engine at `DOCKER_HOST`: save →
//! remove → load keeps IDs and tags; export → import keeps the file tree entry by entry; commit
//! with changes shows them in inspect; diff matches what a container did; and the failure
//! cases (truncated and non-image tars, existing files, unwritable paths, a full disk,
//! cancellation) each fail with a clear reason and leave no partial file.
mod common;
#[allow(dead_code)]
#[path = "engine_images/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptionsBuilder, RemoveImageOptionsBuilder};
use common::engine::{self, Cleanup};
use dockhand::engine::offline::{self, ChangeKind, CommitSpec, ImportSpec, OfflineCommand};
use dockhand::engine::{EngineError, JobCtx, JobOutcome, Progress, Sink};
use futures::StreamExt;
use support::{fixture, fixture_with_blob};

fn quiet_job() -> JobCtx {
    let sink: Sink = Arc::new(|_| {});
    JobCtx::new(dockhand::engine::new_job_id(), sink)
}

async fn run(docker: &Docker, cmd: OfflineCommand) -> Result<JobOutcome, EngineError> {
    offline::run_job(docker, cmd, &quiet_job()).await
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

fn tags_of(inspect: &bollard::models::ImageInspect) -> Vec<String> {
    let mut t = inspect.repo_tags.clone().unwrap_or_default();
    t.sort();
    t
}

/// The load preview of `path`, through the engine module's request.
async fn preview(docker: &Docker, path: &Path) -> offline::LoadPreview {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink: Sink = Arc::new(move |ev| {
        let _ = tx.send(ev);
    });
    offline::request(
        docker,
        &sink,
        OfflineCommand::Preview {
            path: path.to_path_buf(),
        },
    )
    .await;
    match rx.recv().await {
        Some(dockhand::engine::EngineEvent::Offline(offline::OfflineEvent::Preview {
            result,
            ..
        })) => *result.expect("preview"),
        other => panic!("{other:?}"),
    }
}

async fn remove(docker: &Docker, reference: &str) {
    let options = RemoveImageOptionsBuilder::default().force(true).build();
    docker
        .remove_image(reference, Some(options), None)
        .await
        .expect("remove");
}

#[tokio::test]
async fn save_remove_load_gives_the_same_ids_and_tags() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let repo = engine::unique("dho-save");
    let (a1, a2, b) = (
        guard.image(format!("{repo}:a1")),
        guard.image(format!("{repo}:a2")),
        guard.image(format!("{repo}-b:1")),
    );
    let id_a = fixture_with_blob(&docker, &a1, 200_000, &repo).await;
    docker
        .tag_image(
            &id_a,
            Some(
                bollard::query_parameters::TagImageOptionsBuilder::default()
                    .repo(&repo)
                    .tag("a2")
                    .build(),
            ),
        )
        .await
        .expect("tag");
    let id_b = fixture(&docker, &b, "").await;
    let dir = tempfile::tempdir().unwrap();
    for gzip in [false, true] {
        let path = dir.path().join(if gzip { "x.tar.gz" } else { "x.tar" });
        let out = run(
            &docker,
            OfflineCommand::Save {
                images: vec![a1.clone(), a2.clone(), b.clone()],
                path: path.clone(),
                gzip,
                overwrite: false,
            },
        )
        .await
        .expect("save");
        assert!(matches!(out, JobOutcome::Done(ref s) if s.contains("saved 3 images")));
        // What the load preview reads, and what the explorer's analysis reads.
        let contents = dockhand::layers::contents::read_contents(&path).expect("contents");
        assert_eq!(contents.gzip, gzip);
        let mut ids: Vec<&str> = contents.images.iter().map(|i| i.id.as_str()).collect();
        ids.sort();
        let mut want = vec![id_a.as_str(), id_b.as_str()];
        want.sort();
        assert_eq!(ids, want);
        let analysis = dockhand::layers::analyze_path(&path, |_| {}, &AtomicBool::new(false))
            .expect("analyse");
        assert!(!analysis.layers.is_empty());
        // The same file through the engine module, as the load preview opens it in the explorer.
        let image = format!(
            "{}{}",
            dockhand::engine::analyze::ARCHIVE_PREFIX,
            path.display()
        );
        let through = dockhand::engine::analyze::analyze(&docker, &image, &quiet_job())
            .await
            .expect("analyse the archive as the explorer does");
        assert_eq!(through.layers.len(), analysis.layers.len());

        let p = preview(&docker, &path).await;
        assert_eq!(p.image_present, vec![true, true]);
        assert_eq!(p.new_bytes(), 0, "every layer is here");
        assert!(p.tag_moves.is_empty());

        remove(&docker, &a1).await;
        remove(&docker, &a2).await;
        remove(&docker, &b).await;
        // a2 now names another image: the preview says the load moves it.
        let moved_from = fixture(&docker, &a2, "LABEL other=1\n").await;
        let p = preview(&docker, &path).await;
        assert_eq!(p.image_present, vec![false, false]);
        assert!(
            p.new_bytes() >= 200_000,
            "the blob layer is new: {}",
            p.new_bytes()
        );
        assert_eq!(p.tag_moves, vec![(a2.clone(), moved_from.clone())]);
        assert!(docker.inspect_image(&id_a).await.is_err(), "{id_a} removed");
        let out = run(&docker, OfflineCommand::Load { path: path.clone() })
            .await
            .expect("load");
        let JobOutcome::Images { ids, summary } = out else {
            panic!("load outcome {out:?}");
        };
        let mut ids = ids;
        ids.sort();
        assert_eq!(ids, want, "{summary}");
        let a = docker.inspect_image(&id_a).await.expect("a back");
        assert_eq!(tags_of(&a), vec![a1.clone(), a2.clone()]);
        let bi = docker.inspect_image(&id_b).await.expect("b back");
        assert_eq!(tags_of(&bi), vec![b.clone()]);
        remove(&docker, &moved_from).await;
    }
}

/// Every entry of a tar: path → (type, mode, size, link target, content digest).
fn tree_of(path: &Path) -> BTreeMap<String, (u8, u32, u64, String, u64)> {
    let mut archive = tar::Archive::new(std::fs::File::open(path).unwrap());
    let mut out = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut e = entry.unwrap();
        let h = e.header().clone();
        let name = e
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_string();
        let link = e
            .link_name()
            .unwrap()
            .map(|l| l.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        let digest = xxhash_rust::xxh3::xxh3_64(&data);
        out.insert(
            name,
            (
                h.entry_type().as_byte(),
                h.mode().unwrap() & 0o7777,
                h.size().unwrap(),
                link,
                digest,
            ),
        );
    }
    out
}

#[tokio::test]
async fn export_then_import_keeps_the_file_tree_and_applies_changes() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dho-exp")));
    fixture(&docker, &tag, "").await;
    let c1 = guard.container(engine::unique("dho-exp-c"));
    run_script(
        &docker,
        &tag,
        &c1,
        "mkdir -p /d/sub && echo hi > /d/f && chmod 0640 /d/f && ln -s f /d/l && rm /bin/yes",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("fs.tar");
    run(
        &docker,
        OfflineCommand::Export {
            container: c1.clone(),
            name: c1.clone(),
            path: first.clone(),
            overwrite: false,
        },
    )
    .await
    .expect("export");
    // The explorer reads a filesystem export too.
    let a = dockhand::layers::analyze_path(&first, |_| {}, &AtomicBool::new(false)).expect("fs");
    assert_eq!(a.layers.len(), 1);

    let imported = guard.image(format!("{}:imp", engine::unique("dho-imp")));
    let out = run(
        &docker,
        OfflineCommand::Import(Box::new(ImportSpec {
            path: first.clone(),
            reference: imported.clone(),
            message: "from a test".into(),
            changes: vec!["CMD [\"/bin/sh\"]".into(), "ENV PATH=/bin K=v".into()],
        })),
    )
    .await
    .expect("import");
    let JobOutcome::Images { ids, .. } = out else {
        panic!("{out:?}")
    };
    let inspect = docker.inspect_image(&ids[0]).await.expect("inspect");
    let config = inspect.config.clone().unwrap_or_default();
    assert_eq!(config.cmd, Some(vec!["/bin/sh".to_string()]));
    assert!(config.env.unwrap_or_default().contains(&"K=v".to_string()));
    assert_eq!(inspect.comment.as_deref(), Some("from a test"));
    assert_eq!(tags_of(&inspect), vec![imported.clone()]);

    let c2 = guard.container(engine::unique("dho-imp-c"));
    run_script(&docker, &imported, &c2, "true").await;
    let second = dir.path().join("fs2.tar");
    run(
        &docker,
        OfflineCommand::Export {
            container: c2.clone(),
            name: c2.clone(),
            path: second.clone(),
            overwrite: false,
        },
    )
    .await
    .expect("export 2");
    let (t1, t2) = (tree_of(&first), tree_of(&second));
    assert!(t1.contains_key("d/l") && !t1.contains_key("bin/yes"));
    for (name, entry) in &t1 {
        assert_eq!(t2.get(name), Some(entry), "{name}");
    }
    assert_eq!(t1.len(), t2.len());
}

#[tokio::test]
async fn commit_with_changes_shows_them_in_inspect_and_diff_matches_the_container() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dho-commit")));
    let base = fixture(&docker, &tag, "").await;
    let name = guard.container(engine::unique("dho-commit-c"));
    let id = run_script(
        &docker,
        &tag,
        &name,
        "echo new > /added && mkdir /newdir && echo x > /newdir/f && rm /bin/yes",
    )
    .await;

    let changes = offline::diff(&docker, &id).await.expect("diff");
    let got: Vec<(String, ChangeKind)> = changes.iter().map(|c| (c.path.clone(), c.kind)).collect();
    let want = vec![
        ("/added".to_string(), ChangeKind::Added),
        ("/bin".to_string(), ChangeKind::Changed),
        ("/bin/yes".to_string(), ChangeKind::Deleted),
        ("/newdir".to_string(), ChangeKind::Added),
        ("/newdir/f".to_string(), ChangeKind::Added),
    ];
    assert_eq!(got, want);
    let sizes: Vec<Option<u64>> = changes.iter().map(|c| c.size).collect();
    assert_eq!(
        sizes,
        vec![Some(4), None, None, None, Some(2)],
        "file sizes from the engine"
    );

    let reference = guard.image(format!("{}:c", engine::unique("dho-committed")));
    let out = run(
        &docker,
        OfflineCommand::Commit(Box::new(CommitSpec {
            container: id.clone(),
            name: name.clone(),
            reference: reference.clone(),
            author: "Ann <ann@example.org>".into(),
            message: "add files".into(),
            pause: true,
            changes: vec![
                "ENV MODE=test".into(),
                "EXPOSE 8080/tcp".into(),
                "LABEL stage=committed".into(),
                "WORKDIR /newdir".into(),
                "USER 1000".into(),
                "ENTRYPOINT [\"/bin/sh\", \"-c\"]".into(),
                "VOLUME /data".into(),
            ],
        })),
    )
    .await
    .expect("commit");
    let JobOutcome::Images { ids, .. } = out else {
        panic!("{out:?}")
    };
    let inspect = docker.inspect_image(&ids[0]).await.expect("inspect");
    assert_eq!(inspect.author.as_deref(), Some("Ann <ann@example.org>"));
    assert_eq!(inspect.comment.as_deref(), Some("add files"));
    let config = inspect.config.clone().unwrap_or_default();
    assert!(config.env.unwrap_or_default().contains(&"MODE=test".into()));
    assert!(
        config
            .exposed_ports
            .unwrap_or_default()
            .contains(&"8080/tcp".to_string())
    );
    assert_eq!(
        config
            .labels
            .unwrap_or_default()
            .get("stage")
            .map(String::as_str),
        Some("committed")
    );
    assert_eq!(config.working_dir.as_deref(), Some("/newdir"));
    assert_eq!(config.user.as_deref(), Some("1000"));
    assert_eq!(
        config.entrypoint,
        Some(vec!["/bin/sh".to_string(), "-c".to_string()])
    );
    assert!(
        config
            .volumes
            .unwrap_or_default()
            .contains(&"/data".to_string())
    );
    assert_eq!(tags_of(&inspect), vec![reference.clone()]);
    let layers = inspect.root_fs.and_then(|r| r.layers).unwrap_or_default();
    let base_layers = docker
        .inspect_image(&base)
        .await
        .unwrap()
        .root_fs
        .and_then(|r| r.layers)
        .unwrap_or_default();
    assert_eq!(layers.len(), base_layers.len() + 1, "one new layer");

    let bad = run(
        &docker,
        OfflineCommand::Commit(Box::new(CommitSpec {
            container: id.clone(),
            name,
            changes: vec!["RUN rm -rf /".into()],
            ..Default::default()
        })),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(bad.contains("not a change instruction"), "{bad}");
}

fn entries_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[tokio::test]
async fn bad_input_fails_clearly_and_leaves_nothing_behind() {
    let Some(docker) = engine::docker().await else {
        return;
    };
    let mut guard = Cleanup::new();
    let tag = guard.image(format!("{}:1", engine::unique("dho-bad")));
    fixture_with_blob(&docker, &tag, 3_000_000, &tag).await;
    let dir = tempfile::tempdir().unwrap();

    // A truncated archive and a tar that holds no image.
    let good = dir.path().join("good.tar");
    run(
        &docker,
        OfflineCommand::Save {
            images: vec![tag.clone()],
            path: good.clone(),
            gzip: false,
            overwrite: false,
        },
    )
    .await
    .expect("save");
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = run(&docker, OfflineCommand::Load { path: cut }).await;
    let e = e.unwrap_err().to_string();
    assert!(e.contains("truncated"), "{e}");
    let plain = dir.path().join("plain.tar");
    {
        let mut b = tar::Builder::new(std::fs::File::create(&plain).unwrap());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "etc/x", &b"abc"[..]).unwrap();
        b.finish().unwrap();
    }
    let e = run(&docker, OfflineCommand::Load { path: plain }).await;
    let e = e.unwrap_err().to_string();
    assert!(e.contains("not an image archive"), "{e}");

    // An existing file is refused and kept; a missing directory is named.
    let save = |path: PathBuf, overwrite: bool| OfflineCommand::Save {
        images: vec![tag.clone()],
        path,
        gzip: false,
        overwrite,
    };
    let e = run(&docker, save(good.clone(), false)).await.unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(&good).unwrap(), bytes);
    let e = run(&docker, save(dir.path().join("no/such/x.tar"), false))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no such directory"), "{e}");
    let e = run(&docker, save(PathBuf::from("/proc/dockhand-x.tar"), false))
        .await
        .unwrap_err();
    assert!(!e.to_string().is_empty());

    // A full disk: a 1 MiB tmpfs (needs root, as the private engine does).
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&small)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        mounted,
        "mounting a small tmpfs failed (the suite runs as root)"
    );
    let result = run(&docker, save(small.join("full.tar"), false)).await;
    let listing = entries_in(&small);
    let _ = std::process::Command::new("umount").arg(&small).status();
    let e = result.unwrap_err().to_string();
    assert!(e.contains("disk full"), "{e}");
    assert!(listing.is_empty(), "partial file left: {listing:?}");

    // Cancelling (the job's task dropped) removes the partial file too.
    let target = dir.path().join("cancelled.tar");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sink: Sink = Arc::new(move |ev| {
        let _ = tx.send(ev);
    });
    let job = JobCtx::new(dockhand::engine::new_job_id(), sink);
    let docker2 = docker.clone();
    let cmd = save(target.clone(), false);
    let task = tokio::spawn(async move { offline::run_job(&docker2, cmd, &job).await });
    while let Some(ev) = rx.recv().await {
        if let dockhand::engine::EngineEvent::JobProgress {
            progress: Progress::Bytes { done, .. },
            ..
        } = ev
            && done > 0
        {
            break;
        }
    }
    task.abort();
    let _ = task.await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!target.exists(), "cancelled save left {}", target.display());
}
