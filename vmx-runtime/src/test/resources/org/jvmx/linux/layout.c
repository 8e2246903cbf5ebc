/* The host C library's view of the structures LinuxFiles writes, for LinuxFilesLayoutTest:
 *   layout          sizes and field offsets of struct stat, statx, statfs, dirent64
 *   stat PATH       the bytes of lstat(PATH) in hex
 *   statx PATH      the bytes of statx(PATH, AT_SYMLINK_NOFOLLOW) in hex
 *   dents PATH      one "name ino type" line per getdents64 record */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OFF(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(struct t, f))

static void hex(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    if (!strcmp(argv[1], "layout")) {
        printf("sizeof.stat %zu\nsizeof.statx %zu\nsizeof.statfs %zu\n", sizeof(struct stat),
               sizeof(struct statx), sizeof(struct statfs));
        OFF(stat, st_dev); OFF(stat, st_ino); OFF(stat, st_nlink); OFF(stat, st_mode); OFF(stat, st_uid);
        OFF(stat, st_gid); OFF(stat, st_rdev); OFF(stat, st_size); OFF(stat, st_blksize); OFF(stat, st_blocks);
        OFF(stat, st_atim); OFF(stat, st_mtim); OFF(stat, st_ctim);
        OFF(statx, stx_mask); OFF(statx, stx_blksize); OFF(statx, stx_attributes); OFF(statx, stx_nlink);
        OFF(statx, stx_uid); OFF(statx, stx_gid); OFF(statx, stx_mode); OFF(statx, stx_ino); OFF(statx, stx_size);
        OFF(statx, stx_blocks); OFF(statx, stx_attributes_mask); OFF(statx, stx_atime); OFF(statx, stx_btime);
        OFF(statx, stx_ctime); OFF(statx, stx_mtime); OFF(statx, stx_rdev_major); OFF(statx, stx_rdev_minor);
        OFF(statx, stx_dev_major); OFF(statx, stx_dev_minor);
        OFF(statfs, f_type); OFF(statfs, f_bsize); OFF(statfs, f_blocks); OFF(statfs, f_namelen);
        OFF(statfs, f_frsize); OFF(statfs, f_flags);
        OFF(dirent64, d_ino); OFF(dirent64, d_off); OFF(dirent64, d_reclen); OFF(dirent64, d_type);
        OFF(dirent64, d_name);
        return 0;
    }
    if (!strcmp(argv[1], "stat")) {
        struct stat st;
        memset(&st, 0, sizeof st);
        if (lstat(argv[2], &st)) return 1;
        hex(&st, sizeof st);
        return 0;
    }
    if (!strcmp(argv[1], "statx")) {
        struct statx sx;
        memset(&sx, 0, sizeof sx);
        if (statx(AT_FDCWD, argv[2], AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx)) return 1;
        hex(&sx, sizeof sx);
        return 0;
    }
    if (!strcmp(argv[1], "dents")) {
        char buf[65536];
        int fd = open(argv[2], O_RDONLY | O_DIRECTORY);
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *) (buf + off);
                printf("%s %llu %d\n", d->d_name, (unsigned long long) d->d_ino, d->d_type);
                off += d->d_reclen;
            }
        }
        return 0;
    }
    return 2;
}
