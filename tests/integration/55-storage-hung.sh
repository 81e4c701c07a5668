#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-storage on a device that hangs: never a hang past the deadline. The
# device is a loop device on a file served by hangfs (tests/lib/hangfs.c, a
# FUSE file system whose reads and writes block while a control file
# exists), holding ext4 with the lease in its last MiB. With the I/O hung, a
# monitor with a 5 s timeout must answer 1 with a "hung" reason before the
# timeout (its I/O child stays stuck in the kernel, in D state); once the
# I/O flows again the stuck child must finish and nothing may be left: no
# process, no mount, no loop device, no FUSE mount. Depth 0 (the lease
# renewal), depth 10 (the superblock read) and depth 20 (the status file's
# write and fsync, reads still served) each in turn; then a start on a
# device already hung (libblkid's probe, its first read, fails in time).
#
# lvm-sysid's monitor reads its PVs only for active LVs (device-mapper):
# that needs the VM tests (tests/vm), not this host.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/testlib.sh"
WORK=$(mktemp -d /tmp/pmmha-hung.XXXXXX)
FUSE=$WORK/fuse
SRV=$WORK/srv
HANG=$WORK/hang
LOOP=
FS_PID=
FUSECTL=

# hangfs's connection in /sys/fs/fuse/connections (its device number)
fuse_conn() { stat -c %d "$FUSE" 2>/dev/null; }
mounted() { awk -v d="$1" '$5 == d {f = 1} END {exit !f}' /proc/self/mountinfo; }

# the agent's processes of this test (the forked I/O children included):
# our build's binary with this test's HA_RSCTMP in its environment
agent_pids() {
    local p
    for p in $(pgrep -f "^$AGENT_DIR/pmm-storage "); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "HA_RSCTMP=$WORK/rsc" && echo "$p"
    done
}
none_left() { [[ -z $(agent_pids) ]]; }

cleanup() {
    local c
    rm -f "$HANG"
    # a child still stuck after the un-hang: abort the FUSE connection, its
    # pending requests fail and the stuck I/O returns
    if ! wait_until 5 none_left && c=$(fuse_conn) && [[ -e /sys/fs/fuse/connections/$c/abort ]]; then
        echo 1 >"/sys/fs/fuse/connections/$c/abort"
    fi
    mounted "$SRV" && { umount "$SRV" 2>/dev/null || umount -l "$SRV"; }
    [[ -n $LOOP ]] && losetup -d "$LOOP" 2>/dev/null
    mounted "$FUSE" && { umount "$FUSE" 2>/dev/null || umount -l "$FUSE"; }
    [[ -n $FS_PID ]] && kill "$FS_PID" 2>/dev/null && wait "$FS_PID" 2>/dev/null
    [[ -n $FUSECTL ]] && umount /sys/fs/fuse/connections 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- set-up: hangfs, a loop device on its file, ext4 with the lease area --
[[ -c /dev/fuse ]] || { fail "hung device set-up: no /dev/fuse"; exit 1; }
cc -O2 -Wall -o "$WORK/hangfs" "$HERE/../lib/hangfs.c" $(pkg-config --cflags --libs fuse3) ||
    { fail "hung device set-up: cannot build hangfs (libfuse3-dev)"; exit 1; }
if ! mountpoint -q /sys/fs/fuse/connections; then
    mount -t fusectl fusectl /sys/fs/fuse/connections && FUSECTL=1
fi
mkdir -p "$FUSE"
truncate -s 64M "$WORK/disk.img"
"$WORK/hangfs" "$WORK/disk.img" "$HANG" "$FUSE" 2>"$WORK/hangfs.log" &
FS_PID=$!
wait_until 5 test -f "$FUSE/disk" || { fail "hung device set-up: hangfs did not mount"; exit 1; }
LOOP=$(losetup -f --show --direct-io=off "$FUSE/disk") || { fail "hung device set-up: losetup"; exit 1; }
# no lazy inode table init: a background writer could stall the loop
# device's reads behind its writes while only writes hang (depth 20)
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$LOOP" $((64 * 1024 - 1024)) || { fail "hung device set-up: mkfs"; exit 1; }
pass "a loop device ($LOOP) on a hangfs file, ext4 with the lease in its last MiB"

P=(device="$LOOP" fstype=ext4 directory="$SRV" HA_RSCTMP="$WORK/rsc" OCF_RESKEY_CRM_meta_on_node=node1)
REC=(OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=5000)

ra pmm-storage start "${P[@]}"
expect "start on the hangfs device" 0 ""
ra pmm-storage monitor "${P[@]}" "${REC[@]}"
expect "monitor before the hang" 0 ""

# hung_monitor NAME MODE WANT [ARGS...]: MODE "rw" or "w" hangs the device,
# then one monitor with a 5 s timeout must fail in time saying it hung, its
# I/O child must be stuck in the kernel, and once the I/O flows again the
# child must finish and the monitor pass again
hung_monitor() {
    local name=$1 mode=$2 want=$3 t0 dt pids p states=""
    shift 3
    sync -f "$SRV/." # nothing dirty left to write back behind the monitor's I/O
    echo "$mode" >"$HANG"
    t0=$(now_ms)
    ra pmm-storage monitor "${P[@]}" "${REC[@]}" "$@"
    dt=$(($(now_ms) - t0))
    expect "$name: monitor with the device hung" 1 "hung for"
    [[ $REASON == *"$want"* ]] && pass "$name: the reason names $want" || fail "$name: reason '$REASON' lacks '$want'"
    ((dt >= 4000 && dt < 5000)) && pass "$name: answered in $dt ms, within the 5 s timeout (deadline 4.5 s)" ||
        fail "$name: answered in $dt ms (timeout 5 s, deadline 4.5 s)"
    pids=$(agent_pids)
    for p in $pids; do states+="$p:$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) "; done
    [[ -n $pids && $states == *:D* ]] && pass "$name: the I/O child is stuck in the kernel (${states% }), the agent is not" ||
        fail "$name: no stuck I/O child (${states:-none}): was the device hung?"
    rm -f "$HANG"
    t0=$(now_ms)
    if wait_until 10 none_left; then
        pass "$name: un-hung, the stuck child finished in $(($(now_ms) - t0)) ms: no process left"
    else
        fail "$name: a child is still there 10 s after the un-hang: $(agent_pids)"
    fi
    ra pmm-storage monitor "${P[@]}" "${REC[@]}" "$@"
    expect "$name: monitor once the I/O flows again" 0 ""
}

hung_monitor "depth 0 (lease renewal)" rw "I/O to $LOOP"
hung_monitor "depth 10 (superblock, no lease)" rw "I/O to $LOOP" lease=false OCF_CHECK_LEVEL=10
hung_monitor "depth 20 (status file; reads served)" w "I/O to $SRV" lease=false OCF_CHECK_LEVEL=20

ra pmm-storage stop "${P[@]}"
expect "stop" 0 ""
mounted "$SRV" && fail "still mounted after stop" || pass "unmounted after stop"

# ---- start on a device that is hung already: its first look fails in time --
echo rw >"$HANG"
t0=$(now_ms)
ra pmm-storage start "${P[@]}" OCF_RESKEY_CRM_meta_timeout=5000
dt=$(($(now_ms) - t0))
expect "start with the device hung" 1 "I/O to $LOOP hung for"
((dt >= 4000 && dt < 5000)) && pass "start answered in $dt ms, within the 5 s timeout" ||
    fail "start answered in $dt ms (timeout 5 s)"
rm -f "$HANG"
wait_until 10 none_left && pass "un-hung, start's stuck child finished: no process left" ||
    fail "a child is still there 10 s after the un-hang: $(agent_pids)"
mounted "$SRV" && fail "mounted after the failed start" || pass "nothing mounted after the failed start"

# ---- nothing left behind ---------------------------------------------------
losetup -d "$LOOP" && LOOP=
[[ -z $(losetup -j "$FUSE/disk" 2>/dev/null) ]] && pass "loop device detached" || fail "loop device still attached"
umount "$FUSE" && kill "$FS_PID" 2>/dev/null && wait "$FS_PID" 2>/dev/null
FS_PID=
mounted "$FUSE" && fail "hangfs still mounted" || pass "hangfs unmounted"
none_left && pass "no agent process left" || fail "agent processes left: $(agent_pids)"
