//! Dialogs of the registry story: pull (reference + platform), push confirmation, login (password
//! masked, never in `Debug`), and adding a registry. Pure key handling.
use crossterm::event::KeyEvent;

use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::Command;
use crate::engine::registry::RegistryRequest;
use crate::registry::{Platform, Reference, RegistryEntry, Secret};
use crate::state::effect::Effect;
use crate::state::widgets::input::TextInput;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};

/// A text input whose content is a secret: drawn as dots, redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MaskedInput(pub TextInput);

impl std::fmt::Debug for MaskedInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MaskedInput(<redacted>)")
    }
}

/// An open registry dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryDialog {
    /// Pull an image.
    Pull {
        /// Reference.
        reference: TextInput,
        /// Optional platform.
        platform: TextInput,
        /// Focused field: 0 reference, 1 platform.
        field: usize,
        /// Why the input is invalid.
        error: Option<String>,
    },
    /// Confirm a push.
    Push {
        /// The local tag.
        reference: String,
        /// Where it goes.
        registry: String,
    },
    /// Log in to a registry.
    Login {
        /// Registry address.
        server: TextInput,
        /// User name.
        username: TextInput,
        /// Password.
        password: MaskedInput,
        /// Plain HTTP / unchecked TLS.
        insecure: bool,
        /// Focused field: 0 server, 1 user, 2 password, 3 insecure.
        field: usize,
        /// Why the login failed or the input is invalid.
        error: Option<String>,
        /// Waiting for the registry's answer.
        pending: bool,
    },
    /// Add a registry to browse.
    AddRegistry {
        /// Address.
        url: TextInput,
        /// Plain HTTP / unchecked TLS.
        insecure: bool,
        /// Focused field: 0 address, 1 insecure.
        field: usize,
        /// Why the input is invalid.
        error: Option<String>,
    },
}

/// What a submitted registry dialog hands its pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Send these commands.
    Send(Vec<Command>),
    /// Add this registry.
    Add(RegistryEntry),
}

/// What a key did to a registry dialog.
pub type RegistryOutcome = Outcome<Submitted>;

fn send(cmd: Command) -> Vec<Effect> {
    vec![Effect::Engine(cmd)]
}

/// Checks a pull request as typed; `None` when it can be sent.
pub fn validate_pull(reference: &str, platform: &str) -> Option<String> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Some("type a reference, e.g. busybox:1.36 or 127.0.0.1:5000/team/app:1".into());
    }
    if let Err(e) = Reference::parse(reference) {
        return Some(e.to_string());
    }
    let platform = platform.trim();
    if !platform.is_empty()
        && let Err(e) = Platform::parse(platform)
    {
        return Some(e.to_string());
    }
    None
}

/// Checks a registry address as typed.
pub fn validate_address(url: &str, insecure: bool) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return Some("type an address, e.g. registry.lab:5000".into());
    }
    crate::registry::client::endpoint(url, insecure)
        .err()
        .map(|e| e.to_string())
}

/// Moves the focused field for a field action; returns whether it was one.
fn cycle(field: &mut usize, n: usize, key: DialogKey) -> bool {
    match key {
        DialogKey::Action(DialogAction::NextField | DialogAction::Down) => {
            *field = (*field + 1) % n
        }
        DialogKey::Action(DialogAction::PrevField | DialogAction::Up) => {
            *field = (*field + n - 1) % n
        }
        _ => return false,
    }
    true
}

impl RegistryDialog {
    /// The pull dialog, optionally prefilled.
    pub fn pull(reference: &str) -> RegistryDialog {
        RegistryDialog::Pull {
            reference: TextInput::with(reference),
            platform: TextInput::default(),
            field: 0,
            error: None,
        }
    }

    /// The login dialog for `server`.
    pub fn login(server: &str, insecure: bool) -> RegistryDialog {
        RegistryDialog::Login {
            server: TextInput::with(server),
            username: TextInput::default(),
            password: MaskedInput::default(),
            insecure,
            field: if server.is_empty() { 0 } else { 1 },
            error: None,
            pending: false,
        }
    }

    /// Whether the focused field takes typed text.
    fn typing(&self) -> bool {
        match self {
            RegistryDialog::Pull { .. } => true,
            RegistryDialog::Push { .. } => false,
            RegistryDialog::Login { field, .. } => *field < 3,
            RegistryDialog::AddRegistry { field, .. } => *field == 0,
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> RegistryOutcome {
        let k = dialog_key(keymap, key, self.typing());
        if k == DialogKey::Action(DialogAction::Cancel) {
            return Outcome::Close;
        }
        let confirm = k == DialogKey::Action(DialogAction::Confirm);
        match self {
            RegistryDialog::Pull {
                reference,
                platform,
                field,
                error,
            } => {
                if confirm {
                    *error = validate_pull(&reference.text, &platform.text);
                    if error.is_none() {
                        let p = platform.text.trim();
                        return Outcome::Submit(Submitted::Send(vec![Command::Pull {
                            reference: reference.text.trim().to_string(),
                            platform: (!p.is_empty()).then(|| p.to_string()),
                        }]));
                    }
                } else if !cycle(field, 2, k) {
                    let input = if *field == 0 { reference } else { platform };
                    if input.handle(key) {
                        *error = None;
                    }
                }
                Outcome::Stay
            }
            RegistryDialog::Push { reference, .. } if confirm => {
                Outcome::Submit(Submitted::Send(vec![Command::Push {
                    reference: reference.clone(),
                }]))
            }
            RegistryDialog::Push { .. } => Outcome::Stay,
            RegistryDialog::Login { .. } => self.login_key(k, key, confirm),
            RegistryDialog::AddRegistry {
                url,
                insecure,
                field,
                error,
            } => {
                if confirm {
                    *error = validate_address(&url.text, *insecure);
                    if error.is_none() {
                        let address = url.text.trim().to_string();
                        return Outcome::Submit(Submitted::Add(RegistryEntry {
                            name: super::registry_host(&address).to_string(),
                            url: address,
                            insecure: *insecure,
                        }));
                    }
                    return Outcome::Stay;
                }
                if cycle(field, 2, k) {
                    return Outcome::Stay;
                }
                if *field == 0 {
                    url.handle(key);
                } else if k == DialogKey::Action(DialogAction::Toggle) {
                    *insecure = !*insecure;
                }
                *error = None;
                Outcome::Stay
            }
        }
    }

    fn login_key(&mut self, k: DialogKey, key: &KeyEvent, confirm: bool) -> RegistryOutcome {
        let RegistryDialog::Login {
            server,
            username,
            password,
            insecure,
            field,
            error,
            pending,
        } = self
        else {
            return Outcome::Stay;
        };
        if *pending {
            return Outcome::Stay;
        }
        if confirm {
            *error = if server.text.trim().is_empty() {
                Some("type the registry address".into())
            } else if username.text.trim().is_empty() {
                Some("type a user name".into())
            } else if password.0.text.is_empty() {
                Some("type the password".into())
            } else {
                None
            };
            if error.is_some() {
                return Outcome::Stay;
            }
            *pending = true;
            return Outcome::Send(send(Command::Registry(RegistryRequest::Login {
                server: server.text.trim().to_string(),
                username: username.text.trim().to_string(),
                password: Secret::new(password.0.text.clone()),
                insecure: *insecure,
            })));
        }
        if cycle(field, 4, k) {
            return Outcome::Stay;
        }
        match field {
            0 => {
                server.handle(key);
            }
            1 => {
                username.handle(key);
            }
            2 => {
                password.0.handle(key);
            }
            _ => {
                if k == DialogKey::Action(DialogAction::Toggle) {
                    *insecure = !*insecure;
                }
            }
        }
        *error = None;
        Outcome::Stay
    }

    /// Applies the answer to a login sent from this dialog; true when the dialog should close.
    pub fn on_login(&mut self, result: &Result<String, String>) -> bool {
        let RegistryDialog::Login { error, pending, .. } = self else {
            return false;
        };
        *pending = false;
        match result {
            Ok(_) => true,
            Err(e) => {
                *error = Some(e.clone());
                false
            }
        }
    }
}

#[cfg(test)]
#[path = "dialogs_tests.rs"]
mod tests;
