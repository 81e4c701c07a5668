#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server as a promotable clone (examples/pcs-promotable.sh, run as
# written) in a real 2-node cluster with stonith, on the PMM stand-in
# writing metrics, inventory and QAN every second; the drills of issue 10,
# each asserting its outcome and printing its timing and data loss:
#   1 switchover: pcs node standby of the promoted node, and back; nothing
#     written before the demote missing (metrics counted series by series,
#     inventory and QAN compared whole)
#   2 the promoted node crashes -> fenced -> the standby promoted; the RPO
#     measured against what the writer produced, within the published bound;
#     the crashed node rejoins as a standby and converges
#   3 the container killed on the promoted node -> recovered in place
#   5 a different image on the standby -> never promoted, reason visible
# then the clone disabled (PMM and its VIP stop everywhere) and enabled.
# Never two promoted instances: sampled throughout.
. "$(dirname "$0")/promotable.sh"
prom_up || exit 0

if wait_until 120 every_standby_streaming; then
    pass "the standby streams from $(promoted): lag $(attr "$(other "$(promoted)")" lag), position $(attr "$(other "$(promoted)")" position)"
else
    fail "the standby does not stream: $(X "$N1" crm_mon -1A | tail -20 | tr '\n' ' ')"
fi

sampler_start

# ---- 1 switchover ------------------------------------------------------------------
A=$(promoted) B=$(other "$A")
sleep 5
t0=$(now_ms)
X "$N1" pcs node standby "$A" >/dev/null
if wait_until 120 promoted_on "$B" && wait_until 60 is_200; then
    pass "drill 1: standby of $A -> $B promoted, 200 through the VIP in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 1: no switchover to $B: $(X "$N1" crm_mon -1 | tail -12 | tr '\n' ' ')"
fi
switchover_counted "drill 1" "$A" "$B"
rpo=$(attr "$B" rpo)
[[ $rpo == 0.0s ]] && pass "drill 1: the switchover's published RPO is $rpo" || fail "drill 1: published RPO '$rpo', expected 0.0s"
X "$N1" pcs node unstandby "$A" >/dev/null
if wait_until 120 streaming "$A"; then
    pass "drill 1: $A back as a standby of $B, streaming (lag $(attr "$A" lag))"
else
    fail "drill 1: $A does not stream from $B: repl=$(attr "$A" repl) $(rstatus "$A" metrics.last_error)"
fi

# ---- 3 container killed on the promoted node ------------------------------------
A=$(promoted) B=$(other "$A")
pid=$(X "$A" podman inspect -f '{{.State.Pid}}' pmm-server)
t0=$(now_ms)
X "$A" kill -KILL "$pid"
wait_until 5 not_200 || true
if wait_until 120 is_200; then
    pass "drill 3: container killed on $A -> $(promoted) promoted, 200 through the VIP in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 3: no recovery after the container was killed: $(X "$N1" crm_mon -1 | tail -12 | tr '\n' ' ')"
fi
X "$N1" crm_resource --cleanup -r pmm-clone >/dev/null 2>&1
wait_until 120 every_standby_streaming || fail "drill 3: the standby does not stream again"

# ---- 2 crash of the promoted node ------------------------------------------------
A=$(promoted) B=$(other "$A")
VIEW=$B
sleep 10 # steady state
t_crash=$(now_ms)
"$C" crash "$A"
if wait_until 120 promoted_on "$B" && wait_until 60 is_200; then
    pass "drill 2: crash of $A -> fenced, $B promoted, 200 through the VIP in $(secs $(($(now_ms) - t_crash)))"
else
    fail "drill 2: no promotion after the crash: $(X "$B" crm_mon -1 | tail -12 | tr '\n' ' ')"
fi
X "$B" stonith_admin --history "$A" 2>/dev/null | grep -q successful && pass "drill 2: $A was fenced" ||
    fail "drill 2: no successful fencing of $A"
# the writer wrote up to the crash; B's newest sample before its own
# writer started says what was lost
if ! crash_loss "$B" "$t_crash"; then
    fail "drill 2: no sample of $A on $B, or no RPO published ('$RPO')"
elif [[ $LOST -le $((BOUND + 1000)) ]]; then
    pass "drill 2: RPO measured $(secs "$LOST") (newest sample on $B before the crash), within the published bound $RPO"
else
    fail "drill 2: RPO measured $(secs "$LOST") exceeds the published bound $RPO"
fi
rejoined "drill 2" "$A" "$t_crash"
VIEW=$N1

# ---- 5 a different image on the standby ------------------------------------------
A=$(promoted) B=$(other "$A")
# another image under the same reference, in B's own store only
mkdir -p "$DIR/other-image"
printf 'FROM localhost/pmmha-shape:2.42.0\nLABEL pmmha.test=another-build\n' >"$DIR/other-image/Containerfile"
X "$B" podman build -q --network=none -t localhost/pmmha-shape:2.42.0 "$DIR/other-image" >"$DIR/other-image.id" 2>&1
pid=$(X "$B" podman inspect -f '{{.State.Pid}}' pmm-server 2>/dev/null)
[[ -n $pid ]] && X "$B" kill -KILL "$pid"
sleep 30
score=$(X "$N1" crm_attribute -N "$B" -n "master-pmm" -l reboot -G -q 2>/dev/null)
reason=$(X "$N1" crm_mon -1A 2>/dev/null | grep -E "image|pmmha-repl-pmm" | tr -s ' ' | tr '\n' ' ')
if [[ $(promoted) == "$A" && ${score:--1} -le 0 ]]; then
    pass "drill 5: $B with another image is never promoted (score ${score:-none}); crm_mon: $reason"
else
    fail "drill 5: $B with another image: promoted $(promoted), score ${score:-none}"
fi
grep -qiE "image-differs|same image|runs image" <<<"$reason$(X "$N1" crm_mon -1 2>/dev/null | tr "\n" " ")" || fail "drill 5: crm_mon does not say why"
X "$B" podman rmi -f "$(tail -1 "$DIR/other-image.id")" >/dev/null 2>&1
X "$N1" crm_resource --cleanup -r pmm-clone >/dev/null 2>&1
wait_until 120 every_standby_streaming && pass "drill 5: with the right image back, $B streams again" ||
    fail "drill 5: $B does not stream again"

# ---- disabled and enabled again ----------------------------------------------------
# (a Mandatory demote-then-stop order left the virtual IP up and blocked)
all_down() {
    X "$N1" crm_resource --locate -r pmm-vip 2>&1 | grep -q "NOT running" || return 1
    for n in $PMM_NODES; do [[ -z $(X "$n" podman ps -q 2>/dev/null) ]] || return 1; done
}
A=$(promoted)
t0=$(now_ms)
X "$N1" pcs resource disable pmm-clone >/dev/null
if wait_until 120 all_down; then
    X "$A" cat /srv/pmm/pmm-shape/writer.json >"$DIR/writer.disabled" 2>/dev/null
    pass "pcs resource disable pmm-clone: PMM and its virtual IP stopped on every node in $(secs $(($(now_ms) - t0)))"
else
    fail "pcs resource disable pmm-clone: still running: $(X "$N1" crm_mon -1 | sed -n '/Active Resources/,$p' | tr '\n' ' ')"
fi
# longer than a standby's status file stays fresh (60 s and some cycles):
# enabled again, the copies follow nobody and one must still be promoted
sleep 70
t0=$(now_ms)
X "$N1" pcs resource enable pmm-clone >/dev/null
if wait_until 180 is_200 && wait_until 120 every_standby_streaming; then
    pass "pcs resource enable pmm-clone: $(promoted) promoted (200 through the VIP) and the standby streaming in $(secs $(($(now_ms) - t0)))"
    WJ=$DIR/writer.disabled switchover_counted "disable and enable ($A promoted before, $(promoted) after)" "$A" "$(promoted)"
else
    fail "pcs resource enable pmm-clone: $(X "$N1" crm_mon -1A | tail -12 | tr '\n' ' ')"
fi

sampler_check
