#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Image consistency across nodes (issue 4, drill 6), in a real 2-node
# cluster: every node publishes its image for the configured reference as
# a node attribute; a node whose tag resolves to another image than the one
# that wrote /srv is refused with OCF_ERR_INSTALLED, so Pacemaker bans it for
# the resource: PMM never runs there, and crm_mon says why.
. "$(dirname "$0")/common.sh"
C=$TOP/tests/cluster/cluster
IMG42=docker.io/percona/pmm-server:2.42.0
SRV=/var/tmp/pmmha-guard/srv
trap '"$C" down >/dev/null 2>&1; rm -rf /var/tmp/pmmha-guard "$WORK"' EXIT
X() { "$C" exec "$@"; }
attr() { X pmm1 crm_attribute -N "$1" -n pmmha-image-pmm -l reboot -G -q 2>/dev/null; }
where_is_any() { [[ -n $(where) ]]; }
attr_is() { [[ $(attr "$1") == "$2" ]]; }
where_is() { [[ $(where) == "$1" ]]; }
where() { X pmm1 crm_resource --locate -r pmm 2>/dev/null | awk '/is running on/{print $NF}'; }

"$TOP/tests/stub/build-images" >"$WORK/build.log" 2>&1 || { fail "stand-in images"; exit 1; }
rm -rf /var/tmp/pmmha-guard && mkdir -p "$SRV"
"$C" up 2 >"$WORK/up.log" 2>&1 || { fail "cluster up: $(tail -3 "$WORK/up.log")"; exit 1; }
pass "2-node cluster up"
X pmm1 pcs stonith create fence-ns fence_pmmns pcmk_host_list="pmm1 pmm2" \
    op monitor interval=30s >/dev/null
X pmm1 pcs resource create pmm ocf:pmmha:pmm-server image=$IMG42 volume=$SRV \
    run_opts="--network host" op monitor interval=5s timeout=20s >/dev/null
if wait_until 60 where_is_any; then A=$(where); pass "pmm started on $A"; else fail "pmm did not start"; exit 1; fi
B=pmm1; [[ $A == pmm1 ]] && B=pmm2
id=$(X "$A" podman image inspect $IMG42 --format '{{.Id}}')
wait_until 20 attr_is "$A" "$id" && wait_until 20 attr_is "$B" "$id" &&
    pass "both nodes publish pmmha-image-pmm=${id:0:12} (crm_mon -A shows it)" ||
    fail "attributes: $A=$(attr "$A") $B=$(attr "$B"), expected $id"
wait_until 20 grep -q "image_id=$id" "$SRV/.pmmha-image" && grep -q "node=$A" "$SRV/.pmmha-image" &&
    pass "the data records the image that runs on it ($SRV/.pmmha-image)" || fail "no marker in $SRV"

# Node B's tag now names another image (an operator pulled the wrong one)
X "$B" podman tag docker.io/percona/pmm-server:2.41.0 $IMG42
bad=$(X "$B" podman image inspect $IMG42 --format '{{.Id}}')
X pmm1 crm_resource --refresh -r pmm -N "$B" >/dev/null 2>&1
wait_until 20 attr_is "$B" "$bad" && pass "$B's probe publishes its different image ${bad:0:12}" ||
    fail "$B publishes $(attr "$B"), expected $bad"

X "$A" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=pmm OCF_RESKEY_CRM_meta_on_node="$A" \
    OCF_RESKEY_image=$IMG42 OCF_RESKEY_volume=$SRV OCF_RESKEY_run_opts="--network host" \
    OCF_CHECK_LEVEL=10 /usr/lib/ocf/resource.d/pmmha/pmm-server validate-all 2>"$WORK/v.err"
rc=$?
reason=$(grep ocf-exit-reason "$WORK/v.err" | tail -1)
[[ $rc == 5 && $reason == *"$B has ${bad:0:12}"* ]] && pass "validate-all depth 10 on $A reports $B (rc 5: ${reason#*:})" ||
    fail "validate-all: rc $rc, $reason"

# Fail over: B must refuse, be banned, and never run PMM
t0=$(now_ms)
X pmm1 crm_attribute -N "$A" -n standby -v on >/dev/null
wait_until 60 bash -c "'$C' exec pmm1 crm_mon -1 2>/dev/null | grep -q 'pull the same image'" &&
    pass "the failed start on $B shows in crm_mon: $(X pmm1 crm_mon -1 | grep -o 'not installed.*(pull the same image[^)]*)' | head -1)" ||
    fail "no refusal visible in crm_mon: $(X pmm1 crm_mon -1 | grep -A3 'Failed')"
sleep 3
[[ -z $(where) ]] && pass "pmm runs nowhere while $A is in standby (not on $B)" || fail "pmm runs on $(where)"
[[ -z $(X "$B" podman ps -q) ]] && pass "no container ever ran on $B" || fail "a container runs on $B"
fc=$(X pmm1 crm_failcount -G -q -r pmm -N "$B" 2>/dev/null)
[[ $fc == INFINITY ]] && pass "$B is banned for pmm (fail count INFINITY), no crash loop" || fail "fail count on $B: $fc"
X pmm1 crm_attribute -N "$A" -n standby -v off >/dev/null
wait_until 60 where_is "$A" && pass "unstandby: pmm back on $A in $(( ($(now_ms) - t0) / 1000 )) s" ||
    fail "pmm not back on $A: $(where)"
