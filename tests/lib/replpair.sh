# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replpair.sh - two PMM stand-ins (tests/lib/shape.sh) as a source (A, its
# pmm-managed writing) and a standby (B, stores only), and pmmha-replicator
# run on "node B" toward A, with what the replicator tests compare: B holds
# exactly A's metrics (series by series), tables, sequences and QAN
# partitions. Sourced after testlib.sh, podman-env.sh and shape.sh; set
# SHAPE_DIR before sourcing.
REPL=${REPL:-/usr/libexec/pmmha/pmmha-replicator}
SETTLE=5
export SHAPE_WARMUP=3
WORK=$SHAPE_DIR/repl
STATE=$WORK/state
A=${SHAPE_NS}A
B=${SHAPE_NS}B

pair_cleanup() {
    pkill -KILL -f "^$REPL .*--state-dir $WORK" 2>/dev/null
    shape_down
    rm -rf "$SHAPE_DIR"
}

# The replicator on node B, toward A (10.78.0.1): "${REPL_ARGV[@]}" ARGS...
# in the background gives the replicator's own pid (ip netns exec execs it);
# repl ARGS... in the foreground.
REPL_ARGV=(ip netns exec $B "$REPL" --state-dir "$STATE"
    --source-vm http://10.78.0.1/prometheus --vm-auth-file "$WORK/vm-auth"
    --source-pg 10.78.0.1 --pg-auth-file "$WORK/pg-auth"
    --source-ch http://10.78.0.1:8123 --ch-auth-file "$WORK/ch-auth"
    --settle $SETTLE --overlap 10 --interval 2 --inventory-interval 3
    --qan-interval 3 --io-timeout 5)
repl() { "${REPL_ARGV[@]}" "$@"; }

# status KEY: a value from the replicator's status file
status() { sed -n "s/^$1=//p" "$STATE/status"; }

# vm_counts NAME START END: "series samples" of every series in [START, END]
# (unix seconds), from NAME's VictoriaMetrics export, sorted
vm_counts() {
    podman exec "$1" sh -c 'curl -sS --fail -m 60 -G http://127.0.0.1:9090/prometheus/api/v1/export \
        --data-urlencode "match[]={__name__=\"pmm_shape_sample\"}" -d "start=$1" -d "end=$2" |
        python3 -c "
import sys, json
for l in sys.stdin:
    if l.strip():
        j = json.loads(l)
        print(j[\"metric\"].get(\"series\", \"?\"), len(j[\"values\"]), len(set(j[\"timestamps\"])))
" | sort' sh "$2" "$3"
}

# pg_digest NAME: every table's rows (hashed) and every sequence, both DBs
pg_digest() {
    local db
    for db in pmm-managed grafana; do
        shape_psql "$1" "$db" "SELECT '$db.' || c.relname || ' ' ||
            (xpath('/table/row/h/text()', query_to_xml(format(
              'SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '''')) AS h FROM %I t',
              c.relname), false, false, '')))[1]::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1"
        shape_psql "$1" "$db" "SELECT '$db.' || sequencename || ' ' || coalesce(last_value, 0)
          FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
    done
}

# ch_digest NAME: rows and a content hash per partition of pmm.metrics
ch_digest() {
    shape_ch "$1" "SELECT toYYYYMMDD(period_start) AS p, count(),
        sum(cityHash64(queryid, service_name, client_host, period_start, example))
        FROM pmm.metrics GROUP BY p ORDER BY p FORMAT TSV"
}

writer() { podman exec "$A" supervisorctl "$1" pmm-managed >/dev/null; }

# compare WHAT: B holds exactly A's data (the writer stopped, one --once)
compare_all() {
    local what=$1 pos end
    pos=$(status metrics.position)
    end=$((pos / 1000 - 1))
    vm_counts $A 0 $end >"$WORK/vm.a"
    vm_counts $B 0 $end >"$WORK/vm.b"
    if [[ -n $pos && $pos -gt 0 && -s $WORK/vm.b ]] && diff "$WORK/vm.a" "$WORK/vm.b" >"$WORK/vm.diff"; then
        pass "$what: metrics identical series by series up to the position ($(wc -l <"$WORK/vm.b") series, $(awk '{s+=$2} END {print s}' "$WORK/vm.b") samples)"
    else
        fail "$what: metrics differ (position '$pos'): $(head -5 "$WORK/vm.diff" | tr '\n' ' ')"
    fi
    if diff <(pg_digest $A) <(pg_digest $B) >"$WORK/pg.diff"; then
        pass "$what: inventory and Grafana tables and sequences identical ($(pg_digest $B | wc -l) tables and sequences)"
    else
        fail "$what: inventory differs: $(head -4 "$WORK/pg.diff" | tr '\n' ' ')"
    fi
    if diff <(ch_digest $A) <(ch_digest $B) >"$WORK/ch.diff"; then
        pass "$what: QAN identical partition by partition ($(ch_digest $B | awk '{n++; s+=$2} END {print n " partitions, " s " rows"}'))"
    else
        fail "$what: QAN differs: $(head -4 "$WORK/ch.diff" | tr '\n' ' ')"
    fi
}

# settle_once: the writer stopped and the settle margin passed, one cycle
settle_once() {
    writer stop
    sleep $((SETTLE + 2))
    repl --once >"$WORK/once.out" 2>"$WORK/once.err"
}

# pair_source_up SERIES: the source A started (SERIES metric series,
# inventory and QAN changes every second; not waited for) and the
# replicator's credentials files in WORK
pair_source_up() {
    podman_env_setup || return 1
    shape_build 2 || return 1
    shape_net_up || return 1
    shape_run $A $A 2 -e PMM_SHAPE_SERIES="$1" -e PMM_SHAPE_INV_INTERVAL=1 -e PMM_SHAPE_QAN_INTERVAL=1 || return 1
    mkdir -p "$WORK" && chmod 700 "$WORK" || return 1
    (umask 077
     cp "$SHAPE_DIR/$A/creds/vm-auth" "$WORK/vm-auth"
     printf '%s:%s\n' "$SHAPE_PG_USER" "$SHAPE_PG_PW" >"$WORK/pg-auth"
     printf '%s:%s\n' "$SHAPE_CH_USER" "$SHAPE_CH_PW" >"$WORK/ch-auth")
}

pair_setup() {
    pair_source_up 200 || return 1
    shape_run $B $B 2 standby || return 1
    shape_wait_ready $A 120
}

