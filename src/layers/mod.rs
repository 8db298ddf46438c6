//! Layer analysis: the files of every layer, wasted space and efficiency (as dive defines them).
//!
//! - [`archive`] reads `docker save` tarballs and OCI layouts in one streaming pass;
//! - [`analysis`] computes dive's figures; [`tree`] merges layers into the tree "as of layer N";
//! - [`view`] turns that tree into rows for the TUI's layer explorer;
//! - [`source`] streams an image from the engine's export while parsing it;
//! - [`contents`] lists the images an archive holds without parsing layers (load previews);
//! - [`cli`] is `dockhand analyze`.
pub mod analysis;
pub mod archive;
mod archive_io;
pub mod cli;
pub mod contents;
pub mod error;
pub mod manifest;
pub mod model;
pub mod paths;
pub mod report;
pub mod source;
pub mod tar;
pub mod tree;
pub mod view;

#[cfg(test)]
pub(crate) mod testutil;

use std::io::Read;
use std::path::Path;
use std::sync::atomic::AtomicBool;

pub use archive::{Limits, Progress};
pub use error::LayersError;
pub use model::{Entry, EntryKind, Figures, ImageAnalysis, InefficientFile, Layer};
pub use source::{ExportStream, ImageExport, analyze_image};

/// Analyses an image archive (`docker save` output or an OCI layout tar) read from `reader`.
pub fn analyze_reader(
    reader: impl Read,
    mut progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<ImageAnalysis, LayersError> {
    analyze_reader_with(reader, Limits::default(), &mut progress, cancel)
}

/// [`analyze_reader`] with explicit [`Limits`].
pub fn analyze_reader_with(
    reader: impl Read,
    limits: Limits,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<ImageAnalysis, LayersError> {
    let mut builder = archive::Builder::new(limits, progress, cancel);
    builder.read_tar(reader)?;
    builder.finish()
}

/// Analyses an archive file or an OCI image layout directory.
pub fn analyze_path(
    path: &Path,
    mut progress: impl FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<ImageAnalysis, LayersError> {
    if path.is_dir() {
        let mut builder = archive::Builder::new(Limits::default(), &mut progress, cancel);
        builder.read_dir(path)?;
        builder.finish()
    } else {
        let file = contents::open_maybe_gzip(path)?;
        match analyze_reader(file, &mut progress, cancel) {
            Err(LayersError::NoManifest) if contents::looks_like_filesystem(path)? => {
                let file = contents::open_maybe_gzip(path)?;
                archive::Builder::new(Limits::default(), &mut progress, cancel)
                    .read_filesystem(file)
            }
            other => other,
        }
    }
}
