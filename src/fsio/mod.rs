//! Safe file reading and writing for files the user edits (the Dockerfile editor), including in
//! directories other users can write to.
//!
//! - [`open`] reads a text file and describes it: new file vs missing directory, symlink target,
//!   owner, mode, read-only, and a [`Fingerprint`] to detect changes made on disk later;
//! - [`save`] / [`save_as`] write atomically through a temp file created with
//!   `O_CREAT|O_EXCL|O_NOFOLLOW` (mode 0600) in the same directory, keep the original's owner and
//!   mode, never silently replace a symlink, and report read-only files and on-disk conflicts;
//! - [`RecoveryStore`] keeps unsaved text in a private per-user directory;
//! - [`NewFile`] creates streamed output files (saved images) exclusively and removes partial
//!   ones;
//! - [`diff`] is the line diff the conflict dialog shows.
//!
//! Self-contained: nothing here knows of the editor state or the UI.
mod create;
pub mod diff;
mod error;
pub mod links;
mod open;
mod recover;
mod save;
mod sys;

pub use create::{CreateError, NewFile};
pub use diff::{DiffLine, line_diff};
pub use error::FsError;
pub use links::{BuildLinks, LinkStore, default_links_dir, text_hash};
pub use open::{FileMeta, Fingerprint, MAX_FILE_BYTES, Opened, Presence, open};
pub use recover::{RecoveryStore, default_recovery_dir};
pub use save::{SavePolicy, Saved, save, save_as};

#[cfg(test)]
mod tests;
