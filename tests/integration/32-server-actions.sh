#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server's actions where they meet each other and what outlives them:
# two starts of one resource at once, a probe after a stop done outside the
# cluster, a damaged state file, a full /srv, what a killed write leaves.
. "$(dirname "$0")/common.sh"
FULL=$WORK/full
cleanup_32() {
    mountpoint -q "$FULL" && umount "$FULL"
    cleanup
}
trap cleanup_32 EXIT
setup_podman || { fail "podman set-up"; exit 1; }

srv=$WORK/srv
state=$WORK/rsctmp/pmm-server-pmm.state
start() { ra pmm-server start "${BASE[@]}" "$@"; }
mon() { ra pmm-server monitor "${BASE[@]}" OCF_RESKEY_CRM_meta_interval=10000 "$@"; }
probe() { ra pmm-server monitor "${BASE[@]}" "$@"; }
stop() { ra pmm-server stop "${BASE[@]}" "$@"; }
# bg_start FILE ARGS...: a start in the background, "RC|REASON" into FILE;
# its pid appended to BG (a bare 'wait' would wait for the API service too)
BG=()
bg_start() {
    local f=$1
    shift
    (start "$@"; echo "$RC|$REASON" >"$f") &
    BG+=($!)
}
bg_wait() { wait "${BG[@]}"; BG=(); }

# ---- two starts of one resource at once (crm_resource --force-start) ------
bg_start "$WORK/s1"
bg_start "$WORK/s2"
bg_wait
s1=$(cat "$WORK/s1") s2=$(cat "$WORK/s2")
[[ $s1 == "0|" && $s2 == "0|" ]] && pass "two starts at once both succeed" ||
    fail "two starts at once: '$s1' and '$s2'"
n=$(podman ps -q --filter "name=^$CT\$" | wc -l)
[[ $n == 1 ]] && pass "one container runs after two starts" || fail "$n containers run after two starts"
mon
expect "monitor after two starts at once" 0 ""
stop
expect "stop after two starts" 0 ""

# a start held up behind another waits until its deadline, then says why
printf 'STUB_READY_DELAY=6\n' >"$WORK/slow.env"
bg_start "$WORK/s1" env_file="$WORK/slow.env"
sleep 1
t0=$(now_ms)
start OCF_RESKEY_CRM_meta_timeout=3000
dt=$(($(now_ms) - t0))
expect "a start behind a running start of the same resource" 1 "wait for the start of pmm still running here"
((dt < 3000)) && pass "it gave up in ${dt} ms, inside its 3000 ms timeout" || fail "it took ${dt} ms (timeout 3000)"
t0=$(now_ms)
mon
dt=$(($(now_ms) - t0))
((dt < 2500)) && pass "a monitor did not wait for the start (${dt} ms)" || fail "a monitor waited ${dt} ms behind the start"
bg_wait
[[ $(cat "$WORK/s1") == "0|" ]] && pass "the first start was not disturbed" || fail "the first start: $(cat "$WORK/s1")"
stop
expect "stop" 0 ""

# ---- a probe after a clean stop outside the cluster ----------------------
start
expect "start" 0 ""
podman stop -t 10 "$CT" >/dev/null 2>&1
wait_until 10 bash -c "! podman container exists $CT"
[[ -f $state ]] && pass "the state file outlived the stop by hand" || fail "no state file to test with"
mon
expect "recurring monitor after podman stop by hand" 1 "is gone"
probe
expect "probe after podman stop by hand (container gone)" 7 ""
stop
expect "stop after podman stop by hand" 0 ""

# ---- a damaged state file is taken as a missing one ---------------------
start
expect "start" 0 ""
printf 'name=%s\n' "$CT" >"$state"
mon
expect "monitor with a state file missing its keys" 0 ""
grep -q '^pid=' "$state" && pass "the state was recorded anew from the runtime" || fail "the state was not recorded anew"
head -c 300 /dev/urandom >"$state"
mon
expect "monitor with random bytes as its state file" 0 ""
printf 'name=%s\nimage=%s\npid=12\n' "$CT" "$IMG" >"$state"
mon
expect "monitor with a state file cut short (no starttime)" 0 ""
stop
expect "stop" 0 ""

# ---- what a killed write leaves behind ------------------------------------
start
expect "start" 0 ""
echo "name=half" >"$state.tmp"
echo "image=half" >"$srv/.pmmha-image.tmp"
stop
expect "stop" 0 ""
left=$(ls "$WORK/rsctmp"/*.tmp 2>/dev/null)
[[ -z $left ]] && pass "no temporary state file is left after stop" || fail "left behind: $left"
start
expect "start" 0 ""
left=$(ls "$WORK/rsctmp"/*.tmp "$srv"/.*.tmp 2>/dev/null)
[[ -z $left ]] && pass "no temporary file is left after start (state, /srv's image record)" ||
    fail "left behind: $(echo $left)"
stop

# ---- a full /srv ------------------------------------------------------------
mkdir -p "$FULL"
mount -t tmpfs -o size=512k tmpfs "$FULL"
dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null
start volume="$FULL"
expect "start on a full /srv" 1 "free space on $FULL"
[[ $REASON != *"raise the start timeout"* ]] && pass "the reason does not advise a longer timeout" ||
    fail "the reason advises a longer timeout: $REASON"
stop volume="$FULL"
expect "stop after the start on a full /srv" 0 ""
umount "$FULL"
