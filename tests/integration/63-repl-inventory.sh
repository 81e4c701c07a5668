#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmmha-replicator's inventory stream (issue 9) against two real PostgreSQL
# servers (Debian's postgresql, run here as plain clusters): PMM-shaped
# databases (pmm-managed with foreign keys, a self-reference, a settings
# table without a primary key, serial ids, a generated column and
# schema_migrations; grafana with serial ids, a quoted "user" table and
# migration_log). Checked: the initial sync; updates and deletes
# propagated; cycles under continuous writes each leave a consistent
# snapshot; SIGKILL at random points leaves each database as it was or
# complete; schema mismatches and missing privileges refused (exit 4) with
# nothing written; wrong password refused, a source down retried (exit 1);
# tables in a foreign-key cycle.
#   REPL=path/to/pmmha-replicator   default: the installed one
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib/testlib.sh"

REPL=${REPL:-/usr/libexec/pmmha/pmmha-replicator}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
W=$(mktemp -d /var/tmp/pmmha-inv.XXXXXX)
SOCKD=$W/sock
A=45101 # source
B=45102 # standby
WRITERS=()

cleanup() {
    local p
    for p in "${WRITERS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    for p in a b; do
        [[ -d $W/$p ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/$p" -m immediate stop >/dev/null 2>&1
    done
    rm -rf "$W"
}
trap cleanup EXIT

[[ -x $REPL ]] || { fail "inventory: no replicator at $REPL"; exit 1; }
[[ -x $PGBIN/initdb ]] || { fail "inventory: no PostgreSQL server (Debian package postgresql)"; exit 1; }

# psql as the superuser through the socket: sql PORT DB SQL...
sql() {
    local port=$1 db=$2
    shift 2
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$SOCKD" -p "$port" -U postgres -d "$db" "${@/#/-c}"
}

pg_up() {  # pg_up NAME PORT
    runuser -u postgres -- "$PGBIN/initdb" -D "$W/$1" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 --pwfile="$W/pw" -E UTF8 --locale=C.UTF-8 >/dev/null &&
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/$1" -l "$W/$1.log" -w -o \
            "-p $2 -k $SOCKD -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}

schema_pmm() {
    cat <<'EOF'
CREATE TABLE schema_migrations (id integer PRIMARY KEY);
INSERT INTO schema_migrations SELECT generate_series(1, 98);
CREATE TABLE settings (settings jsonb);
INSERT INTO settings VALUES ('{"gen":0,"telemetry":{"disabled":true}}');
CREATE TABLE nodes (node_id varchar PRIMARY KEY, node_type varchar NOT NULL,
  node_name varchar NOT NULL UNIQUE, address varchar NOT NULL DEFAULT '',
  custom_labels bytea, created_at timestamp NOT NULL DEFAULT now());
CREATE TABLE services (service_id varchar PRIMARY KEY, service_type varchar NOT NULL,
  service_name varchar NOT NULL UNIQUE, node_id varchar NOT NULL REFERENCES nodes,
  address varchar(255), port integer);
CREATE TABLE agents (agent_id varchar PRIMARY KEY, agent_type varchar NOT NULL,
  runs_on_node_id varchar REFERENCES nodes, pmm_agent_id varchar REFERENCES agents,
  service_id varchar REFERENCES services, status varchar NOT NULL DEFAULT 'UNKNOWN',
  password text);
CREATE TABLE events (id bigserial PRIMARY KEY, gen integer NOT NULL,
  node_id varchar REFERENCES nodes ON DELETE CASCADE, note text);
CREATE TABLE kubernetes_clusters (id serial PRIMARY KEY, name text UNIQUE, kubeconfig text,
  total int GENERATED ALWAYS AS (length(kubeconfig)) STORED);
EOF
}

schema_grafana() {
    cat <<'EOF'
CREATE TABLE migration_log (id serial PRIMARY KEY, migration_id varchar(255), sql text,
  success boolean, error text, "timestamp" timestamp);
INSERT INTO migration_log (migration_id, sql, success, error, "timestamp")
  SELECT 'migration ' || g, 'CREATE ...', true, '', now() FROM generate_series(1, 60) g;
CREATE TABLE "user" (id serial PRIMARY KEY, login varchar(190) UNIQUE, email varchar(190));
CREATE TABLE dashboard (id bigserial PRIMARY KEY, uid varchar(40), title varchar(189), data text);
CREATE TABLE dashboard_tag (id bigserial PRIMARY KEY, dashboard_id bigint, term varchar(50));
CREATE TABLE dashboard_version (id bigserial PRIMARY KEY, dashboard_id bigint, data text);
CREATE SEQUENCE unused_seq START 42;
EOF
}

data() {
    cat <<'EOF'
\c pmm-managed
INSERT INTO nodes (node_id, node_type, node_name, address) SELECT 'n' || g, 'generic', 'node-' || g, '10.0.0.' || g FROM generate_series(1, 300) g;
INSERT INTO services (service_id, service_type, service_name, node_id, port) SELECT 's' || g, 'mysql', 'svc-' || g, 'n' || g, 3306 FROM generate_series(1, 300) g;
INSERT INTO agents (agent_id, agent_type, runs_on_node_id, status) SELECT 'pa' || g, 'pmm-agent', 'n' || g, 'RUNNING' FROM generate_series(1, 300) g;
INSERT INTO agents (agent_id, agent_type, pmm_agent_id, service_id, password) SELECT 'ex' || g, 'mysqld_exporter', 'pa' || g, 's' || g, 'secret-' || g FROM generate_series(1, 300) g;
INSERT INTO events (gen, node_id, note) SELECT 0, 'n' || (g % 300 + 1), E'tab\tbackslash \\ newline\nend' FROM generate_series(1, 300) g;
INSERT INTO kubernetes_clusters (name, kubeconfig) SELECT 'k' || g, repeat('x', g) FROM generate_series(1, 20) g;
\c grafana
INSERT INTO "user" (login, email) SELECT 'u' || g, 'u' || g || '@x' FROM generate_series(1, 50) g;
INSERT INTO dashboard (uid, title, data) SELECT md5(g::text), 'Dash ' || g, repeat('{"p":1}', 100) FROM generate_series(1, 200) g;
INSERT INTO dashboard_tag (dashboard_id, term) SELECT g % 200 + 1, 'tag' || g FROM generate_series(1, 400) g;
EOF
}

# Both servers: the same roles and schema; rows on the source only. The
# replication role reads everything (pg_read_all_data) and owns the tables
# through membership, on both nodes alike (they swap at a failover).
setup() {
    local p
    for p in $A $B; do
        sql $p postgres "CREATE ROLE \"pmm-managed\" LOGIN" "CREATE ROLE grafana LOGIN" \
            "CREATE ROLE pmmha LOGIN PASSWORD 'replpw' IN ROLE pg_read_all_data, \"pmm-managed\", grafana" \
            "CREATE DATABASE \"pmm-managed\" OWNER \"pmm-managed\"" "CREATE DATABASE grafana OWNER grafana" &&
            schema_pmm | psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKD" -p $p -U pmm-managed -d pmm-managed &&
            schema_grafana | psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKD" -p $p -U grafana -d grafana || return 1
    done
    data | psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKD" -p $A -U postgres -d postgres >/dev/null &&
        sql $B pmm-managed "INSERT INTO nodes (node_id, node_type, node_name) VALUES ('stale', 'x', 'stale')"
}

# One line per table (rows, md5 of the rows in order) and per sequence:
# digest PORT [DB]
digest() {
    local db
    for db in ${2:-pmm-managed grafana}; do
        sql "$1" "$db" "SELECT string_agg(x, E'\n' ORDER BY x) FROM (
          SELECT current_database() || ' ' || c.relname || ' ' ||
            (xpath('/row/m/text()', query_to_xml(format('SELECT count(*) || '' '' || md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) AS m FROM %I t', c.relname), false, true, '')))[1]::text AS x
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r'
          UNION ALL
          SELECT current_database() || ' seq ' || c.relname || ' ' ||
            (xpath('/row/v/text()', query_to_xml(format('SELECT last_value || '' '' || is_called AS v FROM %I', c.relname), false, true, '')))[1]::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'S') q"
    done
}

# What every consistent snapshot of the writers' work satisfies: settings
# and events, nodes and services written in the same transactions agree
consistent() {
    local a b
    a=$(sql "$1" pmm-managed "SELECT (SELECT (settings->>'gen')::int FROM settings) = coalesce((SELECT max(gen) FROM events), 0)
        AND (SELECT string_agg(substr(node_id, 2), ',' ORDER BY node_id) FROM nodes WHERE node_id LIKE 'w%')
            IS NOT DISTINCT FROM (SELECT string_agg(substr(service_id, 3), ',' ORDER BY service_id) FROM services WHERE service_id LIKE 'ws%')
        AND (SELECT last_value FROM events_id_seq) >= (SELECT max(id) FROM events)")
    b=$(sql "$1" grafana "SELECT (SELECT coalesce(sum(id), 0) FROM dashboard WHERE title = 'w')
        = (SELECT coalesce(sum(dashboard_id), 0) FROM dashboard_tag WHERE term = 'w')
        AND (SELECT last_value FROM dashboard_id_seq) >= (SELECT max(id) FROM dashboard)")
    [[ $a == t && $b == t ]]
}

# run [ARGS...]: one --once cycle of the inventory stream; sets RC, OUT, ERR, MS
run() {
    local t0
    t0=$(date +%s%N)
    OUT=$("$REPL" --state-dir "$W/state" --once --streams inventory --source-pg 127.0.0.1:$A \
        --target-pg 127.0.0.1:$B --pg-auth-file "$W/auth" "$@" 2>"$W/err")
    RC=$?
    MS=$((($(date +%s%N) - t0) / 1000000))
    ERR=$(grep -v qblog "$W/err")
}

writers() {  # writers SECONDS: inserts, updates and deletes at 50/s on each database
    cat >"$W/w-pmm.sql" <<'EOF'
BEGIN;
UPDATE settings SET settings = jsonb_set(settings, '{gen}', to_jsonb((settings->>'gen')::int + 1)) RETURNING (settings->>'gen')::int AS g \gset
INSERT INTO events (gen, node_id, note) VALUES (:g, 'n1', 'w');
DELETE FROM events WHERE id = (SELECT min(id) FROM events);
INSERT INTO nodes (node_id, node_type, node_name) VALUES ('w' || :g, 'generic', 'w-' || :g);
INSERT INTO services (service_id, service_type, service_name, node_id) VALUES ('ws' || :g, 'mysql', 'ws-' || :g, 'w' || :g);
INSERT INTO agents (agent_id, agent_type, service_id, pmm_agent_id) VALUES ('wa' || :g, 'mysqld_exporter', 'ws' || :g, 'pa1');
DELETE FROM agents WHERE agent_id = 'wa' || (:g - 10);
DELETE FROM services WHERE service_id = 'ws' || (:g - 10);
DELETE FROM nodes WHERE node_id = 'w' || (:g - 10);
UPDATE nodes SET address = :g WHERE node_id = 'n' || (:g % 300 + 1);
COMMIT;
EOF
    cat >"$W/w-grafana.sql" <<'EOF'
BEGIN;
INSERT INTO dashboard (uid, title, data) VALUES (md5(random()::text), 'w', repeat('x', 500)) RETURNING id AS d \gset
INSERT INTO dashboard_tag (dashboard_id, term) VALUES (:d, 'w');
DELETE FROM dashboard_tag WHERE dashboard_id = :d - 20;
DELETE FROM dashboard WHERE id = :d - 20;
UPDATE "user" SET email = :d WHERE id = :d % 50 + 1;
COMMIT;
EOF
    "$PGBIN/pgbench" -n -h "$SOCKD" -p $A -U postgres -f "$W/w-pmm.sql" -T "$1" -R 50 pmm-managed >"$W/w1.log" 2>&1 &
    WRITERS+=($!)
    "$PGBIN/pgbench" -n -h "$SOCKD" -p $A -U postgres -f "$W/w-grafana.sql" -T "$1" -R 50 grafana >"$W/w2.log" 2>&1 &
    WRITERS+=($!)
}

mkdir -p "$SOCKD" && echo superpw >"$W/pw" && chown -R postgres: "$W" &&
    printf 'pmmha:replpw\n' >"$W/auth" && printf 'pmmha:wrong\n' >"$W/badauth" &&
    chmod 600 "$W/auth" "$W/badauth"
if pg_up a $A && pg_up b $B && setup; then
    pass "inventory: two PostgreSQL servers ($("$PGBIN/postgres" --version | awk '{print $3}')), PMM-shaped databases"
else
    fail "inventory: PostgreSQL set-up (see $W/*.log)"
    exit 1
fi

# ---- initial sync, updates and deletes ----
rows=$(digest $A | awk '$2 != "seq" {s += $3} END {print s}')
run
if [[ $RC == 0 && $(digest $B) == "$(digest $A)" ]]; then
    pass "inventory: initial sync, $rows rows in 2 databases identical with their sequences ($MS ms)"
else
    fail "inventory: initial sync: exit $RC, $ERR"
fi
sql $A pmm-managed "UPDATE nodes SET address = 'moved' WHERE node_id = 'n7'" \
    "DELETE FROM agents WHERE agent_id IN ('ex9', 'pa9')" "DELETE FROM services WHERE node_id = 'n9'" \
    "DELETE FROM nodes WHERE node_id = 'n9'" "UPDATE settings SET settings = settings || '{\"x\":1}'"
sql $A grafana "DELETE FROM dashboard WHERE id % 10 = 0" "SELECT nextval('unused_seq')" >/dev/null
run
if [[ $RC == 0 && $(digest $B) == "$(digest $A)" ]]; then
    pass "inventory: updates, deletes and a first nextval propagated ($MS ms)"
else
    fail "inventory: updates and deletes: exit $RC, $ERR"
fi
grep -q replpw "$W/state/status" "$W/err" && fail "inventory: the password is in the status file or the log"

# ---- continuous writes: every cycle a consistent snapshot ----
writers 40
sleep 1
good=0 times=()
for i in $(seq 1 12); do
    run
    [[ $RC == 0 ]] && consistent $B && good=$((good + 1))
    times+=("$MS")
done
wait "${WRITERS[@]}" 2>/dev/null
WRITERS=()
tx=$(cat "$W/w1.log" "$W/w2.log" | awk '/actually processed/ {s += $NF} END {print s}')
run
if [[ $good == 12 && $RC == 0 && $(digest $B) == "$(digest $A)" ]]; then
    pass "inventory: 12 cycles under $tx writing transactions each left a consistent snapshot (ms: ${times[*]}); identical once the writers stopped"
else
    fail "inventory: under writes only $good of 12 cycles consistent (last exit $RC: $ERR)"
fi

# ---- SIGKILL at random points: each database unchanged or complete ----
sql $A grafana "INSERT INTO dashboard_version (dashboard_id, data) SELECT g % 200, repeat(md5(g::text), 32) FROM generate_series(1, 10000) g"
run
full=$MS
digest $A >"$W/src"
kept=0 whole=0 torn=0
for i in $(seq 1 12); do
    sql $B pmm-managed "UPDATE settings SET settings = '{\"gen\": -$i}'"
    sql $B grafana "DELETE FROM dashboard_version WHERE id % 7 = $((i % 7))"
    digest $B >"$W/old"
    "$REPL" --state-dir "$W/state" --once --streams inventory --source-pg 127.0.0.1:$A \
        --target-pg 127.0.0.1:$B --pg-auth-file "$W/auth" >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v m=$((full * (10 + RANDOM % 90) / 100)) 'BEGIN {printf "%.3f", m / 1000}')"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    digest $B >"$W/new"
    for db in pmm-managed grafana; do
        if cmp -s <(grep "^$db " "$W/new") <(grep "^$db " "$W/old"); then kept=$((kept + 1))
        elif cmp -s <(grep "^$db " "$W/new") <(grep "^$db " "$W/src"); then whole=$((whole + 1))
        else torn=$((torn + 1)); fi
    done
done
if [[ $torn == 0 ]]; then
    pass "inventory: SIGKILL at 12 random points of a $full ms cycle: each database as it was ($kept) or complete ($whole), never torn"
else
    fail "inventory: SIGKILL left $torn databases torn"
fi
run
[[ $RC == 0 && $(digest $B) == "$(digest $A)" ]] || fail "inventory: no clean cycle after the kills: $ERR"

# ---- refusals: nothing written ----
refused() {  # refused NAME PATTERN [ARGS...]: exit 4, the message, the standby unchanged
    local name=$1 pat=$2 before
    shift 2
    before=$(digest $B)
    run "$@"
    if [[ $RC == 4 && $ERR == *$pat* && $(digest $B) == "$before" ]] &&
        grep -q '^inventory.refused=1' "$W/state/status"; then
        pass "inventory: $name refused (exit 4, nothing written): ${ERR#*inventory: }"
    else
        fail "inventory: $name: exit $RC, $ERR"
    fi
}
sql $A pmm-managed "UPDATE nodes SET address = 'after' WHERE node_id = 'n8'" # a change left uncopied
sql $A pmm-managed "INSERT INTO schema_migrations VALUES (99)"
refused "an extra migration on the source" "schema_migrations differs"
sql $A pmm-managed "DELETE FROM schema_migrations WHERE id = 99"
sql $B pmm-managed "ALTER TABLE services ADD COLUMN extra int"
refused "a column added on the standby" "column 7 is \"(none)\" on the source"
sql $B pmm-managed "ALTER TABLE services DROP COLUMN extra"
sql $B grafana "INSERT INTO migration_log (migration_id) VALUES ('new one')"
refused "a Grafana migration on the standby only" "migration_log differs"
sql $B grafana "DELETE FROM migration_log WHERE migration_id = 'new one'"
sql $A postgres "REVOKE pg_read_all_data, \"pmm-managed\" FROM pmmha"
refused "a source role without pg_read_all_data" "GRANT pg_read_all_data"
sql $A postgres "GRANT pg_read_all_data, \"pmm-managed\" TO pmmha"
sql $B postgres "REVOKE grafana FROM pmmha"
refused "a standby role that does not own the tables" "GRANT INSERT, TRUNCATE"
sql $B postgres "GRANT grafana TO pmmha"
refused "a wrong password" "the source refused the credentials in --pg-auth-file" --pg-auth-file "$W/badauth"
grep -q wrong "$W/err" "$W/state/status" && fail "inventory: the wrong password is in the log or the status file"

# TLS on the source: verified with --tls-ca, pinned with --tls-fingerprint
pin() { echo "sha256//$(openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"; }
for n in srv other; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/$n.key" -out "$W/$n.crt" -days 2 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
done
chown postgres "$W/srv.key" && chmod 600 "$W/srv.key"
sql $A postgres "ALTER SYSTEM SET ssl = on" "ALTER SYSTEM SET ssl_cert_file = '$W/srv.crt'" \
    "ALTER SYSTEM SET ssl_key_file = '$W/srv.key'" "SELECT pg_reload_conf()" >/dev/null
sleep 1
run --tls-ca "$W/srv.crt"
r1=$RC
run --tls-fingerprint "$(pin "$W/srv.crt")"
if [[ $r1 == 0 && $RC == 0 ]]; then
    pass "inventory: TLS to the source verified with --tls-ca and pinned with --tls-fingerprint"
else
    fail "inventory: TLS: exit $r1 and $RC, $ERR"
fi
refused "another CA" "certificate verify failed" --tls-ca "$W/other.crt"
refused "another key's pin" "does not match --tls-fingerprint" --tls-fingerprint "$(pin "$W/other.crt")"

run --source-pg 127.0.0.1:45109
if [[ $RC == 1 && $ERR == *"cannot reach the source"* ]] && grep -q '^inventory.refused=0' "$W/state/status"; then
    pass "inventory: a source that is down is a failure to retry (exit 1): ${ERR#*inventory: }"
else
    fail "inventory: source down: exit $RC, $ERR"
fi
run
if [[ $RC == 0 && $(digest $B) == "$(digest $A)" ]]; then
    pass "inventory: back in sync once the operator fixed things ($MS ms)"
else
    fail "inventory: after the refusals: exit $RC, $ERR"
fi

# ---- tables that reference each other ----
# (a database without schema_migrations is refused as not a PMM's)
for p in $A $B; do
    sql $p postgres "CREATE DATABASE cyc OWNER \"pmm-managed\""
    sql $p cyc "SET ROLE \"pmm-managed\"" "CREATE TABLE a (id int PRIMARY KEY, b_id int)" \
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a)" \
        "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b" \
        "CREATE TABLE schema_migrations (id integer PRIMARY KEY)" # a PMM's
done
sql $A cyc "INSERT INTO a SELECT g FROM generate_series(1, 100) g" \
    "INSERT INTO b SELECT g, g FROM generate_series(1, 100) g" "UPDATE a SET b_id = id"
refused "a foreign-key cycle without the right to turn checks off" "session_replication_role" --pg-databases cyc
sql $B postgres "GRANT SET ON PARAMETER session_replication_role TO pmmha"
run --pg-databases cyc
if [[ $RC == 0 && $(digest $B cyc) == "$(digest $A cyc)" ]]; then
    pass "inventory: a foreign-key cycle loaded with session_replication_role = replica"
else
    fail "inventory: a foreign-key cycle: exit $RC, $ERR"
fi
sql $B postgres "REVOKE SET ON PARAMETER session_replication_role FROM pmmha"
for p in $A $B; do
    sql $p cyc "ALTER TABLE a ALTER CONSTRAINT a_b_id_fkey DEFERRABLE" "ALTER TABLE b ALTER CONSTRAINT b_a_id_fkey DEFERRABLE"
done
sql $B cyc "TRUNCATE a, b"
run --pg-databases cyc
if [[ $RC == 0 && $OUT == "inventory in-sync "* && $(digest $B cyc) == "$(digest $A cyc)" ]]; then
    pass "inventory: a foreign-key cycle of DEFERRABLE keys loaded with the checks deferred"
else
    fail "inventory: deferrable cycle: exit $RC, $OUT $ERR"
fi
