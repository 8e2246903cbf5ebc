package org.jvmx.monitor.devices;

/**
 * Conversion between nanoseconds and ticks of the PC's 8254 input clock, 1.193182 MHz (a third of the 3.579545 MHz
 * NTSC colour-burst crystal divided by 4, as on the IBM PC). Exact integer arithmetic: no drift over long runs.
 */
final class PitClock {

    static final long HZ = 1_193_182L;
    private static final long NS = 1_000_000_000L;

    private PitClock() {
    }

    /** Whole input-clock ticks in {@code nanos} (>= 0) nanoseconds: floor(nanos * HZ / 1e9), without overflow. */
    static long ticks(long nanos) {
        return nanos / NS * HZ + nanos % NS * HZ / NS;
    }

    /** The first nanosecond count at which {@link #ticks} reaches {@code ticks}: ceil(ticks * 1e9 / HZ). */
    static long nanos(long ticks) {
        long whole = ticks / HZ * NS;
        long rest = ticks % HZ * NS;
        return whole + (rest + HZ - 1) / HZ;
    }
}
