#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server's stop with the container runtime's API frozen (SIGSTOP on the
# API service): where the kernel saw the container's init obey SIGTERM the
# stop succeeds after a bounded wait on the runtime, with a warning; where
# nothing proves it, the reason says the runtime did not answer.
. "$(dirname "$0")/common.sh"
API_PID=
thaw() { [[ -n $API_PID ]] && kill -CONT "$API_PID" 2>/dev/null; }
trap 'thaw; cleanup' EXIT
setup_podman || { fail "podman set-up"; exit 1; }
API_PID=$(cat "$SOCK.pid")

srv=$WORK/srv
state=$WORK/rsctmp/pmm-server-pmm.state
start() { ra pmm-server start "${BASE[@]}" "$@"; }
stop() { ra pmm-server stop "${BASE[@]}" "$@"; }

# ---- the kernel saw init exit: stop succeeds, the runtime frozen ----------
start
expect "start" 0 ""
rm -f "$srv/stub-clean-shutdown"
kill -STOP "$API_PID"
t0=$(now_ms)
stop OCF_RESKEY_CRM_meta_timeout=30000
dt=$(($(now_ms) - t0))
thaw
expect "stop with the runtime's API frozen, init seen to exit" 0 ""
[[ -f $srv/stub-clean-shutdown ]] && pass "the stop was graceful (clean-shutdown marker)" ||
    fail "no clean-shutdown marker"
((dt < 12000)) && pass "stop returned in ${dt} ms: a bounded wait on the runtime, not the 30 s timeout" ||
    fail "stop took ${dt} ms with the runtime frozen"
grep -q "did not confirm within" <<<"$ERR" && pass "a warning says the runtime did not confirm" ||
    fail "no warning about the silent runtime"
[[ -e $state ]] && fail "the state file outlived a successful stop" || pass "the state file is gone"
wait_until 15 bash -c "! podman container exists $CT" && pass "the container removed itself once the runtime woke" ||
    fail "the container is still there"
ra pmm-server monitor "${BASE[@]}"
expect "probe after that stop" 7 ""

# ---- nothing proves the stop (no record): the runtime is named -----------
start
expect "start" 0 ""
rm -f "$state"
kill -STOP "$API_PID"
t0=$(now_ms)
stop OCF_RESKEY_CRM_meta_timeout=8000
dt=$(($(now_ms) - t0))
thaw
expect "stop without a record, the runtime's API frozen" 1 "restart the podman API (podman.socket): it did not answer within"
[[ $REASON == *"no time left"* ]] && fail "the reason says 'no time left'" || pass "the reason does not blame the time"
((dt < 8000)) && pass "the failing stop returned in ${dt} ms, inside its 8000 ms timeout" ||
    fail "the failing stop took ${dt} ms (timeout 8000)"
stop
expect "stop once the runtime answers again" 0 ""
