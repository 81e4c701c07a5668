#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PMM's Active/Passive group from examples/crm-active-passive.crm, loaded as
# written with crm shell into a real 2-node cluster with stonith:
#   - the example edited as its header says, only in its values: the shared
#     disk, the virtual IP, and pmm-server's optional env_file (the stand-in's
#     STUB_READY_DELAY) and run_opts="--network host" (the nodes have no
#     container bridge); every other line as written, xfs included, made 1
#     MiB smaller than the disk for the lease;
#   - stonith (fence_pmmns) and the group through crm: crm configure
#     primitive, crm configure load update FILE;
#   - PMM answers 200 through the virtual IP, probed from the hub;
#   - crm node standby of the active node: the group moves, 200 through the
#     virtual IP from the other node; crm node online: it stays there;
#   - crm configure show and crm status show the group.
# Its own cluster (PMM_BASE=/var/tmp/pmmha-crm, nodes crm1 crm2 on
# 10.218.0.0/24), so it never meets another one; down at the end, always.
#
#   PMMHA_BUILD=DIR  run the agents of the build tree DIR in the nodes
#                    instead of the installed ones: bind mounts over
#                    /usr/lib/ocf/resource.d/pmmha and /usr/lib/pmmha in the
#                    nodes' mount namespaces only (the host keeps its agents)
. "$(dirname "$0")/common.sh"
export PMM_BASE=/var/tmp/pmmha-crm PMM_PREFIX=crm PMM_NET=10.218.0
C=$TOP/tests/cluster/cluster
EXAMPLE=$TOP/examples/crm-active-passive.crm
trap '"$C" down >/dev/null 2>&1; rm -rf "$WORK"' EXIT
X() { "$C" exec "$@"; }
crmsh() { X "$N1" crm "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; return "${PIPESTATUS[0]}"; }
where() { X "$N1" crm_resource --locate -r pmm-server 2>/dev/null | awk '/is running on/{print $NF; exit}'; }
runs_on() { [[ $(where) == "$1" ]]; }
is_200() { [[ $("$C" hub curl -s -m 1 -o /dev/null -w '%{http_code}' "http://$VIP/v1/readyz") == 200 ]]; }
other() { for n in $PMM_NODES; do [[ $n != "$1" ]] && echo "$n"; done; }
secs() { printf '%d.%02d s' $(($1 / 1000)) $(($1 % 1000 / 10)); }
mounts_of() { X "$1" grep -c " $SRV " /proc/self/mountinfo; }
standby_is() { [[ $(X "$N1" crm_attribute -N "$1" -n standby -G -q 2>/dev/null) == "$2" ]]; }

command -v crm >/dev/null || { fail "crm shell: crm not installed (crmsh)"; exit 1; }
"$TOP/tests/stub/build-images" >"$WORK/build.log" 2>&1 || { fail "stand-in images"; exit 1; }
t0=$(now_ms)
"$C" up 2 >"$WORK/up.log" 2>&1 || { fail "cluster up: $(tail -3 "$WORK/up.log")"; exit 1; }
eval "$("$C" env)"
read -r N1 N2 <<<"$PMM_NODES"
pass "2-node cluster $N1 $N2 up in $(secs $(($(now_ms) - t0))) ($(tail -1 "$WORK/up.log"))"
VIP=$PMM_NET.100
SRV=/mnt/pmm-server/srv
DIR=$PMM_BASE/crm-example # cluster down removes it
mkdir -p "$DIR"
printf 'STUB_READY_DELAY=0\n' >"$DIR/pmm.env"

if [[ -n ${PMMHA_BUILD:-} ]]; then
    mkdir -p "$DIR/ocf" "$DIR/lib"
    cp "$PMMHA_BUILD"/heartbeat/{pmm-server,pmm-storage,lvm-sysid} "$DIR/ocf/" &&
        cp "$PMMHA_BUILD"/lib/.libs/{net,qblog}.so "$DIR/lib/" || { fail "agents of $PMMHA_BUILD"; exit 1; }
    for n in $PMM_NODES; do
        X "$n" mount --bind "$DIR/ocf" "$OCF_ROOT/resource.d/pmmha" &&
            X "$n" mount --bind "$DIR/lib" /usr/lib/pmmha || { fail "bind mounts in $n"; exit 1; }
    done
    note "agents: the build tree $PMMHA_BUILD, in the nodes only"
fi
for a in pmm-server pmm-storage; do
    if out=$(crmsh ra info "ocf:pmmha:$a"); then
        pass "crm ra info ocf:pmmha:$a reads the meta-data in $N1"
    else
        fail "crm ra info ocf:pmmha:$a: $(head -1 <<<"$out") (agents built before meta-data without an encoding?)"
        exit 1
    fi
done

# the filesystem, as written (xfs), 1 MiB smaller than the disk: the lease
# lives in its last MiB
mkfs.xfs -q -f -d size=$(($(blockdev --getsize64 "$PMM_DISK") / 1048576 - 1))m "$PMM_DISK" ||
    { fail "mkfs.xfs on $PMM_DISK"; exit 1; }

# the example, edited in its values only
sed -e "s|device=/dev/disk/by-id/SHARED-DISK |device=$PMM_DISK |" \
    -e "s|ip=192.0.2.10 |ip=$VIP |" \
    -e "s|volume=$SRV \\\\\$|volume=$SRV env_file=$DIR/pmm.env run_opts=\"--network host\" \\\\|" \
    "$EXAMPLE" >"$DIR/pmm.crm"
edits=$(diff "$EXAMPLE" "$DIR/pmm.crm" | grep -c '^>')
if [[ $edits == 3 ]] && grep -q "device=$PMM_DISK " "$DIR/pmm.crm" && grep -q "ip=$VIP " "$DIR/pmm.crm" &&
    grep -q "run_opts=\"--network host\" \\\\$" "$DIR/pmm.crm"; then
    pass "the example edited in 3 lines (device, ip, pmm-server's env_file and run_opts), the rest as written"
else
    fail "editing the example: $edits lines changed, expected 3: $(diff "$EXAMPLE" "$DIR/pmm.crm" | head -8)"
    exit 1
fi

if ! out=$(crmsh configure primitive fence-nodes stonith:fence_pmmns \
    params pcmk_host_list="$PMM_NODES" op monitor interval=30s); then
    fail "crm configure primitive fence-nodes: $out"
    exit 1
fi
t0=$(now_ms)
if out=$(crmsh configure load update "$DIR/pmm.crm"); then
    pass "crm configure load update examples/crm-active-passive.crm (edited) in $(secs $(($(now_ms) - t0)))"
    [[ -z $out ]] || note "crm said: $(head -3 <<<"$out")"
else
    fail "crm configure load update: $(head -5 <<<"$out")"
    exit 1
fi
if ! wait_until 90 is_200; then
    fail "no 200 through $VIP: $(X "$N1" crm_mon -1 | tail -15)"
    exit 1
fi
T_UP=$(($(now_ms) - t0))
pass "PMM answers 200 through $VIP from $(where), $(secs $T_UP) after crm configure load began"

out=$(crmsh configure show)
if grep -qx 'group pmm pmm-storage pmm-vip pmm-server' <<<"$out" && grep -q 'op_params OCF_CHECK_LEVEL=10' <<<"$out" &&
    grep -q '^rsc_defaults rsc-options:' <<<"$out"; then
    pass "crm configure show: group pmm pmm-storage pmm-vip pmm-server, the depth-10 monitor's OCF_CHECK_LEVEL, rsc_defaults"
else
    fail "crm configure show: $(grep -A3 '^group\|OCF_CHECK\|^rsc_defaults' <<<"$out")"
fi
out=$(crmsh configure verify) && [[ -z $out ]] && pass "crm configure verify: no errors, no warnings" ||
    fail "crm configure verify: $(head -3 <<<"$out")"
A=$(where)
out=$(crmsh status)
if grep -q 'Resource Group: pmm' <<<"$out" && [[ $(grep -c "(ocf:[a-z]*:[a-zA-Z0-9-]*):.*Started $A" <<<"$out") == 3 ]] &&
    grep -q '(stonith:fence_pmmns):.*Started' <<<"$out"; then
    pass "crm status: the group's 3 resources Started on $A, fence-nodes Started"
else
    fail "crm status: $(grep -A4 'Resource Group' <<<"$out")"
fi

# ---- crm node standby of the active node, then online ------------------------
B=$(other "$A")
t0=$(now_ms)
crmsh node standby "$A" >/dev/null || fail "crm node standby $A"
if wait_until 90 runs_on "$B" && wait_until 60 is_200; then
    T_STANDBY=$(($(now_ms) - t0))
    pass "crm node standby $A -> 200 through the VIP from $B in $(secs $T_STANDBY)"
else
    fail "crm node standby $A: no failover to $B: $(X "$N1" crm_mon -1 | tail -12)"
fi
[[ $(mounts_of "$A") == 0 && $(mounts_of "$B") == 1 ]] && pass "/srv mounted on $B only" ||
    fail "/srv mounts $A=$(mounts_of "$A") $B=$(mounts_of "$B")"
crmsh node online "$A" >/dev/null || fail "crm node online $A"
if wait_until 10 standby_is "$A" off && sleep 3 && runs_on "$B" && is_200; then
    pass "crm node online $A: standby off, the group stays on $B (stickiness), 200"
else
    fail "crm node online $A: standby=$(X "$N1" crm_attribute -N "$A" -n standby -G -q 2>&1), pmm-server on '$(where)'"
fi

# ---- down ---------------------------------------------------------------------
cluster_down_checked
note "timings: $(tail -1 "$WORK/up.log"), load -> 200 via VIP $(secs "${T_UP:-0}"), standby -> 200 via VIP $(secs "${T_STANDBY:-0}")"
exit 0
