#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PMM's Active/Passive group (examples/pcs-active-passive.sh, run as
# written) in a real 2-node cluster with stonith, and the failover drills of
# issue 4, each asserting its outcome and printing its timing:
#   1 standby of the active node -> readyz 200 through the VIP elsewhere
#   2 the container killed -> monitor notices, Pacemaker recovers it
#   3 readyz hangs -> the depth-10 monitor fails it, Pacemaker recovers
#   4 the active node crashes -> fenced, the group on the survivor, /srv
#     never mounted on two nodes at once
#   5 the active node frozen -> fenced, failover
. "$(dirname "$0")/common.sh"
C=$TOP/tests/cluster/cluster
DIR=/var/tmp/pmmha-drills
trap '"$C" down >/dev/null 2>&1; rm -rf "$DIR" "$WORK"' EXIT
X() { "$C" exec "$@"; }
where() { X "${VIEW:-$N1}" crm_resource --locate -r pmm-server 2>/dev/null | awk '/is running on/{print $NF; exit}'; }
runs_on() { [[ $(where) == "$1" ]]; }
runs_off() { local w; w=$(where); [[ -n $w && $w != "$1" ]]; }
not_200() { ! is_200; }
is_200() { [[ $("$C" hub curl -s -m 1 -o /dev/null -w '%{http_code}' "http://$VIP/v1/readyz") == 200 ]]; }
other() { for n in $PMM_NODES; do [[ $n != "$1" ]] && echo "$n"; done; }
secs() { printf '%d.%02d s' $(($1 / 1000)) $(($1 % 1000 / 10)); }
mounts_of() { X "$1" grep -c " $SRV " /proc/self/mountinfo; }

"$TOP/tests/stub/build-images" >"$WORK/build.log" 2>&1 || { fail "stand-in images"; exit 1; }
"$C" up 2 >"$WORK/up.log" 2>&1 || { fail "cluster up: $(tail -3 "$WORK/up.log")"; exit 1; }
eval "$("$C" env)"
read -r N1 N2 <<<"$PMM_NODES"
VIP=${PMM_NET}.100
SRV=/mnt/pmm-server/srv
mkdir -p "$DIR" && printf 'STUB_READY_DELAY=0\n' >"$DIR/pmm.env"
# the lease lives in the disk's last MiB
mkfs.ext4 -q -F "$PMM_DISK" "$(($(blockdev --getsize64 "$PMM_DISK") / 1024 - 1024))"
X "$N1" pcs stonith create fence-nodes fence_pmmns pcmk_host_list="$PMM_NODES" \
    op monitor interval=30s >/dev/null
if X "$N1" env DEVICE="$PMM_DISK" VIP="$VIP" ENV_FILE="$DIR/pmm.env" RUN_OPTS="--network host" \
    "$TOP/examples/pcs-active-passive.sh" >"$WORK/pcs.log" 2>&1; then
    pass "examples/pcs-active-passive.sh created the group"
else
    fail "examples/pcs-active-passive.sh: $(tail -3 "$WORK/pcs.log")"; exit 1
fi
wait_until 90 is_200 && pass "PMM answers 200 through $VIP from $(where)" ||
    { fail "no 200 through $VIP: $(X "$N1" crm_mon -1 | tail -15)"; exit 1; }

# ---- 1 standby ---------------------------------------------------------------
A=$(where) B=$(other "$A")
t0=$(now_ms)
X "$N1" crm_attribute -N "$A" -n standby -v on >/dev/null
if wait_until 90 runs_on "$B" && wait_until 60 is_200; then
    pass "drill 1: standby $A -> 200 through the VIP from $B in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 1: no failover to $B"
fi
[[ $(mounts_of "$A") == 0 && $(mounts_of "$B") == 1 ]] && pass "drill 1: /srv mounted on $B only" ||
    fail "drill 1: /srv mounts $A=$(mounts_of "$A") $B=$(mounts_of "$B")"
X "$N1" crm_attribute -N "$A" -n standby -v off >/dev/null

# ---- 2 container killed ----------------------------------------------------------
A=$(where)
pid=$(X "$A" podman inspect -f '{{.State.Pid}}' pmm-server)
t0=$(now_ms)
X "$A" kill -KILL "$pid"
wait_until 5 not_200 || true
if wait_until 60 is_200; then
    pass "drill 2: container killed on $A -> recovered, 200 through the VIP in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 2: no recovery after the container was killed"
fi
X "$N1" crm_resource --cleanup -r pmm-server >/dev/null 2>&1

# ---- 3 readyz hangs --------------------------------------------------------------
placed() { [[ -n $(where) ]]; }
wait_until 60 placed && wait_until 60 is_200
A=$(where)
t0=$(now_ms)
X "$A" touch "$SRV/.stub-hang"
failed() { X "$N1" crm_mon -1 2>/dev/null | grep -q "pmm-server.*monitor.*\(not ready\|error\)"; }
if wait_until 90 failed; then
    pass "drill 3: hung readyz on $A failed the depth-10 monitor after $(secs $(($(now_ms) - t0))) (interval 30 s + timeout)"
else
    fail "drill 3: the hung readyz was not noticed in 90 s"
fi
for n in $PMM_NODES; do X "$n" rm -f "$SRV/.stub-hang" 2>/dev/null; done
wait_until 90 is_200 && pass "drill 3: recovered, 200 through the VIP $(secs $(($(now_ms) - t0))) after the hang began" ||
    fail "drill 3: no recovery"
X "$N1" crm_resource --cleanup -r pmm-server >/dev/null 2>&1

# ---- 4 crash -------------------------------------------------------------------------
wait_until 60 placed && wait_until 60 is_200
A=$(where) B=$(other "$A")
VIEW=$B
t0=$(now_ms)
"$C" crash "$A"
if wait_until 120 runs_on "$B" && wait_until 60 is_200; then
    pass "drill 4: crash of $A -> fenced, 200 through the VIP from $B in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 4: no failover after the crash: $(X "$B" crm_mon -1 | tail -12)"
fi
X "$B" stonith_admin --history "$A" 2>/dev/null | grep -q successful && pass "drill 4: $A was fenced" ||
    fail "drill 4: no successful fencing of $A"
"$C" boot "$A" >/dev/null 2>&1 && "$C" wait-online --timeout 120 >/dev/null 2>&1
[[ $(mounts_of "$A") == 0 ]] && pass "drill 4: /srv not mounted on the rebooted $A" || fail "drill 4: /srv on $A"

# ---- 5 freeze --------------------------------------------------------------------------
VIEW=$N1
wait_until 60 placed && wait_until 60 is_200
A=$(where) B=$(other "$A")
VIEW=$B
t0=$(now_ms)
"$C" freeze "$A"
if wait_until 120 runs_on "$B" && wait_until 60 is_200; then
    pass "drill 5: $A frozen -> fenced, 200 through the VIP from $B in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 5: no failover after the freeze: $(X "$B" crm_mon -1 | tail -12)"
fi
"$C" thaw "$A" >/dev/null 2>&1
