//! The dialogs that move images in and out without a registry, shared by the images pane (save,
//! load with its preview, import) and the containers pane (commit, export, diff). Each is a
//! [`Form`] or a view returning [`Outcome`]; what they send is exactly what the form shows.
pub mod diff_tree;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::effect::{Effect, Msg};
use super::widgets::form::{Form, FormField, any_text, required};
use super::widgets::outcome::{DialogKey, Outcome, dialog_key};
use super::widgets::scroll::Viewport;
use super::widgets::text_view::scroll;
use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::offline::{
    Change, CommitSpec, ImportSpec, LoadPreview, OfflineCommand, OfflineEvent, validate_change,
};
use crate::engine::{Command, EngineEvent};
pub use diff_tree::{DiffRow, diff_rows};

/// How many `--change` lines a dialog offers.
pub const CHANGE_FIELDS: usize = 3;

/// A reply being waited for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending<T> {
    /// Asked, no answer yet.
    Loading,
    /// The answer.
    Ready(T),
    /// Why it failed.
    Failed(String),
}

/// A dialog of this family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineDialog {
    /// Save images: path, gzip, overwrite.
    Save {
        /// References or IDs sent to the engine.
        images: Vec<String>,
        /// The form.
        form: Form,
    },
    /// Load, first step: the file.
    LoadPath {
        /// The form.
        form: Form,
    },
    /// Load, second step: what the file holds.
    LoadPreview {
        /// The file.
        path: PathBuf,
        /// The preview.
        preview: Pending<Box<LoadPreview>>,
        /// Scroll of the list.
        view: Viewport,
    },
    /// Import a filesystem tar as an image.
    Import {
        /// The form.
        form: Form,
    },
    /// Commit a container.
    Commit {
        /// Container ID.
        container: String,
        /// Its name.
        name: String,
        /// The form.
        form: Form,
    },
    /// Export a container's filesystem.
    Export {
        /// Container ID.
        container: String,
        /// Its name.
        name: String,
        /// The form.
        form: Form,
    },
    /// Copy a container path to this machine.
    CopyOut {
        /// Container ID.
        container: String,
        /// Its name.
        name: String,
        /// The form.
        form: Form,
    },
    /// Copy a path of this machine into a container.
    CopyIn {
        /// Container ID.
        container: String,
        /// Its name.
        name: String,
        /// The form.
        form: Form,
    },
    /// A container's changes as a tree.
    Diff {
        /// Container ID.
        container: String,
        /// Its name.
        name: String,
        /// The changes, sorted by path.
        changes: Pending<Vec<Change>>,
        /// Scroll.
        view: Viewport,
    },
}

/// Checks an optional `--change` line.
fn change_check(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    validate_change(text).err()
}

/// Checks a path in a container.
fn container_path(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        Some("required".into())
    } else if !t.starts_with('/') {
        Some("an absolute path in the container, e.g. /etc/app".into())
    } else {
        None
    }
}

/// Checks an optional image reference.
fn optional_reference(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        None
    } else {
        crate::state::images::dialogs::validate_tag(text)
    }
}

fn change_fields() -> Vec<FormField> {
    (0..CHANGE_FIELDS)
        .map(|_| {
            FormField::text(
                "--change",
                "",
                "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME",
                change_check,
            )
        })
        .collect()
}

fn changes_of(form: &Form, from: usize) -> Vec<String> {
    (from..from + CHANGE_FIELDS)
        .map(|i| form.text(i).to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

// Field positions of each form.
const PATH: usize = 0;
const SAVE_GZIP: usize = 1;
const SAVE_OVERWRITE: usize = 2;
const IMPORT_REF: usize = 1;
const IMPORT_MSG: usize = 2;
const IMPORT_CHANGES: usize = 3;
const COMMIT_REF: usize = 0;
const COMMIT_AUTHOR: usize = 1;
const COMMIT_MSG: usize = 2;
const COMMIT_PAUSE: usize = 3;
const COMMIT_CHANGES: usize = 4;
const EXPORT_OVERWRITE: usize = 1;
const COPY_FROM: usize = 0;
const COPY_TO: usize = 1;
const COPY_UNPACK: usize = 2;

fn path_field(text: &str) -> FormField {
    FormField::path(
        "File",
        text,
        "path of the tar file (Tab completes)",
        required,
    )
}

impl OfflineDialog {
    /// The save dialog for `images`, suggesting `suggested` as the file.
    pub fn save(images: Vec<String>, suggested: &str) -> OfflineDialog {
        OfflineDialog::Save {
            images,
            form: Form::new(vec![
                path_field(suggested),
                FormField::toggle("gzip", false),
                FormField::toggle("overwrite", false),
            ]),
        }
    }

    /// The first step of a load.
    pub fn load() -> OfflineDialog {
        OfflineDialog::LoadPath {
            form: Form::new(vec![path_field("")]),
        }
    }

    /// The import dialog.
    pub fn import() -> OfflineDialog {
        let mut fields = vec![
            path_field(""),
            FormField::text("Tag", "", "empty: untagged", optional_reference),
            FormField::text("Message", "", "optional", any_text),
        ];
        fields.extend(change_fields());
        OfflineDialog::Import {
            form: Form::new(fields),
        }
    }

    /// The commit dialog of a container.
    pub fn commit(container: &str, name: &str) -> OfflineDialog {
        let mut fields = vec![
            FormField::text("Tag", "", "empty: untagged", optional_reference),
            FormField::text("Author", "", "optional", any_text),
            FormField::text("Message", "", "optional", any_text),
            FormField::toggle("pause", true),
        ];
        fields.extend(change_fields());
        OfflineDialog::Commit {
            container: container.to_string(),
            name: name.to_string(),
            form: Form::new(fields),
        }
    }

    /// The export dialog of a container.
    pub fn export(container: &str, name: &str) -> OfflineDialog {
        OfflineDialog::Export {
            container: container.to_string(),
            name: name.to_string(),
            form: Form::new(vec![
                path_field(&format!("{name}.tar")),
                FormField::toggle("overwrite", false),
            ]),
        }
    }

    /// Copying a container path to this machine.
    pub fn copy_out(container: &str, name: &str) -> OfflineDialog {
        OfflineDialog::CopyOut {
            container: container.to_string(),
            name: name.to_string(),
            form: Form::new(vec![
                FormField::text("From", "/", "path in the container", container_path),
                FormField::path("To", "", "file or directory here (Tab completes)", required),
            ]),
        }
    }

    /// Copying a path of this machine into a container.
    pub fn copy_in(container: &str, name: &str) -> OfflineDialog {
        OfflineDialog::CopyIn {
            container: container.to_string(),
            name: name.to_string(),
            form: Form::new(vec![
                FormField::path(
                    "From",
                    "",
                    "file or directory here (Tab completes)",
                    required,
                ),
                FormField::text("To", "/", "path in the container", container_path),
                FormField::toggle("unpack tar", false),
            ]),
        }
    }

    /// The diff view of a container, and its request.
    pub fn diff(container: &str, name: &str) -> (OfflineDialog, Effect) {
        (
            OfflineDialog::Diff {
                container: container.to_string(),
                name: name.to_string(),
                changes: Pending::Loading,
                view: Viewport::default(),
            },
            Effect::Engine(Command::Offline(OfflineCommand::Diff {
                container: container.to_string(),
            })),
        )
    }

    /// The rows of the diff view (empty until the changes arrived).
    pub fn diff_rows(&self) -> Vec<DiffRow> {
        match self {
            OfflineDialog::Diff {
                changes: Pending::Ready(c),
                ..
            } => diff_rows(c),
            _ => Vec::new(),
        }
    }

    /// A directory listing for the path field's completion.
    pub fn on_listing(&mut self, listing: &super::widgets::form::Listing) {
        match self {
            OfflineDialog::Save { form, .. }
            | OfflineDialog::LoadPath { form }
            | OfflineDialog::Import { form }
            | OfflineDialog::Commit { form, .. }
            | OfflineDialog::Export { form, .. }
            | OfflineDialog::CopyOut { form, .. }
            | OfflineDialog::CopyIn { form, .. } => form.on_listing(listing),
            OfflineDialog::LoadPreview { .. } | OfflineDialog::Diff { .. } => {}
        }
    }

    /// Takes the answer of a preview or diff request meant for this dialog.
    pub fn on_engine(&mut self, event: &EngineEvent) {
        let EngineEvent::Offline(event) = event else {
            return;
        };
        match (self, event) {
            (
                OfflineDialog::LoadPreview {
                    path,
                    preview,
                    view,
                },
                OfflineEvent::Preview { path: p, result },
            ) if p == path => {
                *preview = match result {
                    Ok(r) => {
                        view.set_len(r.contents.images.len());
                        Pending::Ready(r.clone())
                    }
                    Err(e) => Pending::Failed(e.to_string()),
                };
            }
            (
                OfflineDialog::Diff {
                    container,
                    changes,
                    view,
                    ..
                },
                OfflineEvent::Diff {
                    container: c,
                    result,
                },
            ) if c == container => {
                *changes = match result {
                    Ok(list) => {
                        view.set_len(diff_rows(list).len());
                        Pending::Ready(list.clone())
                    }
                    Err(e) => Pending::Failed(e.to_string()),
                };
            }
            _ => {}
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        match self {
            OfflineDialog::Save { images, form } => submit(form.on_key(keymap, key), || {
                vec![Effect::Engine(Command::Offline(OfflineCommand::Save {
                    images: images.clone(),
                    path: PathBuf::from(form.text(PATH)),
                    gzip: form.on(SAVE_GZIP),
                    overwrite: form.on(SAVE_OVERWRITE),
                }))]
            }),
            OfflineDialog::LoadPath { form } => match form.on_key(keymap, key) {
                Outcome::Submit(()) => {
                    let path = PathBuf::from(form.text(PATH));
                    let cmd = Command::Offline(OfflineCommand::Preview { path: path.clone() });
                    *self = OfflineDialog::LoadPreview {
                        path,
                        preview: Pending::Loading,
                        view: Viewport::default(),
                    };
                    Outcome::Send(vec![Effect::Engine(cmd)])
                }
                other => forward(other),
            },
            OfflineDialog::LoadPreview {
                path,
                preview,
                view,
            } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Confirm) => match preview {
                    Pending::Ready(_) => Outcome::Submit(vec![Effect::Engine(Command::Offline(
                        OfflineCommand::Load { path: path.clone() },
                    ))]),
                    _ => Outcome::Stay,
                },
                DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
                DialogKey::Action(a) => {
                    scroll(view, a);
                    Outcome::Stay
                }
                DialogKey::Text
                    if key.code == KeyCode::Char('f') && matches!(preview, Pending::Ready(_)) =>
                {
                    Outcome::Submit(vec![Effect::Msg(Msg::ExploreArchive(path.clone()))])
                }
                DialogKey::Text => Outcome::Stay,
            },
            OfflineDialog::Import { form } => submit(form.on_key(keymap, key), || {
                vec![Effect::Engine(Command::Offline(OfflineCommand::Import(
                    Box::new(ImportSpec {
                        path: PathBuf::from(form.text(PATH)),
                        reference: form.text(IMPORT_REF).to_string(),
                        message: form.text(IMPORT_MSG).to_string(),
                        changes: changes_of(form, IMPORT_CHANGES),
                    }),
                )))]
            }),
            OfflineDialog::Commit {
                container,
                name,
                form,
            } => submit(form.on_key(keymap, key), || {
                vec![Effect::Engine(Command::Offline(OfflineCommand::Commit(
                    Box::new(CommitSpec {
                        container: container.clone(),
                        name: name.clone(),
                        reference: form.text(COMMIT_REF).to_string(),
                        author: form.text(COMMIT_AUTHOR).to_string(),
                        message: form.text(COMMIT_MSG).to_string(),
                        pause: form.on(COMMIT_PAUSE),
                        changes: changes_of(form, COMMIT_CHANGES),
                    }),
                )))]
            }),
            OfflineDialog::Export {
                container,
                name,
                form,
            } => submit(form.on_key(keymap, key), || {
                vec![Effect::Engine(Command::Offline(OfflineCommand::Export {
                    container: container.clone(),
                    name: name.clone(),
                    path: PathBuf::from(form.text(PATH)),
                    overwrite: form.on(EXPORT_OVERWRITE),
                }))]
            }),
            OfflineDialog::CopyOut {
                container,
                name,
                form,
            } => submit(form.on_key(keymap, key), || {
                vec![Effect::Engine(Command::Offline(OfflineCommand::CopyOut {
                    container: container.clone(),
                    name: name.clone(),
                    src: form.text(COPY_FROM).to_string(),
                    dest: PathBuf::from(form.text(COPY_TO)),
                }))]
            }),
            OfflineDialog::CopyIn {
                container,
                name,
                form,
            } => submit(form.on_key(keymap, key), || {
                vec![Effect::Engine(Command::Offline(OfflineCommand::CopyIn {
                    container: container.clone(),
                    name: name.clone(),
                    src: PathBuf::from(form.text(COPY_FROM)),
                    dest: form.text(COPY_TO).to_string(),
                    unpack: form.on(COPY_UNPACK),
                }))]
            }),
            OfflineDialog::Diff { view, .. } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Cancel | DialogAction::Confirm) => Outcome::Close,
                DialogKey::Action(a) => {
                    scroll(view, a);
                    Outcome::Stay
                }
                DialogKey::Text => Outcome::Stay,
            },
        }
    }
}

fn submit(outcome: Outcome<()>, effects: impl FnOnce() -> Vec<Effect>) -> Outcome {
    match outcome {
        Outcome::Submit(()) => Outcome::Submit(effects()),
        other => forward(other),
    }
}

fn forward(outcome: Outcome<()>) -> Outcome {
    match outcome {
        Outcome::Stay | Outcome::Submit(()) => Outcome::Stay,
        Outcome::Close => Outcome::Close,
        Outcome::Send(e) => Outcome::Send(e),
    }
}
