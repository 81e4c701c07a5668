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
# Never two promoted instances: sampled throughout.
. "$(dirname "$0")/promotable.sh"
prom_up || exit 0

if wait_until 120 every_standby_streaming; then
    pass "the standby streams from $(promoted): lag $(attr "$(other "$(promoted)")" lag), position $(attr "$(other "$(promoted)")" position)"
else
    fail "the standby does not stream: $(X "$N1" crm_mon -1A | tail -20 | tr '\n' ' ')"
fi

# never two promoted instances: a sampler for the whole run
(while :; do
    k=$(n_promoted)
    [[ $k -gt 1 ]] && echo "$(date +%T) $k" >>"$DIR/two-promoted"
    sleep 1
done) &
SAMPLER=$!

# ---- 1 switchover ------------------------------------------------------------------
A=$(promoted) B=$(other "$A")
sleep 5
t0=$(now_ms)
X "$N1" pcs node standby "$A" >/dev/null
# what A holds the moment it is demoted (its writer stopped with it), read
# while B copies it (post-demote) and before A stops
demoted() { [[ $(X "$A" sed -n 's/^role=//p' /srv/pmm/.pmmha-role 2>/dev/null) == standby ]]; }
if wait_until 60 demoted; then
    t_end=$(($(date +%s) - 1))
    samples "$A" "$t_end" >"$DIR/vm.a" 2>/dev/null
    a_tick=$(tick "$A")
    qan_rows "$A" >"$DIR/ch.a"
else
    fail "drill 1: $A was not demoted"
fi
if wait_until 120 promoted_on "$B" && wait_until 60 is_200; then
    pass "drill 1: standby of $A -> $B promoted, 200 through the VIP in $(secs $(($(now_ms) - t0)))"
else
    fail "drill 1: no switchover to $B: $(X "$N1" crm_mon -1 | tail -12 | tr '\n' ' ')"
fi
samples "$B" "$t_end" >"$DIR/vm.b" 2>/dev/null
if [[ -s $DIR/vm.a ]] && diff "$DIR/vm.a" "$DIR/vm.b" >"$DIR/vm.diff"; then
    pass "drill 1: every metric sample $A held at its demote is on $B ($(wc -l <"$DIR/vm.b") series, $(awk '{s+=$2} END {print s}' "$DIR/vm.b") samples counted: 0 lost)"
else
    fail "drill 1: metrics differ after the switchover: $(join "$DIR/vm.a" "$DIR/vm.b" | awk '$2 != $3' | head -3 | sed 's/^/series /; s/$/ ('"$A"' '"$B"')/' | tr '\n' ' ')"
fi
# B's writer continues A's inventory changes: its first is A's last + 1
first_tick() { X "$B" python3 -c 'import json; print(json.load(open("/srv/pmm/pmm-shape/writer.json"))["inventory"]["first_tick"])' 2>/dev/null; }
has_first() { [[ $(first_tick) -gt 0 ]]; }
wait_until 20 has_first
if [[ -n ${a_tick:-} && $(first_tick) == $((a_tick + 1)) ]]; then
    pass "drill 1: no inventory change lost: $A's last was change $a_tick, $B's writer went on with $((a_tick + 1))"
else
    fail "drill 1: inventory: $A's last change ${a_tick:-?}, $B's writer's first $(first_tick)"
fi
qan_rows "$B" >"$DIR/ch.b"
missing=$(comm -23 "$DIR/ch.a" "$DIR/ch.b" | wc -l)
if [[ -s $DIR/ch.a && $missing == 0 ]]; then
    pass "drill 1: every QAN row of $A is on $B ($(wc -l <"$DIR/ch.a") rows: 0 lost)"
else
    fail "drill 1: $missing of $(wc -l <"$DIR/ch.a") QAN rows of $A missing on $B"
fi
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
nb=$(X "$B" podman exec pmm-server curl -sS -m 10 -G http://127.0.0.1:9090/prometheus/api/v1/query \
    --data-urlencode "query=max(timestamp(pmm_shape_sample @ $((t_crash / 1000 - 1))))" 2>/dev/null |
    python3 -c 'import sys, json; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1]) * 1000) if r else 0)' 2>/dev/null)
rpo=$(attr "$B" rpo)
if [[ ${nb:-0} -gt 0 ]]; then
    lost=$((t_crash - nb))
    bound=$(awk -v r="${rpo%s}" 'BEGIN {printf "%d", r * 1000}')
    if [[ $lost -le $((bound + 1000)) ]]; then
        pass "drill 2: RPO measured $(secs $lost) (newest sample on $B before the crash), within the published bound $rpo"
    else
        fail "drill 2: RPO measured $(secs $lost) exceeds the published bound $rpo"
    fi
else
    fail "drill 2: no sample of $A on $B"
fi
"$C" boot "$A" >/dev/null 2>&1 && "$C" wait-online --timeout 120 >/dev/null 2>&1
if wait_until 180 streaming "$A"; then
    pass "drill 2: the crashed $A rejoined as a standby of $B and streams (lag $(attr "$A" lag)), $(secs $(($(now_ms) - t_crash))) after the crash"
else
    fail "drill 2: $A did not rejoin as a streaming standby: repl=$(attr "$A" repl) $(X "$B" crm_mon -1 | tail -8 | tr '\n' ' ')"
fi
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

kill "$SAMPLER" 2>/dev/null
if [[ -s $DIR/two-promoted ]]; then
    fail "two promoted instances at once: $(head -3 "$DIR/two-promoted" | tr '\n' ' ')"
else
    pass "never two promoted instances (sampled every second throughout)"
fi
