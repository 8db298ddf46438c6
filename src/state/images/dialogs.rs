//! The images pane's dialogs: tag, remove confirmation, prune preview.
use crossterm::event::{KeyCode, KeyEvent};

use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::{Command, PrunePlan, PruneScope};
use crate::state::effect::Effect;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};
use crate::state::widgets::prompt::{Prompt, PromptKey};
use crate::state::widgets::scroll::Viewport;
use crate::state::widgets::text_view::scroll;

/// An image a remove dialog names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveTarget {
    /// What is sent to the engine (reference or ID).
    pub key: String,
    /// What the user sees.
    pub label: String,
    /// Containers using the image.
    pub used_by: Vec<String>,
    /// The image has other tags that stay (only this tag goes).
    pub other_tags: usize,
    /// What the engine will do with it.
    pub fate: Fate,
}

/// What dockerd (20.10's `ImageDelete`) does with one target of a remove request, `force` being
/// set when any target is used by a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Another tag of the image stays: only this tag goes.
    Untag,
    /// The image goes, with the layers no other image shares.
    Delete,
    /// Forced: the image goes; these stopped or created containers stay (listed by image ID,
    /// still startable: their layers are kept for them).
    DeleteUnder(Vec<String>),
    /// Forced: the tag goes but the image stays, untagged, because these containers run on it.
    UntagKeepImage(Vec<String>),
    /// Not sent: the engine refuses to delete an image by ID while these containers run on it.
    Refused(Vec<String>),
}

impl Fate {
    /// Whether the target is sent to the engine.
    pub fn sent(&self) -> bool {
        !matches!(self, Fate::Refused(_))
    }
}

/// The remove plan for a marked set of rows: each row's fate, judged for the whole set (a tag
/// stays only if no target removes it too).
pub fn remove_plan(rows: &[&super::rows::ImageRow]) -> Vec<RemoveTarget> {
    let removed_of = |id: &str| rows.iter().filter(|r| r.id == id && !r.dangling()).count();
    rows.iter()
        .map(|r| {
            let other_tags = r.tag_count.saturating_sub(removed_of(&r.id));
            let stopped: Vec<String> = r
                .used_by
                .iter()
                .filter(|n| !r.running.contains(n))
                .cloned()
                .collect();
            let fate = if other_tags > 0 {
                Fate::Untag
            } else if !r.running.is_empty() && r.dangling() {
                Fate::Refused(r.running.clone())
            } else if !r.running.is_empty() {
                Fate::UntagKeepImage(r.running.clone())
            } else if !stopped.is_empty() {
                Fate::DeleteUnder(stopped)
            } else {
                Fate::Delete
            };
            RemoveTarget {
                key: r.key(),
                label: r.label(),
                used_by: r.used_by.clone(),
                other_tags,
                fate,
            }
        })
        .collect()
}

/// The engine request for a plan: the targets sent and whether `force` is needed (any of them
/// used by a container); None when nothing can be sent.
pub fn remove_command(targets: &[RemoveTarget]) -> Option<Command> {
    let sent: Vec<&RemoveTarget> = targets.iter().filter(|t| t.fate.sent()).collect();
    (!sent.is_empty()).then(|| Command::Remove {
        targets: sent.iter().map(|t| t.key.clone()).collect(),
        force: sent.iter().any(|t| !t.used_by.is_empty()),
    })
}

/// The prune preview's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanState {
    /// Waiting for the engine.
    Loading,
    /// Ready to confirm.
    Ready(PrunePlan),
    /// The preview failed.
    Failed(String),
}

/// A dialog of the images pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImagesDialog {
    /// Add a tag to an image.
    Tag {
        /// Image ID or reference the tag is added to.
        source: String,
        /// What the user sees as the source.
        source_label: String,
        /// The new reference being typed, checked as it is typed.
        prompt: Prompt,
    },
    /// Confirm removing images.
    Remove {
        /// What goes.
        targets: Vec<RemoveTarget>,
        /// Second step: the user must confirm force-removal of images used by containers.
        force_step: bool,
    },
    /// Prune with a preview.
    Prune {
        /// Which images.
        scope: PruneScope,
        /// Build cache too.
        build_cache: bool,
        /// The preview.
        plan: PlanState,
        /// Scroll of the list.
        view: Viewport,
    },
    /// Copy images to another engine.
    Copy(super::copy::CopyDialog),
    /// Save, load or import.
    Offline(crate::state::offline::OfflineDialog),
}

/// Checks a new image reference against the Docker reference grammar; a digest is not a tag.
pub fn validate_tag(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return Some("type a reference, e.g. registry:5000/team/app:1.2".into());
    }
    match crate::registry::reference::Reference::parse(text) {
        Ok(r) if r.digest().is_some() => Some("a tag cannot contain a digest (@sha256:…)".into()),
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

impl ImagesDialog {
    /// Opens the prune dialog and asks for its preview.
    pub fn prune(scope: PruneScope, build_cache: bool) -> (ImagesDialog, Command) {
        (
            ImagesDialog::Prune {
                scope,
                build_cache,
                plan: PlanState::Loading,
                view: Viewport::default(),
            },
            Command::PrunePreview { scope, build_cache },
        )
    }

    /// Handles a key.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        match self {
            ImagesDialog::Tag { source, prompt, .. } => {
                match prompt.on_key(keymap, key, validate_tag) {
                    PromptKey::Submit(target) => {
                        Outcome::Submit(vec![Effect::Engine(Command::Tag {
                            source: source.clone(),
                            target,
                        })])
                    }
                    PromptKey::Cancel => Outcome::Close,
                    _ => Outcome::Stay,
                }
            }
            ImagesDialog::Remove {
                targets,
                force_step,
            } => match dialog_key(keymap, key, false) {
                DialogKey::Action(DialogAction::Confirm) => {
                    let command = remove_command(targets);
                    let force = matches!(command, Some(Command::Remove { force: true, .. }));
                    if force && !*force_step {
                        *force_step = true;
                        return Outcome::Stay;
                    }
                    match command {
                        Some(c) => Outcome::Submit(vec![Effect::Engine(c)]),
                        None => Outcome::Submit(vec![Effect::info(
                            "nothing removed: every image is in use by a running container",
                        )]),
                    }
                }
                DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
                _ => Outcome::Stay,
            },
            ImagesDialog::Prune {
                scope,
                build_cache,
                plan,
                view,
            } => prune_key(keymap, key, scope, build_cache, plan, view),
            ImagesDialog::Copy(d) => d.on_key(keymap, key),
            ImagesDialog::Offline(d) => d.on_key(keymap, key),
        }
    }
}

fn prune_key(
    keymap: &Keymap,
    key: &KeyEvent,
    scope: &mut PruneScope,
    build_cache: &mut bool,
    plan: &mut PlanState,
    view: &mut Viewport,
) -> Outcome {
    let rescope = matches!(
        key.code,
        KeyCode::Char('a') | KeyCode::Left | KeyCode::Right
    );
    match dialog_key(keymap, key, false) {
        DialogKey::Action(DialogAction::NextField | DialogAction::PrevField) | DialogKey::Text
            if rescope || matches!(key.code, KeyCode::Tab | KeyCode::BackTab) =>
        {
            *scope = match scope {
                PruneScope::Dangling => PruneScope::AllUnused,
                PruneScope::AllUnused => PruneScope::Dangling,
            };
            *plan = PlanState::Loading;
            *view = Viewport::default();
            Outcome::Send(vec![Effect::Engine(Command::PrunePreview {
                scope: *scope,
                build_cache: *build_cache,
            })])
        }
        DialogKey::Text if key.code == KeyCode::Char('b') => {
            *build_cache = !*build_cache;
            if let PlanState::Ready(p) = plan {
                p.build_cache = *build_cache;
            }
            Outcome::Stay
        }
        DialogKey::Action(DialogAction::Confirm) => match plan {
            PlanState::Ready(p) if !p.images.is_empty() || p.build_cache => {
                Outcome::Submit(vec![Effect::Engine(Command::Prune {
                    scope: *scope,
                    build_cache: *build_cache,
                })])
            }
            PlanState::Ready(_) => Outcome::Close,
            _ => Outcome::Stay,
        },
        DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
        DialogKey::Action(a) => {
            if let PlanState::Ready(p) = plan {
                view.set_len(p.images.len());
            }
            scroll(view, a);
            Outcome::Stay
        }
        DialogKey::Text => Outcome::Stay,
    }
}

#[cfg(test)]
mod tests {
    use super::super::rows::ImageRow;
    use super::*;
    use crate::state::effect::commands;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn press(d: &mut ImagesDialog, code: KeyCode) -> Outcome {
        d.on_key(&Keymap::defaults(), &key(code))
    }

    fn submitted(out: Outcome) -> Vec<Command> {
        match out {
            Outcome::Submit(e) => commands(&e),
            other => panic!("not submitted: {other:?}"),
        }
    }

    fn type_text(d: &mut ImagesDialog, s: &str) {
        for c in s.chars() {
            press(d, KeyCode::Char(c));
        }
    }

    fn tag_dialog() -> ImagesDialog {
        ImagesDialog::Tag {
            source: "sha256:abc".into(),
            source_label: "busybox:1".into(),
            prompt: Prompt::default(),
        }
    }

    #[test]
    fn tag_dialog_validates_inline_and_submits() {
        let mut d = tag_dialog();
        type_text(&mut d, "Bad/Name");
        let ImagesDialog::Tag { prompt, .. } = &d else {
            unreachable!()
        };
        let error = &prompt.error;
        assert!(
            error.as_deref().unwrap_or("").contains("lowercase"),
            "{error:?}"
        );
        assert_eq!(press(&mut d, KeyCode::Enter), Outcome::Stay);
        for _ in 0..8 {
            press(&mut d, KeyCode::Backspace);
        }
        type_text(&mut d, "127.0.0.1:5000/team/app:v1");
        assert_eq!(
            submitted(press(&mut d, KeyCode::Enter)),
            vec![Command::Tag {
                source: "sha256:abc".into(),
                target: "127.0.0.1:5000/team/app:v1".into()
            }]
        );
    }

    #[test]
    fn tag_dialog_refuses_digests_and_long_tags() {
        assert!(validate_tag(&format!("app@sha256:{}", "a".repeat(64))).is_some());
        assert!(validate_tag(&format!("app:{}", "t".repeat(129))).is_some());
        assert!(validate_tag(&format!("app:{}", "t".repeat(128))).is_none());
        assert!(validate_tag("").is_some());
    }

    #[test]
    fn removing_a_used_image_needs_a_second_confirmation() {
        let mut d = ImagesDialog::Remove {
            targets: vec![RemoveTarget {
                key: "app:1".into(),
                label: "app:1".into(),
                used_by: vec!["web".into()],
                other_tags: 0,
                fate: Fate::DeleteUnder(vec!["web".into()]),
            }],
            force_step: false,
        };
        assert_eq!(press(&mut d, KeyCode::Char('y')), Outcome::Stay);
        assert!(matches!(
            d,
            ImagesDialog::Remove {
                force_step: true,
                ..
            }
        ));
        assert_eq!(
            submitted(press(&mut d, KeyCode::Char('y'))),
            vec![Command::Remove {
                targets: vec!["app:1".into()],
                force: true
            }]
        );
    }

    #[test]
    fn unused_images_are_removed_after_one_confirmation_without_force() {
        let mut d = ImagesDialog::Remove {
            targets: vec![RemoveTarget {
                key: "x:1".into(),
                label: "x:1".into(),
                used_by: vec![],
                other_tags: 1,
                fate: Fate::Untag,
            }],
            force_step: false,
        };
        assert_eq!(
            submitted(press(&mut d, KeyCode::Enter)),
            vec![Command::Remove {
                targets: vec!["x:1".into()],
                force: false
            }]
        );
        assert_eq!(press(&mut d, KeyCode::Esc), Outcome::Close);
    }

    #[test]
    fn prune_waits_for_its_preview_and_rescopes() {
        let (mut d, cmd) = ImagesDialog::prune(PruneScope::Dangling, false);
        assert!(matches!(cmd, Command::PrunePreview { .. }));
        assert_eq!(press(&mut d, KeyCode::Enter), Outcome::Stay);
        let out = press(&mut d, KeyCode::Char('a'));
        assert_eq!(
            out,
            Outcome::Send(vec![Effect::Engine(Command::PrunePreview {
                scope: PruneScope::AllUnused,
                build_cache: false
            })])
        );
        if let ImagesDialog::Prune { plan, .. } = &mut d {
            *plan = PlanState::Ready(PrunePlan {
                scope: PruneScope::AllUnused,
                build_cache: false,
                images: vec![],
                reclaim: 0,
            });
        }
        // Nothing to prune: Enter just closes.
        assert_eq!(press(&mut d, KeyCode::Enter), Outcome::Close);
    }

    fn row(id: &str, tag: Option<&str>, tags: usize, used: &[&str], running: &[&str]) -> ImageRow {
        ImageRow {
            id: id.into(),
            repo: tag
                .map_or("<none>", |t| t.split(':').next().unwrap_or(""))
                .into(),
            tag: tag
                .map_or("<none>", |t| t.rsplit(':').next().unwrap_or(""))
                .into(),
            reference: tag.map(Into::into),
            created: 1,
            size: 1,
            tag_count: tags,
            used_by: used.iter().map(|s| s.to_string()).collect(),
            running: running.iter().map(|s| s.to_string()).collect(),
            unique: None,
            shared: None,
        }
    }

    #[test]
    fn the_plan_says_what_a_forced_removal_does_to_each_image() {
        let rows = [
            row("sha256:a", Some("a:1"), 1, &["web", "old"], &["web"]),
            row("sha256:b", Some("b:1"), 1, &["made"], &[]),
            row("sha256:c", Some("c:1"), 2, &["x"], &["x"]),
            row("sha256:d", None, 0, &["up"], &["up"]),
            row("sha256:e", Some("e:1"), 1, &[], &[]),
            row("sha256:f", Some("f:1"), 2, &[], &[]),
            row("sha256:f", Some("f:2"), 2, &[], &[]),
        ];
        let refs: Vec<&ImageRow> = rows.iter().collect();
        let plan = remove_plan(&refs);
        let fates: Vec<&Fate> = plan.iter().map(|t| &t.fate).collect();
        assert_eq!(
            fates,
            vec![
                &Fate::UntagKeepImage(vec!["web".into()]),
                &Fate::DeleteUnder(vec!["made".into()]),
                &Fate::Untag,
                &Fate::Refused(vec!["up".into()]),
                &Fate::Delete,
                &Fate::Delete,
                &Fate::Delete,
            ]
        );
        assert_eq!(
            remove_command(&plan),
            Some(Command::Remove {
                targets: ["a:1", "b:1", "c:1", "e:1", "f:1", "f:2"]
                    .map(String::from)
                    .to_vec(),
                force: true,
            })
        );
        assert_eq!(
            remove_command(&plan[3..4]),
            None,
            "a refused image is not sent"
        );
        assert_eq!(
            remove_command(&plan[4..5]),
            Some(Command::Remove {
                targets: vec!["e:1".into()],
                force: false,
            })
        );
    }
}
