/* jvmx acceptance: signal handlers, masks, alarms, synchronous faults; argv[1] picks how the process ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, usr2, alrm, order[8], norder;
static sigjmp_buf jb;

static void on_usr(int sig) {
    if (sig == SIGUSR1) usr1++;
    else usr2++;
    if (norder < 8) order[norder++] = sig;
}

static void on_alarm(int sig) { alrm++; }

static void on_fault(int sig, siginfo_t *si, void *uc) { siglongjmp(jb, sig * 100 + si->si_code); }

static void handle(int sig, void (*h)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigaction(sig, &sa, 0);
}

static void handle_info(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, 0);
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IOLBF, 0);
    handle(SIGUSR1, on_usr, 0);
    handle(SIGUSR2, on_usr, 0);
    int rc = raise(SIGUSR1);
    printf("raise=%d usr1=%d\n", rc, usr1);
    rc = kill(getpid(), SIGUSR2);
    printf("kill=%d usr2=%d\n", rc, usr2);

    /* blocked signals stay pending until unblocked, then arrive (lowest number first) */
    sigset_t block, old, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    norder = 0;
    raise(SIGUSR2);
    raise(SIGUSR1);
    raise(SIGUSR1); /* standard signals do not queue */
    sigpending(&pending);
    printf("pending usr1=%d usr2=%d delivered=%d\n", sigismember(&pending, SIGUSR1), sigismember(&pending, SIGUSR2), norder);
    sigprocmask(SIG_SETMASK, &old, 0);
    printf("after unblock: n=%d first=%d second=%d usr1=%d usr2=%d\n", norder, order[0], order[1], usr1, usr2);
    sigset_t now;
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("mask now usr1=%d\n", sigismember(&now, SIGUSR1));
    rc = sigprocmask(99, &block, 0);
    printf("sigprocmask bad how=%d %s\n", rc, strerror(errno));
    rc = sigaction(SIGKILL, &(struct sigaction){0}, 0);
    printf("sigaction SIGKILL=%d %s\n", rc, strerror(errno));

    /* ignored, reset-on-delivery */
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored usr1=%d\n", usr1);
    handle(SIGUSR2, on_usr, SA_RESETHAND);
    raise(SIGUSR2);
    struct sigaction cur;
    sigaction(SIGUSR2, 0, &cur);
    printf("resethand usr2=%d now default=%d\n", usr2, cur.sa_handler == SIG_DFL);

    /* alarm: pause returns after the handler ran */
    handle(SIGALRM, on_alarm, 0);
    printf("alarm prev=%u\n", alarm(1));
    printf("alarm remaining>0=%d\n", alarm(1) > 0);
    pause();
    printf("after pause alrm=%d errno=%s\n", alrm, strerror(errno));
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, 0);
    while (alrm < 2) {
    }
    printf("itimer alrm=%d\n", alrm);
    /* nanosleep interrupted by nothing */
    struct timespec ts = {0, 1000000};
    printf("nanosleep=%d\n", nanosleep(&ts, 0));

    /* synchronous faults */
    handle_info(SIGSEGV);
    handle_info(SIGFPE);
    handle_info(SIGILL);
    handle_info(SIGBUS);
    handle_info(SIGTRAP);
    int r = sigsetjmp(jb, 1);
    if (r == 0) *(volatile int *) 16 = 1;
    printf("segv -> %d\n", r);
    r = sigsetjmp(jb, 1);
    if (r == 0) {
        volatile int z = 0;
        printf("%d\n", 5 / z);
    }
    printf("fpe -> %d\n", r);
    r = sigsetjmp(jb, 1);
    if (r == 0) {
        volatile long m = -9223372036854775807L - 1, n1 = -1;
        printf("%ld\n", m / n1);
    }
    printf("fpe overflow -> %d\n", r);
    r = sigsetjmp(jb, 1);
    if (r == 0) __asm__ volatile("ud2");
    printf("ill -> %d\n", r);
    r = sigsetjmp(jb, 1);
    if (r == 0) __asm__ volatile("hlt"); /* privileged at CPL 3: #GP */
    printf("hlt -> %d\n", r);
    r = sigsetjmp(jb, 1);
    if (r == 0) __asm__ volatile("int3");
    printf("int3 -> %d\n", r);
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("mask after longjmps segv=%d\n", sigismember(&now, SIGSEGV));

    const char *how = argc > 1 ? argv[1] : "return";
    if (!strcmp(how, "term")) {
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
    } else if (!strcmp(how, "abort")) {
        abort();
    } else if (!strcmp(how, "segv")) {
        signal(SIGSEGV, SIG_DFL);
        *(volatile int *) 8 = 1;
    } else if (!strcmp(how, "fpe")) {
        signal(SIGFPE, SIG_DFL);
        volatile int z = 0;
        printf("%d\n", 7 / z);
    } else if (!strcmp(how, "kill")) {
        kill(getpid(), SIGKILL);
    } else if (!strcmp(how, "exit")) {
        exit(42);
    }
    printf("not reached for %s\n", how);
    return 3;
}
