#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# PMM 3's defaults (ports 443:8443, readyz /v1/server/readyz on 8080), and
# https readiness probes pinned by CA file or public-key fingerprint.
. "$(dirname "$0")/common.sh"
trap cleanup EXIT
setup_podman || { fail "podman set-up"; exit 1; }
srv=$WORK/srv

ra pmm-server start "${BASE[@]}" image=docker.io/percona/pmm-server:3.0.0 publish=127.0.0.1:18443:8443
expect "PMM 3 start" 0 ""
grep -q '^url=http://.*:8080/v1/server/readyz$' "$WORK"/rsctmp/*.state &&
    pass "PMM 3 readyz derived as $(grep -o 'http://.*' "$WORK"/rsctmp/*.state)" ||
    fail "PMM 3 readyz URL: $(grep url= "$WORK"/rsctmp/*.state)"
ra pmm-server monitor "${BASE[@]}" image=docker.io/percona/pmm-server:3.0.0 OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_interval=10000
expect "PMM 3 monitor depth 10" 0 ""
ra pmm-server stop "${BASE[@]}" image=docker.io/percona/pmm-server:3.0.0
expect "PMM 3 stop" 0 ""

# PMM's own certificate: the stand-in serves /srv/nginx/certificate.*
rm -rf "$srv"/* && mkdir -p "$srv/nginx"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=pmm-server \
    -keyout "$srv/nginx/certificate.key" -out "$srv/nginx/certificate.crt" 2>/dev/null
pin=sha256//$(openssl x509 -in "$srv/nginx/certificate.crt" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
TLS=(publish=127.0.0.1:18443:443 readyz_url=https://127.0.0.1:18443/v1/readyz)
ra pmm-server start "${BASE[@]}" "${TLS[@]}" tls_fingerprint="$pin"
expect "start, https readyz pinned by fingerprint" 0 ""
mon() { ra pmm-server monitor "${BASE[@]}" "${TLS[@]}" OCF_CHECK_LEVEL=10 OCF_RESKEY_CRM_meta_interval=10000 "$@"; }
mon tls_fingerprint="$pin"
expect "monitor depth 10, right fingerprint" 0 ""
mon tls_fingerprint="sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
expect "monitor depth 10, wrong fingerprint" 1 "tls_fingerprint"
mon tls_ca="$srv/nginx/certificate.crt"
expect "monitor depth 10, CA file" 0 ""
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=other \
    -keyout "$WORK/other.key" -out "$WORK/other.crt" 2>/dev/null
mon tls_ca="$WORK/other.crt"
expect "monitor depth 10, wrong CA" 1 "PMM not ready at"
mon
expect "monitor depth 10, https unpinned (PMM's self-signed certificate)" 0 ""
ra pmm-server stop "${BASE[@]}" "${TLS[@]}"
expect "stop" 0 ""
