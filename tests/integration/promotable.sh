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
    if ! X "$N1" env VIP="$VIP" PEERS="$ips" NODES="${PROM_NODES:-2}" \
        IMAGE=localhost/pmmha-shape:2.42.0 VOLUME=/srv/pmm AUTH="$DIR/auth" \
        VM_URL='http://{peer}/prometheus' MAX_LAG="${PROM_MAX_LAG:-60s}" \
        REPL_INTERVAL=2s REPL_SETTLE=4s \
        RUN_OPTS="--network host -v $DIR/creds:/etc/pmm-shape/creds:ro -e PMM_SHAPE_PEER_NET=$PMM_NET.0/24 -e PMM_SHAPE_WARMUP=0 -e PMM_SHAPE_SERIES=50 -e PMM_SHAPE_INV_INTERVAL=1 -e PMM_SHAPE_QAN_INTERVAL=1" \
        "$TOP/examples/pcs-promotable.sh" >"$WORK/pcs.log" 2>&1; then
        fail "examples/pcs-promotable.sh: $(tail -3 "$WORK/pcs.log")"
        return 1
    fi
    pass "examples/pcs-promotable.sh created the promotable clone"
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
