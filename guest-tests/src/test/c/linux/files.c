/* jvmx acceptance: the file system calls, run in an empty working directory it leaves empty. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static void err(const char *what, long r) {
    printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "ok");
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *) a, *(char *const *) b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != 0 && n < 64) {
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("%s:", dir);
    for (int i = 0; i < n; i++) {
        struct stat st;
        char p[256];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        lstat(p, &st);
        printf(" %s(%c)", names[i], S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : S_ISREG(st.st_mode) ? 'f' : '?');
        free(names[i]);
    }
    printf("\n");
}

int main(void) {
    char buf[256];
    umask(022);
    int fd = open("a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("open fd=%d\n", fd);
    err("write", write(fd, "hello, world\n", 13));
    err("lseek end", lseek(fd, 0, SEEK_END));
    err("lseek set", lseek(fd, 7, SEEK_SET));
    memset(buf, 0, sizeof buf);
    err("read", read(fd, buf, 5));
    printf("read '%s'\n", buf);
    err("lseek cur", lseek(fd, -2, SEEK_CUR));
    err("lseek hole", lseek(fd, 100, SEEK_SET));
    err("write past end", write(fd, "!", 1));
    err("pwrite", pwrite(fd, "HELLO", 5, 0));
    memset(buf, 0, sizeof buf);
    err("pread", pread(fd, buf, 12, 0));
    printf("pread '%s' pos=%ld\n", buf, (long) lseek(fd, 0, SEEK_CUR));
    char a[4] = "abc", b[6] = "defgh";
    struct iovec w[2] = {{a, 3}, {b, 5}};
    err("writev", writev(fd, w, 2));
    lseek(fd, 101, SEEK_SET);
    char ra[2] = {0}, rb[7] = {0};
    struct iovec r[2] = {{ra, 1}, {rb, 6}};
    err("readv", readv(fd, r, 2));
    printf("readv '%s' '%s'\n", ra, rb);
    struct stat st;
    fstat(fd, &st);
    printf("fstat size=%ld reg=%d mode=%o nlink=%ld\n", (long) st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777, (long) st.st_nlink);
    err("ftruncate", ftruncate(fd, 13));
    fstat(fd, &st);
    printf("size after truncate=%ld\n", (long) st.st_size);

    err("dup2", dup2(fd, 10));
    err("lseek via dup", lseek(10, 3, SEEK_SET));
    printf("shared offset=%ld\n", (long) lseek(fd, 0, SEEK_CUR));
    printf("cloexec=%d\n", fcntl(10, F_GETFD));
    err("setfd", fcntl(10, F_SETFD, FD_CLOEXEC));
    printf("cloexec=%d\n", fcntl(10, F_GETFD));
    printf("accmode rdwr=%d\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    err("dupfd", fcntl(fd, F_DUPFD, 20));
    err("close 20", close(20));
    err("close 10", close(10));
    err("close again", close(10));
    err("read bad fd", read(99, buf, 1));
    close(fd);

    int p[2];
    err("pipe", pipe(p));
    err("pipe write", write(p[1], "through a pipe", 14));
    memset(buf, 0, sizeof buf);
    err("pipe read", read(p[0], buf, sizeof buf));
    printf("pipe '%s'\n", buf);
    err("lseek pipe", lseek(p[0], 0, SEEK_SET));
    close(p[1]);
    err("pipe eof", read(p[0], buf, sizeof buf));
    close(p[0]);
    err("pipe2 cloexec", pipe2(p, O_CLOEXEC));
    printf("pipe2 fd flags=%d\n", fcntl(p[0], F_GETFD));
    close(p[0]);
    close(p[1]);

    err("mkdir", mkdir("d", 0755));
    err("mkdir again", mkdir("d", 0755));
    for (const char *n = "zyxw"; *n; n++) {
        char path[16];
        snprintf(path, sizeof path, "d/%c", *n);
        close(open(path, O_CREAT | O_WRONLY, 0600));
    }
    err("mkdir sub", mkdir("d/sub", 0700));
    err("symlink", symlink("../a.txt", "d/link"));
    list("d");
    ssize_t n = readlink("d/link", buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    printf("readlink %ld '%s'\n", (long) n, buf);
    err("readlink not a link", readlink("a.txt", buf, sizeof buf));
    stat("d/link", &st);
    printf("stat through link size=%ld\n", (long) st.st_size);
    lstat("d/link", &st);
    printf("lstat link=%d\n", S_ISLNK(st.st_mode));
    stat("d/sub", &st);
    printf("dir mode=%o isdir=%d\n", st.st_mode & 0777, S_ISDIR(st.st_mode));
    stat("d/w", &st);
    printf("file mode=%o size=%ld\n", st.st_mode & 0777, (long) st.st_size);
    err("rename", rename("d/z", "d/sub/moved"));
    err("rename missing", rename("d/nothing", "d/x2"));
    list("d");
    list("d/sub");
    err("rmdir not empty", rmdir("d/sub"));
    err("unlink dir", unlink("d/sub"));
    err("open missing", open("missing.txt", O_RDONLY));
    err("open not dir", open("a.txt/x", O_RDONLY));
    err("open dir for write", open("d", O_WRONLY));
    err("open excl", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    err("access", access("a.txt", R_OK | W_OK));
    err("access missing", access("nothing", F_OK));
    err("chdir", chdir("d/sub"));
    fd = open("moved", O_RDONLY);
    printf("relative open ok=%d\n", fd >= 0);
    close(fd);
    err("chdir up", chdir("../.."));
    err("unlink", unlink("d/sub/moved"));
    err("rmdir", rmdir("d/sub"));
    const char *names[] = {"d/w", "d/x", "d/y", "d/link"};
    for (int i = 0; i < 4; i++) err(names[i], unlink(names[i]));
    err("rmdir d", rmdir("d"));
    err("unlink a", unlink("a.txt"));
    err("unlink again", unlink("a.txt"));
    list(".");
    return 0;
}
