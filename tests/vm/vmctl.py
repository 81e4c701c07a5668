#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host side of the vm-agent protocol (see files/vm-agent.sh): runs a shell
script in a test VM over its virtio-serial port, no network needed.

usage: vmctl.py exec SOCKET SCRIPT [TIMEOUT]   run SCRIPT (sh) in the VM, print its
                                              output, exit with its exit status
       vmctl.py wait SOCKET [TIMEOUT]         wait until the agent answers
"""
import base64
import os
import socket
import sys
import time
import uuid


def run(sock_path, script, timeout):
    deadline = time.monotonic() + timeout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(max(0.1, deadline - time.monotonic()))
    s.connect(sock_path)
    try:
        rid = uuid.uuid4().hex.encode()
        s.sendall(rid + b" " + base64.b64encode(script.encode()) + b"\n")
        end_tag = b"@@END@@ " + rid + b" "
        begin_tag = b"@@BEGIN@@ " + rid + b"\n"
        buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from agent within %ss" % timeout)
            s.settimeout(left)
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("agent socket closed")
            buf += chunk
            end = buf.find(end_tag)
            if end >= 0 and buf.find(b"\n", end) >= 0:
                break
        begin = buf.rfind(begin_tag, 0, end)
        body = buf[begin + len(begin_tag):end] if begin >= 0 else b""
        rc = int(buf[end + len(end_tag):buf.find(b"\n", end)].strip())
        out = base64.b64decode(b"".join(body.split()))
        return rc, out
    finally:
        s.close()


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, sock = sys.argv[1], sys.argv[2]
    if cmd == "exec":
        timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 300.0
        try:
            rc, out = run(sock, sys.argv[3], timeout)
        except (OSError, TimeoutError, ConnectionError) as e:
            print("vmctl: %s: %s" % (sock, e), file=sys.stderr)
            return 255
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
        return rc
    if cmd == "wait":
        timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if os.path.exists(sock):
                    rc, _ = run(sock, "true", min(10.0, max(1.0, deadline - time.monotonic())))
                    if rc == 0:
                        return 0
            except (OSError, TimeoutError, ConnectionError):
                pass
            time.sleep(0.3)
        print("vmctl: %s: agent not ready after %ss" % (sock, timeout), file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
