#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server as a promotable clone in a real 3-node cluster with stonith
# (no two_node: quorum is 2 of 3), created from examples/crm-promotable.crm
# as written (its values edited) with crm shell: one promoted PMM and two
# standbys on the stand-in writing every second; drill 6 of issue 10:
#   6 the promoted node partitioned (its cable unplugged at the hub): the
#     majority fences it and promotes the best standby (its position, frozen
#     since the cut, at most 5 s behind the other's: the election at
#     pre-promote), 200 through the VIP; the other standby follows the new
#     primary; healed and booted again, the old primary rejoins as a
#     standby, its divergence reported.
# Never two promoted instances: each node asked itself every second.
PROM_NODES=3
PROM_CRM=1
. "$(dirname "$0")/promotable.sh"
command -v crm >/dev/null || { fail "crm shell: crm not installed (crmsh)"; exit 0; }
prom_up || exit 0

if wait_until 180 every_standby_streaming; then
    pass "both standbys stream from $(promoted)"
else
    fail "the standbys do not stream: $(X "$N1" crm_mon -1A | tail -20 | tr '\n' ' ')"
    exit 0
fi
sampler_start

A=$(promoted)
read -r S1 S2 <<<"$(other "$A" | tr '\n' ' ')"
VIEW=$S1
sleep 5
t0=$(now_ms)
"$C" partition "$A"
# the standbys' positions froze with the cut (their source is gone)
sleep 3
p1=$(rstatus "$S1" metrics.position) p2=$(rstatus "$S2" metrics.position)
if wait_until 120 promoted_off "$A" && wait_until 60 is_200; then
    P=$(promoted)
    pass "drill 6: $A partitioned -> $P promoted, 200 through the VIP in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 6: no promotion after the partition of $A: $(X "$S1" crm_mon -1 | tail -12 | tr '\n' ' ')"
    P=
fi
X "$S1" stonith_admin --history "$A" 2>/dev/null | grep -q successful &&
    pass "drill 6: the majority fenced $A" || fail "drill 6: no successful fencing of $A"
if [[ -n $P ]]; then
    if [[ $P == "$S1" ]]; then mine=$p1 theirs=$p2 Q=$S2; else mine=$p2 theirs=$p1 Q=$S1; fi
    if [[ ${mine:-0} -gt 0 && ${theirs:-0} -gt 0 && $mine -ge $((theirs - 5000)) ]]; then
        pass "drill 6: the best standby won: $P at $mine ms, $Q at $theirs ms (election tolerance 5 s), published RPO $(attr "$P" rpo)"
    else
        fail "drill 6: $P promoted at position ${mine:-?}, $Q was at ${theirs:-?}"
    fi
    wait_until 120 streaming "$Q" && pass "drill 6: $Q follows the new primary $P" ||
        fail "drill 6: $Q does not stream from $P: repl=$(attr "$Q" repl)"
fi
"$C" heal "$A" >/dev/null 2>&1
"$C" boot "$A" >/dev/null 2>&1
"$C" wait-online --timeout 120 >/dev/null 2>&1
if wait_until 180 streaming "$A"; then
    pass "drill 6: $A healed and booted: rejoined as a standby of $(promoted), streaming; divergence reported: pmmha-diverged-pmm=$(attr "$A" diverged)"
else
    fail "drill 6: $A did not rejoin as a standby: repl=$(attr "$A" repl) $(X "$S1" crm_mon -1 | tail -8 | tr '\n' ' ')"
fi
[[ $(promoted) == "${P:-none}" ]] && pass "drill 6: the promotion stays on $P after $A's return" ||
    fail "drill 6: promoted now on $(promoted), not $P"
VIEW=

sampler_check
