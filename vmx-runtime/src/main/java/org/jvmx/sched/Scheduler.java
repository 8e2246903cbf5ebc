package org.jvmx.sched;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.entry.VmxCapabilityMsrs;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules vCPUs onto worker threads as a hypervisor schedules them onto physical cores. Each
 * worker is one {@link Core} (its own VMX context and host state). A worker takes a runnable
 * vCPU, runs it on its core — VMRESUME if the VMCS is active there, else the migration protocol
 * of {@link Vcpu#run(Core)} — until it exits to the monitor (the {@link ExitHandler} runs on the
 * worker), halts waiting for an event, or its time slice ends (the VMX-preemption timer, exit
 * reason 52, SDM Vol. 3C 25.5.1, 26.7.4), then puts it back in the run queue. A halted vCPU
 * leaves the queue until {@link Vcpu#interrupt}, {@link Vcpu#nmi} or {@link Vcpu#kick} makes it
 * runnable; idle workers park, none spins.
 *
 * <p><b>Run queue: one shared JCTools {@link MpmcVarHandleArrayQueue}.</b> Any idle core must be
 * able to take any runnable vCPU at once, so the queue needs several consumers: per-worker MPSC
 * queues cannot be stolen from (one consumer), and would need a stealing protocol on top. A vCPU
 * is handed over once per slice or exit, so the queue is touched thousands, not millions, of
 * times a second per worker; what matters is the cost of one hand-off and that it allocates
 * nothing. {@code QueueHandoffBenchmark} on this 2-core machine (JDK 25, 2026-11-24), offer+poll
 * on one thread (a worker re-queueing its own vCPU, the common slice end), load ~1.4: JCTools
 * MPMC 6.2 ± 0.5 ns, JCTools MPSC 4.4 ns, ArrayBlockingQueue 12.1 ns, ConcurrentLinkedQueue
 * 12.1 ns (which also allocates a node per offer); at load ~7: 9.9, 7.2, 18.4, 17.1 ns.
 * Between two threads, at load ~0.7: ping-pong round trip 1.1 µs
 * (MPMC), 0.6 µs (MPSC), 2.1 µs (ArrayBlockingQueue), 0.9 µs (ConcurrentLinkedQueue); consumer
 * throughput 19, 12, 11, 26 tokens/µs — error bars of ±100% there, cross-core cache-line
 * transfer dominates; all far above the scheduler's needs. Under heavy host load the two-thread
 * figures measure the host's scheduler (spinning threads lose their core). One MPMC queue also
 * gives global FIFO fairness. Each worker has a small MPSC inbox for hand-offs aimed at it
 * (forced migration), where there is exactly one consumer.
 *
 * <p>The scheduler owns the VMX-preemption timer of the vCPUs it runs: {@link #add} turns the
 * control on with the slice as timer value (reloaded on every entry, "save timer value" off).
 *
 * <p>A monitor that must wait inside an exit handler (a Linux system call that sleeps: a futex,
 * a pipe, nanosleep) says so with {@link #blocking}: while that worker waits it does not count,
 * and when a vCPU is runnable and fewer than the configured number of workers are available, a
 * spare worker (a new core) takes over; surplus workers retire when they find nothing to run
 * once the waits end. So M workers keep running vCPUs however many of them wait in the monitor, as a kernel
 * keeps its cores busy while some threads sleep in system calls.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /**
     * @param sliceNanos          time slice (rounded to VMX-preemption-timer ticks of 2^5 TSC cycles)
     * @param forceMigration      stress: after every slice or exit the vCPU goes to the next worker's
     *                            core, so with two or more workers every run is a migration
     * @param faultSkipHostRefresh FAULT INJECTION, tests only: cores do not rewrite the host-state
     *                            fields of an arriving vCPU; its first exit there must crash with
     *                            {@link HostStateCorruption}
     * @param capacity            most vCPUs the scheduler holds at once
     */
    public record Options(long sliceNanos, boolean forceMigration, boolean faultSkipHostRefresh, int capacity) {
        public Options {
            if (sliceNanos < 1L << VmxCapabilityMsrs.PREEMPTION_TIMER_RATE) throw new IllegalArgumentException("slice " + sliceNanos + " ns");
            if (capacity < 2) throw new IllegalArgumentException("capacity " + capacity);
        }

        public static Options defaults() {
            return new Options(1_000_000, false, false, 1024);
        }

        public Options withSliceNanos(long ns) {
            return new Options(ns, forceMigration, faultSkipHostRefresh, capacity);
        }

        public Options withForceMigration(boolean on) {
            return new Options(sliceNanos, on, faultSkipHostRefresh, capacity);
        }

        public Options withFaultSkipHostRefresh(boolean on) {
            return new Options(sliceNanos, forceMigration, on, capacity);
        }
    }

    /** How long {@link #close} waits for each worker to finish its slice. */
    private static final long CLOSE_WAIT_MS = 5_000;

    /** Counters since creation. */
    public record Stats(long slices, long timerExpiries, long exitsHandled, long halts, long wakeups, long parks) {}

    // Task states. A task is in at most one queue, exactly while QUEUED.
    private static final int QUEUED = 0, RUNNING = 1, RUNNING_WOKEN = 2, HALTED = 3, DONE = 4;

    private static final class Task {
        final Vcpu vcpu;
        final ExitHandler handler;
        final AtomicInteger state = new AtomicInteger(QUEUED);

        Task(Vcpu vcpu, ExitHandler handler) {
            this.vcpu = vcpu;
            this.handler = handler;
        }
    }

    private final Options options;
    /** vCPUs added and not finished: given back to their embedder on {@link #close}. */
    private final java.util.Set<Task> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final MpmcVarHandleArrayQueue<Task> runQueue;
    private volatile Worker[] workers;
    /** The number of workers to keep running vCPUs. */
    private final int targetWorkers;
    /** Workers alive and not waiting in {@link #blocking}. */
    private final AtomicInteger available;
    private final AtomicInteger workerIds = new AtomicInteger();
    /** Cores of retired workers (closed with the others). */
    private final List<Core> retiredCores = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The worker the current thread is (null on other threads). */
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object doneLock = new Object();
    private int added, finished;
    private volatile boolean stopping;
    private final AtomicLong slices = new AtomicLong(), timerExpiries = new AtomicLong(), exitsHandled = new AtomicLong(),
            halts = new AtomicLong(), wakeups = new AtomicLong(), parks = new AtomicLong();

    /** Starts {@code workers} worker threads (cores), idle until vCPUs are added. */
    public Scheduler(int workers, Options options) {
        if (workers < 1) throw new IllegalArgumentException("workers " + workers);
        this.options = Objects.requireNonNull(options);
        this.runQueue = new MpmcVarHandleArrayQueue<>(options.capacity());
        this.targetWorkers = workers;
        this.available = new AtomicInteger(workers);
        Worker[] ws = new Worker[workers];
        for (int k = 0; k < workers; k++) ws[k] = newWorker();
        this.workers = ws;
        for (Worker w : ws) w.thread.start();
    }

    private Worker newWorker() {
        Core core = options.faultSkipHostRefresh() ? Core.createSkippingHostRefresh() : Core.create();
        return new Worker(workerIds.getAndIncrement(), core, options.capacity());
    }

    /**
     * Runs {@code op}, which may wait a long time (a monitor's blocking service of an exit), on
     * the current thread; when that is a worker, a spare worker keeps the vCPUs running meanwhile.
     * Elsewhere it just runs {@code op}.
     */
    public static long blocking(java.util.function.LongSupplier op) {
        Worker w = CURRENT.get();
        if (w == null || w.blockingDepth > 0) return op.getAsLong(); // not a worker, or already counted out
        Scheduler s = w.owner();
        w.blockingDepth++;
        s.available.decrementAndGet();
        if (!s.runQueue.isEmpty()) s.ensureWorker();
        try {
            return op.getAsLong();
        } finally {
            s.available.incrementAndGet();
            w.blockingDepth--;
        }
    }

    /** {@link #blocking(java.util.function.LongSupplier)} for an action without a result. */
    public static void blocking(Runnable op) {
        blocking(() -> {
            op.run();
            return 0L;
        });
    }

    /** A runnable vCPU found no idle worker: start a spare one if fewer than the target are available. */
    private void ensureWorker() {
        for (Worker w : workers) {
            if (w.unparkIfIdle()) return;
        }
        synchronized (this) {
            if (stopping || available.get() >= targetWorkers) return;
            Worker w = newWorker();
            Worker[] old = workers, ws = java.util.Arrays.copyOf(old, old.length + 1);
            ws[old.length] = w;
            workers = ws;
            available.incrementAndGet();
            spares.incrementAndGet();
            w.thread.start();
        }
    }

    /** An idle worker leaves when more than the target are available (a wait ended). */
    private boolean retire(Worker w) {
        while (true) {
            int a = available.get();
            if (a <= targetWorkers) return false;
            if (available.compareAndSet(a, a - 1)) break;
        }
        synchronized (this) {
            Worker[] old = workers;
            Worker[] ws = java.util.Arrays.stream(old).filter(x -> x != w).toArray(Worker[]::new);
            workers = ws;
            retiredCores.add(w.core);
        }
        return true;
    }

    private final AtomicLong spares = new AtomicLong();

    /** Spare workers started so far because workers waited in {@link #blocking}. */
    public long sparesStarted() {
        return spares.get();
    }

    /** The host's core count: the default number of workers. */
    public static int hostCores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Adds a vCPU, runnable at once. Call it from the thread that owns the vCPU, before any other
     * thread runs it. Its VMX-preemption timer becomes the scheduler's slice, and HLT with nothing
     * pending returns the vCPU to the scheduler instead of blocking the worker.
     */
    public void add(Vcpu vcpu, ExitHandler handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (doneLock) {
            if (stopping) throw new IllegalStateException("scheduler stopped");
            if (added - finished >= options.capacity()) throw new IllegalStateException("more than " + options.capacity() + " vCPUs");
            added++;
        }
        vcpu.vmwrite(VmcsFields.PIN_BASED_VM_EXEC_CONTROL,
                vcpu.vmread(VmcsFields.PIN_BASED_VM_EXEC_CONTROL) | Controls.PIN_PREEMPTION_TIMER);
        vcpu.vmwrite(VmcsFields.VM_EXIT_CONTROLS, vcpu.vmread(VmcsFields.VM_EXIT_CONTROLS) & ~Controls.EXIT_SAVE_PREEMPTION_TIMER);
        vcpu.vmwrite(VmcsFields.VMX_PREEMPTION_TIMER_VALUE,
                Math.min(0xFFFF_FFFFL, options.sliceNanos() >>> VmxCapabilityMsrs.PREEMPTION_TIMER_RATE));
        vcpu.setHaltReturns(true);
        Task t = new Task(vcpu, handler);
        live.add(t);
        vcpu.setEventHook(() -> wake(t));
        enqueue(t, null);
    }

    /** Waits until every added vCPU finished; rethrows what stopped the scheduler (a handler's exception, a host crash). */
    public void await() throws InterruptedException {
        synchronized (doneLock) {
            while (finished < added && failure.get() == null) doneLock.wait();
        }
        rethrow();
    }

    /** As {@link #await()}, for at most {@code timeout}; false if vCPUs are still unfinished then. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        long end = System.nanoTime() + unit.toNanos(timeout);
        synchronized (doneLock) {
            while (finished < added && failure.get() == null) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                TimeUnit.NANOSECONDS.timedWait(doneLock, left);
            }
        }
        rethrow();
        synchronized (doneLock) {
            return finished >= added;
        }
    }

    private void rethrow() {
        Throwable f = failure.get();
        if (f instanceof Error e) throw e;
        if (f instanceof RuntimeException r) throw r;
        if (f != null) throw new IllegalStateException(f);
    }

    public Stats stats() {
        return new Stats(slices.get(), timerExpiries.get(), exitsHandled.get(), halts.get(), wakeups.get(), parks.get());
    }

    /** The worker threads, in worker order (for measurements: CPU time, names). */
    public List<Thread> threads() {
        List<Thread> l = new ArrayList<>();
        for (Worker w : workers) l.add(w.thread);
        return l;
    }

    /** The cores, in worker order. */
    public List<Core> cores() {
        List<Core> l = new ArrayList<>();
        for (Worker w : workers) l.add(w.core);
        return l;
    }

    /**
     * Stops the workers (each finishes its current slice), waits for them and takes their cores
     * out of VMX operation (VMCLEAR of every VMCS active there, VMXOFF). vCPUs not finished keep
     * their state and can run again elsewhere (their next entry is a VMLAUNCH).
     */
    @Override
    public void close() {
        stopping = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
        boolean interrupted = false;
        List<Worker> stopped = new ArrayList<>();
        for (Worker w : workers) {
            while (true) {
                try {
                    // a worker still waiting in a monitor call (blocking) is left behind: a daemon thread
                    w.thread.join(CLOSE_WAIT_MS);
                    if (!w.thread.isAlive()) stopped.add(w);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        for (Worker w : stopped) w.core.close();
        for (Core c : retiredCores) c.close();
        for (Task t : live) { // unfinished vCPUs behave as before they were added: run() parks in HLT again
            t.vcpu.setEventHook(null);
            t.vcpu.setHaltReturns(false);
        }
        live.clear();
        synchronized (doneLock) {
            doneLock.notifyAll();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ---- queueing and wake-ups

    /** Makes {@code t} (state QUEUED) runnable: into {@code target}'s inbox, or the shared run queue. */
    private void enqueue(Task t, Worker target) {
        if (target != null) {
            if (!target.inbox.offer(t)) throw new IllegalStateException("inbox full");
            VarHandle.fullFence(); // the element visible before the idle flag is read (the worker: flag, fence, queue)
            target.unparkIfIdle();
            return;
        }
        if (!runQueue.offer(t)) throw new IllegalStateException("run queue full");
        VarHandle.fullFence();
        for (Worker w : workers) {
            if (w.unparkIfIdle()) return;
        }
        if (available.get() < targetWorkers) ensureWorker(); // every worker busy and some wait in the monitor
    }

    /** An event arrived at a scheduled vCPU (any thread): a halted one becomes runnable again. */
    private void wake(Task t) {
        while (true) {
            int s = t.state.get();
            if (s == HALTED) {
                if (t.state.compareAndSet(HALTED, QUEUED)) {
                    wakeups.incrementAndGet();
                    enqueue(t, null);
                    return;
                }
            } else if (s == RUNNING) {
                if (t.state.compareAndSet(RUNNING, RUNNING_WOKEN)) return; // its worker re-queues it
            } else {
                return; // queued, already woken, or done
            }
        }
    }

    private void fail(Throwable e) {
        if (failure.compareAndSet(null, e)) {
            if (e instanceof HostStateCorruption) log.error("FATAL: {}", e.getMessage());
            stopping = true;
            for (Worker w : workers) LockSupport.unpark(w.thread);
            synchronized (doneLock) {
                doneLock.notifyAll();
            }
        }
    }

    private void finish() {
        synchronized (doneLock) {
            finished++;
            doneLock.notifyAll();
        }
    }

    /** One physical core and the thread that runs it. */
    private final class Worker implements Runnable {
        final int index;
        final Core core;
        final Thread thread;
        final MpscVarHandleArrayQueue<Task> inbox;
        /** Set by the worker before it parks; cleared by whoever claims the wake-up (at most one unpark per park). */
        final AtomicInteger idle = new AtomicInteger();

        Worker(int index, Core core, int capacity) {
            this.index = index;
            this.core = core;
            this.inbox = new MpscVarHandleArrayQueue<>(capacity);
            this.thread = new Thread(this, "jvmx-core-" + index);
            thread.setDaemon(true);
        }

        /** Nesting of {@link Scheduler#blocking} on this worker's thread. */
        int blockingDepth;

        Scheduler owner() {
            return Scheduler.this;
        }

        boolean unparkIfIdle() {
            if (idle.get() == 1 && idle.compareAndSet(1, 0)) {
                LockSupport.unpark(thread);
                return true;
            }
            return false;
        }

        private Task poll() {
            Task t = inbox.poll();
            return t != null ? t : runQueue.poll();
        }

        @Override
        public void run() {
            CURRENT.set(this);
            try {
                while (!stopping) {
                    Task t = poll();
                    // an idle worker leaves when more than M are available (a wait in the monitor ended)
                    if (t == null && available.get() > targetWorkers && retire(this)) return;
                    if (t == null) {
                        idle.set(1);
                        VarHandle.fullFence(); // flag, fence, queues here; element, fence, flag in enqueue: no lost wake-up
                        t = poll();
                        if (t == null) {
                            if (!stopping) {
                                parks.incrementAndGet();
                                LockSupport.park(this);
                            }
                            idle.set(0);
                            continue;
                        }
                        idle.set(0);
                    }
                    runSlice(t);
                }
            } catch (Throwable e) {
                fail(e);
            }
        }

        /** Runs {@code t} on this core until it exits, halts or its slice ends; then re-queues it or retires it. */
        private void runSlice(Task t) {
            t.state.set(RUNNING);
            slices.incrementAndGet();
            Vcpu v = t.vcpu;
            VmExit x = v.run(core);
            if (x == null) { // halted with nothing pending: off the queue until an event
                halts.incrementAndGet();
                if (t.state.compareAndSet(RUNNING, HALTED)) return;
                // woken while it was deciding to halt
            } else if (x.reason() == ExitReason.PREEMPTION_TIMER_EXPIRED) {
                timerExpiries.incrementAndGet();
            } else {
                exitsHandled.incrementAndGet();
                if (!t.handler.handle(v, x)) {
                    t.state.set(DONE);
                    v.setEventHook(null);
                    live.remove(t);
                    finish();
                    return;
                }
            }
            t.state.set(QUEUED);
            Worker[] ws = workers;
            Worker target = options.forceMigration() && ws.length > 1 ? ws[(index + 1) % ws.length] : null;
            if (target == null && runQueue.isEmpty()) {
                // Only this vCPU is runnable: this worker takes it again, no other core needs waking.
                if (!runQueue.offer(t)) throw new IllegalStateException("run queue full");
                return;
            }
            enqueue(t, target);
        }
    }
}
