#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/build-image.sh - builds, from Debian packages only, what the VM
# tests boot: a Debian 12 kernel, a tiny busybox initramfs that mounts the
# root disk, and a root filesystem image (debootstrap minbase + lvm2 +
# resource-agents for the LVM-activate benchmark) that boots without
# systemd into a command loop on a virtio-serial port.
#
# The result is cached under $PMMHA_VM_CACHE/<hash of the build inputs>
# (default /var/tmp/pmmha-vm): a re-run with the same inputs returns at
# once. Prints the image directory on stdout (everything else on stderr).
#
#   tests/vm/build-image.sh         build (first time: ~3 min) or reuse
#   FORCE=1 tests/vm/build-image.sh rebuild
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${PMMHA_VM_CACHE:-/var/tmp/pmmha-vm}
. "$HERE/../lib/apt-mirror.sh" # apt_uri: this machine's own Debian mirror
MIRROR=${MIRROR:-$(apt_uri "")}
[[ -n $MIRROR ]] || { echo "build-image.sh: no Debian mirror in this machine's apt sources (set MIRROR)" >&2; exit 1; }
SUITE=bookworm
# resource-agents: LVM-activate for the benchmark, ocf-tester (+ xmllint)
PKGS=linux-image-amd64,lvm2,resource-agents,libxml2-utils,kmod,procps
HOST_PKGS="qemu-system-x86 qemu-utils debootstrap busybox-static cpio
e2fsprogs python3 tar gzip"
log() { echo "[vm-image $(date +%T)] $*" >&2; }

[[ $(id -u) == 0 ]] || { echo "build-image.sh must run as root" >&2; exit 1; }

# ---- host packages ---------------------------------------------------------
need=()
for p in $HOST_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# ---- the cache key: every input of the build -------------------------------
key=$( { echo "$SUITE $PKGS"; cat "$0" "$HERE/files/init-mini" \
        "$HERE/files/pmmha-init" "$HERE/files/vm-agent.sh"; } | sha256sum | cut -c1-16)
OUT=$CACHE/$key
if [[ ${FORCE:-0} != 1 && -e $OUT/.complete ]]; then
    log "reusing $OUT"
    echo "$OUT"
    exit 0
fi
# the debootstrapped tree depends on the package list only: kept apart
WORK=$CACHE/work-$(echo "$SUITE $PKGS" | sha256sum | cut -c1-16)
rm -rf "$OUT"
mkdir -p "$WORK" "$OUT"
t0=$SECONDS

# ---- root filesystem ---------------------------------------------------------
R=$WORK/rootfs
if [[ ! -e $WORK/.debootstrap-ok ]]; then
    rm -rf "$R"
    log "debootstrap --variant=minbase $SUITE + $PKGS (2-3 min)"
    debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$R" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
    rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/*_Packages
    touch "$WORK/.debootstrap-ok"
    log "debootstrap done after $((SECONDS - t0))s"
fi

# LVM as PMM's Pacemaker guide sets it up (system ID from the host name),
# and for a guest without udev, dmeventd or lvmpolld
conf=$R/etc/lvm/lvm.conf
sed -i -e 's|^\t# system_id_source = "none"|\tsystem_id_source = "uname"|' \
    -e 's|^\t# obtain_device_list_from_udev = [01]|\tobtain_device_list_from_udev = 0|' \
    -e 's|^\t# udev_sync = 1|\tudev_sync = 0|' -e 's|^\t# udev_rules = 1|\tudev_rules = 0|' \
    -e 's|^\t# monitoring = 1|\tmonitoring = 0|' -e 's|^\t# use_lvmpolld = 1|\tuse_lvmpolld = 0|' \
    "$conf"
for want in 'system_id_source = "uname"' 'udev_sync = 0' 'udev_rules = 0' \
    'obtain_device_list_from_udev = 0' 'monitoring = 0' 'use_lvmpolld = 0'; do
    grep -q "^[[:space:]]*$want" "$conf" || { echo "lvm.conf: cannot set $want" >&2; exit 1; }
done
install -m 0755 "$HERE/files/pmmha-init" "$R/sbin/pmmha-init"
install -m 0755 "$HERE/files/vm-agent.sh" "$R/usr/local/sbin/vm-agent.sh"
echo "vm" >"$R/etc/hostname"
mkdir -p "$R/opt/pmmha"

KVER=$(ls "$R/lib/modules" | sort -V | tail -1)
cp "$R/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
# the uncompressed kernel boots through its PVH entry: no in-guest xz
# decompression, which is slow under software emulation
python3 - "$OUT/vmlinuz" "$OUT/vmlinux" <<'PY'
import lzma, sys
data = open(sys.argv[1], 'rb').read()
i = data.find(b'\xfd7zXZ\x00')
assert i > 0, 'no xz payload in the bzImage'
open(sys.argv[2], 'wb').write(lzma.LZMADecompressor().decompress(data[i:]))
PY

# ---- initramfs: busybox, the modules to reach the root disk ----------------
I=$WORK/initramfs
rm -rf "$I"
mkdir -p "$I"/{bin,sbin,etc,lib/modules,dev,proc,sys,newroot}
cp /bin/busybox "$I/bin/busybox"
for a in sh mount umount insmod switch_root sleep cat echo mkdir ls seq; do
    ln -s busybox "$I/bin/$a"
done
: >"$I/etc/modules-load.order"
for m in virtio_pci virtio_blk virtio_console crc32c_generic ext4 dm_mod; do
    chroot "$R" modprobe -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
    b=$(basename "$ko")
    cp "$R$ko" "$I/lib/modules/$b"
    echo "$b" >>"$I/etc/modules-load.order"
done
install -m 0755 "$HERE/files/init-mini" "$I/init"
(cd "$I" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.img"

# ---- root image: read-only for the VMs (qemu snapshot=on per VM) -----------
truncate -s 2G "$OUT/rootfs.ext4"
mkfs.ext4 -q -F -L pmmha-root -d "$R" "$OUT/rootfs.ext4"
touch "$OUT/.complete"
# older images and trees (other build inputs) are of no use any more
for d in "$CACHE"/*; do
    case ${d##*/} in
    "$key" | "${WORK##*/}") ;;
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]* | work-*) rm -rf "$d" ;;
    esac
done
log "image $OUT ready after $((SECONDS - t0))s (kernel $KVER)"
echo "$OUT"
