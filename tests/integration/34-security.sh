#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The security pass (README "Security") against the real agent and podman:
# what PMM's container can leave in /srv (FIFOs and links where the agents
# read and write their records: pmm-server's image record, pmm-storage's
# status file) neither blocks nor redirects the agents;
# secrets in run_opts, URLs and env_file reach no reason, log or argv.
. "$(dirname "$0")/common.sh"
. "$TOP/tests/lib/loopdev.sh"
trap 'loop_cleanup; cleanup' EXIT
setup_podman || { fail "podman set-up"; exit 1; }

srv=$WORK/srv
start() { ra pmm-server start "${BASE[@]}" OCF_RESKEY_CRM_meta_timeout=60000 "$@"; }
stop() { ra pmm-server stop "${BASE[@]}" "$@"; }

# ---- /srv is the container's to write -----------------------------------
mkdir -p "$srv/grafana"
mkfifo "$srv/grafana/PERCONA_DASHBOARDS_VERSION" "$srv/.pmmha-image" "$srv/.pmmha-image.tmp"
t0=$(now_ms)
ra pmm-server validate-all "${BASE[@]}" OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_timeout=20000
dt=$(($(now_ms) - t0))
expect "validate-all (depth 10) with FIFOs in /srv" 0 ""
((dt < 10000)) && pass "validate-all did not block on a FIFO (${dt} ms)" || fail "validate-all took ${dt} ms"
rm -f "$srv/grafana/PERCONA_DASHBOARDS_VERSION" # the stand-in, like PMM, would block on it
t0=$(now_ms)
start HA_debug=1
dt=$(($(now_ms) - t0))
expect "start with FIFOs for the image record and its temporary file" 0 ""
if grep -q s3cret <<<"$ERR"; then fail "an env_file value is in the debug log (API)"; else pass "env_file values are not in the debug log (API)"; fi
((dt < 30000)) && pass "start did not block on a FIFO (${dt} ms)" || fail "start took ${dt} ms"
[[ -f $srv/.pmmha-image && ! -p $srv/.pmmha-image && ! -e $srv/.pmmha-image.tmp ]] &&
    grep -q "^image=$IMG\$" "$srv/.pmmha-image" &&
    pass "the image record replaced the FIFO, no temporary file left" ||
    fail "image record: $(ls -l "$srv"/.pmmha-image* 2>&1)"
[[ $(stat -c %a "$srv/.pmmha-image") == 600 ]] && pass "the image record is mode 0600" ||
    fail "image record mode $(stat -c %a "$srv/.pmmha-image")"
stop
expect "stop" 0 ""

echo keep >"$srv/victim"
ln "$srv/victim" "$srv/.pmmha-image.tmp"
ln -sf "$srv/victim" "$srv/.pmmha-image"
start
expect "start with links in place of the image record" 0 ""
[[ $(cat "$srv/victim") == keep ]] && pass "a hard link in place of the temporary file is not written through" ||
    fail "written through a link: $(cat "$srv/victim")"
[[ -f $srv/.pmmha-image && ! -L $srv/.pmmha-image ]] && pass "the symlink was replaced, not followed" ||
    fail "image record: $(ls -l "$srv/.pmmha-image")"
stop
expect "stop" 0 ""
rm -rf "$srv/grafana" "$srv/victim"

# ---- secrets stay out of reasons, logs and argv -------------------------
secret() {  # secret NAME=VALUE REASON-SUBSTRING: refused, the secret unsaid
    ra pmm-server validate-all "${BASE[@]}" "$1"
    expect "validate-all $2" 6 "$2"
    if grep -q hunter2 <<<"$ERR"; then fail "the secret in $1 was said: $ERR"; else pass "the secret in $1 is not said"; fi
}
secret "run_opts=-e PW='hunter2" "run_opts: unbalanced quotes"
secret "run_opts=--ulimit=hunter2" "run_opts: bad value for --ulimit..."
secret "run_opts=--privileged PW=hunter2" "drop --privileged from run_opts"
secret "run_opts=--device=/dev/hunter2" "drop --device... from run_opts"
secret "run_opts=--cap-add=hunter2" "drop --cap-add... from run_opts"
secret "readyz_url=https://admin:hunter2@127.0.0.1/" "readyz_url: not an http:// or https:// URL"
secret "readyz_url=https://admin@127.0.0.1#hunter2/" "readyz_url: not an http:// or https:// URL"

# env_file through the CLI: podman reads the file, its values are in no
# argv (podman records the command line that created the container)
ra pmm-server start "${BASE[@]}" runtime_socket=/run/pmmha-test/absent.sock
expect "start through the CLI" 0 ""
argv=$(podman inspect -f '{{.Config.CreateCommand}}' "$CT")
[[ $argv == *--env-file* ]] && pass "the CLI got --env-file" || fail "no --env-file in the CLI's argv: $argv"
if grep -q s3cret <<<"$argv$ERR"; then fail "an env_file value is in the argv or the log"; else pass "env_file values are in no argv and no log (CLI)"; fi
grep -q PMM_TEST_SECRET=s3cret "$srv/stub-env.txt" && pass "env_file reached the container (CLI)" ||
    fail "env_file did not reach the container (CLI)"
stop runtime_socket=/run/pmmha-test/absent.sock
expect "stop (CLI)" 0 ""

# ---- pmm-storage's status file (depth 20) is in /srv too ----------------
mkloop st 64 && mkfs.ext4 -q "$LOOP" 63M || fail "loop set-up"
ST=(device="$LOOP" fstype=ext4 directory="$WORK/st" HA_RSCTMP="$WORK/rsc-st"
    OCF_RESKEY_CRM_meta_on_node=node1)
ra pmm-storage start "${ST[@]}"
expect "pmm-storage start" 0 ""
status=$WORK/st/.pmmha-storage-status
echo keep >"$WORK/st/victim"
for kind in hardlink symlink fifo; do
    rm -f "$status"
    case $kind in
        hardlink) ln "$WORK/st/victim" "$status" ;;
        symlink) ln -s "$WORK/st/victim" "$status" ;;
        fifo) mkfifo "$status" ;;
    esac
    ra pmm-storage monitor "${ST[@]}" OCF_RESKEY_CRM_meta_interval=10000 OCF_CHECK_LEVEL=20
    expect "monitor depth 20 with a $kind as the status file" 0 ""
    [[ -f $status && ! -L $status && $(stat -c %h "$status") == 1 && $(cat "$WORK/st/victim") == keep ]] &&
        pass "the $kind was replaced, not written through" ||
        fail "status file: $(ls -l "$status"), victim: $(cat "$WORK/st/victim")"
done
ra pmm-storage stop "${ST[@]}"
expect "pmm-storage stop" 0 ""
