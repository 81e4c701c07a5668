#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PMM's Active/Passive group (examples/pcs-active-passive.sh, run as
# written) in a real 2-node cluster with stonith, and the failover drills of
# issue 4, each asserting its outcome and printing its timing:
#   1 standby of the active node -> readyz 200 through the VIP elsewhere
#   2 the container killed -> monitor notices, Pacemaker recovers it
#   3 readyz hangs -> the depth-10 monitor fails it, Pacemaker recovers
#   4 the active node crashes -> fenced, the group on the survivor, /srv
#     never mounted on two nodes at once; the same node, active again,
#     crashes again -> its second fence lets the lease go at once
#   5 the active node frozen -> fenced, failover
. "$(dirname "$0")/group.sh"
group_up || exit 1

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
# crm_mon -A names the lease holder: pmmha-lease-RESOURCE on B only
lease_attr() { X "$N1" attrd_updater -Q -n "pmmha-lease-pmm-storage" -N "$1" 2>/dev/null | sed -n 's/.*value="\([^"]*\)".*/\1/p'; }
la=$(lease_attr "$A") lb=$(lease_attr "$B")
[[ -z $la && $lb == "held since "* ]] && pass "drill 1: crm_mon -A shows the lease on $B ($lb), not on $A" ||
    fail "drill 1: pmmha-lease-pmm-storage: $A '$la', $B '$lb'"
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
# the same node active again and crashed a second time: its newest fence
# lets the survivor take the lease at once (stonith_admin --history lists
# one success per node, not the newest, unless --verbose: the lease was
# waited out, 30 s more)
X "$N1" crm_attribute -N "$B" -n standby -v on >/dev/null
wait_until 120 runs_on "$A" && wait_until 60 is_200
X "$N1" crm_attribute -N "$B" -n standby -v off >/dev/null
sleep 5
t0=$(now_ms) t0s=$(date +%s)
"$C" crash "$A"
taken_as_fenced() {
    local line ts
    while read -r line; do
        ts=$(date -d "$(cut -c1-19 <<<"$line")" +%s 2>/dev/null) || continue
        ((ts >= t0s)) && return 0
    done < <(grep -h "taking over the lease of $A .*fenced after its last renewal" \
        "$PMM_BASE/nodes/$B/var-log/pacemaker/pacemaker.log" 2>/dev/null)
    return 1
}
if wait_until 120 runs_on "$B" && wait_until 60 is_200 && taken_as_fenced; then
    pass "drill 4: $A crashed a second time -> fenced again, the lease taken at once, 200 from $B in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 4: second crash of $A: $(secs $(($(now_ms) - t0))), lease taken as fenced: $(taken_as_fenced && echo yes || echo no)"
fi
"$C" boot "$A" >/dev/null 2>&1 && "$C" wait-online --timeout 120 >/dev/null 2>&1

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
