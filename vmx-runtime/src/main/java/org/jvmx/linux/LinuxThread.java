package org.jvmx.linux;

import java.util.concurrent.locks.LockSupport;
import org.jvmx.vm.Vcpu;

/**
 * One thread of the guest process (a Linux task of its thread group): its vCPU, its thread id,
 * the words of set_tid_address/CLONE_CHILD_CLEARTID and set_robust_list, its signal state
 * (mask, alternate stack, thread-directed pending signals) and how to reach it while it runs or
 * sleeps.
 *
 * <p>The personality's system calls do not take the calling thread as an argument: the exit
 * handler binds it ({@link #bind}) on the Java thread that serves the exit, for the duration of
 * that exit, and the groups ask {@link #current()}. Outside a process run (unit tests) there is
 * no current thread and the groups fall back to their single-threaded state.
 */
public final class LinuxThread {
    private static final ThreadLocal<LinuxThread> CURRENT = new ThreadLocal<>();

    final int tid;
    final Vcpu vcpu;
    /** CLONE_CHILD_CLEARTID / set_tid_address: at exit, 0 is stored here and a futex waiter woken. */
    volatile long clearChildTid;
    volatile long robustList;
    /** The signal group's per-thread state (set when the signals group knows the thread). */
    volatile ThreadSignals signals;
    /** The Java thread serving this thread's exit right now (null while it runs guest code or waits for a core). */
    private volatile Thread host;
    /** Odd while the vCPU may be executing guest code (between the end of one exit and the next). */
    private volatile long epoch = 1;
    volatile boolean exited;
    volatile int exitCode;

    LinuxThread(int tid, Vcpu vcpu) {
        this.tid = tid;
        this.vcpu = vcpu;
    }

    /** The thread whose exit the calling Java thread is serving, or null. */
    public static LinuxThread current() {
        return CURRENT.get();
    }

    /** Makes {@code t} the current thread of the calling Java thread; returns the previous one (to restore). */
    static LinuxThread bind(LinuxThread t) {
        LinuxThread prev = CURRENT.get();
        if (t == null) CURRENT.remove();
        else CURRENT.set(t);
        return prev;
    }

    public int tid() {
        return tid;
    }

    public Vcpu vcpu() {
        return vcpu;
    }

    /** The exit handler starts: the guest is stopped, the calling Java thread serves it. */
    void leftGuest() {
        host = Thread.currentThread();
        if ((epoch & 1) != 0) epoch++;
    }

    /** The exit handler ends and the vCPU will enter the guest again. */
    void enteringGuest() {
        host = null;
        if ((epoch & 1) == 0) epoch++;
    }

    /** The thread is gone: never in the guest again. */
    void ended() {
        host = null;
        exited = true;
        if ((epoch & 1) != 0) epoch++;
    }

    long epoch() {
        return epoch;
    }

    /**
     * Brings the thread to look at its signals (and at a group exit): a sleeping system call is
     * unparked (it re-checks its condition), a running guest is kicked out to the monitor.
     */
    void wake() {
        Thread h = host;
        if (h != null) LockSupport.unpark(h);
        if (!exited) vcpu.kick();
    }

    @Override
    public String toString() {
        return "thread " + tid;
    }
}
