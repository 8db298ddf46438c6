//! The rule table: every DL code with hadolint's default severity and message, and dockhand's
//! own DH codes.

use super::Severity;

/// One rule: its code, default severity (`None`: hadolint's `ignore` level, off unless
/// overridden) and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// `DL3008`, `DH1002`….
    pub code: &'static str,
    /// Default severity; `None` is off by default.
    pub severity: Option<Severity>,
    /// The message.
    pub message: &'static str,
}

const fn r(code: &'static str, severity: Option<Severity>, message: &'static str) -> RuleInfo {
    RuleInfo {
        code,
        severity,
        message,
    }
}

use Severity::{Error as E, Info as I, Style as S, Warning as W};

/// Every rule dockhand implements, sorted by code.
pub const RULES: [RuleInfo; 75] = [
    r("DH0001", Some(E), "BuildKit rejects this instruction"),
    r("DH0002", Some(W), "Empty continuation line"),
    r(
        "DH1002",
        Some(W),
        "The whole build context is copied before a dependency install: any source change invalidates the dependency cache",
    ),
    r(
        "DH3001",
        Some(W),
        "`apt-get update` without `apt-get install` in the same RUN: the cached update layer goes stale",
    ),
    r(
        "DL1001",
        None,
        "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`.",
    ),
    r("DL3000", Some(E), "Use absolute WORKDIR"),
    r(
        "DL3001",
        Some(I),
        "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
    ),
    r("DL3002", Some(W), "Last USER should not be root"),
    r("DL3003", Some(W), "Use WORKDIR to switch to a directory"),
    r(
        "DL3004",
        Some(E),
        "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
    ),
    r(
        "DL3006",
        Some(W),
        "Always tag the version of an image explicitly",
    ),
    r(
        "DL3007",
        Some(W),
        "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
    ),
    r(
        "DL3008",
        Some(W),
        "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`",
    ),
    r(
        "DL3009",
        Some(I),
        "Delete the apt lists (/var/lib/apt/lists) after installing something",
    ),
    r(
        "DL3010",
        Some(I),
        "Use `ADD` for extracting archives into an image",
    ),
    r("DL3011", Some(E), "Valid UNIX ports range from 0 to 65535"),
    r("DL3012", Some(E), "Multiple `HEALTHCHECK` instructions"),
    r(
        "DL3013",
        Some(W),
        "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`",
    ),
    r(
        "DL3014",
        Some(W),
        "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
    ),
    r(
        "DL3015",
        Some(I),
        "Avoid additional packages by specifying `--no-install-recommends`",
    ),
    r(
        "DL3016",
        Some(W),
        "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
    ),
    r(
        "DL3018",
        Some(W),
        "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
    ),
    r(
        "DL3019",
        Some(I),
        "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages",
    ),
    r(
        "DL3020",
        Some(E),
        "Use COPY instead of ADD for files and folders",
    ),
    r(
        "DL3021",
        Some(E),
        "COPY with more than 2 arguments requires the last argument to end with /",
    ),
    r(
        "DL3022",
        Some(W),
        "`COPY --from` should reference a previously defined `FROM` alias",
    ),
    r(
        "DL3023",
        Some(E),
        "`COPY --from` cannot reference its own `FROM` alias",
    ),
    r(
        "DL3024",
        Some(E),
        "FROM aliases (stage names) must be unique",
    ),
    r(
        "DL3025",
        Some(W),
        "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
    ),
    r(
        "DL3026",
        Some(E),
        "Use only an allowed registry in the FROM image",
    ),
    r(
        "DL3027",
        Some(W),
        "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
    ),
    r(
        "DL3028",
        Some(W),
        "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
    ),
    r("DL3029", Some(W), "Do not use --platform flag with FROM"),
    r(
        "DL3030",
        Some(W),
        "Use the -y switch to avoid manual input `yum install -y <package>`",
    ),
    r(
        "DL3032",
        Some(W),
        "`yum clean all` missing after yum command.",
    ),
    r(
        "DL3033",
        Some(W),
        "Specify version with `yum install -y <package>-<version>`.",
    ),
    r(
        "DL3034",
        Some(W),
        "Non-interactive switch missing from `zypper` command: `zypper install -y`",
    ),
    r("DL3035", Some(W), "Do not use `zypper dist-upgrade`."),
    r(
        "DL3036",
        Some(W),
        "`zypper clean` missing after zypper use.",
    ),
    r(
        "DL3037",
        Some(W),
        "Specify version with `zypper install -y <package>=<version>`.",
    ),
    r(
        "DL3038",
        Some(W),
        "Use the -y switch to avoid manual input `dnf install -y <package>`",
    ),
    r(
        "DL3040",
        Some(W),
        "`dnf clean all` missing after dnf command.",
    ),
    r(
        "DL3041",
        Some(W),
        "Specify version with `dnf install -y <package>-<version>`.",
    ),
    r(
        "DL3042",
        Some(W),
        "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
    ),
    r(
        "DL3043",
        Some(E),
        "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
    ),
    r(
        "DL3044",
        Some(E),
        "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
    ),
    r(
        "DL3045",
        Some(W),
        "`COPY` to a relative destination without `WORKDIR` set.",
    ),
    r(
        "DL3046",
        Some(W),
        "`useradd` without flag `-l` and high UID will result in excessively large Image.",
    ),
    r(
        "DL3047",
        Some(I),
        "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
    ),
    r("DL3048", Some(S), "Invalid label key."),
    r("DL3049", Some(I), "Label is missing."),
    r("DL3050", Some(I), "Superfluous label(s) present."),
    r("DL3051", Some(W), "Label is empty."),
    r("DL3052", Some(W), "Label is not a valid URL."),
    r(
        "DL3053",
        Some(W),
        "Label is not a valid time format - must conform to RFC3339.",
    ),
    r("DL3054", Some(W), "Label is not a valid SPDX identifier."),
    r("DL3055", Some(W), "Label is not a valid git hash."),
    r(
        "DL3056",
        Some(W),
        "Label does not conform to semantic versioning.",
    ),
    r("DL3057", None, "`HEALTHCHECK` instruction missing."),
    r(
        "DL3058",
        Some(W),
        "Label is not a valid email format - must conform to RFC5322.",
    ),
    r(
        "DL3059",
        Some(I),
        "Multiple consecutive `RUN` instructions. Consider consolidation.",
    ),
    r(
        "DL3060",
        Some(I),
        "`yarn cache clean` missing after `yarn install` was run.",
    ),
    r(
        "DL3061",
        Some(E),
        "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
    ),
    r(
        "DL3062",
        Some(W),
        "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
    ),
    r(
        "DL3063",
        Some(W),
        "stage name should not be a reserved word",
    ),
    r(
        "DL3064",
        Some(W),
        "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
    ),
    r(
        "DL3065",
        Some(W),
        "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior",
    ),
    r(
        "DL3066",
        Some(I),
        "Non-numeric user-id may not be resolvable by host system",
    ),
    r(
        "DL3067",
        Some(W),
        "Do not copy an entire filesystem from another stage",
    ),
    r("DL4000", Some(E), "MAINTAINER is deprecated"),
    r("DL4001", Some(W), "Either use Wget or Curl but not both"),
    r(
        "DL4003",
        Some(W),
        "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
    ),
    r(
        "DL4004",
        Some(E),
        "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
    ),
    r("DL4005", Some(W), "Use SHELL to change the default shell"),
    r(
        "DL4006",
        Some(W),
        "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
    ),
];

/// The rule with this code.
pub fn rule_info(code: &str) -> Option<&'static RuleInfo> {
    RULES
        .binary_search_by(|r| r.code.cmp(code))
        .ok()
        .map(|i| &RULES[i])
}
