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

# ---- run_opts: the same verdict through the API and the CLI ---------------
for o in "--privileged" "--pid=host" "--pid host" "--ipc=host" "--userns=host" \
    "--cap-add=SYS_ADMIN" "--security-opt seccomp=unconfined" "--device /dev/fuse" \
    "-v /:/host" "--volume=/etc:/x" "-v/:/host" "--mount type=bind,source=/,target=/host" \
    "-v /run/podman/podman.sock:/s" "--privileged --pid=host -v /:/host"; do
    val "run_opts=$o"
    expect "run_opts=$o through the API" 6 "set allow_privileged=true"
    # the option by its name, never its value (a value may be a secret)
    w=${o%% *}
    if [[ $w == --* ]]; then opt=${w%%=*}; else opt=${w:0:2}; fi
    [[ $REASON == *"drop $opt"* ]] && pass "the reason names $opt" || fail "the reason lacks $opt: $REASON"
    val "run_opts=$o" "$NOSOCK"
    expect "run_opts=$o through the CLI fallback" 6 "set allow_privileged=true"
    val "run_opts=$o" allow_privileged=true
    expect "run_opts=$o with allow_privileged=true" 0 ""
done
for o in "--security-opt no-new-privileges" "-v $WORK/data:/data" "--memory 512m" "--network host"; do
    val "run_opts=$o"
    expect "run_opts=$o through the API" 0 ""
    val "run_opts=$o" "$NOSOCK"
    expect "run_opts=$o through the CLI fallback" 0 ""
done
# an option only the CLI passes on runs through the CLI where the API is
ra pmm-server start "${BASE[@]}" "run_opts=--memory=256m"
expect "start with --memory (the CLI, beside the API)" 0 ""
mem=$(podman inspect -f '{{.HostConfig.Memory}}' "$CT" 2>/dev/null)
[[ $mem == 268435456 ]] && pass "the container got --memory=256m" || fail "memory limit: ${mem:-none}"
stop
expect "stop" 0 ""
ra pmm-server start "${BASE[@]}" "run_opts=--cap-add=SYS_PTRACE" allow_privileged=true
expect "start with --cap-add and allow_privileged=true" 0 ""
caps=$(podman inspect -f '{{.HostConfig.CapAdd}}' "$CT" 2>/dev/null)
[[ $caps == *SYS_PTRACE* ]] && pass "the container got SYS_PTRACE" || fail "capabilities added: ${caps:-none}"
stop
expect "stop" 0 ""

# ---- env_file: nobody else may write it; a warning if others may read it ---
env=$WORK/pmm.env
for t in api cli; do
    extra=()
    [[ $t == cli ]] && extra=("$NOSOCK")
    chmod 666 "$env"
    val "${extra[@]}"
    expect "env_file world-writable ($t)" 5 "chmod go-w $env"
    chmod 620 "$env"
    val "${extra[@]}"
    expect "env_file group-writable ($t)" 5 "chmod go-w $env"
    chmod 600 "$env"
    chown nobody "$env"
    val "${extra[@]}"
    expect "env_file owned by another user ($t)" 5 "belongs to uid"
    chown root "$env"
    mkdir -p "$WORK/open"
    cp -p "$env" "$WORK/open/pmm.env"
    chmod 777 "$WORK/open"
    val env_file="$WORK/open/pmm.env" "${extra[@]}"
    expect "env_file in a directory anyone can write ($t)" 5 "other users can write env_file's directory"
    chmod 1777 "$WORK/open"
    val env_file="$WORK/open/pmm.env" "${extra[@]}"
    expect "env_file in a sticky directory ($t)" 0 ""
    ln -sf "$env" "$WORK/link.env"
    val env_file="$WORK/link.env" "${extra[@]}"
    expect "env_file a symlink ($t)" 5 "is a symlink"
    chmod 644 "$env"
    val "${extra[@]}"
    expect "env_file world-readable ($t)" 0 ""
    grep -q "other users can read env_file" <<<"$ERR" && pass "a warning says others can read it ($t)" ||
        fail "no warning for a world-readable env_file ($t)"
    chmod 600 "$env"
    val "${extra[@]}"
    expect "env_file 0600 ($t)" 0 ""
    grep -q "other users can read" <<<"$ERR" && fail "a warning for a 0600 env_file ($t)" ||
        pass "no warning for a 0600 env_file ($t)"
done
chmod 666 "$env"
ra pmm-server start "${BASE[@]}"
expect "start with a world-writable env_file" 5 "chmod go-w"
chmod 600 "$env"

# ---- the image reference: its length and grammar --------------------------
long=docker.io/percona/$(printf 'p%.0s' {1..300}):2.42.0
val image="$long"
expect "an image reference of ${#long} characters" 6 "at most 255 characters"
ra pmm-server start "${BASE[@]}" image="$long"
expect "start with an overlong image reference" 6 "at most 255 characters"
val image="docker.io/percona/pmm-server:$(printf '2%.0s' {1..129})"
expect "a tag of 129 characters" 6 "a tag is up to 128"
val image=docker.io/Percona/pmm-server:2.42.0
expect "an uppercase repository" 6 "lowercase"
val image=docker.io/percona/pmm-server:2.42.0@sha256:abc
expect "a short digest" 6 "64 hex digits"
val image=localhost:5000/percona/pmm-server:2.42.0 OCF_CHECK_LEVEL=0
expect "a registry with a port" 0 ""
