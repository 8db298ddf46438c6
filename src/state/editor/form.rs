//! The editor's build form (Ctrl-b): what `Command::BuildWith` will send — builder, tags,
//! context, args, target, network, secrets, platform, labels, cache sources, pull, no-cache —
//! and how much progress to show, each field validated inline as it is typed.
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent};

use super::build::ContextSize;
use crate::action::DialogAction;
use crate::config::keymap::Keymap;
use crate::engine::build::{
    BuildOptions, BuildRequest, BuildSecret, BuilderChoice, NetworkMode, parse_secret,
};
use crate::engine::container_run::split_words;
use crate::state::effect::{Effect, FileOp};
use crate::state::widgets::input::TextInput;
use crate::state::widgets::outcome::{DialogKey, Outcome, dialog_key};

/// The form's fields, in the order Tab visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Tags, separated by spaces or commas.
    Tags,
    /// Which builder (a choice).
    Builder,
    /// Context directory.
    Context,
    /// `KEY=VALUE` build args.
    Args,
    /// Target stage.
    Target,
    /// RUN steps' network (a choice).
    Network,
    /// Secrets: `id=ID,src=FILE` or `id=ID,env=VAR`, separated by spaces.
    Secrets,
    /// Target platform.
    Platform,
    /// `KEY=VALUE` image labels.
    Labels,
    /// Images to take cache from.
    CacheFrom,
    /// How much progress to show (a choice).
    Detail,
    /// Always pull base images (a toggle).
    Pull,
    /// Ignore the cache (a toggle).
    NoCache,
}

impl Field {
    /// All fields in order.
    pub const ALL: [Field; 13] = [
        Field::Tags,
        Field::Builder,
        Field::Context,
        Field::Args,
        Field::Target,
        Field::Network,
        Field::Secrets,
        Field::Platform,
        Field::Labels,
        Field::CacheFrom,
        Field::Detail,
        Field::Pull,
        Field::NoCache,
    ];

    /// The label left of the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Tags => "Tags",
            Field::Builder => "Builder",
            Field::Context => "Context",
            Field::Args => "Build args",
            Field::Target => "Target",
            Field::Network => "Network",
            Field::Secrets => "Secrets",
            Field::Platform => "Platform",
            Field::Labels => "Labels",
            Field::CacheFrom => "Cache from",
            Field::Detail => "Progress",
            Field::Pull => "Pull",
            Field::NoCache => "No cache",
        }
    }

    /// A hint shown in an empty text field.
    pub fn hint(self) -> &'static str {
        match self {
            Field::Tags => "app:dev registry:5000/team/app:1",
            Field::Context => "the directory sent to the builder",
            Field::Args => "KEY=value KEY2=\"with space\"",
            Field::Target => "empty: the last stage",
            Field::Secrets => "id=tok,src=./token id=npm,env=NPM_TOKEN (BuildKit)",
            Field::Platform => "empty: the engine's; linux/amd64, linux/arm64/v8",
            Field::Labels => "org.opencontainers.image.version=1.2",
            Field::CacheFrom => "e.g. registry:5000/app:cache",
            _ => "",
        }
    }

    /// Whether the field is typed into (the others change with Space or ←/→).
    pub fn is_text(self) -> bool {
        !matches!(
            self,
            Field::Builder | Field::Network | Field::Detail | Field::Pull | Field::NoCache
        )
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// How much of the build's progress the editor shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// The step graph: each step's state, time and last output lines.
    #[default]
    Steps,
    /// Every output line, like `--progress=plain`.
    Plain,
    /// Only the line marks and a status line.
    Quiet,
}

impl Detail {
    /// Its name in the form.
    pub fn name(self) -> &'static str {
        match self {
            Detail::Steps => "steps (graph with each step's output)",
            Detail::Plain => "plain (every output line)",
            Detail::Quiet => "quiet (line marks only)",
        }
    }

    fn next(self) -> Detail {
        match self {
            Detail::Steps => Detail::Plain,
            Detail::Plain => Detail::Quiet,
            Detail::Quiet => Detail::Steps,
        }
    }
}

/// What the form hands the editor when submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// What to build.
    pub request: BuildRequest,
    /// Builder, secrets, platform, labels, pull, cache sources.
    pub options: BuildOptions,
    /// How much progress to show.
    pub detail: Detail,
}

/// The build form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildForm {
    /// The Dockerfile being built.
    pub dockerfile: PathBuf,
    /// Stage names of the Dockerfile (for the target check).
    pub stages: Vec<String>,
    /// Text of each field in [`Field::ALL`] order (choices and toggles keep an empty input).
    pub inputs: Vec<TextInput>,
    /// Which builder.
    pub builder: BuilderChoice,
    /// RUN steps' network.
    pub network: NetworkMode,
    /// Progress detail.
    pub detail: Detail,
    /// Always pull.
    pub pull: bool,
    /// Ignore the cache.
    pub no_cache: bool,
    /// The field with the cursor.
    pub field: Field,
    /// Per-field errors in [`Field::ALL`] order, shown inline.
    pub errors: Vec<Option<String>>,
    /// Context size for the directory in the context field.
    pub size: ContextSize,
}

/// `KEY=VALUE` words.
fn pairs(text: &str, what: &str) -> Result<Vec<(String, String)>, String> {
    split_words(text)?
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(format!("{what} {w:?} is not KEY=VALUE")),
        })
        .collect()
}

fn platform_ok(p: &str) -> bool {
    let parts: Vec<&str> = p.split('/').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

impl BuildForm {
    /// A form for `dockerfile` (its directory as the context) with the file's stage names;
    /// the cursor starts on Tags.
    pub fn new(dockerfile: &Path, stages: Vec<String>) -> BuildForm {
        let dir = dockerfile
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut inputs = vec![TextInput::default(); Field::ALL.len()];
        inputs[Field::Context.index()] = TextInput::with(&dir.display().to_string());
        BuildForm {
            dockerfile: dockerfile.to_path_buf(),
            stages,
            inputs,
            builder: BuilderChoice::Auto,
            network: NetworkMode::Default,
            detail: Detail::Steps,
            pull: false,
            no_cache: false,
            field: Field::Tags,
            errors: vec![None; Field::ALL.len()],
            size: ContextSize::Unknown,
        }
    }

    /// The trimmed text of a field.
    pub fn text(&self, f: Field) -> &str {
        self.inputs[f.index()].text.trim()
    }

    /// The input of a field.
    pub fn input(&self, f: Field) -> &TextInput {
        &self.inputs[f.index()]
    }

    /// Sets a field's text (tests).
    pub fn set(&mut self, f: Field, text: &str) {
        self.inputs[f.index()] = TextInput::with(text);
    }

    /// The error shown beside a field.
    pub fn error(&self, f: Field) -> Option<&str> {
        self.errors[f.index()].as_deref()
    }

    /// The context directory.
    pub fn context(&self) -> PathBuf {
        PathBuf::from(self.text(Field::Context))
    }

    fn tags(&self) -> Result<Vec<String>, String> {
        let tags: Vec<String> = self
            .text(Field::Tags)
            .split([' ', ','])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        for t in &tags {
            if let Some(e) = crate::state::images::dialogs::validate_tag(t) {
                return Err(format!("tag {t}: {e}"));
            }
        }
        Ok(tags)
    }

    fn secrets(&self) -> Result<Vec<BuildSecret>, String> {
        let secrets = split_words(self.text(Field::Secrets))?
            .iter()
            .map(|w| parse_secret(w))
            .collect::<Result<Vec<_>, _>>()?;
        if !secrets.is_empty() && self.builder == BuilderChoice::Classic {
            return Err("secrets need BuildKit: set Builder to auto or BuildKit".into());
        }
        Ok(secrets)
    }

    fn check(&self, f: Field) -> Result<(), String> {
        match f {
            Field::Tags => self.tags().map(drop),
            Field::Context => match (&self.size, self.text(f).is_empty()) {
                (_, true) => Err("type the context directory".into()),
                (ContextSize::Failed(e), _) => Err(e.clone()),
                _ => Ok(()),
            },
            Field::Args => pairs(self.text(f), "build arg").map(drop),
            Field::Labels => pairs(self.text(f), "label").map(drop),
            Field::Target => {
                let t = self.text(f).to_ascii_lowercase();
                if t.is_empty() || self.stages.contains(&t) {
                    Ok(())
                } else if self.stages.is_empty() {
                    Err("the Dockerfile names no stage (FROM … AS name)".into())
                } else {
                    Err(format!("no stage {t:?}: {}", self.stages.join(", ")))
                }
            }
            Field::Secrets => self.secrets().map(drop),
            Field::Platform => {
                let p = self.text(f);
                if p.is_empty() || platform_ok(p) {
                    Ok(())
                } else {
                    Err(format!("{p:?} is not os/arch[/variant]"))
                }
            }
            Field::CacheFrom => {
                for r in split_words(self.text(f))? {
                    if let Some(e) = crate::state::images::dialogs::validate_tag(&r) {
                        return Err(format!("{r}: {e}"));
                    }
                }
                Ok(())
            }
            Field::Builder | Field::Network | Field::Detail | Field::Pull | Field::NoCache => {
                Ok(())
            }
        }
    }

    /// Validates every field, storing the errors; returns whether all are valid.
    pub fn validate(&mut self) -> bool {
        self.errors = Field::ALL.iter().map(|f| self.check(*f).err()).collect();
        self.errors.iter().all(Option::is_none)
    }

    /// What the form sends, or `None` (errors stored, the first bad field focused).
    pub fn submit(&mut self) -> Option<Submitted> {
        if !self.validate() {
            let first = self.errors.iter().position(Option::is_some).unwrap_or(0);
            self.field = Field::ALL[first];
            return None;
        }
        let words = |f| split_words(self.text(f)).unwrap_or_default();
        let platform = self.text(Field::Platform);
        let network = match self.network {
            NetworkMode::Default => "",
            NetworkMode::Host => "host",
            NetworkMode::None => "none",
        };
        Some(Submitted {
            request: BuildRequest {
                dockerfile: self.dockerfile.clone(),
                context: self.context(),
                tags: self.tags().unwrap_or_default(),
                build_args: pairs(self.text(Field::Args), "").unwrap_or_default(),
                target: self.text(Field::Target).to_string(),
                no_cache: self.no_cache,
                network: network.to_string(),
            },
            options: BuildOptions {
                builder: self.builder,
                secrets: self.secrets().unwrap_or_default(),
                platform: (!platform.is_empty()).then(|| platform.to_string()),
                labels: pairs(self.text(Field::Labels), "").unwrap_or_default(),
                pull: self.pull,
                cache_from: words(Field::CacheFrom),
            },
            detail: self.detail,
        })
    }

    fn cycle(&mut self) {
        match self.field {
            Field::Builder => {
                self.builder = match self.builder {
                    BuilderChoice::Auto => BuilderChoice::BuildKit,
                    BuilderChoice::BuildKit => BuilderChoice::Classic,
                    BuilderChoice::Classic => BuilderChoice::Auto,
                };
                self.errors[Field::Secrets.index()] = self.check(Field::Secrets).err();
            }
            Field::Network => {
                self.network = match self.network {
                    NetworkMode::Default => NetworkMode::Host,
                    NetworkMode::Host => NetworkMode::None,
                    NetworkMode::None => NetworkMode::Default,
                }
            }
            Field::Detail => self.detail = self.detail.next(),
            Field::Pull => self.pull = !self.pull,
            Field::NoCache => self.no_cache = !self.no_cache,
            _ => {}
        }
    }

    fn step(&mut self, forward: bool) {
        let n = Field::ALL.len();
        let i = self.field.index();
        self.field = Field::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// The context plan the form needs (sent when the context field changes).
    pub fn plan(&self) -> Effect {
        Effect::File(FileOp::PlanContext {
            dir: self.context(),
            dockerfile: self.dockerfile.clone(),
        })
    }

    /// The context was planned.
    pub fn planned(&mut self, size: ContextSize) {
        self.size = size;
        self.errors[Field::Context.index()] = self.check(Field::Context).err();
    }

    /// Applies a key.
    pub fn on_key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Outcome<Submitted> {
        let typing = self.field.is_text();
        match dialog_key(keymap, key, typing) {
            DialogKey::Action(DialogAction::Confirm) => match self.submit() {
                Some(s) => Outcome::Submit(s),
                None => Outcome::Stay,
            },
            DialogKey::Action(DialogAction::Cancel) => Outcome::Close,
            DialogKey::Action(DialogAction::NextField | DialogAction::Down) => {
                self.step(true);
                Outcome::Stay
            }
            DialogKey::Action(DialogAction::PrevField | DialogAction::Up) => {
                self.step(false);
                Outcome::Stay
            }
            DialogKey::Action(DialogAction::Toggle) if !typing => {
                self.cycle();
                Outcome::Stay
            }
            _ if !typing => {
                if matches!(key.code, KeyCode::Left | KeyCode::Right) {
                    self.cycle();
                }
                Outcome::Stay
            }
            _ => {
                let f = self.field;
                let before = self.inputs[f.index()].text.clone();
                self.inputs[f.index()].handle(key);
                if self.inputs[f.index()].text == before {
                    return Outcome::Stay;
                }
                if f == Field::Context {
                    self.size = ContextSize::Unknown;
                }
                self.errors[f.index()] = self.check(f).err();
                if f == Field::Context {
                    return Outcome::Send(vec![self.plan()]);
                }
                Outcome::Stay
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::build::SecretSource;
    use crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn typed(form: &mut BuildForm, km: &Keymap, text: &str) {
        for c in text.chars() {
            form.on_key(km, &key(KeyCode::Char(c)));
        }
    }

    fn planned() -> ContextSize {
        ContextSize::Planned {
            files: 1,
            bytes: 1,
            tar: 1024,
            ignored: 0,
        }
    }

    #[test]
    fn opens_on_tags_and_sends_every_field() {
        let km = Keymap::defaults();
        let mut f = BuildForm::new(Path::new("/src/app/Dockerfile"), vec!["build".into()]);
        f.planned(planned());
        assert_eq!(f.field, Field::Tags);
        typed(&mut f, &km, "app:dev");
        f.on_key(&km, &key(KeyCode::Tab));
        assert_eq!(f.field, Field::Builder);
        f.on_key(&km, &key(KeyCode::Char(' ')));
        assert_eq!(f.builder, BuilderChoice::BuildKit);
        f.set(Field::Args, "A=1 B=\"two words\"");
        f.set(Field::Target, "build");
        f.set(Field::Secrets, "id=tok,src=/run/tok id=npm,env=NPM");
        f.set(Field::Platform, "linux/amd64");
        f.set(Field::Labels, "team=core");
        f.set(Field::CacheFrom, "app:cache");
        f.field = Field::Network;
        f.on_key(&km, &key(KeyCode::Char(' ')));
        f.field = Field::Pull;
        f.on_key(&km, &key(KeyCode::Char('x')));
        f.field = Field::Detail;
        f.on_key(&km, &key(KeyCode::Right));
        let Outcome::Submit(s) = f.on_key(&km, &key(KeyCode::Enter)) else {
            panic!("{:?}", f.errors)
        };
        assert_eq!(s.request.tags, vec!["app:dev"]);
        assert_eq!(s.request.context, PathBuf::from("/src/app"));
        assert_eq!(
            s.request.build_args,
            vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
        assert_eq!(s.request.target, "build");
        assert_eq!(s.request.network, "host");
        assert_eq!(s.options.builder, BuilderChoice::BuildKit);
        assert_eq!(s.options.secrets.len(), 2);
        assert_eq!(s.options.secrets[1].source, SecretSource::Env("NPM".into()));
        assert_eq!(s.options.platform.as_deref(), Some("linux/amd64"));
        assert_eq!(s.options.labels, vec![("team".into(), "core".into())]);
        assert!(s.options.pull);
        assert_eq!(s.options.cache_from, vec!["app:cache"]);
        assert_eq!(s.detail, Detail::Plain);
    }

    #[test]
    fn bad_fields_say_why_inline_and_nothing_is_sent() {
        let km = Keymap::defaults();
        let mut f = BuildForm::new(Path::new("Dockerfile"), vec![]);
        f.planned(planned());
        f.set(Field::Target, "nope");
        f.set(Field::Platform, "amd64");
        f.set(Field::Secrets, "src=/x");
        assert_eq!(f.on_key(&km, &key(KeyCode::Enter)), Outcome::Stay);
        assert_eq!(
            f.field,
            Field::Target,
            "the first bad field gets the cursor"
        );
        assert!(f.error(Field::Target).unwrap().contains("names no stage"));
        assert!(f.error(Field::Platform).unwrap().contains("os/arch"));
        assert!(f.error(Field::Secrets).unwrap().contains("id=ID"));
        // Secrets with the classic builder are refused as the builder changes.
        f.set(Field::Target, "");
        f.set(Field::Platform, "");
        f.set(Field::Secrets, "id=tok,src=/run/secret-file");
        f.field = Field::Builder;
        f.on_key(&km, &key(KeyCode::Char(' ')));
        f.on_key(&km, &key(KeyCode::Char(' ')));
        assert_eq!(f.builder, BuilderChoice::Classic);
        assert!(f.error(Field::Secrets).unwrap().contains("need BuildKit"));
        f.on_key(&km, &key(KeyCode::Char(' ')));
        assert_eq!(f.builder, BuilderChoice::Auto);
        let sent = f.submit().expect("valid with auto");
        assert!(!format!("{sent:?}").contains("secret-file"));
        // Typing in the context asks for a new plan.
        f.field = Field::Context;
        let out = f.on_key(&km, &key(KeyCode::Char('x')));
        assert!(matches!(out, Outcome::Send(ref e) if e.len() == 1));
        assert_eq!(f.size, ContextSize::Unknown);
        assert_eq!(f.on_key(&km, &key(KeyCode::Esc)), Outcome::Close);
    }
}
