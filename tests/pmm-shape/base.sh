#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# base.sh ROOTFS MIRROR SECMIRROR PACKAGES OUT.tar - the stand-in's base:
# debootstrap minbase bookworm + the listed packages, trimmed, as a tar.
# Called by build.sh (which caches the tar); needs root.
set -euo pipefail
ROOTFS=$1 MIRROR=$2 SECMIRROR=$3 LIST=$4 OUT=$5
PKGS=$(grep -v '^#' "$LIST" | tr '\n' ' ')

umount_all() {
    local m
    for m in dev/pts dev proc; do
        mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m" || true
    done
}
trap 'umount_all; rm -rf "$ROOTFS"' EXIT
umount_all
rm -rf "$ROOTFS"
echo "debootstrap minbase bookworm $MIRROR"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
{
    echo "deb $MIRROR bookworm main"
    echo "deb $MIRROR bookworm-updates main"
    [[ -z $SECMIRROR ]] || echo "deb $SECMIRROR bookworm-security main"
} >"$ROOTFS/etc/apt/sources.list"
# no service starts from a maintainer script in the chroot
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/01-pmmha-shape-nodoc" <<'EOS'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
EOS
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$ROOTFS/etc/apt/apt.conf.d/01-pmmha-shape"
# the entrypoint makes the cluster in /srv/postgres14, not Debian's main
mkdir -p "$ROOTFS/etc/postgresql-common"
echo "create_main_cluster = false" >"$ROOTFS/etc/postgresql-common/createcluster.conf"
mount -t proc proc "$ROOTFS/proc"
mount --bind /dev "$ROOTFS/dev"
mount -t devpts devpts "$ROOTFS/dev/pts" -o newinstance,ptmxmode=0666 || true
echo "apt-get install $PKGS"
chroot "$ROOTFS" apt-get update -qq
# shellcheck disable=SC2086
chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PKGS
chroot "$ROOTFS" apt-get clean
umount_all
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/tmp/* \
    "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/lintian/* \
    "$ROOTFS"/usr/bin/vmagent "$ROOTFS"/usr/bin/vmalert "$ROOTFS"/usr/bin/vmauth "$ROOTFS"/usr/bin/vmctl
find "$ROOTFS/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
# Debian's own services are not started; supervisord runs the stores
rm -f "$ROOTFS"/etc/nginx/sites-enabled/default
echo "tar $OUT"
tar -C "$ROOTFS" --numeric-owner --xattrs -cf "$OUT" .
