/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * curl-tls.h - how every libcurl handle of pmmha trusts a server: the
 * readyz probe's (lib/net-curl.c) and pmmha-replicator's (agents/
 * repl-http.c), one policy in one place.
 *
 *  - neither @ca nor @pin: the certificate is not verified at all. PMM
 *    Server ships a self-signed certificate.
 *  - @ca: the chain must verify against that file (and only that file: the
 *    system CA directory is not consulted), but the host name is NOT
 *    checked against the certificate: PMM's certificate names whatever the
 *    operator put in it, rarely the address used (a VIP, a container
 *    address, 127.0.0.1).
 *  - @pin "sha256//BASE64": the server's public key (SPKI) must hash to
 *    it; the chain itself is not verified (a pin is stronger). Both may be
 *    set: then both must hold.
 * NULL or "" means unset.
 */
#ifndef PMMHA_CURL_TLS_H
#define PMMHA_CURL_TLS_H

#include <curl/curl.h>

static inline CURLcode
ra_curl_tls(CURL *h, const char *ca, const char *pin)
{
    CURLcode rc;

    if (ca && !*ca)
        ca = NULL;
    if (pin && !*pin)
        pin = NULL;
    rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, ca ? 1L : 0L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    if (!rc)
        rc = curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    if (!rc && pin)
        rc = curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pin);
    return rc;
}

#endif
