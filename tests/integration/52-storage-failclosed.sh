#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-storage fails closed. Two "nodes" see one disk through two loop
# devices on the same file (each its own block device, as on two hosts;
# node2 also has its own mount namespace):
#  - a lease area overwritten with random bytes, or zeroed, while node1
#    holds the filesystem and renews: node2 never mounts it; node1's
#    monitor writes its record again;
#  - a damaged lease with the ext4 journal needing recovery (a holder that
#    died, or hangs): refused with what to check and how to reset the lease
#    (pmmha-lease), which then works;
#  - a damaged lease on a cleanly unmounted ext4: taken at once;
#  - XFS, which records no mount: taken after a silent lease period;
#  - stop proves the unmount from what is mounted on the directory, not
#    from the state file: a state naming another device still unmounts
#    ours; a filesystem stacked over ours fails the stop and keeps the state.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/testlib.sh"
. "$HERE/../lib/loopdev.sh"
WORK=$(mktemp -d /tmp/pmmha-fc.XXXXXX)
RENEWER=
LEASE_TOOL=${LEASE_TOOL:-$(command -v pmmha-lease || echo /usr/sbin/pmmha-lease)}

cleanup() {
    [[ -n $RENEWER ]] && kill "$RENEWER" 2>/dev/null && wait "$RENEWER" 2>/dev/null
    node2_down
    loop_cleanup
}
trap cleanup EXIT

mounted() { awk -v d="$1" '$5 == d {f = 1} END {exit !f}' "${2:-/proc/self/mountinfo}"; }
mounted2() { mounted "$1" "/proc/$NS2/mountinfo"; }
in2() { nsenter -t "$NS2" -m -- "$@"; }

node2_up "$WORK/node2"

# one disk, two devices: node1's and node2's view of the shared LUN
mkloop disk 64 || { fail "loop set-up"; exit 1; }
DEV1=$LOOP
DEV2=$(losetup -f --show "$WORK/disk.img") && LOOPS+=("$DEV2") || { fail "second loop"; exit 1; }
SRV=$WORK/srv
LEASE_BLK=$(((64 - 1) * 256)) # the last MiB, in 4 KiB blocks
node1=(device="$DEV1" directory="$SRV" lease_timeout=4s HA_RSCTMP="$WORK/rsc1"
       OCF_RESKEY_CRM_meta_on_node=node1)
node2=(device="$DEV2" directory="$SRV" lease_timeout=4s HA_RSCTMP="$WORK/rsc2"
       OCF_RESKEY_CRM_meta_on_node=node2)
n1() { ra pmm-storage "$1" fstype="$FS" "${node1[@]}" "${@:2}"; }
n2() { AGENT_DIR=$WORK/node2 ra pmm-storage "$1" fstype="$FS" "${node2[@]}" "${@:2}"; }
REC=(OCF_RESKEY_CRM_meta_interval=1000)

# spoil WHAT: the lease area gets random bytes or zeroes
spoil() {
    local src=/dev/urandom
    [[ $1 == zeroes ]] && src=/dev/zero
    dd if="$src" of="$DEV1" bs=4096 seek="$LEASE_BLK" count=1 oflag=direct conv=notrunc status=none
}
# node1 renews every second, as its recurring monitor does
renewing() {
    (while :; do
        ra pmm-storage monitor fstype="$FS" "${node1[@]}" "${REC[@]}"
        echo "$RC $REASON" >>"$WORK/renewals"
        sleep 1
    done) &
    RENEWER=$!
}
quiet() { kill "$RENEWER" 2>/dev/null && wait "$RENEWER" 2>/dev/null; RENEWER=; }
holder() { "$LEASE_TOOL" show "$DEV2" | awk '/^holder:/ {print $2}'; }

FS=ext4
mkfs.ext4 -q -F "$DEV1" 63M || { fail "mkfs"; exit 1; }

# ---- a damaged lease under a live holder ------------------------------------
for what in "random bytes" zeroes; do
    n1 start
    expect "node1 start (before $what)" 0 ""
    renewing
    spoil "$what"
    n2 start OCF_RESKEY_CRM_meta_timeout=20000
    expect "node2 start, the lease area holding $what while node1 renews" 1 "node node1 holds the lease"
    mounted2 "$SRV" && fail "node2 mounted the filesystem node1 has mounted ($what)" ||
        pass "node2 did not mount the filesystem node1 has mounted ($what)"
    quiet
    grep -v '^0 ' "$WORK/renewals" && fail "node1's monitor failed on the $what" ||
        pass "node1's monitors all succeeded over the $what ($(wc -l <"$WORK/renewals") renewals)"
    rm -f "$WORK/renewals"
    [[ $(holder) == node1 ]] && pass "node1's record is valid again after $what" ||
        fail "lease holder after $what: '$(holder)'"
    n1 stop
    expect "node1 stop (after $what)" 0 ""
done

# the holder's monitor rewrites a damaged record and says so in the log
n1 start
spoil "random bytes"
n1 monitor "${REC[@]}"
expect "monitor over a damaged record" 0 ""
grep -q "damaged" <<<"$ERR" && pass "the monitor logged that it rewrote a damaged record" ||
    fail "no word of the damaged record: $ERR"
n1 stop

# ---- a damaged lease, the journal needing recovery (holder died) -----------
n1 start
n1 monitor "${REC[@]}"
# node1 dies (no renewal, no release), its lease damaged: a crashed holder's
# ext4 keeps needs_recovery on disk, as a mounted one has it
umount "$SRV" && rm -rf "$WORK/rsc1"
debugfs -w -R "feature needs_recovery" "$DEV1" >/dev/null 2>&1
spoil "random bytes"
t0=$(now_ms)
n2 start OCF_RESKEY_CRM_meta_timeout=20000
dt=$(($(now_ms) - t0))
expect "node2 start: damaged lease, journal needs recovery" 1 "pmmha-lease reset"
[[ $REASON == *"journal needs recovery"* ]] && pass "the refusal says the journal needs recovery" ||
    fail "reason: $REASON"
((dt >= 6000)) && pass "node2 watched the area a lease period first (${dt} ms)" ||
    fail "node2 refused after ${dt} ms, before a lease period (6 s)"
mounted2 "$SRV" && fail "node2 mounted it" || pass "node2 did not mount it"
n2 start OCF_RESKEY_CRM_meta_timeout=3000
expect "node2 start with no time to watch: refused" 1 "pmmha-lease reset"
"$LEASE_TOOL" show "$DEV2" >"$WORK/show" 2>&1
grep -q "none valid (other bytes)" "$WORK/show" && grep -q "journal needs recovery" "$WORK/show" &&
    pass "pmmha-lease show: no valid record, the journal needs recovery" || fail "show: $(cat "$WORK/show")"
# the operator checked that no node mounts it, and resets the lease
in2 "$LEASE_TOOL" reset "$DEV2" >"$WORK/reset" 2>&1 && pass "pmmha-lease reset" ||
    fail "pmmha-lease reset: $(cat "$WORK/reset")"
n2 start
expect "node2 start after the reset" 0 ""
mounted2 "$SRV" && pass "node2 mounted it after the reset" || fail "node2 not mounted"
in2 "$LEASE_TOOL" reset "$DEV2" >"$WORK/reset" 2>&1 && fail "reset while mounted here succeeded" ||
    pass "pmmha-lease reset refuses where the device is mounted"
"$LEASE_TOOL" reset "$DEV1" >"$WORK/reset" 2>&1 && fail "reset of a live lease succeeded" ||
    pass "pmmha-lease reset refuses a live lease without --force"
n2 stop
expect "node2 stop" 0 ""

# ---- a damaged lease on a cleanly unmounted ext4: taken at once ------------
spoil "random bytes"
t0=$(now_ms)
n1 start
dt=$(($(now_ms) - t0))
expect "start over other bytes, ext4 cleanly unmounted" 0 ""
((dt < 3000)) && pass "taken at once (${dt} ms): the ext4 proves nobody mounts it" ||
    fail "took ${dt} ms"
grep -q "cleanly unmounted" <<<"$ERR" && pass "the log says why it was safe" || fail "log: $ERR"
n1 stop

# ---- lease_device holding other bytes: maybe the wrong device --------------
mkloop lease 4 || fail "lease loop"
LDEV=$LOOP
dd if=/dev/urandom of="$LDEV" bs=4096 count=1 oflag=direct conv=notrunc status=none
n1 start lease_device="$LDEV"
expect "lease_device with other bytes" 6 "check lease_device is the right device"
"$LEASE_TOOL" reset "$DEV1" "$LDEV" >/dev/null 2>&1 && pass "pmmha-lease reset of a lease_device" ||
    fail "pmmha-lease reset of a lease_device"
n1 start lease_device="$LDEV"
expect "lease_device after the reset" 0 ""
n1 stop lease_device="$LDEV"

# ---- stop: what is mounted is the truth, not the state file ---------------
n1 start
mkloop other 8 && mkfs.ext4 -q "$LOOP" || fail "other loop"
OTHER=$LOOP
state=$WORK/rsc1/pmm-storage-pmm.state
ot=$(printf '%d:%d' $((0x$(stat -c %t "$OTHER"))) $((0x$(stat -c %T "$OTHER"))))
sed -i "s|^dev=.*|dev=$OTHER|; s|^rdev=.*|rdev=$ot|" "$state"
n1 stop
expect "stop with a state file naming another device" 0 ""
mounted "$SRV" && fail "stop succeeded with the filesystem still mounted" ||
    pass "stop unmounted the configured device the state file did not name"
n1 start
mount -t tmpfs none "$SRV"
n1 stop
expect "stop with a filesystem mounted over ours" 1 "unmount what covers"
[[ -f $state ]] && pass "the failed stop kept the state (the lease is still ours)" || fail "state dropped"
umount "$SRV"
n1 stop
expect "stop once the cover is gone" 0 ""
mounted "$SRV" && fail "still mounted" || pass "unmounted"

# ---- XFS: its log tells (pmm-storage writes to it at every start) ---------
FS=xfs
mkloop xdisk 320 && DEV1=$LOOP && DEV2=$(losetup -f --show "$WORK/xdisk.img") && LOOPS+=("$DEV2") ||
    { fail "xfs loops"; exit 1; }
LEASE_BLK=$(((320 - 1) * 256))
node1[0]=device=$DEV1
node2[0]=device=$DEV2
mkfs.xfs -q -f -d size=319m "$DEV1" || fail "mkfs.xfs"
spoil zeroes
t0=$(now_ms)
n1 start OCF_RESKEY_CRM_meta_timeout=20000
dt=$(($(now_ms) - t0))
expect "xfs made by mkfs, zeroed lease area: start (ocf-tester's 20 s timeout)" 0 ""
((dt < 3000)) && pass "xfs: taken at once, its log clean (${dt} ms)" || fail "xfs: taken after ${dt} ms"
xfs_logprint -t "$DEV2" 2>/dev/null | grep -q 'state: <DIRTY>' &&
    pass "xfs: start left the log dirty (a mount that writes nothing leaves it clean)" ||
    fail "xfs: the log is clean while mounted by pmm-storage"
renewing
spoil "random bytes"
n2 start OCF_RESKEY_CRM_meta_timeout=20000
expect "xfs: node2 start over a damaged lease while node1 renews" 1 "node node1 holds the lease"
mounted2 "$SRV" && fail "xfs: node2 mounted it too" || pass "xfs: node2 did not mount it"
quiet
# node1 hangs (mounted, no renewal): the dirty log refuses node2
spoil zeroes
n2 start OCF_RESKEY_CRM_meta_timeout=20000
expect "xfs: node2 start, zeroed lease, holder silent" 1 "pmmha-lease reset"
[[ $REASON == *"xfs log is dirty"* ]] && pass "xfs: the refusal says the log is dirty" || fail "reason: $REASON"
mounted2 "$SRV" && fail "xfs: node2 mounted it" || pass "xfs: node2 did not mount it"
n1 monitor "${REC[@]}"
expect "xfs: node1's monitor writes its record again" 0 ""
n1 stop
expect "xfs: node1 stop" 0 ""
n2 start OCF_RESKEY_CRM_meta_timeout=3000
expect "xfs: node2 after node1 released" 0 ""
n2 stop
expect "xfs: node2 stop" 0 ""
