#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for tests/dev/repl-vm-pair (two VictoriaMetrics, the metrics
stream between them):

  vm-pair.py backfill URL SERIES HOURS   SERIES series at 1 s, HOURS back
  vm-pair.py live URL SERIES             SERIES series at 1 s, until killed
  vm-pair.py compare SRC DST POSITION    series-by-series sample counts
                                         before POSITION (ms); exit 1 if any
                                         differs or DST holds a duplicate
  vm-pair.py proxy PORT TARGET_PORT CUT  a TCP relay that black-holes (a link
                                         cut, not a refusal) while file CUT
                                         exists

URL: a VictoriaMetrics base URL with its /prometheus prefix."""
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request


def post(url, data):
    req = urllib.request.Request(url, data=data, method="POST")
    urllib.request.urlopen(req, timeout=60).read()


def get(url, **q):
    u = url + "?" + urllib.parse.urlencode(q)
    return urllib.request.urlopen(u, timeout=120).read()


def backfill(url, n, hours):
    end = int(time.time()) * 1000 - 120000
    start = end - int(hours * 3600000)
    for t0 in range(start, end, 600000):
        ts = list(range(t0, min(t0 + 600000, end), 1000))
        lines = [json.dumps({"metric": {"__name__": "gen_metric", "job": "gen",
                                        "series": str(i)},
                             "values": [(t // 1000 + i) % 1000 for t in ts],
                             "timestamps": ts}) for i in range(n)]
        post(url + "/api/v1/import", "\n".join(lines).encode())


def live(url, n):
    while True:
        t = int(time.time())
        lines = ['gen_metric{series="%d",job="gen"} %d %d'
                 % (i, (t + i) % 1000, t * 1000) for i in range(n)]
        post(url + "/api/v1/import/prometheus", "\n".join(lines).encode())
        time.sleep(max(0, t + 1 - time.time()))


def counts(url, pos):
    r = json.loads(get(url + "/api/v1/query",
                       query="count_over_time(gen_metric[2d])",
                       time="%.3f" % ((pos - 1) / 1000)))
    return {x["metric"]["series"]: int(x["value"][1])
            for x in r["data"]["result"]}


def raw(url, pos):
    out = {}
    for line in get(url + "/api/v1/export", **{
            "match[]": '{__name__="gen_metric",series=~"[0-9]"}',
            "end": "%.3f" % ((pos - 1) / 1000)}).splitlines():
        d = json.loads(line)
        out[d["metric"]["series"]] = d["timestamps"]
    return out


def compare(src, dst, pos):
    a, b = counts(src, pos), counts(dst, pos)
    diff = sorted(set(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
    ra, rb = raw(src, pos), raw(dst, pos)
    dup = sum(len(t) - len(set(t)) for t in rb.values())
    print("series %d/%d, samples %d/%d (source/standby), series differing %d,"
          " duplicates on the standby %d (raw export of %d series)"
          % (len(a), len(b), sum(a.values()), sum(b.values()), len(diff), dup,
             len(rb)))
    for k in diff[:5]:
        print("  series %s: %s on the source, %s on the standby"
              % (k, a.get(k), b.get(k)))
    return 0 if not diff and not dup and ra == rb and a else 1


def pump(a, b, cut):
    try:
        while True:
            while os.path.exists(cut):
                time.sleep(0.1)
            d = a.recv(65536)
            if not d:
                break
            while os.path.exists(cut):
                time.sleep(0.1)
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(c, port, cut):
    while os.path.exists(cut):
        time.sleep(0.1)
    try:
        u = socket.create_connection(("127.0.0.1", port))
    except OSError:
        c.close()
        return
    for x, y in ((c, u), (u, c)):
        threading.Thread(target=pump, args=(x, y, cut), daemon=True).start()


def proxy(port, target, cut):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=relay, args=(c, target, cut),
                         daemon=True).start()


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "backfill" and len(argv) == 5:
        return backfill(argv[2], int(argv[3]), float(argv[4]))
    if cmd == "live" and len(argv) == 4:
        return live(argv[2], int(argv[3]))
    if cmd == "compare" and len(argv) == 5:
        return compare(argv[2], argv[3], int(argv[4]))
    if cmd == "proxy" and len(argv) == 5:
        return proxy(int(argv[2]), int(argv[3]), argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
