//! Images in and out without a registry: save images to a tar file, load one, import a
//! filesystem tar as an image, export a container's filesystem, commit a container, list a
//! container's changes, and preview what an archive would load.
//!
//! Files are written by one blocking thread fed through a bounded channel ([`super::offline_io`]),
//! so memory stays bounded whatever the size; a failed or cancelled write removes the partial
//! file ([`crate::fsio::NewFile`]).
use std::collections::HashSet;
use std::path::PathBuf;

use bollard::Docker;
use bollard::query_parameters::{
    CommitContainerOptionsBuilder, CreateImageOptionsBuilder, ImportImageOptionsBuilder,
};
use futures::StreamExt;

use super::offline_io::{file_body, write_stream};
use super::types::{JobOutcome, Progress};
use super::{EngineError, JobCtx, Sink};
use crate::layers::contents::{ArchiveContents, read_contents};

pub use super::offline_changes::{validate_change, validate_changes};

/// Something to do with files and images (jobs, except the two previews).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineCommand {
    /// Write images (references or IDs) to a tar file (job).
    Save {
        /// What to save; shared layers are written once.
        images: Vec<String>,
        /// The file.
        path: PathBuf,
        /// Compress with gzip.
        gzip: bool,
        /// Replace an existing file.
        overwrite: bool,
    },
    /// Load the images of a tar file (job).
    Load {
        /// The file (plain or gzip).
        path: PathBuf,
    },
    /// Make an image of a filesystem tar (job).
    Import(Box<ImportSpec>),
    /// Write a container's filesystem to a tar file (job).
    Export {
        /// Container ID.
        container: String,
        /// Its name, for display.
        name: String,
        /// The file.
        path: PathBuf,
        /// Replace an existing file.
        overwrite: bool,
    },
    /// Make an image of a container (job).
    Commit(Box<CommitSpec>),
    /// What a tar would load and which of it is here already (request).
    Preview {
        /// The file.
        path: PathBuf,
    },
    /// The changed paths of a container's writable layer (request).
    Diff {
        /// Container ID.
        container: String,
    },
    /// Copy a container path to this machine (job).
    CopyOut {
        /// Container ID.
        container: String,
        /// Its name, for display.
        name: String,
        /// Path in the container.
        src: String,
        /// Where on this machine.
        dest: PathBuf,
    },
    /// Copy a path of this machine into a container (job).
    CopyIn {
        /// Container ID.
        container: String,
        /// Its name, for display.
        name: String,
        /// The file or directory (with `unpack`: a tar archive).
        src: PathBuf,
        /// Path in the container.
        dest: String,
        /// `src` is a tar to unpack into the directory `dest` (its entries are checked).
        unpack: bool,
    },
}

/// `docker import FILE [TAG]` with `-m` and `-c`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportSpec {
    /// The filesystem tar (plain or gzip).
    pub path: PathBuf,
    /// `repo[:tag]`, empty for an untagged image.
    pub reference: String,
    /// Commit message.
    pub message: String,
    /// `--change` lines (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME).
    pub changes: Vec<String>,
}

/// `docker commit` with `-a`, `-m`, `-p` and `-c`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitSpec {
    /// Container ID.
    pub container: String,
    /// Its name, for display.
    pub name: String,
    /// `repo[:tag]`, empty for an untagged image.
    pub reference: String,
    /// Author.
    pub author: String,
    /// Commit message.
    pub message: String,
    /// Pause the container while committing.
    pub pause: bool,
    /// `--change` lines.
    pub changes: Vec<String>,
}

/// The kind of an offline job, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineJob {
    /// Saving images.
    Save {
        /// Images.
        images: Vec<String>,
        /// File.
        path: PathBuf,
    },
    /// Loading a file.
    Load {
        /// File.
        path: PathBuf,
    },
    /// Importing a file.
    Import {
        /// File.
        path: PathBuf,
        /// Reference.
        reference: String,
    },
    /// Exporting a container.
    Export {
        /// Container name.
        name: String,
        /// File.
        path: PathBuf,
    },
    /// Committing a container.
    Commit {
        /// Container name.
        name: String,
        /// Reference.
        reference: String,
    },
    /// Copying out of a container.
    CopyOut {
        /// Container name.
        name: String,
        /// Path in it.
        src: String,
        /// Host path.
        dest: PathBuf,
    },
    /// Copying into a container.
    CopyIn {
        /// Container name.
        name: String,
        /// Host path.
        src: PathBuf,
        /// Path in it.
        dest: String,
    },
}

impl std::fmt::Display for OfflineJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OfflineJob::Save { images, path } => {
                write!(f, "save {} → {}", images.join(", "), path.display())
            }
            OfflineJob::Load { path } => write!(f, "load {}", path.display()),
            OfflineJob::Import { path, reference } => {
                write!(f, "import {} as {}", path.display(), or_untagged(reference))
            }
            OfflineJob::Export { name, path } => write!(f, "export {name} → {}", path.display()),
            OfflineJob::Commit { name, reference } => {
                write!(f, "commit {name} as {}", or_untagged(reference))
            }
            OfflineJob::CopyOut { name, src, dest } => {
                write!(f, "copy {name}:{src} → {}", dest.display())
            }
            OfflineJob::CopyIn { name, src, dest } => {
                write!(f, "copy {} → {name}:{dest}", src.display())
            }
        }
    }
}

fn or_untagged(reference: &str) -> &str {
    if reference.is_empty() {
        "<untagged>"
    } else {
        reference
    }
}

/// One changed path of a container's writable layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Absolute path.
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// `docker diff`'s A / C / D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// `C`.
    Changed,
    /// `A`.
    Added,
    /// `D`.
    Deleted,
}

/// What a load would bring, and what the engine has already.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadPreview {
    /// The archive's images, layers and sizes.
    pub contents: ArchiveContents,
    /// Per image of `contents`: whether the engine has that image ID already.
    pub image_present: Vec<bool>,
    /// Layer diff IDs the engine's images already have.
    pub layers_present: HashSet<String>,
    /// Tags of the archive that name another image here now: `(tag, its current image ID)`.
    /// Loading moves them (the old image keeps its other tags, or becomes dangling).
    pub tag_moves: Vec<(String, String)>,
}

impl LoadPreview {
    /// Bytes of the layers the engine does not have yet (each layer counted once).
    pub fn new_bytes(&self) -> u64 {
        let mut seen = HashSet::new();
        self.contents
            .images
            .iter()
            .flat_map(|i| i.layers.iter())
            .filter(|l| !self.layers_present.contains(&l.diff_id) && seen.insert(&l.diff_id))
            .map(|l| l.size)
            .sum()
    }
}

/// Answers to the two requests.
#[derive(Debug)]
pub enum OfflineEvent {
    /// The answer to [`OfflineCommand::Preview`].
    Preview {
        /// The file asked about.
        path: PathBuf,
        /// What it holds.
        result: Result<Box<LoadPreview>, EngineError>,
    },
    /// The answer to [`OfflineCommand::Diff`].
    Diff {
        /// The container.
        container: String,
        /// Its changes, sorted by path.
        result: Result<Vec<Change>, EngineError>,
    },
}

/// The job kind of a command, `None` for the requests.
pub fn job_kind(cmd: &OfflineCommand) -> Option<OfflineJob> {
    Some(match cmd {
        OfflineCommand::Save { images, path, .. } => OfflineJob::Save {
            images: images.clone(),
            path: path.clone(),
        },
        OfflineCommand::Load { path } => OfflineJob::Load { path: path.clone() },
        OfflineCommand::Import(spec) => OfflineJob::Import {
            path: spec.path.clone(),
            reference: spec.reference.clone(),
        },
        OfflineCommand::Export { name, path, .. } => OfflineJob::Export {
            name: name.clone(),
            path: path.clone(),
        },
        OfflineCommand::Commit(spec) => OfflineJob::Commit {
            name: spec.name.clone(),
            reference: spec.reference.clone(),
        },
        OfflineCommand::CopyOut {
            name, src, dest, ..
        } => OfflineJob::CopyOut {
            name: name.clone(),
            src: src.clone(),
            dest: dest.clone(),
        },
        OfflineCommand::CopyIn {
            name, src, dest, ..
        } => OfflineJob::CopyIn {
            name: name.clone(),
            src: src.clone(),
            dest: dest.clone(),
        },
        OfflineCommand::Preview { .. } | OfflineCommand::Diff { .. } => return None,
    })
}

/// Answers a request while no engine is connected.
pub fn rejected(cmd: OfflineCommand) -> Option<OfflineEvent> {
    match cmd {
        OfflineCommand::Preview { path } => Some(OfflineEvent::Preview {
            path,
            result: Err(EngineError::NotConnected),
        }),
        OfflineCommand::Diff { container } => Some(OfflineEvent::Diff {
            container,
            result: Err(EngineError::NotConnected),
        }),
        _ => None,
    }
}

/// Runs a request, reporting its answer to `sink`.
pub async fn request(docker: &Docker, sink: &Sink, cmd: OfflineCommand) {
    let event = match cmd {
        OfflineCommand::Preview { path } => OfflineEvent::Preview {
            result: preview(docker, path.clone()).await.map(Box::new),
            path,
        },
        OfflineCommand::Diff { container } => OfflineEvent::Diff {
            result: diff(docker, &container).await,
            container,
        },
        _ => return,
    };
    sink(super::EngineEvent::Offline(event));
}

/// Runs a job.
pub async fn run_job(
    docker: &Docker,
    cmd: OfflineCommand,
    job: &JobCtx,
) -> Result<JobOutcome, EngineError> {
    match cmd {
        OfflineCommand::Save {
            images,
            path,
            gzip,
            overwrite,
        } => save(docker, &images, path, gzip, overwrite, job).await,
        OfflineCommand::Load { path } => load(docker, path, job).await,
        OfflineCommand::Import(spec) => import(docker, &spec, job).await,
        OfflineCommand::Export {
            container,
            path,
            overwrite,
            ..
        } => {
            job.progress(Progress::Bytes { done: 0, total: 0 });
            let stream = docker.export_container(&container);
            let written = write_stream(stream, path.clone(), false, overwrite, 0, job).await?;
            Ok(JobOutcome::Done(format!(
                "exported {} to {}",
                crate::util::text::bytes(written),
                path.display()
            )))
        }
        OfflineCommand::Commit(spec) => commit(docker, &spec).await,
        OfflineCommand::CopyOut {
            container,
            src,
            dest,
            ..
        } => super::offline_copy::copy_out(docker, &container, &src, &dest, job).await,
        OfflineCommand::CopyIn {
            container,
            src,
            dest,
            unpack,
            ..
        } => super::offline_copy::copy_in(docker, &container, &src, &dest, unpack, job).await,
        OfflineCommand::Preview { .. } | OfflineCommand::Diff { .. } => {
            Err(EngineError::Invalid("not a job".into()))
        }
    }
}

async fn save(
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
async fn contents(path: PathBuf) -> Result<ArchiveContents, EngineError> {
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || read_contents(&path))
        .await
        .map_err(|e| EngineError::Invalid(e.to_string()))?
        .map_err(|e| EngineError::Invalid(format!("{shown}: {e}")))
}

async fn preview(docker: &Docker, path: PathBuf) -> Result<LoadPreview, EngineError> {
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

async fn load(docker: &Docker, path: PathBuf, job: &JobCtx) -> Result<JobOutcome, EngineError> {
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

async fn import(
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

async fn commit(docker: &Docker, spec: &CommitSpec) -> Result<JobOutcome, EngineError> {
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
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
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
