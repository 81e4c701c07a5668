#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Drill 7 of issue 4: a standby/unstandby soak. While PMM's stand-in appends
# a sequence number to /srv/seq.log every 100 ms (fdatasync'd), the active
# node is put in standby ROUNDS times (default 20), each time moving the
# group to the other node. Afterwards the log must show no gap longer than
# the longest measured failover window and never two writers at once: the
# numbers run on by exactly one, in time order.
GROUP_ENV="STUB_SEQ_FILE=/srv/seq.log
STUB_SEQ_INTERVAL_MS=100"
. "$(dirname "$0")/group.sh"
ROUNDS=${ROUNDS:-20}
not_standby() { [[ $(X "$N1" crm_attribute -N "$1" -n standby -G -q 2>/dev/null) != on ]]; }
group_up || exit 1

worst=0 total=0 ok=0
for ((i = 1; i <= ROUNDS; i++)); do
    A=$(where) B=$(other "$A")
    t0=$(now_ms)
    X "$N1" crm_attribute -N "$A" -n standby -v on >/dev/null
    if wait_until 60 runs_on "$B" && wait_until 30 is_200; then
        dt=$(($(now_ms) - t0))
        ok=$((ok + 1)) total=$((total + dt))
        ((dt > worst)) && worst=$dt
    else
        fail "round $i: no failover from $A to $B"
        break
    fi
    X "$N1" crm_attribute -N "$A" -n standby -v off >/dev/null
    wait_until 30 not_standby "$A" || true
    sleep 1 # PMM serves (and writes ~10 lines) before the next move
done
[[ $ok == "$ROUNDS" ]] && pass "$ROUNDS standby round trips; failover to 200 through the VIP: mean $(secs $((total / ROUNDS))), worst $(secs "$worst")"

# stop PMM so the log is complete, then read it where /srv is mounted
A=$(where)
X "$N1" pcs resource disable pmm-server --wait=60 >/dev/null 2>&1
X "$A" cat "$SRV/seq.log" >"$WORK/seq.log"
python3 - "$WORK/seq.log" "$worst" <<'PY' >"$WORK/verdict"
import sys
path, worst_ms = sys.argv[1], int(sys.argv[2])
rows = []
for line in open(path):
    f = line.split()
    if len(f) == 3 and f[0].isdigit() and f[2].isdigit():
        rows.append((int(f[0]), f[1], int(f[2])))
bad_seq = sum(1 for a, b in zip(rows, rows[1:]) if b[0] != a[0] + 1)
back_in_time = sum(1 for a, b in zip(rows, rows[1:]) if b[2] < a[2])
gaps = [b[2] - a[2] for a, b in zip(rows, rows[1:])]
switches = sum(1 for a, b in zip(rows, rows[1:]) if b[1] != a[1])
print(len(rows), bad_seq, back_in_time, max(gaps) if gaps else 0, switches, worst_ms)
PY
read -r lines bad_seq back gap switches worst_ms <"$WORK/verdict"
((lines >= ROUNDS * 5)) && pass "the stand-in wrote $lines sequence lines to /srv through $switches writer changes" ||
    fail "only $lines lines in seq.log"
[[ $bad_seq == 0 && $back == 0 ]] && pass "the sequence runs on by one, in time order: never two writers at once" ||
    fail "$bad_seq breaks in the sequence, $back steps back in time: two writers?"
((gap <= worst_ms + 500)) && pass "longest gap in the log $(secs "$gap") <= the worst failover window $(secs "$worst_ms") (+0.5 s)" ||
    fail "a gap of $(secs "$gap") in the log, longer than the worst failover window $(secs "$worst_ms")"
