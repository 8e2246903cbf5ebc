/* Runs file system operations given one per line on stdin ("op arg..." with '|' separating
 * arguments, "-" for an empty path) in the current directory and prints one result line per
 * operation: the return value (0 for a successful open) or -errno, plus what the call reported.
 * LinuxFilesHostDiffTest runs the same script through LinuxFiles and compares the output. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *arg(char **p) {
    char *s = strsep(p, "|");
    if (s && !strcmp(s, "-")) return "";
    return s;
}

static int slot[256];
static int nslots;

int main(void) {
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *p = line, *op = arg(&p);
        long r = 0;
        char extra[4200] = "";
        if (!strcmp(op, "open")) {
            char *path = arg(&p);
            int flags = strtol(arg(&p), 0, 8);
            int fd = open(path, flags, 0644);
            r = fd < 0 ? -errno : 0;
            if (fd >= 0) {
                struct stat st;
                fstat(fd, &st);
                sprintf(extra, " type=%o fl=%o", st.st_mode & S_IFMT, fcntl(fd, F_GETFL));
                close(fd);
            }
        } else if (!strcmp(op, "stat") || !strcmp(op, "lstat")) {
            struct stat st;
            r = (op[0] == 's' ? stat(arg(&p), &st) : lstat(arg(&p), &st)) ? -errno : 0;
            if (!r) sprintf(extra, " type=%o size=%ld", st.st_mode & S_IFMT,
                            S_ISREG(st.st_mode) ? (long) st.st_size : -1L);
        } else if (!strcmp(op, "readlink")) {
            char buf[4096];
            r = readlink(arg(&p), buf, sizeof buf);
            if (r < 0) r = -errno;
            else sprintf(extra, " %.*s", (int) r, buf);
        } else if (!strcmp(op, "access")) {
            char *path = arg(&p);
            r = access(path, atoi(arg(&p))) ? -errno : 0;
        } else if (!strcmp(op, "mkdir")) {
            r = mkdir(arg(&p), 0755) ? -errno : 0;
        } else if (!strcmp(op, "rmdir")) {
            r = rmdir(arg(&p)) ? -errno : 0;
        } else if (!strcmp(op, "unlink")) {
            r = unlink(arg(&p)) ? -errno : 0;
        } else if (!strcmp(op, "rename")) {
            char *a = arg(&p);
            r = rename(a, arg(&p)) ? -errno : 0;
        } else if (!strcmp(op, "link")) {
            char *a = arg(&p);
            r = link(a, arg(&p)) ? -errno : 0;
        } else if (!strcmp(op, "symlink")) {
            char *a = arg(&p);
            r = symlink(a, arg(&p)) ? -errno : 0;
        } else if (!strcmp(op, "chdir")) {
            r = chdir(arg(&p)) ? -errno : 0;
        } else if (!strcmp(op, "truncate")) {
            char *a = arg(&p);
            r = truncate(a, atol(arg(&p))) ? -errno : 0;
        } else if (!strcmp(op, "getdents")) {
            int fd = open(arg(&p), O_RDONLY | O_DIRECTORY);
            if (fd < 0) r = -errno;
            else {
                char buf[8192];
                long n, count = 0;
                while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
                    for (long off = 0; off < n; off += *(unsigned short *) (buf + off + 16)) count++;
                }
                r = n < 0 ? -errno : count;
                close(fd);
            }
        } else if (!strcmp(op, "fd")) {
            char *path = arg(&p);
            int fd = open(path, strtol(arg(&p), 0, 8), 0644);
            r = fd < 0 ? -errno : nslots;
            if (fd >= 0) slot[nslots++] = fd;
        } else if (!strcmp(op, "w") || !strcmp(op, "pw")) {
            int fd = slot[atoi(arg(&p))];
            char *text = arg(&p);
            r = op[0] == 'w' ? write(fd, text, strlen(text)) : pwrite(fd, text, strlen(text), atol(arg(&p)));
            if (r < 0) r = -errno;
        } else if (!strcmp(op, "r") || !strcmp(op, "pr")) {
            int fd = slot[atoi(arg(&p))];
            char buf[4096];
            int n = atoi(arg(&p));
            r = op[0] == 'r' ? read(fd, buf, n) : pread(fd, buf, n, atol(arg(&p)));
            if (r < 0) r = -errno;
            else for (long i = 0; i < r; i++) sprintf(extra + strlen(extra), "%02x", (unsigned char) buf[i]);
            if (r > 0) { memmove(extra + 1, extra, strlen(extra) + 1); extra[0] = ' '; }
        } else if (!strcmp(op, "seek")) {
            int fd = slot[atoi(arg(&p))];
            long off = atol(arg(&p));
            r = lseek(fd, off, atoi(arg(&p)));
            if (r < 0) r = -errno;
        } else if (!strcmp(op, "ftr")) {
            int fd = slot[atoi(arg(&p))];
            r = ftruncate(fd, atol(arg(&p))) ? -errno : 0;
        } else if (!strcmp(op, "size")) {
            struct stat st;
            r = fstat(slot[atoi(arg(&p))], &st) ? -errno : st.st_size;
        } else if (!strcmp(op, "dup")) {
            int fd = dup(slot[atoi(arg(&p))]);
            r = fd < 0 ? -errno : nslots;
            if (fd >= 0) slot[nslots++] = fd;
        } else if (!strcmp(op, "setfl")) {
            int fd = slot[atoi(arg(&p))];
            r = fcntl(fd, F_SETFL, (int) strtol(arg(&p), 0, 8));
            if (r < 0) r = -errno;
        } else if (!strcmp(op, "getfl")) {
            r = fcntl(slot[atoi(arg(&p))], F_GETFL);
            if (r < 0) r = -errno;
        } else {
            r = -9999;
        }
        printf("%s %ld%s\n", op, r, extra);
    }
    return 0;
}
