#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Network partitions in a 3-node cluster running PMM's Active/Passive group
# (examples/pcs-active-passive.sh as written; stonith with fence_pmmns; no
# two_node: votequorum needs 2 of 3 votes, no-quorum-policy is the default
# stop). `cluster partition NODE` unplugs NODE's cable at the hub: it is cut
# off from its peers and from the clients, but not from the shared disk.
#   1 the ACTIVE node partitioned: the majority keeps quorum, fences it
#     (stonith history), takes the lease (pmm-storage start) and starts the
#     group on a survivor; 200 on /v1/readyz through the VIP from the hub,
#     timed from the partition. Healed and booted again, the node rejoins
#     and the group stays where it is (stickiness).
#   2 a PASSIVE node partitioned: fenced, the group does not move, readyz
#     200 the whole time (longest non-200 gap, expected 0); rejoins.
# During the whole test:
#   - every node's mount table is read every ~100 ms: /srv must never be
#     mounted on two nodes at once;
#   - PMM's stand-in appends a sequence number to /srv/seq.log every 100 ms
#     (fdatasync'd): afterwards the numbers must run on by one, in time
#     order, the isolated node's lines all before the survivor's: never two
#     writers at once.
# Its own cluster (PMM_BASE=/var/tmp/pmmha-part, nodes part1..3 on
# 10.216.0.0/24), so it never meets another one; down at the end, always.
export PMM_BASE=/var/tmp/pmmha-part PMM_PREFIX=part PMM_NET=10.216.0
GROUP_NODES=3
# the stand-in takes 10 s to stop, as real PMM takes its time: a node cut
# off is still stopping it, still writing to /srv and holding the lease
# when the majority fences it
GROUP_ENV="STUB_SEQ_FILE=/srv/seq.log
STUB_SEQ_INTERVAL_MS=100
STUB_STOP_DELAY=10"
# drill 1 partitions the active node PART_AT_MS after its lease renewal.
# The cut-off node keeps renewing (its storage path works) until it is
# fenced ~8-9 s later: with 1500 the fence lands within a second or so of
# its last renewal, closer than the 2 s clock skew the lease allows, and
# the survivor takes the lease because the fenced holder has not rejoined
# (before, it waited for the lease to lapse: ~40 s). With 7000 the fence
# comes seconds after the last renewal.
PART_AT_MS=${PART_AT_MS:-1500}
. "$(dirname "$0")/group.sh"
BG=()
stop_bg() {
    local p
    for p in "${BG[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    BG=()
}
# PART_KEEP=DIR: keep the samples, seq.log and the nodes' logs there
keep() {
    [[ -n ${PART_KEEP:-} ]] || return 0
    mkdir -p "$PART_KEEP" && cp -a "$WORK"/. "$PART_KEEP"/ 2>/dev/null
    for d in "$PMM_BASE"/nodes/*/var-log; do
        [[ -d $d ]] && mkdir -p "$PART_KEEP/logs/$(basename "$(dirname "$d")")" &&
            cp -a "$d"/. "$PART_KEEP/logs/$(basename "$(dirname "$d")")"/ 2>/dev/null
    done
    return 0
}
trap 'stop_bg; keep; "$C" down >/dev/null 2>&1; rm -rf "$DIR" "$WORK"' EXIT
ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}"; }
nodelog() { echo "$PMM_BASE/nodes/$1/var-log/$2"; }

# watch_mounts FILE: "<ms> <count on node 1> <on node 2> <on node 3>" every
# ~100 ms. Read on the host from /proc/PID/mountinfo of each node's PID 1
# (the mount namespace in which pacemaker-execd and the agents run, so the
# same table as `cluster exec NODE grep ... /proc/self/mountinfo`, without a
# nsenter per node and sample); a node that is off (crashed, fenced) has
# no PID 1 and counts 0. The PID's cgroup must be the node's: a recycled pid
# never counts.
watch_mounts() {
    local n pid line c l
    while :; do
        line=$(ms)
        for n in $PMM_NODES; do
            c=0
            if read -r pid _ <"$PMM_BASE/state/$n.init" 2>/dev/null &&
                [[ $(<"/proc/$pid/cgroup") == *"/pmmha-$PMM_PREFIX/$n"* ]] 2>/dev/null; then
                while IFS= read -r l; do [[ $l == *" $SRV "* ]] && c=$((c + 1)); done <"/proc/$pid/mountinfo"
            fi
            line+=" $c"
        done
        echo "$line"
        sleep 0.1
    done >"$1" 2>/dev/null
}
# watch_lease FILE: the lease record on the shared disk, read with O_DIRECT
# every 50 ms: "<ms> <holder> <renewed ms> <counter> <flags>" at each change
watch_lease() {
    exec python3 - "$PMM_DISK" >"$1" 2>/dev/null <<'PY'
import mmap, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
off = (os.lseek(fd, 0, os.SEEK_END) & ~4095) - (1 << 20)
buf, last = mmap.mmap(-1, 4096), None
while True:
    os.preadv(fd, [buf], off)
    b = bytes(buf[:512])
    if b[:8] == b"PMMHALSE":
        flags, counter, ns = struct.unpack_from("<IQQ", b, 12)
        rec = "%s %d %d %d" % (b[40:104].split(b"\0")[0].decode(), ns // 10**6, counter, flags)
        if rec != last:
            print(int(time.time() * 1000), rec, flush=True)
            last = rec
    time.sleep(0.05)
PY
}
renewals_of() { awk -v h="$1" '$2 == h' "$WORK/lease" | wc -l; }
# watch_readyz FILE: "<ms> <http code>" about every 100 ms, from the hub
watch_readyz() {
    local code
    while :; do
        code=$(ip netns exec "$PMM_HUB_NS" curl -s -m 1 -o /dev/null -w '%{http_code}' "http://$VIP/v1/readyz")
        echo "$(ms) $code"
        sleep 0.1
    done >"$1" 2>/dev/null
}
# fenced_at NODE VIEW: the successful fence of NODE in VIEW's history, as
# "<delegate> <origin> <completed>"
fence_line() { X "$2" stonith_admin --history "$1" 2>/dev/null | grep "of $1 successful" | tail -1; }
fenced() { [[ -n $(fence_line "$1" "$2") ]]; }
# the ms of fence_pmmns's "off NODE: done" in the delegate's log
fence_done_ms() {
    local t
    t=$(grep -h "off $1: done" "$(nodelog "$2" fence_pmmns.log)" 2>/dev/null | tail -1 | cut -d' ' -f1)
    [[ -n $t ]] && date -d "today $t" +%s%3N
}
runs_twice() { # pmm-server's container running on more than one node
    local n k=0
    for n in $PMM_NODES; do
        [[ -n $(X "$n" podman ps -q --filter name=^pmm-server$ 2>/dev/null) ]] && k=$((k + 1))
    done
    ((k > 1))
}
rejoin() { # NODE: plug it back, power it on, all Online
    "$C" heal "$1" && "$C" boot "$1" >"$WORK/boot-$1.log" 2>&1 &&
        "$C" wait-online --timeout 120 >>"$WORK/boot-$1.log" 2>&1
}

group_up || exit 1
[[ $(grep -c two_node "$PMM_BASE/state/corosync.conf") == 0 ]] &&
    [[ $(X "$N1" corosync-quorumtool -s 2>/dev/null | awk '/^Quorum:/{print $2}') == 2 ]] &&
    pass "3 nodes, votequorum without two_node: quorum is 2 of 3 votes; no-quorum-policy $(X "$N1" crm_attribute -t crm_config -n no-quorum-policy -G -q 2>/dev/null || echo 'stop (default)')" ||
    fail "quorum: $(X "$N1" corosync-quorumtool -s 2>&1 | tail -8)"
watch_mounts "$WORK/mounts" &
BG+=($!)
watch_lease "$WORK/lease" &
BG+=($!)
wait_until 10 test -s "$WORK/lease" || fail "no lease record on $PMM_DISK"
idx() { local i=1 n; for n in $PMM_NODES; do [[ $n == "$1" ]] && echo $i; i=$((i + 1)); done; }

# ---- 1 the active node partitioned ---------------------------------------------
A=$(where)
read -r S1 S2 <<<"$(other "$A" | xargs)"
VIEW=$S1
on_survivor() { local w; w=$(where); [[ -n $w && $w != "$A" ]]; }
n0=$(renewals_of "$A")
renewed() { (($(renewals_of "$A") > n0)); }
wait_until 30 renewed || fail "drill 1: no renewal of $A's lease in 30 s"
sleep "$(awk -v m="$PART_AT_MS" 'BEGIN { print m / 1000 }')"
note "partitioning $A $PART_AT_MS ms after its lease renewal (PART_AT_MS)"
alog=$(wc -l <"$(nodelog "$A" pacemaker/pacemaker.log)")
t0=$(ms)
"$C" partition "$A"
if wait_until 120 on_survivor && wait_until 60 is_200; then
    T1=$(($(ms) - t0))
    B=$(where)
    T1_0=$t0 T1_A=$A T1_B=$B
    pass "drill 1: $A (active) partitioned -> 200 through the VIP from $B in $(secs "$T1")"
else
    B=""
    fail "drill 1: no failover after partitioning $A: $(X "$S1" crm_mon -1 2>&1 | tail -15)"
fi
if wait_until 30 fenced "$A" "$S1"; then
    fl=$(fence_line "$A" "$S1")
    dl=$(sed -n 's/.*delegate=\([^,]*\),.*/\1/p' <<<"$fl")
    og=$(sed -n 's/.*origin=\([^,]*\),.*/\1/p' <<<"$fl")
    fd=$(fence_done_ms "$A" "$dl")
    pass "drill 1: $A fenced by $dl (asked by $og), fence_pmmns done $(secs $((${fd:-t0} - t0))) after the partition"
else
    fd=""
    fail "drill 1: no successful fencing of $A in the survivors' stonith history"
fi
# the lease: the survivor took it only after the fence, and by the rule:
# released, lapsed (renewal + 30 s + 2 s), or fenced after its last renewal
# (the nodes share one clock here: the last renewal is before the fence)
read -r ra rb <<<"$(awk -v a="$A" -v b="${B:-$S1}" '$2 == a && !t { ra = $3 } $2 == b && !t { t = $3 } END { print ra + 0, t + 0 }' "$WORK/lease")"
released=$(awk -v a="$A" '$2 == a { f = $5 } END { print f + 0 }' "$WORK/lease")
how=$(grep -ho "taking over the [a-z ]*lease of ${A}[^]]*\|lease taken" "$(nodelog "${B:-$S1}" pacemaker/pacemaker.log)" 2>/dev/null | head -1 | sed 's/ *$//')
if [[ -n $fd && $rb -gt $fd ]] && { [[ $released == 1 ]] || ((fd > ra || rb >= ra + 32000)); }; then
    pass "drill 1: $A's last renewal $(secs $((ra - t0))) after the partition, fenced at $(secs $((fd - t0))), $B took the lease at $(secs $((rb - t0))): ${how:-?}"
else
    fail "drill 1: the lease: $A renewed at $ra (released: $released), fenced at ${fd:-never}, $B took it at $rb (partition at $t0): ${how:-?}"
fi
# the mount table: A's /srv gone, then the survivor's
ia=$(idx "$A") ib=$(idx "${B:-$S1}")
read -r a_last b_first <<<"$(awk -v a="$((ia + 1))" -v b="$((ib + 1))" -v t0="$t0" \
    '$1 >= t0 && $a > 0 { al = $1 } $1 >= t0 && $b > 0 && !bf { bf = $1 } END { print al + 0, bf + 0 }' "$WORK/mounts")"
if [[ -n $B && $a_last -gt 0 && $b_first -gt $a_last ]]; then
    pass "drill 1: /srv on $A last seen $(secs $((a_last - t0))) after the partition${fd:+ (fenced at $(secs $((fd - t0))))}, on $B first $(secs $((b_first - t0))): one after the other"
else
    fail "drill 1: /srv on $A last seen at ${a_last}, on ${B:-?} first at ${b_first} (partition at $t0)"
fi
# what the isolated node did meanwhile, from its own log
log_ms() { # the ms of the first line matching $1 in A's log since the partition
    local l
    l=$(tail -n +"$((alog + 1))" "$(nodelog "$A" pacemaker/pacemaker.log)" 2>/dev/null | grep -m1 "$1" | cut -c1-19)
    [[ -n $l ]] && echo $(($(date -d "$l" +%s%3N) - t0))
}
ql=$(log_ms "Quorum lost") st=$(log_ms "local execution of stop operation for pmm-server")
rel() { if [[ -n $1 ]]; then secs "$1"; else echo never; fi; }
note "$A cut off: quorum lost at $(rel "$ql"), its pmm-server stop began: $(rel "$st") (the stand-in takes 10 s to stop), fenced at $(secs $((${fd:-t0} - t0)))"

t1=$(ms)
if rejoin "$A"; then
    pass "drill 1: $A healed and booted, all 3 Online again in $(secs $(($(ms) - t1)))"
else
    fail "drill 1: $A did not rejoin: $(tail -3 "$WORK/boot-$A.log")"
fi
sleep 5 # the probes on the rebooted node, and a transition
if [[ -n $B ]] && runs_on "$B" && is_200 && ! runs_twice; then
    pass "drill 1: after $A rejoined the group stays on $B (stickiness), 200, pmm-server runs once"
else
    fail "drill 1: after $A rejoined: pmm-server on '$(where)', 200: $(is_200 && echo yes || echo no)"
fi
[[ $(mounts_of "$A") == 0 ]] && pass "drill 1: /srv not mounted on the rebooted $A" || fail "drill 1: /srv on the rebooted $A"

# ---- 2 a passive node partitioned ------------------------------------------------
VIEW=$N1
wait_until 60 placed && wait_until 60 is_200
ACT=$(where)
P=$(other "$ACT" | grep -vx "$A" | head -1)
VIEW=$ACT
watch_readyz "$WORK/readyz" &
BG+=($!)
sleep 1
t0=$(ms)
"$C" partition "$P"
if wait_until 90 fenced "$P" "$ACT"; then
    fl=$(fence_line "$P" "$ACT")
    dl=$(sed -n 's/.*delegate=\([^,]*\),.*/\1/p' <<<"$fl")
    fd=$(fence_done_ms "$P" "$dl")
    pass "drill 2: $P (passive) partitioned -> fenced by $dl, fence_pmmns done $(secs $((${fd:-t0} - t0))) after the partition"
else
    fail "drill 2: $P not fenced: $(X "$ACT" crm_mon -1 2>&1 | tail -12)"
fi
sleep 3 # a transition after the fence
t1=$(ms)
if rejoin "$P"; then
    pass "drill 2: $P healed and booted, all 3 Online again in $(secs $(($(ms) - t1)))"
else
    fail "drill 2: $P did not rejoin: $(tail -3 "$WORK/boot-$P.log")"
fi
sleep 5
stop_bg_readyz() { kill "${BG[-1]}" 2>/dev/null && wait "${BG[-1]}" 2>/dev/null; unset 'BG[-1]'; }
stop_bg_readyz
read -r samples worst bad <<<"$(awk -v t0="$t0" '$1 < t0 { next }
    { n++; last = $1 }
    $2 == 200 { if (open && $1 - ok > w) w = $1 - ok; open = 0; ok = $1; next }
    { bad++; if (!open) { open = 1; if (!ok) ok = $1 } }
    END { if (open && last - ok > w) w = last - ok; print n + 0, w + 0, bad + 0 }' "$WORK/readyz")"
if runs_on "$ACT" && [[ $bad == 0 && $samples -gt 50 ]]; then
    pass "drill 2: the group stayed on $ACT, readyz 200 in all $samples probes from the partition to $P's rejoin ($(secs $(($(ms) - t0)))): longest non-200 gap 0"
else
    fail "drill 2: group on '$(where)', $bad of $samples probes not 200, longest non-200 gap $(secs "$worst")"
fi
runs_twice && fail "drill 2: pmm-server runs on two nodes" || pass "drill 2: $P rejoined, pmm-server runs once"

# ---- the mount table over the whole test --------------------------------------------
stop_bg
read -r samples twice maxdt <<<"$(awk '{ k = 0; for (i = 2; i <= NF; i++) if ($i > 0) k++; if (k > 1) t++; if (p && $1 - p > m) m = $1 - p; p = $1; n++ } END { print n + 0, t + 0, m + 0 }' "$WORK/mounts")"
if [[ $twice == 0 && $samples -gt 100 ]]; then
    pass "/srv never mounted on two nodes at once: $samples samples of the 3 mount tables, at most $maxdt ms apart"
else
    fail "/srv mounted on two nodes at once in $twice of $samples samples: $(awk '{ k = 0; for (i = 2; i <= NF; i++) if ($i > 0) k++ } k > 1' "$WORK/mounts" | head -3 | tr '\n' ';')"
fi

# ---- the writers -------------------------------------------------------------------------
W=$(where)
X "$N1" pcs resource disable pmm-server --wait=60 >/dev/null 2>&1
X "$W" cat "$SRV/seq.log" >"$WORK/seq.log"
python3 - "$WORK/seq.log" "${T1_A:-}" "${T1_B:-}" "${T1_0:-0}" <<'PY' >"$WORK/verdict"
import sys
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 3 and f[0].isdigit() and f[2].isdigit() and len(f[2]) == 13:
        rows.append((int(f[0]), f[1], int(f[2])))
pairs = list(zip(rows, rows[1:]))
bad_seq = sum(1 for a, b in pairs if b[0] != a[0] + 1)
back = sum(1 for a, b in pairs if b[2] < a[2])
runs = []
for r in rows:
    if not runs or runs[-1][0] != r[1]:
        runs.append([r[1], r[2], r[2], 0])
    runs[-1][2] = r[2]
    runs[-1][3] += 1
gaps = [b[2] - a[2] for a, b in pairs if a[1] != b[1]]
# drill 1's handover: the isolated node's last line, the survivor's first
a, b, t0 = sys.argv[2], sys.argv[3], int(sys.argv[4])
ho = [(x[2], y[1]) for x, y in zip(runs, runs[1:])
      if x[0] == a and y[0] == b and x[2] >= t0]
a_last, b_first = ho[0] if ho else (0, 0)
print(len(rows), bad_seq, back, max(gaps) if gaps else 0,
      ",".join("%s:%d" % (h, n) for h, _, _, n in runs), a_last, b_first)
PY
read -r lines bad_seq back gap runs a_last b_first <"$WORK/verdict"
((lines >= 100)) && pass "the stand-in wrote $lines sequence lines to /srv, writers in turn: $runs" ||
    fail "only $lines lines in seq.log"
[[ $bad_seq == 0 && $back == 0 ]] && pass "the sequence runs on by one, in time order: never two writers at once (longest writer handover $(secs "$gap"))" ||
    fail "$bad_seq breaks in the sequence, $back steps back in time: two writers? ($runs)"
if [[ -n ${T1_0:-} ]] && ((a_last > T1_0 && b_first > a_last)); then
    pass "drill 1: $T1_A, cut off, wrote to /srv until $(secs $((a_last - T1_0))) after the partition; $T1_B's first line came at $(secs $((b_first - T1_0)))"
else
    fail "drill 1: no handover from ${T1_A:-?} to ${T1_B:-?} in seq.log after the partition ($runs)"
fi

# ---- down ---------------------------------------------------------------------------
keep
PART_KEEP=""
cluster_down_checked
exit 0
