//! How the registry pane and its dialogs plug into [`AppState`]: keys, actions and replies.
use crossterm::event::KeyEvent;

use super::dialog::Dialog;
use super::registry_dialog::{RegistryDialog, RegistryOutcome};
use super::{AppState, Level, Pane};
use crate::action::Action;
use crate::engine::Command;
use crate::engine::registry::{RegistryReply, RegistryRequest};
use crate::registry::Reference;

impl AppState {
    /// Keys for an open registry dialog or the registry pane's input; `None` when not ours.
    pub(super) fn registry_key(&mut self, key: &KeyEvent) -> Option<Vec<Command>> {
        if let Some(Dialog::Registry(dialog)) = &mut self.dialog {
            return Some(match dialog.on_key(key) {
                RegistryOutcome::Stay => vec![],
                RegistryOutcome::Close => {
                    self.dialog = None;
                    vec![]
                }
                RegistryOutcome::Submit(cmds) => {
                    self.dialog = None;
                    if let Some(Command::Pull { reference, .. } | Command::Push { reference }) =
                        cmds.first()
                    {
                        let text = format!("{reference}: started — progress in the jobs pane (3)");
                        self.say(Level::Info, text);
                    }
                    cmds
                }
                RegistryOutcome::Send(cmds) => cmds,
                RegistryOutcome::Add(entry) => {
                    self.dialog = None;
                    let name = entry.name.clone();
                    self.registry.add(entry.clone());
                    self.say(Level::Ok, format!("added registry {name}"));
                    let mut cmds = vec![Command::Registry(RegistryRequest::SaveRegistry(entry))];
                    cmds.extend(self.registry.open());
                    cmds
                }
            });
        }
        if self.dialog.is_none()
            && !self.help
            && self.focus == Pane::Registry
            && self.registry.input.is_some()
        {
            return Some(self.registry.on_input_key(key));
        }
        None
    }

    /// The registry story's actions.
    pub(super) fn registry_action(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::FocusRegistry => {
                self.focus = Pane::Registry;
                return self.registry.on_focus();
            }
            Action::Pull => {
                let prefill = if self.focus == Pane::Registry {
                    self.registry.pull_target().unwrap_or_default()
                } else {
                    String::new()
                };
                self.dialog = Some(Dialog::Registry(RegistryDialog::pull(&prefill)));
            }
            Action::Push => self.open_push(),
            Action::RegistryOpen => return self.registry.open(),
            Action::RegistrySearch => self.registry.start_input(),
            Action::RegistryPull => match self.registry.pull_target() {
                Some(reference) => {
                    self.say(
                        Level::Info,
                        format!("pulling {reference} — progress in the jobs pane (3)"),
                    );
                    return vec![Command::Pull {
                        reference,
                        platform: None,
                    }];
                }
                None => self.say(Level::Info, "select a search result or a tag to pull"),
            },
            Action::AddRegistry => {
                self.dialog = Some(Dialog::Registry(RegistryDialog::AddRegistry {
                    url: Default::default(),
                    insecure: false,
                    field: 0,
                    error: None,
                }));
            }
            Action::Login => {
                let (server, insecure) = self
                    .registry
                    .entry()
                    .map_or((String::new(), false), |e| (e.url.clone(), e.insecure));
                self.dialog = Some(Dialog::Registry(RegistryDialog::login(&server, insecure)));
            }
            _ => {}
        }
        vec![]
    }

    fn open_push(&mut self) {
        let Some(row) = self.images.selected() else {
            return self.say(Level::Info, "no image selected");
        };
        let Some(reference) = row.reference.clone() else {
            return self.say(
                Level::Info,
                "this image has no tag: tag it with the registry's name first (t)",
            );
        };
        let registry = match Reference::parse(&reference) {
            Ok(r) => r.registry(),
            Err(e) => return self.say(Level::Error, e.to_string()),
        };
        self.dialog = Some(Dialog::Registry(RegistryDialog::Push {
            reference,
            registry,
        }));
    }

    pub(super) fn on_registry_reply(&mut self, reply: RegistryReply) {
        if let RegistryReply::Login { result, .. } = &reply
            && let Some(Dialog::Registry(dialog)) = &mut self.dialog
            && dialog.on_login(result)
        {
            self.dialog = None;
        }
        match self.registry.on_reply(reply) {
            Some(Ok(text)) => self.say(Level::Ok, text),
            Some(Err(text)) => self.say(Level::Error, text),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::config::keymap::Keymap;
    use crate::registry::RegistryEntry;

    fn press(s: &mut AppState, code: KeyCode) -> Vec<Command> {
        s.on_key(
            &Keymap::defaults(),
            &KeyEvent::new(code, KeyModifiers::NONE),
        )
    }

    #[test]
    fn keys_drive_the_registry_pane_and_its_dialogs() {
        let mut s = AppState::default();
        assert_eq!(
            press(&mut s, KeyCode::Char('5')),
            vec![Command::Registry(RegistryRequest::LoadConfig)]
        );
        assert_eq!(s.focus, Pane::Registry);
        press(&mut s, KeyCode::Char('a'));
        for c in "127.0.0.1:5000".chars() {
            press(&mut s, KeyCode::Char(c));
        }
        let cmds = press(&mut s, KeyCode::Enter);
        let entry = RegistryEntry {
            name: "127.0.0.1:5000".into(),
            url: "127.0.0.1:5000".into(),
            insecure: false,
        };
        assert_eq!(
            cmds,
            vec![
                Command::Registry(RegistryRequest::SaveRegistry(entry.clone())),
                Command::Registry(RegistryRequest::Catalog(entry)),
            ]
        );
        assert!(s.dialog.is_none());
        // q while the pull dialog is open is typed, not quit.
        press(&mut s, KeyCode::Char('P'));
        press(&mut s, KeyCode::Char('q'));
        assert!(!s.quit);
        press(&mut s, KeyCode::Esc);
        // Esc goes up a level; L opens the login dialog for the selected registry.
        press(&mut s, KeyCode::Esc);
        assert_eq!(s.registry.view, crate::state::registry::View::Registries);
        press(&mut s, KeyCode::Char('L'));
        assert!(matches!(
            &s.dialog,
            Some(Dialog::Registry(RegistryDialog::Login { server, .. })) if server.text == "127.0.0.1:5000"
        ));
        s.on_engine(crate::engine::EngineEvent::Registry(RegistryReply::Login {
            server: "127.0.0.1:5000".into(),
            result: Ok("logged in".into()),
        }));
        assert!(s.dialog.is_none());
        assert!(matches!(&s.message, Some((Level::Ok, m)) if m == "logged in"));
    }

    #[test]
    fn push_needs_a_tag_and_names_the_registry() {
        let mut s = AppState::default();
        let image = |tags: &[&str]| crate::engine::ImageInfo {
            id: format!("sha256:{}", "a".repeat(64)),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: vec![],
            created: 0,
            size: 1,
        };
        s.on_engine(crate::engine::EngineEvent::Inventory(Ok(
            crate::engine::Inventory {
                images: vec![image(&[])],
                containers: vec![],
            },
        )));
        press(&mut s, KeyCode::Char('u'));
        assert!(s.dialog.is_none());
        assert!(matches!(&s.message, Some((Level::Info, m)) if m.contains("no tag")));
        s.on_engine(crate::engine::EngineEvent::Inventory(Ok(
            crate::engine::Inventory {
                images: vec![image(&["127.0.0.1:5000/team/app:1"])],
                containers: vec![],
            },
        )));
        press(&mut s, KeyCode::Char('u'));
        assert!(matches!(
            &s.dialog,
            Some(Dialog::Registry(RegistryDialog::Push { registry, .. })) if registry == "127.0.0.1:5000"
        ));
        let cmds = press(&mut s, KeyCode::Char('y'));
        assert_eq!(
            cmds,
            vec![Command::Push {
                reference: "127.0.0.1:5000/team/app:1".into()
            }]
        );
    }
}
