//! The system prune dialog: stopped containers, unused networks, dangling or all unused images,
//! build cache and optionally volumes, with `until` and `label` filters. It lists exactly what
//! goes and the bytes it frees (the engine's plan for these options) before anything is sent.
use crossterm::event::KeyEvent;

use super::plan::{Plan, check_labels, check_optional_duration, optional_duration, parse_labels};
use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::disk_worker::DiskCommand;
use crate::engine::system_prune::{SystemPruneOptions, SystemPrunePlan};
use crate::engine::volumes::VolumePruneScope;
use crate::engine::{Command, EngineError};
use crate::state::effect::Effect;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};
use crate::state::widgets::prompt::{Prompt, PromptKey};
use crate::state::widgets::scroll::Viewport;
use crate::state::widgets::text_view::scroll;

/// The dialog's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SysField {
    /// Dangling or all unused images (and all build cache).
    #[default]
    Images,
    /// No volumes, anonymous ones, or all unused ones.
    Volumes,
    /// `until` filter.
    Until,
    /// `label` filters.
    Labels,
}

impl SysField {
    const ALL: [SysField; 4] = [
        SysField::Images,
        SysField::Volumes,
        SysField::Until,
        SysField::Labels,
    ];
}

/// Lines of a plan's list: a heading per kind and a line per object.
pub fn plan_lines(p: &SystemPrunePlan) -> usize {
    5 + p.containers.len()
        + p.networks.networks.len()
        + p.volumes.as_ref().map_or(0, |v| v.volumes.len() + 1)
        + p.images.images.len()
        + p.build_cache.records.len()
}

/// The system prune dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemPruneDialog {
    /// All unused images and all build cache (`-a`), else dangling images and unused cache.
    pub all: bool,
    /// Volumes too, with this scope (`--volumes`).
    pub volumes: Option<VolumePruneScope>,
    /// `until` filter (empty: none).
    pub until: Prompt,
    /// `label` filters (empty: none).
    pub labels: Prompt,
    /// The focused field.
    pub field: SysField,
    /// The plan for the current options.
    pub plan: Plan<Box<SystemPrunePlan>>,
    /// Scroll of the list.
    pub view: Viewport,
}

impl SystemPruneDialog {
    /// Opens the dialog with the CLI's defaults and asks for the plan.
    pub fn open() -> (SystemPruneDialog, Vec<Effect>) {
        let mut d = SystemPruneDialog {
            all: false,
            volumes: None,
            until: Prompt::new("", check_optional_duration),
            labels: Prompt::new("", check_labels),
            field: SysField::default(),
            plan: Plan::Loading,
            view: Viewport::default(),
        };
        let effects = d.preview();
        (d, effects)
    }

    /// The options the dialog would send, or why it cannot yet.
    pub fn options(&self) -> Result<SystemPruneOptions, String> {
        Ok(SystemPruneOptions {
            all: self.all,
            volumes: self.volumes,
            until: optional_duration(self.until.text())?,
            labels: parse_labels(self.labels.text())?,
        })
    }

    fn preview(&mut self) -> Vec<Effect> {
        self.view = Viewport::default();
        match self.options() {
            Ok(o) => {
                self.plan = Plan::Loading;
                vec![Effect::Engine(Command::Disk(
                    DiskCommand::SystemPrunePreview(o),
                ))]
            }
            Err(e) => {
                self.plan = Plan::Failed(e);
                vec![]
            }
        }
    }

    /// Takes a plan from the engine if it is the one for the current options.
    pub fn on_plan(&mut self, result: &Result<Box<SystemPrunePlan>, EngineError>) {
        match result {
            Ok(p) if self.options().as_ref() == Ok(&p.options) => {
                self.view.set_len(plan_lines(p));
                self.plan = Plan::Ready(p.clone());
            }
            Ok(_) => {}
            Err(e) => self.plan = Plan::Failed(e.to_string()),
        }
    }

    fn toggle(&mut self) -> Outcome {
        match self.field {
            SysField::Images => self.all = !self.all,
            SysField::Volumes => {
                self.volumes = match self.volumes {
                    None => Some(VolumePruneScope::Anonymous),
                    Some(VolumePruneScope::Anonymous) => Some(VolumePruneScope::All),
                    Some(VolumePruneScope::All) => None,
                }
            }
            SysField::Until | SysField::Labels => return Outcome::Stay,
        }
        Outcome::Send(self.preview())
    }

    fn move_field(&mut self, step: usize) {
        let all = SysField::ALL;
        let i = all.iter().position(|f| *f == self.field).unwrap_or(0);
        self.field = all[(i + step) % all.len()];
    }

    fn confirm(&self) -> Outcome {
        let Ok(opts) = self.options() else {
            return Outcome::Stay;
        };
        match &self.plan {
            Plan::Ready(p) if p.options == opts => Outcome::Submit(vec![Effect::Engine(
                Command::Disk(DiskCommand::SystemPrune(opts)),
            )]),
            _ => Outcome::Stay,
        }
    }

    fn dialog_action(&mut self, a: DialogAction) -> Outcome {
        match a {
            DialogAction::NextField => self.move_field(1),
            DialogAction::PrevField => self.move_field(SysField::ALL.len() - 1),
            DialogAction::Toggle => return self.toggle(),
            DialogAction::Confirm => return self.confirm(),
            DialogAction::Cancel => return Outcome::Close,
            other => {
                scroll(&mut self.view, other);
            }
        }
        Outcome::Stay
    }

    /// Handles a key.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        let prompt = match self.field {
            SysField::Until => Some((&mut self.until, check_optional_duration as fn(&str) -> _)),
            SysField::Labels => Some((&mut self.labels, check_labels as fn(&str) -> _)),
            _ => None,
        };
        let Some((prompt, check)) = prompt else {
            return match dialog_key(keymap, key, false) {
                DialogKey::Action(a) => self.dialog_action(a),
                DialogKey::Text => Outcome::Stay,
            };
        };
        match prompt.on_key(keymap, key, check) {
            PromptKey::Edited => Outcome::Send(self.preview()),
            PromptKey::Submit(_) => self.confirm(),
            PromptKey::Refused => Outcome::Stay,
            PromptKey::Cancel => Outcome::Close,
            PromptKey::Other(DialogKey::Action(a)) => self.dialog_action(a),
            PromptKey::Other(DialogKey::Text) => Outcome::Stay,
        }
    }
}
