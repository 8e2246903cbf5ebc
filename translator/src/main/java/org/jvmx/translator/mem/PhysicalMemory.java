package org.jvmx.translator.mem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Guest-physical address space: RAM regions backed by off-heap {@link MemorySegment}s and
 * MMIO regions served by a {@link MmioHandler}. An address in no region behaves as on a PC
 * bus with nothing decoding it: reads return all ones, writes are dropped; both are counted.
 *
 * <p>Values are little-endian. Aligned RAM loads are acquire and stores release (x86-TSO,
 * see DESIGN.md); misaligned ones are plain accesses fenced on the same side. RAM regions
 * are 4 KiB aligned so that a guest page is either wholly RAM or not RAM, which the soft TLB
 * relies on.
 *
 * <p>MMIO <em>exit</em> regions ({@link #addMmioExit}) have no handler here: an access that comes
 * with a CPU's {@link MmioExitPort} goes to it (and leaves the guest as a VM exit); one without
 * (the monitor's own accesses, a page walk) sees an exit region as nothing on the bus.
 *
 * <p>Regions are added before the guest runs; adding is not thread-safe against accesses.
 */
public final class PhysicalMemory implements AutoCloseable {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

    /**
     * A guest-physical range; exactly one of {@code ram} and {@code mmio} is set. Read-only RAM
     * (a ROM) reads like RAM; writes to it are dropped and counted, as a ROM on the bus ignores them.
     */
    public record Region(long base, long size, MemorySegment ram, MmioHandler mmio, boolean readOnly) {
        Region(long base, long size, MemorySegment ram, MmioHandler mmio) {
            this(base, size, ram, mmio, false);
        }

        /** Plain RAM the guest may write (the soft TLB maps writes only to such pages). */
        public boolean writableRam() {
            return ram != null && !readOnly;
        }

        /** An MMIO exit region: accesses go to the accessing CPU's {@link MmioExitPort}. */
        public boolean exit() {
            return mmio == EXIT_REGION;
        }

        boolean contains(long pa) {
            return Long.compareUnsigned(pa - base, size) < 0;
        }
    }

    /**
     * The handler of exit regions for accesses without a port: nothing decodes them, as for an
     * address in no region (reads all ones, writes dropped).
     */
    private static final MmioHandler EXIT_REGION = new MmioHandler() {
        @Override
        public long read(long offset, int size) {
            return -1L;
        }

        @Override
        public void write(long offset, int size, long value) {
        }
    };

    private final Arena arena = Arena.ofShared();
    private Region[] regions = new Region[0];
    private final LongAdder unmappedReads = new LongAdder();
    private final LongAdder unmappedWrites = new LongAdder();
    private final LongAdder romWrites = new LongAdder();

    /** Allocates zeroed RAM of {@code size} bytes (any size, 2 GiB and more) at {@code base}. */
    public MemorySegment addRam(long base, long size) {
        checkPageAligned(base, size);
        MemorySegment ram = arena.allocate(size, 4096);
        add(new Region(base, size, ram, null));
        return ram;
    }

    /** Maps an existing segment (e.g. a mapped file) as RAM at {@code base}; the caller owns it. */
    public void addRam(long base, MemorySegment ram) {
        checkPageAligned(base, ram.byteSize());
        add(new Region(base, ram.byteSize(), ram, null));
    }

    /** Maps {@code rom} read-only at {@code base}: guest writes are dropped and counted ({@link #romWrites}). */
    public void addRom(long base, MemorySegment rom) {
        checkPageAligned(base, rom.byteSize());
        add(new Region(base, rom.byteSize(), rom, null, true));
    }

    public void addMmio(long base, long size, MmioHandler handler) {
        if (size <= 0) {
            throw new IllegalArgumentException("MMIO size must be positive: " + size);
        }
        add(new Region(base, size, null, handler));
    }

    /**
     * Adds an MMIO exit region: a data access or fetch by a CPU whose {@link LinearMemory} has a
     * {@link MmioExitPort} is passed to that port with its guest-physical and linear address.
     */
    public void addMmioExit(long base, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("MMIO size must be positive: " + size);
        }
        add(new Region(base, size, null, EXIT_REGION));
    }

    /**
     * A CPU's read (or, with {@code fetch}, instruction fetch) of {@code size} bytes at
     * {@code pa} from linear address {@code linear}: as {@link #read(long, int)}, except that
     * exit regions go to {@code port} when there is one.
     */
    public long read(long pa, int size, long linear, boolean fetch, MmioExitPort port) {
        if (port == null) return read(pa, size);
        Region r = regionAt(pa);
        if (r != null && r.exit() && r.contains(pa + size - 1)) {
            return fetch ? port.fetch(pa, size, linear) : port.read(pa, size, linear) & mask(size);
        }
        if (r != null && r.contains(pa + size - 1) || r == null && regionAt(pa + size - 1) == null) {
            return read(pa, size);
        }
        long v = 0; // straddles a region edge
        for (int i = 0; i < size; i++) {
            v |= read(pa + i, 1, linear + i, fetch, port) << (8 * i);
        }
        return v;
    }

    /** A CPU's write: as {@link #write(long, int, long)}, except that exit regions go to {@code port}. */
    public void write(long pa, int size, long value, long linear, MmioExitPort port) {
        if (port == null) {
            write(pa, size, value);
            return;
        }
        Region r = regionAt(pa);
        if (r != null && r.exit() && r.contains(pa + size - 1)) {
            port.write(pa, size, value & mask(size), linear);
            return;
        }
        if (r != null && r.contains(pa + size - 1) || r == null && regionAt(pa + size - 1) == null) {
            write(pa, size, value);
            return;
        }
        for (int i = 0; i < size; i++) {
            write(pa + i, 1, value >>> (8 * i), linear + i, port);
        }
    }

    /** A CPU's locked compare-and-exchange: as {@link #compareAndExchange(long, int, long, long)}, exit regions to {@code port}. */
    public long compareAndExchange(long pa, int size, long expected, long update, long linear, MmioExitPort port) {
        Region r = port == null ? null : regionAt(pa);
        if (r != null && r.exit()) {
            if (!r.contains(pa + size - 1)) throw new IllegalStateException(String.format(
                    "locked access at %#x+%d straddles the edge of an MMIO exit region", pa, size));
            long m = mask(size);
            return port.compareAndExchange(pa, size, expected & m, update & m, linear) & m;
        }
        return compareAndExchange(pa, size, expected, update);
    }

    private static void checkPageAligned(long base, long size) {
        if (((base | size) & 0xFFF) != 0 || size <= 0) {
            throw new IllegalArgumentException(String.format(
                    "RAM must be 4 KiB aligned and non-empty: base %#x size %#x", base, size));
        }
    }

    private void add(Region r) {
        if (Long.compareUnsigned(r.base + r.size - 1, r.base) < 0) {
            throw new IllegalArgumentException(String.format("region wraps: %#x+%#x", r.base, r.size));
        }
        for (Region o : regions) {
            if (Long.compareUnsigned(r.base, o.base + o.size - 1) <= 0
                    && Long.compareUnsigned(o.base, r.base + r.size - 1) <= 0) {
                throw new IllegalArgumentException(String.format(
                        "region %#x+%#x overlaps %#x+%#x", r.base, r.size, o.base, o.size));
            }
        }
        Region[] next = Arrays.copyOf(regions, regions.length + 1);
        next[regions.length] = r;
        Arrays.sort(next, (a, b) -> Long.compareUnsigned(a.base, b.base));
        regions = next;
    }

    /** The region containing {@code pa}, or null. */
    public Region regionAt(long pa) {
        Region[] rs = regions;
        int lo = 0;
        int hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Region r = rs[mid];
            if (Long.compareUnsigned(pa, r.base) < 0) {
                hi = mid - 1;
            } else if (r.contains(pa)) {
                return r;
            } else {
                lo = mid + 1;
            }
        }
        return null;
    }

    /** Reads {@code size} (1, 2, 4, 8) bytes, zero-extended. */
    public long read(long pa, int size) {
        Region r = regionAt(pa);
        if (r != null && r.contains(pa + size - 1)) {
            long off = pa - r.base;
            return r.ram != null ? ramRead(r.ram, off, size) : r.mmio.read(off, size) & mask(size);
        }
        if (r == null && regionAt(pa + size - 1) == null) {
            unmappedReads.increment();
            return mask(size);
        }
        long v = 0; // straddles a region edge: byte by byte, as the bus would split it
        for (int i = 0; i < size; i++) {
            v |= read(pa + i, 1) << (8 * i);
        }
        return v;
    }

    /** Writes the low {@code size} (1, 2, 4, 8) bytes of {@code value}. */
    public void write(long pa, int size, long value) {
        Region r = regionAt(pa);
        if (r != null && r.contains(pa + size - 1)) {
            long off = pa - r.base;
            if (r.readOnly) {
                romWrites.increment();
            } else if (r.ram != null) {
                ramWrite(r.ram, off, size, value);
            } else {
                r.mmio.write(off, size, value & mask(size));
            }
            return;
        }
        if (r == null && regionAt(pa + size - 1) == null) {
            unmappedWrites.increment();
            return;
        }
        for (int i = 0; i < size; i++) {
            write(pa + i, 1, value >>> (8 * i));
        }
    }

    /**
     * Atomically ORs {@code bits} into the aligned quadword at {@code pa}: the locked update
     * the processor uses for accessed and dirty flags (SDM Vol. 3A, 4.8).
     */
    public void orLong(long pa, long bits) {
        Region r = regionAt(pa);
        if (r != null && r.writableRam() && (pa & 7) == 0 && r.contains(pa + 7)) {
            if (onBusLockedPage(pa)) {
                synchronized (bus.monitor()) {
                    LONG.getAndBitwiseOr(r.ram, pa - r.base, bits);
                }
                return;
            }
            LONG.getAndBitwiseOr(r.ram, pa - r.base, bits);
        } else {
            write(pa, 8, read(pa, 8) | bits);
        }
    }

    // ---- locked accesses (SDM Vol. 3A, 9.1.2)
    //
    // A locked access of at most 8 bytes inside one aligned quadword of RAM is a compare-and-
    // exchange (or get-and-add, get-and-set) on that quadword: the host's own locked
    // instruction, atomic against every other access to those bytes by any vCPU, plain ones
    // included. What the host cannot do in one instruction -- a split lock, CMPXCHG16B, a
    // locked access to MMIO -- takes the bus lock ({@link BusLock}); narrow locked accesses to
    // a page where that happened take it too.

    private final BusLock bus = new BusLock(this);
    /** The translated-code pages of every CPU of this memory (shared: code written by one vCPU and run by another). */
    private final CodePages codePages = new CodePages();

    /** Pages holding translated code, shared by every CPU using this memory. */
    public CodePages codePages() {
        return codePages;
    }

    /** Locked accesses that took the bus lock (split locks, CMPXCHG16B, MMIO, narrow ones on bus-locked pages). */
    public long busLocks() {
        return bus.locks();
    }

    /** Bus-locked accesses whose multi-quadword commit met a racing store and was rolled back and retried. */
    public long busLockRollbacks() {
        return bus.rollbacks();
    }

    private boolean onBusLockedPage(long pa) {
        return bus.covers(pa);
    }

    /**
     * LOCK semantics on guest-physical memory: if the {@code size} bytes at {@code pa} equal
     * {@code expected} (low bytes), replaces them with {@code update}; returns what was there.
     * A CAS on the containing aligned quadword; an access crossing a quadword (a split lock)
     * or touching MMIO takes the bus lock (see above).
     */
    public long compareAndExchange(long pa, int size, long expected, long update) {
        long m = mask(size);
        expected &= m;
        update &= m;
        Region r = regionAt(pa);
        if (r != null && r.writableRam() && r.contains(pa + size - 1)) {
            long off = pa - r.base;
            long q = off & ~7L;
            if (((off + size - 1) & ~7L) == q && r.contains(r.base + q + 7)) {
                if (!onBusLockedPage(pa)) return casInQuad(r.ram, off, q, size, m, expected, update);
                synchronized (bus.monitor()) {
                    return casInQuad(r.ram, off, q, size, m, expected, update);
                }
            }
        }
        return busLocked(pa, size, pa, size, expected, 0, update, 0, 0, null)[0];
    }

    /**
     * {@link #compareAndExchange} on RAM a CPU's TLB maps: {@code s} at {@code off} is guest-physical
     * {@code pa}. Skips the region lookup; the rules are the same.
     */
    public long ramCompareAndExchange(MemorySegment s, long off, long pa, int size, long expected, long update) {
        long m = mask(size);
        long q = off & ~7L;
        if (((off + size - 1) & ~7L) != q) return compareAndExchange(pa, size, expected, update); // a split lock
        if (!onBusLockedPage(pa)) return casInQuad(s, off, q, size, m, expected & m, update & m);
        synchronized (bus.monitor()) {
            return casInQuad(s, off, q, size, m, expected & m, update & m);
        }
    }

    /**
     * A locked add of {@code delta} (LOCK ADD/SUB/INC/DEC/XADD) on RAM a CPU's TLB maps; returns
     * the old value. An aligned doubleword or quadword is one host get-and-add (the host's LOCK
     * XADD: no retry loop under contention); anything else a compare-and-exchange loop.
     */
    public long ramGetAndAdd(MemorySegment s, long off, long pa, int size, long delta) {
        if ((size == 8 || size == 4) && (off & (size - 1)) == 0 && !onBusLockedPage(pa)) {
            return size == 8 ? (long) LONG.getAndAdd(s, off, delta) : (int) INT.getAndAdd(s, off, (int) delta) & 0xFFFF_FFFFL;
        }
        long m = mask(size);
        long old = ramRead(s, off, size);
        while (true) {
            long seen = ramCompareAndExchange(s, off, pa, size, old, (old + delta) & m);
            if (seen == old) return old;
            old = seen;
        }
    }

    /** A locked exchange (XCHG with memory) on RAM a CPU's TLB maps; returns the old value. */
    public long ramGetAndSet(MemorySegment s, long off, long pa, int size, long value) {
        long m = mask(size);
        if ((size == 8 || size == 4) && (off & (size - 1)) == 0 && !onBusLockedPage(pa)) {
            return size == 8 ? (long) LONG.getAndSet(s, off, value) : (int) INT.getAndSet(s, off, (int) value) & 0xFFFF_FFFFL;
        }
        long old = ramRead(s, off, size);
        while (true) {
            long seen = ramCompareAndExchange(s, off, pa, size, old, value & m);
            if (seen == old) return old;
            old = seen;
        }
    }

    private static long casInQuad(MemorySegment ram, long off, long q, int size, long m, long expected, long update) {
        int sh = (int) (off - q) * 8;
        long qm = m << sh;
        while (true) {
            long cur = (long) LONG.getVolatile(ram, q);
            long old = (cur & qm) >>> sh;
            if (old != expected) {
                VarHandle.fullFence(); // a failed LOCK CMPXCHG still is a locked access
                return old;
            }
            long next = (cur & ~qm) | (update << sh);
            if ((long) LONG.compareAndExchange(ram, q, cur, next) == cur) return old;
        }
    }

    /**
     * A bus-locked compare-and-exchange of {@code size} (at most 16) bytes: byte {@code k} lies
     * at {@code pa0 + k} for {@code k < n0}, else at {@code pa1 + k - n0} (an access crossing
     * into another page). Values are little-endian in two quadwords (lo = bytes 0-7, hi =
     * bytes 8-15). Returns {old lo, old hi}; the bytes hold the update iff that equals the
     * expected value. MMIO exit regions go to {@code port} when there is one. See {@link BusLock}.
     */
    public long[] busLocked(long pa0, int n0, long pa1, int size, long expLo, long expHi, long updLo, long updHi,
                            long linear, MmioExitPort port) {
        return bus.compareAndExchange(pa0, n0, pa1, size, expLo, expHi, updLo, updHi, linear, port);
    }

    /** A RAM load with x86-TSO ordering (acquire); public so the JIT's inline memory fast path calls the same code. */
    public static long ramRead(MemorySegment s, long off, int size) {
        if ((off & (size - 1)) == 0) {
            return switch (size) {
                case 1 -> (byte) BYTE.getAcquire(s, off) & 0xFFL;
                case 2 -> (short) SHORT.getAcquire(s, off) & 0xFFFFL;
                case 4 -> (int) INT.getAcquire(s, off) & 0xFFFF_FFFFL;
                case 8 -> (long) LONG.getAcquire(s, off);
                default -> throw badSize(size);
            };
        }
        long v = switch (size) {
            case 2 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xFFFFL;
            case 4 -> s.get(ValueLayout.JAVA_INT_UNALIGNED, off) & 0xFFFF_FFFFL;
            case 8 -> s.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
            default -> throw badSize(size);
        };
        VarHandle.acquireFence();
        return v;
    }

    /** A RAM store with x86-TSO ordering (release); public for the JIT's inline memory fast path. */
    public static void ramWrite(MemorySegment s, long off, int size, long v) {
        if ((off & (size - 1)) == 0) {
            switch (size) {
                case 1 -> BYTE.setRelease(s, off, (byte) v);
                case 2 -> SHORT.setRelease(s, off, (short) v);
                case 4 -> INT.setRelease(s, off, (int) v);
                case 8 -> LONG.setRelease(s, off, v);
                default -> throw badSize(size);
            }
            return;
        }
        VarHandle.releaseFence();
        switch (size) {
            case 2 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) v);
            case 4 -> s.set(ValueLayout.JAVA_INT_UNALIGNED, off, (int) v);
            case 8 -> s.set(ValueLayout.JAVA_LONG_UNALIGNED, off, v);
            default -> throw badSize(size);
        }
    }

    static long mask(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    private static IllegalArgumentException badSize(int size) {
        return new IllegalArgumentException("access size " + size);
    }

    /** Reads that hit no region (answered with all ones). */
    public long unmappedReads() {
        return unmappedReads.sum();
    }

    /** Writes that hit no region (dropped). */
    /** Guest writes dropped because they hit read-only memory. */
    public long romWrites() {
        return romWrites.sum();
    }

    public long unmappedWrites() {
        return unmappedWrites.sum();
    }

    /** Frees the RAM this object allocated; segments passed in by callers stay theirs. */
    @Override
    public void close() {
        arena.close();
    }
}
