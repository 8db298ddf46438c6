//! Modal dialogs: tag, remove confirmation, prune preview, details views. Pure key handling.
use crossterm::event::{KeyCode, KeyEvent};

use super::input::TextInput;
use crate::engine::{Command, PrunePlan, PruneScope};

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

/// An open dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Add a tag to an image.
    Tag {
        /// Image ID or reference the tag is added to.
        source: String,
        /// What the user sees as the source.
        source_label: String,
        /// The new reference being typed.
        input: TextInput,
        /// Why the input is not valid (shown inline), updated on each keystroke.
        error: Option<String>,
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
        /// Scroll offset of the list.
        scroll: usize,
    },
    /// A scrollable text view (image config, a layer's full instruction).
    Text {
        /// Title.
        title: String,
        /// Lines.
        lines: Vec<String>,
        /// Scroll offset.
        scroll: usize,
    },
    /// Pull, push, login, add registry (keys handled by the registry glue).
    Registry(super::registry_dialog::RegistryDialog),
}

/// What a key did to a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogOutcome {
    /// Stay open.
    Stay,
    /// Close without doing anything.
    Close,
    /// Close and send these commands.
    Submit(Vec<Command>),
    /// Stay open and send these commands.
    Send(Vec<Command>),
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

fn scroll(pos: &mut usize, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => *pos += 1,
        KeyCode::Up | KeyCode::Char('k') => *pos = pos.saturating_sub(1),
        KeyCode::PageDown => *pos += 10,
        KeyCode::PageUp => *pos = pos.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => *pos = 0,
        _ => return false,
    }
    true
}

impl Dialog {
    /// Opens the prune dialog and asks for its preview.
    pub fn prune(scope: PruneScope, build_cache: bool) -> (Dialog, Command) {
        (
            Dialog::Prune {
                scope,
                build_cache,
                plan: PlanState::Loading,
                scroll: 0,
            },
            Command::PrunePreview { scope, build_cache },
        )
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> DialogOutcome {
        if key.code == KeyCode::Esc {
            return DialogOutcome::Close;
        }
        match self {
            Dialog::Tag {
                source,
                input,
                error,
                ..
            } => {
                if key.code == KeyCode::Enter {
                    *error = validate_tag(&input.text);
                    if error.is_none() {
                        return DialogOutcome::Submit(vec![Command::Tag {
                            source: source.clone(),
                            target: input.text.trim().to_string(),
                        }]);
                    }
                } else if input.handle(key) {
                    *error = validate_tag(&input.text);
                }
                DialogOutcome::Stay
            }
            Dialog::Remove {
                targets,
                force_step,
            } => match key.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    let used = targets.iter().any(|t| !t.used_by.is_empty());
                    if used && !*force_step {
                        *force_step = true;
                        return DialogOutcome::Stay;
                    }
                    DialogOutcome::Submit(vec![Command::Remove {
                        targets: targets.iter().map(|t| t.key.clone()).collect(),
                        force: used,
                    }])
                }
                KeyCode::Char('n') | KeyCode::Char('q') => DialogOutcome::Close,
                _ => DialogOutcome::Stay,
            },
            Dialog::Prune {
                scope,
                build_cache,
                plan,
                scroll: pos,
            } => match key.code {
                KeyCode::Char('a') | KeyCode::Tab | KeyCode::Left | KeyCode::Right => {
                    *scope = match scope {
                        PruneScope::Dangling => PruneScope::AllUnused,
                        PruneScope::AllUnused => PruneScope::Dangling,
                    };
                    *plan = PlanState::Loading;
                    *pos = 0;
                    DialogOutcome::Send(vec![Command::PrunePreview {
                        scope: *scope,
                        build_cache: *build_cache,
                    }])
                }
                KeyCode::Char('b') => {
                    *build_cache = !*build_cache;
                    if let PlanState::Ready(p) = plan {
                        p.build_cache = *build_cache;
                    }
                    DialogOutcome::Stay
                }
                KeyCode::Char('y') | KeyCode::Enter => match plan {
                    PlanState::Ready(p) if !p.images.is_empty() || p.build_cache => {
                        DialogOutcome::Submit(vec![Command::Prune {
                            scope: *scope,
                            build_cache: *build_cache,
                        }])
                    }
                    PlanState::Ready(_) => DialogOutcome::Close,
                    _ => DialogOutcome::Stay,
                },
                KeyCode::Char('n') | KeyCode::Char('q') => DialogOutcome::Close,
                _ => {
                    scroll(pos, key);
                    DialogOutcome::Stay
                }
            },
            Dialog::Registry(_) => DialogOutcome::Stay,
            Dialog::Text { scroll: pos, .. } => {
                if matches!(
                    key.code,
                    KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('i')
                ) {
                    return DialogOutcome::Close;
                }
                scroll(pos, key);
                DialogOutcome::Stay
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(d: &mut Dialog, s: &str) {
        for c in s.chars() {
            d.on_key(&key(KeyCode::Char(c)));
        }
    }

    fn tag_dialog() -> Dialog {
        Dialog::Tag {
            source: "sha256:abc".into(),
            source_label: "busybox:1".into(),
            input: TextInput::default(),
            error: None,
        }
    }

    #[test]
    fn tag_dialog_validates_inline_and_submits() {
        let mut d = tag_dialog();
        type_text(&mut d, "Bad/Name");
        let Dialog::Tag { error, .. } = &d else {
            unreachable!()
        };
        assert!(
            error.as_deref().unwrap_or("").contains("lowercase"),
            "{error:?}"
        );
        assert_eq!(d.on_key(&key(KeyCode::Enter)), DialogOutcome::Stay);
        for _ in 0..8 {
            d.on_key(&key(KeyCode::Backspace));
        }
        type_text(&mut d, "127.0.0.1:5000/team/app:v1");
        let out = d.on_key(&key(KeyCode::Enter));
        assert_eq!(
            out,
            DialogOutcome::Submit(vec![Command::Tag {
                source: "sha256:abc".into(),
                target: "127.0.0.1:5000/team/app:v1".into()
            }])
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
        let mut d = Dialog::Remove {
            targets: vec![RemoveTarget {
                key: "app:1".into(),
                label: "app:1".into(),
                used_by: vec!["web".into()],
                other_tags: 0,
            }],
            force_step: false,
        };
        assert_eq!(d.on_key(&key(KeyCode::Char('y'))), DialogOutcome::Stay);
        assert!(matches!(
            d,
            Dialog::Remove {
                force_step: true,
                ..
            }
        ));
        assert_eq!(
            d.on_key(&key(KeyCode::Char('y'))),
            DialogOutcome::Submit(vec![Command::Remove {
                targets: vec!["app:1".into()],
                force: true
            }])
        );
    }

    #[test]
    fn unused_images_are_removed_after_one_confirmation_without_force() {
        let mut d = Dialog::Remove {
            targets: vec![RemoveTarget {
                key: "x:1".into(),
                label: "x:1".into(),
                used_by: vec![],
                other_tags: 1,
            }],
            force_step: false,
        };
        assert_eq!(
            d.on_key(&key(KeyCode::Enter)),
            DialogOutcome::Submit(vec![Command::Remove {
                targets: vec!["x:1".into()],
                force: false
            }])
        );
        assert_eq!(d.on_key(&key(KeyCode::Esc)), DialogOutcome::Close);
    }

    #[test]
    fn prune_waits_for_its_preview_and_rescopes() {
        let (mut d, cmd) = Dialog::prune(PruneScope::Dangling, false);
        assert!(matches!(cmd, Command::PrunePreview { .. }));
        assert_eq!(d.on_key(&key(KeyCode::Enter)), DialogOutcome::Stay);
        let out = d.on_key(&key(KeyCode::Char('a')));
        assert_eq!(
            out,
            DialogOutcome::Send(vec![Command::PrunePreview {
                scope: PruneScope::AllUnused,
                build_cache: false
            }])
        );
        if let Dialog::Prune { plan, .. } = &mut d {
            *plan = PlanState::Ready(PrunePlan {
                scope: PruneScope::AllUnused,
                build_cache: false,
                images: vec![],
                reclaim: 0,
            });
        }
        // Nothing to prune: Enter just closes.
        assert_eq!(d.on_key(&key(KeyCode::Enter)), DialogOutcome::Close);
    }
}
