package org.jvmx.linux;

import static org.jvmx.linux.signal.SignalTable.*;

import java.io.PrintStream;
import java.util.function.Supplier;
import org.jvmx.linux.signal.FaultSignals;
import org.jvmx.linux.signal.FxImage;
import org.jvmx.linux.signal.SigFrame;
import org.jvmx.linux.signal.SigInfo;
import org.jvmx.linux.signal.SignalTable;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;

/**
 * Signals of the process: dispositions (shared by its threads), process-directed pending
 * signals, and per thread ({@link ThreadSignals}) the blocked mask, thread-directed pending signals
 * (tgkill, faults) and the alternate stack; the signal system calls, and delivery with the x86-64
 * rt_sigframe (arch/x86/kernel/signal.c, signal_64.c; kernel/signal.c).
 *
 * <p>Threads: the calling thread is {@link LinuxThread#current()} (none: the process's single
 * thread, {@link #mainState()}). A process-directed signal goes to a thread that does not block
 * it (complete_signal: the current one if it can, else the first that can), which is woken: a
 * sleeping system call is unparked and sees it (EINTR), a running vCPU is kicked out to deliver
 * it. Locking: one monitor (this object) guards all of the group's state; waits for a signal
 * release it ({@link Object#wait}) and wake at least every {@link #POLL_MS} ms to notice the
 * thread group's end.
 *
 * <p><b>Wiring</b> (the process's run loop):
 * <ul>
 * <li>After every system call, once its result is in RAX: {@code deliverPending(ctx)} with a
 * {@link UserContextVcpu} in {@code SYSCALL} mode (or any {@link UserContext} whose RIP/RFLAGS
 * are the values the return to user mode loads). If that context then
 * {@link UserContextVcpu#needsExactReturn() needs an exact return} (rt_sigreturn to code a fault
 * interrupted), call {@link UserContextVcpu#returnToUser()} instead of skipping the VMCALL.
 * <li>On a user-mode exception exit: {@link #deliverException(UserContext, int, long, long)}
 * (vector, error code, CR2) with a {@code TRAP}-mode context, or {@link #deliverFault} when the
 * caller picks signal and si_code itself (e.g. SEGV_MAPERR vs SEGV_ACCERR from its own map).
 * <li>Each returns {@link #CONTINUE}, or the exit status (128 + signal number) when the default
 * action ends the process; then {@code jvmx: killed by SIGSEGV} has been written to the
 * diagnostic stream.
 * <li>{@code rt_sigreturn} and {@code sigaltstack} read the current thread's context through the
 * supplier given to the constructor; rt_sigreturn returns the restored RAX, which the run loop
 * stores in RAX as for any system call.
 * <li>Other groups send signals with {@link #raise} (SIGPIPE on a broken pipe...). The alarm
 * timer ({@link #alarmArmed()}, {@link #alarmDeadlineNanos()}) is polled at every look at the
 * signals; a run loop that wants SIGALRM to interrupt a guest that makes no system call kicks
 * the vCPU at the deadline and, if the guest is at CPL 3 (not in the stub), calls
 * {@link #deliverPending} in TRAP mode.
 * </ul>
 */
public final class LinuxSignals implements SyscallTable.Group, FaultSink {
    /** {@link #deliverPending} result: the process continues. */
    public static final int CONTINUE = -1;

    public static final long SIG_DFL = 0, SIG_IGN = 1;
    public static final long SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_UNSUPPORTED = 0x400,
            SA_EXPOSE_TAGBITS = 0x800, SA_RESTORER = 0x0400_0000, SA_ONSTACK = 0x0800_0000,
            SA_RESTART = 0x1000_0000, SA_NODEFER = 0x4000_0000, SA_RESETHAND = 0x8000_0000L;
    /** Flags Linux keeps (do_sigaction clears unknown bits so that user space can probe for support). */
    static final long KNOWN_FLAGS = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND;
    public static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    public static final int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31, MINSIGSTKSZ = 2048;
    /** struct kernel_sigaction (x86-64): handler, flags, restorer, mask. */
    public static final int SA_HANDLER = 0, SA_FLAGS = 8, SA_RESTORER_OFF = 16, SA_MASK = 24, SIGACTION_SIZE = 32;
    /** RFLAGS bits sigreturn takes from the frame (FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF). */
    public static final long FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
    static final long DF = 0x400, TF = 0x100, RF = 0x10000;

    /** One signal's disposition (struct k_sigaction). */
    public record Action(long handler, long flags, long restorer, long mask) {
        static final Action DEFAULT = new Action(SIG_DFL, 0, 0, 0);
    }

    /** Longest wait for a signal between looks at the thread group's end. */
    static final long POLL_MS = 50;

    private final UserMemory mem;
    private final Supplier<UserContext> context;
    private final int pid, uid;
    private final PrintStream diag;

    private final Action[] actions = new Action[NSIG + 1];
    /** Process-directed pending signals (struct signal_struct's shared_pending). */
    private final SignalQueue shared = new SignalQueue();
    /** The first thread's state (the only one without a thread group). */
    private final ThreadSignals main;
    private LinuxThreads threads;
    private final LinuxSignalsTimer timer = new LinuxSignalsTimer();

    /**
     * @param mem     the process's memory (frames are written to and read from the user stack)
     * @param context the current thread's user registers, for rt_sigreturn and sigaltstack
     * @param pid     the process id (also the thread id) that kill/tgkill must name
     * @param uid     the uid reported in si_uid
     * @param diag    where "jvmx: killed by SIGxxx" goes (stderr), or null when the caller reports
     */
    public LinuxSignals(UserMemory mem, Supplier<UserContext> context, int pid, int uid, PrintStream diag) {
        this(mem, context, null, pid, uid, diag);
    }

    /**
     * The signals of a process whose user state lives in {@code vcpu} under the SYSCALL stub
     * ({@code vmcall; sysretq}): system calls see a {@link UserContextVcpu} in SYSCALL mode, the
     * run loop ends each system call with {@link #finishSyscall}, and faults arrive through
     * {@link FaultSink#deliver} (so {@code LinuxProcess.install} wires them by itself).
     */
    public LinuxSignals(UserMemory mem, Vcpu vcpu, int pid, int uid, PrintStream diag) {
        this(mem, null, vcpu, pid, uid, diag);
    }

    private LinuxSignals(UserMemory mem, Supplier<UserContext> context, Vcpu vcpu, int pid, int uid,
            PrintStream diag) {
        this.mem = mem;
        this.main = new ThreadSignals(vcpu);
        this.context = context != null ? context : this::currentSyscall;
        this.pid = pid;
        this.uid = uid;
        this.diag = diag;
        for (int s = 1; s <= NSIG; s++) actions[s] = Action.DEFAULT;
    }

    // ---- threads

    /**
     * Attaches the process's thread group: {@code leader} takes the first state; later threads
     * come through {@link #threadCreated}.
     */
    public synchronized void setThreads(LinuxThreads group, LinuxThread leader) {
        this.threads = group;
        main.thread = leader;
        leader.signals = main;
    }

    /** A new thread: it inherits its creator's mask; its alternate stack is none (clone with CLONE_VM) and nothing is pending. */
    synchronized void threadCreated(LinuxThread parent, LinuxThread child) {
        ThreadSignals p = parent.signals != null ? parent.signals : main;
        ThreadSignals c = new ThreadSignals(child.vcpu);
        c.blocked = p.blocked;
        c.thread = child;
        child.signals = c;
    }

    /** The calling thread's state. */
    private ThreadSignals ts() {
        LinuxThread t = LinuxThread.current();
        ThreadSignals s = t == null ? null : t.signals;
        return s != null ? s : main;
    }

    /** The first thread's state (for tests and a process without threads). */
    public ThreadSignals mainState() {
        return main;
    }

    private java.util.List<ThreadSignals> states() {
        if (threads == null) return java.util.List.of(main);
        java.util.List<ThreadSignals> r = new java.util.ArrayList<>();
        for (LinuxThread t : threads.all()) if (t.signals != null) r.add(t.signals);
        if (!r.contains(main)) r.add(main);
        return r;
    }

    /** Whether no other thread could send a signal (then waiting with nothing armed would never end). */
    private boolean alone() {
        return threads == null || threads.count() <= 1;
    }

    /** Waits on this monitor for at most {@code nanos} (and {@link #POLL_MS}); the thread group's end unwinds the call. */
    private void sleep(long nanos) {
        if (threads != null && threads.groupExit() != null) throw threads.groupExit();
        long ms = Math.max(1, Math.min(POLL_MS, nanos / 1_000_000L));
        try {
            wait(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinuxError(Errno.EINTR);
        }
        if (threads != null && threads.groupExit() != null) throw threads.groupExit();
    }

    /** complete_signal(): wakes a thread that does not block {@code sig} to take a process-directed signal. */
    private void target(int sig) {
        notifyAll();
        if (threads == null) return;
        LinuxThread caller = LinuxThread.current();
        ThreadSignals me = caller == null ? null : caller.signals;
        if (me != null && (me.blocked & bit(sig)) == 0 && !caller.exited) return; // the caller delivers it on its way out
        for (ThreadSignals s : states()) {
            if ((s.blocked & bit(sig)) == 0 && s.thread != null && !s.thread.exited) {
                s.thread.wake();
                return;
            }
        }
    }

    /** Whether the calling thread has a signal to take (for sleeping system calls: EINTR). */
    public synchronized boolean interruptsCaller() {
        pollTimer();
        ThreadSignals s = ts();
        return ((s.own.pending | shared.pending) & ~s.blocked) != 0;
    }

    @Override
    public void install(SyscallTable t) {
        t.put(13, "rt_sigaction", "dppu", (a, b, c, d, e, f) -> rtSigaction((int) a, b, c, d));
        t.put(14, "rt_sigprocmask", "dppu", (a, b, c, d, e, f) -> rtSigprocmask((int) a, b, c, d));
        t.put(15, "rt_sigreturn", "", (a, b, c, d, e, f) -> rtSigreturn(context.get()));
        t.put(62, "kill", "dd", (a, b, c, d, e, f) -> kill((int) a, (int) b));
        t.put(127, "rt_sigpending", "pu", (a, b, c, d, e, f) -> rtSigpending(a, b));
        t.put(130, "rt_sigsuspend", "pu", (a, b, c, d, e, f) -> rtSigsuspend(a, b));
        t.put(131, "sigaltstack", "pp", (a, b, c, d, e, f) -> sigaltstack(a, b, context.get().reg(Reg.RSP)));
        t.put(128, "rt_sigtimedwait", "pppu", (a, b, c, d, e, f) -> rtSigtimedwait(a, b, c, d));
        t.put(34, "pause", "", (a, b, c, d, e, f) -> pause());
        t.put(36, "getitimer", "dp", (a, b, c, d, e, f) -> timer.getitimer(mem, (int) a, b));
        t.put(37, "alarm", "u", (a, b, c, d, e, f) -> timer.alarm(a));
        t.put(38, "setitimer", "dpp", (a, b, c, d, e, f) -> timer.setitimer(mem, (int) a, b, c));
        t.put(200, "tkill", "dd", (a, b, c, d, e, f) -> tgkill(pid, (int) a, (int) b));
        t.put(234, "tgkill", "ddd", (a, b, c, d, e, f) -> tgkill((int) a, (int) b, (int) c));
        t.maySleep(34, 128, 130); // pause, rt_sigtimedwait, rt_sigsuspend
    }

    // ---- state, for the process and for tests

    public Action action(int sig) {
        return actions[sig];
    }

    public synchronized long blocked() {
        return ts().blocked;
    }

    public synchronized void setBlocked(long mask) {
        ts().blocked = mask & ~UNBLOCKABLE;
    }

    /** Whether {@link #deliverPending} has something to do for the calling thread (a cheap check for the run loop). */
    public synchronized boolean hasDeliverable() {
        return interruptsCaller();
    }

    /** Whether SIGALRM is due at some time ({@link #alarmDeadlineNanos()}): a run loop may interrupt the vCPU then. */
    public synchronized boolean alarmArmed() {
        return timer.realArmed();
    }

    /** The {@link System#nanoTime()} at which SIGALRM falls due (alarm/setitimer ITIMER_REAL), if armed. */
    public synchronized long alarmDeadlineNanos() {
        return timer.realDeadline();
    }

    /** it_real_fn(): an expired ITIMER_REAL sends SIGALRM from the kernel (SI_KERNEL). */
    private void pollTimer() {
        if (timer.pollReal()) queue(SigInfo.sent(SIGALRM, SigInfo.SI_KERNEL, 0, 0));
    }

    /**
     * Waits until a signal is deliverable under {@code mask}: the alarm timer or another thread
     * can bring one; with neither the wait would never end (Linux sleeps forever): EDEADLK.
     */
    private void awaitSignal(long mask) {
        ThreadSignals s = ts();
        while (true) {
            pollTimer();
            if (((s.own.pending | shared.pending) & ~mask) != 0) return;
            if (!timer.realArmed() && alone()) {
                throw new LinuxError(Errno.EDEADLK, "waiting for a signal that nothing can send");
            }
            sleep(timer.realArmed() ? timer.realDeadline() - System.nanoTime() : Long.MAX_VALUE);
        }
    }

    /** The alarm timer's deadline passed: SIGALRM is queued (and its target thread woken). */
    public synchronized void alarmTick() {
        pollTimer();
    }

    /** pause(2): sleeps until a signal is delivered, then fails with EINTR. */
    synchronized long pause() {
        awaitSignal(ts().blocked);
        throw new LinuxError(Errno.EINTR);
    }

    /**
     * Sends {@code sig} to the process as the kernel does for its own reasons (SIGPIPE on a
     * write to a broken pipe, SIGXFSZ...): si_code SI_USER with the process's own pid, as
     * {@code send_sig(sig, current, 0)}. Delivered by the next {@link #deliverPending}.
     */
    public synchronized void raise(int sig) {
        queue(SigInfo.sent(sig, SigInfo.SI_USER, pid, uid));
    }

    /** Signals queued for the calling thread (its own and the process's) and not yet delivered, one bit per signal. */
    public synchronized long pending() {
        return ts().own.pending | shared.pending;
    }

    // ---- system calls

    synchronized long rtSigaction(int sig, long act, long oact, long sigsetsize) {
        if (sigsetsize != 8 || !valid(sig)) throw new LinuxError(Errno.EINVAL);
        if (act != 0 && (bit(sig) & UNBLOCKABLE) != 0) throw new LinuxError(Errno.EINVAL);
        Action fresh = null;
        if (act != 0) {
            byte[] b = mem.read(act, SIGACTION_SIZE);
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            fresh = new Action(bb.getLong(SA_HANDLER), bb.getLong(SA_FLAGS) & KNOWN_FLAGS, bb.getLong(SA_RESTORER_OFF),
                    bb.getLong(SA_MASK) & ~UNBLOCKABLE);
        }
        Action old = actions[sig];
        if (oact != 0) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(SIGACTION_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bb.putLong(SA_HANDLER, old.handler).putLong(SA_FLAGS, old.flags).putLong(SA_RESTORER_OFF, old.restorer)
                    .putLong(SA_MASK, old.mask);
            mem.write(oact, bb.array());
        }
        if (fresh != null) {
            actions[sig] = fresh;
            // POSIX: setting a pending signal's action to ignore discards it (do_sigaction).
            if (ignored(sig)) discard(sig);
        }
        return 0;
    }

    synchronized long rtSigprocmask(int how, long set, long oset, long sigsetsize) {
        if (sigsetsize != 8) throw new LinuxError(Errno.EINVAL);
        ThreadSignals t = ts();
        long old = t.blocked;
        if (set != 0) {
            long s = mem.readLong(set) & ~UNBLOCKABLE;
            switch (how) {
                case SIG_BLOCK -> t.blocked |= s;
                case SIG_UNBLOCK -> t.blocked &= ~s;
                case SIG_SETMASK -> t.blocked = s;
                default -> throw new LinuxError(Errno.EINVAL);
            }
            // retarget_shared_pending(): process-directed signals this thread now blocks go to another one
            long moved = shared.pending & t.blocked & ~old;
            for (long m = moved; m != 0; m &= m - 1) target(Long.numberOfTrailingZeros(m) + 1);
        }
        if (oset != 0) mem.writeLong(oset, old);
        return 0;
    }

    synchronized long rtSigpending(long set, long sigsetsize) {
        if (sigsetsize > 8) throw new LinuxError(Errno.EINVAL);
        ThreadSignals t = ts();
        long v = (t.own.pending | shared.pending) & t.blocked;
        byte[] b = new byte[(int) sigsetsize];
        for (int k = 0; k < b.length; k++) b[k] = (byte) (v >>> (8 * k));
        mem.write(set, b);
        return 0;
    }

    /**
     * The mask is replaced until a handler runs; the handler's frame saves the old mask, so the
     * handler's return restores it (and if no handler runs, the next delivery restores it).
     * Waits for the alarm timer if needed; with nothing that could ever send a signal: EDEADLK.
     */
    synchronized long rtSigsuspend(long set, long sigsetsize) {
        if (sigsetsize != 8) throw new LinuxError(Errno.EINVAL);
        long s = mem.readLong(set) & ~UNBLOCKABLE;
        awaitSignal(s);
        ThreadSignals t = ts();
        t.savedMask = t.blocked;
        t.blocked = s;
        throw new LinuxError(Errno.EINTR);
    }

    /**
     * Takes a pending signal of {@code set} (blocked or not) and returns its number, with its
     * siginfo at {@code info}, waiting for the alarm timer if needed. EAGAIN after the timeout;
     * EINTR when a signal outside the set becomes deliverable; with no timeout and no alarm armed,
     * nothing could ever send a signal (Linux would wait forever): EDEADLK.
     */
    synchronized long rtSigtimedwait(long set, long info, long timeout, long sigsetsize) {
        if (sigsetsize != 8) throw new LinuxError(Errno.EINVAL);
        long s = mem.readLong(set) & ~UNBLOCKABLE;
        long ns = -1;
        if (timeout != 0) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(mem.read(timeout, 16)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long sec = b.getLong(0), nsec = b.getLong(8);
            if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) throw new LinuxError(Errno.EINVAL);
            ns = sec > Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : sec * 1_000_000_000L + nsec;
        }
        long end = System.nanoTime() + (ns < 0 ? 0 : ns);
        ThreadSignals t = ts();
        while (true) {
            pollTimer();
            long pending = t.own.pending | shared.pending;
            if ((pending & s) != 0) {
                SigInfo got = dequeue(t, pending & s);
                if (info != 0) mem.write(info, got.encode());
                return got.signo();
            }
            if ((pending & ~t.blocked) != 0) throw new LinuxError(Errno.EINTR); // another signal's handler runs
            long now = System.nanoTime();
            if (ns >= 0 && now - end >= 0) throw new LinuxError(Errno.EAGAIN);
            if (ns < 0 && !timer.realArmed() && alone()) {
                throw new LinuxError(Errno.EDEADLK, "sigtimedwait without timeout in a single thread");
            }
            long wake = ns < 0 ? (timer.realArmed() ? timer.realDeadline() : now + POLL_MS * 1_000_000L)
                    : timer.realArmed() && timer.realDeadline() - end < 0 ? timer.realDeadline() : end;
            sleep(Math.max(wake - now, 1));
        }
    }

    synchronized long kill(int target, int sig) {
        // pid: ourselves, our process group (0 or -pgid; jvmx's process leads its own group); -1 names everyone else.
        if (target != pid && target != 0 && target != -pid) throw new LinuxError(Errno.ESRCH);
        return send(sig, SigInfo.SI_USER);
    }

    /** tgkill/tkill: a thread-directed signal to thread {@code tid} of the group (ESRCH when none). */
    synchronized long tgkill(int tgid, int tid, int sig) {
        if (tgid <= 0 && tgid != -1 || tid <= 0) throw new LinuxError(Errno.EINVAL);
        if (tgid != pid && tgid != -1) throw new LinuxError(Errno.ESRCH);
        ThreadSignals to;
        if (threads == null) {
            if (tid != pid) throw new LinuxError(Errno.ESRCH);
            to = main;
        } else {
            LinuxThread t = threads.byTid(tid);
            if (t == null || t.signals == null) throw new LinuxError(Errno.ESRCH);
            to = t.signals;
        }
        if (sig == 0) return 0;
        if (!valid(sig)) throw new LinuxError(Errno.EINVAL);
        SigInfo info = SigInfo.sent(sig, SigInfo.SI_TKILL, pid, uid);
        if (ignored(sig, to) && (to.blocked & bit(sig)) == 0) return 0;
        to.own.add(info);
        notifyAll();
        if (to != ts() && to.thread != null) to.thread.wake();
        return 0;
    }

    private long send(int sig, int code) {
        if (sig == 0) return 0; // existence and permission check only
        if (!valid(sig)) throw new LinuxError(Errno.EINVAL);
        queue(SigInfo.sent(sig, code, pid, uid));
        return 0;
    }

    synchronized long sigaltstack(long uss, long uoss, long sp) {
        ThreadSignals t = ts();
        long oldSp = t.altSp, oldSize = t.altSize;
        int oldFlags = altStackFlags(sp);
        if (uss != 0) {
            byte[] b = mem.read(uss, 24);
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            setAltStack(bb.getLong(0), bb.getInt(8), bb.getLong(16), sp);
        }
        if (uoss != 0) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bb.putLong(0, oldSp).putInt(8, oldFlags).putLong(16, oldSize);
            mem.write(uoss, bb.array());
        }
        return 0;
    }

    private void setAltStack(long ssSp, int flags, long size, long sp) {
        ThreadSignals t = ts();
        if (onAltStack(sp)) throw new LinuxError(Errno.EPERM);
        int mode = flags & ~SS_AUTODISARM;
        if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0) throw new LinuxError(Errno.EINVAL);
        if (mode == SS_DISABLE) {
            t.altSp = 0;
            t.altSize = 0;
            t.altFlags = SS_DISABLE;
        } else {
            if (size < MINSIGSTKSZ) throw new LinuxError(Errno.ENOMEM);
            t.altSp = ssSp;
            t.altSize = size;
            t.altFlags = flags & SS_AUTODISARM;
        }
    }

    /** sas_ss_flags(): SS_DISABLE without a stack, SS_ONSTACK when {@code sp} is on it; plus SS_AUTODISARM. */
    private int altStackFlags(long sp) {
        ThreadSignals t = ts();
        if (t.altSize == 0) return SS_DISABLE;
        return (onAltStack(sp) ? SS_ONSTACK : 0) | (t.altFlags & SS_AUTODISARM);
    }

    /** on_sig_stack(): the stack grows down, so its top (sp == base + size) belongs to it and the base does not. */
    private boolean onAltStack(long sp) {
        ThreadSignals t = ts();
        return t.altSize != 0 && Long.compareUnsigned(sp, t.altSp) > 0 && Long.compareUnsigned(sp - t.altSp, t.altSize) <= 0;
    }

    // ---- queueing

    /** Whether a signal sent now would be dropped (ignored and not blocked; blocked ones wait: the action may change). */
    private boolean ignored(int sig) {
        return ignored(sig, ts());
    }

    private boolean ignored(int sig, ThreadSignals t) {
        long h = actions[sig].handler;
        if (h == SIG_IGN) return sig != SIGKILL && sig != SIGSTOP;
        return h == SIG_DFL && ignoredByDefault(sig);
    }

    private static boolean ignoredByDefault(int sig) {
        return switch (defaultAction(sig)) {
            case IGNORE, STOP, CONTINUE -> sig != SIGSTOP; // jvmx cannot stop a process: stop signals are ignored
            default -> false;
        };
    }

    /** Queues a process-directed signal (standard signals coalesce: at most one pending; real-time ones queue). */
    public synchronized void queue(SigInfo info) {
        int sig = info.signo();
        if (ignored(sig) && (ts().blocked & bit(sig)) == 0) return;
        shared.add(info);
        target(sig);
    }

    private void discard(int sig) {
        shared.clear(sig);
        for (ThreadSignals t : states()) t.own.clear(sig);
    }

    /**
     * force_sig_info(): a fault's signal cannot be blocked or ignored; if it is, the action is reset
     * to SIG_DFL (so the process dies) and the signal unblocked.
     */
    public synchronized void force(SigInfo info) {
        int sig = info.signo();
        ThreadSignals t = ts();
        boolean isBlocked = (t.blocked & bit(sig)) != 0;
        if (isBlocked || actions[sig].handler == SIG_IGN) {
            actions[sig] = Action.DEFAULT;
            t.blocked &= ~bit(sig);
        }
        // The fault's own siginfo is delivered now, even if a signal of its kind was already pending
        // (for the thread or the process: a standard signal is one pending instance).
        if (sig < 32) {
            t.own.queues[sig].clear();
            shared.clear(sig);
        }
        t.own.queues[sig].addFirst(info);
        t.own.pending |= bit(sig);
    }

    /** dequeue_signal(): synchronous signals first, the thread's own queue before the process's. */
    private SigInfo dequeue(ThreadSignals t, long deliverable) {
        long sync = deliverable & SYNCHRONOUS_MASK;
        int sig = Long.numberOfTrailingZeros(sync != 0 ? sync : deliverable) + 1;
        return (t.own.pending & bit(sig)) != 0 ? t.own.poll(sig) : shared.poll(sig);
    }

    // ---- delivery

    /**
     * Delivers every pending unblocked signal: ignored ones vanish, a default action may end the
     * process (its exit status is returned), a handler gets an rt_sigframe on the user stack (or
     * the alternate stack) and the context is set to enter it. Several handlers stack frames; the
     * last queued runs first, as under Linux.
     */
    public synchronized int deliverPending(UserContext ctx) {
        pollTimer();
        ThreadSignals t = ts();
        boolean handled = false;
        long deliverable;
        while ((deliverable = (t.own.pending | shared.pending) & ~t.blocked) != 0) {
            SigInfo info = dequeue(t, deliverable);
            int sig = info.signo();
            Action a = actions[sig];
            if (a.handler == SIG_IGN) continue;
            if (a.handler == SIG_DFL) {
                switch (defaultAction(sig)) {
                    case IGNORE, STOP, CONTINUE:
                        continue;
                    default:
                        return terminate(sig);
                }
            }
            if (!setupFrame(ctx, info, a)) {
                // The frame cannot be written (force_sigsegv): SIGSEGV with its default action.
                actions[SIGSEGV] = Action.DEFAULT;
                return terminate(SIGSEGV);
            }
            handled = true;
        }
        if (t.savedMask != null && !handled) t.blocked = t.savedMask;
        t.savedMask = null;
        return CONTINUE;
    }

    /**
     * A synchronous fault in user mode (the caller computed signal, si_code and si_addr; see
     * {@link FaultSignals}): forced (a blocked or ignored fault signal kills), then delivered.
     */
    public synchronized int deliverFault(UserContext ctx, int signo, int code, long addr, int trapno, long err, long cr2) {
        force(SigInfo.fault(signo, code, addr, trapno, err, cr2));
        return deliverPending(ctx);
    }

    /**
     * A user-mode exception {@code vector} with its error code (and CR2 for #PF), mapped to the
     * signal Linux raises ({@link FaultSignals#of}), forced and delivered. The context's RIP is the
     * faulting instruction (or the next one for traps such as #BP).
     */
    public synchronized int deliverException(UserContext ctx, int vector, long errorCode, long cr2) {
        byte[] fx = vector == FaultSignals.MF || vector == FaultSignals.XM ? ctx.fxsave() : FxImage.initial();
        SigInfo info = FaultSignals.of(vector, errorCode, cr2, ctx.rip(), FxImage.fsw(fx), FxImage.fcw(fx),
                FxImage.mxcsr(fx));
        if (info == null) info = SigInfo.fault(SIGSEGV, SigInfo.SI_KERNEL, 0, vector, errorCode, 0);
        force(info);
        return deliverPending(ctx);
    }

    private int terminate(int sig) {
        if (diag != null) {
            diag.println("jvmx: killed by " + SignalTable.name(sig));
            diag.flush();
        }
        return 128 + sig;
    }

    // ---- driving the vCPU (constructed with a Vcpu)

    private synchronized UserContextVcpu currentSyscall() {
        ThreadSignals t = ts();
        if (t.vcpu == null) throw new IllegalStateException("no user context: construct with a Vcpu or a supplier");
        if (t.syscallContext == null) t.syscallContext = new UserContextVcpu(t.vcpu, UserContextVcpu.Mode.SYSCALL);
        return t.syscallContext;
    }

    /**
     * Ends the system call at the stub's VMCALL: RAX = {@code result}, pending signals delivered,
     * then the return to user mode: past the VMCALL (the stub's SYSRETQ), or directly when
     * rt_sigreturn restored RCX/R11 that SYSRET cannot. Returns {@link #CONTINUE} or the exit
     * status of a fatal signal (the run loop ends the process; the vCPU is left as it was).
     */
    public synchronized int finishSyscall(long result) {
        UserContextVcpu ctx = currentSyscall();
        ThreadSignals t = ts();
        t.syscallContext = null;
        t.vcpu.setReg(Reg.RAX, result);
        int status = deliverPending(ctx);
        if (status != CONTINUE) return status;
        if (ctx.needsExactReturn()) ctx.returnToUser();
        else t.vcpu.skipInstruction();
        return CONTINUE;
    }

    /**
     * {@link FaultSink}: a fault of the user program at a VM exit (the vCPU holds the user state
     * at the faulting instruction). A zero si_code for #MF/#XM is computed from the FPU status.
     * Returns false when the process must die of the signal (the caller reports it).
     */
    @Override
    public synchronized boolean deliver(FaultSink.Fault f) {
        Vcpu vcpu = ts().vcpu;
        if (vcpu == null) throw new IllegalStateException("faults need the Vcpu constructor");
        UserContext ctx = new UserContextVcpu(vcpu, UserContextVcpu.Mode.TRAP);
        int code = f.code();
        if (code == 0 && (f.vector() == FaultSignals.MF || f.vector() == FaultSignals.XM)) {
            byte[] fx = ctx.fxsave();
            SigInfo i = FaultSignals.of(f.vector(), 0, 0, f.rip(), FxImage.fsw(fx), FxImage.fcw(fx), FxImage.mxcsr(fx));
            code = i.code();
        }
        long cr2 = f.vector() == FaultSignals.PF ? f.address() : 0;
        return deliverFault(ctx, f.signal(), code, f.address(), f.vector(), f.errorCode() & 0xFFFF_FFFFL, cr2) == CONTINUE;
    }

    /** setup_rt_frame() and signal_setup_done(): the frame, then the registers and the mask. */
    private boolean setupFrame(UserContext ctx, SigInfo info, Action a) {
        if ((a.flags & SA_RESTORER) == 0) return false; // x86-64 has no vDSO fallback: Linux fails with EFAULT
        ThreadSignals t = ts();
        long altSp = t.altSp, altSize = t.altSize;
        long userSp = ctx.reg(Reg.RSP);
        long sp = userSp - SigFrame.RED_ZONE;
        int stackFlags = altStackFlags(userSp);
        // X/Open stack switching: to the alternate stack if there is one and the (red-zone-adjusted) sp is not on it.
        boolean toAlt = (a.flags & SA_ONSTACK) != 0 && altSize != 0 && !onAltStack(sp);
        if (toAlt) sp = altSp + altSize;
        long fp = (sp - SigFrame.FPSTATE_SIZE) & -64L;
        long frame = ((fp - SigFrame.SIZE) & -16L) - 8; // (RSP + 8) % 16 == 0 at entry, as after a call
        long frameMask = t.savedMask != null ? t.savedMask : t.blocked;
        long[] g = new long[SigFrame.GREGS.length];
        for (int k = 0; k < g.length; k++) g[k] = ctx.reg(SigFrame.GREGS[k]);
        SigFrame.Saved s = new SigFrame.Saved(g, ctx.rip(), ctx.rflags(), ctx.cs(), ctx.ss(), info.err(),
                info.trapno(), frameMask, info.cr2(), fp, frameMask,
                SigFrame.UC_SIGCONTEXT_SS | SigFrame.UC_STRICT_RESTORE_SS, altSp, stackFlags, altSize);
        try {
            mem.write(frame, SigFrame.image(frame, fp, a.restorer, s, info, ctx.fxsave()));
        } catch (LinuxError e) {
            return false;
        }
        if (toAlt && (t.altFlags & SS_AUTODISARM) != 0) {
            t.altSp = 0;
            t.altSize = 0;
            t.altFlags = SS_DISABLE;
        }
        int sig = info.signo();
        ctx.setReg(Reg.RDI, sig);
        ctx.setReg(Reg.RSI, frame + SigFrame.INFO);
        ctx.setReg(Reg.RDX, frame + SigFrame.UC);
        ctx.setReg(Reg.RAX, 0);
        ctx.setReg(Reg.RSP, frame);
        ctx.setRip(a.handler);
        ctx.setRflags(ctx.rflags() & ~(DF | RF | TF));
        ctx.fxrstor(FxImage.initial()); // the handler starts with a clean FPU (fpu__clear_user_states)
        t.blocked = (t.blocked | a.mask | ((a.flags & SA_NODEFER) != 0 ? 0 : bit(sig))) & ~UNBLOCKABLE;
        if ((a.flags & SA_RESETHAND) != 0) actions[sig] = Action.DEFAULT;
        t.savedMask = null;
        return true;
    }

    /**
     * rt_sigreturn: the handler's {@code ret} popped the return address, so the frame starts at
     * RSP - 8. Restores registers (CS/SS forced to the user selectors, RFLAGS only in FIX_EFLAGS),
     * the FPU image, the mask and the alternate stack. A bad frame gets SIGSEGV (delivered by the
     * next {@link #deliverPending}). Returns the restored RAX.
     */
    synchronized long rtSigreturn(UserContext ctx) {
        long frame = ctx.reg(Reg.RSP) - 8;
        SigFrame.Saved s;
        byte[] fx = null;
        try {
            s = SigFrame.parseUcontext(mem.read(frame + SigFrame.UC, SigFrame.UCONTEXT_SIZE));
            if (s.fpstate() != 0) {
                fx = mem.read(s.fpstate(), FxImage.SIZE);
                if ((FxImage.mxcsr(fx) & ~FxImage.MXCSR_WRITABLE) != 0) throw new LinuxError(Errno.EFAULT);
            }
        } catch (LinuxError e) {
            force(SigInfo.fault(SIGSEGV, SigInfo.SI_KERNEL, 0, 0, 0, 0));
            return 0;
        }
        ts().blocked = s.mask() & ~UNBLOCKABLE;
        for (int k = 0; k < SigFrame.GREGS.length; k++) ctx.setReg(SigFrame.GREGS[k], s.gregs()[k]);
        ctx.setRip(s.rip());
        ctx.setRflags((ctx.rflags() & ~FIX_EFLAGS) | (s.rflags() & FIX_EFLAGS));
        ctx.fxrstor(fx != null ? fx : FxImage.initial());
        try {
            setAltStack(s.stackSp(), s.stackFlags(), s.stackSize(), s.gregs()[15]);
        } catch (LinuxError ignored) {
            // restore_altstack() ignores everything but EFAULT
        }
        return s.gregs()[13];
    }
}
