#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-storage under faults, each asserted with its OCF code and exit reason:
# the wrong filesystem, a blank device, a filesystem reaching into the lease
# area, busy mount points, a device that vanishes while mounted, processes
# holding /srv at stop (one ignoring SIGTERM), a second node (its own mount
# namespace, its own node name) racing for the lease while it is held and
# after the holder died, a lease stolen under a running node, fsck, and
# bad parameter values.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/testlib.sh"
. "$HERE/../lib/loopdev.sh"
WORK=$(mktemp -d /tmp/pmmha-st.XXXXXX)
PIDS=()

cleanup() {
    local t
    for t in "${PIDS[@]}"; do kill -KILL "$t" 2>/dev/null; done
    node2_down
    loop_cleanup
}
trap cleanup EXIT

mounted() { awk -v d="$1" '$5 == d {f = 1} END {exit !f}' /proc/self/mountinfo; }
alive() { kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }

# node2: its own mount namespace (tests/lib/loopdev.sh)
node2_up "$WORK/node2"

mkloop main 64 && mkfs.ext4 -q "$LOOP" 63M || { fail "loop set-up"; exit 1; }
DEV=$LOOP
SRV=$WORK/srv
N1=(device="$DEV" fstype=ext4 directory="$SRV" lease_timeout=4s term_grace=1s
    HA_RSCTMP="$WORK/rsc1" OCF_RESKEY_CRM_meta_on_node=node1)
N2=(device="$DEV" fstype=ext4 directory="$SRV" lease_timeout=4s
    HA_RSCTMP="$WORK/rsc2" OCF_RESKEY_CRM_meta_on_node=node2)
n1() { ra pmm-storage "$1" "${N1[@]}" "${@:2}"; }
n2() { AGENT_DIR=$WORK/node2 ra pmm-storage "$1" "${N2[@]}" "${@:2}"; }
REC=(OCF_RESKEY_CRM_meta_interval=1000)
LEASE_TOOL=${LEASE_TOOL:-$(command -v pmmha-lease || echo /usr/sbin/pmmha-lease)}

# ---- the ordinary life, node1 --------------------------------------------
n1 monitor
expect "probe before start" 7 ""
n1 start
expect "start" 0 ""
mounted "$SRV" && pass "mounted on $SRV" || fail "not mounted after start"
n1 monitor "${REC[@]}"
expect "monitor depth 0" 0 ""
n1 monitor "${REC[@]}" OCF_CHECK_LEVEL=10
expect "monitor depth 10" 0 ""
n1 monitor "${REC[@]}" OCF_CHECK_LEVEL=20
expect "monitor depth 20" 0 ""
sz=$(stat -c %s "$SRV/.pmmha-storage-status" 2>/dev/null)
[[ -n $sz && $sz -lt 100 ]] && pass "depth 20 wrote a tiny hidden status file ($sz bytes)" ||
    fail "no status file after depth 20"
# a monitor interval beyond half of lease_timeout (as ocf-tester's 20 s
# against the 30 s default): the lease lasts three intervals, never rc 6
n1 monitor OCF_RESKEY_CRM_meta_interval=3000
expect "monitor every 3 s with lease_timeout=4s" 0 ""
[[ $ERR == *"needs a lease of 9s, not lease_timeout's 4s"* ]] &&
    pass "the longer lease is logged: $(grep -o 'a monitor every.*' <<<"$ERR" | head -1 | cut -c1-90)" ||
    fail "no warning of the longer lease: $ERR"
grep -q '^duration: *9000 ms' < <("$LEASE_TOOL" show "$DEV") &&
    pass "the record says 9000 ms, so a taker waits that long" ||
    fail "lease record: $("$LEASE_TOOL" show "$DEV" | grep duration)"
n1 monitor OCF_RESKEY_CRM_meta_interval=3000
[[ $ERR != *"needs a lease"* ]] && pass "logged once, not at every monitor" || fail "logged again: $ERR"
n1 monitor OCF_RESKEY_CRM_meta_interval=3000 OCF_CHECK_LEVEL=10
grep -q '^duration: *9000 ms' < <("$LEASE_TOOL" show "$DEV") &&
    pass "a deeper monitor keeps the longer duration" ||
    fail "after a depth-10 monitor: $("$LEASE_TOOL" show "$DEV" | grep duration)"
n1 monitor "${REC[@]}"
grep -q '^duration: *4000 ms' < <("$LEASE_TOOL" show "$DEV") &&
    pass "a monitor every second writes lease_timeout's 4000 ms again" ||
    fail "after a 1 s monitor: $("$LEASE_TOOL" show "$DEV" | grep duration)"
n1 start
expect "start again (idempotent)" 0 ""

# ---- node2 while node1 holds the lease ------------------------------------
n2 monitor
expect "node2 probe: not mounted there" 7 ""
n1 monitor "${REC[@]}"
n2 start OCF_RESKEY_CRM_meta_timeout=3000
expect "node2 start while node1 holds the lease" 1 "node node1 holds the lease"
[[ $REASON == *"live until"* ]] && pass "the refusal says when the lease expires" || fail "reason: $REASON"

# ---- node1 dies without releasing: node2 waits for the expiry ------------
n1 monitor "${REC[@]}"
t_renew=$(now_ms)
# the holder is gone: no stop, no release, no renewal; its /run (HA_RSCTMP)
# is gone with it, as after a crash and reboot
umount "$SRV" && rm -rf "$WORK/rsc1"
n2 start OCF_RESKEY_CRM_meta_timeout=3000
expect "node2 start right after node1 died, 3 s timeout (the lease outlives it)" 1 "node node1 holds the lease"
# with time to spare, start watches the silent lease lapse (renewal + 4 s
# lease + 2 s skew) and takes it: no failed start, no fail-count
n2 start
expect "node2 start waits out the dead holder's lease" 0 ""
dt=$(($(now_ms) - t_renew))
n2 monitor "${REC[@]}"
expect "node2 took over after the lease expired" 0 ""
((dt >= 5500 && dt < 9000)) && pass "node2 mounted ${dt} ms after node1's last renewal (lease 4 s + skew 2 s)" ||
    fail "node2 mounted ${dt} ms after node1's last renewal (expected ~6 s)"
mounted "$SRV" && fail "node2's mount leaked into node1's namespace" || pass "node2's mount is in node2's namespace"
n1 monitor "${REC[@]}"
expect "node1 monitor after node2 took over (not mounted on node1)" 7 "is not mounted"
n2 monitor "${REC[@]}"
n1 start OCF_RESKEY_CRM_meta_timeout=3000
expect "node1 start while node2 holds the lease" 1 "node node2 holds the lease"
n2 stop
expect "node2 stop" 0 ""
n2 monitor
expect "node2 probe after stop" 7 ""

# ---- node1 and node2 start at the same moment: exactly one goes on -------
(n1 start; echo "$RC ${REASON:-}" >"$WORK/race1") &
r1=$!
(n2 start; echo "$RC ${REASON:-}" >"$WORK/race2") &
wait "$r1" $!
read -r rc1 why1 <"$WORK/race1"
read -r rc2 why2 <"$WORK/race2"
if [[ $rc1 == 0 && $rc2 != 0 ]] || [[ $rc1 != 0 && $rc2 == 0 ]]; then
    pass "racing starts: exactly one node won (node1 rc $rc1, node2 rc $rc2: ${why1}${why2})"
else
    fail "racing starts: node1 rc $rc1 ($why1), node2 rc $rc2 ($why2)"
fi
n1 stop
expect "node1 stop after the race" 0 ""
n2 stop
expect "node2 stop after the race" 0 ""

# ---- a lease stolen under a running node ------------------------------------
n1 start
expect "node1 start after node2 released" 0 ""
python3 - "$DEV" <<'PY'
import os, struct, sys, time, zlib
dev = sys.argv[1]
fd = os.open(dev, os.O_RDWR | os.O_DIRECT | os.O_SYNC)
size = os.lseek(fd, 0, os.SEEK_END)
off = (size & ~4095) - (1 << 20)
rec = bytearray(512)
struct.pack_into("<8sIIQQI", rec, 0, b"PMMHALSE", 1, 0, 1000,
                 time.time_ns() - 60 * 10**9, 4000)
rec[40:45] = b"node3"
struct.pack_into("<I", rec, 508, zlib.crc32(bytes(rec[:508])))
buf = __import__("mmap").mmap(-1, 4096)
buf.write(bytes(rec) + bytes(4096 - 512))
os.pwritev(fd, [buf], off)
os.close(fd)
PY
n1 monitor "${REC[@]}"
expect "monitor after node3 wrote the lease" 1 "node node3 holds the lease now"
n1 stop
expect "stop with a stolen lease (unmount proven)" 0 ""

# ---- processes holding /srv at stop --------------------------------------
n1 start
expect "start (for the busy stop)" 0 ""
(cd "$SRV" && exec sleep 100000) &
p_cwd=$!
sleep 100000 3>"$SRV/held-open" &
p_fd=$!
(cd "$WORK" && exec sleep 100000) & # cwd next to the mount, not under it
p_out=$!
PIDS+=("$p_cwd" "$p_fd" "$p_out")
disown "$p_cwd" "$p_fd" "$p_out"
sleep 0.2
n1 stop force_unmount=false
expect "busy stop with force_unmount=false" 1 "(force_unmount=false)"
mounted "$SRV" && pass "still mounted after the refused stop" || fail "unmounted although busy"
t0=$(now_ms)
n1 stop
dt=$(($(now_ms) - t0))
expect "stop with processes using the filesystem" 0 ""
! alive "$p_cwd" && ! alive "$p_fd" && pass "the processes with cwd and an open file on it were stopped" ||
    fail "a process using the filesystem survived the stop"
alive "$p_out" && pass "a process whose cwd is next to the mount was left alone" ||
    fail "a process outside the mount was killed"
((dt < 1000)) && pass "SIGTERM sufficed: stop took ${dt} ms, under the 1 s grace" ||
    fail "graceful stop took ${dt} ms"
mounted "$SRV" && fail "still mounted after stop" || pass "unmounted after stop"

n1 start
expect "start (for the SIGTERM-ignoring holder)" 0 ""
(trap '' TERM; cd "$SRV" && exec sleep 100000) &
p_stub=$!
PIDS+=("$p_stub")
disown "$p_stub"
sleep 0.2
t0=$(now_ms)
n1 stop
dt=$(($(now_ms) - t0))
expect "stop with a process ignoring SIGTERM" 0 ""
! alive "$p_stub" && pass "the process ignoring SIGTERM was killed" || fail "it survived"
((dt >= 1000 && dt < 5000)) && pass "SIGKILL came after the 1 s grace (${dt} ms)" ||
    fail "stop took ${dt} ms with a 1 s grace"

# ---- something else in the way ------------------------------------------------
mkloop other 16 && mkfs.ext4 -q "$LOOP" || fail "loop set-up"
OTHER=$LOOP
mkdir -p "$SRV" && mount "$OTHER" "$SRV"
n1 start
expect "another filesystem mounted on the directory" 1 "from $SRV, or pick another directory"
n1 stop
expect "stop leaves another filesystem alone" 0 ""
mounted "$SRV" && pass "the other filesystem is still mounted" || fail "stop unmounted someone else's filesystem"
umount "$SRV"
mkdir -p "$WORK/elsewhere" && mount "$DEV" "$WORK/elsewhere"
n1 start
expect "device already mounted elsewhere" 1 "unmount $DEV from $WORK/elsewhere first"
umount "$WORK/elsewhere"

# ---- what is on the device --------------------------------------------------
mkloop xfs 320 && mkfs.xfs -q "$LOOP" || fail "loop set-up"
ra pmm-storage start device="$LOOP" fstype=ext4 directory="$WORK/x" HA_RSCTMP="$WORK/rsc1"
expect "wrong filesystem type" 5 "holds xfs, not ext4"
ra pmm-storage validate-all device="$LOOP" fstype=ext4 directory="$WORK/x" OCF_CHECK_LEVEL=10
expect "validate-all level 10, wrong type" 5 "holds xfs, not ext4"
ra pmm-storage start device="$LOOP" fstype=xfs directory="$WORK/x" HA_RSCTMP="$WORK/rsc1"
expect "xfs filling its device" 6 "mkfs.xfs -d size=319m"
mkloop blank 16 || fail "loop set-up"
ra pmm-storage start device="$LOOP" fstype=ext4 directory="$WORK/x" HA_RSCTMP="$WORK/rsc1"
expect "blank device" 5 "is blank, not ext4"
mkfs.ext4 -q "$LOOP"
BIG=$LOOP
ra pmm-storage start device="$BIG" fstype=ext4 directory="$WORK/x" HA_RSCTMP="$WORK/rsc1"
expect "ext4 reaching into the lease area" 6 "reaches into the lease area"
[[ $REASON == "resize2fs the ext4 to 15M (mkfs.ext4 if new)"* ]] && pass "the reason gives the size to shrink to, first" || fail "reason: $REASON"
ra pmm-storage validate-all device="$BIG" fstype=ext4 directory="$WORK/x" OCF_CHECK_LEVEL=10
expect "validate-all level 10, no room for the lease" 6 "reaches into the lease area"
ra pmm-storage start device="$BIG" fstype=ext4 directory="$WORK/x" HA_RSCTMP="$WORK/rsc1" lease=false
expect "the same without a lease" 0 ""
ra pmm-storage stop device="$BIG" fstype=ext4 directory="$WORK/x" HA_RSCTMP="$WORK/rsc1" lease=false
expect "stop without a lease" 0 ""
ra pmm-storage start device=/dev/pmmha-nonexistent fstype=ext4 directory="$WORK/x"
expect "device missing" 5 "/dev/pmmha-nonexistent is missing"
ra pmm-storage start device=UUID=00000000-0000-0000-0000-00000000dead fstype=ext4 directory="$WORK/x"
expect "no device with that UUID" 5 "no device on this node has UUID="
uuid=$(blkid -o value -s UUID "$DEV")
ra pmm-storage start device="UUID=$uuid" fstype=ext4 directory="$SRV" HA_RSCTMP="$WORK/rsc1" \
    OCF_RESKEY_CRM_meta_on_node=node1
expect "start by UUID=" 0 ""
ra pmm-storage stop device="UUID=$uuid" fstype=ext4 directory="$SRV" HA_RSCTMP="$WORK/rsc1" \
    OCF_RESKEY_CRM_meta_on_node=node1
expect "stop by UUID=" 0 ""
ra pmm-storage validate-all "${N1[@]}" OCF_CHECK_LEVEL=10
expect "validate-all level 10" 0 ""

# ---- fsck=auto: an ext4 with errors recorded is checked before the mount -----
tune2fs -E force_fsck "$DEV" >/dev/null 2>&1
n1 start
expect "start of an ext4 with errors recorded" 0 ""
[[ $ERR == *"running e2fsck -p"* ]] && pass "e2fsck -p ran before the mount" || fail "no e2fsck: $ERR"
n1 stop
dumpe2fs -h "$DEV" 2>/dev/null | grep -q '^Filesystem state: *clean$' && pass "the filesystem is clean after e2fsck" ||
    fail "the filesystem is not clean"

# ---- a device that vanishes while mounted -------------------------------------
# A loop device cannot be detached while mounted (losetup -d only sets
# autoclear). What a SAN LUN that disappears looks like to the kernel is a
# device whose capacity drops to 0 and whose I/O fails: truncating the
# backing file and LOOP_SET_CAPACITY (losetup -c) does exactly that.
n1 start
expect "start (for the vanishing device)" 0 ""
truncate -s 0 "$WORK/main.img" && losetup -c "$DEV"
n1 monitor "${REC[@]}"
expect "monitor after the device vanished" 1 "(now 0 bytes"
n1 monitor "${REC[@]}" lease=false OCF_CHECK_LEVEL=10
expect "depth 10 (no lease) after the device vanished" 1 "superblock"
n1 stop
expect "stop after the device vanished" 0 ""
mounted "$SRV" && fail "still mounted" || pass "unmounted although the device is gone"

# ---- bad parameter values ---------------------------------------------------
bad() {  # bad PARAM=VALUE REASON
    ra pmm-storage validate-all device="$BIG" fstype=ext4 directory="$WORK/x" "$1"
    expect "bad $1" 6 "$2"
}
bad device=loop0 "give a device path, UUID=... or LABEL=..."
bad device=UUID= "give a device path"
bad directory=/ "not the root directory"
bad directory=srv "absolute path"
bad directory=/mnt/../srv "absolute path"
bad directory=/mnt/srv/ "canonical path"
bad directory=/mnt/.. "absolute path"   # the root directory, by another name
bad directory=/mnt/./srv "canonical path"
bad fstype=btrfs "fstype=btrfs is not one of: ext4 ext3 ext2 xfs"
bad options=noatime,bind "drop 'bind': remount, bind"
bad options=remount "drop 'remount'"
bad fsck=always "fsck=always is not one of: auto never"
bad lease=maybe "not a boolean"
bad lease_device=sdb "absolute path"
bad lease_timeout=1s "between 2s and 3600s"
bad lease_timeout=soon "is not a time"
bad force_unmount=yes "is not one of: safe true false"
bad term_grace=forever "is not a time"
ra pmm-storage validate-all device="$BIG" directory="$WORK/x"
expect "fstype not set" 6 "required parameter fstype is not set"
ra pmm-storage validate-all fstype=ext4 directory="$WORK/x"
expect "device not set" 6 "required parameter device is not set"
