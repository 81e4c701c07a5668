#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/lvm-vm-test.sh - ocf:pmmha:lvm-sysid with real device-mapper: two
# qemu VMs (vm1, vm2; LVM system IDs from their host names) share one disk.
# Activation, the sysfs monitor, depth 10, refusals without a cluster, a
# clean switchover, a takeover underneath a running node, takeovers whose
# vgchange fails or lies (an lvm shim in /usr/local/sbin, which the agent
# finds before /sbin/lvm), and a takeover after vm1's qemu was SIGKILLed.
# Prints PASS/FAIL lines (tests/lib/testlib.sh); stops its VMs by PID.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib/testlib.sh"
T0=$SECONDS

AGENT=${LVM_SYSID:-$AGENT_DIR/lvm-sysid}
export RUN=${RUN:-$(mktemp -d /tmp/pmmha-vm.XXXXXX)}
VM="$HERE/vm.sh"
VG=pmm-vg # dashes: device-mapper names it pmm--vg-srv--data

cleanup() {
    "$VM" stop >/dev/null 2>&1
    [[ ${KEEP_VM:-0} == 1 ]] || rm -rf "$RUN"
}
trap cleanup EXIT

if ldd "$AGENT" | grep -v -E 'linux-vdso|libc\.so|ld-linux' | grep -q .; then
    fail "lvm-sysid links more than libc: $(ldd "$AGENT" | tr '\n' ' ')"
else
    pass "lvm-sysid links only libc (it runs unchanged in the VM)"
fi

IMG=$("$HERE/build-image.sh") || { fail "VM image build"; exit 1; }
export IMG
note "VM image: $IMG (ready after $((SECONDS - T0))s)"

# ---- the payload: the agent, a guest-side helper, an lvm shim ------------
P=$RUN/payload
mkdir -p "$P/bin"
cp "$AGENT" "$P/bin/lvm-sysid"
cat >"$P/lib.sh" <<'SH'
# sourced by every guest command
D=
for b in /sys/block/vd*; do
    [ "$(cat "$b/serial" 2>/dev/null)" = shared0 ] && D=/dev/${b##*/}
done
export LVM_SUPPRESS_FD_WARNINGS=1
# ra ACTION [VAR=VALUE...]: runs lvm-sysid as pacemaker-execd would
ra() {
    act=$1
    shift
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LC_ALL=C OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vg \
        HA_RSCTMP=/run/resource-agents OCF_RESKEY_vgname=pmm-vg "$@" \
        /opt/pmmha/bin/lvm-sysid "$act" 2>/run/ra.err >/dev/null
    rc=$?
    echo "@@ERR"
    cat /run/ra.err
    echo "@@RC=$rc"
}
dm_names() { cat /sys/block/dm-*/dm/name 2>/dev/null | sort | tr '\n' ' '; }
SH
# lvm shim: with /run/shim=fail a --systemid change fails, with
# /run/shim=noop it claims success and changes nothing
cat >"$P/bin/lvm-shim" <<'SH'
#!/bin/sh
mode=$(cat /run/shim 2>/dev/null)
case " $* " in
*" --systemid "*)
    if [ "$mode" = fail ]; then
        echo "  shim: write error on the PV (simulated)" >&2
        exit 5
    elif [ "$mode" = noop ]; then
        exit 0
    fi ;;
esac
exec /sbin/lvm "$@"
SH
chmod +x "$P/bin/lvm-shim"
chmod -R go+rX "$P" # ocf-tester runs meta-data as nobody
tar -C "$P" -cf "$RUN/payload.tar" .
export PAYLOAD=$RUN/payload.tar

# x I SCRIPT: runs SCRIPT in vmI (after lib.sh); output in OUT, status XRC
x() {
    local i=$1
    shift
    OUT=$("$VM" exec "$i" ". /opt/pmmha/lib.sh; $*" 2>&1)
    XRC=$?
}
# vra I ACTION [VAR=VALUE...]: lvm-sysid in vmI; sets RC, ERR, REASON
vra() {
    local i=$1 act=$2
    shift 2
    x "$i" "ra $act $*"
    RC=${OUT##*@@RC=}
    ERR=${OUT#*@@ERR$'\n'}
    ERR=${ERR%@@RC=*}
    ERR=${ERR%$'\n'}
    REASON=$(grep '^ocf-exit-reason:' <<<"$ERR" | tail -n 1 | sed 's/^ocf-exit-reason://')
}
# check NAME I SCRIPT: passes when SCRIPT succeeds in vmI
check() {
    local name=$1
    x "$2" "$3"
    if ((XRC == 0)); then pass "$name"; else fail "$name: $(tail -n 3 <<<"$OUT" | tr '\n' ' ')"; fi
}
owner() { x "$1" "vgs --foreign --noheadings -o systemid --config 'devices/hints=\"none\"' $VG | tr -d ' '"; echo "$OUT"; }

# ---- boot -------------------------------------------------------------------
t=$SECONDS
if "$VM" start 2 >"$RUN/boot.log" 2>&1; then
    pass "2 VMs booted sharing one disk in $((SECONDS - t))s"
    sed 's/^/    /' "$RUN/boot.log"
else
    fail "VM boot: $(tail -5 "$RUN/boot.log" | tr '\n' ' ')"
    exit 1
fi

check "vm1 creates VG $VG (system ID vm1, no autoactivation) with LVs srv-data and lv2" 1 \
    "pvcreate -q -y \$D && vgcreate -q --setautoactivation n $VG \$D &&
     lvcreate -q -an -n srv-data -L 64M $VG && lvcreate -q -an -n lv2 -L 16M $VG &&
     vgs --noheadings -o systemid $VG | grep -qw vm1"

# ---- vm1: start, monitor, stop with real activation -----------------------
vra 1 monitor
expect "vm1 probe with nothing active" 7 ""
vra 1 validate-all OCF_CHECK_LEVEL=10
expect "vm1 validate-all depth 10 (the on-disk metadata agrees with LVM)" 0 ""
vra 1 start
expect "vm1 start" 0 ""
check "device-mapper names the LVs with escaped dashes (pmm--vg-srv--data)" 1 \
    'dm_names | grep -q "pmm--vg-lv2 pmm--vg-srv--data"'
vra 1 monitor OCF_RESKEY_CRM_meta_interval=10000
expect "vm1 monitor (sysfs + on-disk system ID)" 0 ""
vra 1 monitor OCF_RESKEY_CRM_meta_interval=10000 OCF_CHECK_LEVEL=10
expect "vm1 monitor depth 10 (O_DIRECT read of each LV)" 0 ""
vra 1 monitor OCF_RESKEY_lvname=srv-data
expect "vm1 monitor of one LV (lvname=srv-data)" 0 ""
check "vm1 lvchange -an lv2 behind the agent's back" 1 "lvchange -an $VG/lv2"
vra 1 monitor OCF_RESKEY_CRM_meta_interval=10000
expect "vm1 monitor with one LV deactivated" 1 "LV pmm-vg/lv2 is not active"
vra 1 start
expect "vm1 start again (idempotent, reactivates lv2)" 0 ""

# ---- vm2: refusals while vm1 owns it -----------------------------------------
vra 2 monitor
expect "vm2 probe (the VG is vm1's, nothing active on vm2)" 7 ""
vra 2 start OCF_RESKEY_takeover=never
expect "vm2 start takeover=never" 1 "stop the resource on vm1, or if it is down"
vra 2 start
expect "vm2 start takeover=fenced without a cluster" 1 "fence vm1, or if it is down"
[[ $(owner 2) == vm1 ]] && pass "the VG is still vm1's after the refusals" || fail "owner now $(owner 2)"

# ---- clean switchover --------------------------------------------------------
vra 1 stop
expect "vm1 stop" 0 ""
check "vm1 has no device-mapper device of the VG left" 1 '! dm_names | grep -q pmm--vg'
vra 1 monitor
expect "vm1 monitor after stop" 7 ""
vra 1 stop
expect "vm1 stop again (idempotent)" 0 ""
[[ $(owner 1) == vm1 ]] && pass "stop keeps the system ID (vm1)" || fail "owner after stop: $(owner 1)"
vra 2 start OCF_RESKEY_takeover=force
expect "vm2 start takeover=force after vm1 stopped" 0 ""
[[ $(owner 1) == vm2 ]] && pass "the VG is vm2's, as read from vm1" || fail "owner: $(owner 1)"
vra 2 monitor OCF_RESKEY_CRM_meta_interval=10000 OCF_CHECK_LEVEL=10
expect "vm2 monitor depth 10" 0 ""
vra 1 start OCF_RESKEY_takeover=never
expect "vm1 start takeover=never now refused naming vm2" 1 "stop the resource on vm2,"

# ---- a takeover underneath a running node ----------------------------------
vra 2 stop
expect "vm2 stop" 0 ""
vra 1 start OCF_RESKEY_takeover=force
expect "vm1 start takeover=force (back from vm2)" 0 ""
vra 2 start OCF_RESKEY_takeover=force
expect "vm2 takes the VG while vm1 still has it active (a system ID is no lock)" 0 ""
vra 1 monitor OCF_RESKEY_CRM_meta_interval=10000
expect "vm1 monitor after vm2 took the VG underneath it" 1 "vm2 took it over"
vra 1 stop
expect "vm1 stop of a VG taken from it" 0 ""
check "vm1 has no device-mapper device of the VG left" 1 '! dm_names | grep -q pmm--vg'

# ---- takeovers whose vgchange fails, or lies --------------------------------
check "install the lvm shim in vm1 (/usr/local/sbin/lvm)" 1 \
    'cp /opt/pmmha/bin/lvm-shim /usr/local/sbin/lvm && echo fail >/run/shim'
vra 1 start OCF_RESKEY_takeover=force
expect "vm1 takeover whose vgchange fails" 1 "taking VG pmm-vg from vm2 failed (vgchange exit 5"
check "nothing activated on vm1 after the failed takeover" 1 '! dm_names | grep -q pmm--vg'
x 1 'echo noop >/run/shim'
vra 1 start OCF_RESKEY_takeover=force
expect "vm1 takeover whose vgchange exits 0 but changes nothing" 1 "still owned by another node"
check "nothing activated on vm1 after the lying takeover" 1 '! dm_names | grep -q pmm--vg'
x 1 'rm -f /usr/local/sbin/lvm /run/shim'
[[ $(owner 1) == vm2 ]] && pass "the VG is still vm2's" || fail "owner: $(owner 1)"

# ---- crash: vm2 dies with the VG active, vm1 takes over --------------------
check "vm2 writes a marker on srv-data" 2 \
    'echo written-by-vm2 | dd of=/dev/pmm-vg/srv-data bs=4096 count=1 conv=sync,fsync oflag=direct 2>/dev/null'
"$VM" kill 2
pass "vm2 killed (SIGKILL to its qemu) with the VG active"
vra 1 start OCF_RESKEY_takeover=fenced
expect "vm1 start takeover=fenced after the crash, no cluster" 1 "fence vm2, or if it is down"
vra 1 start OCF_RESKEY_takeover=force
expect "vm1 start takeover=force after vm2 crashed" 0 ""
vra 1 monitor OCF_RESKEY_CRM_meta_interval=10000 OCF_CHECK_LEVEL=10
expect "vm1 monitor depth 10 after the crash takeover" 0 ""
check "vm1 reads vm2's marker from srv-data" 1 \
    'dd if=/dev/pmm-vg/srv-data bs=4096 count=1 iflag=direct 2>/dev/null | grep -q written-by-vm2'
vra 1 stop
expect "vm1 stop" 0 ""

# ---- ocf-tester (resource-agents, in the VM: it needs real activation) -----
x 1 'ocf-tester -n vg -o vgname=pmm-vg -o lvname=srv-data /opt/pmmha/bin/lvm-sysid'
if ((XRC == 0)) && grep -q 'passed all tests' <<<"$OUT"; then
    pass "ocf-tester passes for lvm-sysid (in vm1, lvname=srv-data)"
else
    fail "ocf-tester: $(grep -v '^\*' <<<"$OUT" | tail -n 5 | tr '\n' ' ')"
fi
note "VM tests took $((SECONDS - T0))s"
