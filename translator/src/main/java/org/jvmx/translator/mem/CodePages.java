package org.jvmx.translator.mem;

import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Guest-physical pages that hold translated code. A write to such a page must not take the
 * TLB fast path: it goes through the slow path, which reports it to every {@link Listener} so
 * each code cache can drop what the write overlaps (self-modifying code, DESIGN.md).
 *
 * <p>One {@code CodePages} serves every CPU of a {@link PhysicalMemory} ({@link
 * PhysicalMemory#codePages()}): vCPUs share memory, so a store by one vCPU into code another
 * has translated (cross-modifying code, SDM Vol. 3A, 9.1.3) must reach the other's cache. A
 * page stays marked while any cache holds code there (a count per page). Marking a page
 * drops the write entries that map it from every registered TLB, whatever thread owns them.
 *
 * <p>What is guaranteed (cross-modifying code): a store that takes the slow path into a marked
 * page is reported to every listener before the storing instruction completes; the listeners
 * invalidate the blocks it overlaps, and a vCPU checks a block's validity before entering it
 * (the interpreter's lookup, every block transition of compiled code), so it drops the code
 * at its next block boundary. A store that checked its TLB before the page was marked is not
 * reported; a code cache therefore re-reads a block's bytes after registering it (see {@code
 * CodeCache}), which covers every such store that has reached memory by then. The one case
 * left is a store that passed its TLB check before the mark and lands after that re-read, i.e.
 * a writer descheduled between its TLB probe and its store while another vCPU translates
 * those very bytes for the first time. Then the stale block may run until the bytes are
 * written again or the cache drops it. The SDM's protocol (9.1.3: the writer stores, then
 * signals; the executor waits for the signal, serializes, then runs the new code) is covered
 * whenever the executor first translates the code before the writer's TLB probe or after its
 * store, i.e. always except in that window of a few instructions of the writer. Closing it
 * would take a grace period (every running vCPU passing a block boundary) on each first
 * marking of a page; that is not done.
 */
public final class CodePages {
    /** Told of every guest write into a marked page, after the write. */
    public interface Listener {
        void codeWritten(long physical, int size);

        /** {@code own}: the write came from the CPU this listener belongs to (it may stop mid-block). */
        default void codeWritten(long physical, int size, boolean own) {
            codeWritten(physical, size);
        }
    }

    /** Page number -> number of marks (one per code cache holding code there). */
    private final ConcurrentHashMap<Long, Integer> pages = new ConcurrentHashMap<>();
    private final List<SoftTlb> tlbs = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener (a code cache); it hears of writes by every CPU of this memory. */
    public void addListener(Listener value) {
        listeners.add(value);
    }

    public void removeListener(Listener value) {
        listeners.remove(value);
    }

    void register(SoftTlb tlb) {
        tlbs.add(tlb);
    }

    /** Forgets a TLB (its CPU is gone). */
    public void unregister(SoftTlb tlb) {
        tlbs.remove(tlb);
    }

    /**
     * Marks the page holding {@code physical} (once per caller that holds code there); its
     * writes take the slow path from now on, on every CPU.
     */
    public void mark(long physical) {
        if (pages.merge(physical >>> 12, 1, Integer::sum) == 1) {
            // StoreLoad: a TLB filling a write entry concurrently re-checks the mark after its
            // fill (SoftTlb.fill), and this drop reads the entries after the mark is visible.
            VarHandle.fullFence();
            for (SoftTlb tlb : tlbs) {
                tlb.dropWritable(physical & ~0xFFFL);
            }
        }
    }

    /** Undoes one {@link #mark}; the page is unmarked when no cache holds code there. */
    public void unmark(long physical) {
        pages.computeIfPresent(physical >>> 12, (k, n) -> n == 1 ? null : n - 1);
    }

    public boolean isMarked(long physical) {
        return !pages.isEmpty() && pages.containsKey(physical >>> 12);
    }

    /**
     * Called by the slow write path for every write (any size, within one page), and by a
     * monitor that wrote guest memory directly while the vCPUs were not running.
     */
    public void written(long physical, int size) {
        written(physical, size, null);
    }

    /** A write by the CPU whose code cache is {@code writer} (null: the monitor). */
    public void written(long physical, int size, Listener writer) {
        if (isMarked(physical)) {
            for (Listener l : listeners) {
                l.codeWritten(physical, size, l == writer);
            }
        }
    }
}
