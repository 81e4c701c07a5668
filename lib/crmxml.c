/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crmxml.c - a minimal XML tag scanner for Pacemaker's command output (see
 * crmxml.h). It reads start tags and their attributes, skips comments and
 * declarations, and decodes the five predefined entities; that is all
 * crm_mon and stonith_admin produce in the parts we read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crmxml.h"

/* One tag: its name, whether it closes ("</x>"), and its attributes. */
struct xtag {
    char name[64];
    bool closing;
    const char *attrs; /* the text after the name, up to the '>' */
    size_t attrs_len;
};

/* Moves *@p past the next tag and describes it; 0 at the end. */
static int
next_tag(const char **p, struct xtag *t)
{
    const char *s = *p, *e;
    size_t n;

    for (;;) {
        s = strchr(s, '<');
        if (!s)
            return 0;
        if (!strncmp(s, "<!--", 4)) {
            e = strstr(s + 4, "-->");
            if (!e)
                return 0;
            s = e + 3;
        } else if (s[1] == '?' || s[1] == '!')
            s++;
        else
            break;
    }
    s++;
    t->closing = *s == '/';
    if (t->closing)
        s++;
    n = strcspn(s, " \t\r\n/>");
    if (n >= sizeof t->name)
        n = sizeof t->name - 1;
    memcpy(t->name, s, n);
    t->name[n] = '\0';
    s += n;
    /* the end of the tag: the first '>' outside quotes */
    for (e = s; *e && *e != '>'; e++)
        if (*e == '"' || *e == '\'') {
            const char *q = strchr(e + 1, *e);

            if (!q)
                return 0;
            e = q;
        }
    if (!*e)
        return 0;
    t->attrs = s;
    t->attrs_len = (size_t) (e - s);
    *p = e + 1;
    return 1;
}

static void
decode(const char *s, size_t n, char *buf, size_t len)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = { { "&amp;", '&' },
                 { "&lt;", '<' },
                 { "&gt;", '>' },
                 { "&quot;", '"' },
                 { "&apos;", '\'' } };
    size_t o = 0;

    for (size_t i = 0; i < n && o + 1 < len; i++) {
        char c = s[i];

        for (size_t k = 0; c == '&' && k < sizeof ents / sizeof ents[0]; k++)
            if (i + strlen(ents[k].ent) <= n
                && !strncmp(s + i, ents[k].ent, strlen(ents[k].ent))) {
                i += strlen(ents[k].ent) - 1;
                c = ents[k].c;
                break;
            }
        buf[o++] = c;
    }
    buf[o] = '\0';
}

/* Value of attribute @name in @t into @buf; false when absent. */
static bool
attr(const struct xtag *t, const char *name, char *buf, size_t len)
{
    const char *s = t->attrs, *end = t->attrs + t->attrs_len;
    size_t nl = strlen(name);

    while (s < end) {
        const char *eq, *q;
        char quote;

        while (s < end && strchr(" \t\r\n/", *s))
            s++;
        eq = memchr(s, '=', (size_t) (end - s));
        if (!eq || eq + 1 >= end)
            return false;
        quote = eq[1];
        if (quote != '"' && quote != '\'')
            return false;
        q = memchr(eq + 2, quote, (size_t) (end - eq - 2));
        if (!q)
            return false;
        if ((size_t) (eq - s) == nl && !memcmp(s, name, nl)) {
            decode(eq + 2, (size_t) (q - eq - 2), buf, len);
            return true;
        }
        s = q + 1;
    }
    return false;
}

static bool
attr_true(const struct xtag *t, const char *name)
{
    char v[16];

    return attr(t, name, v, sizeof v) && !strcmp(v, "true");
}

static int
add_node(struct crmxml_status *st, const struct xtag *t)
{
    struct crmxml_node *nd;

    if (st->n_nodes >= CRMXML_NODES_MAX)
        return -E2BIG;
    nd = &st->nodes[st->n_nodes];
    if (!attr(t, "name", nd->name, sizeof nd->name))
        return -EBADMSG;
    nd->online = attr_true(t, "online");
    nd->unclean = attr_true(t, "unclean");
    st->n_nodes++;
    return 0;
}

int
crmxml_status_parse(const char *xml, struct crmxml_status *ret)
{
    bool in_nodes = false, seen_nodes = false, seen_options = false;
    const char *p = xml;
    struct xtag t;
    int r = 0;

    memset(ret, 0, sizeof *ret);
    while (r == 0 && next_tag(&p, &t)) {
        if (!strcmp(t.name, "nodes")) {
            in_nodes = !t.closing;
            seen_nodes = true;
        } else if (in_nodes && !t.closing && !strcmp(t.name, "node"))
            r = add_node(ret, &t);
        else if (!t.closing && !strcmp(t.name, "cluster_options")) {
            ret->stonith_enabled = attr_true(&t, "stonith-enabled");
            seen_options = true;
        }
    }
    if (r == 0 && (!seen_nodes || !seen_options))
        r = -EBADMSG;
    return r;
}

const struct crmxml_node *
crmxml_status_node(const struct crmxml_status *st, const char *name)
{
    for (size_t i = 0; i < st->n_nodes; i++)
        if (!strcmp(st->nodes[i].name, name))
            return &st->nodes[i];
    return NULL;
}

/* "2026-11-22 01:50:48Z" (UTC) -> seconds since the epoch, or -1. */
static time_t
completed_at(const char *s)
{
    struct tm tm = { 0 };
    int n = 0;

    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n)
            != 6
        || strcmp(s + n, "Z") != 0)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

int
crmxml_fenced(const char *xml, const char *target)
{
    return crmxml_fenced_since(xml, target, 0);
}

int
crmxml_fenced_since(const char *xml, const char *target, time_t since)
{
    time_t last;
    int r = crmxml_fence_last(xml, target, &last);

    if (r == 1 && since > 0 && last < since)
        r = 0;
    return r;
}

/* True when @t is a successful "off" or "reboot" of @target. */
static bool
is_fencing_of(const struct xtag *t, const char *target)
{
    char v[CRMXML_NAME_MAX];

    if (t->closing || strcmp(t->name, "fence_event") != 0)
        return false;
    return attr(t, "target", v, sizeof v) && !strcmp(v, target)
           && attr(t, "status", v, sizeof v) && !strcmp(v, "success")
           && attr(t, "action", v, sizeof v)
           && (!strcmp(v, "off") || !strcmp(v, "reboot"));
}

int
crmxml_fence_last(const char *xml, const char *target, time_t *ret_completed)
{
    char v[CRMXML_NAME_MAX];
    bool seen = false, found = false;
    const char *p = xml;
    struct xtag t;
    time_t last = 0, at;

    while (next_tag(&p, &t)) {
        if (!strcmp(t.name, "fence_history") || !strcmp(t.name, "status"))
            seen = true;
        if (!is_fencing_of(&t, target))
            continue;
        found = true;
        at = attr(&t, "completed", v, sizeof v) ? completed_at(v) : -1;
        if (at > last)
            last = at;
    }
    if (!seen && !found)
        return -EBADMSG;
    *ret_completed = found ? last : 0;
    return found ? 1 : 0;
}
