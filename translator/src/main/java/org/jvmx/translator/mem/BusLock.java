package org.jvmx.translator.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bus lock of one {@link PhysicalMemory}: locked accesses the host cannot perform as one
 * atomic instruction -- a split lock (bytes straddling a quadword or a page), CMPXCHG16B (the
 * JVM has no 16-byte compare-and-exchange), a locked access to MMIO -- serialize on one
 * monitor, as the processor asserts LOCK# on the bus for a split lock (SDM Vol. 3A, 9.1.2.2).
 *
 * <p>Such an access must also be atomic against the narrow locked accesses (one host CAS on a
 * quadword) to the same bytes, which do not take the lock. Two rules make it so:
 * <ol>
 * <li>The first bus-locked access to a page registers the page; from then on every narrow
 * locked access to that page takes the bus lock too ({@link #covers}, one volatile read while
 * no page is registered, so guests that never split a lock or use CMPXCHG16B pay nothing).
 * <li>A bus-locked access to RAM snapshots the quadwords it touches, compares, and commits each
 * with a compare-and-exchange against its snapshot: a store that slipped in after the
 * snapshot (a plain store by another vCPU, or a narrow locked access that checked the page
 * just before it was registered) makes the commit fail and the access retry, rather than
 * being overwritten.
 * </ol>
 * The one case left is a store between the commits of two quadwords: the first commit is
 * rolled back and the access retried, so a plain reader may glimpse the rolled-back value.
 * That needs a store racing to those very bytes within a few nanoseconds; it is counted
 * ({@link #rollbacks}). A 16-byte plain load is two quadword loads on x86 too, so plain
 * readers of the 16 bytes never had a single-copy-atomicity guarantee.
 */
final class BusLock {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final PhysicalMemory memory;
    private final Object lock = new Object();
    /** Guest-physical page numbers on which a bus-locked access happened. */
    private final Set<Long> pages = ConcurrentHashMap.newKeySet();
    /** Whether {@link #pages} is non-empty. */
    private volatile boolean any;
    private final LongAdder locks = new LongAdder();
    private final LongAdder rollbacks = new LongAdder();

    BusLock(PhysicalMemory memory) {
        this.memory = memory;
    }

    /** Whether narrow locked accesses to the page of {@code pa} must take the lock. */
    boolean covers(long pa) {
        return any && pages.contains(pa >>> 12);
    }

    /** The monitor narrow locked accesses to a covered page hold. */
    Object monitor() {
        locks.increment();
        return lock;
    }

    long locks() {
        return locks.sum();
    }

    long rollbacks() {
        return rollbacks.sum();
    }

    /** Registers the page of {@code pa} (under the lock) before its first bus-locked access. */
    private void note(long pa) {
        if (pages.add(pa >>> 12)) {
            any = true;
            VarHandle.fullFence(); // narrow locked accesses that start from now on see the page
        }
    }

    /** See {@link PhysicalMemory#busLocked}. */
    long[] compareAndExchange(long pa0, int n0, long pa1, int size, long expLo, long expHi, long updLo, long updHi,
                              long linear, MmioExitPort port) {
        if (size > 8) {
            expHi &= PhysicalMemory.mask(size - 8);
            updHi &= PhysicalMemory.mask(size - 8);
        } else {
            expLo &= PhysicalMemory.mask(size);
            updLo &= PhysicalMemory.mask(size);
            expHi = updHi = 0;
        }
        long[] pas = new long[size];
        boolean allRam = true;
        for (int k = 0; k < size; k++) {
            pas[k] = k < n0 ? pa0 + k : pa1 + (k - n0);
            PhysicalMemory.Region r = memory.regionAt(pas[k]);
            if (r == null || !r.writableRam()) allRam = false;
        }
        synchronized (lock) {
            locks.increment();
            note(pa0);
            if (size > n0) note(pa1);
            if (!allRam) {
                if (size == n0 && size <= 8) { // one access of its size, as a device expects
                    long old = memory.read(pa0, size, linear, false, port);
                    if (old == expLo) memory.write(pa0, size, updLo, linear, port);
                    VarHandle.fullFence();
                    return new long[] {old, 0};
                }
                // MMIO, ROM or nothing across an edge: byte by byte under the bus lock
                long lo = 0, hi = 0;
                for (int k = 0; k < size; k++) {
                    long b = memory.read(pas[k], 1, linear + k, false, port);
                    if (k < 8) lo |= b << (8 * k); else hi |= b << (8 * (k - 8));
                }
                if (lo == expLo && hi == expHi) {
                    for (int k = 0; k < size; k++) {
                        memory.write(pas[k], 1, k < 8 ? updLo >>> (8 * k) : updHi >>> (8 * (k - 8)), linear + k, port);
                    }
                }
                VarHandle.fullFence();
                return new long[] {lo, hi};
            }
            return ram(pas, size, expLo, expHi, updLo, updHi);
        }
    }

    /** The RAM case of {@link #compareAndExchange}: snapshot the quadwords, compare, commit each by CAS (rolled back and retried on a race). */
    private long[] ram(long[] pas, int size, long expLo, long expHi, long updLo, long updHi) {
        long[] quads = new long[6];
        int nq = 0;
        int[] qOf = new int[size];
        for (int k = 0; k < size; k++) {
            long q = pas[k] & ~7L;
            int j = 0;
            while (j < nq && quads[j] != q) j++;
            if (j == nq) quads[nq++] = q;
            qOf[k] = j;
        }
        MemorySegment[] segs = new MemorySegment[nq];
        long[] offs = new long[nq];
        for (int j = 0; j < nq; j++) {
            PhysicalMemory.Region r = memory.regionAt(quads[j]);
            segs[j] = r.ram();
            offs[j] = quads[j] - r.base();
        }
        long[] cur = new long[nq];
        long[] next = new long[nq];
        while (true) {
            for (int j = 0; j < nq; j++) cur[j] = (long) LONG.getVolatile(segs[j], offs[j]);
            long lo = 0, hi = 0;
            for (int k = 0; k < size; k++) {
                long b = (cur[qOf[k]] >>> (8 * (pas[k] & 7))) & 0xFF;
                if (k < 8) lo |= b << (8 * k); else hi |= b << (8 * (k - 8));
            }
            if (lo != expLo || hi != expHi) {
                VarHandle.fullFence();
                return new long[] {lo, hi};
            }
            System.arraycopy(cur, 0, next, 0, nq);
            for (int k = 0; k < size; k++) {
                long b = (k < 8 ? updLo >>> (8 * k) : updHi >>> (8 * (k - 8))) & 0xFF;
                int sh = (int) (pas[k] & 7) * 8;
                next[qOf[k]] = (next[qOf[k]] & ~(0xFFL << sh)) | b << sh;
            }
            int done = 0;
            while (done < nq && (long) LONG.compareAndExchange(segs[done], offs[done], cur[done], next[done]) == cur[done]) done++;
            if (done == nq) return new long[] {lo, hi};
            // A store raced in: undo what was committed (newest first) and start over.
            rollbacks.increment();
            for (int j = done - 1; j >= 0; j--) LONG.compareAndExchange(segs[j], offs[j], next[j], cur[j]);
        }
    }
}
