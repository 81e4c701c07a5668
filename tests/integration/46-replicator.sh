#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 46-replicator.sh - pmmha-replicator between two PMM stand-ins with PMM's
# real stores (tests/pmm-shape), each in its own network namespace as two
# nodes would be, the stores opened to the peer as an operator opens them
# (tests/pmm-shape/README.md). A is the source (pmm-managed writing metrics,
# inventory and QAN all along), B a standby (stores only). The replicator
# runs on "node B" (in B's namespace), as the agent will run it.
#
# What must hold: the initial sync of a populated source; steady state with
# continuous writes; the link cut for 60 s and restored (the gap backfilled:
# every sample older than the settle margin on B, counted series by
# series); SIGKILL at random instants in 20 cycles (nothing duplicated,
# nothing lost); inventory updates and deletes propagated; late QAN rows for
# yesterday; a schema mismatch refused with nothing written; the source
# restarted mid-stream.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/testlib.sh
. tests/lib/podman-env.sh
. tests/lib/shape.sh

export SHAPE_DIR=/var/tmp/pmmha-46
. tests/lib/replpair.sh
trap pair_cleanup EXIT

echo "== replicator between two stand-ins"
rm -rf "$SHAPE_DIR"
[[ -x $REPL ]] || { fail "replicator installed at $REPL"; exit 0; }
if ! pair_setup; then
    fail "two stand-in PMMs up (see above)"
    exit 0
fi
sleep 8 # a populated source: a few seconds of everything

# ---- initial sync of a populated source
t0=$(date +%s.%N)
repl --once >"$WORK/once.out" 2>"$WORK/once.err"
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
if [[ $rc == 0 ]] && [[ $(status metrics.initial_sync) == 1 && $(status inventory.initial_sync) == 1 && $(status qan.initial_sync) == 1 ]]; then
    pass "initial sync of a populated source: exit 0 in ${dt}s, $(tr '\n' ' ' <"$WORK/once.out")"
else
    fail "initial sync: rc $rc: $(tail -3 "$WORK/once.err" | tr '\n' ' ')"
fi
while read -r s pos; do
    [[ $pos -gt 0 ]] || fail "--once printed no position for $s"
done < <(awk '{print $1, $3}' "$WORK/once.out")
grep -qE "$SHAPE_PG_PW|$SHAPE_CH_PW|$SHAPE_ADMIN_PW" "$WORK/once.err" "$WORK/once.out" "$STATE"/* &&
    fail "a password appears in the replicator's output or state" ||
    pass "no password in the replicator's output, status or marks"

# ---- steady state: the loop beside continuous writes
"${REPL_ARGV[@]}" >"$WORK/loop.out" 2>"$WORK/loop.err" &
loop=$!
sleep 20
lags=$(for s in metrics inventory qan; do echo "$s=$(status $s.lag_ms)ms"; done | tr '\n' ' ')
errs=$(for s in metrics inventory qan; do status $s.last_error; done | tr -d '\n')
mlag=$(status metrics.lag_ms)
if [[ -z $errs && ${mlag:-99999} -lt $(((SETTLE + 5) * 1000)) ]]; then
    pass "steady state with continuous writes: no error, lag $lags"
else
    fail "steady state: lag $lags errors '$errs'"
fi

# ---- the standby's stores restart under the running loop
for prog in victoriametrics postgresql clickhouse; do
    podman exec $B supervisorctl restart $prog >/dev/null
done
sleep 12
errs=$(for s in metrics inventory qan; do status $s.last_error; done | tr -d '\n')
[[ -z $errs && $(status metrics.lag_ms) -lt $(((SETTLE + 5) * 1000)) ]] &&
    pass "the standby's three stores restarted under the loop: it carries on (lag $(status metrics.lag_ms) ms)" ||
    fail "after the standby's stores restarted: lag $(status metrics.lag_ms) errors '$errs'"

# ---- the link cut for 60 s while A keeps writing, then restored
shape_link_cut
sleep 60
cut_err=$(status metrics.last_error)
cut_lag=$(status metrics.lag_ms)
shape_link_restore
[[ -n $cut_err && ${cut_lag:-0} -gt 50000 ]] &&
    pass "link cut: the status says so (lag ${cut_lag} ms: $cut_err)" ||
    fail "link cut: status lag '${cut_lag}' error '$cut_err'"
end=$(($(date +%s) + 60))
until (($(status metrics.lag_ms) < (SETTLE + 5) * 1000)) && [[ -z $(status metrics.last_error) ]]; do
    (($(date +%s) < end)) || break
    sleep 1
done
(($(status metrics.lag_ms) < (SETTLE + 5) * 1000)) &&
    pass "link restored: caught up (metrics lag $(status metrics.lag_ms) ms)" ||
    fail "link restored: metrics lag still $(status metrics.lag_ms) ms: $(status metrics.last_error)"
kill -TERM $loop
wait $loop
rc=$?
[[ $rc == 0 ]] && pass "SIGTERM stops the loop with status 0" || fail "the loop exited $rc on SIGTERM"

# ---- clock skew: this node's clock 20 s ahead of the source's
lib=$(ls /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
if [[ -n $lib ]]; then
    FAKETIME="+20s" FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD=$lib repl --once >"$WORK/once.out" 2>"$WORK/once.err"
    rc=$?
    skew=$(status status.skew_ms)
    if [[ $rc == 0 && ${skew#-} -gt 18000 && ${skew#-} -lt 22000 ]] && grep -q "clock" "$WORK/once.err"; then
        pass "clock skew of 20 s: detected and reported (status skew_ms $skew, a warning), the cycle still in sync"
    else
        fail "clock skew: rc $rc skew_ms '$skew': $(grep -i clock "$WORK/once.err" | head -1)"
    fi
else
    fail "libfaketime not found (package faketime)"
fi

# ---- SIGKILL at random instants in 20 cycles, writes going on
killed=0
for i in $(seq 20); do
    "${REPL_ARGV[@]}" --once >/dev/null 2>&1 &
    p=$!
    sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
    kill -KILL $p 2>/dev/null && killed=$((killed + 1))
    wait $p 2>/dev/null
done
note "$killed of 20 cycles killed before they ended"

# ---- late QAN rows for yesterday, a deleted node, after a first sync
yday=$(shape_ch $A "SELECT toYYYYMMDD(yesterday())")
settle_once
rc=$?
[[ $rc == 0 ]] && pass "after 20 SIGKILLs and a link cut, one cycle: exit 0" ||
    fail "after the kills: rc $rc: $(tail -3 "$WORK/once.err" | tr '\n' ' ')"
compare_all "after a 60 s link cut and 20 SIGKILLs"
[[ $(ch_digest $B | awk -v d="$yday" '$1 == d {print $2}') -gt 0 ]] &&
    pass "late QAN rows for yesterday ($yday) on the standby" ||
    fail "no QAN rows for yesterday ($yday) on the standby"
del=$(shape_psql $A pmm-managed "SELECT count(*) FROM nodes WHERE node_id LIKE '/node_id/shape-%'")
gone=$(shape_psql $A pmm-managed "SELECT (settings->>'shape_tick')::int - $del FROM settings")
if ((gone > 0)) && [[ $(shape_psql $B pmm-managed "SELECT count(*) FROM nodes WHERE node_id = '/node_id/shape-$(printf %06d "$gone")'") == 0 ]]; then
    pass "inventory deletes propagated (node shape-$(printf %06d "$gone") gone, $del kept)"
else
    fail "inventory deletes: $gone deleted on A, B still has it or none deleted"
fi

# one more late row by hand, for a partition B already holds
writer start
shape_ch $A "INSERT INTO pmm.metrics (queryid, service_name, period_start, example)
    VALUES ('late-by-hand', 'late', toDateTime(yesterday()) + 3600, 'late row')" >/dev/null
settle_once
[[ $(shape_ch $B "SELECT count() FROM pmm.metrics WHERE queryid = 'late-by-hand'") == 1 ]] &&
    pass "a late row for yesterday's partition, already on the standby, arrives once" ||
    fail "the late row for yesterday is not on the standby exactly once"
compare_all "a second cycle"

# ---- a schema mismatch is refused, nothing written
before=$(pg_digest $B | md5sum)
shape_psql $A pmm-managed "ALTER TABLE nodes ADD COLUMN pmmha_test int" >/dev/null
shape_psql $A pmm-managed "UPDATE settings SET settings = settings || '{\"mismatch\": 1}'" >/dev/null
repl --once --streams inventory >"$WORK/once.out" 2>"$WORK/once.err"
rc=$?
if [[ $rc == 4 && $(status inventory.refused) == 1 && $(pg_digest $B | md5sum) == "$before" ]]; then
    pass "different columns: refused (exit 4: $(status inventory.last_error)), nothing written"
else
    fail "different columns: rc $rc refused '$(status inventory.refused)' error '$(status inventory.last_error)'"
fi
shape_psql $A pmm-managed "ALTER TABLE nodes DROP COLUMN pmmha_test" >/dev/null
shape_psql $A pmm-managed "INSERT INTO schema_migrations VALUES ((SELECT max(id) + 1 FROM schema_migrations))" >/dev/null
repl --once --streams inventory >"$WORK/once.out" 2>"$WORK/once.err"
rc=$?
[[ $rc == 4 && $(pg_digest $B | md5sum) == "$before" ]] &&
    pass "different schema_migrations: refused (exit 4: $(status inventory.last_error)), nothing written" ||
    fail "different schema_migrations: rc $rc: $(status inventory.last_error)"
shape_psql $A pmm-managed "DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations)" >/dev/null
before=$(ch_digest $B | md5sum)
shape_ch $A "ALTER TABLE pmm.metrics ADD COLUMN pmmha_test UInt8" >/dev/null
shape_ch $A "INSERT INTO pmm.metrics (queryid, period_start) VALUES ('mismatch', now())" >/dev/null
repl --once --streams qan >"$WORK/once.out" 2>"$WORK/once.err"
rc=$?
[[ $rc == 4 && $(status qan.refused) == 1 && $(ch_digest $B | md5sum) == "$before" ]] &&
    pass "QAN columns differ: refused (exit 4: $(status qan.last_error)), nothing written" ||
    fail "QAN columns differ: rc $rc: $(status qan.last_error)"
shape_ch $A "ALTER TABLE pmm.metrics DELETE WHERE queryid = 'mismatch'" >/dev/null
shape_ch $A "ALTER TABLE pmm.metrics DROP COLUMN pmmha_test" >/dev/null

# ---- the source restarted mid-stream (a fresh standby state: a long first cycle)
rm -rf "$STATE"
"${REPL_ARGV[@]}" --once >"$WORK/once.out" 2>"$WORK/once.err" &
p=$!
sleep 0.5
podman restart -t 60 $A >/dev/null
wait $p
rc1=$?
shape_wait_ready $A 120
writer stop
sleep $((SETTLE + 2))
repl --once >"$WORK/once.out" 2>"$WORK/once.err"
rc=$?
[[ $rc == 0 ]] && pass "source restarted mid-stream (that cycle exited $rc1): the next one converges" ||
    fail "after the source's restart: rc $rc: $(tail -3 "$WORK/once.err" | tr '\n' ' ')"
compare_all "after the source restarted mid-stream"
exit 0
