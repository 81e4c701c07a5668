# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shape.sh - the PMM-shaped stand-in (tests/pmm-shape) for the tests: build
# or reuse its image, two network namespaces joined by a veth as two nodes,
# instances in them, and what the tests ask of them. Sourced after
# testlib.sh and podman-env.sh (call podman_env_setup first).
#
#   SHAPE_DIR                  set by the caller; per instance $SHAPE_DIR/NAME/{srv,creds}
#   SHAPE_PG_USER/SHAPE_PG_PW  the PostgreSQL role opened to the peer
#   SHAPE_CH_USER/SHAPE_CH_PW  the ClickHouse user opened to the peer
#   SHAPE_ADMIN_PW             PMM's admin (nginx basic auth on /prometheus/)
#   SHAPE_WARMUP, SHAPE_SERIES, SHAPE_INV_INTERVAL, SHAPE_QAN_INTERVAL:
#                              defaults for shape_run's PMM_SHAPE_* knobs
#   SHAPE_NS                   prefix of the namespaces, veths and containers
#                              (default pmmsh: pmmshA, pmmshB, pmmsh*); another
#                              prefix (not starting with pmmsh) and SHAPE_REPO
#                              let two test runs share the machine
#   SHAPE_REPO                 the image's repository (default
#                              localhost/pmmha-shape)
#
#   shape_build 2|3            build or reuse localhost/pmmha-shape:2.42.0|3.0.0
#   shape_net_up / shape_down  namespaces ${SHAPE_NS}A (10.78.0.1) and
#                              ${SHAPE_NS}B (10.78.0.2) with the veth
#                              ${SHAPE_NS}A0-${SHAPE_NS}B0 / containers
#                              ${SHAPE_NS}* and the namespaces removed
#   shape_run NAME NETNS 2|3 [standby] [podman-run args...]
#   shape_wait_ready NAME SECS readyz 200 (a standby: its stores answer)
#   shape_psql NAME DB SQL     psql -At output (as postgres, inside)
#   shape_ch NAME SQL          clickhouse-client output (TSV, inside)
#   shape_sample_counts END    a command for sh -c inside: samples per series
#   shape_samples_between FIRST_MS LAST_MS
#                              a command for sh -c inside: "DISTINCT ALL",
#                              the samples of pmm_shape_sample in [FIRST_MS,
#                              LAST_MS] (series and timestamp) and all that
#                              the export returned (ALL > DISTINCT: twice)
#   shape_qan_count WRITER     a command for sh -c inside: QAN rows written by
#                              the writer WRITER (writer.json's "writer")
#   shape_writer FILE KEY      a value of a writer.json (KEY: metrics.samples)
#   shape_curl NAME ARGS...    curl run in NAME's network namespace
#   shape_link_cut / shape_link_restore   the veth down / up

SHAPE_TOP=${SHAPE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SHAPE_PG_USER=pmmha
SHAPE_CH_USER=pmmha
# fresh per test run, distinctive enough to be grepped for in logs
SHAPE_PG_PW=pg$(openssl rand -hex 10)
SHAPE_CH_PW=ch$(openssl rand -hex 10)
SHAPE_ADMIN_PW=adm$(openssl rand -hex 10)
SHAPE_NET=10.78.0.0/24
SHAPE_STOP_TIMEOUT=90
SHAPE_NS=${SHAPE_NS:-pmmsh}
SHAPE_REPO=${SHAPE_REPO:-localhost/pmmha-shape}

_shape_log() { printf '[shape] %s\n' "$*" >&2; }

_shape_image() { # VARIANT -> reference
    case $1 in
        2) echo "$SHAPE_REPO:2.42.0" ;;
        3) echo "$SHAPE_REPO:3.0.0" ;;
        *) return 1 ;;
    esac
}

# shape_build 2|3: build the image, or reuse it when its key (a hash of
# tests/pmm-shape's files) matches; the Debian base is cached under
# /var/tmp/pmmha-shape (SHAPE_CACHE), so a payload change costs seconds.
shape_build() {
    local v=${1:?usage: shape_build 2|3}
    _shape_image "$v" >/dev/null || { _shape_log "variant $v: 2 or 3"; return 1; }
    PMM_SHAPE_REPO=$SHAPE_REPO "$SHAPE_TOP/tests/pmm-shape/build.sh" "$v" >/dev/null
}

shape_net_up() {
    local ns ip a=${SHAPE_NS}A b=${SHAPE_NS}B
    for ns in "$a" "$b"; do
        ip netns list | grep -qw "^$ns" || ip netns add "$ns" || return 1
        ip -n "$ns" link set lo up || return 1
    done
    if ! ip -n "$a" link show "${a}0" >/dev/null 2>&1; then
        ip -n "$b" link del "${b}0" 2>/dev/null
        ip link add "${a}0" netns "$a" type veth peer name "${b}0" netns "$b" || return 1
    fi
    for ns in A B; do
        ip=10.78.0.1
        [[ $ns == B ]] && ip=10.78.0.2
        ip -n "$SHAPE_NS$ns" addr replace "$ip/24" dev "$SHAPE_NS${ns}0" || return 1
        ip -n "$SHAPE_NS$ns" link set "$SHAPE_NS${ns}0" up || return 1
    done
}

_shape_netns() { cat "$SHAPE_DIR/$1/netns" 2>/dev/null; }
_shape_variant() { cat "$SHAPE_DIR/$1/variant" 2>/dev/null; }

# shape_down: every ${SHAPE_NS}* container stopped gracefully and removed,
# the namespaces deleted (the veth goes with them)
shape_down() {
    local c
    for c in $(podman ps -a --format '{{.Names}}' 2>/dev/null | grep "^$SHAPE_NS"); do
        podman stop -t "$SHAPE_STOP_TIMEOUT" "$c" >/dev/null 2>&1
        podman rm -f "$c" >/dev/null 2>&1
    done
    for c in "${SHAPE_NS}A" "${SHAPE_NS}B"; do
        ip netns list | grep -qw "^$c" && ip netns del "$c"
    done
    return 0
}

# _shape_creds DIR: the instance's credentials files (0600), mounted
# read-only at /etc/pmm-shape/creds; vm-auth is the replicator's
_shape_creds() {
    local d=$1
    mkdir -p "$d" && chmod 700 "$d" || return 1
    (
        umask 077
        printf '%s\n' "$SHAPE_ADMIN_PW" >"$d/admin-password"
        printf 'admin:%s\n' "$SHAPE_ADMIN_PW" >"$d/vm-auth"
        printf '%s:%s\n' "$SHAPE_PG_USER" "$SHAPE_PG_PW" >"$d/pg-auth"
        printf '%s:%s\n' "$SHAPE_CH_USER" "$SHAPE_CH_PW" >"$d/ch-auth"
    )
}

# shape_run NAME NETNS 2|3 [standby] [podman-run args...]: a fresh
# container NAME in NETNS's network (its /srv kept in $SHAPE_DIR/NAME/srv),
# the stores opened to 10.78.0.0/24. A standby (stores up, pmm-managed
# stopped, nothing scraping, VictoriaMetrics deduplicating) is waited for
# until its stores answer; a full one returns at once (shape_wait_ready).
shape_run() {
    local name=$1 ns=$2 v=$3 image standby=0 d
    shift 3
    [[ ${1:-} == standby ]] && { standby=1; shift; }
    image=$(_shape_image "$v") || { _shape_log "variant $v: 2 or 3"; return 1; }
    [[ -n ${SHAPE_DIR:-} ]] || { _shape_log "SHAPE_DIR is not set"; return 1; }
    d=$SHAPE_DIR/$name
    mkdir -p "$d/srv" || return 1
    _shape_creds "$d/creds" || return 1
    echo "$ns" >"$d/netns"
    echo "$v" >"$d/variant"
    echo "$standby" >"$d/standby"
    podman rm -f "$name" >/dev/null 2>&1
    podman run -d --name "$name" --hostname "$name" --network "ns:/run/netns/$ns" \
        --stop-timeout "$SHAPE_STOP_TIMEOUT" \
        -v "$d/srv:/srv" -v "$d/creds:/etc/pmm-shape/creds:ro" \
        -e PMM_SHAPE_PEER_NET="$SHAPE_NET" -e PMM_SHAPE_STANDBY="$standby" \
        -e PMM_SHAPE_WARMUP="${SHAPE_WARMUP:-30}" -e PMM_SHAPE_SERIES="${SHAPE_SERIES:-100}" \
        -e PMM_SHAPE_INV_INTERVAL="${SHAPE_INV_INTERVAL:-5}" \
        -e PMM_SHAPE_QAN_INTERVAL="${SHAPE_QAN_INTERVAL:-10}" \
        "$@" "$image" >/dev/null || { _shape_log "podman run $name failed"; return 1; }
    [[ $standby == 0 ]] || shape_wait_ready "$name" 120
}

# shape_readyz NAME: the HTTP status of PMM's readyz (PMM 3's path and port
# for a variant 3), asked from NAME's namespace
shape_readyz() {
    local url=http://127.0.0.1/v1/readyz
    [[ $(_shape_variant "$1") == 3 ]] && url=http://127.0.0.1:8080/v1/server/readyz
    ip netns exec "$(_shape_netns "$1")" curl -s -o /dev/null -m 3 -w '%{http_code}' "$url"
}

_shape_stores_ready() { podman exec "$1" test -f /run/pmm-shape/stores-ready 2>/dev/null; }
_shape_ready() {
    if [[ $(cat "$SHAPE_DIR/$1/standby" 2>/dev/null) == 1 ]]; then
        _shape_stores_ready "$1"
    else
        [[ $(shape_readyz "$1") == 200 ]]
    fi
}

# shape_wait_ready NAME SECS: readyz 200 (a standby: stores up and set up)
shape_wait_ready() {
    local name=$1 secs=${2:-120} end
    end=$((SECONDS + secs))
    until _shape_ready "$name"; do
        if ((SECONDS >= end)); then
            _shape_log "$name not ready in ${secs}s; its log:"
            podman logs --tail 15 "$name" >&2 2>&1
            return 1
        fi
        if [[ $(podman inspect --format '{{.State.Running}}' "$name" 2>/dev/null) != true ]]; then
            _shape_log "$name is not running; its log:"
            podman logs --tail 15 "$name" >&2 2>&1
            return 1
        fi
        sleep 0.5
    done
}

# shape_sample_counts END: run inside a stand-in (podman exec NAME sh -c
# "$(shape_sample_counts END)"): "series samples" of every pmm_shape_sample
# series up to END (unix s), distinct timestamps only (a re-imported
# overlap is one sample), sorted
shape_sample_counts() {
    cat <<EOS
curl -sS --fail -m 60 -G http://127.0.0.1:9090/prometheus/api/v1/export \
    --data-urlencode 'match[]={__name__="pmm_shape_sample"}' -d start=0 -d end=$1 |
    python3 -c '
import sys, json
for l in sys.stdin:
    if l.strip():
        j = json.loads(l)
        print(j["metric"].get("series", "?"), len(set(j["timestamps"])))
' | sort
EOS
}

# shape_samples_between FIRST_MS LAST_MS: run inside a stand-in: "DISTINCT
# ALL" samples (series, timestamp) of pmm_shape_sample in the range
shape_samples_between() {
    cat <<EOS
curl -sS --fail -m 60 -G http://127.0.0.1:9090/prometheus/api/v1/export \
    --data-urlencode 'match[]={__name__="pmm_shape_sample"}' -d start=$(($1 / 1000)) -d end=$(($2 / 1000 + 1)) |
    python3 -c '
import sys, json
n = a = 0
for l in sys.stdin:
    if l.strip():
        t = [t for t in json.loads(l)["timestamps"] if $1 <= t <= $2]
        n, a = n + len(set(t)), a + len(t)
print(n, a)
'
EOS
}

# shape_qan_count WRITER: run inside a stand-in: the QAN rows WRITER wrote
shape_qan_count() {
    [[ $1 =~ ^[A-Za-z0-9.-]+$ ]] || return 1
    echo "clickhouse-client -q \"SELECT count() FROM pmm.metrics WHERE agent_id = '/agent_id/shape-qan-$1'\""
}

# shape_writer FILE KEY: KEY (dotted: metrics.samples) of a writer.json
shape_writer() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[k]
print(d)' "$1" "$2"
}

shape_psql() { # NAME DB SQL
    podman exec "$1" psql -X -At -v ON_ERROR_STOP=1 -h /run/postgresql -U postgres -d "$2" -c "$3"
}

shape_ch() { # NAME SQL
    podman exec "$1" clickhouse-client --host 127.0.0.1 --port 9000 --query "$2"
}

shape_curl() { # NAME CURL-ARGS...
    local ns
    ns=$(_shape_netns "$1") || return 1
    shift
    ip netns exec "$ns" curl "$@"
}

# The link between the two nodes cut as a cable is: A's end down, B's end
# without carrier, packets lost rather than refused.
shape_link_cut() { ip -n "${SHAPE_NS}A" link set "${SHAPE_NS}A0" down; }
shape_link_restore() {
    ip -n "${SHAPE_NS}A" link set "${SHAPE_NS}A0" up &&
        ip -n "${SHAPE_NS}A" addr replace 10.78.0.1/24 dev "${SHAPE_NS}A0"
}
