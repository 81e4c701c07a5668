#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 47-replicator-inputs.sh - pmmha-replicator's own bad input, each a clear
# error with its documented exit status (2 usage, 3 credentials file or
# state directory, 4 refused: needs the operator, 1 may pass): unreadable
# or open credentials files, wrong passwords, a wrong TLS pin, a source that
# is not a PMM, a state directory that is not writable, two replicators on
# one state directory; and the secrets never in argv or the environment.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/testlib.sh
. tests/lib/podman-env.sh
. tests/lib/shape.sh
export SHAPE_DIR=/var/tmp/pmmha-47
. tests/lib/replpair.sh
trap pair_cleanup EXIT

# try NAME WANT-RC WANT-TEXT ARGS...: one --once run, its status and words
try() {
    local name=$1 want=$2 text=$3 out rc
    shift 3
    out=$(repl --once "$@" 2>&1)
    rc=$?
    out=$(tr '\n' ' ' <<<"$out")
    if [[ $rc != "$want" ]]; then
        fail "$name: exit $rc, expected $want: ${out:0:300}"
    elif [[ $out != *"$text"* ]]; then
        fail "$name: the message lacks '$text': ${out:0:300}"
    elif grep -qE "$SHAPE_PG_PW|$SHAPE_CH_PW|$SHAPE_ADMIN_PW|wrong-pw" <<<"$out"; then
        fail "$name: a password in the output"
    else
        pass "$name: exit $rc ($(grep -oE "(error: [a-z]+: |pmmha-replicator: )[^.]*" <<<"$out" | head -1 | cut -c1-140))"
    fi
}

echo "== replicator: bad input"
rm -rf "$SHAPE_DIR"
[[ -x $REPL ]] || { fail "replicator installed at $REPL"; exit 0; }
if ! pair_setup; then
    fail "two stand-in PMMs up (see above)"
    exit 0
fi

# ---- usage (2)
out=$("$REPL" --once 2>&1)
[[ $? == 2 && $out == *"--state-dir is required"* ]] && pass "no --state-dir: exit 2" || fail "no --state-dir: $out"
out=$("$REPL" --state-dir "$STATE" --source-vm 10.78.0.1/prometheus --streams metrics 2>&1)
[[ $? == 2 && $out == *"not an http"* ]] && pass "a URL without a scheme: exit 2" || fail "URL: $out"
out=$("$REPL" --state-dir "$STATE" --streams metrics --source-vm http://x/p --tls-fingerprint abc 2>&1)
[[ $? == 2 && $out == *"sha256//"* ]] && pass "a malformed pin: exit 2" || fail "pin: $out"
out=$("$REPL" --state-dir "$STATE" --streams metrics,bogus 2>&1)
[[ $? == 2 ]] && pass "an unknown stream: exit 2" || fail "stream: $out"
out=$("$REPL" --state-dir "$STATE" --streams metrics 2>&1)
[[ $? == 2 && $out == *"--source-vm is required"* ]] && pass "a stream without its source: exit 2" || fail "source: $out"
out=$("$REPL" --state-dir "$STATE" --streams metrics --source-vm http://x/p --final 2>&1)
[[ $? == 2 && $out == *"--final needs --once"* ]] && pass "--final without --once: exit 2" || fail "--final: $out"
out=$("$REPL" --state-dir "$STATE" --streams metrics --source-vm http://x/p --settle 1 2>&1)
[[ $? == 2 && $out == *"--settle"* ]] && pass "--settle 1 (under 2 s): exit 2" || fail "--settle 1: $out"
out=$("$REPL" --state-dir "$STATE" --password x 2>&1)
[[ $? == 2 ]] && pass "no option takes a password (--password: exit 2)" || fail "--password: $out"

# ---- credentials files (3)
cp "$WORK/pg-auth" "$WORK/open-auth" && chmod 644 "$WORK/open-auth"
try "a credentials file readable by others" 3 "chmod 600" --streams inventory --pg-auth-file "$WORK/open-auth"
try "a missing credentials file" 3 "cannot read $WORK/nope" --streams inventory --pg-auth-file "$WORK/nope"
ln -sf "$WORK/pg-auth" "$WORK/link-auth"
try "a credentials file that is a symlink" 3 "symlink" --streams inventory --pg-auth-file "$WORK/link-auth"
(umask 077 && echo "no-colon" >"$WORK/bad-auth")
try "a credentials file without user:password" 3 "user:password" --streams inventory --pg-auth-file "$WORK/bad-auth"

# ---- wrong passwords (4)
(umask 077 && echo "$SHAPE_PG_USER:wrong-pw" >"$WORK/pg-wrong" && echo "$SHAPE_CH_USER:wrong-pw" >"$WORK/ch-wrong" &&
    echo "admin:wrong-pw" >"$WORK/vm-wrong")
try "PostgreSQL: a wrong password" 4 "credentials" --streams inventory --pg-auth-file "$WORK/pg-wrong"
try "ClickHouse: a wrong password" 4 "credentials" --streams qan --ch-auth-file "$WORK/ch-wrong"
try "VictoriaMetrics (nginx): a wrong password" 4 "credentials" --streams metrics --vm-auth-file "$WORK/vm-wrong"

# ---- TLS: a wrong pin, and the right one (nginx's own certificate)
pin=$(ip netns exec $B openssl s_client -connect 10.78.0.1:443 </dev/null 2>/dev/null |
    openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
try "https: a wrong TLS pin" 4 "does not match --tls-fingerprint" --streams metrics --source-vm https://10.78.0.1/prometheus \
    --tls-fingerprint "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
try "https: the right TLS pin" 0 "metrics in-sync" --streams metrics --source-vm https://10.78.0.1/prometheus \
    --tls-fingerprint "sha256//$pin"
try "https: a CA that did not sign the certificate" 4 "certificate" --streams metrics \
    --source-vm https://10.78.0.1/prometheus --tls-ca /etc/ssl/certs/ca-certificates.crt

# ---- a source that is not a PMM (4)
try "metrics: a source that is no VictoriaMetrics" 4 "not a PMM" --streams metrics --source-vm http://10.78.0.1:8123
try "QAN: a ClickHouse without the QAN table" 4 "no table pmmha_none.metrics" --streams qan --qan-table pmmha_none.metrics
try "inventory: a database that is no PMM's" 4 "not a PMM" --streams inventory --pg-databases postgres

# ---- nobody answers (1: it may pass)
try "metrics: nobody answers" 1 "" --streams metrics --source-vm http://10.78.0.1:1/prometheus
try "inventory: nobody answers" 1 "" --streams inventory --source-pg 10.78.0.1:1

# ---- the state directory (3)
touch "$WORK/file"
try "a state directory that is a file" 3 "state directory" --streams metrics --state-dir "$WORK/file/x"
mkdir -p "$WORK/ro" && mount --bind -o ro "$WORK/ro" "$WORK/ro" 2>/dev/null &&
    mount -o remount,bind,ro "$WORK/ro" && {
    try "a state directory that is not writable" 3 "not writable" --streams metrics --state-dir "$WORK/ro"
    umount "$WORK/ro"
}
"${REPL_ARGV[@]}" --streams metrics >/dev/null 2>&1 &
p=$!
sleep 1
try "a second replicator on the same state directory" 3 "another replicator (pid $p)" --streams metrics
# the running one: no secret in its argv or environment
if grep -qaE "$SHAPE_PG_PW|$SHAPE_CH_PW|$SHAPE_ADMIN_PW" /proc/$p/cmdline /proc/$p/environ; then
    fail "a password in the replicator's argv or environment"
else
    pass "no password in the running replicator's argv or environment"
fi
kill -TERM $p
wait $p
exit 0
