#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vm-agent: tiny command server on a virtio-serial port.
# Protocol (one request at a time):
#   host -> guest : one line = "<id> <base64(shell script)>"
#   guest -> host : "@@BEGIN@@ <id>" line, base64(stdout+stderr) lines, "@@END@@ <id> <rc>" line
# Works with busybox sh (mini initramfs) and dash/bash (full rootfs).
PORTNAME=${1:-agent0}
dev=""
for i in $(seq 1 100); do
  for p in /sys/class/virtio-ports/*; do
    [ -r "$p/name" ] || continue
    if [ "$(cat "$p/name")" = "$PORTNAME" ]; then dev=/dev/$(basename "$p"); fi
  done
  [ -n "$dev" ] && [ -c "$dev" ] && break
  sleep 0.1
done
[ -c "$dev" ] || { echo "vm-agent: port $PORTNAME not found" >&2; exit 1; }
echo "vm-agent: serving on $dev" > /dev/kmsg 2>/dev/null || true
exec 3<>"$dev"
while true; do
  if ! read -r id line <&3; then
    # EOF: host side not connected; poll again
    sleep 0.2
    continue
  fi
  [ -n "$line" ] || continue
  echo "$line" | base64 -d > /run/.agent-cmd.sh 2>/dev/null
  ( cd / && exec sh /run/.agent-cmd.sh ) > /run/.agent-out 2>&1 < /dev/null 3>&-
  rc=$?
  { echo "@@BEGIN@@ $id"; base64 < /run/.agent-out; echo "@@END@@ $id $rc"; } >&3
done
