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
            return memory.read(tlb.translate(linear, kind, user).physical(), size);
        }
        // Crosses a page: both translations before any data (the lower page faults first).
        long lo = tlb.translate(linear, kind, user).physical();
        long hi = tlb.translate(linear + first, kind, user).physical();
        long v = 0;
        for (int b = 0; b < size; b++) {
            long pa = b < first ? lo + b : hi + (b - first);
            v |= memory.read(pa, 1) << (8 * b);
        }
        return v;
    }

    private void slowStore(long linear, int size, long value, boolean user) {
        int first = 4096 - (int) (linear & 0xFFF);
        if (size <= first) {
            long pa = tlb.translate(linear, Access.WRITE, user).physical();
            memory.write(pa, size, value);
            codePages.written(pa, size);
            return;
        }
        // Crosses a page: a fault on either page must leave memory unchanged.
        long lo = tlb.translate(linear, Access.WRITE, user).physical();
        long hi = tlb.translate(linear + first, Access.WRITE, user).physical();
        for (int b = 0; b < size; b++) {
            long pa = b < first ? lo + b : hi + (b - first);
            memory.write(pa, 1, value >>> (8 * b));
        }
        codePages.written(lo, first);
        codePages.written(hi, size - first);
    }
}
