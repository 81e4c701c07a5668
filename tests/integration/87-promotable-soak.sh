#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server as a promotable clone (examples/pcs-promotable.sh as written,
# max_lag 30s) in a real 2-node cluster with stonith, the stand-in writing
# metrics, inventory and QAN every second; the drills of issue 10:
#   7 soak: SOAK_SWITCHOVERS (default 20) switchovers, by turns `pcs node
#     standby` of the promoted node (then unstandby) and `pcs resource move
#     pmm-clone NODE --promoted` (pcs 0.11 removes its constraint itself);
#     after each, everything the old primary's writer wrote is on the new
#     primary, counted (metric samples and QAN rows, none twice; the
#     inventory changes by the writer's counter), RPO 0.0s, and the old
#     primary streams again with its lag back under the steady-state bound
#   4 a standby cut off from the primary (its replication ports rejected)
#     for longer than max_lag, then the primary crashes: fenced, and no
#     promotion without the operator, the reason in crm_mon; the operator
#     sets allow_stale_promote=true: promoted, the RPO published covers
#     what was lost; the crashed node rejoins as a standby, its divergence
#     reported
# Never two promoted instances: sampled throughout.
PROM_MAX_LAG=30s
. "$(dirname "$0")/promotable.sh"
SWITCHES=${SOAK_SWITCHOVERS:-20}
LAG_BOUND=10 # s: repl_interval 2s + settle 4s, published in 5 s steps
prom_up || exit 0

if wait_until 120 every_standby_streaming; then
    pass "the standby streams from $(promoted)"
else
    fail "the standby does not stream: $(X "$N1" crm_mon -1A | tail -20 | tr '\n' ' ')"
    exit 0
fi
sampler_start

lag_s() { local l; l=$(attr "$1" lag); echo "${l%s}"; }
settled() { streaming "$1" && [[ $(lag_s "$1") =~ ^[0-9]+$ && $(lag_s "$1") -le $LAG_BOUND ]]; }

# ---- 7 soak ----------------------------------------------------------------------
times=() bad=0 ok_counts=0
for ((i = 1; i <= SWITCHES; i++)); do
    A=$(promoted) B=$(other "$A")
    sleep 3
    t0=$(now_ms)
    if ((i % 2)); then
        how="pcs node standby"
        X "$N1" pcs node standby "$A" >/dev/null
    else
        how="pcs resource move --promoted"
        X "$N1" pcs resource move pmm-clone "$B" --promoted >"$DIR/move.log" 2>&1 ||
            note "switchover $i: pcs resource move: $(tail -2 "$DIR/move.log" | tr '\n' ' ')"
    fi
    if ! wait_until 120 promoted_on "$B" || ! wait_until 60 is_200; then
        fail "drill 7: switchover $i ($how of $A): $B not promoted: $(X "$N1" crm_mon -1 | tail -10 | tr '\n' ' ')"
        bad=$((bad + 1))
        break
    fi
    times+=($(($(now_ms) - t0)))
    before=$(grep -c '^FAIL' "$PMMHA_RESULTS")
    QUIET=1 switchover_counted "drill 7: switchover $i ($how of $A)" "$A" "$B"
    rpo=$(attr "$B" rpo)
    [[ $rpo == 0.0s ]] || fail "drill 7: switchover $i: published RPO '$rpo', expected 0.0s"
    ((i % 2)) && X "$N1" pcs node unstandby "$A" >/dev/null
    wait_until 180 settled "$A" ||
        fail "drill 7: switchover $i: $A not back streaming with a lag <= ${LAG_BOUND}s: repl=$(attr "$A" repl) lag=$(attr "$A" lag)"
    [[ $(grep -c '^FAIL' "$PMMHA_RESULTS") == "$before" ]] && ok_counts=$((ok_counts + 1)) || bad=$((bad + 1))
done
if [[ ${#times[@]} -gt 0 ]]; then
    med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    max=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
fi
if [[ $bad == 0 && $ok_counts == "$SWITCHES" ]]; then
    pass "drill 7: $SWITCHES switchovers (pcs node standby and pcs resource move --promoted by turns), 200 through the VIP in median $(secs "${med:-0}") (max $(secs "${max:-0}")); after each, every sample, inventory change and QAN row of the old primary's writer on the new one (none twice), RPO 0.0s, the old primary streaming again with lag <= ${LAG_BOUND}s"
else
    fail "drill 7: $bad of $SWITCHES switchovers failed a check (above)"
fi

# ---- 4 a standby cut off beyond max_lag, then the primary crashes ----------------
A=$(promoted) B=$(other "$A")
ipa=$(X "$A" ip -4 -o addr show eth0 | awk '{sub(/\/.*/, "", $4); print $4; exit}')
cut() { X "$B" iptables "$1" OUTPUT -d "$ipa" -p tcp -m multiport --dports 80,5432,8123 -j REJECT --reject-with tcp-reset; }
score() { X "${VIEW:-$N1}" crm_attribute -N "$1" -n master-pmm -l reboot -G -q 2>/dev/null; }
unpromotable() { [[ $(score "$B") -lt 0 ]]; }
t_cut=$(now_ms)
if ! cut -I; then
    fail "drill 4: cannot cut $B's replication (iptables)"
    exit 0
fi
if wait_until 150 unpromotable; then
    pass "drill 4: $B cut off from $A: not promotable after $(secs $(($(now_ms) - t_cut))) (lag $(attr "$B" lag), repl $(attr "$B" repl), score $(score "$B"))"
else
    fail "drill 4: $B still promotable (score $(score "$B"), lag $(attr "$B" lag)) $(secs $(($(now_ms) - t_cut))) after the cut"
fi
VIEW=$B
t_crash=$(now_ms)
"$C" crash "$A"
fenced() { X "$B" stonith_admin --history "$A" 2>/dev/null | grep -q successful; }
wait_until 60 fenced || fail "drill 4: $A not fenced"
sleep 20
reason=$(X "$B" crm_mon -1A 2>/dev/null | grep -E "pmmha-(repl|lag)-pmm|master-pmm" | tr -s ' ' | tr '\n' ' ')
if [[ -z $(promoted) ]] && ! is_200; then
    pass "drill 4: $A crashed and fenced, $B (behind by more than max_lag) not promoted without the operator; crm_mon -A: $reason"
else
    fail "drill 4: $(promoted) promoted although beyond max_lag"
fi
cut -D
t_op=$(now_ms)
X "$B" pcs resource update pmm allow_stale_promote=true >/dev/null 2>&1
if wait_until 120 promoted_on "$B" && wait_until 60 is_200; then
    pass "drill 4: with allow_stale_promote=true, $B promoted, 200 through the VIP $(secs $(($(now_ms) - t_op))) after the operator's command"
else
    fail "drill 4: allow_stale_promote=true did not promote $B: $(X "$B" crm_mon -1 | tail -10 | tr '\n' ' ')"
fi
# what was lost: B's newest sample from before the crash
if ! crash_loss "$B" "$t_crash"; then
    fail "drill 4: no RPO published ('$RPO') or no sample on $B"
elif [[ $LOST -gt $((t_crash - t_cut - 2000)) && $LOST -le $((BOUND + 1000)) ]]; then
    pass "drill 4: RPO measured $(secs "$LOST") (the cut, $(secs $((t_crash - t_cut))) before the crash, and the lag), within the published $RPO"
else
    fail "drill 4: RPO measured $(secs "$LOST"), published $RPO, cut $(secs $((t_crash - t_cut))) before the crash"
fi
rejoined "drill 4" "$A" "$t_crash"
VIEW=$N1

sampler_check
