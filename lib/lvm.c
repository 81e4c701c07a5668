/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lvm.c - LVM names, device-mapper names, and a VG's metadata read from a
 * PV without the LVM tools. The on-disk format (LVM2 "text" format):
 *
 *   sector 0..3  label_header "LABELONE", then pv_header: PV uuid, size,
 *                data areas and metadata areas as {offset, size} lists,
 *                each ended by a zero entry
 *   metadata     mda_header (512 bytes): checksum, magic, version, start,
 *   area         size, raw_locn[] {offset, size, checksum, flags}; the
 *                first raw_locn points at the committed metadata text,
 *                stored in a circular buffer after the header
 *
 * All integers little-endian; checksums are lvm_crc() with LVM's seed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "lvm.h"

#define SECTOR 512
#define LABEL_SCAN_SECTORS 4
#define MDA_HEADER_SIZE 512
#define MDA_MAGIC " LVM2 x[5A%r0N*>"
#define MDA_TEXT_MAX (64U << 20)
#define RAW_LOCN_IGNORED 0x1U
#define DIRECT_ALIGN 4096
#define MAX_MDAS 8

/* ---- names ----------------------------------------------------------- */

static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-";

/* LV names LVM keeps for itself: prefixes, and parts anywhere in a name. */
static const char *const lv_reserved_prefix[] = { "snapshot", "pvmove", NULL };
static const char *const lv_reserved_part[]
    = { "_cdata",  "_cmeta",   "_corig",   "_cpool",  "_cvol",  "_wcorig",
        "_mimage", "_mlog",    "_pmspare", "_rimage", "_rmeta", "_tdata",
        "_tmeta",  "_vorigin", "_vdata",   NULL };

int
lvm_name_check(const char *name, bool is_lv, char *why, size_t len)
{
    const char *kind = is_lv ? "an LV" : "a VG";
    size_t n = strlen(name);

    if (n == 0 || n > LVM_NAME_MAX || strspn(name, name_chars) != n
        || name[0] == '-' || !strcmp(name, ".") || !strcmp(name, "..")) {
        snprintf(why, len,
                 "%s name is 1 to %d of A-Za-z0-9+_.-, not starting with "
                 "'-', not '.' or '..'",
                 kind, LVM_NAME_MAX);
        return -EINVAL;
    }
    if (!is_lv)
        return 0;
    for (size_t i = 0; lv_reserved_prefix[i]; i++)
        if (!strncmp(name, lv_reserved_prefix[i],
                     strlen(lv_reserved_prefix[i]))) {
            snprintf(why, len, "LV names starting with '%s' are reserved",
                     lv_reserved_prefix[i]);
            return -EINVAL;
        }
    for (size_t i = 0; lv_reserved_part[i]; i++)
        if (strstr(name, lv_reserved_part[i])) {
            snprintf(why, len,
                     "LV names containing '%s' are reserved for LVM's "
                     "internal volumes",
                     lv_reserved_part[i]);
            return -EINVAL;
        }
    return 0;
}

/* Appends @s to @buf at *@at with each '-' doubled. */
static int
dm_escape(const char *s, char *buf, size_t len, size_t *at)
{
    for (; *s; s++) {
        if (*at + (*s == '-' ? 2 : 1) >= len)
            return -ENAMETOOLONG;
        if (*s == '-')
            buf[(*at)++] = '-';
        buf[(*at)++] = *s;
    }
    buf[*at] = '\0';
    return 0;
}

int
lvm_dm_name(const char *vg, const char *lv, char *buf, size_t len)
{
    size_t at = 0;

    if (len == 0 || dm_escape(vg, buf, len, &at) < 0 || at + 1 >= len)
        return -ENAMETOOLONG;
    buf[at++] = '-';
    buf[at] = '\0';
    return dm_escape(lv, buf, len, &at);
}

int
lvm_dm_split(const char *dm, char *vg, size_t vglen, char *lv, size_t lvlen)
{
    size_t v = 0, l = 0;
    const char *s = dm;

    /* the VG: up to the first '-' that is not doubled */
    for (; *s; s++) {
        if (*s == '-' && s[1] == '-')
            s++;
        else if (*s == '-')
            break;
        if (v + 1 >= vglen)
            return -EINVAL;
        vg[v++] = *s;
    }
    if (*s != '-' || v == 0)
        return -EINVAL;
    vg[v] = '\0';
    for (s++; *s; s++) {
        if (*s == '-' && s[1] == '-')
            s++;
        if (l + 1 >= lvlen)
            return -EINVAL;
        lv[l++] = *s;
    }
    if (l == 0)
        return -EINVAL;
    lv[l] = '\0';
    return 0;
}

uint32_t
lvm_crc(uint32_t initial, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uint32_t crc = initial;

    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
    }
    return crc;
}

int
lvm_id_undash(const char *in, char *out, size_t len)
{
    size_t n = 0;

    for (; *in; in++) {
        if (*in == '-')
            continue;
        if (n + 1 >= len)
            return -EINVAL;
        out[n++] = *in;
    }
    if (n != LVM_ID_LEN)
        return -EINVAL;
    out[n] = '\0';
    return 0;
}

/* ---- the metadata text ----------------------------------------------- */

enum tok_type {
    T_EOF,
    T_WORD,
    T_STR,
    T_LBRACE,
    T_RBRACE,
    T_EQ,
    T_LBRACK,
    T_RBRACK,
    T_COMMA,
    T_BAD,
};

struct tok {
    enum tok_type type;
    const char *s; /* a word or a string's inside */
    size_t n;
};

struct scan {
    const char *t;
    size_t len, pos;
};

static void
skip_blank(struct scan *sc)
{
    while (sc->pos < sc->len) {
        char c = sc->t[sc->pos];

        if (c == '#')
            while (sc->pos < sc->len && sc->t[sc->pos] != '\n')
                sc->pos++;
        else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')
            sc->pos++;
        else
            break;
    }
}

static void
next_tok(struct scan *sc, struct tok *tk)
{
    static const char punct[] = "{}=[],";
    static const enum tok_type ptype[]
        = { T_LBRACE, T_RBRACE, T_EQ, T_LBRACK, T_RBRACK, T_COMMA };
    const char *p;

    skip_blank(sc);
    tk->s = sc->t + sc->pos;
    tk->n = 0;
    if (sc->pos >= sc->len) {
        tk->type = T_EOF;
        return;
    }
    p = strchr(punct, sc->t[sc->pos]);
    if (p && *p) {
        tk->type = ptype[p - punct];
        sc->pos++;
        return;
    }
    if (sc->t[sc->pos] == '"') {
        size_t start = ++sc->pos;

        while (sc->pos < sc->len && sc->t[sc->pos] != '"')
            sc->pos += sc->t[sc->pos] == '\\' ? 2 : 1;
        if (sc->pos >= sc->len) {
            tk->type = T_BAD;
            return;
        }
        tk->type = T_STR;
        tk->s = sc->t + start;
        tk->n = sc->pos++ - start;
        return;
    }
    while (sc->pos < sc->len && strchr(name_chars, sc->t[sc->pos])
           && sc->t[sc->pos])
        sc->pos++;
    tk->n = (size_t) (sc->t + sc->pos - tk->s);
    tk->type = tk->n ? T_WORD : T_BAD;
}

/* Copies a token's text (a string unescaped) into @buf; -E2BIG if long. */
static int
tok_copy(const struct tok *tk, char *buf, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < tk->n; i++) {
        if (tk->type == T_STR && tk->s[i] == '\\' && i + 1 < tk->n)
            i++;
        if (n + 1 >= len)
            return -E2BIG;
        buf[n++] = tk->s[i];
    }
    buf[n] = '\0';
    return 0;
}

static bool
tok_is(const struct tok *tk, const char *word)
{
    return tk->n == strlen(word) && !memcmp(tk->s, word, tk->n);
}

#define MD_DEPTH 8

/* Where the parser is: the section names from the top. */
struct md_parse {
    struct lvm_md_vg *vg;
    int depth;
    struct tok path[MD_DEPTH];
    struct lvm_md_lv lv; /* the LV section being read */
    bool lv_visible;
    int err;
};

static bool
in_lvs(const struct md_parse *mp)
{
    return mp->depth == 3 && tok_is(&mp->path[1], "logical_volumes");
}

static void
on_section(struct md_parse *mp, const struct tok *name)
{
    if (mp->depth == 1 && !mp->vg->name[0]
        && tok_copy(name, mp->vg->name, sizeof mp->vg->name) < 0)
        mp->err = -EBADMSG;
    if (mp->depth == 3 && tok_is(&mp->path[1], "physical_volumes"))
        mp->vg->pv_count++;
    if (in_lvs(mp)) {
        memset(&mp->lv, 0, sizeof mp->lv);
        mp->lv_visible = false;
        if (tok_copy(name, mp->lv.name, sizeof mp->lv.name) < 0)
            mp->err = -EBADMSG;
    }
}

static void
on_section_end(struct md_parse *mp)
{
    struct lvm_md_vg *vg = mp->vg;

    if (!in_lvs(mp) || !mp->lv_visible)
        return;
    if (vg->n_lvs >= LVM_MD_MAX_LVS) {
        mp->err = -E2BIG;
        return;
    }
    if (!mp->lv.id[0])
        mp->err = -EBADMSG;
    vg->lvs[vg->n_lvs++] = mp->lv;
}

static void
on_value(struct md_parse *mp, const struct tok *key, const struct tok *val)
{
    struct lvm_md_vg *vg = mp->vg;
    char buf[LVM_SYSID_MAX];
    int r = 0;

    if (mp->depth == 1 && tok_is(key, "id")) {
        r = tok_copy(val, buf, sizeof buf);
        if (r == 0)
            r = lvm_id_undash(buf, vg->id, sizeof vg->id);
    } else if (mp->depth == 1 && tok_is(key, "system_id"))
        r = tok_copy(val, vg->system_id, sizeof vg->system_id);
    else if (mp->depth == 1 && tok_is(key, "seqno")) {
        r = tok_copy(val, buf, sizeof buf);
        vg->seqno = r ? 0 : strtoull(buf, NULL, 10);
    } else if (in_lvs(mp) && tok_is(key, "id")) {
        r = tok_copy(val, buf, sizeof buf);
        if (r == 0)
            r = lvm_id_undash(buf, mp->lv.id, sizeof mp->lv.id);
    }
    if (r < 0)
        mp->err = -EBADMSG;
}

/* The value after '=': a word, a string, or a [list]; sets *visible when
 * the list holds "VISIBLE". */
static int
read_value(struct scan *sc, struct tok *val, bool *visible)
{
    struct tok tk;

    next_tok(sc, val);
    if (val->type == T_WORD || val->type == T_STR)
        return 0;
    if (val->type != T_LBRACK)
        return -EBADMSG;
    for (;;) {
        next_tok(sc, &tk);
        if (tk.type == T_RBRACK)
            return 0;
        if (tk.type == T_STR && tok_is(&tk, "VISIBLE"))
            *visible = true;
        else if (tk.type != T_STR && tk.type != T_WORD && tk.type != T_COMMA)
            return -EBADMSG;
    }
}

/* One statement: "name {", "}", or "name = value". 1 at the end. */
static int
parse_step(struct scan *sc, struct md_parse *mp)
{
    struct tok name, tk, val;
    bool visible = false;

    next_tok(sc, &name);
    if (name.type == T_EOF)
        return mp->depth == 0 ? 1 : -EBADMSG;
    if (name.type == T_RBRACE) {
        if (mp->depth == 0)
            return -EBADMSG;
        on_section_end(mp);
        mp->depth--;
        return 0;
    }
    next_tok(sc, &tk);
    if (name.type != T_WORD || (tk.type != T_LBRACE && tk.type != T_EQ))
        return -EBADMSG;
    if (tk.type == T_LBRACE) {
        if (mp->depth >= MD_DEPTH)
            return -EBADMSG;
        mp->path[mp->depth++] = name;
        on_section(mp, &name);
        return 0;
    }
    if (read_value(sc, &val, &visible) < 0)
        return -EBADMSG;
    if (in_lvs(mp) && tok_is(&name, "status"))
        mp->lv_visible = visible;
    on_value(mp, &name, &val);
    return 0;
}

int
lvm_md_parse(const char *text, size_t len, struct lvm_md_vg *ret)
{
    struct scan sc = { text, len, 0 };
    struct md_parse mp;
    int r;

    memset(&mp, 0, sizeof mp);
    mp.vg = calloc(1, sizeof *mp.vg);
    if (!mp.vg)
        return -ENOMEM;
    do
        r = parse_step(&sc, &mp);
    while (r == 0 && mp.err == 0);
    if (mp.err)
        r = mp.err;
    else if (r == 1)
        r = 0;
    if (r == 0 && (!mp.vg->name[0] || !mp.vg->id[0]))
        r = -EBADMSG;
    if (r == 0)
        memcpy(ret, mp.vg, sizeof *ret);
    free(mp.vg);
    return r;
}

/* ---- the PV on disk --------------------------------------------------- */

/* Reads @len bytes at @off into @out through an aligned bounce buffer. */
static int
read_at(int fd, uint64_t off, size_t len, void *out)
{
    uint64_t a = off & ~(uint64_t) (DIRECT_ALIGN - 1);
    size_t span = (size_t) ((off + len + DIRECT_ALIGN - 1)
                            & ~(uint64_t) (DIRECT_ALIGN - 1))
                  - (size_t) a;
    size_t got = 0;
    void *buf;
    int r = 0;

    if (posix_memalign(&buf, DIRECT_ALIGN, span) != 0)
        return -ENOMEM;
    while (got < span) {
        ssize_t n
            = pread(fd, (char *) buf + got, span - got, (off_t) (a + got));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = errno > 0 ? -errno : -EIO;
            break;
        }
        if (n == 0)
            break;
        got += (size_t) n;
    }
    if (r == 0 && got < (size_t) (off - a) + len)
        r = -EIO; /* short: the device ends inside the region */
    if (r == 0)
        memcpy(out, (char *) buf + (off - a), len);
    free(buf);
    return r;
}

struct locn {
    uint64_t offset, size;
};

/* Finds the label in the first sectors; fills the metadata areas. */
static int
read_label(int fd, struct locn *mdas, size_t *n_mdas)
{
    unsigned char sec[LABEL_SCAN_SECTORS * SECTOR];
    int r = read_at(fd, 0, sizeof sec, sec);

    if (r != 0)
        return r < 0 ? r : -EIO;
    for (unsigned i = 0; i < LABEL_SCAN_SECTORS; i++) {
        const unsigned char *lh = sec + (size_t) i * SECTOR;
        uint32_t off = (uint32_t) ra_get_le(lh + 20, 4);
        size_t at, list = 0;

        if (memcmp(lh, "LABELONE", 8) != 0 || ra_get_le(lh + 8, 8) != i)
            continue;
        if (memcmp(lh + 24, "LVM2 001", 8) != 0
            || (uint32_t) ra_get_le(lh + 16, 4)
                   != lvm_crc(LVM_CRC_INITIAL, lh + 20, SECTOR - 20)
            || off < 32 || off > SECTOR - 56)
            return -EBADMSG;
        /* pv_header: uuid[32], size, then two zero-ended locn lists */
        *n_mdas = 0;
        for (at = off + 40; at + 16 <= SECTOR && list < 2; at += 16) {
            struct locn l
                = { ra_get_le(lh + at, 8), ra_get_le(lh + at + 8, 8) };

            if (l.offset == 0)
                list++;
            else if (list == 1 && *n_mdas < MAX_MDAS)
                mdas[(*n_mdas)++] = l;
        }
        return list == 2 ? 0 : -EBADMSG;
    }
    return -ENODATA;
}

/* Reads the committed metadata text of the area at @mda. */
static int
read_mda_text(int fd, const struct locn *mda, char **ret_text, size_t *ret_len)
{
    unsigned char h[MDA_HEADER_SIZE];
    uint64_t size, ro, rs, first;
    char *text;
    int r = read_at(fd, mda->offset, sizeof h, h);

    if (r < 0)
        return r;
    if (memcmp(h + 4, MDA_MAGIC, 16) != 0
        || (uint32_t) ra_get_le(h + 20, 4) != 1
        || (uint32_t) ra_get_le(h, 4)
               != lvm_crc(LVM_CRC_INITIAL, h + 4, sizeof h - 4)
        || ra_get_le(h + 24, 8) != mda->offset)
        return -EBADMSG;
    size = ra_get_le(h + 32, 8);
    ro = ra_get_le(h + 40, 8);
    rs = ra_get_le(h + 48, 8);
    if (rs == 0 || ((uint32_t) ra_get_le(h + 60, 4) & RAW_LOCN_IGNORED))
        return -ENODATA;
    if (rs > MDA_TEXT_MAX || ro < MDA_HEADER_SIZE || ro >= size
        || rs > size - MDA_HEADER_SIZE)
        return -EBADMSG;
    text = malloc(rs);
    if (!text)
        return -ENOMEM;
    first = ro + rs > size ? size - ro : rs; /* the buffer may wrap */
    r = read_at(fd, mda->offset + ro, first, text);
    if (r == 0 && first < rs)
        r = read_at(fd, mda->offset + MDA_HEADER_SIZE, rs - first,
                    text + first);
    if (r == 0
        && lvm_crc(LVM_CRC_INITIAL, text, rs)
               != (uint32_t) ra_get_le(h + 56, 4))
        r = -EBADMSG;
    if (r < 0) {
        free(text);
        return r;
    }
    *ret_text = text;
    *ret_len = rs;
    return 0;
}

int
lvm_pv_read_vg(const char *path, struct lvm_md_vg *ret)
{
    struct locn mdas[MAX_MDAS];
    size_t n = 0, len = 0;
    char *text = NULL;
    int fd, r;

    fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 && errno == EINVAL) /* a file system without O_DIRECT */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    r = read_label(fd, mdas, &n);
    if (r == 0)
        r = -ENODATA; /* a PV without metadata areas */
    for (size_t i = 0; i < n; i++) {
        r = read_mda_text(fd, &mdas[i], &text, &len);
        if (r == 0 || r == -ENOMEM)
            break;
    }
    close(fd);
    if (r < 0)
        return r;
    r = lvm_md_parse(text, len, ret);
    free(text);
    return r;
}
