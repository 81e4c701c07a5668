/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta2c - build tool: turns an agent's metadata XML (heartbeat/<agent>.xml,
 * the one source of truth for its parameters) into
 *   <out>.xml  the metadata as meta-data prints it: comments and the
 *              pmmha-only attributes (allowed, min, max) removed, so that
 *              it validates against ra-api-1.dtd;
 *   <out>.c    that XML as a C string, the parameter table and the action
 *              timeouts, so no XML is parsed when the agent runs.
 *
 * usage: meta2c AGENT.xml OUT-BASENAME
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

static int
is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE
           && xmlStrcmp(n->name, (const xmlChar *) name) == 0;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent->children; n; n = n->next)
        if (is_elem(n, name))
            return n;
    return NULL;
}

/* Writes @s as the body of a C string literal. */
static void
put_c_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        switch (*s) {
        case '\\':
            fputs("\\\\", f);
            break;
        case '"':
            fputs("\\\"", f);
            break;
        case '\n':
            fputs("\\n\"\n\"", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

static void
put_c_string_or_null(FILE *f, const xmlChar *s)
{
    if (s)
        put_c_string(f, (const char *) s);
    else
        fputs("NULL", f);
}

static const char *
type_enum(const xmlChar *t)
{
    if (!t || !xmlStrcmp(t, BAD_CAST "string"))
        return "RA_PARAM_STRING";
    if (!xmlStrcmp(t, BAD_CAST "integer"))
        return "RA_PARAM_INTEGER";
    if (!xmlStrcmp(t, BAD_CAST "boolean"))
        return "RA_PARAM_BOOLEAN";
    if (!xmlStrcmp(t, BAD_CAST "time"))
        return "RA_PARAM_TIME";
    return NULL;
}

static int
emit_param(FILE *f, xmlNodePtr p)
{
    xmlNodePtr content = child(p, "content");
    xmlChar *name = xmlGetProp(p, BAD_CAST "name");
    xmlChar *req = xmlGetProp(p, BAD_CAST "required");
    xmlChar *type = content ? xmlGetProp(content, BAD_CAST "type") : NULL;
    xmlChar *def = content ? xmlGetProp(content, BAD_CAST "default") : NULL;
    xmlChar *allowed = content ? xmlGetProp(content, BAD_CAST "allowed") : NULL;
    xmlChar *min = content ? xmlGetProp(content, BAD_CAST "min") : NULL;
    xmlChar *max = content ? xmlGetProp(content, BAD_CAST "max") : NULL;
    const char *te = type_enum(type);
    int r = 0;

    if (!name || !te) {
        fprintf(stderr, "meta2c: parameter %s: missing name or bad type\n",
                name ? (char *) name : "?");
        r = -1;
        goto done;
    }
    fputs("    { ", f);
    put_c_string(f, (char *) name);
    fprintf(f, ", %s, %s, ", te,
            req && !xmlStrcmp(req, BAD_CAST "1") ? "true" : "false");
    put_c_string_or_null(f, def);
    fputs(", ", f);
    put_c_string_or_null(f, allowed);
    fprintf(f, ", %s, %s },\n", min ? (char *) min : "1",
            max ? (char *) max : "0");
    if (content) {
        xmlUnsetProp(content, BAD_CAST "allowed");
        xmlUnsetProp(content, BAD_CAST "min");
        xmlUnsetProp(content, BAD_CAST "max");
    }
done:
    xmlFree(name);
    xmlFree(req);
    xmlFree(type);
    xmlFree(def);
    xmlFree(allowed);
    xmlFree(min);
    xmlFree(max);
    return r;
}

/* "180s", "2min", "5000ms" -> ms; the XML's own timeouts are this simple. */
static long
time_ms(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (!strcmp(end, "ms"))
        return v;
    if (!strcmp(end, "min") || !strcmp(end, "m"))
        return v * 60000;
    return v * 1000;
}

static void
emit_timeouts(FILE *f, xmlNodePtr actions, const char *sym)
{
    fprintf(f, "const struct ra_action_timeout %s_timeouts[] = {\n", sym);
    for (xmlNodePtr a = actions->children; a; a = a->next) {
        xmlChar *name, *to;

        if (!is_elem(a, "action"))
            continue;
        name = xmlGetProp(a, BAD_CAST "name");
        to = xmlGetProp(a, BAD_CAST "timeout");
        if (name && to) {
            fputs("    { ", f);
            put_c_string(f, (char *) name);
            fprintf(f, ", %ld },\n", time_ms((char *) to));
        }
        xmlFree(name);
        xmlFree(to);
    }
    fputs("    { NULL, 0 },\n};\n", f);
}

static void
strip_comments(xmlNodePtr n)
{
    xmlNodePtr next;

    for (; n; n = next) {
        next = n->next;
        if (n->type == XML_COMMENT_NODE) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            continue;
        }
        strip_comments(n->children);
    }
}

static int
generate(xmlDocPtr doc, const char *base)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr params = root ? child(root, "parameters") : NULL;
    xmlNodePtr actions = root ? child(root, "actions") : NULL;
    xmlChar *agent = root ? xmlGetProp(root, BAD_CAST "name") : NULL;
    xmlChar *xml = NULL;
    char sym[128], path[4096];
    FILE *c = NULL;
    int len, r = -1;

    if (!root || !is_elem(root, "resource-agent") || !actions || !agent) {
        fprintf(stderr, "meta2c: not an OCF resource-agent document\n");
        goto done;
    }
    snprintf(sym, sizeof sym, "%s", (char *) agent);
    for (char *s = sym; *s; s++)
        if (*s == '-')
            *s = '_';
    snprintf(path, sizeof path, "%s.c", base);
    c = fopen(path, "w");
    if (!c)
        goto done;
    fprintf(c,
            "/* Generated by meta2c from %s.xml: do not edit. */\n"
            "#include <stdbool.h>\n#include <stddef.h>\n"
            "#include \"param.h\"\n\n",
            (char *) agent);
    fprintf(c, "const struct ra_param_def %s_params[] = {\n", sym);
    for (xmlNodePtr p = params ? params->children : NULL; p; p = p->next)
        if (is_elem(p, "parameter") && emit_param(c, p) < 0)
            goto done;
    fputs("    { NULL, RA_PARAM_STRING, false, NULL, NULL, 1, 0 },\n};\n\n", c);
    emit_timeouts(c, actions, sym);
    strip_comments(doc->children);
    /* No encoding in the declaration: XML's default is UTF-8 anyway, and
     * crmsh (4.4) hands the meta-data to lxml as a str, which refuses one
     * ("Cannot parse meta-data XML", then "no such resource agent"). Without
     * an encoding libxml2 writes anything non-ASCII as a character
     * reference: the output is plain ASCII, as the stock agents' is. */
    xmlFree((xmlChar *) doc->encoding);
    doc->encoding = NULL;
    xmlDocDumpFormatMemoryEnc(doc, &xml, &len, NULL, 0);
    fprintf(c, "\nconst char %s_meta_xml[] =\n", sym);
    put_c_string(c, (char *) xml);
    fputs(";\n", c);
    snprintf(path, sizeof path, "%s.xml", base);
    FILE *x = fopen(path, "w");
    if (!x || fwrite(xml, 1, (size_t) len, x) != (size_t) len) {
        if (x)
            fclose(x);
        goto done;
    }
    if (fclose(x) != 0)
        goto done;
    r = 0;
done:
    if (c && fclose(c) != 0)
        r = -1;
    xmlFree(xml);
    xmlFree(agent);
    return r;
}

int
main(int argc, char **argv)
{
    xmlDocPtr doc;
    int r;

    if (argc != 3) {
        fprintf(stderr, "usage: meta2c AGENT.xml OUT-BASENAME\n");
        return 2;
    }
    doc = xmlReadFile(argv[1], NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!doc) {
        fprintf(stderr, "meta2c: cannot parse %s\n", argv[1]);
        return 1;
    }
    r = generate(doc, argv[2]);
    xmlFreeDoc(doc);
    xmlCleanupParser();
    if (r < 0)
        fprintf(stderr, "meta2c: %s: %s\n", argv[2], strerror(errno));
    return r < 0 ? 1 : 0;
}
