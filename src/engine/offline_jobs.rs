//! The save, load, import, commit and diff jobs of [`super::offline`], and the load preview.
use std::collections::HashSet;
use std::path::PathBuf;

use bollard::Docker;
use bollard::query_parameters::{
    CommitContainerOptionsBuilder, CreateImageOptionsBuilder, ImportImageOptionsBuilder,
};
use futures::StreamExt;

use super::offline::{Change, ChangeKind, CommitSpec, ImportSpec, LoadPreview, or_untagged};
use super::offline_changes::validate_changes;
use super::offline_io::{file_body, write_stream};
use super::types::{JobOutcome, Progress};
use super::{EngineError, JobCtx};
use crate::layers::contents::{ArchiveContents, read_contents};

pub(super) async fn save(
    docker: &Docker,
    images: &[String],
    path: PathBuf,
    gzip: bool,
    overwrite: bool,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    if images.is_empty() {
        return Err(EngineError::Invalid("no image to save".into()));
    }
    let mut total = 0u64;
    for image in images {
        let inspect = docker.inspect_image(image).await?;
        total += inspect
            .size
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(0);
    }
    job.progress(Progress::Bytes { done: 0, total });
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    let stream = docker.export_images(&refs);
    let written = write_stream(stream, path.clone(), gzip, overwrite, total, job).await?;
    Ok(JobOutcome::Done(format!(
        "saved {} image{} ({}) to {}",
        images.len(),
        if images.len() == 1 { "" } else { "s" },
        crate::util::text::bytes(written),
        path.display()
    )))
}

/// Reads what the archive holds off the async threads, with a clear reason when it is no image
/// archive (truncated, not a tar, no manifest).
pub(super) async fn contents(path: PathBuf) -> Result<ArchiveContents, EngineError> {
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || read_contents(&path))
        .await
        .map_err(|e| EngineError::Invalid(e.to_string()))?
        .map_err(|e| EngineError::Invalid(format!("{shown}: {e}")))
}

pub(super) async fn preview(docker: &Docker, path: PathBuf) -> Result<LoadPreview, EngineError> {
    let contents = contents(path).await?;
    let mut image_present = Vec::with_capacity(contents.images.len());
    let mut tag_moves = Vec::new();
    for image in &contents.images {
        image_present.push(docker.inspect_image(&image.id).await.is_ok());
        for tag in &image.tags {
            if let Ok(here) = docker.inspect_image(tag).await
                && let Some(id) = here.id
                && id != image.id
            {
                tag_moves.push((tag.clone(), id));
            }
        }
    }
    let wanted: HashSet<&str> = contents
        .images
        .iter()
        .flat_map(|i| i.layers.iter().map(|l| l.diff_id.as_str()))
        .collect();
    let mut layers_present = HashSet::new();
    let listed = docker
        .list_images(None::<bollard::query_parameters::ListImagesOptions>)
        .await?;
    for summary in listed {
        if wanted.len() == layers_present.len() {
            break;
        }
        let Ok(inspect) = docker.inspect_image(&summary.id).await else {
            continue;
        };
        for layer in inspect.root_fs.and_then(|r| r.layers).unwrap_or_default() {
            if wanted.contains(layer.as_str()) {
                layers_present.insert(layer);
            }
        }
    }
    Ok(LoadPreview {
        contents,
        image_present,
        layers_present,
        tag_moves,
    })
}

pub(super) async fn load(
    docker: &Docker,
    path: PathBuf,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    let contents = contents(path.clone()).await?;
    let total = contents.file_bytes;
    job.progress(Progress::Bytes { done: 0, total });
    let body = file_body(path.clone(), total, job.clone())?;
    let options = ImportImageOptionsBuilder::default().quiet(true).build();
    let mut stream = Box::pin(docker.import_image_stream(options, body, None));
    let mut loaded = Vec::new();
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| load_error(&path, e.into()))?;
        if let Some(detail) = info.error_detail {
            return Err(load_error(
                &path,
                EngineError::Api {
                    status: 0,
                    message: detail.message.unwrap_or_default(),
                },
            ));
        }
        if let Some(line) = info.stream {
            let line = line.trim();
            if let Some(r) = line
                .strip_prefix("Loaded image ID: ")
                .or_else(|| line.strip_prefix("Loaded image: "))
            {
                loaded.push(r.to_string());
            }
            job.progress(Progress::Log(line.to_string()));
        }
    }
    let mut ids = Vec::new();
    for image in &contents.images {
        let inspect = docker.inspect_image(&image.id).await?;
        if let Some(id) = inspect.id
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    Ok(JobOutcome::Images {
        summary: format!("loaded {} from {}", loaded.join(", "), path.display()),
        ids,
    })
}

fn load_error(path: &std::path::Path, e: EngineError) -> EngineError {
    match e {
        EngineError::Api { status, message } => EngineError::Api {
            status,
            message: format!("the engine refused {}: {message}", path.display()),
        },
        other => other,
    }
}

/// `repo[:tag]` split as the engine wants it (a `:` after the last `/` starts the tag).
fn split_reference(reference: &str) -> (String, String) {
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[slash..].rfind(':') {
        Some(i) => (
            reference[..slash + i].to_string(),
            reference[slash + i + 1..].to_string(),
        ),
        None => (reference.to_string(), String::new()),
    }
}

pub(super) async fn import(
    docker: &Docker,
    spec: &ImportSpec,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    validate_changes(&spec.changes).map_err(EngineError::Invalid)?;
    let total = std::fs::metadata(&spec.path)
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", spec.path.display())))?
        .len();
    job.progress(Progress::Bytes { done: 0, total });
    let (repo, tag) = split_reference(&spec.reference);
    let mut options = CreateImageOptionsBuilder::default()
        .from_src("-")
        .message(&spec.message)
        .changes(spec.changes.clone());
    if !repo.is_empty() {
        options = options.repo(&repo);
    }
    if !tag.is_empty() {
        options = options.tag(&tag);
    }
    let body = file_body(spec.path.clone(), total, job.clone())?;
    let body = bollard::body_try_stream(body);
    let mut stream = Box::pin(docker.create_image(Some(options.build()), Some(body), None));
    let mut id = None;
    while let Some(item) = stream.next().await {
        let info = item?;
        if let Some(detail) = info.error_detail {
            return Err(EngineError::Api {
                status: 0,
                message: detail.message.unwrap_or_default(),
            });
        }
        if let Some(status) = info.status
            && status.starts_with("sha256:")
        {
            id = Some(status.trim().to_string());
        }
    }
    let id = id.ok_or_else(|| EngineError::Invalid("the engine reported no image ID".into()))?;
    Ok(JobOutcome::Images {
        summary: format!("imported {} as {}", spec.path.display(), short(&id)),
        ids: vec![id],
    })
}

fn short(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

pub(super) async fn commit(docker: &Docker, spec: &CommitSpec) -> Result<JobOutcome, EngineError> {
    validate_changes(&spec.changes).map_err(EngineError::Invalid)?;
    let (repo, tag) = split_reference(&spec.reference);
    let mut options = CommitContainerOptionsBuilder::default()
        .container(&spec.container)
        .pause(spec.pause)
        .comment(&spec.message)
        .author(&spec.author);
    if !repo.is_empty() {
        options = options.repo(&repo);
    }
    if !tag.is_empty() {
        options = options.tag(&tag);
    }
    if !spec.changes.is_empty() {
        options = options.changes(&spec.changes.join("\n"));
    }
    let config = bollard::models::ContainerConfig::default();
    let answer = docker.commit_container(options.build(), config).await?;
    let id = answer.id;
    Ok(JobOutcome::Images {
        summary: format!(
            "committed {} as {} ({})",
            spec.name,
            or_untagged(&spec.reference),
            short(&id)
        ),
        ids: vec![id],
    })
}

/// `GET /containers/{id}/changes`, sorted by path.
pub async fn diff(docker: &Docker, container: &str) -> Result<Vec<Change>, EngineError> {
    use bollard::models::ChangeType;
    let changes = docker
        .container_changes(container)
        .await?
        .unwrap_or_default();
    let mut out: Vec<Change> = changes
        .into_iter()
        .map(|c| Change {
            path: c.path,
            kind: match c.kind {
                ChangeType::_0 => ChangeKind::Changed,
                ChangeType::_1 => ChangeKind::Added,
                ChangeType::_2 => ChangeKind::Deleted,
            },
            size: None,
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    // Go's os.ModeDir | os.ModeSymlink | the other non-regular bits.
    const NOT_REGULAR: u32 = (1 << 31) | (1 << 27) | (1 << 26) | (1 << 25) | (1 << 24) | (1 << 21);
    let sized = out
        .iter_mut()
        .filter(|c| c.kind != ChangeKind::Deleted)
        .take(super::offline::SIZED_CHANGES);
    for change in sized {
        let options = bollard::query_parameters::ContainerArchiveInfoOptionsBuilder::default()
            .path(&change.path)
            .build();
        if let Ok(stat) = docker
            .get_container_archive_info(container, Some(options))
            .await
            && stat.file_mode & NOT_REGULAR == 0
        {
            change.size = u64::try_from(stat.size).ok();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_colon_only() {
        assert_eq!(split_reference("a/b:1"), ("a/b".into(), "1".into()));
        assert_eq!(
            split_reference("localhost:5000/x"),
            ("localhost:5000/x".into(), String::new())
        );
        assert_eq!(
            split_reference("localhost:5000/x:t"),
            ("localhost:5000/x".into(), "t".into())
        );
        assert_eq!(split_reference(""), (String::new(), String::new()));
    }
}
