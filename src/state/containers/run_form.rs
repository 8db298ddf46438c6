//! The run dialog: fields of `docker run`, validated inline before anything is sent.
use crossterm::event::KeyEvent;

use crate::action::DialogAction;
use crate::engine::container_run::{
    RunSpec, parse_bind, parse_env, parse_port, parse_restart, split_words, validate_name,
};
use crate::state::widgets::input::TextInput;
use crate::state::widgets::outcome::DialogKey;

/// The dialog's fields, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `--name`.
    Name,
    /// Command (overrides CMD).
    Command,
    /// `--entrypoint`.
    Entrypoint,
    /// `-e KEY=value …`.
    Env,
    /// `-p host:container/proto …`.
    Ports,
    /// `-v source:/target[:ro] …`.
    Volumes,
    /// `--network`.
    Network,
    /// `--restart`.
    Restart,
    /// `--rm`.
    AutoRemove,
    /// `-d` (off: attached: the logs view opens on the new container, or with `-t -i` the
    /// terminal is handed to it).
    Detached,
    /// `-t -i`.
    Tty,
}

impl Field {
    /// All fields in order.
    pub const ALL: [Field; 11] = [
        Field::Name,
        Field::Command,
        Field::Entrypoint,
        Field::Env,
        Field::Ports,
        Field::Volumes,
        Field::Network,
        Field::Restart,
        Field::AutoRemove,
        Field::Detached,
        Field::Tty,
    ];

    /// The label shown left of the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Command => "Command",
            Field::Entrypoint => "Entrypoint",
            Field::Env => "Env",
            Field::Ports => "Ports",
            Field::Volumes => "Volumes",
            Field::Network => "Network",
            Field::Restart => "Restart",
            Field::AutoRemove => "--rm",
            Field::Detached => "Detached",
            Field::Tty => "TTY (-it)",
        }
    }

    /// A hint shown in an empty field.
    pub fn hint(self) -> &'static str {
        match self {
            Field::Name => "empty: the engine picks one",
            Field::Command => "empty: the image's CMD",
            Field::Entrypoint => "empty: the image's ENTRYPOINT",
            Field::Env => "KEY=value KEY2=\"with space\"",
            Field::Ports => "8080:80/tcp 127.0.0.1:5353:53/udp",
            Field::Volumes => "/host/dir:/data:ro volname:/cache",
            Field::Network => "none, host, bridge or a network name",
            Field::Restart => "no, always, unless-stopped, on-failure[:N]",
            _ => "",
        }
    }

    /// A yes/no field toggled with Space.
    pub fn is_toggle(self) -> bool {
        matches!(self, Field::AutoRemove | Field::Detached | Field::Tty)
    }
}

/// The run dialog's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunForm {
    /// Image reference or ID to run.
    pub image: String,
    /// Text of each text field, in [`Field::ALL`] order (toggles keep an empty input).
    pub inputs: Vec<TextInput>,
    /// `--rm`.
    pub auto_remove: bool,
    /// `-d`.
    pub detached: bool,
    /// `-it`.
    pub tty: bool,
    /// The field with the cursor.
    pub focus: usize,
    /// Per-field error, shown inline.
    pub errors: Vec<Option<String>>,
}

/// What the form knows about the engine to validate against.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    /// Existing container names.
    pub names: &'a [String],
    /// Existing network names (empty when not listed yet).
    pub networks: &'a [String],
}

impl RunForm {
    /// A form for `image`, defaulting to `--network none` and detached.
    pub fn new(image: &str) -> RunForm {
        let mut inputs = vec![TextInput::default(); Field::ALL.len()];
        inputs[Field::Network as usize] = TextInput::with("none");
        inputs[Field::Restart as usize] = TextInput::with("no");
        RunForm {
            image: image.to_string(),
            inputs,
            auto_remove: false,
            detached: true,
            tty: false,
            focus: 0,
            errors: vec![None; Field::ALL.len()],
        }
    }

    /// The text of a field.
    pub fn text(&self, f: Field) -> &str {
        self.inputs[f as usize].text.trim()
    }

    /// Sets a field's text (tests and paste).
    pub fn set(&mut self, f: Field, text: &str) {
        self.inputs[f as usize] = TextInput::with(text);
    }

    fn check(&self, f: Field, known: Known<'_>) -> Result<(), String> {
        let words = |f| split_words(self.text(f));
        match f {
            Field::Name => {
                let name = self.text(f);
                validate_name(name)?;
                if !name.is_empty() && known.names.iter().any(|n| n == name) {
                    return Err(format!("a container named {name:?} exists already"));
                }
            }
            Field::Command | Field::Entrypoint => {
                words(f)?;
            }
            Field::Env => {
                for w in words(f)? {
                    parse_env(&w)?;
                }
            }
            Field::Ports => {
                let mut seen = Vec::new();
                for w in words(f)? {
                    let p = parse_port(&w)?;
                    if let Some(hp) = p.host_port {
                        let key = (p.host_ip.clone(), hp, p.proto.clone());
                        if seen.contains(&key) {
                            return Err(format!("host port {hp}/{} is bound twice", p.proto));
                        }
                        seen.push(key);
                    }
                }
            }
            Field::Volumes => {
                for w in words(f)? {
                    parse_bind(&w)?;
                }
            }
            Field::Network => {
                let n = self.text(f);
                let builtin = matches!(n, "" | "none" | "host" | "bridge" | "default");
                let container = n
                    .strip_prefix("container:")
                    .is_some_and(|c| known.names.iter().any(|x| x == c));
                if !builtin && !container && !known.networks.iter().any(|x| x == n) {
                    return Err(format!("no network named {n:?}"));
                }
            }
            Field::Restart => {
                parse_restart(self.text(f))?;
                if self.auto_remove && !matches!(self.text(f), "" | "no") {
                    return Err("--rm cannot be combined with a restart policy".into());
                }
            }
            Field::AutoRemove | Field::Detached | Field::Tty => {}
        }
        Ok(())
    }

    /// Validates every field, storing the errors; returns whether all are valid.
    pub fn validate(&mut self, known: Known<'_>) -> bool {
        self.errors = Field::ALL
            .iter()
            .map(|f| self.check(*f, known).err())
            .collect();
        self.errors.iter().all(Option::is_none)
    }

    /// The spec to send; `None` (with errors stored and the first bad field focused) when invalid.
    pub fn spec(&mut self, known: Known<'_>) -> Option<RunSpec> {
        if !self.validate(known) {
            self.focus = self.errors.iter().position(Option::is_some).unwrap_or(0);
            return None;
        }
        let words = |f| split_words(self.text(f)).unwrap_or_default();
        let entry = self.text(Field::Entrypoint);
        Some(RunSpec {
            image: self.image.clone(),
            name: self.text(Field::Name).to_string(),
            cmd: words(Field::Command),
            entrypoint: (!entry.is_empty()).then(|| words(Field::Entrypoint)),
            env: words(Field::Env),
            ports: words(Field::Ports)
                .iter()
                .filter_map(|w| parse_port(w).ok())
                .collect(),
            binds: words(Field::Volumes),
            network: self.text(Field::Network).to_string(),
            restart: self.text(Field::Restart).to_string(),
            auto_remove: self.auto_remove,
            tty: self.tty,
            // `-it` without `-d`: the app attaches the terminal before starting it.
            create_only: self.tty && !self.detached,
        })
    }

    /// Handles a key that is not Enter/Esc; re-validates the edited field.
    pub fn on_key(&mut self, k: DialogKey, key: &KeyEvent, known: Known<'_>) {
        let n = Field::ALL.len();
        let field = Field::ALL[self.focus];
        match k {
            DialogKey::Action(DialogAction::NextField | DialogAction::Down) => {
                self.focus = (self.focus + 1) % n
            }
            DialogKey::Action(DialogAction::PrevField | DialogAction::Up) => {
                self.focus = (self.focus + n - 1) % n
            }
            DialogKey::Action(DialogAction::Toggle) if field.is_toggle() => {
                let flag = match field {
                    Field::AutoRemove => &mut self.auto_remove,
                    Field::Detached => &mut self.detached,
                    _ => &mut self.tty,
                };
                *flag = !*flag;
                self.errors[Field::Restart as usize] = self.check(Field::Restart, known).err();
            }
            _ if field.is_toggle() => {}
            _ => {
                if self.inputs[self.focus].handle(key) {
                    self.errors[self.focus] = self.check(field, known).err();
                }
            }
        }
    }

    /// Whether the focused field takes typed text.
    pub fn typing(&self) -> bool {
        !Field::ALL[self.focus].is_toggle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known<'a>(names: &'a [String], nets: &'a [String]) -> Known<'a> {
        Known {
            names,
            networks: nets,
        }
    }

    #[test]
    fn bad_fields_are_refused_inline() {
        let names = vec!["web".to_string()];
        let nets = vec!["none".to_string(), "mynet".to_string()];
        let mut f = RunForm::new("dh-busybox:1");
        f.set(Field::Name, "web");
        f.set(Field::Ports, "8080:80 99999:1");
        f.set(Field::Network, "nowhere");
        f.set(Field::Env, "NOEQUALS");
        assert!(f.spec(known(&names, &nets)).is_none());
        assert_eq!(f.focus, Field::Name as usize);
        assert!(
            f.errors[Field::Name as usize]
                .as_deref()
                .unwrap()
                .contains("exists")
        );
        assert!(f.errors[Field::Ports as usize].is_some());
        assert!(
            f.errors[Field::Network as usize]
                .as_deref()
                .unwrap()
                .contains("nowhere")
        );
        assert!(f.errors[Field::Env as usize].is_some());
        f.set(Field::Name, "web2");
        f.set(Field::Ports, "127.0.0.1:8080:80/udp");
        f.set(Field::Network, "mynet");
        f.set(Field::Env, "A=1 B=\"two words\"");
        f.set(Field::Command, "sh -c 'sleep 100'");
        let spec = f.spec(known(&names, &nets)).unwrap();
        assert_eq!(spec.name, "web2");
        assert_eq!(spec.cmd, vec!["sh", "-c", "sleep 100"]);
        assert_eq!(spec.env, vec!["A=1", "B=two words"]);
        assert_eq!(spec.ports[0].proto, "udp");
        assert_eq!(spec.entrypoint, None);
    }

    #[test]
    fn duplicate_host_ports_and_rm_with_restart_are_refused() {
        let mut f = RunForm::new("x");
        f.set(Field::Ports, "8080:80 8080:81");
        f.auto_remove = true;
        f.set(Field::Restart, "always");
        assert!(!f.validate(known(&[], &[])));
        assert!(f.errors[Field::Ports as usize].is_some());
        assert!(f.errors[Field::Restart as usize].is_some());
    }

    #[test]
    fn keys_move_edit_and_toggle() {
        use crate::state::widgets::outcome::dialog_key;
        use crossterm::event::KeyCode;
        use crossterm::event::KeyModifiers;
        let km = crate::config::keymap::Keymap::defaults();
        let mut f = RunForm::new("x");
        let press = |f: &mut RunForm, c| {
            let key = KeyEvent::new(c, KeyModifiers::NONE);
            f.on_key(dialog_key(&km, &key, f.typing()), &key, known(&[], &[]));
        };
        press(&mut f, KeyCode::Char('-'));
        assert!(f.errors[0].is_some());
        press(&mut f, KeyCode::Backspace);
        assert!(f.errors[0].is_none());
        f.focus = Field::AutoRemove as usize;
        press(&mut f, KeyCode::Char(' '));
        assert!(f.auto_remove);
        press(&mut f, KeyCode::BackTab);
        assert_eq!(f.focus, Field::Restart as usize);
    }
}
