//! hadolint's configuration file (`.hadolint.yaml`), found where hadolint looks for it: `ignored`,
//! `override` (error/warning/info/style), `failure-threshold`, `trustedRegistries`,
//! `label-schema`, `strict-labels`, `disable-ignore-pragma`, `no-fail`, `format`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Severity;

/// The value type a `label-schema` entry requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    /// Any text.
    Text,
    /// An absolute URL.
    Url,
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// An SPDX license identifier.
    Spdx,
    /// A 7- or 40-character git hash.
    #[serde(rename = "hash")]
    GitHash,
    /// A semantic version.
    #[serde(rename = "semver")]
    SemVer,
    /// An e-mail address.
    Email,
}

/// The failure threshold: findings at or above it make `dockhand lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Threshold {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on info and above (hadolint's default).
    #[default]
    Info,
    /// Fail on any finding.
    Style,
    /// Fail on any finding, `ignore`-level ones included (as `style`).
    Ignore,
    /// Never fail.
    None,
}

impl Threshold {
    /// Parses hadolint's names.
    pub fn from_name(s: &str) -> Option<Threshold> {
        Some(match s.to_ascii_lowercase().as_str() {
            "error" => Threshold::Error,
            "warning" => Threshold::Warning,
            "info" => Threshold::Info,
            "style" => Threshold::Style,
            "ignore" => Threshold::Ignore,
            "none" => Threshold::None,
            _ => return None,
        })
    }

    /// Whether a finding of this severity fails the run.
    pub fn fails(self, s: Severity) -> bool {
        match self {
            Threshold::Error => s == Severity::Error,
            Threshold::Warning => s <= Severity::Warning,
            Threshold::Info => s <= Severity::Info,
            Threshold::Style | Threshold::Ignore => true,
            Threshold::None => false,
        }
    }
}

/// The lint configuration.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    /// Codes never reported.
    pub ignored: Vec<String>,
    /// Severity overrides by code.
    pub overrides: BTreeMap<String, Severity>,
    /// Failure threshold.
    pub failure_threshold: Threshold,
    /// Registries FROM may use (DL3026); empty allows all.
    pub trusted_registries: Vec<String>,
    /// Required labels and their types (DL3049–DL3058).
    pub label_schema: Vec<(String, LabelType)>,
    /// Labels outside the schema are reported (DL3050).
    pub strict_labels: bool,
    /// Inline `# hadolint ignore=` pragmas are not honoured.
    pub disable_ignore_pragma: bool,
    /// Exit 0 whatever is found.
    pub no_fail: bool,
    /// Output format named in the file.
    pub format: Option<String>,
}

impl LintConfig {
    /// The severity a code is reported with (`None`: not reported).
    pub fn severity(&self, code: &str, default: Option<Severity>) -> Option<Severity> {
        self.overrides.get(code).copied().or(default)
    }
}

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is invalid or has wrong types.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Overrides {
    error: Vec<String>,
    warning: Vec<String>,
    info: Vec<String>,
    style: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct File {
    ignored: Vec<String>,
    #[serde(rename = "override")]
    overrides: Overrides,
    failure_threshold: Option<String>,
    #[serde(rename = "trustedRegistries")]
    trusted_registries: Vec<String>,
    label_schema: BTreeMap<String, LabelType>,
    strict_labels: Option<bool>,
    disable_ignore_pragma: Option<bool>,
    no_fail: Option<bool>,
    format: Option<String>,
}

/// Parses the text of a configuration file.
pub fn parse_config(path: &Path, text: &str) -> Result<LintConfig, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let file: File = if text.trim().is_empty() {
        File::default()
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| invalid(e.to_string()))?
    };
    let mut overrides = BTreeMap::new();
    for (list, sev) in [
        (&file.overrides.error, Severity::Error),
        (&file.overrides.warning, Severity::Warning),
        (&file.overrides.info, Severity::Info),
        (&file.overrides.style, Severity::Style),
    ] {
        for code in list {
            overrides.insert(code.clone(), sev);
        }
    }
    let failure_threshold = match &file.failure_threshold {
        Some(t) => Threshold::from_name(t)
            .ok_or_else(|| invalid(format!("unknown failure-threshold {t:?}")))?,
        None => Threshold::default(),
    };
    Ok(LintConfig {
        ignored: file.ignored,
        overrides,
        failure_threshold,
        trusted_registries: file.trusted_registries,
        label_schema: file.label_schema.into_iter().collect(),
        strict_labels: file.strict_labels.unwrap_or(false),
        disable_ignore_pragma: file.disable_ignore_pragma.unwrap_or(false),
        no_fail: file.no_fail.unwrap_or(false),
        format: file.format,
    })
}

/// Where hadolint looks for its configuration, in order: `./.hadolint.y{a,}ml`,
/// `$XDG_CONFIG_HOME/hadolint.y{a,}ml` (default `~/.config`), `~/.hadolint/{hadolint,config}.y{a,}ml`,
/// `~/.hadolint.y{a,}ml`.
pub fn candidates(cwd: &Path, home: Option<&Path>, xdg_config: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = [".hadolint.yaml", ".hadolint.yml"]
        .iter()
        .map(|f| cwd.join(f))
        .collect();
    let xdg = xdg_config
        .map(Path::to_path_buf)
        .or_else(|| home.map(|h| h.join(".config")));
    if let Some(x) = xdg {
        out.extend(["hadolint.yaml", "hadolint.yml"].iter().map(|f| x.join(f)));
    }
    if let Some(h) = home {
        let app = h.join(".hadolint");
        out.extend(
            ["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"]
                .iter()
                .map(|f| app.join(f)),
        );
        out.extend(
            [".hadolint.yaml", ".hadolint.yml"]
                .iter()
                .map(|f| h.join(f)),
        );
    }
    out
}

/// Loads the configuration: `explicit` if given, else the first candidate that exists, else the
/// defaults. Returns the file used, if any.
pub fn load(explicit: Option<&Path>) -> Result<(LintConfig, Option<PathBuf>), ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let xdg = std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute());
            candidates(&cwd, home.as_deref(), xdg.as_deref())
                .into_iter()
                .find(|p| p.is_file())
        }
    };
    let Some(path) = path else {
        return Ok((LintConfig::default(), None));
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    Ok((parse_config(&path, &text)?, Some(path)))
}
