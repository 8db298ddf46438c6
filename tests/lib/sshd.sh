# shellcheck shell=bash
# A throw-away sshd on 127.0.0.1 whose sessions reach the private Docker engine, for the tests and
# benchmarks of ssh:// endpoints (what `docker -H ssh://…` and dockhand run there is
# `docker system dial-stdio`).
#
# Source this file after tests/lib/engine.sh (for dh_as_root, _dh_spawn, _dh_alive) and once
# dh_engine_start has set DH_ENGINE_HOST, then:
#   dh_sshd_start        # its own config, port, host key and client key in a fresh temp dir
#   export PATH="$DH_SSH_BIN:$PATH"   # an `ssh` that reads only our client config (-F)
#   ...
#   dh_sshd_stop         # stops it and every session, removes the temp dir (idempotent)
#
# Nothing of the user's ~/.ssh is read or written: the client config, key and known_hosts live in
# the temp dir and the wrapper in $DH_SSH_BIN passes `-F` to the real ssh. Sessions get
# DOCKER_HOST (the private engine) through the server's SetEnv.
#
# Variables set by dh_sshd_start:
#   DH_SSHD_DIR   the temp dir (sshd.log holds the server's log)
#   DH_SSHD_PID   the listening sshd (its children are the sessions)
#   DH_SSH_HOST   ssh://USER@127.0.0.1:PORT
#   DH_SSH_BIN    directory holding the `ssh` wrapper

DH_SSHD_DIR="${DH_SSHD_DIR:-}"
DH_SSHD_PID=""
DH_SSH_HOST="${DH_SSH_HOST:-}"
DH_SSH_BIN="${DH_SSH_BIN:-}"

# _dh_sshd_write_configs DIR PORT USER: server config, client config, keys, known_hosts, wrapper.
_dh_sshd_write_configs() {
    local d="$1" port="$2" user="$3" real_ssh
    real_ssh="$(command -v ssh)"
    cat >"$d/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxStartups 200
SetEnv DOCKER_HOST=$DH_ENGINE_HOST
LogLevel INFO
EOF
    cat >"$d/ssh_config" <<EOF
Host *
    IdentityFile $d/client_key
    IdentitiesOnly yes
    IdentityAgent none
    UserKnownHostsFile $d/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    LogLevel ERROR
EOF
    printf 'restrict %s\n' "$(cat "$d/client_key.pub")" >"$d/authorized_keys"
    printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$d/host_key.pub")" >"$d/known_hosts"
    mkdir -p "$d/bin"
    printf '#!/bin/sh\nexec %s -F %s "$@"\n' "$real_ssh" "$d/ssh_config" >"$d/bin/ssh"
    chmod 755 "$d/bin/ssh"
}

# _dh_port_free PORT -> 0 when nothing listens on 127.0.0.1:PORT.
_dh_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

dh_sshd_start() {
    local d user port tries
    [ -x /usr/sbin/sshd ] || { echo "[sshd] /usr/sbin/sshd missing (install openssh-server)" >&2; return 1; }
    command -v ssh-keygen >/dev/null 2>&1 || { echo "[sshd] ssh-keygen missing" >&2; return 1; }
    [ -n "$DH_ENGINE_HOST" ] || { echo "[sshd] start the private engine first" >&2; return 1; }
    DH_SSHD_DIR="$(mktemp -d "${DH_ENGINE_PARENT:-/tmp}/dhssh.XXXXXX")" || return 1
    d="$DH_SSHD_DIR"
    chmod 700 "$d"
    user="$(id -un)"
    ssh-keygen -q -t ed25519 -N '' -C dh-test-host -f "$d/host_key" || return 1
    ssh-keygen -q -t ed25519 -N '' -C dh-test-client -f "$d/client_key" || return 1
    # The privilege separation directory sshd insists on.
    [ -d /run/sshd ] || dh_as_root mkdir -p -m 755 /run/sshd
    for tries in 1 2 3 4 5; do
        port=$(( 20000 + (RANDOM % 20000) ))
        _dh_port_free "$port" || continue
        _dh_sshd_write_configs "$d" "$port" "$user"
        _dh_spawn "$d/sshd.launch.pid" "$d/sshd.out" /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log"
        DH_SSHD_PID="$(_dh_read_pid "$d/sshd.launch.pid")"
        DH_SSH_HOST="ssh://$user@127.0.0.1:$port"
        DH_SSH_BIN="$d/bin"
        for _ in $(seq 1 50); do
            if "$d/bin/ssh" -p "$port" "$user@127.0.0.1" true 2>/dev/null; then
                echo "[sshd] up: $DH_SSH_HOST (pid $DH_SSHD_PID, attempt $tries)" >&2
                return 0
            fi
            _dh_alive "$DH_SSHD_PID" || break
            sleep 0.1
        done
        _dh_stop_pid "$DH_SSHD_PID" 5
    done
    echo "[sshd] did not start; its log:" >&2
    tail -n 20 "$d/sshd.log" "$d/sshd.out" >&2 2>/dev/null
    dh_sshd_stop
    return 1
}

dh_sshd_stop() {
    local pid
    if [ -n "$DH_SSHD_PID" ]; then
        # The sessions first (children of the listener), then the listener.
        for pid in $(ps -o pid= --ppid "$DH_SSHD_PID" 2>/dev/null); do
            dh_as_root kill -TERM "$pid" 2>/dev/null || true
        done
        _dh_stop_pid "$DH_SSHD_PID" 5
        DH_SSHD_PID=""
    fi
    if [ -n "$DH_SSHD_DIR" ] && [ -d "$DH_SSHD_DIR" ]; then
        dh_as_root rm -rf "$DH_SSHD_DIR"
    fi
    DH_SSHD_DIR=""
    DH_SSH_HOST=""
    DH_SSH_BIN=""
}
