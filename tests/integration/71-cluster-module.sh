#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 71-cluster-module.sh - lib/cluster.c against Pacemaker's real tools, in a
# 2-node cluster (tests/cluster/cluster), through tests/cluster/cl-call
# (built in _build, never installed; CL_CALL=PATH to use another):
#   - a node attribute set, read from both nodes, listed, deleted;
#   - a private one readable through attrd and absent from crm_mon -A;
#   - a promotion score set, read, set for the other node, deleted;
#   - membership, stonith-enabled, crm_mon's view, and the fencing rule
#     after a crash (fenced after T, not after T + 60 s);
#   - no cluster (the environment ocf-tester gives): -ENOTCONN at once,
#     no tool spawned, and an agent saying so in one warning.
. "$(dirname "$0")/common.sh"
C=$TOP/tests/cluster/cluster
CL=${CL_CALL:-$TOP/_build/tests/cluster/cl-call}
DIR=/var/tmp/pmmha-it71
trap '"$C" down >/dev/null 2>&1; rm -rf "$DIR" "$WORK"' EXIT
X() { "$C" exec "$@"; }
# cl NODE ARGS...: cl-call as an agent of resource pmmt on NODE
cl() { local n=$1; shift; X "$n" env -i OCF_RESOURCE_INSTANCE=pmmt OCF_RESKEY_CRM_meta_on_node="$n" "$CL" "$@"; }
cib_attr() { X pmm1 crm_attribute -N "$1" -n "$2" -l reboot -G -q 2>/dev/null; }
cib_attr_is() { [[ $(cib_attr "$1" "$2") == "$3" ]]; }
cib_attr_gone() { ! cib_attr "$1" "$2" >/dev/null; }
attrs_shown() { X pmm1 crm_mon -1 -A 2>/dev/null; }
shown() { attrs_shown | grep -q "$1"; }

[[ -x $CL ]] || { fail "cl-call not built at $CL (make in _build)"; exit 1; }
"$C" up 2 >"$WORK/up.log" 2>&1 || { fail "cluster up: $(tail -3 "$WORK/up.log")"; exit 1; }
pass "2-node cluster up"

# ---- node attributes ----------------------------------------------------------
if cl pmm1 set pmmha-it71 hello && [[ $(cl pmm1 get pmmha-it71) == hello ]] &&
    [[ $(cl pmm2 get pmmha-it71 pmm1) == hello ]] && [[ $(cl pmm2 all pmmha-it71) == pmm1=hello ]]; then
    pass "attribute set on pmm1, read back from pmm1 and pmm2, listed (attrd_updater)"
else
    fail "attribute: get '$(cl pmm1 get pmmha-it71 2>&1)', all '$(cl pmm2 all pmmha-it71 2>&1)'"
fi
wait_until 20 cib_attr_is pmm1 pmmha-it71 hello && wait_until 20 shown pmmha-it71 &&
    pass "the attribute reached the CIB (crm_attribute) and crm_mon -A shows it" ||
    fail "CIB: '$(cib_attr pmm1 pmmha-it71)'"
cl pmm1 del pmmha-it71
out=$(cl pmm1 get pmmha-it71 2>&1)
rc=$?
[[ $rc == 1 && $out == *"No such file"* && -z $(cl pmm2 all pmmha-it71) ]] &&
    pass "attribute deleted: get says -ENOENT, all lists no node" || fail "after delete: rc $rc '$out'"
wait_until 20 cib_attr_gone pmm1 pmmha-it71 && pass "the deletion reached the CIB" ||
    fail "CIB still has '$(cib_attr pmm1 pmmha-it71)'"

# ---- a private attribute ---------------------------------------------------------
cl pmm1 set pmmha-it71-private s3cret private && cl pmm1 set pmmha-it71-public visible
if [[ $(cl pmm1 get pmmha-it71-private private) == s3cret && $(cl pmm2 all pmmha-it71-private private) == pmm1=s3cret ]]; then
    pass "private attribute set and read back through attrd (-p)"
else
    fail "private attribute: '$(cl pmm1 get pmmha-it71-private private 2>&1)'"
fi
# once the public one shows, attrd has written what it writes
if wait_until 20 shown pmmha-it71-public && ! shown pmmha-it71-private && ! shown s3cret &&
    cib_attr_gone pmm1 pmmha-it71-private; then
    pass "the private attribute is in neither crm_mon -A nor the CIB (the public one beside it is)"
else
    fail "private attribute visible: $(attrs_shown | grep pmmha-it71)"
fi

# ---- promotion scores ---------------------------------------------------------------
if cl pmm1 promo-set 10 && [[ $(cl pmm1 promo-get) == 10 ]] && wait_until 20 cib_attr_is pmm1 master-pmmt 10; then
    pass "promotion score 10 set on pmm1, read back, master-pmmt=10 in the CIB (crm_attribute --promotion)"
else
    fail "promotion: get '$(cl pmm1 promo-get 2>&1)', CIB '$(cib_attr pmm1 master-pmmt)'"
fi
if cl pmm1 promo-set 20 pmm2 && [[ $(cl pmm1 promo-get pmm2) == 20 && $(cl pmm2 promo-get) == 20 ]]; then
    pass "promotion score for the other node (-N pmm2) set from pmm1, read on pmm2"
else
    fail "promotion on pmm2: '$(cl pmm2 promo-get 2>&1)'"
fi
cl pmm1 promo-del && cl pmm1 promo-del pmm2 && cl pmm1 promo-del
out=$(cl pmm1 promo-get 2>&1)
[[ $? == 1 && $out == *"No such file"* ]] && wait_until 20 cib_attr_gone pmm2 master-pmmt &&
    pass "promotion scores deleted (twice: an absent score is success)" || fail "after promo-del: '$out'"

# ---- membership, fencing ---------------------------------------------------------------
[[ $(cl pmm1 member pmm2) == 1 && $(cl pmm1 member pmm9) == 0 && $(cl pmm1 stonith) == 1 ]] &&
    [[ $(cl pmm1 status | grep -c 'online=1') == 2 ]] &&
    pass "pmm2 a member, pmm9 not; stonith-enabled; crm_mon: both online" ||
    fail "membership: $(cl pmm1 member pmm2) $(cl pmm1 stonith) $(cl pmm1 status | tr '\n' ' ')"
[[ $(cl pmm1 fenced pmm2 0) == "0 a member now" ]] && pass "a member is not fenced" ||
    fail "fenced pmm2: $(cl pmm1 fenced pmm2 0 2>&1)"
X pmm1 pcs stonith create fence-ns fence_pmmns pcmk_host_list="pmm1 pmm2" op monitor interval=30s >/dev/null 2>&1
fenced_pmm2() { X pmm1 stonith_admin --history pmm2 2>/dev/null | grep -q successful; }
wait_until 60 eval '[[ -n $(X pmm1 crm_resource --locate -r fence-ns 2>/dev/null | grep "running on") ]]'
T=$(date +%s)
"$C" crash pmm2
if wait_until 60 fenced_pmm2; then
    f=$(cl pmm1 fenced pmm2 "$T")
    g=$(cl pmm1 fenced pmm2 $((T + 60)))
    [[ $f == "1 fenced at "* && $g == "0 no fencing in the history since "* && $(cl pmm1 member pmm2) == 0 ]] &&
        pass "crash pmm2: fenced after the crash ('$f'), not after T+60 s ('$g')" ||
        fail "fencing rule: '$f' / '$g'"
else
    fail "pmm2 was not fenced"
fi

# ---- no cluster ------------------------------------------------------------------------------
t0=$(now_ms)
out=$(X pmm1 env -i "$CL" set pmmha-it71 x 2>&1)
rc=$? ms=$(($(now_ms) - t0))
X pmm1 env -i strace -f -qq -e trace=execve -o "$DIR.strace" "$CL" status >/dev/null 2>&1
execs=$(grep -c 'execve(' "$DIR.strace" 2>/dev/null)
rm -f "$DIR.strace"
[[ $rc == 2 && $out == *"not connected"* && $execs == 1 ]] &&
    pass "no cluster (no CRM_meta_on_node): -ENOTCONN at once ($ms ms with the node's exec), no tool spawned" ||
    fail "no cluster: rc $rc '$out', $execs execve"
mkdir -p "$DIR/srv"
t0=$(now_ms)
X pmm1 env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=pmm OCF_RESKEY_image="$IMG" \
    OCF_RESKEY_volume="$DIR/srv" OCF_RESKEY_run_opts="--network host" HA_RSCTMP="$DIR/rsctmp" \
    OCF_CHECK_LEVEL=10 "$AGENT_DIR/pmm-server" validate-all 2>"$WORK/v.err"
rc=$? ms=$(($(now_ms) - t0))
w=$(grep -c 'warning: image not published: no cluster' "$WORK/v.err")
[[ $rc == 0 && $w == 1 ]] &&
    pass "pmm-server validate-all as ocf-tester runs it: rc 0 in $ms ms, one warning ($(grep -o 'image not published[^(]*' "$WORK/v.err"))" ||
    fail "validate-all outside the cluster: rc $rc, $w warnings: $(cat "$WORK/v.err")"
exit 0
