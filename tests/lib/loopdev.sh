# SPDX-License-Identifier: GPL-2.0-or-later
# loopdev.sh - loop devices on sparse files under $WORK for the storage
# tests, and their cleanup: every mount under $WORK, then every loop device
# made here, then $WORK.
LOOPS=()

mkloop() {  # mkloop NAME MiB: a loop device on a sparse file, in $LOOP
    truncate -s "$2M" "$WORK/$1.img" && LOOP=$(losetup -f --show "$WORK/$1.img") &&
        LOOPS+=("$LOOP")
}

loop_cleanup() {
    local t
    for t in $(awk -v w="$WORK" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
        umount "$t" 2>/dev/null || umount -l "$t"
    done
    for t in "${LOOPS[@]}"; do losetup -d "$t" 2>/dev/null; done
    rm -rf "$WORK"
}
