# SPDX-License-Identifier: GPL-2.0-or-later
# testlib.sh - sourced by the integration tests: counting checks, running an
# agent and asserting its OCF code and exit reason.
#
# Each check prints "PASS name" or "FAIL name: detail" and appends the same
# line to $PMMHA_RESULTS, which tests/run totals at the end.

: "${PMMHA_RESULTS:=/tmp/pmmha-results.$$}"
: "${OCF_ROOT:=/usr/lib/ocf}"
export OCF_ROOT
AGENT_DIR=${AGENT_DIR:-$OCF_ROOT/resource.d/pmmha}

pass() { echo "PASS $*"; echo "PASS $*" >>"$PMMHA_RESULTS"; }
fail() { echo "FAIL $*"; echo "FAIL $*" >>"$PMMHA_RESULTS"; }
note() { printf '    %s\n' "$*"; }

# ra AGENT ACTION [KEY=VALUE...]: runs an agent the way pacemaker-execd does
# (clean environment, OCF_RESKEY_*); sets RC, ERR (stderr), OUT, REASON.
ra() {
    local agent=$1 action=$2 kv envv=() errf
    shift 2
    for kv in "$@"; do
        case $kv in
            OCF_*|HA_*|CONTAINERS_*|DOCKER_*) envv+=("$kv") ;;
            *) envv+=("OCF_RESKEY_$kv") ;;
        esac
    done
    errf=$(mktemp)
    OUT=$(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LC_ALL=C OCF_ROOT="$OCF_ROOT" OCF_RESOURCE_INSTANCE="${INSTANCE:-pmm}" \
        OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=1 \
        "${envv[@]}" "$AGENT_DIR/$agent" "$action" 2>"$errf")
    RC=$?
    ERR=$(cat "$errf")
    rm -f "$errf"
    REASON=$(grep '^ocf-exit-reason:' <<<"$ERR" | tail -n 1 | sed 's/^ocf-exit-reason://')
    return 0
}

# Pacemaker keeps this many characters of an exit reason (RA_REASON_KEPT)
REASON_KEPT=128

# expect NAME RC REASON-SUBSTRING: checks the last ra call. A reason longer
# than Pacemaker keeps fails the check too (crm_mon would show it cut).
expect() {
    local name=$1 rc=$2 want=$3 last
    last=$(tail -n 1 <<<"$ERR")
    if [[ $RC != "$rc" ]]; then
        fail "$name: rc $RC, expected $rc (reason: ${REASON:-none})"
    elif ((${#REASON} > REASON_KEPT)); then
        fail "$name: the reason has ${#REASON} characters, Pacemaker keeps $REASON_KEPT: '$REASON'"
    elif [[ -n $want && $REASON != *"$want"* ]]; then
        fail "$name: reason '$REASON' lacks '$want'"
    elif [[ -n $want && $last != ocf-exit-reason:* ]]; then
        fail "$name: the exit reason is not the last line of stderr"
    else
        pass "$name (rc $RC${REASON:+: $REASON})"
    fi
}

# elapsed_ms CMD...: runs CMD, prints how long it took in ms on fd 3.
now_ms() { date +%s%3N; }

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
    local t=$1 end
    shift
    end=$(($(now_ms) + t * 1000))
    until "$@" >/dev/null 2>&1; do
        (($(now_ms) > end)) && return 1
        sleep 0.1
    done
}
