package org.jvmx.linux;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;

/**
 * A Linux process run as a guest: a {@link Vm} with one {@link Vcpu} per thread at CPL 3, its
 * {@link AddressSpace}, the {@link SyscallTable} the groups fill, and the monitor's exit handler.
 * System calls arrive as VMCALL exits from the stub ({@link UserModeCpu}); #PF exits are served
 * by demand paging; other exceptions (and refused page faults) go to the {@link FaultSink} as
 * signals — by default the process dies of them with status 128 + signal and one line on stderr.
 *
 * <p>Threads ({@link LinuxThreads}): clone creates a vCPU in the same VM and address space
 * ({@link CloneCalls}); each thread's vCPU is driven by the scheduler (or its own Java thread) with {@link #handle} as
 * its per-exit handler, so system calls of several threads are served concurrently. exit ends
 * one thread (its CLONE_CHILD_CLEARTID word is cleared and woken), exit_group or a fatal signal
 * every thread; {@link #run} returns when the last thread is gone. The groups guard their own
 * state (address space, memory calls, signals, futexes, fd table: one monitor each).
 *
 * <pre>{@code
 * try (LinuxProcess p = LinuxProcess.load(path, argv, envp, root, Engine.Tier.MIXED)) {
 *     p.install(new LinuxFiles(...));   // the other groups (files, signals, misc)
 *     int status = p.run();
 * }
 * }</pre>
 */
public final class LinuxProcess implements AutoCloseable {
    private final Vm vm;
    private final Vcpu cpu;
    private final AddressSpace space;
    private final SyscallTable table = new SyscallTable();
    private final LinuxMemory memoryCalls;
    private final ProcessCalls processCalls;
    private final String program;
    private final int pid;
    private final Map<ExitReason, Long> exits = new EnumMap<>(ExitReason.class); // guarded by itself
    private final LinuxThreads threads;
    private final LinuxThread leader;
    private final Futexes futexes;
    private final List<Thread> hostThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private FaultSink faults = FaultSink.DEFAULT;
    private LinuxSignals signals;
    private PrintWriter strace;
    private PrintWriter report = new PrintWriter(System.err, true);
    /** Set by rt_sigreturn-like calls for the exit being served (per Java thread: exits of several threads run at once). */
    private final ThreadLocal<boolean[]> registersReplaced = ThreadLocal.withInitial(() -> new boolean[1]);
    private long runNanos;
    private ProcessExit ending;
    /** Kicks the vCPU when ITIMER_REAL falls due, so SIGALRM interrupts a guest that makes no system call. */
    private java.util.concurrent.ScheduledExecutorService alarmKicker;
    private java.util.concurrent.ScheduledFuture<?> alarmKick;
    private long alarmKickAt;

    private LinuxProcess(Vm vm, String program, int pid) {
        this.vm = vm;
        this.program = program;
        this.pid = pid;
        this.space = new AddressSpace(vm);
        this.cpu = vm.createVcpu();
        this.memoryCalls = new LinuxMemory(space, null, 0);
        this.processCalls = new ProcessCalls(cpu, space, pid);
        this.threads = new LinuxThreads(pid);
        this.leader = threads.leader(cpu);
        this.futexes = new Futexes(space, new Futexes.Words() {
            @Override
            public long physical(long va, boolean write) {
                return space.physical(va, write);
            }

            @Override
            public int load(long pa) {
                return (int) vm.memory().read(pa, 4);
            }

            @Override
            public int compareAndExchange(long pa, int expected, int update) {
                return (int) vm.memory().compareAndExchange(pa, 4, expected & 0xFFFF_FFFFL, update & 0xFFFF_FFFFL);
            }
        });
        processCalls.setThreads(threads);
        memoryCalls.setShootdown(() -> {
            if (threads.count() > 1) org.jvmx.sched.Scheduler.blocking(() -> threads.shootdown(LinuxThread.current()));
        });
    }

    /**
     * Builds the process for the program at {@code path}: loads it (and its interpreter, looked
     * up under {@code root}), its initial stack with {@code argv} and {@code envp}, the guest
     * machine at CPL 3; installs the memory and process system calls.
     */
    public static LinuxProcess load(Path path, List<String> argv, List<String> envp, Path root, Engine.Tier tier)
            throws ProcessLoader.LoadException {
        Vm vm = Vm.create();
        vm.setTier(tier);
        LinuxProcess p = new LinuxProcess(vm, path.toString(), (int) ProcessHandle.current().pid());
        try {
            long hwcap = vm.cpuid().answer(1, 0)[3] & 0xFFFF_FFFFL;
            long[] ids = HostIds.uidGid();
            ProcessLoader.Loaded l = ProcessLoader.load(p.space, path, root, argv, envp, hwcap, ids[0], ids[1]);
            p.memoryCalls.resetBrk(l.brk());
            UserModeCpu.setUp(p.cpu, p.space, l.rip(), l.rsp());
            p.install(p.memoryCalls);
            p.install(p.processCalls);
            p.install(new CloneCalls(p.space, p.threads, p.new Spawner()));
            return p;
        } catch (ProcessLoader.LoadException | RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /**
     * Installs a group of system calls. A group that is also a {@link FileMapper} serves
     * file-backed mmap; one that is also a {@link FaultSink} receives the synchronous faults.
     */
    public void install(SyscallTable.Group g) {
        g.install(table);
        if (g instanceof FileMapper m) memoryCalls.setFiles(m);
        if (g instanceof FaultSink s && faults == FaultSink.DEFAULT) setFaultSink(s); // an explicit sink stays
        if (g instanceof LinuxSignals s) {
            signals = s;
            s.setThreads(threads, leader);
        }
        if (g instanceof LinuxMisc m) {
            m.time().setFutexes(futexes, this::waitInterrupted, () -> threads.count() <= 1);
        }
    }

    /** Whether a sleeping system call of the calling thread must stop: a signal for it, or the group's end. */
    private boolean waitInterrupted() {
        return threads.groupExit() != null || signals != null && signals.interruptsCaller();
    }

    /** Creates the threads clone asks for: a vCPU in this VM, its loop on a Java thread of its own. */
    private final class Spawner implements CloneCalls.Spawner {
        @Override
        public LinuxThread newThread(LinuxThread parent) {
            LinuxThread t = threads.create(vm.createVcpu());
            if (signals != null) signals.threadCreated(parent, t);
            return t;
        }

        @Override
        public void start(LinuxThread t) {
            org.jvmx.sched.Scheduler s = scheduler;
            if (s != null) {
                s.add(t.vcpu, LinuxProcess.this::handle);
                return;
            }
            Thread h = new Thread(() -> {
                try {
                    org.jvmx.sched.ExitHandler.runOnCallingThread(t.vcpu, LinuxProcess.this::handle);
                } catch (RuntimeException e) {
                    threads.fail(e);
                }
            }, "jvmx-" + pid + "-thread-" + t.tid);
            h.setDaemon(true);
            h.start();
            hostThreads.add(h);
        }
    }

    /** Where synchronous faults go (the signals group); the default kills the process. */
    public void setFaultSink(FaultSink sink) {
        this.faults = sink == null ? FaultSink.DEFAULT : sink;
    }

    /** Prints every system call strace-style on {@code out} (null: off). */
    public void setStrace(PrintWriter out) {
        this.strace = out;
    }

    /** Where the one-line report of a fatal signal goes (default: System.err). */
    public void setReport(PrintWriter out) {
        this.report = out;
    }

    public Vm vm() {
        return vm;
    }

    /** The first thread's vCPU. */
    public Vcpu vcpu() {
        return cpu;
    }

    /** The thread group. */
    public LinuxThreads threads() {
        return threads;
    }

    public Futexes futexes() {
        return futexes;
    }

    public AddressSpace memory() {
        return space;
    }

    public SyscallTable table() {
        return table;
    }

    public LinuxMemory memoryCalls() {
        return memoryCalls;
    }

    public ProcessCalls processCalls() {
        return processCalls;
    }

    /** The process id (and thread id) the guest sees: the host's pid of jvmx, as a user-mode emulator gives it. */
    public int pid() {
        return pid;
    }

    public String program() {
        return program;
    }

    /**
     * For a system call that sets the user state itself (rt_sigreturn, a signal delivered on the
     * way out): the run loop then neither writes RAX nor returns through the stub's SYSRETQ. The
     * handler must put the vCPU back in user mode ({@link UserModeCpu#enterUser}).
     */
    public void registersReplaced() {
        registersReplaced.get()[0] = true;
    }

    /**
     * The end of the process by {@code signal}'s default action: reports it (one line on the
     * report stream) and returns the exception to throw out of a system call or fault path.
     */
    public ProcessExit killedBy(int signal, long rip, long address) {
        report.println("jvmx: " + program + ": " + signalName(signal) + String.format(" at 0x%x (address 0x%x)", rip, address));
        report.flush();
        return ProcessExit.killed(signal);
    }

    /**
     * Runs the process until it exits; returns its status (exit code, or 128 + the signal that
     * killed it). The first thread runs on the calling Java thread; the call returns when every
     * thread is gone (a thread stuck in a host call after exit_group is abandoned after
     * {@link #ABANDON_MS}).
     */
    public int run() {
        long t0 = System.nanoTime();
        try {
            if (workers > 0) {
                runScheduled();
            } else {
                try {
                    org.jvmx.sched.ExitHandler.runOnCallingThread(cpu, this::handle);
                } catch (RuntimeException e) {
                    threads.fail(e);
                }
            }
            long groupEndSeen = 0;
            while (!threads.awaitOthers(leader, 100)) {
                if (threads.groupExit() == null) continue;
                if (groupEndSeen == 0) groupEndSeen = System.nanoTime();
                else if (System.nanoTime() - groupEndSeen > ABANDON_MS * 1_000_000L) break;
            }
        } finally {
            runNanos += System.nanoTime() - t0;
            space.writeBackAll();
        }
        if (threads.failure() != null) throw threads.failure();
        ending = threads.groupExit();
        if (ending == null) ending = ProcessExit.exited(leader.exitCode);
        if (strace != null) {
            strace.println(ending.signal == 0 ? "+++ exited with " + ending.status + " +++"
                    : "+++ killed by " + signalName(ending.signal) + " +++");
            strace.flush();
        }
        return ending.status;
    }

    /**
     * Worker threads (cores) the process's threads are scheduled on ({@link org.jvmx.sched.Scheduler});
     * 0: every thread's vCPU on a Java thread of its own.
     */
    public void setWorkers(int m) {
        if (m < 0) throw new IllegalArgumentException("workers " + m);
        this.workers = m;
    }

    private int workers;
    private volatile org.jvmx.sched.Scheduler scheduler;
    private org.jvmx.sched.Scheduler.Stats schedulerStats;
    private long sparesStarted;

    /**
     * Every thread's vCPU on the scheduler's workers until the last thread is gone (a thread stuck
     * in a host call after exit_group is abandoned after {@link #ABANDON_MS}). System calls that may
     * sleep run inside {@link org.jvmx.sched.Scheduler#blocking}, so sleeping threads never keep
     * runnable ones off the cores.
     */
    private void runScheduled() {
        try (org.jvmx.sched.Scheduler s = new org.jvmx.sched.Scheduler(workers, org.jvmx.sched.Scheduler.Options.defaults())) {
            scheduler = s;
            s.add(cpu, this::handle);
            long groupEndSeen = 0;
            while (true) {
                try {
                    if (s.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) break;
                } catch (RuntimeException e) {
                    threads.fail(e);
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (threads.groupExit() == null) continue;
                if (groupEndSeen == 0) groupEndSeen = System.nanoTime();
                else if (System.nanoTime() - groupEndSeen > ABANDON_MS * 1_000_000L) break;
            }
            schedulerStats = s.stats();
            sparesStarted = s.sparesStarted();
        } finally {
            scheduler = null;
        }
    }

    /** How long {@link #run} waits for threads to notice the group's end before it returns without them. */
    static final long ABANDON_MS = 2000;

    /**
     * One VM exit of one thread's vCPU, served (the scheduler's per-exit contract): true when the
     * vCPU runs on, false when its thread is finished (exit, or the group's end).
     */
    boolean handle(Vcpu v, VmExit x) {
        LinuxThread t = threads.of(v);
        if (t == null) return false;
        t.leftGuest();
        LinuxThread prev = LinuxThread.bind(t);
        try {
            if (threads.groupExit() == null) {
                try {
                    step(t, x);
                } catch (ProcessExit e) {
                    threads.end(e);
                } catch (ProcessCalls.ThreadExit e) {
                    exitThread(t, e.code);
                    return false;
                }
            }
            if (threads.groupExit() != null) {
                threads.remove(t, 0);
                return false;
            }
            armAlarmKick();
            t.enteringGuest();
            return true;
        } catch (RuntimeException e) {
            threads.remove(t, 0);
            throw e;
        } finally {
            LinuxThread.bind(prev);
        }
    }

    /**
     * exit(2) of one thread (do_exit → mm_release): 0 is stored in its CLONE_CHILD_CLEARTID word
     * and one waiter of that word woken (a shared futex, as the kernel wakes it: pthread_join);
     * then the thread leaves the group, the last one ending the process.
     */
    private void exitThread(LinuxThread t, int code) {
        long ctid = t.clearChildTid;
        if (ctid != 0) {
            try {
                vm.memory().write(space.physical(ctid, true), 4, 0);
                futexes.wake(ctid, false, 1, -1);
            } catch (LinuxError ignored) {
                // an unmapped word: Linux ignores the fault too
            }
        }
        threads.remove(t, code);
    }

    /** One VM exit of thread {@code t}, served. */
    private void step(LinuxThread t, VmExit x) {
        Vcpu cpu = t.vcpu;
        synchronized (exits) {
            exits.merge(x.reason(), 1L, Long::sum);
        }
        if (x.entryFailure()) {
            throw new IllegalStateException("VM entry failed: " + x
                    + (cpu.failedEntryRule() == null ? "" : " (" + cpu.failedEntryRule() + ")"));
        }
        switch (x.reason()) {
            case VMCALL -> {
                if (x.guestRip() != UserModeCpu.STUB_VMCALL) {
                    fault(FaultSink.SIGILL, 2, x.guestRip(), 6, 0, x.guestRip()); // VMCALL from the program: #UD as on bare metal
                } else {
                    syscall(t);
                }
            }
            case EXCEPTION_OR_NMI -> exception(x);
            case CPUID, RDTSC, RDTSCP, RDPMC, RDMSR, WRMSR, XSETBV, INVD, WBINVD_WBNOINVD -> cpu.emulateInstruction();
            // privileged at CPL 3: #GP(0) on bare metal, SIGSEGV with SI_KERNEL from Linux
            case HLT, IO_INSTRUCTION -> fault(FaultSink.SIGSEGV, 0x80, 0, 13, 0, x.guestRip());
            case EXTERNAL_INTERRUPT, PREEMPTION_TIMER_EXPIRED -> interrupted(t);
            case TRIPLE_FAULT -> throw killedBy(FaultSink.SIGSEGV, x.guestRip(), 0);
            default -> throw new IllegalStateException("unexpected VM exit in a Linux process: " + x);
        }
    }

    /**
     * With an alarm armed, schedules a kick of the vCPU at its deadline (once per deadline): the
     * guest then leaves with an external-interrupt exit and {@link #interrupted} delivers SIGALRM,
     * as Linux does when the timer interrupt returns to user mode.
     */
    private synchronized void armAlarmKick() {
        if (signals == null || !signals.alarmArmed()) return;
        long at = signals.alarmDeadlineNanos();
        if (alarmKick != null && at == alarmKickAt) return;
        if (alarmKick != null) alarmKick.cancel(false);
        kicker();
        alarmKickAt = at;
        LinuxSignals s = signals;
        alarmKick = alarmKicker.schedule(s::alarmTick, Math.max(0, at - System.nanoTime()),
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private synchronized java.util.concurrent.ScheduledExecutorService kicker() {
        if (alarmKicker == null) {
            alarmKicker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jvmx-alarm-" + pid);
                t.setDaemon(true);
                return t;
            });
        }
        return alarmKicker;
    }

    /**
     * An external interrupt (a kick) brought the guest back: signals that became deliverable
     * (the alarm) are delivered now if the guest is in user mode (exit_to_user_mode_loop); in the
     * stub (between VMCALL and SYSRETQ) a kick 1 ms later or the next system call delivers them.
     */
    private void interrupted(LinuxThread t) {
        Vcpu cpu = t.vcpu;
        if (signals == null || !signals.hasDeliverable()) return;
        if (Long.compareUnsigned(cpu.vmread(org.jvmx.vmx.vmcs.VmcsFields.GUEST_RIP), UserModeCpu.KERNEL_BASE) >= 0) {
            kicker().schedule(cpu::kick, 1, java.util.concurrent.TimeUnit.MILLISECONDS);
            return;
        }
        int status = signals.deliverPending(new UserContextVcpu(cpu, UserContextVcpu.Mode.TRAP));
        if (status != LinuxSignals.CONTINUE) {
            throw killedBy(status - 128, cpu.vmread(org.jvmx.vmx.vmcs.VmcsFields.GUEST_RIP), 0);
        }
    }

    private void syscall(LinuxThread t) {
        Vcpu cpu = t.vcpu;
        long nr = cpu.reg(Reg.RAX);
        long a0 = cpu.reg(Reg.RDI), a1 = cpu.reg(Reg.RSI), a2 = cpu.reg(Reg.RDX), a3 = cpu.reg(Reg.R10),
                a4 = cpu.reg(Reg.R8), a5 = cpu.reg(Reg.R9);
        int n = nr < 0 || nr >= SyscallTable.MAX ? -1 : (int) nr;
        boolean[] replaced = registersReplaced.get();
        replaced[0] = false;
        long r;
        try {
            r = table.sleeps(n) ? org.jvmx.sched.Scheduler.blocking(() -> table.call(n, a0, a1, a2, a3, a4, a5))
                    : table.call(n, a0, a1, a2, a3, a4, a5);
        } catch (ProcessExit | ProcessCalls.ThreadExit e) {
            if (strace != null) {
                strace.println(tracePrefix(t) + Strace.call(table.entry(n), (int) nr, new long[] {a0, a1, a2, a3, a4, a5}, space, -1)
                        + " = ?");
            }
            throw e;
        }
        if (strace != null) {
            SyscallTable.Entry e = table.entry(n);
            strace.println(tracePrefix(t) + Strace.call(e, (int) nr, new long[] {a0, a1, a2, a3, a4, a5}, space, r)
                    + Strace.result(e, r));
        }
        if (replaced[0]) return;
        if (signals != null) {
            int status = signals.finishSyscall(r);
            if (status != LinuxSignals.CONTINUE) throw killedBy(status - 128, cpu.reg(Reg.RCX), 0);
            return;
        }
        cpu.setReg(Reg.RAX, r);
        cpu.skipInstruction();
    }

    /** strace -f's tag of a line once the process has threads. */
    private String tracePrefix(LinuxThread t) {
        return threads.created() > 1 ? "[pid " + t.tid + "] " : "";
    }

    private void exception(VmExit x) {
        int v = x.vector();
        long rip = x.guestRip();
        switch (v) {
            case 14 -> {
                long addr = x.qualification();
                try {
                    if (space.fault(addr, x.errorCode())) return;
                } catch (LinuxError e) {
                    fault(FaultSink.SIGBUS, 2, addr, v, x.errorCode(), rip); // BUS_ADRERR: the file behind the page failed
                    return;
                }
                fault(FaultSink.SIGSEGV, space.segvCode(addr), addr, v, x.errorCode(), rip);
            }
            case 0 -> fault(FaultSink.SIGFPE, 1, rip, v, 0, rip);           // FPE_INTDIV
            case 16, 19 -> fault(FaultSink.SIGFPE, 0, rip, v, 0, rip);      // x87 / SIMD floating point (code from the status)
            case 6 -> fault(FaultSink.SIGILL, 2, rip, v, 0, rip);           // ILL_ILLOPN
            case 1, 3 -> fault(FaultSink.SIGTRAP, 0x80, rip, v, 0, rip);    // SI_KERNEL
            case 12, 17 -> fault(FaultSink.SIGBUS, 0x80, 0, v, x.errorCode(), rip);
            default -> fault(FaultSink.SIGSEGV, 0x80, 0, v, x.errorCode(), rip); // #GP and the rest: SI_KERNEL, address 0
        }
    }

    private void fault(int signal, int code, long address, int vector, int errorCode, long rip) {
        if (faults.deliver(new FaultSink.Fault(signal, code, address, vector, errorCode, rip))) return;
        throw killedBy(signal, rip, address);
    }

    static String signalName(int sig) {
        String[] names = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
            "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
            "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
            "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
        return sig > 0 && sig < names.length ? names[sig] : "SIG" + sig;
    }

    /** CPU time of the calling thread, the one running the process (for the CPU-time clocks). */
    public long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Statistics: instructions, speed, VM exits by reason, page faults, memory, missing system calls. */
    public String stats() {
        long interpreted = 0, compiled = 0;
        for (Vcpu v : vm.vcpus()) {
            interpreted += v.stats().interpreted;
            compiled += v.stats().compiled;
        }
        long instructions = interpreted + compiled;
        StringBuilder b = new StringBuilder();
        double seconds = runNanos / 1e9;
        b.append(String.format(Locale.ROOT, "stats: %d instructions (%d interpreted, %d compiled) in %.3f s, %.1f MIPS%n",
                instructions, interpreted, compiled, seconds, seconds > 0 ? instructions / seconds / 1e6 : 0));
        if (threads.created() > 1) {
            b.append(String.format(Locale.ROOT, "stats: %d threads (%d vCPUs), %d clone requests refused%n",
                    threads.created(), vm.vcpus().size(), threads.refusedClones()));
        }
        org.jvmx.sched.Scheduler.Stats st = schedulerStats;
        if (st != null) {
            long migrations = 0;
            for (Vcpu v : vm.vcpus()) migrations += v.migrations();
            b.append(String.format(Locale.ROOT, "stats: scheduler: %d workers (%d spares started for sleeping calls), "
                    + "%d slices (%d ended by the preemption timer), %d migrations%n", workers, sparesStarted, st.slices(),
                    st.timerExpiries(), migrations));
        }
        synchronized (exits) {
            long total = exits.values().stream().mapToLong(Long::longValue).sum();
            b.append("stats: ").append(total).append(" VM exits:");
            exits.forEach((r, n) -> b.append(' ').append(r).append('=').append(n));
        }
        b.append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, "stats: %d page faults, %d frames resident%n", space.faults(), space.residentFrames()));
        StringBuilder missing = new StringBuilder();
        for (int i = 0; i < SyscallTable.MAX; i++) {
            if (table.unimplemented(i) > 0) missing.append(' ').append(i).append('x').append(table.unimplemented(i));
        }
        if (missing.length() > 0) b.append("stats: missing system calls (nr x count):").append(missing).append(System.lineSeparator());
        return b.toString();
    }

    @Override
    public void close() {
        if (threads.groupExit() == null) threads.end(ProcessExit.killed(9)); // a run cut short: its threads stop
        synchronized (this) {
            if (alarmKicker != null) alarmKicker.shutdownNow();
        }
        vm.close();
    }
}
