#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Recurring monitors at depth 0 and 10 exec nothing and fork nothing
# (strace), and load no library beyond libc (the heavy ones are plugins).
. "$(dirname "$0")/common.sh"
trap cleanup EXIT
setup_podman || { fail "podman set-up"; exit 1; }

ra pmm-server start "${BASE[@]}"
expect "start" 0 ""
for depth in 0 10; do
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin OCF_ROOT="$OCF_ROOT" OCF_RESOURCE_INSTANCE=pmm \
        OCF_RESKEY_image="$IMG" OCF_RESKEY_name="$CT" OCF_RESKEY_volume="$WORK/srv" \
        OCF_RESKEY_runtime_socket="$SOCK" HA_RSCTMP="$WORK/rsctmp" \
        OCF_RESKEY_CRM_meta_interval=10000 OCF_CHECK_LEVEL=$depth \
        strace -f -qq -o "$WORK/trace.$depth" -e trace=execve,clone,clone3,fork,vfork,openat \
        "$AGENT_DIR/pmm-server" monitor
    rc=$?
    execs=$(grep -c 'execve(' "$WORK/trace.$depth")
    forks=$(grep -cE '(clone|clone3|fork|vfork)\(' "$WORK/trace.$depth")
    libs=$(grep -E 'openat\(.*\.so' "$WORK/trace.$depth" | grep -v ENOENT | grep -oE '[^/"]+\.so[^"]*' | sort -u | tr '\n' ' ')
    if [[ $rc == 0 && $execs == 1 && $forks == 0 ]]; then
        pass "recurring monitor depth $depth: rc 0, 1 execve (itself), 0 forks; loads: $libs"
    else
        fail "recurring monitor depth $depth: rc $rc, $execs execve, $forks forks"
        sed 's/^/    /' "$WORK/trace.$depth" | grep -v openat | head
    fi
    if grep -qE 'libcurl|libqb|libxml2|libssl|libjson|net\.so|qblog\.so' <<<"$libs"; then
        fail "recurring monitor depth $depth loaded a heavy library: $libs"
    else
        pass "recurring monitor depth $depth loaded no heavy library"
    fi
done
ra pmm-server stop "${BASE[@]}"
expect "stop" 0 ""
