//! Keymaps: embedded defaults (`assets/keymap-default.toml`) merged with the user's file.
//!
//! A user binding replaces the default binding of the same key in the same section. A key bound twice
//! in one section of the same file is a clash and is reported, never silently resolved.
use std::collections::HashMap;

use serde::Deserialize;

use super::key::Key;
use crate::action::Action;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// Everywhere, unless the focused pane binds the key itself.
    Global,
    /// The images pane.
    Images,
    /// The layers pane.
    Layers,
    /// The jobs pane.
    Jobs,
    /// The layer explorer.
    Explorer,
    /// The registry pane.
    Registry,
    /// The Dockerfile editor (only its own section applies; other keys type text).
    Editor,
    /// The containers pane.
    Containers,
    /// Dialogs and prompts (only their own section applies; no fallback to the global one).
    Dialog,
    /// The engines pane.
    Engines,
    /// The disk-usage pane.
    Disk,
    /// The volumes pane.
    Volumes,
    /// The networks pane.
    Networks,
}

impl Context {
    /// Sections in help order.
    pub const ALL: [Context; 13] = [
        Context::Images,
        Context::Layers,
        Context::Jobs,
        Context::Explorer,
        Context::Registry,
        Context::Editor,
        Context::Containers,
        Context::Dialog,
        Context::Global,
        Context::Engines,
        Context::Disk,
        Context::Volumes,
        Context::Networks,
    ];

    /// A title for help.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Images => "Images",
            Context::Layers => "Layers",
            Context::Jobs => "Jobs",
            Context::Explorer => "Explorer",
            Context::Registry => "Registry",
            Context::Editor => "Editor",
            Context::Containers => "Containers",
            Context::Dialog => "Dialogs",
            Context::Engines => "Engines",
            Context::Disk => "Disk",
            Context::Volumes => "Volumes",
            Context::Networks => "Networks",
        }
    }
}

/// One binding: keys, what they do, and the help text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Keys that trigger it.
    pub keys: Vec<Key>,
    /// The action.
    pub action: Action,
    /// Help text.
    pub desc: String,
}

#[derive(Debug, Deserialize)]
struct RawBinding {
    keys: Vec<String>,
    action: Action,
    #[serde(default)]
    desc: Option<String>,
}

/// A keymap file: one array of bindings per section (`[[global]]`, `[[images]]`, …).
type RawKeymap = HashMap<Context, Vec<RawBinding>>;

/// Errors in a keymap file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeymapError {
    /// The TOML is malformed or names an unknown action.
    #[error("keymap {origin}: {message}")]
    Syntax {
        /// Which file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// An unknown key name.
    #[error("keymap {origin}: {message}")]
    Key {
        /// Which file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A key bound twice in one section.
    #[error("keymap {origin}: key {key} is bound twice in [{section}]: {first:?} and {second:?}")]
    Clash {
        /// Which file.
        origin: String,
        /// Section name.
        section: String,
        /// The key.
        key: String,
        /// First action.
        first: Action,
        /// Second action.
        second: Action,
    },
}

/// The resolved keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    sections: HashMap<Context, Vec<Binding>>,
}

const DEFAULT: &str = include_str!("../../assets/keymap-default.toml");

fn parse(text: &str, origin: &str) -> Result<HashMap<Context, Vec<Binding>>, KeymapError> {
    let raw: RawKeymap = toml::from_str(text).map_err(|e| KeymapError::Syntax {
        origin: origin.to_string(),
        message: e.message().to_string(),
    })?;
    let mut out = HashMap::new();
    for (ctx, list) in raw {
        let mut seen: HashMap<Key, Action> = HashMap::new();
        let mut bindings = Vec::new();
        for b in list {
            let mut keys = Vec::new();
            for k in &b.keys {
                let key = Key::parse(k).map_err(|message| KeymapError::Key {
                    origin: origin.to_string(),
                    message,
                })?;
                if let Some(first) = seen.insert(key, b.action) {
                    return Err(KeymapError::Clash {
                        origin: origin.to_string(),
                        section: format!("{ctx:?}").to_lowercase(),
                        key: key.to_string(),
                        first,
                        second: b.action,
                    });
                }
                keys.push(key);
            }
            let desc = b.desc.unwrap_or_else(|| b.action.name().replace('_', " "));
            bindings.push(Binding {
                keys,
                action: b.action,
                desc,
            });
        }
        out.insert(ctx, bindings);
    }
    Ok(out)
}

impl Keymap {
    /// The embedded default keymap.
    pub fn defaults() -> Keymap {
        // The embedded file is checked by a unit test; an error here cannot reach users.
        Keymap {
            sections: parse(DEFAULT, "default").unwrap_or_default(),
        }
    }

    /// The defaults merged with a user keymap given as TOML text.
    pub fn with_user(text: &str, origin: &str) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::defaults();
        let user = parse(text, origin)?;
        for (ctx, bindings) in user {
            let section = map.sections.entry(ctx).or_default();
            for b in bindings {
                for existing in section.iter_mut() {
                    existing.keys.retain(|k| !b.keys.contains(k));
                }
                section.retain(|e| !e.keys.is_empty());
                section.push(b);
            }
        }
        Ok(map)
    }

    /// Loads `keymap.toml` from the config dir when present.
    pub fn load() -> Result<Keymap, KeymapError> {
        match super::config_dir() {
            Some(dir) => Keymap::load_from(&dir.join("keymap.toml")),
            None => Ok(Keymap::defaults()),
        }
    }

    /// Loads the keymap file at `path`: a missing file is the defaults; one that is a directory,
    /// unreadable or not UTF-8 is an error that says so (the caller falls back to the defaults).
    pub fn load_from(path: &std::path::Path) -> Result<Keymap, KeymapError> {
        let origin = path.display().to_string();
        let unusable = |message: String| KeymapError::Syntax {
            origin: origin.clone(),
            message,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Keymap::defaults()),
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory || path.is_dir() => {
                return Err(unusable("is a directory, not a file".into()));
            }
            Err(e) => return Err(unusable(format!("cannot read it ({e})"))),
        };
        match String::from_utf8(bytes) {
            Ok(text) => Keymap::with_user(&text, &origin),
            Err(e) => Err(unusable(format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))),
        }
    }

    /// The action bound to `key` in `ctx`, falling back to the global section.
    pub fn action(&self, ctx: Context, key: Key) -> Option<Action> {
        let find = |c: Context| {
            self.sections
                .get(&c)?
                .iter()
                .find(|b| b.keys.contains(&key))
                .map(|b| b.action)
        };
        find(ctx).or_else(|| find(Context::Global))
    }

    /// The action bound to `key` in `ctx` alone (no fallback to the global section): the editor's
    /// text and dialog fields take every other key.
    pub fn local(&self, ctx: Context, key: Key) -> Option<Action> {
        self.sections
            .get(&ctx)?
            .iter()
            .find(|b| b.keys.contains(&key))
            .map(|b| b.action)
    }

    /// The bindings of a section, for help.
    pub fn bindings(&self, ctx: Context) -> &[Binding] {
        self.sections.get(&ctx).map_or(&[], Vec::as_slice)
    }

    /// The first key bound to `action` in `ctx` (or globally), for hints in the UI.
    pub fn key_for(&self, ctx: Context, action: Action) -> Option<Key> {
        [ctx, Context::Global].into_iter().find_map(|c| {
            self.bindings(c)
                .iter()
                .find(|b| b.action == action)
                .and_then(|b| b.keys.first().copied())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{AppAction, ImagesAction, ListAction};

    fn k(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn embedded_defaults_parse_without_clashes() {
        let sections = parse(DEFAULT, "default").unwrap();
        assert!(sections[&Context::Global].len() > 5);
        let map = Keymap::defaults();
        assert_eq!(
            map.action(Context::Images, k("q")),
            Some(Action::App(AppAction::Quit))
        );
        assert_eq!(
            map.action(Context::Images, k("t")),
            Some(Action::Images(ImagesAction::Tag))
        );
        assert_eq!(map.action(Context::Layers, k("/")), None);
    }

    #[test]
    fn every_action_has_a_default_key() {
        let map = Keymap::defaults();
        for action in Action::all() {
            let bound = Context::ALL
                .iter()
                .any(|c| map.bindings(*c).iter().any(|b| b.action == action));
            assert!(bound, "{action:?} has no default key");
        }
    }

    #[test]
    fn user_binding_replaces_default_for_that_key() {
        let user = r#"
            [[images]]
            keys = ["x"]
            action = "remove"
            desc = "Delete!"
            [[images]]
            keys = ["d"]
            action = "details"
        "#;
        let map = Keymap::with_user(user, "test").unwrap();
        assert_eq!(
            map.action(Context::Images, k("x")),
            Some(Action::List(ListAction::Remove))
        );
        assert_eq!(
            map.action(Context::Images, k("d")),
            Some(Action::List(ListAction::Details))
        );
        // Delete still removes: only the clashing key moved.
        assert_eq!(
            map.action(Context::Images, k("Delete")),
            Some(Action::List(ListAction::Remove))
        );
    }

    #[test]
    fn clash_in_user_file_is_reported() {
        let user = r#"
            [[images]]
            keys = ["x"]
            action = "remove"
            [[images]]
            keys = ["x"]
            action = "tag"
        "#;
        let err = Keymap::with_user(user, "mine.toml").unwrap_err();
        assert!(matches!(err, KeymapError::Clash { .. }));
        assert!(
            err.to_string().contains("key x is bound twice in [images]"),
            "{err}"
        );
    }

    #[test]
    fn unknown_action_and_key_are_errors() {
        let bad_action = "[[global]]\nkeys=[\"x\"]\naction=\"explode\"\n";
        assert!(matches!(
            Keymap::with_user(bad_action, "t"),
            Err(KeymapError::Syntax { .. })
        ));
        let bad_key = "[[global]]\nkeys=[\"Hyper-x\"]\naction=\"quit\"\n";
        assert!(matches!(
            Keymap::with_user(bad_key, "t"),
            Err(KeymapError::Key { .. })
        ));
    }

    #[test]
    fn keymap_files_that_cannot_be_used_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("keymap.toml");
        assert!(Keymap::load_from(&missing).is_ok());
        std::fs::create_dir(&missing).unwrap();
        let e = Keymap::load_from(&missing).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, b"[global]\nquit = [\"q\xff\"]\n").unwrap();
        let e = Keymap::load_from(&bad).unwrap_err().to_string();
        assert!(e.contains("not UTF-8"), "{e}");
        if unsafe { libc::geteuid() } != 0 {
            use std::os::unix::fs::PermissionsExt;
            let locked = dir.path().join("locked.toml");
            std::fs::write(&locked, "").unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
            let e = Keymap::load_from(&locked).unwrap_err().to_string();
            assert!(e.contains("cannot read it"), "{e}");
        }
    }
}
