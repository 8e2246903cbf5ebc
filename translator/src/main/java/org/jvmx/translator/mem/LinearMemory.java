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

    /**
     * A locked compare-and-exchange at a linear address (LOCK prefix, XCHG with memory,
     * SDM Vol. 3A, 9.1.2): translated for writing (a read-only page faults even when the
     * comparison fails, as the locked read-modify-write does), atomic in physical memory.
     * Returns the old value; the memory holds {@code update} iff that equals {@code expected}.
     */
    public long compareAndExchange(long linear, int size, long expected, long update, boolean user) {
        int first = 4096 - (int) (linear & 0xFFF);
        long pa = tlb.translate(linear, Access.WRITE, user).physical();
        if (size > first) {
            // Crosses pages: both must be writable; then a split lock on the bytes.
            long hi = tlb.translate(linear + first, Access.WRITE, user).physical();
            synchronized (LinearMemory.class) {
                long old = 0;
                for (int b = 0; b < size; b++) old |= memory.read(b < first ? pa + b : hi + b - first, 1) << (8 * b);
                long m = PhysicalMemory.mask(size);
                if (old == (expected & m)) {
                    for (int b = 0; b < size; b++) memory.write(b < first ? pa + b : hi + b - first, 1, update >>> (8 * b));
                    codePages.written(pa, first);
                    codePages.written(hi, size - first);
                }
                return old;
            }
        }
        long old = memory.compareAndExchange(pa, size, expected, update, linear, exitPort);
        if (old == (expected & PhysicalMemory.mask(size))) codePages.written(pa, size);
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
            codePages.written(pa, size);
            return;
        }
        // Crosses a page: a fault on either page must leave memory unchanged.
        long lo = tlb.translate(linear, Access.WRITE, user).physical();
        long hi = tlb.translate(linear + first, Access.WRITE, user).physical();
        for (int b = 0; b < size; b++) {
            long pa = b < first ? lo + b : hi + (b - first);
            memory.write(pa, 1, value >>> (8 * b), linear + b, exitPort);
        }
        codePages.written(lo, first);
        codePages.written(hi, size - first);
    }
}
