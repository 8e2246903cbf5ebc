package org.jvmx.linux.signal;

/**
 * Linux x86-64 signal numbers, names and default actions (signal(7), "Standard signals";
 * include/linux/signal.h SIG_KERNEL_*_MASK). Signals 32..64 are real-time: default terminate.
 */
public final class SignalTable {
    private SignalTable() {
    }

    public static final int NSIG = 64;
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
            SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
            SIGIO = 29, SIGPWR = 30, SIGSYS = 31;

    /** What the default disposition (SIG_DFL) does. */
    public enum Default { TERMINATE, CORE, IGNORE, STOP, CONTINUE }

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /** Signals Linux dequeues before any other (kernel/signal.c SYNCHRONOUS_MASK): faults come first. */
    public static final long SYNCHRONOUS_MASK = bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP)
            | bit(SIGFPE) | bit(SIGSYS);

    /** SIGKILL and SIGSTOP can be neither caught, ignored nor blocked. */
    public static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

    /** The bit of signal {@code sig} in a sigset (signal 1 is bit 0). */
    public static long bit(int sig) {
        return 1L << (sig - 1);
    }

    public static boolean valid(int sig) {
        return sig >= 1 && sig <= NSIG;
    }

    /** "SIGSEGV", or "SIGRTMIN+3"/"SIG40" style for real-time signals. */
    public static String name(int sig) {
        if (sig >= 1 && sig < NAMES.length) return NAMES[sig];
        if (sig >= 34 && sig <= NSIG) return "SIGRT" + (sig - 34 == 0 ? "MIN" : "MIN+" + (sig - 34));
        return "SIG" + sig;
    }

    public static Default defaultAction(int sig) {
        return switch (sig) {
            case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS -> Default.CORE;
            case SIGCHLD, SIGURG, SIGWINCH -> Default.IGNORE;
            case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU -> Default.STOP;
            case SIGCONT -> Default.CONTINUE;
            default -> Default.TERMINATE;
        };
    }
}
