# SPDX-License-Identifier: GPL-2.0-or-later
# promotable.sh - sourced by the promotable drills: a cluster (2 nodes
# unless told) with stonith and pmm-server as a promotable clone created by
# examples/pcs-promotable.sh as written, on the PMM stand-in (tests/pmm-shape:
# PostgreSQL, ClickHouse and VictoriaMetrics, its pmm-managed writing
# metrics, inventory and QAN every second on the promoted node), each node
# on its own local /srv/pmm (the cluster's per-node /srv), plus helpers.
#   PROM_NODES   how many nodes (default 2)
#   PROM_MAX_LAG max_lag (default 60s)
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$TOP/tests/lib/shape.sh"
C=$TOP/tests/cluster/cluster
DIR=/var/tmp/pmmha-prom-${PMM_PREFIX:-pmm}
SHAPE_DIR=$DIR/shape
# KEEP=1 keeps the cluster's leftovers in $DIR for a look after a failure
trap '"$C" down >/dev/null 2>&1; [[ ${KEEP:-0} == 1 ]] || rm -rf "$DIR"; rm -rf "$WORK"' EXIT
X() { "$C" exec "$@"; }
# the promoted node, as the cluster sees it ("" when none)
promoted() {
    X "${VIEW:-$N1}" crm_resource --locate -r pmm-clone 2>/dev/null |
        awk '/is running on/ && /Promoted/ {sub(/.*running on: */, ""); print $1; exit}'
}
promoted_on() { [[ $(promoted) == "$1" ]]; }
promoted_off() { local p; p=$(promoted); [[ -n $p && $p != "$1" ]]; }
n_promoted() { # how many nodes run a promoted instance, each asked itself
    local n k=0
    for n in $PMM_NODES; do
        [[ $(X "$n" cat /srv/pmm/.pmmha-role 2>/dev/null | sed -n 's/^role=//p') == promoted ]] &&
            X "$n" podman exec pmm-server supervisorctl status pmm-managed 2>/dev/null | grep -q RUNNING && k=$((k + 1))
    done
    echo $k
}
is_200() { [[ $("$C" hub curl -s -m 1 -o /dev/null -w '%{http_code}' "http://$VIP/v1/readyz") == 200 ]]; }
not_200() { ! is_200; }
other() { for n in $PMM_NODES; do [[ $n != "$1" ]] && echo "$n"; done; }
secs() { printf '%d.%02d s' $(($1 / 1000)) $(($1 % 1000 / 10)); }
# attr NODE NAME: a node attribute of NODE (pmmha-NAME-pmm), as crm_mon -A
attr() { X "${VIEW:-$N1}" attrd_updater -Q -n "pmmha-$2-pmm" -N "$1" 2>/dev/null | sed -n 's/.*value="\([^"]*\)".*/\1/p'; }
streaming() { [[ $(attr "$1" repl) == streaming ]]; }
# the replicator's status on NODE
rstatus() { X "$1" sed -n "s/^$2=//p" /srv/pmm/.pmmha-repl/status 2>/dev/null; }

# samples NODE END: "series samples" of pmm_shape_sample up to END (unix s)
samples() { X "$1" podman exec pmm-server sh -c "$(shape_sample_counts "$2")"; }
# newest NODE: the newest pmm_shape_sample's time on NODE (unix ms)
newest() {
    X "$1" podman exec pmm-server curl -sS -m 10 -G http://127.0.0.1:9090/prometheus/api/v1/query \
        --data-urlencode 'query=max(timestamp(pmm_shape_sample))' 2>/dev/null |
        python3 -c 'import sys, json; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1]) * 1000) if r else 0)'
}
tick() { X "$1" podman exec pmm-server psql -X -At -h /run/postgresql -U postgres -d pmm-managed -c "SELECT settings->>'shape_tick' FROM settings" 2>/dev/null; }
qan_rows() { X "$1" podman exec pmm-server clickhouse-client -q "SELECT cityHash64(*) FROM pmm.metrics FORMAT TSV" 2>/dev/null | sort; }

prom_up() {
    local n ips="" i=0
    shape_build 2 >"$WORK/build.log" 2>&1 || { fail "stand-in image: $(tail -3 "$WORK/build.log")"; return 1; }
    "$C" up "${PROM_NODES:-2}" >"$WORK/up.log" 2>&1 || { fail "cluster up: $(tail -3 "$WORK/up.log")"; return 1; }
    eval "$("$C" env)"
    read -r N1 N2 N3 _ <<<"$PMM_NODES"
    VIP=${PMM_NET}.100
    for n in $PMM_NODES; do
        i=$((i + 1))
        ips+="${ips:+ }$n=$PMM_NET.$i"
        X "$n" mkdir -p /srv/pmm
    done
    mkdir -p "$DIR/auth" && chmod 700 "$DIR/auth"
    _shape_creds "$DIR/creds" || return 1
    (umask 077
     cp "$DIR/creds/vm-auth" "$DIR/auth/vm-auth"
     printf '%s:%s\n' "$SHAPE_PG_USER" "$SHAPE_PG_PW" >"$DIR/auth/pg-auth"
     printf '%s:%s\n' "$SHAPE_CH_USER" "$SHAPE_CH_PW" >"$DIR/auth/ch-auth")
    X "$N1" pcs stonith create fence-nodes fence_pmmns pcmk_host_list="$PMM_NODES" \
        op monitor interval=30s >/dev/null
    local left opts="--network host -v $DIR/creds:/etc/pmm-shape/creds:ro -e PMM_SHAPE_PEER_NET=$PMM_NET.0/24 -e PMM_SHAPE_WARMUP=0 -e PMM_SHAPE_SERIES=50 -e PMM_SHAPE_INV_INTERVAL=1 -e PMM_SHAPE_QAN_INTERVAL=1"
    if [[ ${PROM_CRM:-0} == 1 ]]; then
        # examples/crm-promotable.crm as written, its values edited
        sed -e "s|image=docker.io/percona/pmm-server:2.42.0 |image=localhost/pmmha-shape:2.42.0 |" \
            -e "s|peers=\"pmm1=10.0.0.1 pmm2=10.0.0.2\"|peers=\"$ips\"|" \
            -e "s|repl_vm_url=\"https://{peer}/prometheus\"|repl_vm_url=\"http://{peer}/prometheus\"|" \
            -e "s|=/etc/pmmha/|=$DIR/auth/|g" -e "s|max_lag=300s |max_lag=${PROM_MAX_LAG:-60s} |" \
            -e "s|repl_interval=5s repl_settle=10s |repl_interval=2s repl_settle=4s |" \
            -e "s|run_opts=\"--network host\"|run_opts=\"$opts\"|" \
            -e "s|clone-max=2 |clone-max=${PROM_NODES:-2} |" -e "s|ip=192.0.2.10 |ip=$VIP |" \
            "$TOP/examples/crm-promotable.crm" >"$DIR/pmm.crm"
        left=$(grep -oE "docker\.io|10\.0\.0\.1|https://|/etc/pmmha|192\.0\.2\.10" "$DIR/pmm.crm" | head -1)
        if [[ -n $left ]] || ! X "$N1" crm configure load update "$DIR/pmm.crm" >"$WORK/crm.log" 2>&1; then
            fail "examples/crm-promotable.crm: ${left:+a value left as written: $left }$(tail -3 "$WORK/crm.log" 2>/dev/null)"
            return 1
        fi
        pass "examples/crm-promotable.crm (values edited: $(diff "$TOP/examples/crm-promotable.crm" "$DIR/pmm.crm" | grep -c '^>') lines) loaded with crm configure load update"
    elif ! X "$N1" env VIP="$VIP" PEERS="$ips" NODES="${PROM_NODES:-2}" \
        IMAGE=localhost/pmmha-shape:2.42.0 VOLUME=/srv/pmm AUTH="$DIR/auth" \
        VM_URL='http://{peer}/prometheus' MAX_LAG="${PROM_MAX_LAG:-60s}" \
        REPL_INTERVAL=2s REPL_SETTLE=4s RUN_OPTS="$opts" \
        "$TOP/examples/pcs-promotable.sh" >"$WORK/pcs.log" 2>&1; then
        fail "examples/pcs-promotable.sh: $(tail -3 "$WORK/pcs.log")"
        return 1
    else
        pass "examples/pcs-promotable.sh created the promotable clone"
    fi
    local t0
    t0=$(now_ms)
    if ! wait_until 180 is_200; then
        fail "no 200 through $VIP: $(X "$N1" crm_mon -1 | tail -15)"
        return 1
    fi
    pass "PMM promoted on $(promoted), 200 through $VIP $(secs $(($(now_ms) - t0))) after the clone was created"
}

# every_standby_streaming: each unpromoted node streams from the promoted
every_standby_streaming() {
    local n p
    p=$(promoted)
    [[ -n $p ]] || return 1
    for n in $PMM_NODES; do
        [[ $n == "$p" ]] && continue
        streaming "$n" || return 1
    done
}

# switchover_counted LABEL OLD NEW: everything OLD's writer wrote while OLD
# was promoted (its own record, writer.json on OLD's volume, final at its
# demote) is on NEW, counted: every metric sample (none twice), the
# inventory changes (NEW's writer goes on with OLD's last + 1) and every
# QAN row (none twice). QUIET=1: failures only; WJ=FILE: OLD's writer.json
# saved earlier.
_ok() { [[ ${QUIET:-0} == 1 ]] || pass "$@"; }
switchover_counted() {
    local l=$1 a=$2 b=$3 wj=$DIR/writer.$2 w first last n want since
    # WJ: OLD's writer.json saved before (OLD may be NEW, writing again)
    if [[ -n ${WJ:-} ]]; then cp "$WJ" "$wj"; else X "$a" cat /srv/pmm/pmm-shape/writer.json >"$wj" 2>/dev/null; fi
    if ! w=$(shape_writer "$wj" writer); then
        fail "$l: no writer record on $a"
        return
    fi
    first=$(shape_writer "$wj" metrics.first_ts) last=$(shape_writer "$wj" metrics.last_ts)
    want=$(shape_writer "$wj" metrics.samples)
    n=$(X "$b" podman exec pmm-server sh -c "$(shape_samples_between "$first" "$last")" 2>/dev/null)
    if [[ $want -gt 0 && $n == "$want $want" ]]; then
        _ok "$l: every metric sample $a's writer wrote is on $b ($want samples over $(((last - first) / 1000 + 1)) s counted: 0 lost)"
    else
        fail "$l: $a's writer wrote $want samples, $b holds ${n:-?} (distinct, all) of that time"
    fi
    want=$(shape_writer "$wj" inventory.last_tick)
    since=$(shape_writer "$wj" updated)
    wait_until 20 _first_tick "$b" "$since"
    n=$(_first_tick "$b" "$since")
    if [[ $want -gt 0 && $n == $((want + 1)) ]]; then
        _ok "$l: no inventory change lost: $a's last was change $want, $b's writer went on with $n"
    else
        fail "$l: inventory: $a's last change $want, $b's writer's first ${n:-?}"
    fi
    want=$(($(shape_writer "$wj" qan.rows) + $(shape_writer "$wj" qan.late_rows)))
    n=$(X "$b" podman exec pmm-server sh -c "$(shape_qan_count "$w")" 2>/dev/null)
    if [[ $want -gt 0 && $n == "$want" ]]; then
        _ok "$l: every QAN row of $a's writer is on $b ($want rows: 0 lost, none twice)"
    else
        fail "$l: $a's writer wrote $want QAN rows, $b holds ${n:-?}"
    fi
}
# _first_tick NODE SINCE: the first inventory change of NODE's writer
# started at or after SINCE (unix s; a writer.json left by an earlier
# promotion does not count); fails until there is one
_first_tick() {
    X "$1" python3 -c 'import json, sys
d = json.load(open("/srv/pmm/pmm-shape/writer.json"))
t = d["inventory"]["first_tick"] if d["started"] >= int(sys.argv[1]) - 1 else 0
print(t)
sys.exit(t == 0)' "$2" 2>/dev/null
}

# never two promoted instances: sampler_start runs a sampler (each node
# asked itself, every second) until sampler_check says what it saw
sampler_start() {
    (while :; do
        k=$(n_promoted)
        [[ $k -gt 1 ]] && echo "$(date +%T) $k" >>"$DIR/two-promoted"
        sleep 1
    done) &
    SAMPLER=$!
}
sampler_check() {
    kill "$SAMPLER" 2>/dev/null
    if [[ -s $DIR/two-promoted ]]; then
        fail "two promoted instances at once: $(head -3 "$DIR/two-promoted" | tr '\n' ' ')"
    else
        pass "never two promoted instances (each node asked itself every second, throughout)"
    fi
}

# crash_loss NODE T_CRASH_MS: what NODE, promoted after the crash of the
# primary at T_CRASH_MS, lacks of what the writer produced (LOST: the crash
# minus NODE's newest sample from before it) and what it published (RPO,
# BOUND in ms); fails when either is unknown
crash_loss() {
    local nb
    nb=$(newest_before "$1" $(($2 / 1000 - 1)))
    RPO=$(attr "$1" rpo)
    [[ ${nb:-0} -gt 0 && $RPO =~ ^[0-9.]+s$ ]] || return 1
    LOST=$(($2 - nb))
    BOUND=$(awk -v r="${RPO%s}" 'BEGIN {printf "%d", r * 1000}')
}

# newest_before NODE T_S: the newest pmm_shape_sample on NODE at or before
# T_S (unix s), in ms; 0 when none
newest_before() {
    X "$1" podman exec pmm-server curl -sS -m 10 -G http://127.0.0.1:9090/prometheus/api/v1/query \
        --data-urlencode "query=max(timestamp(pmm_shape_sample @ $2))" 2>/dev/null |
        python3 -c 'import sys, json; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1]) * 1000) if r else 0)' 2>/dev/null ||
        echo 0
}

# rejoined LABEL NODE T_CRASH_MS: NODE, crashed at T_CRASH_MS, booted again
# comes back as a standby of the promoted node and streams, its divergence
# reported
rejoined() {
    "$C" boot "$2" >/dev/null 2>&1 && "$C" wait-online --timeout 120 >/dev/null 2>&1
    if wait_until 180 streaming "$2"; then
        pass "$1: the crashed $2 rejoined as a standby of $(promoted) and streams (lag $(attr "$2" lag)), $(secs $(($(now_ms) - $3))) after the crash; its divergence reported: pmmha-diverged-pmm=$(attr "$2" diverged)"
    else
        fail "$1: $2 did not rejoin as a streaming standby: repl=$(attr "$2" repl) $(X "${VIEW:-$N1}" crm_mon -1 | tail -8 | tr '\n' ' ')"
    fi
}
