//! Dialogs of the registry story: pull (reference + platform), push confirmation, login (password
//! masked, never in `Debug`), and adding a registry. Pure key handling.
use crossterm::event::{KeyCode, KeyEvent};

use super::input::TextInput;
use crate::engine::Command;
use crate::engine::registry::RegistryRequest;
use crate::registry::{Platform, Reference, RegistryEntry, Secret};

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

/// What a key did to a registry dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryOutcome {
    /// Stay open.
    Stay,
    /// Close.
    Close,
    /// Close and send.
    Submit(Vec<Command>),
    /// Stay open and send.
    Send(Vec<Command>),
    /// Close and add this registry.
    Add(RegistryEntry),
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

fn cycle(field: &mut usize, n: usize, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Tab | KeyCode::Down => *field = (*field + 1) % n,
        KeyCode::BackTab | KeyCode::Up => *field = (*field + n - 1) % n,
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

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> RegistryOutcome {
        if key.code == KeyCode::Esc {
            return RegistryOutcome::Close;
        }
        match self {
            RegistryDialog::Pull {
                reference,
                platform,
                field,
                error,
            } => {
                if key.code == KeyCode::Enter {
                    *error = validate_pull(&reference.text, &platform.text);
                    if error.is_none() {
                        let p = platform.text.trim();
                        return RegistryOutcome::Submit(vec![Command::Pull {
                            reference: reference.text.trim().to_string(),
                            platform: (!p.is_empty()).then(|| p.to_string()),
                        }]);
                    }
                } else if !cycle(field, 2, key) {
                    let input = if *field == 0 { reference } else { platform };
                    if input.handle(key) {
                        *error = None;
                    }
                }
                RegistryOutcome::Stay
            }
            RegistryDialog::Push { reference, .. } => match key.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    RegistryOutcome::Submit(vec![Command::Push {
                        reference: reference.clone(),
                    }])
                }
                KeyCode::Char('n') | KeyCode::Char('q') => RegistryOutcome::Close,
                _ => RegistryOutcome::Stay,
            },
            RegistryDialog::Login {
                server,
                username,
                password,
                insecure,
                field,
                error,
                pending,
            } => {
                if *pending {
                    return RegistryOutcome::Stay;
                }
                if key.code == KeyCode::Enter {
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
                        return RegistryOutcome::Stay;
                    }
                    *pending = true;
                    return RegistryOutcome::Send(vec![Command::Registry(
                        RegistryRequest::Login {
                            server: server.text.trim().to_string(),
                            username: username.text.trim().to_string(),
                            password: Secret::new(password.0.text.clone()),
                            insecure: *insecure,
                        },
                    )]);
                }
                if cycle(field, 4, key) {
                    return RegistryOutcome::Stay;
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
                        if matches!(key.code, KeyCode::Char(' ') | KeyCode::Char('x')) {
                            *insecure = !*insecure;
                        }
                    }
                }
                *error = None;
                RegistryOutcome::Stay
            }
            RegistryDialog::AddRegistry {
                url,
                insecure,
                field,
                error,
            } => {
                if key.code == KeyCode::Enter {
                    *error = validate_address(&url.text, *insecure);
                    if error.is_none() {
                        let address = url.text.trim().to_string();
                        return RegistryOutcome::Add(RegistryEntry {
                            name: super::registry::registry_host(&address).to_string(),
                            url: address,
                            insecure: *insecure,
                        });
                    }
                    return RegistryOutcome::Stay;
                }
                if cycle(field, 2, key) {
                    return RegistryOutcome::Stay;
                }
                if *field == 0 {
                    url.handle(key);
                } else if matches!(key.code, KeyCode::Char(' ') | KeyCode::Char('x')) {
                    *insecure = !*insecure;
                }
                *error = None;
                RegistryOutcome::Stay
            }
        }
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
#[path = "registry_dialog_tests.rs"]
mod tests;
