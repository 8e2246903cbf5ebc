/* Threads under jvmx: pthread_create/join, mutexes, condition variables, barriers, thread-local
 * storage, thread ids, signals to threads, exit of one thread vs exit_group. Every line printed
 * is the same on every run (no ids, addresses or times), so jvmx's output must equal native's.
 * Usage: threads MODE [N]   MODE: sum, ids, signals, many, exit, mainexit, spin, sleep, timed,
 *                            segv, altstack */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LEN 200000
static long data[LEN];
static long total;
static int finished;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static __thread long mine = 7;      /* thread-local: each thread starts with the initial value */
static __thread char scratch[64];  /* thread-local bss */
static int nthreads;
static atomic_int main_waits; /* main has printed its line: workers may go on */

static pid_t tid(void) { return (pid_t) syscall(SYS_gettid); }

struct part { int index; long from, to; long partial; int tls_ok; };

static void *summer(void *arg) {
    struct part *p = arg;
    int ok = mine == 7 && scratch[0] == 0;
    mine = p->index * 1000;
    snprintf(scratch, sizeof scratch, "part %d", p->index);
    pthread_barrier_wait(&barrier);  /* everyone has written its TLS before anyone checks */
    long s = 0;
    for (long i = p->from; i < p->to; i++) {
        s += data[i];
        if ((i & 1023) == 0) {     /* many small critical sections */
            pthread_mutex_lock(&lock);
            total += s;
            pthread_mutex_unlock(&lock);
            s = 0;
        }
    }
    pthread_mutex_lock(&lock);
    total += s;
    finished++;
    pthread_cond_signal(&done);
    pthread_mutex_unlock(&lock);
    char want[64];
    snprintf(want, sizeof want, "part %d", p->index);
    p->tls_ok = ok && mine == p->index * 1000 && strcmp(scratch, want) == 0;
    p->partial = p->to - p->from;
    return p;
}

static int sum(int n) {
    for (long i = 0; i < LEN; i++) data[i] = (i * 7919) % 1000 - 300;
    long expect = 0;
    for (long i = 0; i < LEN; i++) expect += data[i];
    pthread_t t[64];
    struct part parts[64];
    pthread_barrier_init(&barrier, NULL, n);
    for (int k = 0; k < n; k++) {
        parts[k] = (struct part) {k, (long) LEN * k / n, (long) LEN * (k + 1) / n, 0, 0};
        if (pthread_create(&t[k], NULL, summer, &parts[k]) != 0) { printf("pthread_create failed\n"); return 1; }
    }
    pthread_mutex_lock(&lock);
    while (finished < n) pthread_cond_wait(&done, &lock);
    pthread_mutex_unlock(&lock);
    long counted = 0;
    int tls = 1;
    for (int k = 0; k < n; k++) {
        void *r;
        pthread_join(t[k], &r);
        struct part *p = r;
        counted += p->partial;
        tls &= p->tls_ok;
    }
    printf("threads %d: sum %ld (expected %ld), %ld elements, tls %s, main tls %ld\n", n, total, expect, counted,
           tls ? "ok" : "BAD", mine);
    pthread_barrier_destroy(&barrier);
    return total == expect ? 0 : 1;
}

static pid_t tids[16];
static void *who(void *arg) {
    int k = (int) (long) arg;
    tids[k] = tid();
    return (void *) (long) (getpid() == tids[k] ? 1 : 0);
}

static int ids(void) {
    pthread_t t[8];
    for (int k = 0; k < 8; k++) pthread_create(&t[k], NULL, who, (void *) (long) k);
    int leader = 0;
    for (int k = 0; k < 8; k++) {
        void *r;
        pthread_join(t[k], &r);
        leader += (int) (long) r;
    }
    int distinct = 1;
    for (int a = 0; a < 8; a++)
        for (int b = a + 1; b < 8; b++) distinct &= tids[a] != tids[b];
    int positive = 1;
    for (int a = 0; a < 8; a++) positive &= tids[a] > 0 && tids[a] != getpid();
    printf("main is leader: %s; threads with the pid as tid: %d; distinct: %s; not the pid: %s\n",
           getpid() == tid() ? "yes" : "no", leader, distinct ? "yes" : "no", positive ? "yes" : "no");
    return 0;
}

static volatile sig_atomic_t hits[4];
static _Atomic pid_t handled_on;
static void on_usr1(int sig) { (void) sig; handled_on = tid(); hits[0]++; }

static pid_t worker_tid;
static atomic_int worker_ready, worker_stop;
static void *waiter(void *arg) {
    (void) arg;
    worker_tid = tid();
    atomic_store(&worker_ready, 1);
    while (!atomic_load(&worker_stop)) usleep(1000);
    return NULL;
}

static int signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    while (!atomic_load(&worker_ready)) usleep(100);
    /* a thread-directed signal runs its handler on that thread */
    pthread_kill(t, SIGUSR1);
    while (hits[0] < 1) usleep(100);
    printf("pthread_kill: handled on the target: %s\n", handled_on == worker_tid ? "yes" : "no");
    /* a process-directed signal goes to a thread that does not block it */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    kill(getpid(), SIGUSR1);
    while (hits[0] < 2) usleep(100);
    printf("kill with SIGUSR1 blocked in main: handled by the worker: %s\n", handled_on == worker_tid ? "yes" : "no");
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    atomic_store(&worker_stop, 1);
    pthread_join(t, NULL);
    /* the mask is per thread: a new thread inherits its creator's */
    printf("handler runs: %d\n", (int) hits[0]);
    return 0;
}

static void *nothing(void *arg) { return (void *) ((long) arg * 2); }

static int many(int n) {
    long s = 0;
    for (int k = 0; k < n; k++) {
        pthread_t t;
        void *r;
        if (pthread_create(&t, NULL, nothing, (void *) (long) k) != 0) { printf("create %d failed\n", k); return 1; }
        pthread_join(t, &r);
        s += (long) r;
    }
    pthread_t d[8];
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    for (int k = 0; k < 8; k++) pthread_create(&d[k], &at, nothing, NULL);
    printf("%d threads created and joined, sum %ld\n", n, s);
    return 0;
}

static void *exiter(void *arg) {
    (void) arg;
    usleep(20000);
    printf("worker calls exit(42)\n");
    fflush(stdout);
    exit(42);  /* exit_group: the whole process ends with 42, main never wakes */
}

static void *survivor(void *arg) {
    (void) arg;
    while (!atomic_load(&main_waits)) usleep(1000);
    usleep(50000);  /* main has called pthread_exit by now (or is about to: the order of output is fixed) */
    printf("worker outlives main, returns\n");
    fflush(stdout);
    return NULL;
}

static atomic_long spins;
static void *spinner(void *arg) {
    (void) arg;
    for (;;) atomic_fetch_add(&spins, 1);
    return NULL;
}

static atomic_int sleeper_ready;
static int sleep_result, sleep_errno;
static struct timespec sleep_left;
static void *sleeper(void *arg) {
    (void) arg;
    struct timespec ten = {10, 0};
    worker_tid = tid();
    atomic_store(&sleeper_ready, 1);
    sleep_result = nanosleep(&ten, &sleep_left);
    sleep_errno = errno;
    atomic_store(&worker_stop, 1);
    return NULL;
}

/* a signal to a sleeping thread cuts its nanosleep short: EINTR and the time left */
static int sleeping(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    while (!atomic_load(&sleeper_ready)) usleep(100);
    /* until the sleep is cut short: a signal that came before the sleeper entered nanosleep only ran its handler */
    while (!atomic_load(&worker_stop)) {
        usleep(30000);
        if (!atomic_load(&worker_stop)) pthread_kill(t, SIGUSR1);
    }
    pthread_join(t, NULL);
    printf("nanosleep: %d, EINTR: %s, handler on the sleeper: %s, more than 5 s left: %s\n", sleep_result,
           sleep_errno == EINTR ? "yes" : "no", handled_on == worker_tid ? "yes" : "no",
           sleep_left.tv_sec >= 5 ? "yes" : "no");
    return 0;
}

/* timed waits: a condition nobody signals times out; a mutex held elsewhere times out */
static void *holder(void *arg) {
    (void) arg;
    pthread_mutex_lock(&lock);
    atomic_store(&worker_ready, 1);
    while (!atomic_load(&worker_stop)) usleep(1000);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int timed(void) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 30000000;
    if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&done, &lock, &until);
    pthread_mutex_unlock(&lock);
    printf("pthread_cond_timedwait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "other");
    pthread_t t;
    pthread_create(&t, NULL, holder, NULL);
    while (!atomic_load(&worker_ready)) usleep(100);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 0;
    until.tv_nsec += 20000000;
    if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
    r = pthread_mutex_timedlock(&lock, &until);
    printf("pthread_mutex_timedlock on a held mutex: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "other");
    atomic_store(&worker_stop, 1);
    pthread_join(t, NULL);
    r = pthread_mutex_timedlock(&lock, &until);
    printf("pthread_mutex_timedlock on a free mutex: %d\n", r);
    pthread_mutex_unlock(&lock);
    return 0;
}

/* a fatal signal in one thread ends the whole process */
static void *crasher(void *arg) {
    (void) arg;
    while (!atomic_load(&main_waits)) usleep(1000);
    usleep(10000);
    *(volatile int *) 8 = 1;
    return NULL;
}

/* the alternate signal stack is per thread */
static char altstack[65536];
static volatile int on_alt[2];
static void on_usr2(int sig) {
    (void) sig;
    char here;
    int alt = &here >= altstack && &here < altstack + sizeof altstack;
    on_alt[tid() == getpid() ? 0 : 1] = alt ? 1 : 2;
}

static void *alt_worker(void *arg) {
    (void) arg;
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    raise(SIGUSR2);  /* tgkill to itself: the handler runs on its alternate stack */
    return NULL;
}

static int altstacks(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, alt_worker, NULL);
    pthread_join(t, NULL);
    raise(SIGUSR2);  /* main has no alternate stack: its handler runs on its own stack */
    stack_t old;
    sigaltstack(NULL, &old);
    printf("worker handler on its alternate stack: %s; main handler on the alternate stack: %s; main's sigaltstack disabled: %s\n",
           on_alt[1] == 1 ? "yes" : "no", on_alt[0] == 1 ? "yes" : on_alt[0] == 2 ? "no" : "not run",
           (old.ss_flags & SS_DISABLE) ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "sum";
    int n = argc > 2 ? atoi(argv[2]) : 4;
    nthreads = n;
    if (!strcmp(mode, "sum")) return sum(n);
    if (!strcmp(mode, "ids")) return ids();
    if (!strcmp(mode, "signals")) return signals();
    if (!strcmp(mode, "many")) return many(n);
    if (!strcmp(mode, "sleep")) return sleeping();
    if (!strcmp(mode, "timed")) return timed();
    if (!strcmp(mode, "altstack")) return altstacks();
    if (!strcmp(mode, "segv")) {
        pthread_t t;
        pthread_create(&t, NULL, crasher, NULL);
        printf("main waits\n");
        atomic_store(&main_waits, 1);
        pthread_mutex_lock(&lock);
        for (;;) pthread_cond_wait(&done, &lock);
    }
    if (!strcmp(mode, "exit")) {
        pthread_t t;
        pthread_create(&t, NULL, exiter, NULL);
        pthread_mutex_lock(&lock);
        for (;;) pthread_cond_wait(&done, &lock);
    }
    if (!strcmp(mode, "mainexit")) {
        pthread_t t;
        pthread_create(&t, NULL, survivor, NULL);
        printf("main calls pthread_exit\n");
        atomic_store(&main_waits, 1);
        pthread_exit(NULL);  /* only the main thread ends; the process lives on with the worker */
    }
    if (!strcmp(mode, "spin")) {
        /* main returns while workers run guest code: exit_group ends them all */
        pthread_t t;
        for (int k = 0; k < n; k++) pthread_create(&t, NULL, spinner, NULL);
        while (atomic_load(&spins) < 100000) usleep(1000);
        printf("main returns 3 with %d threads spinning\n", n);
        return 3;
    }
    printf("unknown mode %s\n", mode);
    return 2;
}
