/* jvmx acceptance: memory mappings (anonymous, file-backed private and shared, mprotect, mremap), run in an empty directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int faults;
static char *volatile fault_page;
static volatile long fault_offset;

static void segv(int sig, siginfo_t *si, void *uc) {
    faults++;
    fault_offset = (char *) si->si_addr - fault_page;
    siglongjmp(jb, si->si_code);
}

static void err(const char *what, long r) {
    printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    printf("page=%ld\n", page);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);

    /* anonymous: zero-filled, writable, gone after munmap */
    size_t len = 64 * page;
    unsigned char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("anon mapped=%d aligned=%d\n", m != MAP_FAILED, ((long) m & (page - 1)) == 0);
    long sum = 0;
    for (size_t i = 0; i < len; i++) sum += m[i];
    printf("zero sum=%ld\n", sum);
    for (size_t i = 0; i < len; i += 7) m[i] = (unsigned char) (i * 13);
    sum = 0;
    for (size_t i = 0; i < len; i++) sum += m[i];
    printf("written sum=%ld\n", sum);
    err("munmap middle", munmap(m + 8 * page, 8 * page));
    fault_page = (char *) m;
    int code = sigsetjmp(jb, 1);
    if (code == 0) {
        m[9 * page + 5] = 1;
        printf("no fault\n");
    } else {
        printf("fault in hole: code=%d offset=%ld\n", code, fault_offset);
    }
    printf("around hole: %d %d\n", m[7 * page], m[16 * page + 2]);
    err("munmap rest", munmap(m, len));

    /* mprotect: read-only page faults on write with SEGV_ACCERR; then writable again */
    char *p = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(p, "before");
    err("mprotect ro", mprotect(p, page, PROT_READ));
    fault_page = p;
    code = sigsetjmp(jb, 1);
    if (code == 0) {
        p[100] = 'x';
        printf("no fault\n");
    } else {
        printf("write to read-only: code=%d offset=%ld still='%s'\n", code, fault_offset, p);
    }
    p[page + 1] = 'y'; /* the second page stayed writable */
    err("mprotect rw", mprotect(p, page, PROT_READ | PROT_WRITE));
    p[100] = 'x';
    printf("after rw: %c %c\n", p[100], p[page + 1]);
    err("mprotect none", mprotect(p, page, PROT_NONE));
    code = sigsetjmp(jb, 1);
    if (code == 0) {
        printf("%d\n", p[0]);
    } else {
        printf("read of PROT_NONE: code=%d offset=%ld\n", code, fault_offset);
    }
    err("mprotect unaligned", mprotect(p + 1, page, PROT_READ));
    munmap(p, 2 * page);

    /* mremap: grow (moving if needed) keeps the contents, shrink */
    char *g = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(g, "keep me", 8);
    char *g2 = mremap(g, page, 16 * page, MREMAP_MAYMOVE);
    printf("mremap grow ok=%d kept='%s' tail=%d\n", g2 != MAP_FAILED, g2, g2[15 * page]);
    g2[16 * page - 1] = 9;
    char *g3 = mremap(g2, 16 * page, 2 * page, 0);
    printf("mremap shrink same=%d kept='%s'\n", g3 == g2, g3);
    munmap(g3, 2 * page);

    /* file-backed */
    int fd = open("data.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    char line[64];
    for (int i = 0; i < 3 * page / 32; i++) {
        snprintf(line, sizeof line, "%031d\n", i);
        write(fd, line, 32);
    }
    char *priv = mmap(0, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("private map: '%.31s' '%.31s'\n", priv, priv + page + 32);
    memcpy(priv, "PRIVATE", 7);
    char back[32] = {0};
    pread(fd, back, 10, 0);
    printf("file after private write: '%s' map: '%.10s'\n", back, priv);
    char *shared = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
    printf("shared map at offset: '%.31s'\n", shared);
    memcpy(shared + 32, "SHARED", 6);
    err("msync", msync(shared, 2 * page, MS_SYNC));
    memset(back, 0, sizeof back);
    pread(fd, back, 10, page + 32);
    printf("file after shared write: '%s'\n", back);
    pwrite(fd, "WRITTEN", 7, page + 64);
    printf("shared map sees write: '%.10s'\n", shared + 64);
    /* without msync: read() sees a store through the mapping, a second mapping of the same page
       (through another open of the file) sees the first one's stores, ftruncate zeroes the tail */
    memcpy(shared + 96, "STORED", 6);
    memset(back, 0, sizeof back);
    pread(fd, back, 6, page + 96);
    printf("read sees store: '%s'\n", back);
    int fd2 = open("data.bin", O_RDWR);
    char *again = mmap(0, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, page);
    close(fd2);
    printf("second mapping: '%.6s'\n", again + 96);
    again[200] = 'Z';
    printf("first mapping sees second: %c\n", shared[200]);
    lseek(fd, page + 300, SEEK_SET);
    write(fd, "VIA-WRITE", 9);
    printf("mappings see write(): '%.9s' '%.9s'\n", shared + 300, again + 300);
    ftruncate(fd, page + 250);
    printf("after ftruncate: %d %d '%.4s'\n", shared[250] == 0 && shared[300] == 0, again[400] == 0, shared + 200);
    munmap(again, page);
    munmap(shared, 2 * page);
    munmap(priv, 3 * page);
    /* a mapping past the end of the file: the tail of the last page is zero */
    ftruncate(fd, page + 100);
    char *tail = mmap(0, 2 * page, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("tail zero=%d\n", tail[page + 100] == 0 && tail[2 * page - 1] == 0);
    munmap(tail, 2 * page);
    close(fd);
    unlink("data.bin");

    /* errors */
    errno = 0;
    err("mmap zero length", (long) mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    err("mmap bad fd", (long) mmap(0, page, PROT_READ, MAP_PRIVATE, 77, 0));
    err("munmap unaligned", munmap((void *) 4097, page));
    fd = open("/", O_RDONLY);
    err("mmap a directory", (long) mmap(0, page, PROT_READ, MAP_PRIVATE, fd, 0));
    close(fd);

    /* MAP_FIXED inside a reservation */
    char *res = mmap(0, 8 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *fix = mmap(res + 2 * page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    fix[0] = 'f';
    printf("fixed at place=%d val=%c\n", fix == res + 2 * page, fix[0]);
    munmap(res, 8 * page);

    /* malloc of large blocks (mmap'd by malloc) and brk growth */
    char *big = malloc(8 << 20);
    memset(big, 1, 8 << 20);
    sum = 0;
    for (int i = 0; i < 8 << 20; i += 4096) sum += big[i];
    free(big);
    void *b0 = sbrk(0);
    sbrk(1 << 20);
    memset(b0, 2, 1 << 20);
    printf("big sum=%ld brk grew=%d faults=%d\n", sum, (char *) sbrk(0) - (char *) b0 == 1 << 20, faults);
    return 0;
}
