#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The installed agent's metadata, man page and layout.
. "$(dirname "$0")/common.sh"
trap 'rm -rf "$WORK"' EXIT
A=$AGENT_DIR/pmm-server

if [[ -x $A && $(stat -c %a "$A") == 755 ]]; then pass "installed as $A, mode 0755"; else fail "agent not installed with mode 0755 at $A"; fi
cp /usr/share/resource-agents/ra-api-1.dtd "$WORK/"
if (cd "$WORK" && su -s /bin/sh nobody -c "env -i $A meta-data" >meta.xml) &&
    xmllint --noout --valid "$WORK/meta.xml" 2>"$WORK/xmllint.err"; then
    pass "meta-data as nobody, valid against ra-api-1.dtd"
else
    fail "meta-data: $(head -3 "$WORK/xmllint.err")"
fi
if man -w ocf_pmmha_pmm-server >/dev/null 2>&1 || [[ -f /usr/share/man/man7/ocf_pmmha_pmm-server.7 ]]; then
    pass "man page ocf_pmmha_pmm-server(7) installed"
else
    fail "man page not installed"
fi
ldd "$A" | awk '{print $1}' >"$WORK/libs"
if ! grep -qE 'libcurl|libxml2|libqb|libssl|libcrypto|libpq|libjson' "$WORK/libs"; then
    pass "the agent links only $(tr '\n' ' ' <"$WORK/libs")"
else
    fail "the agent links heavy libraries: $(tr '\n' ' ' <"$WORK/libs")"
fi
ra pmm-server frobnicate
expect "unknown action" 3 "action 'frobnicate' is not implemented"
"$A" >/dev/null 2>&1
rc=$?
[[ $rc == 2 ]] && pass "no action: rc 2 and usage" || fail "no action: rc $rc, expected 2"
# crm shell (4.4) hands meta-data to lxml as a str, which refuses an XML
# declaration naming an encoding: crm would call the agent nonexistent
for a in pmm-server pmm-storage lvm-sysid; do
    if crm ra info "ocf:pmmha:$a" >/dev/null 2>"$WORK/crm.err"; then
        pass "crm ra info ocf:pmmha:$a reads the meta-data"
    else
        fail "crm ra info ocf:pmmha:$a: $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/crm.err" | head -1)"
    fi
done
