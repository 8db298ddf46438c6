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

use super::offline_io::write_stream;
use super::offline_jobs::{commit, import, load, preview, save};
use super::types::{JobOutcome, Progress};
use super::{EngineError, JobCtx, Sink};
use crate::layers::contents::ArchiveContents;

pub use super::offline_changes::{validate_change, validate_changes};
pub use super::offline_jobs::diff;

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

pub(super) fn or_untagged(reference: &str) -> &str {
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
    /// Bytes of an added or changed regular file, from the engine's stat of the path (`None`
    /// for directories, links, deleted paths, and past the first [`SIZED_CHANGES`]).
    pub size: Option<u64>,
}

/// How many changed paths a diff asks the engine the size of.
pub const SIZED_CHANGES: usize = 500;

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
