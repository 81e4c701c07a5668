#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""api-freeze.py LISTEN UPSTREAM LOG [PID FREEZE_AT]

A pass-through proxy between an agent and the podman API socket that freezes
the API service (SIGSTOP to PID) at the agent's FREEZE_AT-th HTTP request,
before that request reaches it: the agent then talks to a frozen service
exactly as when the service itself stops mid-operation. Every request line
is appended to LOG ("N METHOD PATH"). Without PID and FREEZE_AT it only
counts. Stops on SIGTERM (it never sends SIGCONT: the test does)."""
import os
import re
import signal
import socket
import sys
import threading

listen, upstream, log = sys.argv[1:4]
pid = int(sys.argv[4]) if len(sys.argv) > 5 else 0
freeze_at = int(sys.argv[5]) if len(sys.argv) > 5 else 0
REQ = re.compile(rb"(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP/1\.[01]\r\n")
lock = threading.Lock()
count = 0


def pump(src, dst, scan):
    global count
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if scan:
                for m in REQ.finditer(data):
                    with lock:
                        count += 1
                        with open(log, "a") as f:
                            f.write("%d %s %s\n" % (count, m.group(1).decode(),
                                                    m.group(2).decode()))
                        if pid and count == freeze_at:
                            os.kill(pid, signal.SIGSTOP)
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client):
    up = socket.socket(socket.AF_UNIX)
    try:
        up.connect(upstream)
    except OSError:
        client.close()
        return
    threading.Thread(target=pump, args=(up, client, False), daemon=True).start()
    pump(client, up, True)


signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
try:
    os.unlink(listen)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX)
srv.bind(listen)
srv.listen(64)
with open(listen + ".ready", "w"):
    pass
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
