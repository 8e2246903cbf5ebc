package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.mem.GuestFault;

/**
 * Segment limit and type checks of data accesses outside 64-bit mode (SDM Vol. 3A, 5.3 "Limit
 * Checking", 5.4-5.6 "Type Checking"; Vol. 1, 3.4.2; the "Protected Mode Exceptions" of each
 * instruction in Vol. 2): an access of {@code size} bytes at offset {@code o} of a segment must
 * lie within the offsets the segment allows for that kind of access, else #SS(0) through SS and
 * #GP(0) through any other segment. In protected mode (legacy and compatibility) the segment's
 * type also decides: a null (unusable) segment allows nothing, code is never writable and
 * readable only with R set, data is writable only with W set. In real-address and virtual-8086
 * mode only the limit counts.
 *
 * <p>The ranges are precomputed by {@link SegmentRegister} on every load, so a check is two
 * compares. Callers test {@code !state.mode64()} first: in 64-bit mode nothing here applies
 * (SDM Vol. 3A, 3.2.4: no limit checks, and the canonical check is {@link Cpu}'s).
 */
public final class SegmentChecks {
    private SegmentChecks() {
    }

    /** The offset within segment {@code seg} (ES..GS numbering) of a linear address outside 64-bit mode. */
    public static long offset(Cpu c, int seg, long linear) {
        return (linear - c.state.seg[seg].base()) & 0xFFFF_FFFFL;
    }

    /** The linear address of {@code offset} in segment {@code seg} outside 64-bit mode (wraps at 4 GiB). */
    public static long linear(Cpu c, int seg, long offset) {
        return (c.state.seg[seg].base() + offset) & 0xFFFF_FFFFL;
    }

    /** Checks a read of {@code size} bytes at {@code offset} of segment {@code seg}. */
    public static void read(Cpu c, int seg, long offset, int size) {
        SegmentRegister r = c.state.seg[seg];
        long lo, hi;
        if (typesChecked(c.state)) {
            lo = r.readLow();
            hi = r.readHigh();
        } else {
            lo = r.limitLow();
            hi = r.limitHigh();
        }
        if (offset < lo || offset + size - 1 > hi) throw fault(seg);
    }

    /** Checks a write of {@code size} bytes at {@code offset} of segment {@code seg}. */
    public static void write(Cpu c, int seg, long offset, int size) {
        SegmentRegister r = c.state.seg[seg];
        long lo, hi;
        if (typesChecked(c.state)) {
            lo = r.writeLow();
            hi = r.writeHigh();
        } else {
            lo = r.limitLow();
            hi = r.limitHigh();
        }
        if (offset < lo || offset + size - 1 > hi) throw fault(seg);
    }

    /** {@link #read} for a linear address (the offset is recovered by subtracting the base). */
    public static void readLinear(Cpu c, int seg, long linear, int size) {
        read(c, seg, offset(c, seg, linear), size);
    }

    /** {@link #write} for a linear address. */
    public static void writeLinear(Cpu c, int seg, long linear, int size) {
        write(c, seg, offset(c, seg, linear), size);
    }

    /**
     * Checks an instruction fetch of {@code size} bytes at EIP {@code offset}: beyond CS.limit is
     * #GP(0) (SDM Vol. 3A, 5.3; code segments are never expand-down, bit 2 is C).
     */
    public static void fetch(Cpu c, long offset, int size) {
        if (offset + size - 1 > c.state.cs.limitUnsigned()) throw GuestFault.generalProtection(0);
    }

    /** Types are checked in protected mode outside virtual-8086 mode (legacy protected or compatibility mode). */
    private static boolean typesChecked(CpuState s) {
        return s.protectedMode() && !s.virtual8086();
    }

    /** #SS(0) for the stack segment, #GP(0) for the others (SDM Vol. 3A, 6.15, interrupts 12 and 13). */
    public static GuestFault fault(int seg) {
        return seg == CpuState.SS ? GuestFault.stackFault(0) : GuestFault.generalProtection(0);
    }
}
