package org.jvmx.monitor;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine's timer wake-ups when its vCPUs run on the {@link org.jvmx.sched.Scheduler}: the
 * scheduler owns every vCPU's VMX-preemption timer (its time slices) and a halted vCPU leaves
 * the run queue, so device deadlines (PIT, RTC, UART, each local APIC's timer) are watched here,
 * on one thread, as a host's timer interrupt would: at a processor's next deadline its vCPU is
 * kicked (an external-interrupt exit, or a halted vCPU made runnable), and the exit handler then
 * polls the devices and injects what became pending. A processor whose deadline moved earlier
 * says so through {@link #changed}.
 */
final class DeadlineClock implements Runnable {
    /** A processor kicked for an overdue deadline is not kicked again for it sooner than this. */
    private static final long REKICK_NANOS = 1_000_000;
    /** With no deadline at all the thread still looks again this often. */
    private static final long IDLE_NANOS = 50_000_000;

    private final Machine machine;
    private final List<Processor> processors;
    private final long[] kickedAt;
    private volatile Thread thread;

    DeadlineClock(Machine machine, List<Processor> processors) {
        this.machine = machine;
        this.processors = processors;
        this.kickedAt = new long[processors.size()];
    }

    void start() {
        thread = Thread.ofPlatform().name("jvmx-clock").daemon().start(this);
    }

    /** A processor's next deadline may be earlier than the one waited for (any thread). */
    void changed() {
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    void stop() {
        Thread t = thread;
        thread = null;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        while (thread != null && !machine.ended()) {
            long now = System.nanoTime();
            long next = Long.MAX_VALUE;
            for (int i = 0; i < processors.size(); i++) {
                Processor p = processors.get(i);
                long d = p.nextEventNanos();
                if (d == Long.MAX_VALUE) continue;
                if (d <= now) {
                    if (now - kickedAt[i] >= REKICK_NANOS) {
                        kickedAt[i] = now;
                        p.cpu.kick();
                    }
                    next = Math.min(next, now + REKICK_NANOS);
                } else {
                    next = Math.min(next, d);
                }
            }
            LockSupport.parkNanos(this, next == Long.MAX_VALUE ? IDLE_NANOS : Math.max(1, next - now));
        }
    }
}
