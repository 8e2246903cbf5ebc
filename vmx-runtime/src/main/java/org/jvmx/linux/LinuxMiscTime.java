package org.jvmx.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Clocks, sleeps and futexes (installed by {@link LinuxMisc}): clock_gettime/getres,
 * gettimeofday, time, times, nanosleep, clock_nanosleep, futex.
 *
 * <p>CLOCK_MONOTONIC and CLOCK_BOOTTIME count from the host's boot (its uptime when jvmx
 * started, then {@link System#nanoTime()}); the CPU-time clocks report the vCPU's executed time.
 * Futexes: a process with threads serves them from its {@link Futexes} table (real blocking);
 * without one (a single-threaded process) no futex waiter can ever be woken by another: a
 * FUTEX_WAIT whose value matches sleeps its timeout and fails with ETIMEDOUT, and without a
 * timeout fails at once with EDEADLK (Linux would sleep forever). A threaded process keeps
 * that EDEADLK only while the caller is its only thread.
 */
public final class LinuxMiscTime {
    public static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
            CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
            CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9,
            CLOCK_TAI = 11;
    public static final int TIMER_ABSTIME = 1;
    /** Resolution of the coarse clocks: one tick at HZ = 250. */
    public static final long COARSE_NS = 4_000_000;
    /** clock_t ticks per second for times() (USER_HZ). */
    public static final long USER_HZ = 100;
    public static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
            FUTEX_WAKE_OP = 5, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128,
            FUTEX_CLOCK_REALTIME = 256;
    private static final long TAI_OFFSET_S = 37;

    private final UserMemory mem;
    private final LongSupplier cpuNanos;
    private final long bootNanos; // nanoTime() value at the host's boot

    LinuxMiscTime(UserMemory mem, LinuxMiscHost host, LongSupplier cpuNanos) {
        this.mem = mem;
        this.cpuNanos = cpuNanos;
        this.bootNanos = System.nanoTime() - (long) (host.uptimeSeconds() * 1e9);
    }

    void install(SyscallTable t) {
        t.put(228, "clock_gettime", "dp", (a, b, c, d, e, f) -> {
            writeTimespec(b, now((int) a));
            return 0;
        });
        t.put(229, "clock_getres", "dp", (a, b, c, d, e, f) -> {
            long r = resolution((int) a);
            if (b != 0) writeTimespec(b, r);
            return 0;
        });
        t.put(96, "gettimeofday", "pp", (a, b, c, d, e, f) -> gettimeofday(a, b));
        t.put(201, "time", "p", (a, b, c, d, e, f) -> {
            long s = Math.floorDiv(now(CLOCK_REALTIME), 1_000_000_000L);
            if (a != 0) mem.writeLong(a, s);
            return s;
        });
        t.put(100, "times", "p", (a, b, c, d, e, f) -> times(a));
        t.put(35, "nanosleep", "pp", (a, b, c, d, e, f) -> clockNanosleep(CLOCK_MONOTONIC, 0, a, b));
        t.put(230, "clock_nanosleep", "dxpp", (a, b, c, d, e, f) -> clockNanosleep((int) a, (int) b, c, d));
        t.put(202, "futex", "pdupxx", (a, b, c, d, e, f) -> futex(a, (int) b, (int) c, d, e, (int) f));
        t.maySleep(35, 202, 230); // nanosleep, futex, clock_nanosleep
    }

    public long uptimeNanos() {
        return System.nanoTime() - bootNanos;
    }

    long cpuNanos() {
        return cpuNanos.getAsLong();
    }

    /** The clock's current value in nanoseconds (EINVAL for clocks jvmx does not have). */
    public long now(int clock) {
        return switch (clock) {
            case CLOCK_REALTIME, CLOCK_REALTIME_ALARM -> realtime();
            case CLOCK_REALTIME_COARSE -> realtime() / COARSE_NS * COARSE_NS;
            case CLOCK_TAI -> realtime() + TAI_OFFSET_S * 1_000_000_000L;
            case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM -> uptimeNanos();
            case CLOCK_MONOTONIC_COARSE -> uptimeNanos() / COARSE_NS * COARSE_NS;
            case CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID -> cpuNanos.getAsLong();
            default -> throw new LinuxError(Errno.EINVAL);
        };
    }

    public long resolution(int clock) {
        now(clock); // validates
        return clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE ? COARSE_NS : 1;
    }

    private static long realtime() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private void writeTimespec(long va, long ns) {
        mem.write(va, LinuxMisc.le(16).putLong(0, Math.floorDiv(ns, 1_000_000_000L))
                .putLong(8, Math.floorMod(ns, 1_000_000_000L)).array());
    }

    /** A struct timespec in nanoseconds; EINVAL unless 0 <= tv_nsec < 10^9 and tv_sec >= 0. */
    private long readTimespec(long va) {
        ByteBuffer b = ByteBuffer.wrap(mem.read(va, 16)).order(ByteOrder.LITTLE_ENDIAN);
        long s = b.getLong(0), ns = b.getLong(8);
        if (s < 0 || ns < 0 || ns >= 1_000_000_000L) throw new LinuxError(Errno.EINVAL);
        return s > Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : s * 1_000_000_000L + ns;
    }

    private long gettimeofday(long tv, long tz) {
        long ns = realtime();
        if (tv != 0) mem.write(tv, LinuxMisc.le(16).putLong(0, ns / 1_000_000_000L)
                .putLong(8, ns % 1_000_000_000L / 1000).array());
        if (tz != 0) mem.write(tz, new byte[8]); // struct timezone: UTC, no DST
        return 0;
    }

    /** struct tms (four clock_t in USER_HZ ticks); the result is the ticks since boot. */
    private long times(long buf) {
        if (buf != 0) mem.write(buf, LinuxMisc.le(32).putLong(0, cpuNanos.getAsLong() / (1_000_000_000L / USER_HZ))
                .array());
        return uptimeNanos() / (1_000_000_000L / USER_HZ);
    }

    /**
     * Sleeps. A signal for the calling thread (or the thread group's end) interrupts the sleep
     * ({@link #setFutexes}'s {@code interrupted}): EINTR, and for a relative sleep the time left
     * in {@code rem} (hrtimer_nanosleep_restart); without threads nothing interrupts a sleep.
     */
    private long clockNanosleep(int clock, int flags, long req, long rem) {
        switch (clock) {
            case CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM -> {
            }
            case CLOCK_THREAD_CPUTIME_ID -> throw new LinuxError(Errno.EINVAL);
            default -> throw new LinuxError(Errno.EOPNOTSUPP); // ENOTSUP: no sleeping on this clock
        }
        long ns = readTimespec(req);
        boolean absolute = (flags & TIMER_ABSTIME) != 0;
        if (absolute) ns = ns - now(clock);
        long left = sleepInterruptibly(ns);
        if (left > 0) {
            if (!absolute && rem != 0) writeTimespec(rem, left);
            throw new LinuxError(Errno.EINTR);
        }
        return 0;
    }

    /** Sleeps {@code ns}; returns 0, or the time left when {@code interrupted} cut the sleep short. */
    private long sleepInterruptibly(long ns) {
        long end = System.nanoTime() + Math.max(ns, 0);
        for (long left = ns; left > 0; left = end - System.nanoTime()) {
            if (interrupted.getAsBoolean()) return left;
            LockSupport.parkNanos(left);
        }
        return 0;
    }

    private static void sleep(long ns) {
        long end = System.nanoTime() + Math.max(ns, 0);
        for (long left = ns; left > 0; left = end - System.nanoTime()) LockSupport.parkNanos(left);
    }

    /** The process's futex table and the calling thread's view (set by a multi-threaded process; null: single-threaded rules). */
    private Futexes futexes;
    private java.util.function.BooleanSupplier interrupted = () -> false;
    private java.util.function.BooleanSupplier alone = () -> true;

    /**
     * Serves futex(2) from {@code table} with real blocking: {@code interrupted} tells a sleeping
     * waiter to stop (a signal for its thread, the group's end: EINTR), {@code alone} whether the
     * calling thread is the only one (then a wait without timeout could never end: EDEADLK).
     */
    public void setFutexes(Futexes table, java.util.function.BooleanSupplier interrupted,
            java.util.function.BooleanSupplier alone) {
        this.futexes = table;
        this.interrupted = interrupted;
        this.alone = alone;
    }

    /**
     * futex(2) (kernel/futex/syscalls.c): the operation, FUTEX_PRIVATE_FLAG and
     * FUTEX_CLOCK_REALTIME (allowed only with the WAIT operations). FUTEX_WAIT's timeout is
     * relative (CLOCK_MONOTONIC); FUTEX_WAIT_BITSET's absolute on CLOCK_MONOTONIC, or
     * CLOCK_REALTIME with the flag. Without a futex table (a single-threaded process) nobody
     * waits and nobody wakes: see the class comment.
     */
    long futex(long uaddr, int op, int val, long timeout, long uaddr2, int val3) {
        int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        boolean priv = (op & FUTEX_PRIVATE_FLAG) != 0;
        if ((op & FUTEX_CLOCK_REALTIME) != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT) {
            throw new LinuxError(Errno.ENOSYS);
        }
        if ((uaddr & 3) != 0) throw new LinuxError(Errno.EINVAL);
        if (futexes == null) return futexAlone(uaddr, op, cmd, val, timeout, uaddr2, val3);
        switch (cmd) {
            case FUTEX_WAIT, FUTEX_WAIT_BITSET -> {
                int bitset = cmd == FUTEX_WAIT ? -1 : val3;
                if (bitset == 0) throw new LinuxError(Errno.EINVAL);
                long deadline = Long.MIN_VALUE;
                if (timeout != 0) {
                    long ns = readTimespec(timeout);
                    if (cmd == FUTEX_WAIT_BITSET) {
                        ns -= now((op & FUTEX_CLOCK_REALTIME) != 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC); // absolute
                    }
                    deadline = System.nanoTime() + Math.max(ns, 0);
                } else if (alone.getAsBoolean() && mem.readInt(uaddr) == val && !interrupted.getAsBoolean()) {
                    throw new LinuxError(Errno.EDEADLK, "FUTEX_WAIT without timeout and no other thread");
                }
                return switch (futexes.wait(uaddr, priv, val, bitset, deadline, interrupted)) {
                    case WOKEN -> 0;
                    case TIMED_OUT -> throw new LinuxError(Errno.ETIMEDOUT);
                    case INTERRUPTED -> throw new LinuxError(Errno.EINTR);
                };
            }
            case FUTEX_WAKE, FUTEX_WAKE_BITSET -> {
                int bitset = cmd == FUTEX_WAKE ? -1 : val3;
                if (bitset == 0) throw new LinuxError(Errno.EINVAL);
                return futexes.wake(uaddr, priv, val, bitset);
            }
            case FUTEX_REQUEUE, FUTEX_CMP_REQUEUE -> {
                // the fourth argument is val2 (a count) for the requeue operations, not a timespec
                return futexes.requeue(uaddr, priv, val, (int) timeout, uaddr2, cmd == FUTEX_CMP_REQUEUE, val3);
            }
            case FUTEX_WAKE_OP -> {
                if ((uaddr2 & 3) != 0) throw new LinuxError(Errno.EINVAL);
                return futexes.wakeOp(uaddr, priv, val, (int) timeout, uaddr2, val3);
            }
            default -> throw new LinuxError(Errno.ENOSYS);
        }
    }

    /** futex(2) with a single thread: nobody waits, nobody wakes; see the class comment for WAIT. */
    private long futexAlone(long uaddr, int op, int cmd, int val, long timeout, long uaddr2, int val3) {
        switch (cmd) {
            case FUTEX_WAIT, FUTEX_WAIT_BITSET -> {
                if (cmd == FUTEX_WAIT_BITSET && val3 == 0) throw new LinuxError(Errno.EINVAL);
                long ns = timeout == 0 ? -1 : readTimespec(timeout);
                if (mem.readInt(uaddr) != val) throw new LinuxError(Errno.EAGAIN);
                if (ns < 0) throw new LinuxError(Errno.EDEADLK, "FUTEX_WAIT without timeout in a single thread");
                if (cmd == FUTEX_WAIT_BITSET) {
                    ns -= now((op & FUTEX_CLOCK_REALTIME) != 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC); // absolute
                }
                sleep(ns);
                throw new LinuxError(Errno.ETIMEDOUT);
            }
            case FUTEX_WAKE, FUTEX_WAKE_BITSET, FUTEX_REQUEUE -> {
                if (cmd == FUTEX_WAKE_BITSET && val3 == 0) throw new LinuxError(Errno.EINVAL);
                return 0;
            }
            case FUTEX_CMP_REQUEUE -> {
                if (mem.readInt(uaddr) != val3) throw new LinuxError(Errno.EAGAIN);
                return 0;
            }
            case FUTEX_WAKE_OP -> {
                wakeOp(uaddr2, val3);
                return 0;
            }
            default -> throw new LinuxError(Errno.ENOSYS);
        }
    }

    /** FUTEX_WAKE_OP's atomic update of *uaddr2 (the comparison only selects whom to wake: nobody). */
    private void wakeOp(long uaddr2, int encoded) {
        if ((uaddr2 & 3) != 0) throw new LinuxError(Errno.EINVAL);
        int op = (encoded >>> 28) & 7;
        boolean shift = (encoded >>> 28 & 8) != 0;
        int cmp = (encoded >>> 24) & 15;
        int arg = (encoded << 8) >> 20; // sign-extended 12 bits
        if (shift) {
            if (arg < 0 || arg > 31) throw new LinuxError(Errno.EINVAL);
            arg = 1 << arg;
        }
        if (cmp > 5) throw new LinuxError(Errno.ENOSYS);
        int old = mem.readInt(uaddr2);
        int v = switch (op) {
            case 0 -> arg;
            case 1 -> old + arg;
            case 2 -> old | arg;
            case 3 -> old & ~arg;
            case 4 -> old ^ arg;
            default -> throw new LinuxError(Errno.ENOSYS);
        };
        mem.writeInt(uaddr2, v);
    }
}
