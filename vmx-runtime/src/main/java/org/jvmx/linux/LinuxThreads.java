package org.jvmx.linux;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.jvmx.vm.Vcpu;

/**
 * The thread group of the guest process: its live {@link LinuxThread}s by thread id, thread-id
 * allocation, how the group ends (exit_group or a fatal signal ends every thread; the exit of
 * the last thread ends the process with the leader's code, as wait(2) reports a thread group),
 * and the TLB shootdown that page-table changes need while other threads run.
 *
 * <p>Locking: the map is guarded by this object's monitor (threads come and go rarely); the
 * group's end is a volatile field, first writer wins.
 */
public final class LinuxThreads {
    private final int tgid;
    private final Map<Integer, LinuxThread> live = new LinkedHashMap<>();
    private final Map<Vcpu, LinuxThread> byVcpu = new java.util.IdentityHashMap<>();
    private int nextTid;
    private LinuxThread leader;
    /** How the whole group ended (exit_group, fatal signal, last thread's exit), or null while it runs. */
    private volatile ProcessExit groupExit;
    /** A host error in one thread's loop: the process run rethrows it. */
    private volatile RuntimeException failure;
    /** Clone requests refused because no thread library asks for them (fork-like flags, unsupported sharing). */
    private final java.util.concurrent.atomic.AtomicLong refusedClones = new java.util.concurrent.atomic.AtomicLong();
    /** Threads created so far (the leader included). */
    private final java.util.concurrent.atomic.AtomicLong created = new java.util.concurrent.atomic.AtomicLong();

    public LinuxThreads(int tgid) {
        this.tgid = tgid;
        this.nextTid = tgid + 1;
    }

    /** The thread-group id: getpid(). */
    public int tgid() {
        return tgid;
    }

    /** The first thread, tid = tgid. */
    synchronized LinuxThread leader(Vcpu v) {
        if (leader != null) throw new IllegalStateException("the thread group has a leader");
        leader = add(tgid, v);
        return leader;
    }

    public synchronized LinuxThread leader() {
        return leader;
    }

    /** A new thread of the group on {@code v}, with a fresh thread id. */
    synchronized LinuxThread create(Vcpu v) {
        int tid;
        do {
            tid = nextTid++;
        } while (live.containsKey(tid));
        return add(tid, v);
    }

    private LinuxThread add(int tid, Vcpu v) {
        LinuxThread t = new LinuxThread(tid, v);
        live.put(tid, t);
        byVcpu.put(v, t);
        created.incrementAndGet();
        return t;
    }

    public synchronized LinuxThread byTid(int tid) {
        return live.get(tid);
    }

    public synchronized LinuxThread of(Vcpu v) {
        return byVcpu.get(v);
    }

    public synchronized List<LinuxThread> all() {
        return new ArrayList<>(live.values());
    }

    /** Live threads. */
    public synchronized int count() {
        return live.size();
    }

    public long created() {
        return created.get();
    }

    public long refusedClones() {
        return refusedClones.get();
    }

    void refusedClone() {
        refusedClones.incrementAndGet();
    }

    /**
     * {@code t} called exit(code) (or its loop ended): it leaves the group. The last thread to
     * leave ends the process; the status is the leader's exit code (do_exit/wait_task_zombie: the
     * leader's task reports the group). Returns true when that was the last thread.
     */
    synchronized boolean remove(LinuxThread t, int code) {
        t.exitCode = code;
        t.ended();
        live.remove(t.tid);
        byVcpu.remove(t.vcpu);
        notifyAll();
        if (!live.isEmpty()) return false;
        end(ProcessExit.exited(leader != null && leader.exited ? leader.exitCode : code));
        return true;
    }

    /** The group ends with {@code e} (the first end wins): every thread is woken to notice it. */
    void end(ProcessExit e) {
        synchronized (this) {
            if (groupExit == null) groupExit = e;
            notifyAll();
        }
        for (LinuxThread t : all()) t.wake();
    }

    /** A host failure in a thread's loop: the group ends and the process run rethrows it. */
    void fail(RuntimeException e) {
        if (failure == null) failure = e;
        end(ProcessExit.killed(6));
    }

    public ProcessExit groupExit() {
        return groupExit;
    }

    RuntimeException failure() {
        return failure;
    }

    /** Waits until no thread but the caller's is left (or {@code millis} pass); true when so. */
    synchronized boolean awaitOthers(LinuxThread self, long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (live.size() > (live.containsValue(self) ? 1 : 0)) {
            long left = end - System.nanoTime();
            if (left <= 0) return false;
            try {
                wait(Math.max(1, left / 1_000_000L));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * TLB shootdown after the page tables changed (munmap, mprotect, mremap...): every other
     * thread that may be executing guest code is kicked and waited for until it has left the
     * guest once. Its next VM entry then sees the VM's host-write counter changed and flushes its
     * whole soft TLB (the monitor wrote the entries through {@code Vm.writeValue}), so no thread
     * uses the old translation after the system call returns, as Linux's flush_tlb_mm_range IPIs
     * guarantee. Threads stopped at an exit (in a system call, waiting for a core) flush on entry anyway.
     */
    void shootdown(LinuxThread self) {
        List<LinuxThread> others = all();
        long[] seen = new long[others.size()];
        for (int k = 0; k < others.size(); k++) {
            LinuxThread t = others.get(k);
            seen[k] = t.epoch();
            if (t != self && (seen[k] & 1) != 0) t.vcpu.kick();
        }
        for (int k = 0; k < others.size(); k++) {
            LinuxThread t = others.get(k);
            if (t == self || (seen[k] & 1) == 0) continue;
            long spins = 0;
            while (t.epoch() == seen[k] && !t.exited && groupExit == null) {
                if (++spins < 100) Thread.onSpinWait();
                else LockSupport.parkNanos(20_000);
            }
        }
    }
}
