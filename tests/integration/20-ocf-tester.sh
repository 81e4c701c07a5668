#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf-tester for pmm-server over the podman API, over podman's
# Docker-compatible API, and over the CLI fallback.
. "$(dirname "$0")/common.sh"
trap cleanup EXIT
setup_podman || { fail "podman set-up"; exit 1; }

tester() {  # tester NAME PARAM...
    local name=$1 o=() kv
    shift
    for kv in "$@"; do o+=(-o "$kv"); done
    if ocf-tester -n "$CT" "${o[@]}" -o image="$IMG" -o name="$CT" \
        -o volume="$WORK/srv" -o env_file="$WORK/pmm.env" \
        "$AGENT_DIR/pmm-server" >"$WORK/tester.log" 2>&1; then
        pass "ocf-tester: $name"
    else
        fail "ocf-tester: $name: $(grep -iE 'error|fail' "$WORK/tester.log" | head -3 | tr '\n' ' ')"
        sed 's/^/    /' "$WORK/tester.log" | tail -20
    fi
}
tester "podman API" runtime_socket="$SOCK"
tester "podman's Docker-compatible API" runtime=docker runtime_socket="$SOCK"
tester "podman CLI (no socket)" runtime_socket=/run/pmmha-test/absent.sock
tester "podman API, host network" runtime_socket="$SOCK" run_opts="--network host"
