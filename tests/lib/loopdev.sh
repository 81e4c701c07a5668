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

# node2_up DIR: a second "node" for the storage tests: its own mount
# namespace in $NS2, made before anything is mounted (so it holds no copy
# of node1's mounts), and DIR/pmm-storage, the agent run inside it.
# node2_down ends it.
NS2=
node2_up() {
    unshare -m --propagation private sleep 100000 &
    NS2=$!
    mkdir -p "$1"
    printf '#!/bin/sh\nexec nsenter -t %s -m -- %s "$@"\n' "$NS2" "$AGENT_DIR/pmm-storage" >"$1/pmm-storage"
    chmod +x "$1/pmm-storage"
    sleep 0.2
}
node2_down() {
    [[ -n $NS2 ]] && kill -KILL "$NS2" 2>/dev/null && wait "$NS2" 2>/dev/null
    NS2=
}
