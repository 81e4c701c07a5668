#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server under faults, each asserted with its OCF code and exit reason:
# a killed container, readyz 503 and never answering, SIGTERM ignored, a
# missing image, socket and volume, a downgrade, bad parameters, and a start
# timeout shorter than PMM needs.
. "$(dirname "$0")/common.sh"
trap cleanup EXIT
setup_podman || { fail "podman set-up"; exit 1; }

srv=$WORK/srv
start() { ra pmm-server start "${BASE[@]}" "$@"; }
mon() { ra pmm-server monitor "${BASE[@]}" OCF_RESKEY_CRM_meta_interval=10000 "$@"; }
stop() { ra pmm-server stop "${BASE[@]}" "$@"; }

# ---- a running PMM, then faults under it --------------------------------
start
expect "start" 0 ""
grep -q PMM_TEST_SECRET=s3cret "$srv/stub-env.txt" && pass "env_file reached the container" ||
    fail "env_file did not reach the container"
if grep -q s3cret <<<"$ERR"; then fail "a secret from env_file was logged"; else pass "env_file values are not logged"; fi
mon OCF_CHECK_LEVEL=10
expect "monitor depth 10 on a ready PMM" 0 ""

touch "$srv/.stub-unhealthy"
mon OCF_CHECK_LEVEL=10
expect "readyz 503 -> monitor depth 10" 1 "PMM not ready at"
[[ $REASON == *503* ]] && pass "the reason quotes the 503" || fail "the reason lacks 503: $REASON"
mon
expect "readyz 503 -> monitor depth 0 still running" 0 ""
rm -f "$srv/.stub-unhealthy"

touch "$srv/.stub-hang"
t0=$(now_ms)
mon OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_timeout=4000
dt=$(($(now_ms) - t0))
expect "readyz never answers -> monitor depth 10" 1 "PMM not ready at"
((dt < 4000)) && pass "the hung readyz monitor returned in ${dt} ms, inside its 4000 ms timeout" ||
    fail "the hung readyz monitor took ${dt} ms (timeout 4000)"
rm -f "$srv/.stub-hang"

pid=$(podman inspect -f '{{.State.Pid}}' "$CT")
kill -KILL "$pid"
wait_until 10 bash -c "! kill -0 $pid"
mon
expect "container killed with SIGKILL -> monitor" 1 "is gone"
stop
expect "stop after the kill" 0 ""
mon
expect "monitor after stop" 7 ""

# ---- SIGTERM ignored: grace, then kill; stop still succeeds -------------
start
expect "start (for SIGTERM test)" 0 ""
touch "$srv/.stub-ignore-term"
t0=$(now_ms)
stop stop_timeout=2000ms
dt=$(($(now_ms) - t0))
expect "SIGTERM ignored -> stop" 0 ""
((dt >= 2000 && dt < 15000)) && pass "stop waited the 2 s grace, then killed (${dt} ms)" ||
    fail "stop took ${dt} ms with a 2 s grace"
# stop proves the container stopped; it removes itself (created with --rm)
[[ $(podman inspect -f '{{.State.Running}}' "$CT" 2>/dev/null) == true ]] &&
    fail "container still runs after stop" || pass "container not running after stop"
wait_until 5 bash -c "! podman container exists $CT" && pass "the stopped container removed itself" ||
    fail "the stopped container is still there 5 s after stop"
rm -f "$srv/.stub-ignore-term"
stop
expect "stop is idempotent" 0 ""

# ---- graceful stop: the stand-in flushed ----------------------------------
start
stop
[[ -f $srv/stub-clean-shutdown ]] && pass "stop was graceful (SIGTERM honoured)" || fail "no clean shutdown marker"

# ---- replaced outside the cluster (someone ran it again by hand): the
# record is stale; stop is still graceful (through the runtime) ------------
start
old=$(podman inspect -f '{{.State.Pid}}' "$CT")
podman rm -f -t 5 "$CT" >/dev/null 2>&1
podman run -d --rm --name "$CT" --mount "type=bind,src=$srv,dst=/srv" \
    --env-file "$WORK/pmm.env" "$IMG" >/dev/null 2>&1
new=$(podman inspect -f '{{.State.Pid}}' "$CT" 2>/dev/null)
if [[ -n $new && $new != 0 && $new != "$old" ]]; then
    rm -f "$srv/stub-clean-shutdown"
    stop
    expect "stop of a container replaced outside the cluster" 0 ""
    [[ -f $srv/stub-clean-shutdown ]] && pass "the replacement got a graceful stop too" ||
        fail "the replacement was killed without SIGTERM's grace"
    [[ $(podman inspect -f '{{.State.Running}}' "$CT" 2>/dev/null) == true ]] &&
        fail "the replacement still runs after stop" || pass "the replacement no longer runs"
else
    fail "the container run by hand did not start ($old -> ${new:-none})"
    podman rm -f "$CT" >/dev/null 2>&1
fi

# ---- refusals before anything runs ----------------------------------------
ra pmm-server start "${BASE[@]}" image=docker.io/percona/pmm-server:9.9.9
expect "image missing" 5 "image not on this node: podman pull"
mkdir -p "$srv/grafana" && echo 2.42.0 >"$srv/grafana/PERCONA_DASHBOARDS_VERSION"
ra pmm-server start "${BASE[@]}" image="$IMG_OLD"
expect "downgrade refused" 6 "downgrade refused: the data is PMM 2.42.0, the image PMM 2.41.0"
[[ $REASON == *2.42.0* ]] && pass "the downgrade reason names both versions" || fail "reason: $REASON"
ra pmm-server start "${BASE[@]}" image="$IMG_OLD" allow_downgrade=true
expect "downgrade with allow_downgrade" 0 ""
stop image="$IMG_OLD"
rm -rf "$srv/grafana"
ra pmm-server start "${BASE[@]}" volume="$WORK/nowhere"
expect "volume does not exist" 5 "is not a directory on this node"
: >"$WORK/not-a-socket"
ra pmm-server start "${BASE[@]}" runtime_socket="$WORK/not-a-socket"
expect "runtime socket is not a socket" 5 "not a socket"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$WORK/dead.sock"
ra pmm-server start "${BASE[@]}" runtime_socket="$WORK/dead.sock"
expect "runtime socket with nobody listening" 1 "$WORK/dead.sock"
ra pmm-server monitor "${BASE[@]}" runtime_socket="$WORK/dead.sock"
expect "probe with nobody listening" 1 ""
ra pmm-server start "${BASE[@]}" env_file="$WORK/absent.env"
expect "env_file missing" 5 "cannot be read on this node"

# ---- every parameter given a bad value -----------------------------------
bad() {  # bad PARAM=VALUE REASON
    ra pmm-server validate-all "${BASE[@]}" "$1"
    expect "bad $1" 6 "$2"
}
bad image=pmm-server "full image reference with its tag"
bad 'image=docker.io/percona/pmm server:2' "invalid character"
bad name=-pmm "container name"
bad runtime=lxc "runtime=lxc is not one of: podman docker"
bad runtime_socket=relative.sock "absolute path"
bad volume=/ "root directory"
bad volume=srv "absolute path"
bad publish=443 "is not [ip:]host_port:container_port"
bad publish=443:99999 "is not [ip:]host_port:container_port"
bad env_file=pmm.env "absolute path"
bad "run_opts=--env 'A=1" "unbalanced quotes"
bad "run_opts=--privileged" "set allow_privileged=true, or drop --privileged"
bad readyz_url=ftp://x/ "not an http:// or https:// URL"
bad readyz_url=http://pmm.example/v1/readyz "use an IP address"
bad readyz_timeout=soon "is not a time"
bad tls_ca=ca.pem "absolute path"
bad tls_fingerprint=abc "sha256//"
bad stop_timeout=-1 "is not a time"
bad stop_timeout=ten "is not a time"
bad stop_timeout=25h "must be between 0s and 86400s"
for v in 240s 4min 240; do # Pacemaker's units, as every other duration
    ra pmm-server validate-all "${BASE[@]}" stop_timeout=$v
    expect "stop_timeout=$v accepted" 0 ""
done
bad allow_pull=maybe "not a boolean"
bad allow_downgrade=2 "not a boolean"
ra pmm-server validate-all runtime_socket="$SOCK" volume="$srv"
expect "image not set" 6 "required parameter image is not set"
ra pmm-server validate-all "${BASE[@]}"
expect "validate-all level 0" 0 ""
ra pmm-server validate-all "${BASE[@]}" OCF_CHECK_LEVEL=10
expect "validate-all level 10" 0 ""
ra pmm-server validate-all "${BASE[@]}" OCF_CHECK_LEVEL=10 image=docker.io/percona/pmm-server:9.9.9
expect "validate-all level 10, image missing" 5 "image not on this node"

# ---- start with a 5 s op timeout while PMM needs 20 s --------------------
printf 'STUB_READY_DELAY=20\n' >"$WORK/slow.env"
t0=$(now_ms)
ra pmm-server start "${BASE[@]}" env_file="$WORK/slow.env" OCF_RESKEY_CRM_meta_timeout=5000
dt=$(($(now_ms) - t0))
expect "start slower than its 5 s timeout" 1 "raise the start timeout: PMM not ready"
((dt < 5000)) && pass "the start returned in ${dt} ms, before pacemaker's 5000 ms" ||
    fail "the start took ${dt} ms (op timeout 5000)"
stop
expect "stop after the failed start" 0 ""
