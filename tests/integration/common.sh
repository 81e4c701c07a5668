# SPDX-License-Identifier: GPL-2.0-or-later
# common.sh - what the pmm-server integration tests share: podman set up for
# this machine, the stand-in images, a podman API service on a test socket,
# a scratch /srv, and cleanup of exactly what the test made.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib/testlib.sh"
. "$TOP/tests/lib/podman-env.sh"

SOCK=/run/pmmha-test/podman.sock
IMG=docker.io/percona/pmm-server:2.42.0
IMG_OLD=docker.io/percona/pmm-server:2.41.0
WORK=$(mktemp -d /tmp/pmmha-it.XXXXXX)
CT=pmmha-it-$$
mkdir -p "$WORK/srv"

setup_podman() {
    podman_env_setup || return 1
    "$TOP/tests/stub/build-images" >"$WORK/build-images.log" 2>&1 ||
        { cat "$WORK/build-images.log"; return 1; }
    mkdir -p "$(dirname "$SOCK")"
    podman_api_start "$SOCK"
}

cleanup() {
    podman rm -f "$CT" >/dev/null 2>&1
    [[ ${KEEP_API:-0} == 1 ]] || podman_api_stop "$SOCK" >/dev/null 2>&1
    rm -rf "$WORK"
}

# the parameters most tests share; env_file makes the stand-in quick
printf 'STUB_READY_DELAY=0.5\nPMM_TEST_SECRET=s3cret\n' >"$WORK/pmm.env"
BASE=(image="$IMG" name="$CT" volume="$WORK/srv" env_file="$WORK/pmm.env"
      runtime_socket="$SOCK" HA_RSCTMP="$WORK/rsctmp")

# cluster_down_checked: takes the test's cluster ($C, PMM_BASE, PMM_PREFIX,
# PMM_DISK) down and checks that nothing of it is left.
cluster_down_checked() {
    local left=""
    "$C" down >/dev/null 2>&1
    ip netns list | grep -q "^pmmha-$PMM_PREFIX" && left+=" netns"
    [[ -e /sys/fs/cgroup/unified/pmmha-$PMM_PREFIX || -e /sys/fs/cgroup/pmmha-$PMM_PREFIX ]] && left+=" cgroup"
    losetup -j "$PMM_BASE/disk.img" 2>/dev/null | grep -q . && left+=" loop"
    [[ -n ${PMM_DISK:-} ]] && losetup "$PMM_DISK" 2>/dev/null | grep -q "$PMM_BASE" && left+=" $PMM_DISK"
    [[ -e $PMM_BASE ]] && left+=" base-dir"
    pgrep -f "cluster _init ${PMM_PREFIX}[0-9]" >/dev/null && left+=" processes"
    [[ -z $left ]] && pass "cluster down: nothing left behind" || fail "cluster down left:$left"
}
