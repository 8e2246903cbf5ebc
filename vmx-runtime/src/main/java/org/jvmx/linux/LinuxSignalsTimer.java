package org.jvmx.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * The interval timers of setitimer(2) and alarm(2) (kernel/time/itimer.c). ITIMER_REAL counts
 * host time and raises SIGALRM when it expires; it is checked by {@link LinuxSignals} whenever
 * signals are looked at (after each system call and fault, and while pause/sigsuspend wait), so
 * a guest spinning without system calls sees its SIGALRM only at its next system call unless the
 * run loop interrupts the vCPU at {@link #realDeadline()}. ITIMER_VIRTUAL and ITIMER_PROF keep
 * their values for getitimer but never fire.
 */
final class LinuxSignalsTimer {
    static final int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
    /** struct itimerval: it_interval then it_value, each a struct timeval {tv_sec, tv_usec}. */
    static final int ITIMERVAL_SIZE = 32;

    /** Per timer: the System.nanoTime() deadline (valid when armed) and the reload interval. */
    private final long[] deadline = new long[3], interval = new long[3];
    private final boolean[] armed = new boolean[3];

    /** Whether ITIMER_REAL expired by now; an expired timer is re-armed with its interval (overruns are dropped). */
    boolean pollReal() {
        if (!armed[ITIMER_REAL]) return false;
        long now = System.nanoTime();
        if (now - deadline[ITIMER_REAL] < 0) return false;
        long iv = interval[ITIMER_REAL];
        if (iv > 0) deadline[ITIMER_REAL] = now + iv - (now - deadline[ITIMER_REAL]) % iv;
        else armed[ITIMER_REAL] = false;
        return true;
    }

    boolean realArmed() {
        return armed[ITIMER_REAL];
    }

    /** The System.nanoTime() at which SIGALRM is due; only meaningful while ITIMER_REAL is armed. */
    long realDeadline() {
        return deadline[ITIMER_REAL];
    }

    /** Sleeps until ITIMER_REAL's deadline (the caller checked that it is armed). */
    void sleepUntilReal() {
        for (long left = deadline[ITIMER_REAL] - System.nanoTime(); left > 0;
                left = deadline[ITIMER_REAL] - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    long remaining(int which) {
        return armed[which] ? Math.max(deadline[which] - System.nanoTime(), 1000) : 0;
    }

    void set(int which, long valueNs, long intervalNs) {
        armed[which] = valueNs > 0;
        deadline[which] = System.nanoTime() + valueNs;
        interval[which] = intervalNs;
    }

    long getitimer(UserMemory mem, int which, long cur) {
        check(which);
        mem.write(cur, encode(which));
        return 0;
    }

    long setitimer(UserMemory mem, int which, long nv, long old) {
        check(which);
        long value = 0, iv = 0;
        if (nv != 0) {
            ByteBuffer b = ByteBuffer.wrap(mem.read(nv, ITIMERVAL_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            iv = timeval(b.getLong(0), b.getLong(8));
            value = timeval(b.getLong(16), b.getLong(24));
        }
        byte[] before = encode(which);
        if (old != 0) mem.write(old, before);
        set(which, value, iv);
        return 0;
    }

    /** alarm(2): ITIMER_REAL for {@code seconds} (0 cancels); the previous one's remaining seconds, rounded, at least 1. */
    long alarm(long seconds) {
        long rem = remaining(ITIMER_REAL);
        long secs = (rem + 500_000_000L) / 1_000_000_000L;
        if (secs == 0 && rem > 0) secs = 1;
        set(ITIMER_REAL, (seconds & 0xFFFF_FFFFL) * 1_000_000_000L, 0);
        return secs;
    }

    private static void check(int which) {
        if (which < ITIMER_REAL || which > ITIMER_PROF) throw new LinuxError(Errno.EINVAL);
    }

    private static long timeval(long sec, long usec) {
        if (sec < 0 || usec < 0 || usec >= 1_000_000) throw new LinuxError(Errno.EINVAL);
        return sec > Long.MAX_VALUE / 2_000_000_000L ? Long.MAX_VALUE / 2 : sec * 1_000_000_000L + usec * 1000;
    }

    private byte[] encode(int which) {
        long rem = remaining(which), iv = interval[which];
        if (!armed[which]) iv = 0;
        return ByteBuffer.allocate(ITIMERVAL_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(iv / 1_000_000_000L).putLong(iv % 1_000_000_000L / 1000)
                .putLong(rem / 1_000_000_000L).putLong(rem % 1_000_000_000L / 1000).array();
    }
}
