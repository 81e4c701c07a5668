# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# gauntlet.sh - what tests/integration/90-gauntlet.sh needs beside
# testlib.sh: the kill points of an action (its system calls after the
# dynamic loader, from a clean run under strace -k), wrapper agent
# directories that run an agent under strace's fault injection, libfaketime,
# prlimit or in node2's mount namespace, a reader of the lease record, and
# the stray-process check.

# the real agents, whatever AGENT_DIR a wrapper sets
REAL_AGENT_DIR=$AGENT_DIR
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
# Debian's python3 (a version manager's shim in PATH can take a second)
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# wrap DIR PREFIX...: DIR/<agent> for every agent runs PREFIX... <agent> "$@"
# (ra clears the environment, so what the wrapper needs is written into it)
wrap() {
    local dir=$1 a w
    shift
    mkdir -p "$dir"
    for a in pmm-server pmm-storage lvm-sysid; do
        w=$dir/$a
        {
            printf '#!/bin/sh\nexec'
            printf ' %q' "$@" "$REAL_AGENT_DIR/$a"
            printf ' "$@"\n'
        } >"$w"
        chmod +x "$w"
    done
}

# trace_clean FILE AGENT ACTION [KEY=VALUE...]: runs the action as ra does,
# under strace -k (every system call with its stack), into FILE.
trace_clean() {
    local f=$1 agent=$2
    shift 2
    wrap "$WORK/wrap-trace${KSFX:-}" strace -qq -k -o "$f"
    AGENT_DIR=$WORK/wrap-trace${KSFX:-} ra "$agent" "$@"
}

# kill_points FILE [every]: one line "SYSCALL N" for each system call in
# the trace that the program made after the dynamic loader: N counts every
# call of SYSCALL (the loader's too), as strace's --inject=SYSCALL:when=N
# does. A call is the loader's when a frame of its stack is in ld-linux
# (the start of the process, every dlopen of a plugin and its libraries).
# Without "every", one call per call site: the first call of each SYSCALL
# from each distinct path through the agent's own code (its frames in the
# agent and in pmmha's plugins), so that a loop (readyz polls, poll() inside
# one HTTP exchange, mountinfo read in chunks) counts once.
kill_points() {
    awk -v every="${2:-}" '
        function flush() {
            if (name == "") return
            n[name]++
            if (!ld && (every == "every" || !((name key) in seen)))
                print name, n[name]
            seen[name key] = 1
            name = ""
        }
        /^ > / {
            if ($2 ~ /ld-linux/) ld = 1
            if ($2 ~ /pmmha|pmm-server|pmm-storage|lvm-sysid/) key = key "|" $2
            next
        }
        /^[a-z_0-9]+\(/ { flush(); name = $0; sub(/\(.*/, "", name); ld = 0; key = ""; next }
        { flush() }
        END { flush() }' "$1"
}

# loader_calls FILE: how many system calls of the trace were the loader's
loader_calls() {
    awk '/^ > / { if ($2 ~ /ld-linux/) ld = 1; next }
         /^[a-z_0-9]+\(/ { n += ld; ld = 0; next }
         END { print n + ld }' "$1"
}

# killed_at SYSCALL N: AGENT_DIR for agents SIGKILLed at the Nth SYSCALL
# (KSFX names the directory of a loop running beside another)
killed_at() {
    wrap "$WORK/wrap-kill${KSFX:-}" strace -qq -o /dev/null -e trace="$1" \
        -e inject="$1:signal=KILL:when=$2"
    echo "$WORK/wrap-kill${KSFX:-}"
}

# strays TAG: the pids of processes that still carry HA_GAUNTLET=TAG in
# their environment (every agent run and whatever it forked or spawned)
strays() {
    grep -lsz "^HA_GAUNTLET=$1\$" /proc/[0-9]*/environ 2>/dev/null |
        sed 's|/proc/\([0-9]*\)/environ|\1|' | grep -vx "$$" | tr '\n' ' '
}

# lease_read DEV: "HOLDER FLAGS AGE_MS DURATION_MS COUNTER" of the lease
# record in the last MiB of DEV (AGE_MS against this host's clock), or
# "none", "zero" or "bad"
lease_read() {
    "$PY" - "$1" <<'PY'
import mmap, os, struct, sys, time, zlib
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
size = os.lseek(fd, 0, os.SEEK_END)
off = (size & ~4095) - (1 << 20)
buf = mmap.mmap(-1, 4096)
os.preadv(fd, [buf], off)
os.close(fd)
rec = bytes(buf[:512])
if not any(rec):
    print("zero")
    sys.exit(0)
magic, ver, flags, counter, ns, dur = struct.unpack_from("<8sIIQQI", rec, 0)
if magic != b"PMMHALSE" or struct.unpack_from("<I", rec, 508)[0] != zlib.crc32(rec[:508]):
    print("bad")
    sys.exit(0)
holder = rec[40:104].split(b"\0")[0].decode() or "-"
print(holder, flags, (time.time_ns() - ns) // 10**6, dur, counter)
PY
}

# expect_one NAME RC 'REASON1|REASON2...': expect, with the reason holding
# any one of the alternatives
expect_one() {
    local name=$1 rc=$2 alts=$3 a
    IFS='|' read -r -a a <<<"$alts"
    for alt in "${a[@]}"; do
        if [[ $REASON == *"$alt"* ]]; then
            expect "$name" "$rc" "$alt"
            return
        fi
    done
    expect "$name" "$rc" "${a[0]}"
}

# proxy_start [FREEZE_AT]: the API-freezing proxy on $PSOCK in front of
# $SOCK, freezing $API_PID at request FREEZE_AT (none: only counts); the
# requests it saw go to $WORK/proxy.log
proxy_start() {
    rm -f "$PSOCK.ready" "$WORK/proxy.log"
    : >"$WORK/proxy.log"
    "$PY" "$TOP/tests/lib/api-freeze.py" "$PSOCK" "$SOCK" "$WORK/proxy.log" \
        ${1:+"$API_PID" "$1"} &
    PROXY=$!
    wait_until 5 test -e "$PSOCK.ready"
}
# proxy_stop: the proxy gone, the API service thawed
proxy_stop() {
    kill "$PROXY" 2>/dev/null
    wait "$PROXY" 2>/dev/null
    PROXY=
    kill -CONT "$API_PID"
}
