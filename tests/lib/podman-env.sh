# shellcheck shell=bash
# podman-env.sh - make podman usable on the test host and run its REST API.
# Source it from a test script:
#
#   . "$(dirname "$0")/../lib/podman-env.sh"
#   podman_env_setup                       # once; harmless to repeat
#   podman_api_start /run/podman/podman.sock
#   curl --unix-socket /run/podman/podman.sock http://d/v4.0.0/libpod/_ping
#   podman_api_stop /run/podman/podman.sock
#
# Works under "set -euo pipefail"; every function returns non-zero (with a
# message on stderr) on failure.  Needs root.

PODMAN_ENV_DROPIN=${PODMAN_ENV_DROPIN:-/etc/containers/containers.conf.d/50-pmmha-test.conf}

_podman_env_log() { printf '[podman-env] %s\n' "$*" >&2; }

# podman_env_setup
#   Stock podman 4.3.1 cannot start a container on this host kind: the
#   default rlimits exceed the hard limit (nofile 20000: "error setting
#   rlimit type 7: operation not permitted"), and crun, where installed,
#   rejects the hybrid cgroup layout.  Fix by configuration: a drop-in with
#   runc and explicit ulimits.  podman 4.3.1 (containers/common 0.50) reads
#   /etc/containers/containers.conf.d/*.conf after containers.conf (checked
#   here: without the drop-in "podman run" fails with the rlimit error, with
#   it the container starts), so /etc/containers/containers.conf is left
#   alone.  Note: a CONTAINERS_CONF environment variable makes podman read
#   only that file, bypassing the drop-in.
#   Only rewrites the file when its content differs.
podman_env_setup() {
    local want dir
    want='# Written by pmmha tests/lib/podman-env.sh (podman_env_setup).
# podman 4.3 on this host kind: crun rejects the hybrid cgroup layout, and
# the default rlimits exceed the hard limit (nofile 20000).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"'
    if ! command -v podman >/dev/null 2>&1; then
        _podman_env_log "podman is not installed (apt-get install podman runc)"
        return 1
    fi
    if ! command -v runc >/dev/null 2>&1; then
        _podman_env_log "runc is not installed (apt-get install runc)"
        return 1
    fi
    if [ -f "$PODMAN_ENV_DROPIN" ] && [ "$(cat "$PODMAN_ENV_DROPIN")" = "$want" ]; then
        return 0
    fi
    dir=$(dirname "$PODMAN_ENV_DROPIN")
    mkdir -p "$dir" || { _podman_env_log "cannot create $dir"; return 1; }
    if ! { printf '%s\n' "$want" >"$PODMAN_ENV_DROPIN.tmp" &&
        mv -f "$PODMAN_ENV_DROPIN.tmp" "$PODMAN_ENV_DROPIN"; }; then
        _podman_env_log "cannot write $PODMAN_ENV_DROPIN"
        return 1
    fi
    _podman_env_log "installed $PODMAN_ENV_DROPIN"
}

# _podman_api_pid_ok SOCKET PID: PID is our "podman system service" on SOCKET
_podman_api_pid_ok() {
    local sock=$1 pid=$2 cmd
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [ -r "/proc/$pid/cmdline" ] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *podman*" system service "*"unix://$sock"* ]]
}

_podman_api_ping() { # SOCKET
    [ "$(curl -s -m 2 --unix-socket "$1" http://d/_ping 2>/dev/null)" = OK ]
}

# podman_api_start SOCKET
#   Start "podman system service --time=0 unix://SOCKET" in its own session,
#   logging to SOCKET.log, pid in SOCKET.pid; wait (up to ~10 s) until
#   GET /_ping answers OK.  If our service already answers there, do nothing.
podman_api_start() {
    local sock=${1:?usage: podman_api_start SOCKET} pid=""
    case $sock in /*) ;; *) _podman_env_log "socket path must be absolute: $sock"; return 1 ;; esac
    if [ -f "$sock.pid" ]; then
        pid=$(cat "$sock.pid" 2>/dev/null || true)
        if _podman_api_pid_ok "$sock" "$pid" && _podman_api_ping "$sock"; then
            return 0
        fi
        if _podman_api_pid_ok "$sock" "$pid"; then
            _podman_env_log "service pid $pid on $sock does not answer: restarting it"
            podman_api_stop "$sock" || return 1
        fi
        rm -f "$sock.pid"
    fi
    if [ -S "$sock" ] && _podman_api_ping "$sock"; then
        _podman_env_log "$sock already answers, but not from a service we started"
        return 1
    fi
    mkdir -p "$(dirname "$sock")" || return 1
    rm -f "$sock"
    # The inner shell records its own pid and execs podman, so SOCKET.pid is
    # podman's pid even if setsid has to fork (when called as a group leader).
    # shellcheck disable=SC2016  # $$ and $1 belong to the inner shell
    setsid sh -c 'echo $$ >"$1.pid"; exec podman system service --time=0 "unix://$1"' \
        sh "$sock" </dev/null >>"$sock.log" 2>&1 &
    for _ in $(seq 1 100); do
        if [ -s "$sock.pid" ]; then
            pid=$(cat "$sock.pid")
            if [ -S "$sock" ] && _podman_api_ping "$sock"; then
                return 0
            fi
            if ! kill -0 "$pid" 2>/dev/null; then
                _podman_env_log "podman system service exited; last lines of $sock.log:"
                tail -n 20 "$sock.log" >&2 || true
                rm -f "$sock.pid"
                return 1
            fi
        fi
        sleep 0.1
    done
    _podman_env_log "podman system service on $sock did not answer within 10 s (see $sock.log)"
    podman_api_stop "$sock" || true
    return 1
}

# podman_api_stop SOCKET
#   Stop exactly the service recorded in SOCKET.pid (checked against
#   /proc/PID/cmdline first), SIGTERM then SIGKILL after ~5 s; remove the
#   socket and the pid file.  Containers keep running (conmon is separate).
podman_api_stop() {
    local sock=${1:?usage: podman_api_stop SOCKET} pid
    if [ ! -f "$sock.pid" ]; then
        rm -f "$sock"
        return 0
    fi
    pid=$(cat "$sock.pid" 2>/dev/null || true)
    if _podman_api_pid_ok "$sock" "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            _podman_api_pid_ok "$sock" "$pid" || break
            sleep 0.1
        done
        if _podman_api_pid_ok "$sock" "$pid"; then
            _podman_env_log "service pid $pid ignored SIGTERM: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.1
        fi
    elif [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
        _podman_env_log "pid $pid in $sock.pid is not our podman service: not killing it"
    fi
    rm -f "$sock" "$sock.pid"
}
