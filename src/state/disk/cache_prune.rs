//! The build-cache prune dialog: prune unused, all, unused older than a duration, or down to a
//! storage budget; each choice shows the engine's exact preview before anything is sent.
use crossterm::event::KeyEvent;

use super::plan::{Plan, check_duration, check_size, parse_duration, parse_size};
use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::Command;
use crate::engine::EngineError;
use crate::engine::buildcache::{BuildCachePlan, BuilderPruneOptions};
use crate::engine::disk_worker::DiskCommand;
use crate::state::effect::Effect;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};
use crate::state::widgets::prompt::{Prompt, PromptKey};
use crate::state::widgets::scroll::Viewport;
use crate::state::widgets::text_view::scroll;

/// Which records go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheMode {
    /// Records no build holds and no image shares (`docker builder prune`).
    #[default]
    Unused,
    /// Every record (`docker builder prune --all`).
    All,
    /// Unused records not used for a while (`--filter until=24h`).
    OlderThan,
    /// Unused records until the cache fits a budget (`--keep-storage`).
    Budget,
}

impl CacheMode {
    /// Every mode, in Tab order.
    pub const ALL: [CacheMode; 4] = [
        CacheMode::Unused,
        CacheMode::All,
        CacheMode::OlderThan,
        CacheMode::Budget,
    ];

    /// Its name in the dialog.
    pub fn label(self) -> &'static str {
        match self {
            CacheMode::Unused => "unused",
            CacheMode::All => "all",
            CacheMode::OlderThan => "unused older than",
            CacheMode::Budget => "keep a budget",
        }
    }
}

/// The build-cache prune dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachePrune {
    /// Which records go.
    pub mode: CacheMode,
    /// The duration of [`CacheMode::OlderThan`].
    pub until: Prompt,
    /// The budget of [`CacheMode::Budget`].
    pub budget: Prompt,
    /// The preview of the current options.
    pub plan: Plan<BuildCachePlan>,
    /// Scroll of the record list.
    pub view: Viewport,
}

impl CachePrune {
    /// Opens the dialog on `mode` and asks for its preview.
    pub fn open(mode: CacheMode) -> (CachePrune, Vec<Effect>) {
        let mut d = CachePrune {
            mode,
            until: Prompt::new("24h", check_duration),
            budget: Prompt::new("1GB", check_size),
            plan: Plan::Loading,
            view: Viewport::default(),
        };
        let effects = d.preview();
        (d, effects)
    }

    /// The options the dialog would send, or why it cannot yet.
    pub fn options(&self) -> Result<BuilderPruneOptions, String> {
        Ok(match self.mode {
            CacheMode::Unused => BuilderPruneOptions::default(),
            CacheMode::All => BuilderPruneOptions {
                all: true,
                ..Default::default()
            },
            CacheMode::OlderThan => BuilderPruneOptions {
                until: Some(parse_duration(self.until.text())?),
                ..Default::default()
            },
            CacheMode::Budget => BuilderPruneOptions {
                keep_storage: Some(parse_size(self.budget.text())?),
                ..Default::default()
            },
        })
    }

    /// The prompt of the current mode, if it has one.
    pub fn prompt(&self) -> Option<&Prompt> {
        match self.mode {
            CacheMode::OlderThan => Some(&self.until),
            CacheMode::Budget => Some(&self.budget),
            _ => None,
        }
    }

    fn preview(&mut self) -> Vec<Effect> {
        self.view = Viewport::default();
        match self.options() {
            Ok(o) => {
                self.plan = Plan::Loading;
                vec![Effect::Engine(Command::Disk(
                    DiskCommand::BuildCachePreview(o),
                ))]
            }
            Err(e) => {
                self.plan = Plan::Failed(e);
                vec![]
            }
        }
    }

    /// Takes a preview from the engine if it is the one for the current options.
    pub fn on_plan(&mut self, result: &Result<BuildCachePlan, EngineError>) {
        match result {
            Ok(p) if self.options().as_ref() == Ok(&p.options) => {
                self.view.set_len(p.records.len());
                self.plan = Plan::Ready(p.clone());
            }
            Ok(_) => {}
            Err(e) => self.plan = Plan::Failed(e.to_string()),
        }
    }

    fn cycle(&mut self, step: usize) -> Outcome {
        let all = CacheMode::ALL;
        let i = all.iter().position(|m| *m == self.mode).unwrap_or(0);
        self.mode = all[(i + step) % all.len()];
        Outcome::Send(self.preview())
    }

    fn confirm(&self) -> Outcome {
        let Ok(opts) = self.options() else {
            return Outcome::Stay;
        };
        match &self.plan {
            Plan::Ready(p) if p.options == opts && p.records.is_empty() => Outcome::Close,
            Plan::Ready(p) if p.options == opts => Outcome::Submit(vec![Effect::Engine(
                Command::Disk(DiskCommand::PruneBuildCache(opts)),
            )]),
            _ => Outcome::Stay,
        }
    }

    fn dialog_action(&mut self, a: DialogAction) -> Outcome {
        match a {
            DialogAction::NextField => self.cycle(1),
            DialogAction::PrevField => self.cycle(CacheMode::ALL.len() - 1),
            DialogAction::Confirm => self.confirm(),
            DialogAction::Cancel => Outcome::Close,
            other => {
                scroll(&mut self.view, other);
                Outcome::Stay
            }
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome {
        let prompt = match self.mode {
            CacheMode::OlderThan => Some((&mut self.until, check_duration as fn(&str) -> _)),
            CacheMode::Budget => Some((&mut self.budget, check_size as fn(&str) -> _)),
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
