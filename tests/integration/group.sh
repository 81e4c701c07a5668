# SPDX-License-Identifier: GPL-2.0-or-later
# group.sh - sourced by the cluster drills: a cluster (2 nodes unless told)
# with stonith and PMM's Active/Passive group created by
# examples/pcs-active-passive.sh as written (shared disk, /srv, VIP,
# pmm-server), plus helpers.
#   GROUP_ENV    extra lines for PMM's env_file (e.g. STUB_SEQ_FILE=...)
#   GROUP_NODES  how many nodes (default 2; 3 for quorum without two_node)
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
C=$TOP/tests/cluster/cluster
DIR=/var/tmp/pmmha-drills-${PMM_PREFIX:-pmm}
trap '"$C" down >/dev/null 2>&1; rm -rf "$DIR" "$WORK"' EXIT
X() { "$C" exec "$@"; }
where() { X "${VIEW:-$N1}" crm_resource --locate -r pmm-server 2>/dev/null | awk '/is running on/{print $NF; exit}'; }
runs_on() { [[ $(where) == "$1" ]]; }
runs_off() { local w; w=$(where); [[ -n $w && $w != "$1" ]]; }
not_200() { ! is_200; }
is_200() { [[ $("$C" hub curl -s -m 1 -o /dev/null -w '%{http_code}' "http://$VIP/v1/readyz") == 200 ]]; }
other() { for n in $PMM_NODES; do [[ $n != "$1" ]] && echo "$n"; done; }
secs() { printf '%d.%02d s' $(($1 / 1000)) $(($1 % 1000 / 10)); }
placed() { [[ -n $(where) ]]; }
mounts_of() { X "$1" grep -c " $SRV " /proc/self/mountinfo; }

group_up() {
    "$TOP/tests/stub/build-images" >"$WORK/build.log" 2>&1 || { fail "stand-in images"; return 1; }
    "$C" up "${GROUP_NODES:-2}" >"$WORK/up.log" 2>&1 || { fail "cluster up: $(tail -3 "$WORK/up.log")"; return 1; }
    eval "$("$C" env)"
    read -r N1 N2 N3 _ <<<"$PMM_NODES"
    VIP=${PMM_NET}.100
    SRV=/mnt/pmm-server/srv
    mkdir -p "$DIR" && printf 'STUB_READY_DELAY=0\n%s' "${GROUP_ENV:+$GROUP_ENV
}" >"$DIR/pmm.env"
    # the lease lives in the disk's last MiB
    mkfs.ext4 -q -F "$PMM_DISK" "$(($(blockdev --getsize64 "$PMM_DISK") / 1024 - 1024))"
    X "$N1" pcs stonith create fence-nodes fence_pmmns pcmk_host_list="$PMM_NODES" \
        op monitor interval=30s >/dev/null
    if ! X "$N1" env DEVICE="$PMM_DISK" VIP="$VIP" ENV_FILE="$DIR/pmm.env" RUN_OPTS="--network host" \
        "$TOP/examples/pcs-active-passive.sh" >"$WORK/pcs.log" 2>&1; then
        fail "examples/pcs-active-passive.sh: $(tail -3 "$WORK/pcs.log")"
        return 1
    fi
    pass "examples/pcs-active-passive.sh created the group"
    if ! wait_until 90 is_200; then
        fail "no 200 through $VIP: $(X "$N1" crm_mon -1 | tail -15)"
        return 1
    fi
    pass "PMM answers 200 through $VIP from $(where)"
}
