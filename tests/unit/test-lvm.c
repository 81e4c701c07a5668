/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/lvm.c: LVM names, device-mapper names, the checksum,
 * the metadata text parser, and a synthetic PV (label, PV header,
 * metadata area header, text, wrapped text, damage) in a temporary file.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lvm.h"

/* ---- names ------------------------------------------------------------ */

static void
test_names(void **state)
{
    char why[256], long_name[200];

    (void) state;
    assert_int_equal(lvm_name_check("vg0", false, why, sizeof why), 0);
    assert_int_equal(lvm_name_check("my-vg+1_x.y", false, why, sizeof why), 0);
    assert_int_equal(lvm_name_check("-vg", false, why, sizeof why), -EINVAL);
    assert_non_null(strstr(why, "not starting with '-'"));
    assert_int_equal(lvm_name_check("", false, why, sizeof why), -EINVAL);
    assert_int_equal(lvm_name_check(".", false, why, sizeof why), -EINVAL);
    assert_int_equal(lvm_name_check("..", true, why, sizeof why), -EINVAL);
    assert_int_equal(lvm_name_check("vg/x", false, why, sizeof why), -EINVAL);
    assert_int_equal(lvm_name_check("vg x", false, why, sizeof why), -EINVAL);
    assert_int_equal(lvm_name_check("vg\"", false, why, sizeof why), -EINVAL);
    memset(long_name, 'a', 128);
    long_name[128] = '\0';
    assert_int_equal(lvm_name_check(long_name, false, why, sizeof why),
                     -EINVAL);
    long_name[127] = '\0';
    assert_int_equal(lvm_name_check(long_name, false, why, sizeof why), 0);
    /* reserved LV names; a VG may use them */
    assert_int_equal(lvm_name_check("snapshot1", true, why, sizeof why),
                     -EINVAL);
    assert_int_equal(lvm_name_check("pvmove0", true, why, sizeof why), -EINVAL);
    assert_int_equal(lvm_name_check("data_tmeta", true, why, sizeof why),
                     -EINVAL);
    assert_non_null(strstr(why, "_tmeta"));
    assert_int_equal(lvm_name_check("x_rimage_0", true, why, sizeof why),
                     -EINVAL);
    assert_int_equal(lvm_name_check("snapshot1", false, why, sizeof why), 0);
    assert_int_equal(lvm_name_check("srv-data", true, why, sizeof why), 0);
}

static void
test_dm_name(void **state)
{
    char buf[64], vg[64], lv[64];

    (void) state;
    assert_int_equal(lvm_dm_name("vg", "lv", buf, sizeof buf), 0);
    assert_string_equal(buf, "vg-lv");
    assert_int_equal(lvm_dm_name("my-vg", "srv-data", buf, sizeof buf), 0);
    assert_string_equal(buf, "my--vg-srv--data");
    assert_int_equal(lvm_dm_name("a--b", "-", buf, sizeof buf), 0);
    assert_string_equal(buf, "a----b---");
    assert_int_equal(lvm_dm_name("vg", "lv", buf, 5), -ENAMETOOLONG);
    assert_int_equal(lvm_dm_name("vg", "lv", buf, 6), 0);

    assert_int_equal(
        lvm_dm_split("my--vg-srv--data", vg, sizeof vg, lv, sizeof lv), 0);
    assert_string_equal(vg, "my-vg");
    assert_string_equal(lv, "srv-data");
    /* a hidden layer stays after a single dash */
    assert_int_equal(
        lvm_dm_split("vg-pool-tpool", vg, sizeof vg, lv, sizeof lv), 0);
    assert_string_equal(vg, "vg");
    assert_string_equal(lv, "pool-tpool");
    assert_int_equal(lvm_dm_split("a----b-c--", vg, sizeof vg, lv, sizeof lv),
                     0);
    assert_string_equal(vg, "a--b");
    assert_string_equal(lv, "c-");
    assert_int_equal(lvm_dm_split("novg", vg, sizeof vg, lv, sizeof lv),
                     -EINVAL);
    assert_int_equal(lvm_dm_split("vg-", vg, sizeof vg, lv, sizeof lv),
                     -EINVAL);
    assert_int_equal(lvm_dm_split("-lv", vg, sizeof vg, lv, sizeof lv),
                     -EINVAL);
    /* round trip */
    assert_int_equal(lvm_dm_name("x-y-", "z-", buf, sizeof buf), 0);
    assert_int_equal(lvm_dm_split(buf, vg, sizeof vg, lv, sizeof lv), 0);
    assert_string_equal(vg, "x-y-");
    assert_string_equal(lv, "z-");
}

static void
test_crc(void **state)
{
    (void) state;
    /* CRC-32 of "123456789" is 0xcbf43926 with seed ~0 and a final xor;
     * LVM's has no final xor */
    assert_int_equal(lvm_crc(0xffffffffU, "123456789", 9), ~0xcbf43926U);
    /* continuable: the text may wrap in the metadata area */
    assert_int_equal(lvm_crc(lvm_crc(LVM_CRC_INITIAL, "1234", 4), "56789", 5),
                     lvm_crc(LVM_CRC_INITIAL, "123456789", 9));
}

static void
test_id_undash(void **state)
{
    char out[40];

    (void) state;
    assert_int_equal(lvm_id_undash("2EZYgx-vapQ-3hyU-lzcS-BMVG-47fP-C2srxt",
                                   out, sizeof out),
                     0);
    assert_string_equal(out, "2EZYgxvapQ3hyUlzcSBMVG47fPC2srxt");
    assert_int_equal(lvm_id_undash("short", out, sizeof out), -EINVAL);
}

/* ---- metadata text ----------------------------------------------------- */

static const char md_text[]
    = "vg--one {\n"
      "id = \"2EZYgx-vapQ-3hyU-lzcS-BMVG-47fP-C2srxt\"\n"
      "seqno = 7\n"
      "format = \"lvm2\"\n"
      "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
      "flags = []\n"
      "system_id = \"vm1\"\n"
      "extent_size = 8192\n"
      "max_lv = 0\n"
      "\n"
      "physical_volumes {\n"
      "\n"
      "pv0 {\n"
      "id = \"aaaaaa-aaaa-aaaa-aaaa-aaaa-aaaa-aaaaaa\"\n"
      "device = \"/dev/vdb\" # Hint only\n"
      "status = [\"ALLOCATABLE\"]\n"
      "flags = []\n"
      "dev_size = 2097152\n"
      "pe_start = 2048\n"
      "pe_count = 255\n"
      "}\n"
      "pv1 {\n"
      "id = \"bbbbbb-bbbb-bbbb-bbbb-bbbb-bbbb-bbbbbb\"\n"
      "}\n"
      "}\n"
      "\n"
      "logical_volumes {\n"
      "\n"
      "srv-data {\n"
      "id = \"cccccc-cccc-cccc-cccc-cccc-cccc-cccccc\"\n"
      "status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
      "flags = []\n"
      "creation_time = 1700000000\n"
      "creation_host = \"vm1\"\n"
      "segment_count = 1\n"
      "\n"
      "segment1 {\n"
      "start_extent = 0\n"
      "extent_count = 50\n"
      "type = \"striped\"\n"
      "stripe_count = 1\n"
      "stripes = [\n"
      "\"pv0\", 0\n"
      "]\n"
      "}\n"
      "}\n"
      "\n"
      "hidden_tmeta {\n"
      "id = \"dddddd-dddd-dddd-dddd-dddd-dddd-dddddd\"\n"
      "status = [\"READ\", \"WRITE\"]\n"
      "}\n"
      "lv2 {\n"
      "id = \"eeeeee-eeee-eeee-eeee-eeee-eeee-eeeeee\"\n"
      "status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n"
      "}\n"
      "}\n"
      "\n"
      "}\n"
      "# Generated by LVM2 version 2.03.16(2) (2022-05-18): Tue Nov 21\n"
      "\n"
      "contents = \"Text Format Volume Group\"\n"
      "version = 1\n"
      "\n"
      "description = \"\"\n"
      "\n"
      "creation_host = \"vm1\"\t# Linux vm1 6.1.0 #1 SMP x86_64\n"
      "creation_time = 1700000000\t# Tue Nov 21 2023\n";

static void
test_md_parse(void **state)
{
    struct lvm_md_vg *vg = malloc(sizeof *vg);

    (void) state;
    assert_int_equal(lvm_md_parse(md_text, sizeof md_text, vg), 0);
    assert_string_equal(vg->name, "vg--one");
    assert_string_equal(vg->id, "2EZYgxvapQ3hyUlzcSBMVG47fPC2srxt");
    assert_string_equal(vg->system_id, "vm1");
    assert_int_equal(vg->seqno, 7);
    assert_int_equal(vg->pv_count, 2);
    assert_int_equal(vg->n_lvs, 2); /* the hidden one is left out */
    assert_string_equal(vg->lvs[0].name, "srv-data");
    assert_string_equal(vg->lvs[0].id, "cccccccccccccccccccccccccccccccc");
    assert_string_equal(vg->lvs[1].name, "lv2");
    free(vg);
}

static void
test_md_parse_no_sysid(void **state)
{
    const char t[] = "vg {\nid = \"2EZYgx-vapQ-3hyU-lzcS-BMVG-47fP-C2srxt\"\n"
                     "seqno = 1\n}\n";
    struct lvm_md_vg *vg = malloc(sizeof *vg);

    (void) state;
    assert_int_equal(lvm_md_parse(t, strlen(t), vg), 0);
    assert_string_equal(vg->system_id, "");
    assert_int_equal(vg->n_lvs, 0);
    free(vg);
}

static void
test_md_parse_bad(void **state)
{
    static const char *const bad[] = {
        "",                                                        /* nothing */
        "vg {\nseqno = 1\n}\n",                                    /* no id */
        "vg {\nid = \"2EZYgx-vapQ-3hyU-lzcS-BMVG-47fP-C2srxt\"\n", /* open */
        "vg {\nid = \"2EZYgx-vapQ\n}\n", /* unterminated string */
        "vg {\nid = \"2EZ\"\n}\n",       /* short id */
        "}\n",                           /* close without open */
        "vg {\nid == 1\n}\n",            /* syntax */
        "vg {\nstatus = [\"A\" \n}\n",   /* open list */
    };
    struct lvm_md_vg *vg = malloc(sizeof *vg);

    (void) state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lvm_md_parse(bad[i], strlen(bad[i]), vg), -EBADMSG);
    free(vg);
}

/* ---- a synthetic PV ----------------------------------------------------- */

#define PV_SIZE (2u << 20)
#define MDA_OFF 4096u
#define MDA_SIZE (1u << 20)

static void
put32(unsigned char *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

static void
put64(unsigned char *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, 8);
}

/* Writes a PV image with the label in @label_sector and @text at
 * @text_off in the metadata area; returns the file's path. */
static char *
make_pv(unsigned label_sector, const char *text, uint64_t text_off)
{
    static char path[64];
    unsigned char *img = calloc(1, PV_SIZE), *lh = img + label_sector * 512;
    unsigned char *pvh = lh + 32, *mh = img + MDA_OFF;
    size_t len = strlen(text) + 1, first;
    int fd;

    memcpy(lh, "LABELONE", 8);
    put64(lh + 8, label_sector);
    put32(lh + 20, 32);
    memcpy(lh + 24, "LVM2 001", 8);
    memset(pvh, 'P', 32);
    put64(pvh + 32, PV_SIZE);
    put64(pvh + 40, MDA_OFF + MDA_SIZE); /* data area */
    put64(pvh + 72, MDA_OFF);            /* metadata area */
    put64(pvh + 80, MDA_SIZE);
    put32(lh + 16, lvm_crc(LVM_CRC_INITIAL, lh + 20, 512 - 20));

    first = text_off + len > MDA_SIZE ? MDA_SIZE - text_off : len;
    memcpy(mh + text_off, text, first);
    memcpy(mh + 512, text + first, len - first);
    memcpy(mh + 4, " LVM2 x[5A%r0N*>", 16);
    put32(mh + 20, 1);
    put64(mh + 24, MDA_OFF);
    put64(mh + 32, MDA_SIZE);
    put64(mh + 40, text_off);
    put64(mh + 48, len);
    put32(mh + 56, lvm_crc(lvm_crc(LVM_CRC_INITIAL, mh + text_off, first),
                           mh + 512, len - first));
    put32(mh, lvm_crc(LVM_CRC_INITIAL, mh + 4, 512 - 4));

    snprintf(path, sizeof path, "/tmp/test-lvm-pv.XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, img, PV_SIZE), PV_SIZE);
    close(fd);
    free(img);
    return path;
}

static void
test_pv_read(void **state)
{
    struct lvm_md_vg *vg = malloc(sizeof *vg);
    char *path;

    (void) state;
    for (unsigned sector = 0; sector < 4; sector++) {
        path = make_pv(sector, md_text, 512);
        assert_int_equal(lvm_pv_read_vg(path, vg), 0);
        assert_string_equal(vg->system_id, "vm1");
        assert_string_equal(vg->name, "vg--one");
        assert_int_equal(vg->n_lvs, 2);
        unlink(path);
    }
    free(vg);
}

static void
test_pv_read_wrapped(void **state)
{
    struct lvm_md_vg *vg = malloc(sizeof *vg);
    char *path = make_pv(1, md_text, MDA_SIZE - 300);

    (void) state;
    assert_int_equal(lvm_pv_read_vg(path, vg), 0);
    assert_string_equal(vg->system_id, "vm1");
    assert_string_equal(vg->lvs[1].name, "lv2");
    unlink(path);
    free(vg);
}

/* Flips one byte at @off of @path. */
static void
damage(const char *path, off_t off)
{
    FILE *f = fopen(path, "r+");
    int c;

    assert_non_null(f);
    assert_int_equal(fseeko(f, off, SEEK_SET), 0);
    c = fgetc(f);
    assert_int_equal(fseeko(f, off, SEEK_SET), 0);
    fputc(c ^ 0x20, f);
    fclose(f);
}

static void
test_pv_read_damaged(void **state)
{
    struct lvm_md_vg *vg = malloc(sizeof *vg);
    char *path;

    (void) state;
    path = make_pv(1, md_text, 512); /* the label's checksum */
    damage(path, 512 + 100);
    assert_int_equal(lvm_pv_read_vg(path, vg), -EBADMSG);
    unlink(path);
    path = make_pv(1, md_text, 512); /* the metadata area header's */
    damage(path, MDA_OFF + 44);
    assert_int_equal(lvm_pv_read_vg(path, vg), -EBADMSG);
    unlink(path);
    path = make_pv(1, md_text, 512); /* the text's (a torn write) */
    damage(path, MDA_OFF + 512 + 40);
    assert_int_equal(lvm_pv_read_vg(path, vg), -EBADMSG);
    unlink(path);
    path = make_pv(1, md_text, 512); /* no label at all */
    damage(path, 512);
    assert_int_equal(lvm_pv_read_vg(path, vg), -ENODATA);
    unlink(path);
    assert_int_equal(lvm_pv_read_vg("/nonexistent/pv", vg), -ENOENT);
    free(vg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dm_name),
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_id_undash),
        cmocka_unit_test(test_md_parse),
        cmocka_unit_test(test_md_parse_no_sysid),
        cmocka_unit_test(test_md_parse_bad),
        cmocka_unit_test(test_pv_read),
        cmocka_unit_test(test_pv_read_wrapped),
        cmocka_unit_test(test_pv_read_damaged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
