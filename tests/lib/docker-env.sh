# shellcheck shell=bash
# docker-env.sh - a private Docker engine (Debian's docker.io: dockerd 20.10,
# containerd, runc) for the tests, started by hand (no systemd here) so that
# it changes nothing of the host's: its own data and exec roots under
# $DOCKER_ENV_DIR, its own socket, no bridge, no iptables, no ip_forward,
# no /etc/docker/daemon.json. Source it, then:
#
#   docker_env_start           # dockerd answering on $DOCKER_ENV_SOCK
#   docker_env_load IMAGE...   # podman's images into it (podman save | load)
#   dk ps -a                   # the docker CLI on that socket
#   docker_env_stop            # dockerd, containerd, shims, mounts, dirs: gone
#
# This host kind's quirks (see podman-env.sh): the nofile hard limit is
# 20000, so the default ulimit is set to it; runc is the runtime (crun
# refuses the hybrid cgroup layout); the cgroupfs driver (no systemd).
# Containers must use --network host: the engine has no bridge.

DOCKER_ENV_DIR=${DOCKER_ENV_DIR:-/var/tmp/pmmha-docker}
DOCKER_ENV_SOCK=${DOCKER_ENV_SOCK:-/run/pmmha-docker/docker.sock}
DOCKER_ENV_WHY=""  # why the engine cannot run, when docker_env_start fails

_docker_env_log() { printf '[docker-env] %s\n' "$*" >&2; }

# dk ARGS...: the docker CLI talking to our engine only
dk() { DOCKER_HOST="unix://$DOCKER_ENV_SOCK" docker "$@"; }

_docker_env_ping() {
    [ "$(curl -s -m 2 --unix-socket "$DOCKER_ENV_SOCK" http://d/_ping 2>/dev/null)" = OK ]
}

# The PIDs whose command line names our exec root or data root: our dockerd,
# the containerd it started, the shims of our containers.
_docker_env_pids() {
    local p cmd
    for p in /proc/[0-9]*; do
        cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
        case $cmd in
            *dockerd*"$DOCKER_ENV_DIR/"* | *containerd*"$DOCKER_ENV_DIR/"*) echo "${p#/proc/}" ;;
        esac
    done
}

# docker_env_start: sets DOCKER_ENV_WHY and returns 1 when it cannot.
docker_env_start() {
    local p driver=vfs
    for p in dockerd containerd runc docker; do
        command -v "$p" >/dev/null 2>&1 ||
            { DOCKER_ENV_WHY="$p is not installed (apt-get install docker.io runc)"; return 1; }
    done
    if [ -n "$(_docker_env_pids)" ]; then
        _docker_env_log "a dockerd of an earlier run is still there: stopping it"
        docker_env_stop
    fi
    grep -qw overlay /proc/filesystems && driver=overlay2
    mkdir -p "$DOCKER_ENV_DIR/data" "$DOCKER_ENV_DIR/exec" "$(dirname "$DOCKER_ENV_SOCK")" || return 1
    echo '{}' >"$DOCKER_ENV_DIR/daemon.json"
    rm -f "$DOCKER_ENV_SOCK"
    setsid dockerd --config-file "$DOCKER_ENV_DIR/daemon.json" \
        --data-root "$DOCKER_ENV_DIR/data" --exec-root "$DOCKER_ENV_DIR/exec" \
        --pidfile "$DOCKER_ENV_DIR/dockerd.pid" -H "unix://$DOCKER_ENV_SOCK" \
        --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
        --bridge=none --default-ulimit nofile=20000:20000 \
        --exec-opt native.cgroupdriver=cgroupfs --default-runtime runc \
        --storage-driver "$driver" \
        </dev/null >"$DOCKER_ENV_DIR/dockerd.log" 2>&1 &
    for _ in $(seq 1 300); do
        _docker_env_ping && return 0
        if ! kill -0 $! 2>/dev/null; then
            DOCKER_ENV_WHY="dockerd exited: $(grep -E 'level=(fatal|error)' "$DOCKER_ENV_DIR/dockerd.log" | tail -n 1)"
            return 1
        fi
        sleep 0.1
    done
    DOCKER_ENV_WHY="dockerd did not answer on $DOCKER_ENV_SOCK within 30 s: $(tail -n 1 "$DOCKER_ENV_DIR/dockerd.log")"
    return 1
}

# docker_env_load IMAGE...: from podman's store into the engine's
docker_env_load() {
    # -m: several images in one archive (without it podman saves the first
    # image under every name given)
    podman save -m "$@" 2>/dev/null | dk load -q >/dev/null
}

# docker_env_stop: everything docker_env_start made goes, even when dockerd
# hangs or was killed; only processes naming $DOCKER_ENV_DIR are touched.
docker_env_stop() {
    local pids m
    if _docker_env_ping; then
        dk ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="unix://$DOCKER_ENV_SOCK" \
            docker rm -f >/dev/null 2>&1
    fi
    pids=$(_docker_env_pids)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -TERM $pids 2>/dev/null
    for _ in $(seq 1 100); do
        [ -z "$(_docker_env_pids)" ] && break
        sleep 0.1
    done
    pids=$(_docker_env_pids)
    if [ -n "$pids" ]; then
        _docker_env_log "still running after SIGTERM: $pids: SIGKILL"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        sleep 0.2
    fi
    # innermost first: overlay mounts, shm, then the data root bound on itself
    for _ in 1 2 3; do
        m=$(awk -v d="$DOCKER_ENV_DIR/" '{ if (index($5, d) == 1 || $5"/" == d) print $5 }' \
            /proc/self/mountinfo | sort -r)
        [ -z "$m" ] && break
        # shellcheck disable=SC2086
        umount -l $m 2>/dev/null
    done
    rm -rf "$DOCKER_ENV_DIR"
    rm -f "$DOCKER_ENV_SOCK"
    rmdir "$(dirname "$DOCKER_ENV_SOCK")" 2>/dev/null
    return 0
}
