#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 48-promotable.sh - pmm-server with mode=promotable on two stand-in PMMs
# (tests/pmm-shape), each in its own network namespace as two nodes are,
# with the agent called the way Pacemaker calls it but without a cluster:
# the clone's meta-attributes and the notify environment given by hand
# (the cluster's own tools then answer "no cluster", which every call must
# survive at once). The cluster drills (tests/integration/7x-8x) drive the
# same agent through Pacemaker.
#
# What must hold: ocf-tester passes, promote and demote included, on one
# node with no cluster; start leaves a standby (readyz not 200, stores up,
# nothing written); promote answers the moment readyz is 200 and monitor
# says 8; a standby follows the promoted node after post-promote and
# completes its initial sync (monitor 0, score and state recorded);
# validate-all refuses a clone without notify and a missing credentials
# file; a switchover by hand (demote, pre-promote's final catch-up,
# promote) loses nothing written before the demote: metrics counted series
# by series, inventory and QAN compared whole.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/testlib.sh
. tests/lib/podman-env.sh
. tests/lib/shape.sh

export SHAPE_DIR=/var/tmp/pmmha-48
export SHAPE_WARMUP=3
IMAGE=$(_shape_image 2)
WORK=$SHAPE_DIR/work
A=${SHAPE_NS}A
B=${SHAPE_NS}B
REAL_AGENT=${PMM_SERVER_AGENT:-$AGENT_DIR/pmm-server}

cleanup() {
    local n
    for n in A B; do
        [[ -d $WORK/rsc-$n ]] && INSTANCE=pmm node_ra $n stop >/dev/null 2>&1
    done
    pkill -KILL -f "pmmha-replicator --state-dir $SHAPE_DIR" 2>/dev/null
    shape_down
    rm -rf "$SHAPE_DIR"
}
[[ ${KEEP:-0} == 1 ]] || trap cleanup EXIT

echo "== pmm-server mode=promotable, two nodes by hand"
rm -rf "$SHAPE_DIR"
mkdir -p "$WORK" && chmod 700 "$WORK"
podman_env_setup && shape_build 2 && shape_net_up || { fail "stand-in set-up"; exit 0; }
[[ -x $REAL_AGENT ]] || { fail "pmm-server installed"; exit 0; }

# one wrapper per node: the agent run inside the node's namespace
for n in A B; do
    mkdir -p "$WORK/agent-$n" "$WORK/rsc-$n" "$SHAPE_DIR/${SHAPE_NS}$n/srv"
    printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s %s "$@"\n' "${SHAPE_NS}$n" "$REAL_AGENT" >"$WORK/agent-$n/pmm-server"
    chmod +x "$WORK/agent-$n/pmm-server"
    _shape_creds "$SHAPE_DIR/${SHAPE_NS}$n/creds"
    echo "${SHAPE_NS}$n" >"$SHAPE_DIR/${SHAPE_NS}$n/netns"
    echo 2 >"$SHAPE_DIR/${SHAPE_NS}$n/variant"
    echo 0 >"$SHAPE_DIR/${SHAPE_NS}$n/standby"
done
# the replicator's credentials, as an operator installs them (0600)
(umask 077
 cp "$SHAPE_DIR/$A/creds/vm-auth" "$WORK/vm-auth"
 printf '%s:%s\n' "$SHAPE_PG_USER" "$SHAPE_PG_PW" >"$WORK/pg-auth"
 printf '%s:%s\n' "$SHAPE_CH_USER" "$SHAPE_CH_PW" >"$WORK/ch-auth")

RUN_OPTS_A="--network host --hostname ${SHAPE_NS}A -v $SHAPE_DIR/${SHAPE_NS}A/creds:/etc/pmm-shape/creds:ro -e PMM_SHAPE_PEER_NET=$SHAPE_NET -e PMM_SHAPE_WARMUP=3 -e PMM_SHAPE_SERIES=50 -e PMM_SHAPE_INV_INTERVAL=1 -e PMM_SHAPE_QAN_INTERVAL=1"
RUN_OPTS_B=${RUN_OPTS_A//${SHAPE_NS}A/${SHAPE_NS}B}
CLONE=(OCF_RESKEY_CRM_meta_clone_max=2 OCF_RESKEY_CRM_meta_clone_node_max=1
    OCF_RESKEY_CRM_meta_promoted_max=1 OCF_RESKEY_CRM_meta_promoted_node_max=1
    OCF_RESKEY_CRM_meta_promotable=true OCF_RESKEY_CRM_meta_notify=true)

# node_ra NODE ACTION [KEY=VALUE...]: the agent on NODE as a clone instance
node_ra() {
    local n=$1 act=$2 opts
    shift 2
    opts=RUN_OPTS_$n
    AGENT_DIR=$WORK/agent-$n INSTANCE=${INSTANCE:-pmm:0} ra pmm-server "$act" \
        image=$IMAGE name=${SHAPE_NS}$n volume="$SHAPE_DIR/${SHAPE_NS}$n/srv" \
        mode=promotable "peers=nodeA=10.78.0.1 nodeB=10.78.0.2" \
        "repl_vm_url=http://{peer}/prometheus" repl_vm_auth_file="$WORK/vm-auth" \
        repl_pg_auth_file="$WORK/pg-auth" repl_ch_auth_file="$WORK/ch-auth" \
        repl_interval=2s repl_settle=5s stop_timeout=60 \
        runtime_socket=/run/pmmha-test/absent.sock \
        "run_opts=${!opts}" \
        HA_RSCTMP="$WORK/rsc-$n" OCF_RESKEY_CRM_meta_on_node=node$n "${CLONE[@]}" "$@"
}

readyz() { shape_readyz "${SHAPE_NS}$1"; }

# ---- ocf-tester on one node, no cluster at all
if nsenter --net=/run/netns/${SHAPE_NS}A ocf-tester -n pmm-t -o image=$IMAGE -o name=${SHAPE_NS}A \
    -o volume="$SHAPE_DIR/${SHAPE_NS}A/srv" -o mode=promotable \
    -o repl_pg_auth_file="$WORK/pg-auth" -o repl_ch_auth_file="$WORK/ch-auth" \
    -o runtime_socket=/run/pmmha-test/absent.sock -o stop_timeout=60 \
    -o run_opts="$RUN_OPTS_A" "$REAL_AGENT" >"$WORK/tester.log" 2>&1; then
    pass "ocf-tester: mode=promotable, promote and demote included, no cluster"
else
    fail "ocf-tester mode=promotable: $(grep -iE 'error|fail' "$WORK/tester.log" | head -3 | tr '\n' ' ')"
    sed 's/^/    /' "$WORK/tester.log" | tail -25
fi
rm -rf "${SHAPE_DIR:?}/${SHAPE_NS}A/srv"/* "${SHAPE_DIR:?}/${SHAPE_NS}A/srv"/.pmmha* 2>/dev/null

# ---- validate-all's refusals
node_ra A validate-all OCF_RESKEY_CRM_meta_notify=false
expect "validate-all: a clone without notify=true" 6 "notify=true"
node_ra A validate-all repl_ch_auth_file="$WORK/nope"
expect "validate-all: a missing credentials file" 5 "create $WORK/nope"

# ---- A: start (a standby), then promote
t0=$(now_ms)
node_ra A start
expect "start A: a standby" 0 ""
note "start took $(($(now_ms) - t0)) ms (the stores up; PMM's programs never started)"
[[ $(readyz A) != 200 ]] && pass "a standby's readyz is not 200 ($(readyz A))" || fail "a standby answers readyz 200"
node_ra A monitor OCF_RESKEY_CRM_meta_interval=11000
expect "monitor A (standby, nothing to follow): 0" 0 ""
t0=$(now_ms)
node_ra A promote
expect "promote A" 0 ""
note "promote took $(($(now_ms) - t0)) ms (standby -> readyz 200)"
[[ $(readyz A) == 200 ]] && pass "promoted A answers readyz 200" || fail "promoted A: readyz $(readyz A)"
node_ra A monitor OCF_RESKEY_CRM_meta_interval=9000
expect "monitor A (promoted): 8" 8 ""

# ---- B: a standby that follows A after post-promote
node_ra B start
expect "start B: a standby" 0 ""
node_ra B notify OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=promote \
    OCF_RESKEY_CRM_meta_notify_promote_uname=nodeA "OCF_RESKEY_CRM_meta_notify_active_uname=nodeA nodeB"
expect "notify post-promote on B" 0 ""
if wait_until 120 grep -q '^qan.initial_sync=1' "$SHAPE_DIR/${SHAPE_NS}B/srv/.pmmha-repl/status" &&
    wait_until 60 grep -q '^metrics.initial_sync=1' "$SHAPE_DIR/${SHAPE_NS}B/srv/.pmmha-repl/status" &&
    wait_until 60 grep -q '^inventory.initial_sync=1' "$SHAPE_DIR/${SHAPE_NS}B/srv/.pmmha-repl/status"; then
    pass "B's replicator (started by the agent) completed its initial sync from A"
else
    fail "B's initial sync: $(cat "$SHAPE_DIR/${SHAPE_NS}B/srv/.pmmha-repl/status" 2>&1 | grep -E 'initial|error' | tr '\n' ' ')"
fi
sleep 12
node_ra B monitor OCF_RESKEY_CRM_meta_interval=11000
expect "monitor B (a streaming standby): 0" 0 ""
rec=$(cat "$WORK"/rsc-B/pmm-server-role-*.state 2>/dev/null)
if grep -q '^pub_repl=streaming' <<<"$rec" && grep -qE '^pub_score=(9[0-9][0-9]|1000)$' <<<"$rec"; then
    pass "B published state streaming, $(sed -n 's/^pub_lag=/lag /p' <<<"$rec"), score $(sed -n 's/^pub_score=//p' <<<"$rec")"
else
    fail "B's published state: $(grep '^pub_' <<<"$rec" | tr '\n' ' ')"
fi

# ---- a switchover by hand, as Pacemaker orders it
t0=$(now_ms)
node_ra A demote
expect "demote A" 0 ""
t_demote=$(date +%s)
[[ $(readyz A) != 200 ]] && pass "demoted A stopped answering readyz" || fail "demoted A still answers readyz 200"
node_ra B notify OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=demote \
    OCF_RESKEY_CRM_meta_notify_demote_uname=nodeA OCF_RESKEY_CRM_meta_notify_promote_uname=nodeB \
    "OCF_RESKEY_CRM_meta_notify_active_uname=nodeA nodeB" OCF_RESKEY_CRM_meta_timeout=120000
expect "notify post-demote on B, the node to be promoted (the final catch-up)" 0 ""
node_ra B notify OCF_RESKEY_CRM_meta_notify_type=pre OCF_RESKEY_CRM_meta_notify_operation=promote \
    OCF_RESKEY_CRM_meta_notify_promote_uname=nodeB OCF_RESKEY_CRM_meta_notify_demote_uname=nodeA \
    "OCF_RESKEY_CRM_meta_notify_active_uname=nodeA nodeB"
expect "notify pre-promote on B" 0 ""

# nothing A held at its demote (its writer stopped with it) is missing on B
# after the catch-up, before B's own writer starts
end=$t_demote
# podman exec in NAME's node: a --network host container shares the
# network of the node that ran it, which podman exec does not enter
px() { nsenter --net="/run/netns/$1" podman exec "$@"; }
cnt() { px "$1" sh -c "$(shape_sample_counts "$end")"; } # NAME
cnt $A >"$WORK/vm.a"
cnt $B >"$WORK/vm.b"
if [[ -s $WORK/vm.a ]] && diff "$WORK/vm.a" "$WORK/vm.b" >"$WORK/vm.diff"; then
    pass "switchover: every metric sample of A up to the demote is on B ($(wc -l <"$WORK/vm.b") series, $(awk '{s+=$2} END {print s}' "$WORK/vm.b") samples)"
else
    fail "switchover lost metrics: $(head -4 "$WORK/vm.diff" | tr '\n' ' ')"
fi
pgd() { # NAME: every table of both databases, hashed
    local db
    for db in pmm-managed grafana; do
        shape_psql "$1" "$db" "SELECT c.relname || '=' || (xpath('/row/h/text()', query_to_xml(format(
            'SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '''')) AS h FROM %I t', c.relname),
            false, true, '')))[1]::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1"
    done
}
pgd $A >"$WORK/pg.a"
pgd $B >"$WORK/pg.b"
if [[ -s $WORK/pg.a ]] && cmp -s "$WORK/pg.a" "$WORK/pg.b"; then
    pass "switchover: every table of A's inventory and Grafana is B's ($(wc -l <"$WORK/pg.b") tables, shape_tick $(shape_psql $A pmm-managed "SELECT settings->>'shape_tick' FROM settings"))"
else
    fail "switchover: inventory differs: $(diff "$WORK/pg.a" "$WORK/pg.b" | head -4 | tr '\n' ' ')"
fi
chd() { px "$1" clickhouse-client --host 127.0.0.1 --port 9000 --query "SELECT cityHash64(*) FROM pmm.metrics FORMAT TSV" | sort; }
chd $A >"$WORK/ch.a"
chd $B >"$WORK/ch.b"
if [[ -s $WORK/ch.a ]] && cmp -s "$WORK/ch.a" "$WORK/ch.b"; then
    pass "switchover: every QAN row of A is B's ($(wc -l <"$WORK/ch.b") rows)"
else
    fail "switchover: QAN differs: A $(wc -l <"$WORK/ch.a") rows, B $(wc -l <"$WORK/ch.b") rows"
fi

node_ra B promote
expect "promote B after the switchover's catch-up" 0 ""
dt=$(($(now_ms) - t0))
[[ $(readyz B) == 200 ]] && pass "B answers readyz 200 after the switchover ($dt ms from demote to ready)" ||
    fail "B after the switchover: readyz $(readyz B)"
grep -q "RPO 0" <<<"$ERR" && pass "promote B reports RPO 0 after the catch-up" || fail "promote B: no RPO 0 in its log: $(grep -i rpo <<<"$ERR" | tail -1)"

# ---- the old primary follows the new one
node_ra A notify OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=promote \
    OCF_RESKEY_CRM_meta_notify_promote_uname=nodeB
if wait_until 60 grep -q '^metrics.last_success=[1-9]' "$SHAPE_DIR/${SHAPE_NS}A/srv/.pmmha-repl/status"; then
    pass "the demoted A follows B (its replicator copies from B)"
else
    fail "A does not follow B: $(grep -E 'error' "$SHAPE_DIR/${SHAPE_NS}A/srv/.pmmha-repl/status" 2>&1 | tr '\n' ' ')"
fi
for n in A B; do
    node_ra $n stop
    expect "stop $n" 0 ""
done
pgrep -f "pmmha-replicator --state-dir $SHAPE_DIR" >/dev/null && fail "a replicator outlived stop" ||
    pass "stop stopped the replicators"

# ---- supervisord's socket out of the agent's reach (its path an expansion
# the agent does not evaluate): supervisorctl in the container, through the
# runtime, does the same work: standby, promote, demote, stop
podman run --rm --entrypoint cat "$IMAGE" /etc/supervisord.conf 2>/dev/null |
    sed -e 's|^file = .*|file = %(here)s/supervisor-x.sock|' \
        -e 's|^serverurl = .*|serverurl = unix:///etc/supervisor-x.sock|' >"$WORK/sv-here.conf"
RUN_OPTS_A+=" -v $WORK/sv-here.conf:/etc/supervisord.conf:ro"
node_ra A start HA_debug=1
expect "start A with supervisord's socket out of reach: a standby" 0 ""
grep -q "supervisorctl then" <<<"$ERR" && pass "the agent fell back to supervisorctl" ||
    fail "no fallback to supervisorctl logged: $(grep -i supervisor <<<"$ERR" | head -2 | tr '\n' ' ')"
[[ $(readyz A) != 200 ]] && pass "that standby's readyz is not 200" || fail "that standby answers readyz 200"
node_ra A promote
expect "promote A through supervisorctl" 0 ""
[[ $(readyz A) == 200 ]] && pass "A promoted through supervisorctl answers 200" || fail "A promoted through supervisorctl: readyz $(readyz A)"
node_ra A demote
expect "demote A through supervisorctl" 0 ""
[[ $(readyz A) != 200 ]] && pass "A demoted through supervisorctl stopped answering" || fail "A demoted through supervisorctl still answers 200"
node_ra A stop
expect "stop A (its stores through supervisorctl)" 0 ""
[[ -z $(podman ps -q --filter name="^${SHAPE_NS}A\$") ]] && pass "A's container is gone" || fail "A's container still runs"
