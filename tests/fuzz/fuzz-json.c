/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-json.c - lib/json.c: a runtime's JSON document parsed, then read by
 * dotted paths as rt-api.c reads it (strings into small buffers, integers,
 * booleans), and "K=V" labels and environment entries added to an object.
 *
 * Input: PATH\n--\nKV\n--\nDOCUMENT (parts optional from the left: a lone
 * part is the document).
 */
#include "config.h"

#include <stdbool.h>

#include "../../lib/json.h"
#include "fuzz.h"

static const char *const paths[] = {
    "Id",
    "State.Pid",
    "State.Status",
    "State.Running",
    "Config.Image",
    "NetworkSettings.IPAddress",
    "errorDetail.message",
    "message",
    "cause",
    "a.b.c.d.e",
};

static void
read_path(struct json_object *o, const char *path)
{
    char small[8], big[256];
    long long ll;
    bool b;

    (void) ra_json_get(o, path);
    (void) ra_json_get_str(o, path, small, sizeof small);
    (void) ra_json_get_str(o, path, big, sizeof big);
    (void) ra_json_get_int(o, path, &ll);
    (void) ra_json_get_bool(o, path, &b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *part[3];
    size_t n = fz_split(data, size, part, 3);
    const char *doc = part[n - 1];
    struct json_object *o, *obj;

    /* exactly the bytes given: a document with a NUL inside is cut there */
    o = ra_json_parse(doc, strlen(doc));
    if (o) {
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
            read_path(o, paths[i]);
        if (n > 1)
            read_path(o, part[0]);
        json_object_put(o);
    }
    /* the raw bytes, NULs and all, with the length given */
    o = ra_json_parse((const char *) data, size);
    json_object_put(o);

    obj = json_object_new_object();
    if (obj && n > 2) {
        (void) ra_json_add_kv(obj, part[1]);
        read_path(obj, part[0]);
    }
    json_object_put(obj);
    free(part[0]);
    return 0;
}
