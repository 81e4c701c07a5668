#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf:pmmha:lvm-sysid. On this host (LVM metadata works on loop devices,
# activation does not: no device-mapper): metadata, bad parameters,
# validate-all (the on-disk reader against real LVM metadata, also with
# dashes in the names), refusals under each takeover policy, a takeover
# whose vgchange fails (the PVs made read-only), missing PVs, a VG without
# a system ID. Two "nodes" are two LVM_SYSTEM_DIRs with their own system
# ID (system_id_source="lvmlocal"); the host's /etc/lvm is not touched.
# Then the VM tests (tests/vm/lvm-vm-test.sh): activation, the sysfs
# monitor and two-node takeovers in qemu VMs sharing a disk.
. "$(dirname "$0")/../lib/testlib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/pmmha-lvm.XXXXXX)
LOOPS=()
VG=pmm-vg

cleanup() {
    local l
    for l in "${LOOPS[@]}"; do
        blockdev --setrw "$l" 2>/dev/null
        losetup -d "$l" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# node N's LVM configuration: its system ID, only our loop devices seen
node_conf() {
    local n=$1 src=${2:-lvmlocal} filter="" l
    for l in "${LOOPS[@]}"; do filter+="\"a|^$l\$|\", "; done
    mkdir -p "$WORK/node$n"
    cat >"$WORK/node$n/lvm.conf" <<EOF
global { system_id_source = "$src" }
local { system_id = "node$n" }
devices { global_filter = [ $filter"r|.*|" ] hints = "none" }
backup { backup = 0 archive = 0 }
EOF
}
# lvmn N ARGS...: LVM as node N
lvmn() {
    local n=$1
    shift
    LVM_SYSTEM_DIR=$WORK/node$n LVM_SUPPRESS_FD_WARNINGS=1 "$@"
}
# lra N ACTION [KEY=VALUE...]: the agent on node N, as ra() runs it
lra() {
    local n=$1 act=$2 kv envv=() errf
    shift 2
    for kv in "$@"; do
        case $kv in
            OCF_*|HA_*) envv+=("$kv") ;;
            *) envv+=("OCF_RESKEY_$kv") ;;
        esac
    done
    errf=$WORK/err
    OUT=$(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LC_ALL=C OCF_ROOT="$OCF_ROOT" OCF_RESOURCE_INSTANCE=vg \
        LVM_SYSTEM_DIR="$WORK/node$n" HA_RSCTMP="$WORK/rsctmp$n" \
        OCF_RESKEY_vgname="$VG" "${envv[@]}" "$AGENT_DIR/lvm-sysid" "$act" 2>"$errf")
    RC=$?
    ERR=$(cat "$errf")
    REASON=$(grep '^ocf-exit-reason:' <<<"$ERR" | tail -n 1 | sed 's/^ocf-exit-reason://')
}
owner() { lvmn "$1" vgs --foreign --noheadings -o systemid "$VG" | tr -d ' '; }

# ---- metadata ------------------------------------------------------------------
"$AGENT_DIR/lvm-sysid" meta-data >"$WORK/meta.xml"
if xmllint --noout --dtdvalid /usr/share/resource-agents/ra-api-1.dtd "$WORK/meta.xml" 2>"$WORK/xmllint.err"; then
    pass "lvm-sysid meta-data validates against the OCF 1.0 DTD"
else
    fail "lvm-sysid meta-data: $(head -3 "$WORK/xmllint.err")"
fi

# ---- the shared "disk": two loop devices --------------------------------------
for i in 1 2; do
    truncate -s 32M "$WORK/pv$i.img"
    l=$(losetup -f --show "$WORK/pv$i.img") || { fail "losetup"; exit 1; }
    LOOPS+=("$l")
done
mkdir -p "$WORK/rsctmp1" "$WORK/rsctmp2"
node_conf 1
node_conf 2
node_conf 0 none
lvmn 1 pvcreate -q "${LOOPS[@]}" >"$WORK/setup.log" 2>&1 &&
    lvmn 1 vgcreate -q --setautoactivation n "$VG" "${LOOPS[@]}" >>"$WORK/setup.log" 2>&1 &&
    lvmn 1 lvcreate -q -an -Zn -L 8M -n srv-data "$VG" --config 'global/activation=0' >>"$WORK/setup.log" 2>&1 &&
    [[ $(owner 1) == node1 ]] &&
    pass "node1 made VG $VG on 2 loop devices, system ID node1" ||
    { fail "VG set-up on loop devices"; exit 1; }

# ---- bad parameters ------------------------------------------------------------
lra 1 validate-all vgname=
expect "vgname missing" 6 "required parameter vgname"
lra 1 validate-all vgname=-vg
expect "vgname starting with '-'" 6 "not starting with '-'"
lra 1 validate-all "vgname=a b"
expect "vgname with a blank" 6 "vgname=a b"
lra 1 validate-all vgname=..
expect "vgname '..'" 6 "not '.' or '..'"
lra 1 validate-all lvname=snapshot1
expect "lvname reserved (snapshot*)" 6 "reserved"
lra 1 validate-all lvname=data_tmeta
expect "lvname reserved (_tmeta)" 6 "_tmeta"
lra 1 validate-all takeover=maybe
expect "takeover=maybe" 6 "takeover"
lra 1 validate-all majority_pvs=perhaps
expect "majority_pvs not a boolean" 6 "majority_pvs"
lra 1 monitor vgname=-vg
expect "monitor with a bad vgname" 6 "vgname"

# ---- validate-all ---------------------------------------------------------------
lra 0 validate-all
expect "validate-all without a system ID source in lvm.conf" 6 "no system ID source"
lra 1 validate-all
expect "validate-all" 0 ""
lra 1 validate-all OCF_CHECK_LEVEL=10
expect "validate-all depth 10 (on-disk metadata read by lvm-sysid = LVM's, names with '-')" 0 ""
lra 1 validate-all OCF_CHECK_LEVEL=10 lvname=srv-data
expect "validate-all depth 10 lvname=srv-data" 0 ""
lra 1 validate-all OCF_CHECK_LEVEL=10 lvname=nosuch
expect "validate-all depth 10 lvname=nosuch" 6 "has no LV nosuch"
lra 1 validate-all OCF_CHECK_LEVEL=10 vgname=novg
expect "validate-all depth 10 on a VG that does not exist" 5 "not visible on this node"
lra 2 validate-all OCF_CHECK_LEVEL=10
expect "validate-all depth 10 on node2 (the VG is node1's)" 0 ""

# ---- monitor and stop with nothing active ----------------------------------------
lra 1 monitor
expect "probe, nothing active" 7 ""
lra 2 monitor OCF_RESKEY_CRM_meta_interval=10000
expect "monitor on node2, nothing active" 7 ""
lra 2 stop
expect "stop with nothing active" 0 ""

# ---- refusals under each takeover policy -----------------------------------------
lra 2 start takeover=never
expect "node2 start takeover=never" 1 "stop the resource on node1, or if it is down use takeover=force once"
lra 2 start
expect "node2 start takeover=fenced outside a cluster" 1 "fence node1, or if it is down use takeover=force once: not proven down"
lra 0 start
expect "start without a system ID source" 6 "no LVM system ID"
lra 1 start vgname=novg
expect "start on a VG this node cannot see" 5 "not visible on this node"
[[ $(owner 1) == node1 ]] && pass "the VG is still node1's after the refusals" || fail "owner: $(owner 1)"

# ---- a takeover whose vgchange fails: the PVs are read-only ----------------------
for l in "${LOOPS[@]}"; do blockdev --setro "$l"; done
lra 2 start takeover=force
expect "node2 takeover=force with read-only PVs" 1 "taking VG pmm-vg from node1 failed (vgchange exit"
for l in "${LOOPS[@]}"; do blockdev --setrw "$l"; done
[[ $(owner 1) == node1 ]] && pass "the failed takeover left the VG node1's" || fail "owner: $(owner 1)"

# ---- takeover=force: the system ID moves; activation cannot (no dm here) ----------
lra 2 start takeover=force
expect "node2 takeover=force, then activation without device-mapper" 1 "activating pmm-vg failed"
[[ $(owner 2) == node2 ]] && pass "takeover=force wrote system ID node2 (read back)" || fail "owner: $(owner 2)"
lra 1 start takeover=never
expect "node1 start takeover=never now names node2" 1 "stop the resource on node2,"
lra 1 validate-all OCF_CHECK_LEVEL=10
expect "validate-all depth 10 after the takeover (on-disk system ID node2)" 0 ""

# ---- a VG without a system ID ----------------------------------------------------
lvmn 2 vgchange -q -y --systemid "" "$VG" >/dev/null 2>&1
lra 1 start
expect "start on a VG without a system ID" 6 "has no system ID"

# ---- missing PVs ---------------------------------------------------------------------
lvmn 2 vgchange -q --systemid node2 "$VG" >/dev/null 2>&1
losetup -d "${LOOPS[1]}"
lra 1 start takeover=force
expect "start with 1 of 2 PVs missing" 1 "misses 1 of its 2 PVs: reconnect them, or set majority_pvs=true"
lra 1 start takeover=force majority_pvs=true
expect "majority_pvs=true with only half the PVs" 1 "no majority"
unset 'LOOPS[1]'

# ---- the VMs: activation, the dm monitor, two-node takeovers --------------------
if [[ ${PMMHA_SKIP_VM:-0} == 1 ]]; then
    note "VM tests skipped (PMMHA_SKIP_VM=1)"
else
    bash "$TOP/tests/vm/lvm-vm-test.sh"
fi
