//! Platforms (`os/arch[/variant]`): parsing `--platform` values and matching index entries,
//! normalised the way containerd's `platforms` package does (`aarch64` = `arm64`,
//! `x86_64` = `amd64`, `arm` = `arm/v7`, `armhf` = `arm/v7`, `arm64/v8` = `arm64`).

use std::fmt;
use std::str::FromStr;

/// Operating systems Go (and so Docker) knows.
const KNOWN_OS: [&str; 15] = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];
/// Architectures Go (and so Docker) knows, after normalisation.
const KNOWN_ARCH: [&str; 14] = [
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

/// A `--platform` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    /// Nothing was given.
    #[error("platform is empty (expected os/arch, e.g. linux/arm64)")]
    Empty,
    /// More than `os/arch/variant`.
    #[error("invalid platform {input:?}: expected os/arch or os/arch/variant, e.g. linux/arm/v7")]
    TooManyParts {
        /// What was given.
        input: String,
    },
    /// A part is empty or has characters outside `[A-Za-z0-9_.-]`.
    #[error(
        "invalid platform {input:?}: part {part:?} may only hold letters, digits, '_', '-' and '.'"
    )]
    InvalidPart {
        /// What was given.
        input: String,
        /// The offending part.
        part: String,
    },
    /// The operating system is not one Docker knows.
    #[error(
        "invalid platform {input:?}: unknown operating system {os:?} (linux, windows, darwin...)"
    )]
    UnknownOs {
        /// What was given.
        input: String,
        /// The offending OS.
        os: String,
    },
    /// The architecture is not one Docker knows.
    #[error(
        "invalid platform {input:?}: unknown architecture {arch:?} (amd64, arm64, arm, 386, ppc64le, s390x, riscv64...)"
    )]
    UnknownArch {
        /// What was given.
        input: String,
        /// The offending architecture.
        arch: String,
    },
}

/// A platform in a manifest list / OCI index, an image config, or a `--platform` option.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Deserialize, serde::Serialize)]
pub struct Platform {
    /// CPU architecture (`amd64`, `arm64`...).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`, `windows`).
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v7`, `v8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// OS version (Windows).
    #[serde(
        default,
        rename = "os.version",
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
}

fn normalize_os(os: &str) -> String {
    let os = os.to_ascii_lowercase();
    if os == "macos" {
        "darwin".to_string()
    } else {
        os
    }
}

/// containerd's `normalizeArch`.
fn normalize_arch(arch: &str, variant: Option<&str>) -> (String, Option<String>) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant
        .map(str::to_ascii_lowercase)
        .filter(|v| !v.is_empty());
    match arch.as_str() {
        "i386" => ("386".into(), None),
        "x86_64" | "x86-64" | "amd64" => ("amd64".into(), variant.filter(|v| v != "v1")),
        "aarch64" | "arm64" => (
            "arm64".into(),
            variant.filter(|v| !matches!(v.as_str(), "8" | "v8" | "v8.0")),
        ),
        "armhf" => ("arm".into(), Some("v7".into())),
        "armel" => ("arm".into(), Some("v6".into())),
        "arm" => {
            let v = match variant.as_deref() {
                None | Some("7") => "v7".to_string(),
                Some(n @ ("5" | "6" | "8")) => format!("v{n}"),
                Some(other) => other.to_string(),
            };
            ("arm".into(), Some(v))
        }
        _ => (arch, variant),
    }
}

impl Platform {
    /// Parses `os/arch[/variant]` (or a lone `arch`, meaning Linux) and normalises it.
    pub fn parse(input: &str) -> Result<Self, PlatformError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PlatformError::Empty);
        }
        let parts: Vec<&str> = trimmed.split('/').collect();
        if parts.len() > 3 {
            return Err(PlatformError::TooManyParts {
                input: input.to_string(),
            });
        }
        for part in &parts {
            if part.is_empty()
                || !part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            {
                return Err(PlatformError::InvalidPart {
                    input: input.to_string(),
                    part: (*part).to_string(),
                });
            }
        }
        let (os, arch, variant) = match parts.as_slice() {
            [single] => {
                let os = normalize_os(single);
                if KNOWN_OS.contains(&os.as_str()) {
                    (os, Platform::host().architecture, None)
                } else {
                    ("linux".to_string(), (*single).to_string(), None)
                }
            }
            [os, arch] => (normalize_os(os), (*arch).to_string(), None),
            [os, arch, variant] => (normalize_os(os), (*arch).to_string(), Some(*variant)),
            _ => return Err(PlatformError::Empty),
        };
        if !KNOWN_OS.contains(&os.as_str()) {
            return Err(PlatformError::UnknownOs {
                input: input.to_string(),
                os,
            });
        }
        let (architecture, variant) = normalize_arch(&arch, variant);
        if !KNOWN_ARCH.contains(&architecture.as_str()) {
            return Err(PlatformError::UnknownArch {
                input: input.to_string(),
                arch,
            });
        }
        Ok(Self {
            architecture,
            os,
            variant,
            os_version: None,
        })
    }

    /// The platform this program runs on (Linux builds: `linux/<arch>`).
    pub fn host() -> Self {
        let (architecture, variant) = normalize_arch(
            match std::env::consts::ARCH {
                "x86" => "386",
                "powerpc64" => "ppc64",
                other => other,
            },
            None,
        );
        Self {
            architecture,
            os: std::env::consts::OS.to_string(),
            variant,
            os_version: None,
        }
    }

    /// Lower-cased, with architecture aliases and default variants resolved.
    pub fn normalized(&self) -> Self {
        let (architecture, variant) = normalize_arch(&self.architecture, self.variant.as_deref());
        Self {
            architecture,
            os: normalize_os(&self.os),
            variant,
            os_version: self.os_version.clone(),
        }
    }

    /// True when `candidate` (an index entry) satisfies this wanted platform: same OS and
    /// architecture, and the same variant unless this one names none.
    pub fn matches(&self, candidate: &Platform) -> bool {
        let want = self.normalized();
        let have = candidate.normalized();
        want.os == have.os
            && want.architecture == have.architecture
            && (self.variant.is_none() && want.architecture != "arm"
                || want.variant == have.variant)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = PlatformError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Platform::parse(s).unwrap().to_string()
    }

    #[test]
    fn parses_and_normalizes_like_containerd() {
        assert_eq!(p("linux/amd64"), "linux/amd64");
        assert_eq!(p("linux/x86_64"), "linux/amd64");
        assert_eq!(p("Linux/AMD64"), "linux/amd64");
        assert_eq!(p("linux/aarch64"), "linux/arm64");
        assert_eq!(p("linux/arm64/v8"), "linux/arm64");
        assert_eq!(p("linux/arm"), "linux/arm/v7");
        assert_eq!(p("linux/arm/6"), "linux/arm/v6");
        assert_eq!(p("linux/armhf"), "linux/arm/v7");
        assert_eq!(p("linux/armel"), "linux/arm/v6");
        assert_eq!(p("linux/i386"), "linux/386");
        assert_eq!(p("arm64"), "linux/arm64");
        assert_eq!(p("windows/amd64"), "windows/amd64");
        assert_eq!(p("macos/arm64"), "darwin/arm64");
        assert_eq!(p(" linux/s390x "), "linux/s390x");
        let host = Platform::host();
        assert_eq!(
            Platform::parse("linux").unwrap().architecture,
            host.architecture
        );
    }

    #[test]
    fn rejects_with_reasons() {
        let e = |s: &str| Platform::parse(s).unwrap_err().to_string();
        assert!(e("").contains("empty"));
        assert!(e("linux/amd46").contains("unknown architecture \"amd46\""));
        assert!(e("linx/amd64").contains("unknown operating system \"linx\""));
        assert!(e("linux/arm/v7/extra").contains("os/arch or os/arch/variant"));
        assert!(e("linux//v7").contains("part \"\""));
        assert!(e("linux/amd 64").contains("part \"amd 64\""));
        assert!(e("nonsense").contains("unknown architecture \"nonsense\""));
    }

    #[test]
    fn matching_index_entries() {
        let entry = |arch: &str, variant: Option<&str>| Platform {
            architecture: arch.into(),
            os: "linux".into(),
            variant: variant.map(str::to_string),
            os_version: None,
        };
        let want = |s: &str| Platform::parse(s).unwrap();
        assert!(want("linux/arm64").matches(&entry("arm64", Some("v8"))));
        assert!(want("linux/arm64").matches(&entry("arm64", None)));
        assert!(want("linux/arm/v7").matches(&entry("arm", Some("v7"))));
        assert!(
            want("linux/arm").matches(&entry("arm", None)),
            "arm defaults to v7"
        );
        assert!(!want("linux/arm").matches(&entry("arm", Some("v6"))));
        assert!(!want("linux/amd64").matches(&entry("arm64", None)));
        assert!(!want("windows/amd64").matches(&entry("amd64", None)));
        // A wanted platform without variant accepts any variant (non-arm).
        let loose = Platform {
            variant: None,
            ..entry("amd64", None)
        };
        assert!(loose.matches(&entry("amd64", Some("v3"))));
    }

    #[test]
    fn serde_uses_oci_names() {
        let json = r#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1"}"#;
        let parsed: Platform = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.os_version.as_deref(), Some("10.0.17763.1"));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
    }
}
