/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.c - small helpers over json-c for rt-api.c (see json.h).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "json.h"

/** Parses exactly @len bytes as one JSON value (see json.h). */
struct json_object *
ra_json_parse(const char *buf, size_t len)
{
    struct json_tokener *tok;
    struct json_object *obj = NULL;

    if (len > INT_MAX)
        return NULL;
    tok = json_tokener_new();
    if (!tok)
        return NULL;
    obj = json_tokener_parse_ex(tok, buf, (int) len);
    if (json_tokener_get_error(tok) != json_tokener_success
        || json_tokener_get_parse_end(tok) != len) {
        /* an error, an incomplete document or trailing bytes */
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

/** The member at dotted @path, or NULL (see json.h). */
struct json_object *
ra_json_get(struct json_object *obj, const char *path)
{
    char key[128];

    while (obj && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t) (dot - path) : strlen(path);

        if (n >= sizeof key || !json_object_is_type(obj, json_type_object))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(obj, key, &obj))
            return NULL;
        path += n + (dot ? 1 : 0);
    }
    return obj;
}

/** Copies the string at @path; 0, -ENOENT or -ERANGE (see json.h). */
int
ra_json_get_str(struct json_object *obj, const char *path, char *buf,
                size_t len)
{
    struct json_object *v = ra_json_get(obj, path);
    const char *s;
    size_t n;

    if (len)
        buf[0] = '\0';
    if (!v || !json_object_is_type(v, json_type_string) || !len)
        return -ENOENT;
    s = json_object_get_string(v);
    n = (size_t) json_object_get_string_len(v);
    if (n >= len) {
        memcpy(buf, s, len - 1);
        buf[len - 1] = '\0';
        return -ERANGE;
    }
    memcpy(buf, s, n + 1);
    return 0;
}

/** The integer at @path; 0 or -ENOENT. */
int
ra_json_get_int(struct json_object *obj, const char *path, long long *ret)
{
    struct json_object *v = ra_json_get(obj, path);

    if (!v
        || !(json_object_is_type(v, json_type_int)
             || json_object_is_type(v, json_type_double)))
        return -ENOENT;
    *ret = (long long) json_object_get_int64(v);
    return 0;
}

/** The boolean at @path; 0 or -ENOENT. */
int
ra_json_get_bool(struct json_object *obj, const char *path, bool *ret)
{
    struct json_object *v = ra_json_get(obj, path);

    if (!v || !json_object_is_type(v, json_type_boolean))
        return -ENOENT;
    *ret = json_object_get_boolean(v) != 0;
    return 0;
}

/** Adds @val (consumed) under @key; 0 or -ENOMEM. */
int
ra_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
    if (!val)
        return -ENOMEM;
    if (json_object_object_add(obj, key, val) < 0) {
        json_object_put(val);
        return -ENOMEM;
    }
    return 0;
}

/** Adds a string under @key; 0 or -ENOMEM. */
int
ra_json_add_str(struct json_object *obj, const char *key, const char *val)
{
    return ra_json_add(obj, key, json_object_new_string(val));
}

/** Adds an integer under @key; 0 or -ENOMEM. */
int
ra_json_add_int(struct json_object *obj, const char *key, long long val)
{
    return ra_json_add(obj, key, json_object_new_int64((int64_t) val));
}

/** Adds a boolean under @key; 0 or -ENOMEM. */
int
ra_json_add_bool(struct json_object *obj, const char *key, bool val)
{
    return ra_json_add(obj, key, json_object_new_boolean(val));
}

/** Adds and returns a new object or array under @key; NULL on ENOMEM. */
struct json_object *
ra_json_add_new(struct json_object *obj, const char *key, bool array)
{
    struct json_object *v
        = array ? json_object_new_array() : json_object_new_object();

    return ra_json_add(obj, key, v) < 0 ? NULL : v;
}

/** Appends @val (consumed) to @arr; 0 or -ENOMEM. */
int
ra_json_append(struct json_object *arr, struct json_object *val)
{
    if (!val)
        return -ENOMEM;
    if (json_object_array_add(arr, val) < 0) {
        json_object_put(val);
        return -ENOMEM;
    }
    return 0;
}

/** Adds "K=V" as K: V; 0, -EINVAL or -ENOMEM. */
int
ra_json_add_kv(struct json_object *obj, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char key[256];
    size_t n;

    if (!eq || eq == kv)
        return -EINVAL;
    n = (size_t) (eq - kv);
    if (n >= sizeof key)
        return -EINVAL;
    memcpy(key, kv, n);
    key[n] = '\0';
    return ra_json_add_str(obj, key, eq + 1);
}
