#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf-tester for pmm-storage on loop devices: ext4 and XFS, the lease in
# the device's last MiB, and ext4 with the lease on a separate device.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/testlib.sh"
. "$HERE/../lib/loopdev.sh"
WORK=$(mktemp -d /tmp/pmmha-st.XXXXXX)
trap loop_cleanup EXIT

tester() {  # tester NAME PARAM...
    local name=$1 o=() kv
    shift
    for kv in "$@"; do o+=(-o "$kv"); done
    # as documented, nothing added: ocf-tester monitors every 20 s, which
    # the 30 s default lease must cope with
    if ocf-tester -n "st-$$" "${o[@]}" "$AGENT_DIR/pmm-storage" >"$WORK/tester.log" 2>&1; then
        pass "ocf-tester: $name"
    else
        fail "ocf-tester: $name: $(grep -iE 'error|fail' "$WORK/tester.log" | head -3 | tr '\n' ' ')"
        sed 's/^/    /' "$WORK/tester.log" | tail -20
    fi
}

mkloop ext4 64 && mkfs.ext4 -q "$LOOP" 63M || { fail "ext4 loop set-up"; exit 1; }
tester "ext4, lease in the last MiB" device="$LOOP" fstype=ext4 directory="$WORK/ext4"
mkloop xfs 320 && mkfs.xfs -q -d size=319m "$LOOP" || { fail "xfs loop set-up"; exit 1; }
tester "xfs, lease in the last MiB" device="$LOOP" fstype=xfs directory="$WORK/xfs" options=noatime
mkloop ext4full 64 && mkfs.ext4 -q "$LOOP" || { fail "ext4 loop set-up"; exit 1; }
data=$LOOP
mkloop lease 1 || { fail "lease loop set-up"; exit 1; }
tester "ext4 filling its device, lease_device" device="$data" fstype=ext4 \
    directory="$WORK/ext4full" lease_device="$LOOP"
