#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/vm.sh - small Debian VMs under qemu (software emulation) that
# share one raw disk, for what this host's kernel cannot do (device-mapper).
# Every VM's state lives in $RUN; only qemu processes started from $RUN are
# ever stopped, by the PID qemu wrote there.
#
#   vm.sh start N       boot vm1..vmN, return when each answers commands
#   vm.sh boot I        (re)boot vmI alone
#   vm.sh exec I SCRIPT run sh SCRIPT in vmI, print its output, exit with its status
#   vm.sh kill I        SIGKILL vmI's qemu (a crash: no clean anything)
#   vm.sh stop          stop every VM of $RUN
#
# Environment: IMG (directory from build-image.sh), RUN (state directory),
# PAYLOAD (a tar unpacked into /opt/pmmha in each VM), MEM (MiB, 256),
# SHARED_SIZE (1G), BOOT_TIMEOUT (s, 180).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${IMG:?IMG: the image directory (tests/vm/build-image.sh prints it)}"
: "${RUN:?RUN: a state directory}"
MEM=${MEM:-256}
SHARED_SIZE=${SHARED_SIZE:-1G}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}
QEMU=${QEMU:-qemu-system-x86_64}

vmdir() { echo "$RUN/vm$1"; }
alive() { [[ -r /proc/$1/stat ]] && ! awk '{exit ($3=="Z")?0:1}' "/proc/$1/stat"; }

# vmI's qemu PID, if it runs and really is the qemu started for $RUN/vmI
vm_pid() {
    local d pid
    d=$(vmdir "$1")
    [[ -s $d/qemu.pid ]] || return 1
    pid=$(cat "$d/qemu.pid")
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-pidfile $d/qemu.pid" || return 1
    echo "$pid"
}

boot_one() {
    local i=$1 d disks=()
    d=$(vmdir "$i")
    vm_pid "$i" >/dev/null && return 0
    mkdir -p "$d"
    rm -f "$d/agent.sock" "$d/qemu.pid"
    disks+=(-drive "file=$IMG/rootfs.ext4,format=raw,if=none,id=root,snapshot=on"
        -device "virtio-blk-pci,drive=root,serial=root")
    # the shared disk: every VM opens it share-rw, cache=none (O_DIRECT):
    # nothing is cached between the VMs, as with a real SAN LUN
    disks+=(-drive "file=$RUN/shared.img,format=raw,if=none,id=shared,cache=none,aio=threads"
        -device "virtio-blk-pci,drive=shared,serial=shared0,share-rw=on")
    if [[ -n ${PAYLOAD:-} ]]; then
        disks+=(-drive "file=$PAYLOAD,format=raw,if=none,id=payload,readonly=on"
            -device "virtio-blk-pci,drive=payload,serial=payload,share-rw=on")
    fi
    "$QEMU" -name "vm$i" -accel tcg,thread=multi -cpu max -m "$MEM" -smp 1 \
        -machine pc -nodefaults -no-user-config -display none -vga none -no-reboot \
        -kernel "$IMG/vmlinux" -initrd "$IMG/initramfs.img" \
        -append "console=ttyS0 panic=-1 mitigations=off quiet i8042.noaux i8042.nokbd i8042.nopnp vmname=vm$i" \
        -serial "file:$d/console.log" \
        -device virtio-serial-pci \
        -chardev "socket,id=agent,path=$d/agent.sock,server=on,wait=off" \
        -device virtserialport,chardev=agent,name=agent0 \
        "${disks[@]}" -nic none \
        -pidfile "$d/qemu.pid" -daemonize
    date +%s.%N >"$d/started"
}

wait_one() {
    local d t0
    d=$(vmdir "$1")
    python3 "$HERE/vmctl.py" wait "$d/agent.sock" "$BOOT_TIMEOUT" || {
        echo "vm$1 did not come up; console:" >&2
        tail -20 "$d/console.log" >&2
        return 1
    }
    t0=$(cat "$d/started")
    echo "vm$1: up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s (pid $(vm_pid "$1"))"
}

stop_one() {
    local pid
    pid=$(vm_pid "$1") || { rm -f "$(vmdir "$1")/qemu.pid"; return 0; }
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    rm -f "$(vmdir "$1")/qemu.pid"
}

all_ids() { ls -d "$RUN"/vm* 2>/dev/null | sed 's|.*/vm||' | sort -n; }

cmd=${1:-}
shift || true
case $cmd in
start)
    mkdir -p "$RUN"
    [[ -e $RUN/shared.img ]] || truncate -s "$SHARED_SIZE" "$RUN/shared.img"
    for i in $(seq 1 "${1:-2}"); do boot_one "$i"; done
    for i in $(seq 1 "${1:-2}"); do wait_one "$i"; done
    ;;
boot) boot_one "$1" && wait_one "$1" ;;
exec)
    i=$1
    shift
    exec python3 "$HERE/vmctl.py" exec "$(vmdir "$i")/agent.sock" "$*" "${EXEC_TIMEOUT:-300}"
    ;;
kill)
    if pid=$(vm_pid "$1"); then
        kill -9 "$pid"
        for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
        rm -f "$(vmdir "$1")/qemu.pid"
    fi
    ;;
stop) for i in $(all_ids); do stop_one "$i"; done ;;
*)
    sed -n '3,/^set -euo/p' "$0" | grep '^#'
    exit 2
    ;;
esac
