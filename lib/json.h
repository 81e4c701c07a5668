/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - the little of json-c that the runtime API client needs: reading
 * scalars by dotted path out of an inspect document, and building request
 * bodies with allocation failures reported as -ENOMEM instead of ignored.
 * Part of the "net" plugin only; agents never link json-c.
 */
#ifndef PMMHA_JSON_H
#define PMMHA_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/**
 * Parses exactly @len bytes of @buf as one JSON value. Returns NULL when
 * the text is not JSON (or on allocation failure); release with
 * json_object_put().
 */
struct json_object *ra_json_parse(const char *buf, size_t len);

/**
 * The member at @path ("State.Pid"): keys separated by dots, each looked up
 * in an object. Returns NULL when a step is missing or not an object. Keys
 * that contain dots themselves (labels) are looked up with
 * json_object_object_get_ex() on the parent instead.
 */
struct json_object *ra_json_get(struct json_object *obj, const char *path);

/**
 * Copies the string at @path into @buf (always NUL-terminated). Returns 0,
 * -ENOENT when absent, null or not a string (@buf is then ""), -ERANGE when
 * it did not fit (@buf holds the truncated start).
 */
int ra_json_get_str(struct json_object *obj, const char *path, char *buf,
                    size_t len);

/** The integer at @path into @ret; -ENOENT when absent or not a number. */
int ra_json_get_int(struct json_object *obj, const char *path, long long *ret);

/** The boolean at @path into @ret; -ENOENT when absent or not a boolean. */
int ra_json_get_bool(struct json_object *obj, const char *path, bool *ret);

/**
 * Adds @val (consumed, even on failure) to object @obj under @key.
 * Returns 0 or -ENOMEM (also when @val is NULL: a failed constructor).
 */
int ra_json_add(struct json_object *obj, const char *key,
                struct json_object *val);

/** Adds string @val under @key; 0 or -ENOMEM. */
int ra_json_add_str(struct json_object *obj, const char *key, const char *val);

/** Adds integer @val under @key; 0 or -ENOMEM. */
int ra_json_add_int(struct json_object *obj, const char *key, long long val);

/** Adds boolean @val under @key; 0 or -ENOMEM. */
int ra_json_add_bool(struct json_object *obj, const char *key, bool val);

/**
 * Adds a new empty object (or, with @array, array) under @key and returns
 * it (owned by @obj), or NULL when out of memory.
 */
struct json_object *ra_json_add_new(struct json_object *obj, const char *key,
                                    bool array);

/** Appends @val (consumed, even on failure) to array @arr; 0 or -ENOMEM. */
int ra_json_append(struct json_object *arr, struct json_object *val);

/**
 * Adds "K=V" as key K, value V to @obj (labels, libpod env). -EINVAL when
 * @kv has no '=' or an empty key, -ENOMEM.
 */
int ra_json_add_kv(struct json_object *obj, const char *kv);

/*
 * Shared between the files of the net plugin (net-curl.c, rt-api.c); this
 * header is private to the plugin, so they live here rather than in a
 * header of their own.
 */
struct rt;
struct rt_ops;

/** rt_api_open of the plugin table (rt-api.c); see plugins.h. */
const struct rt_ops *ra_net_rt_api_open(struct rt *rt);

/** Maps a CURLcode to -errno: -ETIMEDOUT, -ECONNREFUSED, -EPROTO, ... */
int ra_net_curl_errno(int curl_code);

#endif
