/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hangfs - a FUSE file system with one file, "disk", that hangs on demand:
 * a storage path that stops answering, for the hung-device tests
 * (tests/integration/55-storage-hung.sh). A loop device on MOUNTPOINT/disk
 * is a block device whose I/O blocks in the kernel, in uninterruptible
 * sleep, while the control file exists:
 *
 *   CONTROL holds "rw": reads, writes and fsyncs block until it is removed
 *   CONTROL holds "w":  writes and fsyncs block, reads are served
 *
 * The file is served with direct_io, so every read and write of the loop
 * device reaches this process (no page cache of the FUSE file in between).
 *
 *   hangfs BACKING-FILE CONTROL-FILE MOUNTPOINT   (stays in the foreground)
 *
 * Build: cc -o hangfs hangfs.c $(pkg-config --cflags --libs fuse3)
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *control;
static int backing = -1;

/* Blocks while CONTROL exists and names @op's kind ('r' or 'w'). */
static void
wait_while_hung(char op)
{
    const struct timespec pause = { 0, 20 * 1000 * 1000 };

    for (;;) {
        char buf[8] = "";
        int fd = open(control, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
            return;
        if (read(fd, buf, sizeof buf - 1) < 0)
            buf[0] = '\0';
        close(fd);
        if (!strchr(buf, op))
            return;
        nanosleep(&pause, NULL);
    }
}

static int
hang_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct stat b;

    (void) fi;
    memset(st, 0, sizeof *st);
    if (!strcmp(path, "/")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, "/disk") != 0)
        return -ENOENT;
    if (fstat(backing, &b) < 0)
        return -errno;
    st->st_mode = S_IFREG | 0600;
    st->st_nlink = 1;
    st->st_size = b.st_size;
    return 0;
}

static int
hang_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
             struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void) off;
    (void) fi;
    (void) flags;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, "disk", NULL, 0, 0);
    return 0;
}

static int
hang_open(const char *path, struct fuse_file_info *fi)
{
    if (strcmp(path, "/disk") != 0)
        return -ENOENT;
    fi->direct_io = 1;
    return 0;
}

static int
hang_read(const char *path, char *buf, size_t size, off_t off,
          struct fuse_file_info *fi)
{
    ssize_t n;

    (void) path;
    (void) fi;
    wait_while_hung('r');
    n = pread(backing, buf, size, off);
    return n < 0 ? -errno : (int) n;
}

static int
hang_write(const char *path, const char *buf, size_t size, off_t off,
           struct fuse_file_info *fi)
{
    ssize_t n;

    (void) path;
    (void) fi;
    wait_while_hung('w');
    n = pwrite(backing, buf, size, off);
    return n < 0 ? -errno : (int) n;
}

static int
hang_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void) path;
    (void) datasync;
    (void) fi;
    wait_while_hung('w');
    return fdatasync(backing) < 0 ? -errno : 0;
}

static const struct fuse_operations ops = {
    .getattr = hang_getattr,
    .readdir = hang_readdir,
    .open = hang_open,
    .read = hang_read,
    .write = hang_write,
    .fsync = hang_fsync,
};

int
main(int argc, char **argv)
{
    char *fargv[]
        = { argv[0], (char *) "-f", (char *) "-o", (char *) "fsname=hangfs",
            NULL,    NULL };

    if (argc != 4) {
        fprintf(stderr, "usage: %s BACKING-FILE CONTROL-FILE MOUNTPOINT\n",
                argv[0]);
        return 2;
    }
    backing = open(argv[1], O_RDWR | O_CLOEXEC);
    if (backing < 0) {
        perror(argv[1]);
        return 1;
    }
    control = argv[2];
    fargv[4] = argv[3];
    return fuse_main(5, fargv, &ops, NULL);
}
