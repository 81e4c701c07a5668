#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PMM Server as a hot standby with pmmha: pmm-server as a promotable clone.
# Every node runs the same PMM image on its own local volume (no shared
# storage); the promoted instance is the PMM everyone uses and the virtual
# IP follows it; every other instance is a warm standby whose stores
# pmmha-replicator keeps in sync, so a failover is a promote (seconds), not
# a cold start on a moved disk. Run on one cluster node, as root, after
# stonith is configured (the agent refuses to run without fencing unless
# told otherwise) and the credentials files are on every node.
#
#   VIP=192.0.2.10 PEERS="pmm1=10.0.0.1 pmm2=10.0.0.2" ./pcs-promotable.sh
#
# Settings (environment):
#   VIP      the virtual IP (required); CIDR its prefix length (default 24)
#   PEERS    NODE=ADDRESS of every node, the addresses the replicator uses
#            (default: none, the node names resolve)
#   NODES    how many nodes run an instance (default 2)
#   IMAGE    the PMM image, pre-pulled on every node
#            (default docker.io/percona/pmm-server:2.42.0)
#   VOLUME   each node's own PMM data directory (default /srv/pmm)
#   AUTH     directory of the replicator's credentials files, on every node,
#            mode 0600: vm-auth (PMM's admin user:password, for
#            /prometheus), pg-auth and ch-auth (the PostgreSQL role and the
#            ClickHouse user opened to the peers; README, "what to open
#            between the nodes") (default /etc/pmmha)
#   VM_URL   the peers' VictoriaMetrics, {peer} for a node's address
#            (default https://{peer}/prometheus)
#   TLS_CA   a CA bundle to verify the peers' certificates (default: none)
#   MAX_LAG  a standby further behind is not promotable (default 300s)
#   REPL_INTERVAL, REPL_SETTLE  the replicator's cycle and settle time
#            (defaults 5s and 10s: a crash loses about their sum)
#   ENV_FILE PMM's environment file on every node (default: none)
#   RUN_OPTS extra container options (default "--network host": the
#            replicator reaches the local stores on 127.0.0.1)
set -euo pipefail
: "${VIP:?set VIP}"
CIDR=${CIDR:-24}
NODES=${NODES:-2}
IMAGE=${IMAGE:-docker.io/percona/pmm-server:2.42.0}
VOLUME=${VOLUME:-/srv/pmm}
AUTH=${AUTH:-/etc/pmmha}
VM_URL=${VM_URL:-https://{peer\}/prometheus}
MAX_LAG=${MAX_LAG:-300s}
REPL_INTERVAL=${REPL_INTERVAL:-5s}
REPL_SETTLE=${REPL_SETTLE:-10s}
RUN_OPTS=${RUN_OPTS:---network host}

# as pcs cluster setup would: resources stay where they run
pcs resource defaults update resource-stickiness=1 >/dev/null

# the role monitors need distinct intervals; promote returns when readyz
# answers 200; notify carries a switchover's final catch-up
pcs resource create pmm ocf:pmmha:pmm-server mode=promotable \
    image="$IMAGE" volume="$VOLUME" ${PEERS:+peers="$PEERS"} \
    repl_vm_url="$VM_URL" repl_vm_auth_file="$AUTH/vm-auth" \
    repl_pg_auth_file="$AUTH/pg-auth" repl_ch_auth_file="$AUTH/ch-auth" \
    ${TLS_CA:+repl_tls_ca="$TLS_CA"} max_lag="$MAX_LAG" \
    repl_interval="$REPL_INTERVAL" repl_settle="$REPL_SETTLE" \
    ${ENV_FILE:+env_file="$ENV_FILE"} run_opts="$RUN_OPTS" \
    op start timeout=300s op stop timeout=300s \
    op promote timeout=120s op demote timeout=120s op notify timeout=120s \
    op monitor role=Promoted interval=9s timeout=30s \
    op monitor role=Unpromoted interval=11s timeout=30s \
    promotable promoted-max=1 promoted-node-max=1 clone-max="$NODES" \
    clone-node-max=1 notify=true
# the virtual IP where PMM is promoted, up only once it is
pcs resource create pmm-vip ocf:heartbeat:IPaddr2 ip="$VIP" cidr_netmask="$CIDR" \
    op monitor interval=10s timeout=20s
pcs constraint colocation add pmm-vip with Promoted pmm-clone INFINITY
pcs constraint order promote pmm-clone then start pmm-vip symmetrical=false \
    kind=Mandatory
# Optional, not Mandatory: with a Mandatory one, pcs resource disable
# pmm-clone leaves the virtual IP up and blocked where PMM no longer runs
# (Pacemaker 2.1); in a switchover it still stops after the demote
pcs constraint order demote pmm-clone then stop pmm-vip symmetrical=false \
    kind=Optional
