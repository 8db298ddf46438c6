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
                    let used = targets.iter().any(|t| !t.used_by.is_empty());
                    if used && !*force_step {
                        *force_step = true;
                        return Outcome::Stay;
                    }
                    Outcome::Submit(vec![Effect::Engine(Command::Remove {
                        targets: targets.iter().map(|t| t.key.clone()).collect(),
                        force: used,
                    })])
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
}
