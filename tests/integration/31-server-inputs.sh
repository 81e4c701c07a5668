#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pmm-server's inputs checked by what they mean, with the same verdict on
# every node: volume by what it resolves to, run_opts whichever transport
# the node has (and isolation-breaking options only with allow_privileged),
# env_file refused when another user could write it, the image reference's
# length and grammar.
. "$(dirname "$0")/common.sh"
trap cleanup EXIT
setup_podman || { fail "podman set-up"; exit 1; }

srv=$WORK/srv
chmod 600 "$WORK/pmm.env"
NOSOCK=runtime_socket=$WORK/absent.sock # this node: the CLI fallback
val() { ra pmm-server validate-all "${BASE[@]}" "$@"; }
stop() { ra pmm-server stop "${BASE[@]}" "$@"; }

# ---- volume: what it names, not how it is spelled ------------------------
for v in "$srv/pmm/.." /. // /.. /etc /usr/ /proc/1; do
    val volume="$v"
    expect "volume=$v refused by its spelling" 6 ""
done
mkdir -p "$srv/pmm"
ln -s / "$WORK/rootlink"
ln -s "$srv/pmm/.." "$WORK/uplink"
for depth in 0 10; do
    val volume="$WORK/rootlink" OCF_CHECK_LEVEL=$depth
    expect "volume, a symlink to /, validate-all depth $depth" 5 "it names /, the root directory"
    val volume="$WORK/rootlink/." OCF_CHECK_LEVEL=$depth
    expect "volume, a symlink to / with /. after it, depth $depth" 5 "the root directory"
    val volume="$WORK/rootlink/etc" OCF_CHECK_LEVEL=$depth
    expect "volume, /etc through a symlink, depth $depth" 5 "a system directory"
done
# start: refused before anything runs (never run PMM on the host's /)
val volume="$WORK/rootlink"
if [[ $RC != 0 ]]; then
    ra pmm-server start "${BASE[@]}" volume="$WORK/rootlink"
    expect "start with volume a symlink to /" 5 "the root directory"
fi
[[ -e /stub-env.txt ]] && fail "PMM wrote into the host's /" || pass "nothing was written into the host's /"
# a symlink to a proper directory is fine, and the runtime binds its target
ra pmm-server start "${BASE[@]}" volume="$WORK/uplink"
expect "start with volume a symlink whose target is fine" 0 ""
[[ -f $srv/stub-env.txt ]] && pass "PMM's data went where the symlink leads ($srv)" ||
    fail "no stub-env.txt in $srv"
stop volume="$WORK/uplink"
expect "stop" 0 ""
