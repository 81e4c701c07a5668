#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 70-cluster.sh - ocf:pmmha:pmm-server in a real 2-node Corosync/Pacemaker
# cluster on this machine (tests/cluster/cluster), stonith enabled:
#   - fence_pmmns configured through pcs, the pmm-server resource and a
#     virtual IP (ocf:heartbeat:IPaddr2) created through pcs in one group;
#   - readyz answers 200 through the virtual IP, probed from the hub (outside
#     every node);
#   - pcs node standby of the active node: the group moves, readyz 200 from
#     the new node; unstandby: the group stays (resource-stickiness=1);
#   - crash of the active node: it is fenced (stonith history), the group
#     comes up on the survivor, readyz 200; the crashed node boots again;
#   - cluster down leaves nothing behind.
# Prints the timings. Uses the harness's default cluster (PMM_BASE
# /var/tmp/pmmha-cluster, nodes pmm1 pmm2, 10.213.0.0/24): a cluster already
# running there is replaced.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib/testlib.sh"
. "$TOP/tests/lib/podman-env.sh"

C=$TOP/tests/cluster/cluster
IMG=docker.io/percona/pmm-server:2.42.0
VIP=10.213.0.100
GROUP=pmm-group
WORK=$(mktemp -d /var/tmp/pmmha-it70.XXXXXX)
SRV=$WORK/srv # the data volume: a host directory both nodes see
mkdir -p "$SRV"
printf 'STUB_READY_DELAY=0\n' >"$WORK/pmm.env"
unset PMM_BASE PMM_PREFIX PMM_NET

cleanup() {
    "$C" down >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

X() { "$C" exec "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN{printf "%.2f", b-a}'; }
older_than() { awk -v a="$1" -v b="$(now)" -v m="$2" 'BEGIN{exit !(b-a>m)}'; }
# where resource R runs, as node V sees it ("" if nowhere)
loc() { { X "$1" crm_resource --locate -r "$2" 2>/dev/null || true; } | awk '/is running on:/{print $6}' | sort | tr '\n' ' ' | sed 's/ $//'; }
other() { if [[ $1 == pmm1 ]]; then echo pmm2; else echo pmm1; fi; }
# poll CMD... every 0.1 s for up to T seconds
wait_for() {
    local t0 to=$1
    shift
    t0=$(now)
    until "$@" >/dev/null 2>&1; do
        older_than "$t0" "$to" && return 1
        sleep 0.1
    done
}
# readyz through the virtual IP, from the hub: "<code> <uptime of the
# answering PMM stand-in>" (000 when nothing answers)
probe() {
    local out code up
    out=$("$C" hub curl -s -m 1 -w '\n%{http_code}\n' "http://$VIP:80/v1/readyz" "http://$VIP:80/v1/version" 2>/dev/null)
    code=$(grep -m1 -xE '[0-9]{3}' <<<"$out")
    up=$(grep -o '"uptime":[0-9.]*' <<<"$out" | cut -d: -f2)
    echo "${code:-000} ${up:-999999}"
}
# wait_new_200 T0 TIMEOUT: until readyz is 200 through the VIP from a PMM
# started after T0; prints the seconds since T0
wait_new_200() {
    local t0=$1 to=$2 code up
    while :; do
        read -r code up < <(probe)
        if [[ $code == 200 ]] && awk -v u="$up" -v a="$t0" -v b="$(now)" 'BEGIN{exit !(u < b-a)}'; then
            since "$t0"
            return 0
        fi
        older_than "$t0" "$to" && return 1
        sleep 0.05
    done
}
diag() {
    local n
    for n in pmm1 pmm2; do
        X "$n" crm_mon -1 -A 2>&1 | sed "s/^/    [$n] /"
        X "$n" sh -c 'tail -n 15 /var/log/pacemaker/pacemaker.log' 2>/dev/null | sed "s/^/    [$n log] /"
    done
    "$C" status 2>&1 | sed 's/^/    /'
}
die() {
    fail "$*"
    diag
    exit 1
}

# ---- prerequisites ----------------------------------------------------------
[[ $EUID -eq 0 ]] || die "cluster: needs root"
for c in corosync pacemakerd pcs crm_mon stonith_admin podman runc curl ip unshare nsenter losetup; do
    command -v "$c" >/dev/null || die "cluster: missing $c"
done
[[ -x $AGENT_DIR/pmm-server ]] || die "cluster: $AGENT_DIR/pmm-server not installed"
[[ -x $OCF_ROOT/resource.d/heartbeat/IPaddr2 ]] || die "cluster: ocf:heartbeat:IPaddr2 missing (resource-agents)"
podman_env_setup || die "cluster: podman set-up"
"$TOP/tests/stub/build-images" >"$WORK/build-images.log" 2>&1 || {
    cat "$WORK/build-images.log"
    die "cluster: stand-in images"
}

# ---- the cluster ------------------------------------------------------------
t=$(now)
if "$C" up 2 >"$WORK/up.log" 2>&1; then
    pass "cluster up 2: both nodes Online with a DC in $(since "$t") s"
    UP_T=$(cat /var/tmp/pmmha-cluster/state/up.timings 2>/dev/null)
    note "up: $UP_T"
else
    cat "$WORK/up.log"
    die "cluster up 2"
fi
eval "$("$C" env)"
[[ $PMM_NODES == "pmm1 pmm2" && -b $PMM_DISK ]] &&
    pass "cluster env: nodes $PMM_NODES, hub $PMM_HUB_IP, shared disk $PMM_DISK" ||
    fail "cluster env: nodes '$PMM_NODES', disk '$PMM_DISK'"

ok=1
for n in pmm1 pmm2; do
    [[ $(X "$n" curl -s -m 5 --unix-socket /run/podman/podman.sock http://d/_ping) == OK ]] || { ok=0; note "$n: no podman API"; }
    X "$n" podman image exists "$IMG" || { ok=0; note "$n: $IMG not visible"; }
    [[ $(X "$n" hostname) == "$n" ]] || { ok=0; note "$n: hostname $(X "$n" hostname)"; }
done
[[ $ok == 1 ]] && pass "each node: own hostname, podman API service, stand-in images from the host's store" ||
    fail "per-node podman"

[[ $(X pmm1 crm_attribute --type crm_config --name stonith-enabled --query --quiet) == true ]] &&
    pass "stonith-enabled=true" || fail "stonith-enabled is not true"

# ---- fencing ------------------------------------------------------------------
if X pmm1 pcs stonith create fence-ns fence_pmmns pcmk_host_list="pmm1 pmm2" \
    op monitor interval=30s >"$WORK/pcs.log" 2>&1 &&
    wait_for 120 eval '[[ -n "$(loc pmm1 fence-ns)" ]]'; then
    pass "pcs stonith create fence-ns fence_pmmns: Started on $(loc pmm1 fence-ns)"
else
    cat "$WORK/pcs.log"
    die "fence-ns did not start"
fi

# ---- the group: virtual IP + pmm-server -------------------------------------
t=$(now)
if X pmm1 pcs resource create vip ocf:heartbeat:IPaddr2 ip=$VIP cidr_netmask=24 \
    op monitor interval=10s --group $GROUP >"$WORK/pcs.log" 2>&1 &&
    X pmm1 pcs resource create pmm ocf:pmmha:pmm-server image=$IMG volume="$SRV" \
        env_file="$WORK/pmm.env" run_opts="--network host" \
        op monitor interval=5s --group $GROUP >>"$WORK/pcs.log" 2>&1; then
    pass "pcs resource create vip (IPaddr2) and pmm (ocf:pmmha:pmm-server) in group $GROUP"
else
    cat "$WORK/pcs.log"
    die "pcs resource create"
fi
if wait_for 180 eval '[[ $(probe) == "200 "* ]]'; then
    A=$(loc pmm1 pmm)
    pass "readyz 200 through the virtual IP from the hub, $(since "$t") s after pcs resource create (group on $A)"
else
    die "readyz through $VIP never answered 200"
fi
B=$(other "$A")
[[ $(loc pmm1 vip) == "$A" ]] || fail "vip on '$(loc pmm1 vip)', pmm on $A"
if X "$A" podman container exists pmm-server && ! X "$B" podman container exists pmm-server; then
    pass "the container pmm-server exists on $A only (per-node container stores)"
else
    fail "container pmm-server: $A $(X "$A" podman ps -a --format '{{.Names}}' | tr '\n' ' '), $B $(X "$B" podman ps -a --format '{{.Names}}' | tr '\n' ' ')"
fi
X "$A" test -e /run/resource-agents && pass "HA_RSCTMP /run/resource-agents is per node" || fail "no /run/resource-agents on $A"
# logging as resource-agents' ocf_log: the executor's HA_LOGFILE gets each
# line once, in Pacemaker's own format; stderr (which the executor copies
# into the same file as "error output") carries nothing but exit reasons
plog=$(X "$A" cat /var/log/pacemaker/pacemaker.log 2>/dev/null)
direct=$(grep -cE '^[A-Z][a-z]{2} [0-9]{2} [0-9:.]{12} [^ ]+ pmm-server\(pmm\)\[[0-9]+\]: info: ' <<<"$plog")
copied=$(grep -c 'error output \[ pmm-server(pmm)' <<<"$plog")
if ((direct > 0 && copied == 0)); then
    pass "pmm-server logs into pacemaker.log once ($direct lines, e.g. $(grep -m1 -oE 'pmm-server\(pmm\)\[[0-9]+\]: info: .{0,50}' <<<"$plog"))"
else
    fail "pmm-server's lines in pacemaker.log: $direct direct, $copied copied from stderr"
fi

# ---- drill: standby of the active node ---------------------------------------
t=$(now)
X pmm1 pcs node standby "$A"
tp=$(since "$t")
if s=$(wait_new_200 "$t" 120) && [[ $(loc pmm1 pmm) == "$B" ]]; then
    pass "pcs node standby $A: readyz 200 through the VIP from $B in $s s (pcs itself took $tp s: $(awk -v a="$s" -v b="$tp" 'BEGIN{printf "%.2f", a-b}') s from its return)"
    T_STANDBY=$s
else
    die "standby $A: no readyz 200 from $B (pmm on '$(loc pmm1 pmm)')"
fi
if [[ -z $(X "$A" podman ps -q --filter name='^pmm-server$' --filter status=running) ]]; then
    pass "standby $A: the container no longer runs there"
else
    fail "standby $A: pmm-server still running there"
fi
X pmm1 pcs node unstandby "$A"
if wait_for 60 eval 'X pmm1 crm_mon -1 --output-as=xml | grep -q "<node name=\"$A\" [^>]*online=\"true\" standby=\"false\""'; then
    sleep 3
    [[ $(loc pmm1 pmm) == "$B" && $(probe) == "200 "* ]] &&
        pass "pcs node unstandby $A: the group stays on $B (resource-stickiness=1)" ||
        fail "after unstandby: pmm on '$(loc pmm1 pmm)', probe $(probe)"
else
    fail "unstandby $A: not back online"
fi

# ---- drill: crash of the active node ------------------------------------------
A=$B
S=$(other "$A")
t=$(now)
"$C" crash "$A"
if s=$(wait_new_200 "$t" 180) && [[ $(loc "$S" pmm) == "$S" ]]; then
    T_CRASH=$s
    pass "crash $A: readyz 200 through the VIP from $S in $s s"
else
    die "crash $A: no readyz 200 from $S (pmm on '$(loc "$S" pmm)')"
fi
if X "$S" stonith_admin --history "$A" 2>/dev/null | grep -q 'successful\|was able to'; then
    pass "crash $A: fenced ($(X "$S" stonith_admin --history "$A" | head -n 1 | sed 's/^ *//'))"
else
    fail "crash $A: no successful fencing in the history: $(X "$S" stonith_admin --history "$A" 2>&1)"
fi
# when the survivor noticed the loss (corosync's token timeout + consensus),
# and when fence_pmmns had finished: the rest is pacemaker and the agents
tod() { date -d "$(date +%F) $1" +%s.%N 2>/dev/null; }
l=$(X "$S" sh -c "grep -m1 'Node $A state is now lost' /var/log/pacemaker/pacemaker.log" | awk '{print $3}')
f=$(X "$S" sh -c "grep 'off $A: done' /var/log/fence_pmmns.log | tail -n 1" | cut -d' ' -f1)
if [[ -n $l && -n $f ]]; then
    T_LOST=$(since "$t" "$(tod "$l")")
    note "crash $A -> $S sees it lost: $T_LOST s; -> fence_pmmns off done: $(since "$t" "$(tod "$f")") s; -> readyz 200: $T_CRASH s (after the loss: $(awk -v a="$T_CRASH" -v b="$T_LOST" 'BEGIN{printf "%.2f", a-b}') s)"
fi
if grep -qx 'populated 0' "/sys/fs/cgroup/unified/pmmha-pmm/$A/cgroup.events" 2>/dev/null ||
    grep -qx 'populated 0' "/sys/fs/cgroup/pmmha-pmm/$A/cgroup.events" 2>/dev/null; then
    pass "crash $A: no process of $A is left (its container included)"
else
    fail "crash $A: processes left in its cgroup"
fi

t=$(now)
if "$C" boot "$A" >"$WORK/boot.log" 2>&1 && "$C" wait-online --timeout 180 >>"$WORK/boot.log" 2>&1; then
    pass "boot $A: both nodes Online again in $(since "$t") s"
else
    cat "$WORK/boot.log"
    fail "boot $A"
fi
sleep 2
[[ $(loc "$S" pmm) == "$S" ]] && ! ip -n "pmmha-$A" addr show | grep -q "$VIP/" &&
    pass "after boot: the group stays on $S, $A does not hold the virtual IP" ||
    fail "after boot: pmm on '$(loc "$S" pmm)', $A addresses: $(ip -n "pmmha-$A" -o addr show | awk '{print $4}' | tr '\n' ' ')"

# ---- down ---------------------------------------------------------------------
loopdev=$PMM_DISK
"$C" down >/dev/null 2>&1
left=""
ip netns list | grep -q '^pmmha-pmm' && left+=" netns"
[[ -e /sys/fs/cgroup/unified/pmmha-pmm || -e /sys/fs/cgroup/pmmha-pmm ]] && left+=" cgroup"
losetup -j /var/tmp/pmmha-cluster/disk.img 2>/dev/null | grep -q . && left+=" loop"
[[ -n $loopdev ]] && losetup "$loopdev" 2>/dev/null | grep -q pmmha-cluster && left+=" $loopdev"
[[ -e /var/tmp/pmmha-cluster ]] && left+=" base-dir"
pgrep -f 'tests/cluster/cluster _init' >/dev/null && left+=" processes"
[[ -z $left ]] && pass "cluster down: nothing left behind" || fail "cluster down left:$left"

note "timings: ${UP_T%% *}, standby -> 200 via VIP ${T_STANDBY:-?} s, crash -> fenced -> 200 via VIP ${T_CRASH:-?} s (loss detected at ${T_LOST:-?} s)"
exit 0
