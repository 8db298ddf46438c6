//! Colour themes: a struct of named colour roles, loaded from TOML data and overridable per field.
use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

macro_rules! theme_roles {
    ($($(#[doc = $doc:expr])* $name:ident),* $(,)?) => {
        /// Every colour the UI uses, by role.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            /// The theme's name.
            pub name: String,
            $($(#[doc = $doc])* pub $name: Color,)*
        }

        /// The role names a theme file may set.
        pub const ROLES: &[&str] = &[$(stringify!($name)),*];

        impl Theme {
            fn set(&mut self, role: &str, color: Color) -> bool {
                match role {
                    $(stringify!($name) => { self.$name = color; true })*
                    _ => false,
                }
            }

            fn blank(name: &str) -> Theme {
                Theme { name: name.to_string(), $($name: Color::Reset,)* }
            }
        }
    };
}

theme_roles! {
    /// Normal text.
    fg,
    /// Background of the whole screen.
    bg,
    /// Secondary, de-emphasised text (IDs, empty layers).
    dim,
    /// Pane borders.
    border,
    /// The focused pane's border and title.
    border_focused,
    /// Pane titles.
    title,
    /// Table header text.
    header,
    /// Selected row background.
    selected_bg,
    /// Selected row text.
    selected_fg,
    /// Rows marked for a bulk action.
    marked,
    /// Accent for keys in hints and help.
    key,
    /// Dangling images.
    dangling,
    /// Images in use by a container.
    in_use,
    /// Size bars.
    bar,
    /// Status bar background.
    status_bg,
    /// Status bar text.
    status_fg,
    /// Success messages.
    ok,
    /// Warnings.
    warning,
    /// Errors.
    error,
    /// Dialog background.
    dialog_bg,
    /// Dockerfile instruction keywords.
    syntax_keyword,
    /// Strings.
    syntax_string,
    /// Comments.
    syntax_comment,
    /// Variables.
    syntax_variable,
    /// Flags like --from.
    syntax_flag,
}

/// Errors in a theme file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    /// The TOML is malformed.
    #[error("theme {origin}: {message}")]
    Syntax {
        /// Which file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// An unknown role or colour.
    #[error("theme {origin}: {message}")]
    Value {
        /// Which file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// An unknown theme name.
    #[error("no theme named {0:?} (built in: {1})")]
    Unknown(String, String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
}

/// The themes shipped in `themes/`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

impl Theme {
    /// Applies a theme file's fields over this theme.
    pub fn patch(self, text: &str, origin: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Syntax {
            origin: origin.into(),
            message: e.message().to_string(),
        })?;
        self.apply(file, origin)
    }

    fn apply(mut self, file: ThemeFile, origin: &str) -> Result<Theme, ThemeError> {
        if let Some(name) = file.name {
            self.name = name;
        }
        for (role, value) in file.colors {
            let color = Color::from_str(&value).map_err(|_| ThemeError::Value {
                origin: origin.into(),
                message: format!(
                    "{role} = {value:?} is not a colour (try \"red\", \"#ff8800\" or \"208\")"
                ),
            })?;
            if !self.set(&role, color) {
                return Err(ThemeError::Value {
                    origin: origin.into(),
                    message: format!(
                        "unknown colour role {role:?}; roles are {}",
                        ROLES.join(", ")
                    ),
                });
            }
        }
        Ok(self)
    }

    /// The default theme.
    pub fn default_theme() -> Theme {
        // The embedded default is checked by a unit test.
        Theme::blank("default")
            .patch(BUILTIN[0].1, "default")
            .unwrap_or_else(|_| Theme::blank("default"))
    }

    /// A built-in theme by name, or a theme file by path, applied over the default theme.
    pub fn named(name_or_path: &str) -> Result<Theme, ThemeError> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Theme::default_theme().patch(text, name_or_path);
        }
        let path = std::path::Path::new(name_or_path);
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| ThemeError::Syntax {
                origin: name_or_path.into(),
                message: e.to_string(),
            })?;
            return Theme::default_theme().patch(&text, name_or_path);
        }
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        Err(ThemeError::Unknown(name_or_path.into(), names.join(", ")))
    }

    /// Like [`Theme::patch`], but a bad file never fails: a syntax error leaves this theme as it
    /// is, a bad colour or unknown role skips that field only; each problem is a warning.
    pub fn patch_lenient(self, text: &str, origin: &str) -> (Theme, Vec<String>) {
        let file: ThemeFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let msg = e.message().trim().to_string();
                return (self, vec![format!("{origin}: {msg} — using defaults")]);
            }
        };
        let mut theme = self;
        let mut warnings = Vec::new();
        if let Some(name) = file.name {
            theme.name = name;
        }
        for (role, value) in file.colors {
            let patched = ThemeFile {
                name: None,
                colors: BTreeMap::from([(role.clone(), value)]),
            };
            match theme.clone().apply(patched, origin) {
                Ok(t) => theme = t,
                Err(e) => warnings.push(format!("{e} — using the default for {role}")),
            }
        }
        (theme, warnings)
    }

    /// The theme chosen with `--theme` (or the default), then the user's `theme.toml` overrides,
    /// never failing: an unknown `--theme`, a `theme.toml` that is malformed, a directory,
    /// unreadable or not UTF-8, a bad colour or an unknown role each give a warning for the
    /// status bar and the defaults stand in for what is wrong.
    pub fn load_with_warnings(choice: Option<&str>) -> (Theme, Vec<String>) {
        let mut warnings = Vec::new();
        let theme = match choice.map(Theme::named) {
            None => Theme::default_theme(),
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                warnings.push(format!("--theme: {e} — using the default theme"));
                Theme::default_theme()
            }
        };
        let Some(path) = super::config_dir().map(|d| d.join("theme.toml")) else {
            return (theme, warnings);
        };
        let (theme, more) = theme.patch_file_lenient(&path);
        warnings.extend(more);
        (theme, warnings)
    }

    /// Applies the theme file at `path` leniently (see [`Theme::patch_lenient`]); a missing file
    /// is no warning.
    pub fn patch_file_lenient(self, path: &std::path::Path) -> (Theme, Vec<String>) {
        let origin = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (self, Vec::new()),
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory || path.is_dir() => {
                return (
                    self,
                    vec![format!("{origin}: is a directory — using defaults")],
                );
            }
            Err(e) => {
                return (
                    self,
                    vec![format!("{origin}: cannot read it ({e}) — using defaults")],
                );
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => self.patch_lenient(&text, &origin),
            Err(e) => (
                self,
                vec![format!(
                    "{origin}: not UTF-8 text (invalid byte at offset {}) — using defaults",
                    e.utf8_error().valid_up_to()
                )],
            ),
        }
    }

    /// The theme chosen on the command line (or default), then the user's `theme.toml` overrides.
    /// Strict: the first problem is an error (see [`Theme::load_with_warnings`]).
    pub fn load(choice: Option<&str>) -> Result<Theme, ThemeError> {
        let theme = match choice {
            Some(c) => Theme::named(c)?,
            None => Theme::default_theme(),
        };
        let user = super::config_dir().map(|d| d.join("theme.toml"));
        match user.and_then(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t))) {
            Some((path, text)) => theme.patch(&text, &path.display().to_string()),
            None => Ok(theme),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_set_every_role() {
        for (name, text) in BUILTIN {
            let file: ThemeFile = toml::from_str(text).unwrap();
            for role in ROLES {
                assert!(file.colors.contains_key(*role), "theme {name} lacks {role}");
            }
            Theme::named(name).unwrap();
        }
    }

    #[test]
    fn a_patch_overrides_single_fields() {
        let t = Theme::default_theme()
            .patch("[colors]\nerror = \"#ff0000\"\n", "user")
            .unwrap();
        assert_eq!(t.error, Color::Rgb(255, 0, 0));
        assert_eq!(t.fg, Theme::default_theme().fg);
    }

    #[test]
    fn bad_roles_and_colours_are_named() {
        let e = Theme::default_theme()
            .patch("[colors]\nerorr = \"red\"\n", "user")
            .unwrap_err();
        assert!(
            e.to_string().contains("unknown colour role \"erorr\""),
            "{e}"
        );
        let e = Theme::default_theme()
            .patch("[colors]\nerror = \"reddish\"\n", "user")
            .unwrap_err();
        assert!(e.to_string().contains("is not a colour"), "{e}");
        assert!(matches!(Theme::named("nope"), Err(ThemeError::Unknown(..))));
    }

    #[test]
    fn lenient_patches_keep_the_good_fields_and_warn_about_the_rest() {
        let def = Theme::default_theme();
        let (t, w) = def.clone().patch_lenient(
            "[colors]\nerror = \"#ff0000\"\nerorr = \"red\"\nfg = \"reddish\"\n",
            "theme.toml",
        );
        assert_eq!(t.error, Color::Rgb(255, 0, 0));
        assert_eq!(t.fg, def.fg);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w.iter()
                .any(|m| m.contains("unknown colour role \"erorr\"")),
            "{w:?}"
        );
        assert!(
            w.iter().any(|m| m.contains("\"reddish\" is not a colour")),
            "{w:?}"
        );
        assert!(w.iter().all(|m| m.contains("theme.toml")), "{w:?}");
        let (t, w) = def
            .clone()
            .patch_lenient("[colors\nerror = 1", "theme.toml");
        assert_eq!(t, def);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("theme.toml: ") && w[0].ends_with("— using defaults"),
            "{w:?}"
        );
        let (_, w) = def.clone().patch_lenient("bogus = 1\n", "theme.toml");
        assert_eq!(w.len(), 1, "unknown top-level keys are said too: {w:?}");
    }

    #[test]
    fn theme_files_that_cannot_be_read_are_warnings() {
        let def = Theme::default_theme();
        let dir = tempfile::tempdir().unwrap();
        let (t, w) = def
            .clone()
            .patch_file_lenient(&dir.path().join("missing.toml"));
        assert_eq!((t, w.len()), (def.clone(), 0));
        let (t, w) = def.clone().patch_file_lenient(dir.path());
        assert_eq!(t, def);
        assert!(w[0].contains("is a directory"), "{w:?}");
        let bad = dir.path().join("theme.toml");
        std::fs::write(&bad, b"[colors]\nerror = \"\xff\"\n").unwrap();
        let (t, w) = def.clone().patch_file_lenient(&bad);
        assert_eq!(t, def);
        assert!(w[0].contains("not UTF-8"), "{w:?}");
        std::fs::write(&bad, "[colors]\nerror = \"red\"\n").unwrap();
        let (t, w) = def.clone().patch_file_lenient(&bad);
        assert_eq!((t.error, w.len()), (Color::Red, 0));
    }
}
