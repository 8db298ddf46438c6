//! Dialogs of the containers pane: confirmations naming what goes, kill signal choice, rename,
//! prune preview, the run form and the inspect view. Pure key handling.
use crossterm::event::{KeyCode, KeyEvent};

use super::run_form::{Known, RunForm};
use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::container_run::validate_name;
use crate::engine::containers::{ContainerDetails, ContainerOp, SIGNALS};
use crate::engine::{Command, ContainerInfo};
use crate::state::effect::ExecRequest;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};
use crate::state::widgets::prompt::{Prompt, PromptKey};
use crate::state::widgets::scroll::Viewport;
use crate::state::widgets::text_view::scroll;
use crate::util::sanitize::sanitize;

/// A container named by a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// State text (`running`, `exited (0)`, …).
    pub state: String,
    /// Running, paused or restarting: removing it needs force.
    pub live: bool,
}

impl Target {
    /// From a listing row.
    pub fn of(c: &ContainerInfo) -> Target {
        Target {
            id: c.id.clone(),
            name: c.name.clone(),
            state: super::state_label(c),
            live: c.state.is_live(),
        }
    }
}

fn pairs(targets: &[Target]) -> Vec<(String, String)> {
    targets
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect()
}

/// An open dialog of the containers pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerDialog {
    /// Confirm removing containers; live ones need a second, force confirmation.
    Remove {
        /// What goes.
        targets: Vec<Target>,
        /// Second step reached.
        force_step: bool,
    },
    /// Choose a signal for kill.
    Kill {
        /// Who gets it.
        targets: Vec<Target>,
        /// Index into [`SIGNALS`].
        signal: usize,
    },
    /// Rename one container.
    Rename {
        /// The container.
        target: Target,
        /// The new name, checked as typed.
        prompt: Prompt,
    },
    /// Run a command in one running container (with a TTY, the TUI suspended).
    Exec {
        /// The container.
        target: Target,
        /// The command line, split like a shell would, checked as typed.
        prompt: Prompt,
    },
    /// Prune stopped containers: the preview is the list of what goes.
    Prune {
        /// Stopped containers that go.
        targets: Vec<Target>,
        /// Scroll of the list.
        view: Viewport,
    },
    /// The run form.
    Run(Box<RunForm>),
    /// The inspect view.
    Inspect {
        /// Container ID.
        id: String,
        /// The answer (an error text when inspect failed); `None` while loading.
        details: Option<Result<Box<ContainerDetails>, String>>,
        /// Show secret-looking env values.
        reveal: bool,
        /// Scroll of the text.
        view: Viewport,
    },
    /// Commit, export or diff.
    Offline(crate::state::offline::OfflineDialog),
}

/// What a submitted dialog of the containers pane hands its pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Send these commands.
    Send(Vec<Command>),
    /// Run this command in the container with the TUI suspended.
    Exec(ExecRequest),
    /// Run this spec (the run form; `attached` opens the logs of the new container).
    Run {
        /// The command.
        command: Command,
        /// Open the new container's logs when it appears.
        attached: bool,
    },
}

/// What a key did to a dialog of the containers pane.
pub type ContainerOutcome = Outcome<Submitted>;

fn send(cmd: Command) -> ContainerOutcome {
    Outcome::Submit(Submitted::Send(vec![cmd]))
}

/// Why a new name is refused (`current`: the container's own name).
fn check_name(text: &str, current: &str, known: &Known<'_>) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return Some("type the new name".into());
    }
    if let Err(e) = validate_name(text) {
        return Some(e);
    }
    (text != current && known.names.iter().any(|n| n == text))
        .then(|| format!("a container named {text:?} exists already"))
}

/// The words of a command line to exec, or why it is refused.
fn exec_words(text: &str) -> Result<Vec<String>, String> {
    match crate::engine::container_run::split_words(text) {
        Ok(w) if w.is_empty() => Err("type a command, e.g. /bin/sh".to_string()),
        other => other,
    }
}

/// Whether an environment variable's name looks like it holds a secret.
pub fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE",
        "CREDENTIAL",
        "AUTH",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|s| k.contains(s))
}

/// Text lines of the inspect view; secret-looking env values are masked unless `reveal`.
pub fn inspect_lines(d: &ContainerDetails, reveal: bool) -> Vec<String> {
    let s = |t: &str| sanitize(t);
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            sanitize(&v.join(" "))
        }
    };
    let mut out = vec![
        format!("Name:        {}", s(&d.name)),
        format!("ID:          {}", d.id),
        format!("Image:       {}", s(&d.image)),
        format!("Created:     {}", d.created),
        format!("State:       {}", s(&d.state)),
        format!(
            "Health:      {}",
            d.health.as_deref().map_or("no healthcheck".into(), s)
        ),
        String::new(),
        "Config".to_string(),
        format!("  Entrypoint:  {}", list(&d.entrypoint)),
        format!("  Command:     {}", list(&d.cmd)),
        format!("  WorkingDir:  {}", s(&d.working_dir)),
        format!("  User:        {}", s(&d.user)),
        format!("  TTY:         {}", d.tty),
        format!("  Restart:     {}", s(&d.restart_policy)),
        format!("  AutoRemove:  {}", d.auto_remove),
        String::new(),
        format!("Env ({})", d.env.len()),
    ];
    for e in &d.env {
        let (k, v) = e.split_once('=').unwrap_or((e, ""));
        let v = if !reveal && looks_secret(k) && !v.is_empty() {
            "•••••• (press r to reveal)".to_string()
        } else {
            s(v)
        };
        out.push(format!("  {}={v}", s(k)));
    }
    out.push(String::new());
    out.push(format!("Network mode: {}", s(&d.network_mode)));
    for (n, ip) in &d.networks {
        out.push(format!("  {} {}", s(n), ip));
    }
    out.push(format!("Ports ({})", d.port_bindings.len()));
    out.extend(d.port_bindings.iter().map(|p| format!("  {}", s(p))));
    out.push(format!("Mounts ({})", d.mounts.len()));
    out.extend(d.mounts.iter().map(|m| format!("  {}", s(m))));
    out.push(format!("Labels ({})", d.labels.len()));
    out.extend(d.labels.iter().map(|(k, v)| format!("  {}={}", s(k), s(v))));
    out
}

impl ContainerDialog {
    /// Whether a text field has the focus (printable keys are text).
    fn typing(&self) -> bool {
        match self {
            ContainerDialog::Rename { .. } | ContainerDialog::Exec { .. } => true,
            ContainerDialog::Run(form) => form.typing(),
            _ => false,
        }
    }

    /// Handles a key. `known` feeds the run form's and rename's validation.
    pub fn on_key(
        &mut self,
        keymap: &Keymap,
        key: &KeyEvent,
        known: Known<'_>,
    ) -> ContainerOutcome {
        if let ContainerDialog::Offline(d) = self {
            return match d.on_key(keymap, key) {
                Outcome::Stay => Outcome::Stay,
                Outcome::Close => Outcome::Close,
                Outcome::Send(effects) => Outcome::Send(effects),
                Outcome::Submit(effects) => Outcome::Submit(Submitted::Send(
                    effects
                        .into_iter()
                        .filter_map(|e| match e {
                            crate::state::effect::Effect::Engine(c) => Some(c),
                            _ => None,
                        })
                        .collect(),
                )),
            };
        }
        let k = dialog_key(keymap, key, self.typing());
        if k == DialogKey::Action(DialogAction::Cancel) {
            return Outcome::Close;
        }
        let yes = k == DialogKey::Action(DialogAction::Confirm);
        match self {
            ContainerDialog::Remove {
                targets,
                force_step,
            } => {
                if !yes {
                    return Outcome::Stay;
                }
                let live = targets.iter().any(|t| t.live);
                if live && !*force_step {
                    *force_step = true;
                    return Outcome::Stay;
                }
                send(Command::ContainerAction {
                    targets: pairs(targets),
                    op: ContainerOp::Remove { force: live },
                })
            }
            ContainerDialog::Kill { targets, signal } => {
                let n = SIGNALS.len();
                match k {
                    DialogKey::Action(DialogAction::Down | DialogAction::NextField) => {
                        *signal = (*signal + 1) % n;
                        Outcome::Stay
                    }
                    DialogKey::Action(DialogAction::Up | DialogAction::PrevField) => {
                        *signal = (*signal + n - 1) % n;
                        Outcome::Stay
                    }
                    _ if yes => send(Command::ContainerAction {
                        targets: pairs(targets),
                        op: ContainerOp::Kill {
                            signal: SIGNALS[*signal % n].to_string(),
                        },
                    }),
                    _ => Outcome::Stay,
                }
            }
            ContainerDialog::Rename { target, prompt } => {
                let check = |t: &str| check_name(t, &target.name, &known);
                match prompt.on_key(keymap, key, check) {
                    PromptKey::Submit(name) => send(Command::ContainerAction {
                        targets: vec![(target.id.clone(), target.name.clone())],
                        op: ContainerOp::Rename { name },
                    }),
                    PromptKey::Cancel => Outcome::Close,
                    _ => Outcome::Stay,
                }
            }
            ContainerDialog::Exec { target, prompt } => {
                match prompt.on_key(keymap, key, |t| exec_words(t).err()) {
                    PromptKey::Submit(text) => match exec_words(&text) {
                        Ok(cmd) => Outcome::Submit(Submitted::Exec(ExecRequest {
                            id: target.id.clone(),
                            name: target.name.clone(),
                            cmd,
                            attach: false,
                        })),
                        Err(_) => Outcome::Stay,
                    },
                    PromptKey::Cancel => Outcome::Close,
                    _ => Outcome::Stay,
                }
            }
            ContainerDialog::Prune { targets, view } => {
                if yes && !targets.is_empty() {
                    return send(Command::PruneContainers);
                }
                if yes {
                    return Outcome::Close;
                }
                if let DialogKey::Action(a) = k {
                    view.set_len(targets.len());
                    scroll(view, a);
                }
                Outcome::Stay
            }
            ContainerDialog::Run(form) => {
                if key.code == KeyCode::Enter {
                    return match form.spec(known) {
                        Some(spec) => Outcome::Submit(Submitted::Run {
                            command: Command::RunContainer(Box::new(spec)),
                            attached: !form.detached,
                        }),
                        None => Outcome::Stay,
                    };
                }
                form.on_key(k, key, known);
                Outcome::Stay
            }
            ContainerDialog::Inspect { reveal, view, .. } => {
                match k {
                    DialogKey::Text if key.code == KeyCode::Char('r') => *reveal = !*reveal,
                    DialogKey::Text if key.code == KeyCode::Char('i') => return Outcome::Close,
                    _ if yes => return Outcome::Close,
                    DialogKey::Action(a) => {
                        view.set_len(usize::MAX / 2);
                        scroll(view, a);
                    }
                    DialogKey::Text => {}
                }
                Outcome::Stay
            }
            // Handled above, before the keymap is read.
            ContainerDialog::Offline(_) => Outcome::Stay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    trait Press {
        fn press(&mut self, k: &KeyEvent, known: Known<'_>) -> ContainerOutcome;
    }

    impl Press for ContainerDialog {
        fn press(&mut self, k: &KeyEvent, known: Known<'_>) -> ContainerOutcome {
            self.on_key(&Keymap::defaults(), k, known)
        }
    }

    fn t(name: &str, live: bool) -> Target {
        Target {
            id: format!("id-{name}"),
            name: name.into(),
            state: if live { "running" } else { "exited (0)" }.into(),
            live,
        }
    }

    const NONE: Known<'static> = Known {
        names: &[],
        networks: &[],
    };

    #[test]
    fn removing_a_running_container_needs_force_confirmation() {
        let mut d = ContainerDialog::Remove {
            targets: vec![t("web", true), t("old", false)],
            force_step: false,
        };
        assert_eq!(d.press(&key(KeyCode::Char('y')), NONE), Outcome::Stay);
        let out = d.press(&key(KeyCode::Char('y')), NONE);
        assert_eq!(
            out,
            Outcome::Submit(Submitted::Send(vec![Command::ContainerAction {
                targets: vec![
                    ("id-web".into(), "web".into()),
                    ("id-old".into(), "old".into())
                ],
                op: ContainerOp::Remove { force: true }
            }]))
        );
        let mut d = ContainerDialog::Remove {
            targets: vec![t("old", false)],
            force_step: false,
        };
        assert!(matches!(
            d.press(&key(KeyCode::Enter), NONE),
            Outcome::Submit(Submitted::Send(c)) if c == vec![Command::ContainerAction {
                targets: vec![("id-old".into(), "old".into())],
                op: ContainerOp::Remove { force: false }
            }]
        ));
    }

    #[test]
    fn kill_cycles_signals() {
        let mut d = ContainerDialog::Kill {
            targets: vec![t("web", true)],
            signal: 0,
        };
        d.press(&key(KeyCode::Down), NONE);
        let out = d.press(&key(KeyCode::Enter), NONE);
        assert_eq!(
            out,
            Outcome::Submit(Submitted::Send(vec![Command::ContainerAction {
                targets: vec![("id-web".into(), "web".into())],
                op: ContainerOp::Kill {
                    signal: "SIGTERM".into()
                }
            }]))
        );
    }

    #[test]
    fn rename_refuses_taken_and_bad_names() {
        let names = vec!["db".to_string()];
        let known = Known {
            names: &names,
            networks: &[],
        };
        let mut d = ContainerDialog::Rename {
            target: t("web", true),
            prompt: Prompt::default(),
        };
        for c in "db".chars() {
            d.press(&key(KeyCode::Char(c)), known);
        }
        assert_eq!(d.press(&key(KeyCode::Enter), known), Outcome::Stay);
        d.press(&key(KeyCode::Char('2')), known);
        assert!(matches!(
            d.press(&key(KeyCode::Enter), known),
            Outcome::Submit(_)
        ));
    }

    #[test]
    fn prune_with_nothing_stopped_just_closes() {
        let mut d = ContainerDialog::Prune {
            targets: vec![],
            view: Viewport::default(),
        };
        assert_eq!(d.press(&key(KeyCode::Enter), NONE), Outcome::Close);
        let mut d = ContainerDialog::Prune {
            targets: vec![t("old", false)],
            view: Viewport::default(),
        };
        assert_eq!(
            d.press(&key(KeyCode::Char('y')), NONE),
            Outcome::Submit(Submitted::Send(vec![Command::PruneContainers]))
        );
    }

    #[test]
    fn secrets_are_masked_until_revealed() {
        let d = ContainerDetails {
            env: vec![
                "DB_PASSWORD=hunter2".into(),
                "GITHUB_TOKEN=abc".into(),
                "PATH=/bin".into(),
            ],
            ..Default::default()
        };
        let masked = inspect_lines(&d, false).join("\n");
        assert!(!masked.contains("hunter2"));
        assert!(!masked.contains("abc"));
        assert!(masked.contains("PATH=/bin"));
        let shown = inspect_lines(&d, true).join("\n");
        assert!(shown.contains("DB_PASSWORD=hunter2"));
        assert!(looks_secret("aws_secret_access_key"));
        assert!(!looks_secret("HOME"));
    }
}
