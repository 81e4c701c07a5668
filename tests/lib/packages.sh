# SPDX-License-Identifier: GPL-2.0-or-later
# packages.sh - what the build, the tests and the demo need from Debian,
# installed with apt-get when missing (a fresh machine has none of it).
PKGS="autoconf automake libtool pkg-config make gcc libc6-dev libqb-dev
libxml2-dev libxml2-utils xsltproc libcurl4-openssl-dev libjson-c-dev libpq-dev
libblkid-dev libssl-dev libcmocka-dev cppcheck clang-tidy clang-tools-14 strace curl podman
runc buildah pacemaker pacemaker-cli-utils corosync pcs crmsh resource-agents
procps psmisc kmod iproute2 util-linux openssl python3 clang-format e2fsprogs
xfsprogs lvm2 qemu-system-x86 qemu-utils debootstrap busybox-static cpio
libfuse3-dev fuse3 docker.io clang libclang-rt-14-dev faketime iptables
victoria-metrics postgresql postgresql-client"

install_packages() {  # install_packages LOGFILE
    local log=${1:-/dev/null} missing=() p
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    echo "== installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # No service may start from a package's postinst: docker.io's init
    # script would start a dockerd with a docker0 bridge and iptables rules
    # on the host (the tests run their own, see docker-env.sh), corosync's a
    # cluster. This kind ships a policy-rc.d that says so; where there is
    # none, one is there for the install only.
    local policy=/usr/sbin/policy-rc.d made=0 rc
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# pmmha tests/lib/packages.sh: no service starts during the install\nexit 101\n' \
            >"$policy" && chmod 755 "$policy" && made=1
    fi
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1
    rc=$?
    [[ $made == 1 ]] && rm -f "$policy"
    [[ $rc -eq 0 ]] || { tail -20 "$log"; return 1; }
}

