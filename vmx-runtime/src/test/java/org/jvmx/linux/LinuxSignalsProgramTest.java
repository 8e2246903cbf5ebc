package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.jvmx.translator.exec.Engine;
import org.junit.jupiter.api.Test;

/**
 * Real programs (static glibc, built by the host's gcc) with the signals and misc groups
 * installed, against the same programs run natively: glibc's handlers read the rt_sigframe
 * jvmx builds (siginfo, ucontext gregs), return through its restorer's rt_sigreturn, or leave
 * with siglongjmp; a fatal fault ends both with the same status.
 */
class LinuxSignalsProgramTest {
    private static final String FAULTS = """
            #define _GNU_SOURCE
            #include <setjmp.h>
            #include <signal.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <ucontext.h>
            static char *volatile page;
            static volatile int hits, code;
            static void *volatile addr;
            static sigjmp_buf jb;
            static void segv(int s, siginfo_t *si, void *u) {
                hits++; addr = si->si_addr; code = si->si_code;
                mprotect(page, 4096, PROT_READ | PROT_WRITE);
            }
            static void ill(int s, siginfo_t *si, void *u) {
                ucontext_t *uc = u;
                hits++;
                uc->uc_mcontext.gregs[REG_RIP] += 2; /* skip ud2 */
            }
            static void fpe(int s, siginfo_t *si, void *u) { siglongjmp(jb, si->si_code); }
            static void on(int sig, void (*h)(int, siginfo_t *, void *)) {
                struct sigaction sa;
                memset(&sa, 0, sizeof sa);
                sa.sa_sigaction = h;
                sa.sa_flags = SA_SIGINFO;
                sigaction(sig, &sa, 0);
            }
            int main(void) {
                volatile double d = 1.25;
                on(SIGSEGV, segv);
                page = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                page[10] = 7;
                printf("segv hits=%d off=%ld code=%d val=%d d=%d\\n", hits, (long) ((char *) addr - page), code, page[10], (int) (d * 200));
                on(SIGILL, ill);
                __asm__ volatile("ud2");
                printf("ill hits=%d d=%d\\n", hits, (int) (d * 400)); /* integers: printf of doubles uses x87 */
                on(SIGFPE, fpe);
                int r = sigsetjmp(jb, 1);
                if (r == 0) {
                    volatile int z = 0, one = 1;
                    printf("%d\\n", one / z);
                }
                sigset_t now;
                sigprocmask(SIG_BLOCK, 0, &now);
                printf("fpe code=%d blocked=%d\\n", r, sigismember(&now, SIGFPE));
                signal(SIGSEGV, SIG_DFL);
                fflush(stdout);
                *(volatile int *) 0 = 1;
                return 0;
            }
            """;

    private static final String MISC = """
            #include <stdio.h>
            #include <sys/utsname.h>
            #include <time.h>
            #include <unistd.h>
            #include <sys/random.h>
            int main(void) {
                struct utsname u;
                uname(&u);
                printf("%s|%s|%s|%s|%s\\n", u.sysname, u.nodename, u.release, u.version, u.machine);
                printf("uid=%d euid=%d gid=%d\\n", getuid(), geteuid(), getgid());
                struct timespec a, b, s = {0, 10000000};
                clock_gettime(CLOCK_MONOTONIC, &a);
                nanosleep(&s, 0);
                clock_gettime(CLOCK_MONOTONIC, &b);
                long ns = (b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec;
                char buf[16];
                printf("slept=%d random=%ld pid=%d\\n", ns >= 10000000, (long) getrandom(buf, 16, 0), getpid() == gettid());
                return 3;
            }
            """;

    private static final String ASYNC = """
            #define _GNU_SOURCE
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            static volatile int got[65];
            static volatile long onalt;
            static char alt[65536];
            static void h(int s, siginfo_t *si, void *u) {
                got[s]++;
                char x;
                onalt = (&x >= alt && &x < alt + sizeof alt);
                if (s == SIGUSR2) got[0] = si->si_code == SI_TKILL && si->si_pid == getpid();
            }
            int main(void) {
                struct sigaction sa;
                memset(&sa, 0, sizeof sa);
                sa.sa_sigaction = h;
                sa.sa_flags = SA_SIGINFO;
                sigaction(SIGUSR1, &sa, 0);
                sigaction(SIGUSR2, &sa, 0);
                sigaction(SIGALRM, &sa, 0);
                sa.sa_flags |= SA_ONSTACK;
                sigaction(SIGHUP, &sa, 0);
                kill(getpid(), SIGUSR1);
                printf("usr1=%d\\n", got[SIGUSR1]);
                raise(SIGUSR2);
                printf("usr2=%d tkill=%d\\n", got[SIGUSR2], got[0]);
                sigset_t m, old;
                sigemptyset(&m);
                sigaddset(&m, SIGUSR1);
                sigprocmask(SIG_BLOCK, &m, &old);
                kill(getpid(), SIGUSR1);
                kill(getpid(), SIGUSR1);
                sigset_t p;
                sigpending(&p);
                printf("blocked: usr1=%d pending=%d\\n", got[SIGUSR1], sigismember(&p, SIGUSR1));
                sigprocmask(SIG_SETMASK, &old, 0);
                printf("unblocked: usr1=%d\\n", got[SIGUSR1]);
                stack_t st = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
                sigaltstack(&st, 0);
                kill(getpid(), SIGHUP);
                printf("hup=%d onalt=%ld\\n", got[SIGHUP], onalt);
                alarm(1);
                pause();
                printf("alrm=%d\\n", got[SIGALRM]);
                signal(SIGCHLD, SIG_DFL);
                kill(getpid(), SIGCHLD);
                fflush(stdout);
                raise(SIGTERM);
                return 0;
            }
            """;

    private static void same(String name, String source) {
        Path exe = GuestPrograms.build(name, source, "-static");
        GuestPrograms.Outcome host = GuestPrograms.runNative(exe, List.of(name), List.of());
        GuestPrograms.Outcome jvmx = GuestPrograms.runJvmx(exe, List.of(name), List.of()); // the whole personality
        assertEquals(host.stdout(), jvmx.stdout(), jvmx.stderr());
        assertEquals(host.status(), jvmx.status(), jvmx.stderr());
    }

    @Test
    void faultHandlersSeeTheFrameGlibcExpects() {
        same("sigfaults", FAULTS);
    }

    @Test
    void miscCallsAnswerLikeTheHost() {
        same("sigmisc", MISC);
    }

    /** Signals sent by the program to itself: delivered on the way out of the system call that made them deliverable. */
    @Test
    void signalsToSelfRunHandlersAfterTheSystemCall() {
        same("sigasync", ASYNC);
    }
}
