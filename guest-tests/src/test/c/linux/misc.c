/* jvmx acceptance: argv/envp/auxv, time, floating point through libc (x87 long double), stdio buffering, exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long ns(struct timespec a, struct timespec b) { return (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec); }

static void floats(void) {
    double d[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3, 2.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308, 123456789.125,
        3.141592653589793, INFINITY, -INFINITY, NAN};
    for (unsigned i = 0; i < sizeof d / sizeof *d; i++) {
        printf("%f|%.17g|%e|%a|%10.3f|%-12.4e|%g\n", d[i], d[i], d[i], d[i], d[i], d[i], d[i]);
    }
    const char *s[] = {"0", "-0", "1e10", "0.1", "3.14159265358979323846", "1e-320", "1.7976931348623159e308", "0x1.8p3",
        "inf", "-nan", "  42.5xyz", "2.2250738585072011e-308", "123456789012345678901234567890", "4.9406564584124654e-324",
        "1e400", "junk"};
    for (unsigned i = 0; i < sizeof s / sizeof *s; i++) {
        char *end;
        errno = 0;
        double v = strtod(s[i], &end);
        int e = errno;
        errno = 0;
        long double lv = strtold(s[i], 0);
        float f = strtof(s[i], 0);
        printf("strtod(%s)=%.17g %a rest='%s' erange=%d | ld=%.21Lg %La | f=%.9g\n", s[i], v, v, end, e == ERANGE, lv, lv, f);
    }
    long double x = 1.0L;
    for (int i = 1; i <= 25; i++) x *= i;
    printf("25!=%.0Lf %La\n", x, x);
    long double third = 1.0L / 3;
    printf("1/3L=%.25Lf %La\n", third, third);
    long double q = sqrtl(2.0L);
    printf("sqrtl(2)=%.21Lg %La\n", q, q);
    printf("ldbl eps=%Lg max=%Lg min=%Lg dig=%d\n", LDBL_EPSILON, LDBL_MAX, LDBL_MIN, LDBL_DIG);
    volatile long double big = 1e4000L, tiny = 1e-4000L;
    printf("big*big=%Lg tiny*tiny=%Lg big/tiny=%Lg\n", big * big, tiny * tiny, big / tiny);
    printf("(long)(2.5L)=%ld llrintl(2.5L)=%lld (long long)-1e18L=%lld\n", (long) 2.5L, llrintl(2.5L), (long long) -1e18L);
    volatile double a = 0.1, b = 0.2;
    printf("0.1+0.2=%.17g sqrt=%.17g fma=%.17g\n", a + b, sqrt(a + b), fma(a, b, a));
    printf("sin(1)=%.15g cos(1)=%.15g exp(1)=%.15g log(10)=%.15g pow(2,0.5)=%.15g atan2(1,2)=%.15g\n", sin(a * 10),
        cos(a * 10), exp(a * 10), log(b * 50), pow(b * 10, 0.5), atan2(a * 10, b * 10));
    printf("sinl(1)=%.15Lg expl(1)=%.15Lg logl(10)=%.15Lg\n", sinl(1.0L * a * 10), expl(1.0L * a * 10), logl(10.0L * a * 10));
    printf("float sum=%.9g\n", (float) a + (float) b);
    char buf[64];
    snprintf(buf, sizeof buf, "%.3Lf", (long double) 2.0005);
    printf("round %s %.0f %.0f %.0f %.1f\n", buf, 0.5, 1.5, 2.5, 0.25);
}

int main(int argc, char **argv, char **envp) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]='%s'\n", i, argv[i]);
    printf("argv[argc]=%p\n", (void *) argv[argc]);
    int n = 0;
    for (char **e = environ; *e; e++, n++) printf("env '%s'\n", *e);
    printf("environ==envp %d count=%d HOME=%s MISSING=%s\n", environ == envp, n, getenv("HOME"),
        getenv("MISSING") ? "set" : "(null)");
    setenv("ADDED", "yes", 1);
    printf("setenv ADDED=%s\n", getenv("ADDED"));

    errno = 0;
    unsigned long pg = getauxval(AT_PAGESZ);
    printf("AT_PAGESZ=%lu errno=%d\n", pg, errno);
    errno = 0;
    unsigned long hw = getauxval(AT_HWCAP);
    printf("AT_HWCAP present=%d\n", errno == 0);
    unsigned char *rnd = (unsigned char *) getauxval(AT_RANDOM);
    unsigned x = 0;
    for (int i = 0; i < 16; i++) x |= rnd[i];
    printf("AT_RANDOM readable=%d nonzero=%d\n", rnd != 0, x != 0);
    printf("AT_ENTRY set=%d AT_PHDR set=%d uid match=%d\n", getauxval(AT_ENTRY) != 0, getauxval(AT_PHDR) != 0,
        getauxval(AT_UID) == getuid());
    errno = 0;
    getauxval(12345);
    printf("unknown aux errno=%s\n", strerror(errno));
    printf("pagesize=%d\n", getpagesize());

    struct timespec t0, t1, t2, rt, res;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct timespec nap = {0, 30000000};
    int r = nanosleep(&nap, 0);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    printf("monotonic nondecreasing=%d nanosleep=%d slept>=30ms=%d <5s=%d\n", ns(t0, t1) >= 0, r, ns(t1, t2) >= 30000000,
        ns(t1, t2) < 5000000000L);
    clock_gettime(CLOCK_REALTIME, &rt);
    struct timeval tv;
    gettimeofday(&tv, 0);
    time_t now = time(0);
    printf("realtime after 2020=%d gettimeofday close=%d time close=%d\n", rt.tv_sec > 1577836800,
        labs(tv.tv_sec - rt.tv_sec) <= 2, labs(now - rt.tv_sec) <= 2);
    r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres monotonic=%d ok=%d\n", r, res.tv_sec == 0 && res.tv_nsec > 0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    printf("cputime nonnegative=%d\n", t0.tv_sec >= 0);
    errno = 0;
    r = clock_gettime(12345, &t0);
    printf("bad clock=%d %s\n", r, strerror(errno));
    struct tm tm;
    time_t fixed = 1700000000;
    gmtime_r(&fixed, &tm);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %a", &tm);
    printf("gmtime %s\n", when);

    floats();

    /* stdio: stdout is a pipe (fully buffered), so write(2) output overtakes printf's until fflush */
    printf("buffered-1 ");
    write(1, "[direct]\n", 9);
    printf("buffered-2\n");
    fflush(stdout);
    fprintf(stderr, "to stderr unbuffered\n");
    setvbuf(stdout, 0, _IOLBF, 0);
    printf("line-buffered ");
    write(1, "[direct2]", 9);
    printf("now\n");
    write(1, "[direct3]\n", 10);
    char big[10000];
    memset(big, 'b', sizeof big);
    fwrite(big, 1, sizeof big, stdout);
    printf("\nend\n");
    const char *status = argc > 1 ? argv[argc - 1] : "0";
    if (!strcmp(status, "_exit")) {
        printf("lost in the buffer");
        _exit(9);
    }
    return atoi(status);
}
