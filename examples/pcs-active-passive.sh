#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PMM Server Active/Passive with pmmha agents, as PMM's Pacemaker guide
# builds it with the stock agents: one resource group "pmm" of
#   [lvm-sysid]  the volume group, owned by one node through its system ID
#   pmm-storage  PMM's /srv on the shared device (a lease guards it)
#   IPaddr2      the virtual IP clients and PMM clients use
#   pmm-server   the container, started when PMM is really ready
# Run on one cluster node, as root, after stonith is configured.
#
#   DEVICE=/dev/pmm_vg/pmm_lv VG=pmm_vg VIP=192.0.2.10 ./pcs-active-passive.sh
#
# Settings (environment):
#   DEVICE   the shared block device holding PMM's /srv (required)
#   FSTYPE   its filesystem, ext4 or xfs (default ext4)
#   VG       an LVM volume group to put lvm-sysid in front (default: none,
#            for a plain shared device; needs device-mapper on the nodes)
#   VIP      the virtual IP (required); CIDR its prefix length (default 24)
#   IMAGE    the PMM image, pre-pulled on every node
#            (default docker.io/percona/pmm-server:2.42.0)
#   SRV      the mount point (default /mnt/pmm-server/srv)
#   ENV_FILE PMM's environment file on every node (default: none)
#   RUN_OPTS extra container options (default: none; "--network host" when
#            the nodes have no container bridge network)
set -euo pipefail
: "${DEVICE:?set DEVICE to the shared block device}" "${VIP:?set VIP}"
FSTYPE=${FSTYPE:-ext4}
CIDR=${CIDR:-24}
IMAGE=${IMAGE:-docker.io/percona/pmm-server:2.42.0}
SRV=${SRV:-/mnt/pmm-server/srv}

# as pcs cluster setup would: resources stay where they run
pcs resource defaults update resource-stickiness=1 >/dev/null

if [[ -n ${VG:-} ]]; then
    pcs resource create pmm-vg ocf:pmmha:lvm-sysid vgname="$VG" \
        op monitor interval=10s timeout=30s --group pmm
fi
pcs resource create pmm-storage ocf:pmmha:pmm-storage \
    device="$DEVICE" directory="$SRV" fstype="$FSTYPE" \
    op monitor interval=10s timeout=20s --group pmm
pcs resource create pmm-vip ocf:heartbeat:IPaddr2 ip="$VIP" cidr_netmask="$CIDR" \
    op monitor interval=10s timeout=20s --group pmm
pcs resource create pmm-server ocf:pmmha:pmm-server \
    image="$IMAGE" volume="$SRV" ${ENV_FILE:+env_file="$ENV_FILE"} \
    ${RUN_OPTS:+run_opts="$RUN_OPTS"} \
    op start timeout=300s op stop timeout=300s \
    op monitor interval=10s timeout=30s \
    op monitor interval=30s timeout=30s OCF_CHECK_LEVEL=10 \
    --group pmm
