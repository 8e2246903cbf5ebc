package org.jvmx.monitor.apic;

/**
 * The local APIC timer's counting state (Intel SDM Vol. 3A, 11.5.4 "APIC Timer"): the initial-count, current-count
 * and divide-configuration registers and the TSC deadline (IA32_TSC_DEADLINE, 11.5.4.1). Not thread-safe: the
 * owning {@link LocalApic} holds its lock.
 *
 * <p>The counter decrements once per {@code divisor} bus clocks; jvmx's bus clock is {@link LocalApic#TIMER_BUS_HZ}
 * (1 GHz), so one bus clock is one nanosecond. All expiries are computed from the arming time ({@code origin}) as
 * {@code origin + k * period}, never by adding periods to a previous expiry, so a periodic timer cannot drift
 * however late it is polled; periods missed between two polls coalesce into one interrupt (as in the IRR).
 */
final class ApicTimer {

    /** LVT timer bits 18:17 (SDM Table 11-2). */
    static final int ONE_SHOT = 0, PERIODIC = 1, TSC_DEADLINE = 2;

    private int mode = ONE_SHOT;
    private int divideConfig;   // bits 3, 1, 0 of the divide configuration register
    private long divisor = 2;   // from divideConfig (SDM Figure 11-10)
    private long initial;       // 32-bit initial count; 0 = stopped
    private long origin;        // when the count was last (re)loaded with `initial` at the current divisor
    private boolean counting;   // one-shot not yet expired, or periodic running
    private long nextDue = Long.MAX_VALUE;
    private long deadline;      // IA32_TSC_DEADLINE; 0 = disarmed

    /** Divide configuration register bits 3,1,0 -> divide by 2, 4, 8, 16, 32, 64, 128, 1 (SDM Figure 11-10). */
    static long divisorOf(int config) {
        int v = (config >> 1 & 4) | (config & 3);
        return v == 7 ? 1 : 2L << v;
    }

    int mode() {
        return mode;
    }

    int divideConfig() {
        return divideConfig;
    }

    long initialCount() {
        return initial;
    }

    long deadline() {
        return mode == TSC_DEADLINE ? deadline : 0;
    }

    private long period() {
        return initial * divisor;
    }

    /** A write to the initial-count register re-arms the count (ignored in TSC-deadline mode, SDM 11.5.4.1). */
    void writeInitial(long count, long now) {
        if (mode == TSC_DEADLINE) {
            return;
        }
        initial = count & 0xFFFF_FFFFL;
        origin = now;
        counting = initial != 0;
        nextDue = counting ? origin + period() : Long.MAX_VALUE;
    }

    /** The current-count register (0 when stopped or expired in one-shot mode, always 0 in TSC-deadline mode). */
    long current(long now) {
        if (!counting || mode == TSC_DEADLINE) {
            return 0;
        }
        long ticks = Math.max(0, now - origin) / divisor;
        if (mode == PERIODIC) {
            return initial - ticks % initial;
        }
        return Math.max(0, initial - ticks);
    }

    /** A new divisor applies from now: the count continues from its current value at the new rate. */
    void writeDivide(int config, long now) {
        long newDivisor = divisorOf(config & 0xB);
        divideConfig = config & 0xB;
        if (counting && newDivisor != divisor) {
            long done = initial - current(now); // ticks already counted in this period
            origin = now - done * newDivisor;
            divisor = newDivisor;
            rearmAfter(now);
        }
        divisor = newDivisor;
    }

    /**
     * The LVT timer's mode field changed. Moving between one-shot and periodic keeps the count running; moving
     * into or out of TSC-deadline mode disarms the timer (SDM 11.5.4.1).
     */
    void setMode(int newMode, long now) {
        if (newMode == mode) {
            return;
        }
        if (newMode == TSC_DEADLINE || mode == TSC_DEADLINE) {
            mode = newMode;
            initial = 0;
            counting = false;
            nextDue = Long.MAX_VALUE;
            deadline = 0;
            return;
        }
        mode = newMode;
        if (counting) {
            rearmAfter(now);
        }
    }

    /** Recomputes nextDue as the first expiry after the last one already delivered. */
    private void rearmAfter(long now) {
        long p = period();
        if (mode == PERIODIC) {
            long k = now < origin ? 0 : (now - origin) / p;
            nextDue = origin + (k + 1) * p;
        } else {
            nextDue = origin + p;
        }
    }

    /** IA32_TSC_DEADLINE write: arms (non-zero) or disarms (0) the deadline; ignored outside TSC-deadline mode. */
    void writeDeadline(long tsc) {
        if (mode == TSC_DEADLINE) {
            deadline = tsc;
        }
    }

    /** When the timer next expires, or Long.MAX_VALUE. */
    long nextEventNanos() {
        if (mode == TSC_DEADLINE) {
            // deadlines beyond 2^63 (unsigned) are as good as never
            return deadline == 0 || deadline < 0 ? Long.MAX_VALUE : deadline;
        }
        return counting ? nextDue : Long.MAX_VALUE;
    }

    /** Advances to {@code now}; true when the timer expired (at least once) since the previous poll. */
    boolean poll(long now) {
        if (mode == TSC_DEADLINE) {
            if (deadline != 0 && Long.compareUnsigned(now, deadline) >= 0) {
                deadline = 0; // SDM 11.5.4.1: the deadline MSR reads 0 once the timer has fired
                return true;
            }
            return false;
        }
        if (!counting || now < nextDue) {
            return false;
        }
        if (mode == PERIODIC) {
            long p = period();
            nextDue = origin + ((now - origin) / p + 1) * p;
        } else {
            counting = false;
            nextDue = Long.MAX_VALUE;
        }
        return true;
    }

    /** Power-up / INIT state: one-shot, divide by 2, stopped. */
    void reset() {
        mode = ONE_SHOT;
        divideConfig = 0;
        divisor = 2;
        initial = 0;
        origin = 0;
        counting = false;
        nextDue = Long.MAX_VALUE;
        deadline = 0;
    }
}
