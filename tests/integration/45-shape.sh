#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 45-shape.sh - the PMM-shaped stand-in (tests/pmm-shape) checked against
# what it claims (tests/pmm-shape/README.md): both variants build from
# Debian packages; the stores run under supervisord; readyz is 500 during
# pmm-managed's warm-up, then 200, and not 200 once pmm-managed is stopped
# while the stores keep answering; the writer produces metrics, inventory
# changes and QAN rows (yesterday's too); a standby writes nothing and
# deduplicates; /prometheus/ needs the admin's basic auth, on 80 and 443;
# the peer reaches PostgreSQL and ClickHouse with the roles opened to it;
# a graceful stop leaves the clean marker; the version files; PMM 3's
# ports and paths. The mode switched at run time as the agent switches it
# (podman exec NAME supervisorctl stop|start <PMM's application programs>):
# standby = readyz not 200, nothing scraped or written, the stores answer,
# the same state as an instance started standby; full again = readyz 200
# (the time it took printed), writing and scraping again; a standby so
# switched still stops cleanly. rt_ops.container_exec (tests/lib/rt-exec.c)
# against podman itself: CLI, libpod and Docker API. Two network
# namespaces as two nodes (tests/lib/shape.sh).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/testlib.sh
. tests/lib/podman-env.sh
. tests/lib/shape.sh
export SHAPE_DIR=/var/tmp/pmmha-45
A=${SHAPE_NS}A
B=${SHAPE_NS}B
C3=${SHAPE_NS}3
WARM=6

APPS="grafana pmm-managed qan-api2 vmalert pmm-agent"
TO_STANDBY=(supervisorctl stop pmm-agent vmalert qan-api2 pmm-managed grafana)
TO_FULL=(supervisorctl start grafana pmm-managed qan-api2 vmalert pmm-agent)
API=$SHAPE_DIR/api.sock

cleanup() { podman_api_stop "$API" >/dev/null 2>&1; shape_down; rm -rf "$SHAPE_DIR"; }
trap cleanup EXIT

# check NAME CMD...: PASS when CMD succeeds
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

echo "== the PMM-shaped stand-in"
podman_env_setup || { fail "podman set-up"; exit 0; }
cleanup
mkdir -p "$SHAPE_DIR"

# ---- build (from nothing when the cache is empty; reused when unchanged)
for v in 2 3; do
    t0=$(now_ms)
    if shape_build $v 2>"$SHAPE_DIR/build.err"; then
        img=$(_shape_image $v)
        pass "build variant $v: $img in $((($(now_ms) - t0) / 1000)) s ($(podman image inspect --format '{{.Size}}' "$img" | awk '{printf "%d MB", $1 / 1e6}'), label version $(podman image inspect --format '{{index .Labels "org.opencontainers.image.version"}}' "$img"))"
    else
        fail "build variant $v: $(tail -3 "$SHAPE_DIR/build.err" | tr '\n' ' ')"
        exit 0
    fi
done
t0=$(now_ms)
shape_build 2 2>/dev/null
dt=$(($(now_ms) - t0))
((dt < 5000)) && pass "an unchanged image is reused (${dt} ms)" || fail "rebuild of an unchanged image took ${dt} ms"

shape_net_up || { fail "namespaces $A, $B"; exit 0; }
ip netns exec $B ping -c1 -W2 10.78.0.1 >/dev/null &&
    pass "two namespaces joined by the veth ${A}0-${B}0 (10.78.0.1, 10.78.0.2)" ||
    fail "no ping from $B to 10.78.0.1"

# ---- A: a full PMM 2 with a short warm-up; B: a standby
t0=$(now_ms)
SHAPE_WARMUP=$WARM SHAPE_SERIES=50 SHAPE_INV_INTERVAL=1 SHAPE_QAN_INTERVAL=1 \
    shape_run $A $A 2 -e PMM_SHAPE_QAN_LATE=2 -e VM_dedup_minScrapeInterval=1ms || { fail "run $A"; exit 0; }
codes=()
last=
while (($(now_ms) - t0 < 60000)); do
    c=$(shape_readyz $A)
    [[ $last == "$c" ]] || codes+=("$c")
    last=$c
    [[ $c == 200 ]] && break
    sleep 0.2
done
t_ready=$(($(now_ms) - t0))
if [[ $last == 200 && " ${codes[*]} " == *" 500 "* ]] && ((t_ready >= WARM * 1000)); then
    pass "readyz: ${codes[*]} (500 during the ${WARM} s warm-up), 200 after $t_ready ms"
else
    fail "readyz sequence: ${codes[*]} after $t_ready ms (warm-up $WARM s)"
fi
st=$(podman exec $A supervisorctl status 2>&1)
n=$(grep -cE '^(postgresql|clickhouse|victoriametrics|nginx|grafana|vmalert|qan-api2|pmm-managed|pmm-agent) +RUNNING' <<<"$st")
[[ $n == 9 ]] && pass "supervisord runs postgresql, clickhouse, victoriametrics, nginx and $APPS" ||
    fail "supervisorctl status: $(tr -s ' \n' ' ' <<<"$st")"
check "PostgreSQL 15 with its data in /srv/postgres14 (PMM 2's path)" \
    test "$(shape_psql $A postgres 'SHOW data_directory')" = /srv/postgres14
check "the databases pmm-managed and grafana, and ClickHouse's pmm.metrics" \
    test "$(shape_psql $A postgres "SELECT count(*) FROM pg_database WHERE datname IN ('pmm-managed', 'grafana')")$(shape_ch $A "EXISTS TABLE pmm.metrics")" = 21
pk=$(shape_ch $A "SELECT partition_key FROM system.tables WHERE database = 'pmm' AND name = 'metrics'")
[[ $pk == *"toYYYYMMDD(period_start)"* ]] && pass "pmm.metrics partitioned by day: $pk" || fail "partition key '$pk'"
vmcmd=$(podman exec $A sh -c 'tr "\0" " " </proc/$(pgrep -f "^/usr/bin/victoria-metrics")/cmdline')
[[ $vmcmd == *-httpListenAddr=127.0.0.1:9090* && $vmcmd == *-http.pathPrefix=/prometheus* && $vmcmd == *-retentionPeriod=30d* ]] &&
    pass "VictoriaMetrics on 127.0.0.1:9090 with -http.pathPrefix=/prometheus and a retention" ||
    fail "VictoriaMetrics command line: $vmcmd"
lay=$(podman exec $A ls /srv | tr '\n' ' ')
miss=""
for d in postgres14 clickhouse victoriametrics grafana logs nginx prometheus alerting backup pmm-distribution; do
    [[ " $lay " == *" $d "* ]] || miss+=" $d"
done
[[ -z $miss ]] && pass "/srv laid out as PMM's: $lay" || fail "/srv lacks$miss ($lay)"

t0=$(now_ms)
shape_run $B $B 2 standby || { fail "run standby $B"; exit 0; }
pass "standby $B: stores up in $(($(now_ms) - t0)) ms"

# ---- the writer
sleep 12
wj=$(podman exec $A cat /srv/pmm-shape/writer.json)
nser=$(podman exec $A curl -s http://127.0.0.1:9090/prometheus/api/v1/series/count 2>/dev/null)
cnt=$(podman exec $A curl -s -G http://127.0.0.1:9090/prometheus/api/v1/query \
    --data-urlencode 'query=count(count_over_time(pmm_shape_sample[1m]))' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])' 2>/dev/null)
smp=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["metrics"]["samples"])' "$wj" 2>/dev/null)
[[ $cnt == 50 && ${smp:-0} -ge 500 ]] &&
    pass "metrics: 50 series pmm_shape_sample{series=...} written every second ($smp samples so far; $nser)" ||
    fail "metrics: $cnt series, $smp samples"
tick=$(shape_psql $A pmm-managed "SELECT settings->>'shape_tick' FROM settings")
nodes=$(shape_psql $A pmm-managed "SELECT count(*) FROM nodes WHERE node_id LIKE '/node_id/shape-%'")
upd=$(shape_psql $A pmm-managed "SELECT count(*) FROM agents WHERE status = 'RUNNING' AND agent_id LIKE '/agent_id/shape-%'")
gone=$((tick - nodes))
if ((tick > 10 && gone > 0 && upd > 0)) &&
    [[ $(shape_psql $A pmm-managed "SELECT count(*) FROM nodes WHERE node_id = '/node_id/shape-$(printf %06d $gone)'") == 0 ]]; then
    pass "inventory: tick $tick, $nodes nodes kept, the oldest $gone deleted (FK order), $upd agents updated"
else
    fail "inventory: tick '$tick' nodes '$nodes' updated '$upd'"
fi
gf=$(shape_psql $A grafana "SELECT count(*) || ' versions, dashboard versions up to ' || (SELECT max(version) FROM dashboard) FROM dashboard_version")
seq=$(shape_psql $A grafana "SELECT last_value FROM pg_sequences WHERE sequencename = 'dashboard_version_id_seq'")
((${seq:-0} > 10)) && pass "grafana: $gf, serial dashboard_version_id_seq at $seq" || fail "grafana: $gf seq '$seq'"
nopk=$(shape_psql $A pmm-managed "SELECT count(*) FROM pg_constraint WHERE conrelid = 'settings'::regclass AND contype = 'p'")
mig=$(shape_psql $A pmm-managed "SELECT count(*) || ' ids up to ' || max(id) FROM schema_migrations")
[[ $nopk == 0 ]] && pass "settings has no primary key (as PMM's); schema_migrations: $mig" || fail "settings has a primary key"
qan=$(shape_ch $A "SELECT toYYYYMMDD(period_start) = toYYYYMMDD(yesterday()) AS y, count() FROM pmm.metrics GROUP BY y ORDER BY y" | tr '\t\n' '= ')
[[ $qan == "0="[1-9]*" 1="[1-9]* ]] && pass "QAN rows in pmm.metrics, late ones for yesterday too ($qan)" ||
    fail "QAN rows: '$qan'"

# ---- the standby writes nothing, scrapes nothing, deduplicates
st=$(podman exec $B supervisorctl status $APPS 2>&1)
bser=$(podman exec $B curl -s -G http://127.0.0.1:9090/prometheus/api/v1/series --data-urlencode 'match[]={__name__!=""}' |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')
btick=$(shape_psql $B pmm-managed "SELECT settings->>'shape_tick' FROM settings")
bqan=$(shape_ch $B "SELECT count() FROM pmm.metrics")
[[ $(grep -c STOPPED <<<"$st") == 5 && $bser == 0 && $btick == 0 && $bqan == 0 ]] &&
    pass "standby: $APPS stopped, no series in VictoriaMetrics (no scrape), no inventory tick, no QAN row" ||
    fail "standby: '$st' series $bser tick $btick qan $bqan"
bvm=$(podman exec $B sh -c 'tr "\0" " " </proc/$(pgrep -f "^/usr/bin/victoria-metrics")/cmdline')
[[ $bvm == *-dedup.minScrapeInterval=1ms* ]] && pass "standby VictoriaMetrics deduplicates (-dedup.minScrapeInterval=1ms)" ||
    fail "standby VictoriaMetrics: $bvm"
[[ $(shape_readyz $B) != 200 ]] && pass "standby readyz is not 200 ($(shape_readyz $B))" || fail "standby readyz 200"
same=$(diff <(shape_psql $A pmm-managed "SELECT id FROM schema_migrations ORDER BY 1") \
    <(shape_psql $B pmm-managed "SELECT id FROM schema_migrations ORDER BY 1") >/dev/null && echo yes)
[[ $same == yes ]] && pass "standby has the same schema_migrations as the source" || fail "schema_migrations differ"

# ---- /prometheus/ through nginx, basic auth, 80 and 443, from the peer
q='/prometheus/api/v1/query?query=up'
c1=$(shape_curl $B -s -o /dev/null -w '%{http_code}' -m 5 "http://10.78.0.1$q")
c2=$(shape_curl $B -s -o /dev/null -w '%{http_code}' -m 5 -u admin:wrong "http://10.78.0.1$q")
c3=$(shape_curl $B -s -o /dev/null -w '%{http_code}' -m 5 -K <(printf 'user = "admin:%s"\n' "$SHAPE_ADMIN_PW") "http://10.78.0.1$q")
c4=$(shape_curl $B -s -o /dev/null -w '%{http_code}' -m 5 -k -K <(printf 'user = "admin:%s"\n' "$SHAPE_ADMIN_PW") "https://10.78.0.1$q")
[[ $c1 == 401 && $c2 == 401 && $c3 == 200 && $c4 == 200 ]] &&
    pass "/prometheus/ from the peer: 401 without or with a wrong password, 200 with admin's on 80 and on 443" ||
    fail "/prometheus/: none $c1 wrong $c2 http $c3 https $c4"
pin_net=$(ip netns exec $B openssl s_client -connect 10.78.0.1:443 </dev/null 2>/dev/null |
    openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
pin_disk=$(openssl x509 -in "$SHAPE_DIR/$A/srv/nginx/certificate.crt" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
[[ -n $pin_net && $pin_net == "$pin_disk" ]] &&
    pass "https on 443 with the self-signed /srv/nginx/certificate.crt (pin sha256//$pin_net)" ||
    fail "https pin: served '$pin_net', on disk '$pin_disk'"
ex=$(shape_curl $B -s -m 10 -o /dev/null -w '%{http_code} %{size_download}' -K <(printf 'user = "admin:%s"\n' "$SHAPE_ADMIN_PW") \
    -G "http://10.78.0.1/prometheus/api/v1/export/native" --data-urlencode 'match[]={__name__="pmm_shape_sample"}' \
    -d start=$(($(date +%s) - 60)) -d "end=$(date +%s)")
[[ $ex == "200 "* && ${ex#* } -gt 0 ]] && pass "native export through nginx from the peer: $ex bytes" || fail "native export: $ex"

# ---- PostgreSQL and ClickHouse as opened to the peer
pgpass=$SHAPE_DIR/pgpass
(umask 077 && printf '*:*:*:%s:%s\n' "$SHAPE_PG_USER" "$SHAPE_PG_PW" >"$pgpass" &&
    printf '*:*:*:%s:wrong\n' "$SHAPE_PG_USER" >"$pgpass.wrong")
peer_psql() { # PASSFILE HOST DB SQL
    ip netns exec $B env PGPASSFILE="$1" PGCONNECT_TIMEOUT=5 psql -X -At -v ON_ERROR_STOP=1 \
        -h "$2" -U "$SHAPE_PG_USER" -d "$3" -c "$4" 2>&1
}
r1=$(peer_psql "$pgpass" 10.78.0.1 pmm-managed "SELECT count(*) FROM nodes")
r2=$(peer_psql "$pgpass" 10.78.0.1 grafana "SELECT count(*) FROM dashboard")
r3=$(peer_psql "$pgpass.wrong" 10.78.0.1 pmm-managed "SELECT 1")
[[ $r1 =~ ^[0-9]+$ && $r2 =~ ^[0-9]+$ && $r3 == *"password authentication failed"* ]] &&
    pass "PostgreSQL 10.78.0.1:5432 from the peer as $SHAPE_PG_USER (scram): nodes $r1, dashboards $r2; a wrong password refused" ||
    fail "PostgreSQL from the peer: '$r1' '$r2' '$r3'"
# the role writes where the replicator writes: on the standby, through 127.0.0.1
r4=$(ip netns exec $B env PGPASSFILE="$pgpass" psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$SHAPE_PG_USER" -d pmm-managed 2>&1 <<'EOS'
BEGIN;
TRUNCATE agents, services, nodes, settings;
COPY settings FROM STDIN;
{"shape_tick": 1}
\.
SELECT setval('pg_catalog.pg_class_oid_index'::regclass::oid::text::regclass, 1, false) WHERE false;
SELECT count(*) FROM settings;
ROLLBACK;
EOS
)
r5=$(ip netns exec $B env PGPASSFILE="$pgpass" psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U "$SHAPE_PG_USER" -d grafana \
    -c "BEGIN; TRUNCATE dashboard_version; SELECT setval('dashboard_version_id_seq', 5); ROLLBACK;" 2>&1)
[[ $r4 == *"COPY 1"* && $(grep -xc 1 <<<"$r4") == 1 && $(grep -xc 5 <<<"$r5") == 1 ]] && pass "the role truncates, copies into and sets sequences on the standby (pg_read_all_data, pg_write_all_data, TRUNCATE)" ||
    fail "the role's writes on the standby: '$(tr '\n' ' ' <<<"$r4")' '$r5'"
chq_peer() { # USER:PW SQL
    ip netns exec $B curl -s -m 5 -H "X-ClickHouse-User: ${1%%:*}" -H "X-ClickHouse-Key: ${1#*:}" \
        --data-binary "$2" http://10.78.0.1:8123/
}
c1=$(chq_peer "$SHAPE_CH_USER:$SHAPE_CH_PW" "SELECT count() > 0 FROM pmm.metrics")
c2=$(chq_peer "$SHAPE_CH_USER:wrong" "SELECT 1")
c3=$(chq_peer "default:" "SELECT 1")
ip netns exec $B bash -c 'exec 3<>/dev/tcp/10.78.0.1/9000' 2>/dev/null && nat=open || nat=closed
[[ $c1 == 1 && $c2 == *"Wrong password"* && $c3 != 1 && $nat == open ]] &&
    pass "ClickHouse 8123 from the peer as $SHAPE_CH_USER; a wrong password and the default user refused; native 9000 open" ||
    fail "ClickHouse from the peer: '$c1' '${c2:0:80}' '${c3:0:80}' native $nat"

# ---- pmm-managed stopped: readyz no longer 200, the stores still answer
podman exec $A supervisorctl stop pmm-managed >/dev/null
c=$(shape_readyz $A)
s1=$(shape_psql $A pmm-managed "SELECT 1")
s2=$(shape_ch $A "SELECT 1")
s3=$(podman exec $A curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/prometheus/health)
t1=$(shape_psql $A pmm-managed "SELECT settings->>'shape_tick' FROM settings")
sleep 2
t2=$(shape_psql $A pmm-managed "SELECT settings->>'shape_tick' FROM settings")
[[ $c != 200 && $s1 == 1 && $s2 == 1 && $s3 == 200 && $t1 == "$t2" ]] &&
    pass "supervisorctl stop pmm-managed: readyz $c, the stores answer, writes stop (tick $t1)" ||
    fail "pmm-managed stopped: readyz $c pg '$s1' ch '$s2' vm '$s3' ticks $t1/$t2"
podman exec $A supervisorctl start pmm-managed >/dev/null
ready200() { [[ $(shape_readyz "$1") == 200 ]]; }
wait_until 30 ready200 $A && pass "supervisorctl start pmm-managed: readyz 200 again after the warm-up" ||
    fail "readyz after start: $(shape_readyz $A)"

# ---- the mode switched at run time, as the agent switches it
vm_rows() { # NAME [TYPE]: rows VictoriaMetrics inserted since it started (scraped, imported, ...)
    podman exec "$1" curl -s http://127.0.0.1:9090/prometheus/metrics |
        awk -v t="${2:-}" '/^vm_rows_inserted_total/ && (t == "" || index($0, "type=\"" t "\"")) {s += $2} END {print s + 0}'
}
vm_targets() { # NAME: VictoriaMetrics' active scrape targets
    podman exec "$1" curl -s http://127.0.0.1:9090/prometheus/api/v1/targets |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["activeTargets"]))' 2>/dev/null
}
vm_dedup() { podman exec "$1" curl -s http://127.0.0.1:9090/prometheus/metrics | grep -o 'flag{name="dedup.minScrapeInterval", value="[^"]*"'; }
prog_states() { podman exec "$1" supervisorctl status 2>/dev/null | awk '{print $1 "=" $2}' | sort | tr '\n' ' '; }
tick_of() { shape_psql "$1" pmm-managed "SELECT settings->>'shape_tick' FROM settings"; }
qan_of() { shape_ch "$1" "SELECT count() FROM pmm.metrics"; }

scraped=$(vm_rows $A promscrape)
tg0=$(vm_targets $A)
t0=$(now_ms)
out=$(podman exec $A "${TO_STANDBY[@]}" 2>&1)
rc=$?
dt=$(($(now_ms) - t0))
c=$(shape_readyz $A)
tg1=$(vm_targets $A)
r1=$(vm_rows $A) k1=$(tick_of $A) q1=$(qan_of $A)
sleep 5
r2=$(vm_rows $A) k2=$(tick_of $A) q2=$(qan_of $A)
s1=$(shape_psql $A pmm-managed "SELECT 1")
s2=$(shape_ch $A "SELECT 1")
s3=$(podman exec $A curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/prometheus/health)
if [[ $rc == 0 && $c != 200 && $tg0 == 1 && ${scraped:-0} -gt 0 && $tg1 == 0 && $r1 == "$r2" && $k1 == "$k2" && $q1 == "$q2" &&
    $s1 == 1 && $s2 == 1 && $s3 == 200 ]]; then
    pass "full -> standby (podman exec $A ${TO_STANDBY[*]}) in $dt ms: readyz $c; no scrape target left (1 before, $scraped rows scraped); nothing scraped or written for 5 s (VictoriaMetrics rows $r1, tick $k1, QAN rows $q1); the stores answer"
else
    fail "full -> standby: rc $rc '$(tr '\n' ' ' <<<"$out")' in $dt ms, readyz $c, targets $tg0/$tg1 scraped '$scraped', rows $r1/$r2 tick $k1/$k2 QAN $q1/$q2, stores '$s1' '$s2' '$s3'"
fi
sa=$(prog_states $A) sb=$(prog_states $B) da=$(vm_dedup $A) db=$(vm_dedup $B) tb=$(vm_targets $B)
[[ $sa == "$sb" && $da == "$db" && $da == *'value="1ms"'* && $tb == 0 ]] &&
    pass "switched to standby = started standby: $sa; no scrape target; VictoriaMetrics deduplicates (1ms; $A from VM_dedup_minScrapeInterval)" ||
    fail "switched vs started standby: '$sa' vs '$sb', dedup '$da' vs '$db', B targets '$tb'"
t0=$(now_ms)
out=$(podman exec $A "${TO_FULL[@]}" 2>&1)
rc=$?
t_cmd=$(($(now_ms) - t0))
while ! ready200 $A && (($(now_ms) - t0 < 60000)); do sleep 0.2; done
t_full=$(($(now_ms) - t0))
k3=$(tick_of $A) r3=$(vm_rows $A)
sleep 3
k4=$(tick_of $A) r4=$(vm_rows $A) tg=$(vm_targets $A)
if [[ $rc == 0 && $(shape_readyz $A) == 200 && $k4 -gt $k3 && $r4 -gt $r3 && $tg == 1 ]]; then
    pass "standby -> full (podman exec $A ${TO_FULL[*]}): the command took $t_cmd ms, readyz 200 after $t_full ms (pmm-managed's warm-up ${WARM} s included); writing again (tick $k3 -> $k4, rows $r3 -> $r4), scraping again (1 target)"
else
    fail "standby -> full: rc $rc '$(tr '\n' ' ' <<<"$out")', readyz $(shape_readyz $A) after $t_full ms, tick $k3 -> $k4, rows $r3 -> $r4, targets $tg"
fi

# ---- graceful stop: pmm-managed first, the stores flushed, the marker
t0=$(now_ms)
podman stop -t 90 $A >/dev/null
dt=$(($(now_ms) - t0))
log=$SHAPE_DIR/$A/srv/logs/supervisord.log
order=$(grep -oE "stopped: [a-z0-9-]+" "$log" | tail -9 | cut -d' ' -f2 | tr '\n' ' ')
if [[ -s $SHAPE_DIR/$A/srv/pmm-shape/clean-shutdown &&
    $order == "pmm-agent pmm-managed qan-api2 vmalert grafana nginx victoriametrics clickhouse postgresql " ]]; then
    pass "graceful stop in $dt ms: $order, then $(cat "$SHAPE_DIR/$A/srv/pmm-shape/clean-shutdown")"
else
    fail "graceful stop in $dt ms: order '$order', marker $(ls "$SHAPE_DIR/$A/srv/pmm-shape/")"
fi
podman start $A >/dev/null
if shape_wait_ready $A 60 && [[ $(podman logs $A 2>&1) == *"previous shutdown was clean"* ]]; then
    t3=$(shape_psql $A pmm-managed "SELECT settings->>'shape_tick' FROM settings")
    pass "restart on the same /srv: the previous stop recorded clean, ready again, inventory kept (tick $t3)"
else
    fail "restart after a graceful stop"
fi
podman kill $A >/dev/null
podman wait $A >/dev/null 2>&1
podman start $A >/dev/null
shape_wait_ready $A 60 >/dev/null 2>&1
[[ -s $SHAPE_DIR/$A/srv/pmm-shape/unclean-start ]] && pass "after SIGKILL: no clean marker, the next start says so (unclean-start)" ||
    fail "after SIGKILL: no unclean-start"

# ---- the version files the agent's guard reads
v1=$(cat "$SHAPE_DIR/$A/srv/grafana/PERCONA_DASHBOARDS_VERSION")
v2=$(podman exec $A cat /usr/share/percona-dashboards/VERSION)
v3=$(cat "$SHAPE_DIR/$A/srv/pmm-distribution")
v4=$(shape_curl $A -s http://127.0.0.1/v1/version)
[[ $v1 == 2.42.0 && $v2 == 2.42.0 && $v3 == docker && $v4 == *'"version": "2.42.0"'* ]] &&
    pass "version files: /srv/grafana/PERCONA_DASHBOARDS_VERSION $v1, /usr/share/percona-dashboards/VERSION $v2, /srv/pmm-distribution $v3, /v1/version" ||
    fail "version files: '$v1' '$v2' '$v3' '$v4'"

# ---- rt_ops.container_exec against podman itself: CLI, libpod, Docker API
rtx=$SHAPE_DIR/rt-exec
: >"$SHAPE_DIR/config.h"
if cc -O1 -D_GNU_SOURCE -I "$SHAPE_DIR" -I lib -o "$rtx" tests/lib/rt-exec.c lib/rt-cli.c lib/spawn.c \
    lib/proc.c lib/deadline.c lib/rt-api.c lib/json.c lib/net-curl.c \
    $(pkg-config --cflags --libs libcurl json-c) 2>"$SHAPE_DIR/rtx.err" && podman_api_start "$API"; then
    for t in cli:$(command -v podman) libpod:$API docker:$API; do
        e1=$("$rtx" "${t%%:*}" "${t#*:}" $A true)
        e2=$("$rtx" "${t%%:*}" "${t#*:}" $A false)
        e3=$("$rtx" "${t%%:*}" "${t#*:}" $A supervisorctl status pmm-managed)
        e4=$("$rtx" "${t%%:*}" "${t#*:}" ${SHAPE_NS}None true)
        [[ $e1 == "rc=0 status=0 out=" && $e2 == "rc=0 status=1 out=" && $e3 == "rc=0 status=0 out=pmm-managed"*RUNNING* &&
            $e4 == "rc=-ENOENT "* ]] &&
            pass "container_exec (${t%%:*}): true status 0, false status 1, supervisorctl's output, a missing container -ENOENT" ||
            fail "container_exec (${t%%:*}): '$e1' '$e2' '$e3' '$(tr '\n' ' ' <<<"$e4")'"
    done
else
    fail "rt-exec: cannot build it or start the API: $(tail -3 "$SHAPE_DIR/rtx.err" | tr '\n' ' ')"
fi

# ---- a standby switched so at run time stops cleanly too
podman exec $A "${TO_STANDBY[@]}" >/dev/null
t0=$(now_ms)
podman stop -t 90 $A >/dev/null
dt=$(($(now_ms) - t0))
order=$(grep -oE "stopped: [a-z0-9-]+" "$log" | tail -4 | cut -d' ' -f2 | tr '\n' ' ')
[[ -s $SHAPE_DIR/$A/srv/pmm-shape/clean-shutdown && $order == "nginx victoriametrics clickhouse postgresql " ]] &&
    pass "SIGTERM of the standby-switched $A: stopped in $dt ms, $order, $(cat "$SHAPE_DIR/$A/srv/pmm-shape/clean-shutdown")" ||
    fail "SIGTERM of the standby-switched $A in $dt ms: order '$order', marker $(ls "$SHAPE_DIR/$A/srv/pmm-shape/")"
if [[ -x $rtx ]]; then
    for t in cli:$(command -v podman) libpod:$API docker:$API; do
        e=$("$rtx" "${t%%:*}" "${t#*:}" $A true)
        [[ $e == "rc=-ESRCH "* ]] && pass "container_exec (${t%%:*}) in the stopped $A: -ESRCH" ||
            fail "container_exec (${t%%:*}) in the stopped $A: '$(tr '\n' ' ' <<<"$e")'"
    done
fi
podman_api_stop "$API" >/dev/null 2>&1
shape_down >/dev/null

# ---- PMM 3: its ports and paths
shape_net_up
SHAPE_WARMUP=3 shape_run $C3 $A 3 || fail "run PMM 3"
if shape_wait_ready $C3 90; then
    r1=$(shape_curl $C3 -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/v1/server/readyz)
    r2=$(shape_curl $C3 -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/v1/readyz)
    r3=$(shape_curl $C3 -s -o /dev/null -w '%{http_code}' -k https://127.0.0.1:8443/v1/server/readyz)
    r4=$(shape_curl $C3 -s -o /dev/null -w '%{http_code}' http://127.0.0.1:80/v1/server/readyz)
    r5=$(shape_curl $C3 -s http://127.0.0.1:8080/v1/server/version)
    r6=$(shape_curl $B -s -o /dev/null -w '%{http_code}' -K <(printf 'user = "admin:%s"\n' "$SHAPE_ADMIN_PW") \
        'http://10.78.0.1:8080/prometheus/api/v1/query?query=1')
    [[ $r1 == 200 && $r2 == 200 && $r3 == 200 && $r4 == 000 && $r5 == *'"version": "3.0.0"'* && $r6 == 200 ]] &&
        pass "PMM 3: /v1/server/readyz 200 on 8080 and 8443 (/v1/readyz rewritten), nothing on 80, /v1/server/version 3.0.0, /prometheus/ on 8080" ||
        fail "PMM 3: readyz $r1 compat $r2 https $r3 port80 $r4 version '$r5' prometheus $r6"
    [[ $(cat "$SHAPE_DIR/$C3/srv/grafana/PERCONA_DASHBOARDS_VERSION") == 3.0.0 ]] &&
        pass "PMM 3: PERCONA_DASHBOARDS_VERSION 3.0.0" || fail "PMM 3 version file"
else
    fail "PMM 3 not ready"
fi
podman stop -t 90 $C3 >/dev/null
# PMM refuses data newer than itself: the 2.42.0 image on PMM 3's /srv
podman run -d --name ${SHAPE_NS}2on3 --network ns:/run/netns/$A -v "$SHAPE_DIR/$C3/srv:/srv" \
    "$(_shape_image 2)" >/dev/null
rc=$(podman wait ${SHAPE_NS}2on3 2>/dev/null)
[[ $rc == 1 && $(podman logs ${SHAPE_NS}2on3 2>&1) == *"refusing to downgrade"* ]] &&
    pass "the 2.42.0 image on data of 3.0.0: exits 1, 'refusing to downgrade'" ||
    fail "downgrade: exit '$rc': $(podman logs ${SHAPE_NS}2on3 2>&1 | tail -1)"
exit 0
