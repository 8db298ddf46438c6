//! How the registry pane and its dialogs plug into [`AppState`]: keys, actions and replies.
use crossterm::event::KeyEvent;

use super::dialog::Dialog;
use super::registry_dialog::{RegistryDialog, RegistryOutcome};
use super::{AppState, Level, Pane};
use crate::action::Action;
use crate::engine::Command;
use crate::engine::registry::RegistryReply;
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
                    self.registry.add(entry);
                    self.say(Level::Ok, format!("added registry {name}"));
                    self.registry.open()
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
