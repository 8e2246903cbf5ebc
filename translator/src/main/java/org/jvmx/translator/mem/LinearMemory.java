package org.jvmx.translator.mem;

/**
 * Guest accesses by linear address: the soft TLB's fast path, and the slow path for misses,
 * page-crossing accesses, MMIO and writes into pages holding translated code. This is the
 * code the interpreter calls and the JIT inlines the fast half of. The caller checks
 * canonicality first ({@link Canonical}) and passes {@code user} = (CPL == 3) for ordinary
 * accesses.
 */
public final class LinearMemory {
    private final SoftTlb tlb;
    private final PhysicalMemory memory;
    private final CodePages codePages;
    /**
     * Where this CPU's accesses to MMIO exit regions go (null: exit regions read as all ones
     * and drop writes). Only the slow path meets them: exit regions are never in the soft TLB.
     */
    public MmioExitPort exitPort;
    /** This CPU's code cache, so that it learns which code writes are its own (null: none yet). */
    private CodePages.Listener writer;

    public LinearMemory(SoftTlb tlb, PhysicalMemory memory, CodePages codePages) {
        this.tlb = tlb;
        this.memory = memory;
        this.codePages = codePages;
    }

    public SoftTlb tlb() {
        return tlb;
    }

    public long read(long linear, int size, boolean user) {
        return load(linear, size, Access.READ, user);
    }

    public long fetch(long linear, int size, boolean user) {
        return load(linear, size, Access.EXECUTE, user);
    }

    public void write(long linear, int size, long value, boolean user) {
        int i = SoftTlb.slot(Access.WRITE, user, linear);
        if (tlb.hit(i, linear, size)) {
            PhysicalMemory.ramWrite(tlb.segments[i], linear + tlb.addends[i], size, value);
            return;
        }
        slowStore(linear, size, value, user);
    }

    /**
     * The guest-physical address of the code byte at {@code linear}, checked for execute
     * permission (#PF as an instruction fetch). The code cache keys blocks by it.
     */
    public long codeAddress(long linear, boolean user) {
        int i = SoftTlb.slot(Access.EXECUTE, user, linear);
        if (tlb.hit(i, linear, 1)) {
            return tlb.physicalPage(i) | (linear & 0xFFF);
        }
        return tlb.translate(linear, Access.EXECUTE, user).physical();
    }

    public PhysicalMemory physical() {
        return memory;
    }

    public CodePages codePages() {
        return codePages;
    }

    /** Attaches this CPU's code cache: it hears of every code write, its own ones flagged as such. */
    public void attachCodeCache(CodePages.Listener cache) {
        if (writer != null) codePages.removeListener(writer);
        writer = cache;
        codePages.addListener(cache);
    }

    /** Detaches this CPU from the shared code pages (its vCPU is gone). */
    public void detach() {
        if (writer != null) codePages.removeListener(writer);
        writer = null;
        codePages.unregister(tlb);
    }

    /**
     * A locked compare-and-exchange at a linear address (LOCK prefix, XCHG with memory,
     * SDM Vol. 3A, 9.1.2): translated for writing (a read-only page faults even when the
     * comparison fails, as the locked read-modify-write does), atomic in physical memory
     * against every vCPU ({@link PhysicalMemory#compareAndExchange}). Returns the old value;
     * the memory holds {@code update} iff that equals {@code expected}.
     */
    public long compareAndExchange(long linear, int size, long expected, long update, boolean user) {
        int first = 4096 - (int) (linear & 0xFFF);
        if (size <= first) {
            int i = SoftTlb.slot(Access.WRITE, user, linear);
            if (tlb.hit(i, linear, size)) {
                // A write entry maps RAM without code: no code-page report needed.
                return memory.ramCompareAndExchange(tlb.segments[i], linear + tlb.addends[i],
                        tlb.physicalPage(i) | (linear & 0xFFF), size, expected, update);
            }
            long pa = tlb.translate(linear, Access.WRITE, user).physical();
            long old = memory.compareAndExchange(pa, size, expected, update, linear, exitPort);
            if (old == (expected & PhysicalMemory.mask(size))) codePages.written(pa, size, writer);
            return old;
        }
        // Crosses pages: both must be writable; then a split lock on the bytes of both.
        long lo = tlb.translate(linear, Access.WRITE, user).physical();
        long hi = tlb.translate(linear + first, Access.WRITE, user).physical();
        long old = memory.busLocked(lo, first, hi, size, expected, 0, update, 0, linear, exitPort)[0];
        if (old == (expected & PhysicalMemory.mask(size))) {
            codePages.written(lo, first, writer);
            codePages.written(hi, size - first, writer);
        }
        return old;
    }

    /**
     * A locked add (LOCK ADD/SUB/INC/DEC/XADD): adds {@code delta} to the {@code size} bytes at
     * {@code linear} atomically and returns the old value. The TLB's write entry gives the host
     * get-and-add; otherwise a compare-and-exchange loop through {@link #compareAndExchange}.
     */
    public long getAndAdd(long linear, int size, long delta, boolean user) {
        int i = SoftTlb.slot(Access.WRITE, user, linear);
        if (tlb.hit(i, linear, size)) {
            return memory.ramGetAndAdd(tlb.segments[i], linear + tlb.addends[i], tlb.physicalPage(i) | (linear & 0xFFF), size, delta);
        }
        long m = PhysicalMemory.mask(size);
        return casLoop(linear, size, user, old -> (old + delta) & m);
    }

    /** A locked exchange (XCHG with memory, SDM Vol. 3A 9.1.2.1): stores {@code value}, returns the old value. */
    public long getAndSet(long linear, int size, long value, boolean user) {
        int i = SoftTlb.slot(Access.WRITE, user, linear);
        if (tlb.hit(i, linear, size)) {
            return memory.ramGetAndSet(tlb.segments[i], linear + tlb.addends[i], tlb.physicalPage(i) | (linear & 0xFFF), size, value);
        }
        long v = value & PhysicalMemory.mask(size);
        return casLoop(linear, size, user, old -> v);
    }

    /** The slow path of a locked read-modify-write: a compare-and-exchange loop, faulting as a write first (W/R = 1). */
    private long casLoop(long linear, int size, boolean user, java.util.function.LongUnaryOperator next) {
        probeWrite(linear, size, user);
        long old = read(linear, size, user);
        while (true) {
            long seen = compareAndExchange(linear, size, old, next.applyAsLong(old), user);
            if (seen == old) return old;
            old = seen;
        }
    }

    /**
     * CMPXCHG16B's locked access (SDM Vol. 2A): the 16 bytes at {@code linear} (16-byte
     * aligned, checked by the caller) against {@code expLo}/{@code expHi}; replaced by
     * {@code updLo}/{@code updHi} when equal. Returns {old lo, old hi}. The host has no 16-byte
     * compare-and-exchange here, so it is a bus-locked access ({@link PhysicalMemory#busLocked}).
     */
    public long[] compareAndExchange16(long linear, long expLo, long expHi, long updLo, long updHi, boolean user) {
        long pa = tlb.translate(linear, Access.WRITE, user).physical();
        long[] old = memory.busLocked(pa, 16, pa, 16, expLo, expHi, updLo, updHi, linear, exitPort);
        if (old[0] == expLo && old[1] == expHi) codePages.written(pa, 16, writer);
        return old;
    }

    /**
     * Checks that {@code size} bytes at {@code linear} are writable (may throw #PF, filling
     * the TLB as a write would) without writing: for instructions that must fault before
     * changing any state.
     */
    public void probeWrite(long linear, int size, boolean user) {
        int i = SoftTlb.slot(Access.WRITE, user, linear);
        if (tlb.hit(i, linear, size)) {
            return;
        }
        int first = 4096 - (int) (linear & 0xFFF);
        tlb.translate(linear, Access.WRITE, user);
        if (size > first) {
            tlb.translate(linear + first, Access.WRITE, user);
        }
    }

    private long load(long linear, int size, Access kind, boolean user) {
        int i = SoftTlb.slot(kind, user, linear);
        if (tlb.hit(i, linear, size)) {
            return PhysicalMemory.ramRead(tlb.segments[i], linear + tlb.addends[i], size);
        }
        return slowLoad(linear, size, kind, user);
    }

    private long slowLoad(long linear, int size, Access kind, boolean user) {
        int first = 4096 - (int) (linear & 0xFFF);
        if (size <= first) {
            return memory.read(tlb.translate(linear, kind, user).physical(), size, linear, kind == Access.EXECUTE, exitPort);
        }
        // Crosses a page: both translations before any data (the lower page faults first).
        long lo = tlb.translate(linear, kind, user).physical();
        long hi = tlb.translate(linear + first, kind, user).physical();
        long v = 0;
        for (int b = 0; b < size; b++) {
            long pa = b < first ? lo + b : hi + (b - first);
            v |= memory.read(pa, 1, linear + b, kind == Access.EXECUTE, exitPort) << (8 * b);
        }
        return v;
    }

    private void slowStore(long linear, int size, long value, boolean user) {
        int first = 4096 - (int) (linear & 0xFFF);
        if (size <= first) {
            long pa = tlb.translate(linear, Access.WRITE, user).physical();
            memory.write(pa, size, value, linear, exitPort);
            codePages.written(pa, size, writer);
            return;
        }
        // Crosses a page: a fault on either page must leave memory unchanged.
        long lo = tlb.translate(linear, Access.WRITE, user).physical();
        long hi = tlb.translate(linear + first, Access.WRITE, user).physical();
        for (int b = 0; b < size; b++) {
            long pa = b < first ? lo + b : hi + (b - first);
            memory.write(pa, 1, value >>> (8 * b), linear + b, exitPort);
        }
        codePages.written(lo, first, writer);
        codePages.written(hi, size - first, writer);
    }
}
