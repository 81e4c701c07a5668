/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-rt-api.c - what the container runtime's REST API answers, as
 * rt-api.c reads it: container and image inspect documents, error answers
 * ({"cause", "message"}), the engine's refusal of our API version (version
 * negotiation), a pull's stream of JSON lines and an exec's multiplexed
 * output stream, fed in chunks as curl delivers them.
 *
 * Input: byte 0 picks the dialect (bit 0), the HTTP status (bits 1-3),
 * whether the body is a stream (bit 4) and whether it is an exec's output
 * (bit 5, into a 16-byte buffer); byte 1 the chunk size; the rest is the
 * body.
 */
#include "../../lib/rt-api.c"

#include "fuzz.h"

static const long statuses[8] = { 200, 400, 404, 409, 500, 204, 201, 304 };

/* Hands @body to on_data() in pieces of @chunk bytes, as curl would. */
static void
feed(struct api_call *call, const char *body, size_t len, size_t chunk)
{
    char piece[256];

    for (size_t at = 0; at < len;) {
        size_t n = len - at < chunk ? len - at : chunk;

        memcpy(piece, body + at, n); /* on_data must not read past n */
        if (on_data(piece, 1, n, call) != n)
            break;
        at += n;
    }
    if (call->stream && call->len)
        stream_lines(call, true);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rt rt;
    struct api_call call;
    struct rt_container ctr;
    struct rt_image img;
    struct json_object *o;
    char repo[RT_REF_MAX], out[16];
    struct demux m = { .out = out, .out_len = sizeof out };
    const char *tag;
    int r;

    if (size < 2)
        return 0;
    memset(&rt, 0, sizeof rt);
    rt.transport = data[0] & 1 ? RT_API_DOCKER : RT_API_LIBPOD;
    snprintf(rt.socket, sizeof rt.socket, "/run/podman/podman.sock");
    call_init(&rt, &call, "container inspect", "GET", 0);
    call.stream = (data[0] >> 4) & 1;
    call.status = statuses[(data[0] >> 1) & 7];
    call.demux = (data[0] >> 5) & 1 ? &m : NULL;
    out[0] = '\0';
    feed(&call, (const char *) data + 2, size - 2, (size_t) data[1] + 1);

    /* version negotiation, as api_perform() does it */
    if (engine_wants(&rt, &call)) {
        const char *v = docker_version(&rt);
        size_t n = strspn(v, "0123456789");

        /* only "1.44" may reach a URL */
        if (n == 0 || v[n] != '.' || !v[n + 1]
            || strspn(v + n + 1, "0123456789") != strlen(v + n + 1))
            abort();
    }
    /* what reached the exec's buffer is a string within it */
    if (call.demux && (m.used >= sizeof out || out[m.used] != '\0'))
        abort();
    if (call.status < 200 || call.status >= 300)
        (void) api_fail(&rt, &call);
    else if (!call.stream) {
        o = api_json(&rt, &call, &r);
        if (o) {
            memset(&ctr, 0, sizeof ctr);
            (void) container_fill(&rt, o, &ctr);
            memset(&img, 0, sizeof img);
            image_fill(o, &img);
        }
        json_object_put(o);
    }
    /* the body's start as an image reference (a pull's path) */
    if (call.data && call.len && !memchr(call.data, '\0', call.len)
        && split_ref(call.data, repo, sizeof repo, &tag) == 0)
        (void) set_path(&rt, &call, "/images/create?fromImage=", repo,
                        "&tag=", tag);
    call_free(&call);
    return 0;
}
