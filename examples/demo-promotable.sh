# SPDX-License-Identifier: GPL-2.0-or-later
# examples/demo-promotable.sh - steps 3 to 5 of `examples/demo --promotable`
# (sourced by examples/demo once the agents are built and installed): PMM
# as a promotable clone, a hot standby with no shared storage, on the PMM
# stand-in with PMM's real stores (tests/pmm-shape: VictoriaMetrics,
# PostgreSQL, ClickHouse, a writer producing metrics, inventory changes and
# QAN rows every second), in a 2-node cluster; a switchover and a crash
# drill, each with its failover time and its measured data loss.
. "$TOP/tests/lib/shape.sh"
AUTH=$PMM_BASE/auth
CREDS=$PMM_BASE/creds
promoted() {
    X "${VIEW:-node1}" crm_resource --locate -r pmm-clone 2>/dev/null |
        awk '/is running on/ && /Promoted/ {sub(/.*running on: */, ""); print $1; exit}'
}
promoted_on() { [[ $(promoted) == "$1" ]]; }
attr() { X "${VIEW:-node1}" attrd_updater -Q -n "pmmha-$2-pmm" -N "$1" 2>/dev/null | sed -n 's/.*value="\([^"]*\)".*/\1/p'; }
streaming() { [[ $(attr "$1" repl) == streaming ]]; }
other() { for n in $PMM_NODES; do [[ $n != "$1" ]] && echo "$n"; done; }
# the newest pmm_shape_sample on NODE at or before unix second T, in ms
newest_at() {
    X "$1" podman exec pmm-server curl -sS -m 10 -G http://127.0.0.1:9090/prometheus/api/v1/query \
        --data-urlencode "query=max(timestamp(pmm_shape_sample @ $2))" 2>/dev/null |
        python3 -c 'import sys, json; r = json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1]) * 1000) if r else 0)' 2>/dev/null
}

say "3/5 the PMM stand-in with PMM's real stores (built from Debian packages) and a 2-node cluster"
tests/pmm-shape/build.sh 2 >>"$LOG" 2>&1 || die "stand-in build failed: see $LOG"
"$C" up 2 >>"$LOG" 2>&1 || die "cluster up failed: see $LOG"
eval "$("$C" env)"
ips=""
i=0
for n in $PMM_NODES; do
    i=$((i + 1))
    ips+="${ips:+ }$n=$PMM_NET.$i"
    X "$n" mkdir -p /srv/pmm
done
# the credentials: the stand-in's (mounted into it) and the replicator's
# files, 0600, as an operator installs them on every node
_shape_creds "$CREDS" || die "credentials"
mkdir -p "$AUTH" && chmod 700 "$AUTH"
(umask 077
 cp "$CREDS/vm-auth" "$AUTH/vm-auth"
 printf '%s:%s\n' "$SHAPE_PG_USER" "$SHAPE_PG_PW" >"$AUTH/pg-auth"
 printf '%s:%s\n' "$SHAPE_CH_USER" "$SHAPE_CH_PW" >"$AUTH/ch-auth")
echo "   nodes: $PMM_NODES, each with its own /srv/pmm (no shared disk); virtual IP $VIP"

say "4/5 stonith and the promotable clone, through pcs (examples/pcs-promotable.sh)"
X node1 pcs stonith create fence-nodes fence_pmmns pcmk_host_list="$PMM_NODES" \
    op monitor interval=30s >>"$LOG" 2>&1 || die "stonith failed: see $LOG"
t0=$(now_ms)
X node1 env VIP="$VIP" PEERS="$ips" IMAGE=localhost/pmmha-shape:2.42.0 VOLUME=/srv/pmm \
    AUTH="$AUTH" VM_URL='http://{peer}/prometheus' REPL_INTERVAL=2s REPL_SETTLE=4s \
    RUN_OPTS="--network host -v $CREDS:/etc/pmm-shape/creds:ro -e PMM_SHAPE_PEER_NET=$PMM_NET.0/24 -e PMM_SHAPE_WARMUP=3 -e PMM_SHAPE_SERIES=100 -e PMM_SHAPE_INV_INTERVAL=1 -e PMM_SHAPE_QAN_INTERVAL=1" \
    "$TOP/examples/pcs-promotable.sh" >>"$LOG" 2>&1 || die "pcs failed: see $LOG"
wait_for 180 is_200 || die "PMM did not answer through $VIP: $(X node1 crm_mon -1)"
A=$(promoted) B=$(other "$A")
echo "   PMM promoted on $A, answering through $VIP $(secs $(($(now_ms) - t0))) after the pcs commands began"
t0=$(now_ms)
wait_for 180 streaming "$B" || die "$B does not stream from $A: $(X node1 crm_mon -1A)"
echo "   $B completed its initial sync and streams from $A ($(secs $(($(now_ms) - t0)))): lag $(attr "$B" lag), score $(X node1 crm_attribute -N "$B" -n master-pmm -l reboot -G -q 2>/dev/null)"
sleep 10

say "5/5 drills: a switchover (standby $A) and a crash of the promoted node"
t0=$(now_ms)
X node1 crm_attribute -N "$A" -n standby -v on >/dev/null
wait_for 120 promoted_on "$B" && wait_for 120 is_200 || die "no switchover to $B: $(X node1 crm_mon -1)"
t_switch=$(($(now_ms) - t0))
# what A's writer wrote while promoted, by its own count (writer.json on
# A's volume, written last at its demote), against what B holds of it
X "$A" cat /srv/pmm/pmm-shape/writer.json >"$PMM_BASE/writer.a" 2>/dev/null || die "no writer record on $A"
first=$(shape_writer "$PMM_BASE/writer.a" metrics.first_ts) last=$(shape_writer "$PMM_BASE/writer.a" metrics.last_ts)
held=$(shape_writer "$PMM_BASE/writer.a" metrics.samples)
have=$(X "$B" podman exec pmm-server sh -c "$(shape_samples_between "$first" "$last")" 2>/dev/null | cut -d' ' -f1)
echo "   switchover: $B promoted, PMM ready through $VIP in $(secs "$t_switch"); of the $held metric"
echo "   samples $A's PMM wrote, $((held - ${have:-0})) missing on $B; published RPO $(attr "$B" rpo)"
X node1 crm_attribute -N "$A" -n standby -v off >/dev/null
wait_for 180 streaming "$A" || die "$A does not come back as a standby"
echo "   $A back as a standby of $B, streaming (lag $(attr "$A" lag))"
sleep 10
VIEW=$A
t_crash=$(now_ms)
"$C" crash "$B"
wait_for 120 promoted_on "$A" && wait_for 120 is_200 || die "no promotion after the crash: $(X "$A" crm_mon -1)"
t_fail=$(($(now_ms) - t_crash))
nb=$(newest_at "$A" $((t_crash / 1000)))
echo "   crash of $B: fenced, $A promoted, PMM ready through $VIP in $(secs "$t_fail") (the cluster's"
echo "   detection and fencing included); data lost: the last $(secs $((t_crash - nb))) of metrics before the"
echo "   crash (the standby's lag; published bound $(attr "$A" rpo))"
"$C" boot "$B" >>"$LOG" 2>&1 && "$C" wait-online --timeout 120 >>"$LOG" 2>&1
wait_for 180 streaming "$B" && echo "   $B rebooted and rejoined as a standby of $A (lag $(attr "$B" lag))" ||
    echo "   $B has not rejoined yet: see crm_mon -1A"
VIEW=node1

cat <<EOF

The cluster is still running. Look around:
  tests/cluster/cluster exec node1 crm_mon -1A        # roles, lag, position, RPO, scores
  tests/cluster/cluster hub curl http://$VIP/v1/readyz
  tests/cluster/cluster exec $A podman exec pmm-server psql -h /run/postgresql -U postgres -d pmm-managed -c 'select count(*) from nodes'
  tests/cluster/cluster exec node1 pcs resource move pmm-clone $B --promoted   # a switchover
  tests/cluster/cluster crash $A                        # pull the plug
  PMM_BASE=$PMM_BASE PMM_PREFIX=$PMM_PREFIX tests/cluster/cluster ...  (the demo's cluster)
Tear it all down with: examples/demo --down
EOF
