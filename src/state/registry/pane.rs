//! The registry pane: registries, Hub search, a registry's repositories, tags and manifests, and
//! the pull, push, login and add-registry dialogs (which open over any pane).
use crossterm::event::KeyEvent;

use super::RegistryState;
use super::dialogs::{RegistryDialog, Submitted};
use crate::action::{Action, ListAction, RegistryAction};
use crate::engine::registry::{RegistryReply, RegistryRequest};
use crate::engine::{Command, EngineEvent};
use crate::registry::Reference;
use crate::state::effect::{Effect, Level, engine};
use crate::state::pane::{Cx, Pane, PaneId};
use crate::state::widgets::outcome::Outcome;

/// The registry pane.
#[derive(Debug, Clone, Default)]
pub struct RegistryPane {
    /// What the pane shows.
    pub state: RegistryState,
    /// The open dialog (drawn over whichever pane has the focus).
    pub dialog: Option<RegistryDialog>,
}

impl RegistryPane {
    /// Opens the pull dialog, prefilled with the selected tag when the pane has the focus.
    pub fn open_pull(&mut self, cx: &Cx<'_>) {
        let prefill = if cx.focused(PaneId::Registry) {
            self.state.pull_target().unwrap_or_default()
        } else {
            String::new()
        };
        self.dialog = Some(RegistryDialog::pull(&prefill));
    }

    /// Opens the push dialog for a local tag, naming the registry it goes to.
    pub fn open_push(&mut self, reference: &str, _cx: &Cx<'_>) -> Vec<Effect> {
        match Reference::parse(reference) {
            Ok(r) => {
                self.dialog = Some(RegistryDialog::Push {
                    reference: reference.to_string(),
                    registry: r.registry(),
                });
                vec![]
            }
            Err(e) => vec![Effect::say(Level::Error, e.to_string())],
        }
    }

    fn dialog_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let dialog = self.dialog.as_mut()?;
        Some(match dialog.on_key(cx.keymap, key) {
            Outcome::Stay => vec![],
            Outcome::Close => {
                self.dialog = None;
                vec![]
            }
            Outcome::Send(effects) => effects,
            Outcome::Submit(Submitted::Send(cmds)) => {
                self.dialog = None;
                let mut effects = Vec::new();
                if let Some(Command::Pull { reference, .. } | Command::Push { reference }) =
                    cmds.first()
                {
                    let text = format!("{reference}: started — progress in the jobs pane (3)");
                    effects.push(Effect::info(text));
                }
                effects.extend(engine(cmds));
                effects
            }
            Outcome::Submit(Submitted::Add(entry)) => {
                self.dialog = None;
                let name = entry.name.clone();
                self.state.add(entry.clone());
                let mut effects = vec![
                    Effect::say(Level::Ok, format!("added registry {name}")),
                    Effect::Engine(Command::Registry(RegistryRequest::SaveRegistry(entry))),
                ];
                effects.extend(engine(self.state.open()));
                effects
            }
        })
    }

    fn action(&mut self, action: RegistryAction) -> Vec<Effect> {
        match action {
            RegistryAction::Open => return engine(self.state.open()),
            RegistryAction::Search => self.state.start_input(),
            RegistryAction::Pull => match self.state.pull_target() {
                Some(reference) => {
                    return vec![
                        Effect::info(format!(
                            "pulling {reference} — progress in the jobs pane (3)"
                        )),
                        Effect::Engine(Command::Pull {
                            reference,
                            platform: None,
                        }),
                    ];
                }
                None => return vec![Effect::info("select a search result or a tag to pull")],
            },
            RegistryAction::Add => {
                self.dialog = Some(RegistryDialog::AddRegistry {
                    url: Default::default(),
                    insecure: false,
                    field: 0,
                    error: None,
                });
            }
            RegistryAction::Login => {
                let (server, insecure) = self
                    .state
                    .entry()
                    .map_or((String::new(), false), |e| (e.url.clone(), e.insecure));
                self.dialog = Some(RegistryDialog::login(&server, insecure));
            }
        }
        vec![]
    }

    fn on_reply(&mut self, reply: &RegistryReply) -> Vec<Effect> {
        if let RegistryReply::Login { result, .. } = reply
            && let Some(dialog) = &mut self.dialog
            && dialog.on_login(result)
        {
            self.dialog = None;
        }
        match self.state.on_reply(reply.clone()) {
            Some(Ok(text)) => vec![Effect::say(Level::Ok, text)],
            Some(Err(text)) => vec![Effect::say(Level::Error, text)],
            None => vec![],
        }
    }
}

impl Pane for RegistryPane {
    fn on_key(&mut self, key: &KeyEvent, cx: &Cx<'_>) -> Option<Vec<Effect>> {
        if self.dialog.is_some() {
            return self.dialog_key(key, cx);
        }
        if cx.focused(PaneId::Registry) && self.state.input.is_some() {
            return Some(engine(self.state.on_input_key(key)));
        }
        None
    }

    fn on_action(&mut self, action: Action, _cx: &Cx<'_>) -> Option<Vec<Effect>> {
        let page = 10;
        match action {
            Action::Registry(a) => return Some(self.action(a)),
            Action::List(ListAction::Up) => self.state.move_by(-1),
            Action::List(ListAction::Down) => self.state.move_by(1),
            Action::List(ListAction::PageUp) => self.state.move_by(-page),
            Action::List(ListAction::PageDown) => self.state.move_by(page),
            Action::List(ListAction::Top) => self.state.move_by(isize::MIN / 2),
            Action::List(ListAction::Bottom) => self.state.move_by(isize::MAX / 2),
            Action::List(ListAction::Back) => self.state.back(),
            _ => return None,
        }
        Some(vec![])
    }

    fn on_engine(&mut self, event: &EngineEvent, _cx: &Cx<'_>) -> Vec<Effect> {
        match event {
            EngineEvent::Registry(reply) => self.on_reply(reply),
            EngineEvent::Connection(crate::engine::Connection::Connected(_)) => {
                engine(self.state.on_connected())
            }
            _ => vec![],
        }
    }

    fn on_focus(&mut self, _cx: &Cx<'_>) -> Vec<Effect> {
        engine(self.state.on_focus())
    }

    fn has_modal(&self) -> bool {
        self.dialog.is_some()
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::config::keymap::Keymap;
    use crate::registry::RegistryEntry;
    use crate::state::effect::commands;
    use crate::state::{AppState, Level};

    fn press(s: &mut AppState, code: KeyCode) -> Vec<Command> {
        commands(&s.on_key(
            &Keymap::defaults(),
            &KeyEvent::new(code, KeyModifiers::NONE),
        ))
    }

    fn engine_event(s: &mut AppState, ev: crate::engine::EngineEvent) {
        s.on_engine(&Keymap::defaults(), ev);
    }

    #[test]
    fn keys_drive_the_registry_pane_and_its_dialogs() {
        let mut s = AppState::default();
        assert_eq!(
            press(&mut s, KeyCode::Char('5')),
            vec![
                Command::Registry(RegistryRequest::LoadConfig),
                Command::Registry(RegistryRequest::Known)
            ]
        );
        assert_eq!(s.focus(), PaneId::Registry);
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
        assert!(s.panes.registry.dialog.is_none());
        // q while the pull dialog is open is typed, not quit.
        press(&mut s, KeyCode::Char('P'));
        press(&mut s, KeyCode::Char('q'));
        assert!(!s.quit);
        press(&mut s, KeyCode::Esc);
        // Esc goes up a level; L opens the login dialog for the selected registry.
        press(&mut s, KeyCode::Esc);
        assert_eq!(
            s.panes.registry.state.view,
            crate::state::registry::View::Registries
        );
        press(&mut s, KeyCode::Char('L'));
        assert!(matches!(
            &s.panes.registry.dialog,
            Some(RegistryDialog::Login { server, .. }) if server.text == "127.0.0.1:5000"
        ));
        engine_event(
            &mut s,
            crate::engine::EngineEvent::Registry(RegistryReply::Login {
                server: "127.0.0.1:5000".into(),
                result: Ok("logged in".into()),
            }),
        );
        assert!(s.panes.registry.dialog.is_none());
        assert!(matches!(&s.shared.message, Some((Level::Ok, m)) if m == "logged in"));
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
        engine_event(
            &mut s,
            crate::engine::EngineEvent::Inventory(Ok(crate::engine::Inventory {
                images: vec![image(&[])],
                containers: vec![],
            })),
        );
        press(&mut s, KeyCode::Char('u'));
        assert!(s.panes.registry.dialog.is_none());
        assert!(matches!(&s.shared.message, Some((Level::Info, m)) if m.contains("no tag")));
        engine_event(
            &mut s,
            crate::engine::EngineEvent::Inventory(Ok(crate::engine::Inventory {
                images: vec![image(&["127.0.0.1:5000/team/app:1"])],
                containers: vec![],
            })),
        );
        press(&mut s, KeyCode::Char('u'));
        assert!(matches!(
            &s.panes.registry.dialog,
            Some(RegistryDialog::Push { registry, .. }) if registry == "127.0.0.1:5000"
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
