#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server with runtime=docker against a real Docker engine (Debian's
# docker.io, dockerd 20.10, started here by hand on its own socket and
# roots, no bridge: containers use the host's network): ocf-tester over the
# Docker API and over the docker CLI fallback, then faults through both.
#
# The CLI fallback runs when there is no API socket. With runtime_socket
# unset (and nothing on /var/run/docker.sock) the docker CLI reaches the
# daemon that DOCKER_HOST in the agent's environment names (pacemaker passes
# /etc/default/pacemaker's variables on); with runtime_socket set, the CLI
# is told that socket and no other engine. The default socket is, for a few
# seconds, a symbolic link to this test's socket (only when nothing is
# there: a real docker's socket is left alone).
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib/testlib.sh"
. "$TOP/tests/lib/podman-env.sh"
. "$TOP/tests/lib/docker-env.sh"

IMG=docker.io/percona/pmm-server:2.42.0
IMG_OLD=docker.io/percona/pmm-server:2.41.0
DEFAULT_SOCK=/var/run/docker.sock
ABSENT_SOCK=$(dirname "$DOCKER_ENV_SOCK")/absent.sock
WORK=$(mktemp -d /tmp/pmmha-docker-it.XXXXXX)
CT=pmmha-dk-$$
SRV=$WORK/srv
LINKED=0
T0=$(now_ms)

unlink_default() {
    if [[ $LINKED == 1 && $(readlink "$DEFAULT_SOCK") == "$DOCKER_ENV_SOCK" ]]; then
        rm -f "$DEFAULT_SOCK"
    fi
    LINKED=0
}
cleanup() {
    unlink_default
    docker_env_stop >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- the engine -----------------------------------------------------------
[[ $EUID -eq 0 ]] || { fail "docker engine: must run as root"; exit 1; }
if ! docker_env_start; then
    # the packages are there (or tests/lib/packages.sh failed): a daemon that
    # cannot start on a root shell of this kind is a real problem to look at
    fail "docker engine: $DOCKER_ENV_WHY"
    [[ -f $DOCKER_ENV_DIR/dockerd.log ]] && tail -n 15 "$DOCKER_ENV_DIR/dockerd.log" | sed 's/^/    /'
    exit 1
fi
pass "dockerd $(dk version --format '{{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null) answers on $DOCKER_ENV_SOCK"
if ip link show docker0 >/dev/null 2>&1; then fail "dockerd made a docker0 bridge"; else pass "no docker0: the host's network is untouched"; fi

podman_env_setup 2>/dev/null || { fail "podman set-up (to build the stand-in)"; exit 1; }
"$TOP/tests/stub/build-images" >"$WORK/build-images.log" 2>&1 ||
    { fail "stand-in images"; tail -n 20 "$WORK/build-images.log"; exit 1; }
if docker_env_load "$IMG" "$IMG_OLD" &&
    [[ $(dk image inspect -f '{{.Id}}' "$IMG") == "sha256:$(podman image inspect -f '{{.Id}}' "$IMG")" ]]; then
    pass "stand-in images loaded into docker (same image IDs as in podman)"
else
    fail "podman save | docker load"
    exit 1
fi

# The stand-in on the host's network, on ports nobody else uses here.
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
HP=$((20080 + ($$ % 400) * 2))
until port_free "$HP" && port_free $((HP + 1)); do HP=$((HP + 2)); done
mkdir -p "$SRV" "$WORK/rsctmp"
printf 'STUB_READY_DELAY=0.5\nSTUB_HTTP_PORT=%d\nSTUB_HTTPS_PORT=%d\n' "$HP" $((HP + 1)) >"$WORK/pmm.env"
URL=http://127.0.0.1:$HP/v1/readyz
COMMON=(image="$IMG" name="$CT" volume="$SRV" env_file="$WORK/pmm.env"
        run_opts="--network host" readyz_url="$URL" runtime=docker)
API=("${COMMON[@]}" runtime_socket="$DOCKER_ENV_SOCK")
api() { ra pmm-server "$1" "${API[@]}" HA_RSCTMP="$WORK/rsctmp" "${@:2}"; }
cli() { ra pmm-server "$1" "${COMMON[@]}" DOCKER_HOST="unix://$DOCKER_ENV_SOCK" HA_RSCTMP="$WORK/rsctmp" "${@:2}"; }

tester() {  # tester NAME [ENV...] -- PARAM...
    local name=$1 envv=() o=() kv
    shift
    while [[ $1 != -- ]]; do envv+=("$1"); shift; done
    shift
    for kv in "$@"; do o+=(-o "$kv"); done
    if env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
        "${envv[@]}" ocf-tester -n "$CT" "${o[@]}" "$AGENT_DIR/pmm-server" >"$WORK/tester.log" 2>&1; then
        pass "ocf-tester: $name"
    else
        fail "ocf-tester: $name: $(grep -iE 'error|fail' "$WORK/tester.log" | head -3 | tr '\n' ' ')"
        sed 's/^/    /' "$WORK/tester.log" | tail -20
    fi
}
gone_from_docker() { wait_until 5 bash -c "! DOCKER_HOST=unix://$DOCKER_ENV_SOCK docker container inspect $CT"; }
state_pid() { sed -n 's/^pid=//p' "$WORK/rsctmp"/pmm-server* 2>/dev/null; }
said() { grep -q "$1" <<<"$ERR"; }  # said TEXT: the last ra's stderr has it

# ---- ocf-tester -------------------------------------------------------------
tester "docker API" -- "${API[@]}"

# ---- faults over the Docker API -------------------------------------------
api start
expect "API: start" 0 ""
said "through the docker API" && pass "API: start used the docker API" || fail "API: transport: $ERR"
dpid=$(dk inspect -f '{{.State.Pid}}' "$CT" 2>/dev/null)
if [[ -n $dpid && $(state_pid) == "$dpid" && $(tr '\0' ' ' <"/proc/$dpid/cmdline" 2>/dev/null) == */pmm-stub* ]]; then
    pass "API: docker's State.Pid ($dpid) is the stand-in's host PID, recorded for the pidfd stop"
else
    fail "API: State.Pid '$dpid', recorded '$(state_pid)'"
fi
api monitor OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_interval=10000
expect "API: monitor depth 10" 0 ""
api start
expect "API: start while it runs" 0 ""
said "already runs" && pass "API: the running container was kept" || fail "API: start again: $ERR"
rm -f "$WORK/rsctmp"/pmm-server*
api monitor OCF_CHECK_LEVEL=10
expect "API: probe of a running container, state lost (sha256: image IDs compared)" 0 ""
[[ $(state_pid) == "$dpid" ]] && pass "API: the probe recorded the container again" || fail "API: probe did not record it"
api validate-all OCF_CHECK_LEVEL=10
expect "API: validate-all depth 10" 0 ""

kill -KILL "$dpid"
wait_until 10 bash -c "! kill -0 $dpid"
api monitor OCF_RESKEY_CRM_meta_interval=10000
expect "API: container killed -> monitor" 1 "is gone"
api stop
expect "API: stop after the kill" 0 ""
api monitor
expect "API: probe after the kill and stop" 7 ""
gone_from_docker && pass "API: the killed container removed itself (AutoRemove)" || fail "API: killed container still listed"

api start
expect "API: start (for docker stop outside the cluster)" 0 ""
dk stop -t 1 "$CT" >/dev/null 2>&1
api monitor OCF_RESKEY_CRM_meta_interval=10000
expect "API: 'docker stop' outside the cluster -> monitor" 1 "is gone"
api stop
expect "API: stop after 'docker stop'" 0 ""

api start
expect "API: start (for the graceful stop)" 0 ""
rm -f "$SRV/stub-clean-shutdown"
t0=$(now_ms)
api stop
dt=$(($(now_ms) - t0))
expect "API: stop" 0 ""
[[ -f $SRV/stub-clean-shutdown ]] && pass "API: SIGTERM honoured on stop (clean-shutdown marker, ${dt} ms)" ||
    fail "API: no clean shutdown marker"
gone_from_docker && pass "API: the stopped container removed itself" || fail "API: stopped container still listed"
api stop
expect "API: stop when already stopped" 0 ""
api monitor
expect "API: probe when nothing runs" 7 ""

api start
touch "$SRV/.stub-ignore-term"
t0=$(now_ms)
api stop stop_timeout=2
dt=$(($(now_ms) - t0))
expect "API: SIGTERM ignored -> stop" 0 ""
((dt >= 2000 && dt < 15000)) && pass "API: stop waited the 2 s grace, then killed (${dt} ms)" ||
    fail "API: stop took ${dt} ms with a 2 s grace"
[[ $(dk inspect -f '{{.State.Running}}' "$CT" 2>/dev/null) == true ]] &&
    fail "API: container still runs after stop" || pass "API: container not running after the SIGKILL stop"
rm -f "$SRV/.stub-ignore-term"

api start image=docker.io/percona/pmm-server:9.9.9
expect "API: image missing" 5 "image not on this node: docker pull"
api validate-all OCF_CHECK_LEVEL=10 image=docker.io/percona/pmm-server:9.9.9
expect "API: validate-all depth 10, image missing" 5 "image not on this node"

# a leftover container of that name (not auto-removed, exited): replaced
dk create --name "$CT" --network host "$IMG_OLD" >/dev/null
api start
expect "API: start over a leftover container of the same name" 0 ""
[[ $(dk inspect -f '{{.Config.Image}}' "$CT" 2>/dev/null) == "$IMG" ]] &&
    pass "API: the leftover was replaced" || fail "API: the leftover was not replaced"
api stop
expect "API: stop" 0 ""

printf 'STUB_READY_DELAY=20\nSTUB_EXIT_AFTER=1\nSTUB_HTTP_PORT=%d\nSTUB_HTTPS_PORT=%d\n' "$HP" $((HP + 1)) >"$WORK/crash.env"
api start env_file="$WORK/crash.env" OCF_RESKEY_CRM_meta_timeout=15000
expect "API: container dies while PMM starts" 1 "exited while PMM was starting"
api stop
expect "API: stop after the failed start" 0 ""

# ---- the docker CLI (no API socket), then the API on the default socket ----
if [[ -e $DEFAULT_SOCK || -L $DEFAULT_SOCK ]]; then
    note "$DEFAULT_SOCK exists (not this test's engine): the CLI and default-socket checks are not run"
else
    tester "docker CLI (no socket), DOCKER_HOST in the agent's environment" \
        DOCKER_HOST="unix://$DOCKER_ENV_SOCK" -- "${COMMON[@]}"
    cli start
    expect "CLI: start" 0 ""
    said "through the docker CLI" && pass "CLI: start used the docker CLI" || fail "CLI: transport: $ERR"
    cli monitor OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_interval=10000
    expect "CLI: monitor depth 10" 0 ""
    rm -f "$WORK/rsctmp"/pmm-server*
    cli monitor OCF_CHECK_LEVEL=10
    expect "CLI: probe of a running container, state lost" 0 ""
    dpid=$(dk inspect -f '{{.State.Pid}}' "$CT" 2>/dev/null)
    kill -KILL "$dpid"
    wait_until 10 bash -c "! kill -0 $dpid"
    cli monitor OCF_RESKEY_CRM_meta_interval=10000
    expect "CLI: container killed -> monitor" 1 "is gone"
    cli stop
    expect "CLI: stop after the kill" 0 ""
    cli monitor
    expect "CLI: probe when nothing runs" 7 ""
    dk create --name "$CT" --network host "$IMG_OLD" >/dev/null
    cli start
    expect "CLI: start over a leftover container of the same name" 0 ""
    rm -f "$SRV/stub-clean-shutdown"
    cli stop
    expect "CLI: stop" 0 ""
    [[ -f $SRV/stub-clean-shutdown ]] && pass "CLI: SIGTERM honoured on stop" || fail "CLI: no clean shutdown marker"
    cli stop
    expect "CLI: stop when already stopped" 0 ""
    cli start image=docker.io/percona/pmm-server:9.9.9
    expect "CLI: image missing" 5 "image not on this node: docker pull"

    ln -s "$DOCKER_ENV_SOCK" "$DEFAULT_SOCK" && LINKED=1
    ra pmm-server start "${COMMON[@]}" HA_RSCTMP="$WORK/rsctmp"
    expect "default socket: start (no runtime_socket)" 0 ""
    said "through the docker API" && pass "default socket: the docker API on $DEFAULT_SOCK" || fail "default socket: $ERR"
    ra pmm-server stop "${COMMON[@]}" HA_RSCTMP="$WORK/rsctmp"
    expect "default socket: stop" 0 ""
    unlink_default
fi
# a configured socket nobody serves: the CLI is told that socket, so it
# never manages the engine that DOCKER_HOST (or the default socket) names
ra pmm-server start "${COMMON[@]}" runtime_socket="$ABSENT_SOCK" \
    DOCKER_HOST="unix://$DOCKER_ENV_SOCK" HA_RSCTMP="$WORK/rsctmp"
expect "CLI, configured socket absent: start" 1 "Cannot connect to the Docker daemon"
dk container inspect "$CT" >/dev/null 2>&1 && fail "the CLI started PMM on another engine than the configured one" ||
    pass "the CLI did not turn to the engine DOCKER_HOST names"

# ---- nothing left behind ----------------------------------------------------
docker_env_stop
left="$(_docker_env_pids) $(grep -F "$DOCKER_ENV_DIR/" /proc/self/mountinfo | awk '{print $5}')"
if [[ -z ${left// /} && ! -e $DOCKER_ENV_DIR && ! -e $DOCKER_ENV_SOCK && ! -L $DEFAULT_SOCK ]] &&
    ! ip link show docker0 >/dev/null 2>&1; then
    pass "docker engine stopped: no process, mount, directory, socket or docker0 left"
else
    fail "left behind: $left $(ls -d "$DOCKER_ENV_DIR" "$DOCKER_ENV_SOCK" 2>/dev/null)"
fi
note "22-docker: $(($(now_ms) - T0)) ms"
