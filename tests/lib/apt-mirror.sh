# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# apt-mirror.sh - the Debian mirror this machine's apt already uses, for the
# test images built with debootstrap (tests/pmm-shape, tests/vm). No host
# is written in this tree.

# apt_uri SUFFIX: the first URIs:/deb entry of the apt sources whose path
# ends in /debian SUFFIX ("" for the archive, "-security" for security
# updates); nothing when there is none
apt_uri() {
    {
        grep -hE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
            sed 's/^[[:space:]]*URIs:[[:space:]]*//' | tr ' ' '\n' || true
        grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '{for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' || true
    } | grep -E "/debian$1/?\$" | head -1 || true
}
