/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-mountinfo.c - lib/mountinfo.c (mountinfo lines with escaped paths,
 * optional fields, stacked mounts, lookups by mount point and by device;
 * mount option strings) and lib/procuse.c (a child whose cwd or open file
 * is on a filesystem is found; the caller never is).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mountinfo.h"
#include "procuse.h"

static const char fixture[]
    = "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
      "90 27 7:3 / /mnt/pmm\\040server/srv rw,noatime shared:40 master:2 "
      "- ext4 /dev/loop3 rw\n"
      "91 27 7:4 / /mnt/pmm-server/srv rw - xfs /dev/loop4 rw\n"
      "this line is garbage\n"
      "92 91 7:5 / /mnt/pmm-server/srv rw - ext4 /dev/loop5 rw\n"
      "93 27 7:3 /sub /bind rw - ext4 /dev/loop3 rw\n";

static char fixture_path[64];

static int
setup(void **state)
{
    int fd;

    (void) state;
    snprintf(fixture_path, sizeof fixture_path, "/tmp/pmmha-mi-XXXXXX");
    fd = mkstemp(fixture_path);
    if (fd < 0
        || write(fd, fixture, sizeof fixture - 1)
               != (ssize_t) sizeof fixture - 1)
        return -1;
    close(fd);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    unlink(fixture_path);
    return 0;
}

static void
test_parse(void **state)
{
    struct ra_mount *m = malloc(sizeof *m);

    (void) state;
    assert_non_null(m);
    assert_int_equal(ra_mountinfo_parse("90 27 7:3 / /mnt/pmm\\040server/srv "
                                        "rw,noatime shared:40 master:2 - "
                                        "ext4 /dev/loop3 rw\n",
                                        m),
                     0);
    assert_int_equal(m->id, 90);
    assert_int_equal(m->major, 7);
    assert_int_equal(m->minor, 3);
    assert_string_equal(m->target, "/mnt/pmm server/srv");
    assert_string_equal(m->fstype, "ext4");
    assert_string_equal(m->source, "/dev/loop3");
    /* tab, newline and backslash escapes; no optional fields */
    assert_int_equal(ra_mountinfo_parse("5 1 8:1 /a\\011b /x\\012y\\134z rw - "
                                        "xfs /dev/my\\040disk rw",
                                        m),
                     0);
    assert_string_equal(m->root, "/a\tb");
    assert_string_equal(m->target, "/x\ny\\z");
    assert_string_equal(m->source, "/dev/my disk");
    /* a lone backslash is kept */
    assert_int_equal(ra_mountinfo_parse("5 1 8:1 / /a\\b rw - xfs s rw", m), 0);
    assert_string_equal(m->target, "/a\\b");
    assert_int_equal(ra_mountinfo_parse("garbage", m), -EINVAL);
    assert_int_equal(ra_mountinfo_parse("1 2 3:4 / /x rw shared:1", m),
                     -EINVAL);
    assert_int_equal(ra_mountinfo_parse("1 2 3:4 / /x rw -", m), -EINVAL);
    assert_int_equal(ra_mountinfo_parse("", m), -EINVAL);
    free(m);
}

static void
test_lookups(void **state)
{
    struct ra_mount *m = malloc(sizeof *m);

    (void) state;
    assert_non_null(m);
    assert_int_equal(
        ra_mountinfo_by_target(fixture_path, "/mnt/pmm server/srv", m), 0);
    assert_int_equal(m->minor, 3);
    /* stacked: the topmost (last) one */
    assert_int_equal(
        ra_mountinfo_by_target(fixture_path, "/mnt/pmm-server/srv", m), 0);
    assert_int_equal(m->minor, 5);
    assert_int_equal(ra_mountinfo_by_target(fixture_path, "/mnt", m), -ENOENT);
    assert_int_equal(ra_mountinfo_by_dev(fixture_path, 7, 3, NULL, m), 0);
    assert_string_equal(m->target, "/mnt/pmm server/srv");
    assert_int_equal(
        ra_mountinfo_by_dev(fixture_path, 7, 3, "/mnt/pmm server/srv", m), 0);
    assert_string_equal(m->target, "/bind");
    assert_int_equal(ra_mountinfo_by_dev(fixture_path, 7, 9, NULL, m), -ENOENT);
    assert_int_equal(ra_mountinfo_by_target("/nonexistent/mountinfo", "/", m),
                     -ENOENT);
    /* the real one has a root */
    assert_int_equal(ra_mountinfo_by_target(NULL, "/", m), 0);
    free(m);
}

static void
test_opts(void **state)
{
    struct ra_mount_opts o;
    char bad[64], big[1500];

    (void) state;
    assert_int_equal(ra_mount_opts_parse("", &o, bad, sizeof bad), 0);
    assert_true(o.flags == 0 && o.data[0] == '\0');
    assert_int_equal(ra_mount_opts_parse(NULL, &o, bad, sizeof bad), 0);
    assert_int_equal(ra_mount_opts_parse("noatime,nodev,nosuid,ro,"
                                         "data=ordered,,errors=remount-ro",
                                         &o, bad, sizeof bad),
                     0);
    assert_true(o.flags == (MS_NOATIME | MS_NODEV | MS_NOSUID | MS_RDONLY));
    assert_string_equal(o.data, "data=ordered,errors=remount-ro");
    /* later words win; fstab-only words are dropped */
    assert_int_equal(ra_mount_opts_parse("defaults,ro,rw,noatime,relatime,"
                                         "_netdev,x-systemd.foo,nofail",
                                         &o, bad, sizeof bad),
                     0);
    assert_true(o.flags == MS_RELATIME);
    assert_string_equal(o.data, "");
    assert_int_equal(ra_mount_opts_parse("noexec,sync,dirsync,lazytime,"
                                         "logbufs=8",
                                         &o, bad, sizeof bad),
                     0);
    assert_true(o.flags
                == (MS_NOEXEC | MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME));
    assert_string_equal(o.data, "logbufs=8");
    assert_int_equal(ra_mount_opts_parse("noatime,bind", &o, bad, sizeof bad),
                     -EINVAL);
    assert_string_equal(bad, "bind");
    assert_int_equal(ra_mount_opts_parse("remount", &o, bad, sizeof bad),
                     -EINVAL);
    assert_int_equal(
        ra_mount_opts_parse("loop=/dev/loop0", &o, bad, sizeof bad), -EINVAL);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(ra_mount_opts_parse(big, &o, bad, sizeof bad), -EINVAL);
    for (size_t i = 100; i < sizeof big - 1; i += 100)
        big[i] = ',';
    assert_int_equal(ra_mount_opts_parse(big, &o, bad, sizeof bad), -E2BIG);
}

/* A child with its cwd (or an open file) on /tmp's filesystem is found;
 * this process, with the same cwd, is not. */
static void
check_child(int open_file)
{
    char dir[] = "/tmp/pmmha-pu-XXXXXX", file[64];
    pid_t kid, pids[4096];
    int p[2], n, found = 0;
    struct stat st;
    char c;

    assert_non_null(mkdtemp(dir));
    assert_int_equal(stat(dir, &st), 0);
    snprintf(file, sizeof file, "%s/f", dir);
    assert_int_equal(pipe(p), 0);
    kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        int fd = -1;

        if (open_file) {
            fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
            if (chdir("/proc") < 0)
                _exit(1);
        } else if (chdir(dir) < 0)
            _exit(1);
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        pause();
        _exit(fd >= 0 ? 0 : 1);
    }
    close(p[1]);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    assert_int_equal(chdir(dir), 0);
    n = ra_procs_using(NULL, major(st.st_dev), minor(st.st_dev), pids, 4096);
    assert_true(n > 0);
    for (int i = 0; i < n && i < 4096; i++) {
        assert_true(pids[i] != getpid());
        found |= pids[i] == kid;
    }
    assert_true(found);
    /* a filesystem nobody uses */
    assert_int_equal(ra_procs_using(NULL, 4095, 1048575, pids, 4), 0);
    assert_int_equal(ra_procs_using("/nonexistent", 1, 1, pids, 4), -ENOENT);
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
    assert_int_equal(chdir("/"), 0);
    unlink(file);
    rmdir(dir);
}

static void
test_procuse_cwd(void **state)
{
    (void) state;
    check_child(0);
}

static void
test_procuse_fd(void **state)
{
    (void) state;
    check_child(1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
        cmocka_unit_test(test_opts),
        cmocka_unit_test(test_procuse_cwd),
        cmocka_unit_test(test_procuse_fd),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
