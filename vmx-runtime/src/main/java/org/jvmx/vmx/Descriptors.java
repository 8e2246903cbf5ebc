package org.jvmx.vmx;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongUnaryOperator;
import org.jvmx.translator.cpu.SegmentRegister;

/**
 * Segment and system descriptors as the hypervisor sees them: decoding, encoding, the VMCS
 * access-rights format, and reading entries out of a GDT/LDT/IDT held in guest (or per-core
 * host) memory.
 *
 * <ul>
 *   <li>8-byte code/data descriptors (SDM Vol. 3A, 3.4.5, Figure 3-8). The field extraction is
 *       {@link SegmentRegister}'s; this class adds the decoded record and its checks.
 *   <li>16-byte system descriptors of IA-32e mode: LDT and 64-bit TSS (SDM Vol. 3A, 7.2.3,
 *       Figure 7-4), 64-bit call gates (5.8.3.1, Figure 5-10), interrupt and trap gates (6.14.1,
 *       Figure 6-8). Types per 3.5, Table 3-2 (IA-32e column).
 *   <li>The VMCS guest-segment access-rights format (SDM Vol. 3C, 24.4.1, Table 24-2).
 * </ul>
 *
 * <p>Every base and offset is assembled on {@code long}s. {@code (b & 0xff) << 24} is an
 * {@code int} in Java: for base 31:24 ≥ 0x80 it is negative and, widened to {@code long},
 * smears ones over bits 63:32 — a TSS base stitched that way lands in the wrong place and
 * corrupts {@code HOST_TR_BASE} (DESIGN.md, "Cores are real too").
 *
 * <p>Tables are read through a {@link LongUnaryOperator} mapping a byte offset inside the table
 * to the little-endian quadword stored there; {@link #table} builds one from a reader of
 * guest-physical or linear memory and the table base.
 */
public final class Descriptors {
    private Descriptors() {}

    // ---- 64-bit system descriptor types (SDM Vol. 3A, 3.5, Table 3-2, IA-32e mode)

    public static final int TYPE_LDT = 0x2;
    public static final int TYPE_TSS_AVAILABLE = 0x9;
    public static final int TYPE_TSS_BUSY = 0xB;
    public static final int TYPE_CALL_GATE = 0xC;
    public static final int TYPE_INTERRUPT_GATE = 0xE;
    public static final int TYPE_TRAP_GATE = 0xF;

    /** VMCS access rights of an unusable segment register (SDM Vol. 3C, 24.4.1). */
    public static final int AR_UNUSABLE = SegmentRegister.AR_UNUSABLE;

    private static final long LOW32 = 0xFFFF_FFFFL;
    private static final long MAX_RAW_LIMIT = 0xF_FFFFL;

    /** True when {@code type} is defined for a 16-byte system descriptor in IA-32e mode. */
    public static boolean isSystemType64(int type) {
        return switch (type) {
            case TYPE_LDT, TYPE_TSS_AVAILABLE, TYPE_TSS_BUSY, TYPE_CALL_GATE, TYPE_INTERRUPT_GATE, TYPE_TRAP_GATE -> true;
            default -> false;
        };
    }

    /** True for LDT and 64-bit TSS types: a 16-byte descriptor with base, limit, AVL and G. */
    public static boolean isSystemSegmentType(int type) {
        return type == TYPE_LDT || type == TYPE_TSS_AVAILABLE || type == TYPE_TSS_BUSY;
    }

    /** True for the 64-bit call, interrupt and trap gate types. */
    public static boolean isGateType(int type) {
        return type == TYPE_CALL_GATE || type == TYPE_INTERRUPT_GATE || type == TYPE_TRAP_GATE;
    }

    // ---- 8-byte code/data descriptors

    /**
     * A decoded 8-byte descriptor. {@code base} is 32 bits unsigned; {@code limit} is the byte
     * limit as the processor caches it (raw 20-bit limit, scaled to 4 KiB units and ORed with
     * 0xFFF when G = 1), 32 bits unsigned. The constructor rejects values no descriptor can hold.
     */
    public record Segment(long base, long limit, int type, boolean s, int dpl, boolean p, boolean avl, boolean l,
            boolean db, boolean g) {
        public Segment {
            if ((base & ~LOW32) != 0) throw new IllegalArgumentException("segment base " + hex(base) + " exceeds 32 bits");
            checkLimit(limit, g);
            checkField("type", type, 0xF);
            checkField("DPL", dpl, 3);
        }

        /** Decodes an 8-byte descriptor (SDM Vol. 3A, Figure 3-8). */
        public static Segment decode(long d) {
            int ar = SegmentRegister.descriptorAccessRights(d);
            return new Segment(SegmentRegister.descriptorBase(d),
                    Integer.toUnsignedLong(SegmentRegister.descriptorLimit(d)), ar & 0xF,
                    (ar & SegmentRegister.AR_S) != 0, (ar >>> 5) & 3, (ar & SegmentRegister.AR_P) != 0,
                    (ar & SegmentRegister.AR_AVL) != 0, (ar & SegmentRegister.AR_L) != 0,
                    (ar & SegmentRegister.AR_DB) != 0, (ar & SegmentRegister.AR_G) != 0);
        }

        /**
         * Builds a segment from a VMCS base, limit and access-rights triple. Rejects an unusable
         * segment (it describes no descriptor) and reserved access-rights bits.
         */
        public static Segment fromVmcs(long base, long limit, int accessRights) {
            checkAccessRights(accessRights);
            return new Segment(base, limit, accessRights & 0xF, (accessRights & SegmentRegister.AR_S) != 0,
                    (accessRights >>> 5) & 3, (accessRights & SegmentRegister.AR_P) != 0,
                    (accessRights & SegmentRegister.AR_AVL) != 0, (accessRights & SegmentRegister.AR_L) != 0,
                    (accessRights & SegmentRegister.AR_DB) != 0, (accessRights & SegmentRegister.AR_G) != 0);
        }

        /** The 20-bit limit field as stored in the descriptor. */
        public long rawLimit() {
            return g ? limit >>> 12 : limit;
        }

        /** VMCS access rights of a usable register loaded from this descriptor. */
        public int accessRights() {
            return SegmentRegister.accessRights(type, s, dpl, p, avl, l, db, g, false);
        }

        /** The 8-byte descriptor. */
        public long encode() {
            SegmentRegister r = new SegmentRegister();
            r.set(0, base, (int) limit, accessRights());
            return r.toDescriptor();
        }
    }

    // ---- 16-byte system descriptors

    /** The low and high quadwords of a 16-byte descriptor (low at the lower address). */
    public record Wide(long low, long high) {}

    /** A decoded 16-byte IA-32e system descriptor: an LDT/TSS descriptor or a gate. */
    public sealed interface SystemDescriptor permits SystemSegment, Gate {
        int type();

        int dpl();

        boolean p();

        Wide encode();

        /**
         * Decodes a 16-byte system descriptor. Throws {@link DescriptorException} when S = 1 or
         * the type is not one IA-32e mode defines; the caller that must raise #GP checks
         * {@link #isSystemType64} on the low quadword first.
         */
        static SystemDescriptor decode(long low, long high) {
            int type = (int) (low >>> 40) & 0xF;
            if ((low & (1L << 44)) != 0) throw new DescriptorException("S = 1: a code/data descriptor, not a system descriptor");
            if (isSystemSegmentType(type)) return SystemSegment.decode(low, high);
            if (isGateType(type)) return Gate.decode(low, high);
            throw new DescriptorException("type " + hex(type) + " is not a 64-bit system descriptor type (SDM Vol. 3A, Table 3-2)");
        }
    }

    /**
     * An LDT or 64-bit TSS descriptor (SDM Vol. 3A, Figure 7-4): base 63:0, byte limit scaled
     * by G, type, DPL, P, AVL, G. Bits 54:53 (L, D/B) of the low quadword and bits 44:40 of the
     * high quadword are zero when encoded and ignored when decoded.
     */
    public record SystemSegment(long base, long limit, int type, int dpl, boolean p, boolean avl, boolean g)
            implements SystemDescriptor {
        public SystemSegment {
            if (!isSystemSegmentType(type)) throw new IllegalArgumentException("type " + hex(type) + " is not LDT or 64-bit TSS");
            checkLimit(limit, g);
            checkField("DPL", dpl, 3);
        }

        public static SystemSegment decode(long low, long high) {
            long base = systemBase(low, high);
            int ar = SegmentRegister.descriptorAccessRights(low);
            return new SystemSegment(base, Integer.toUnsignedLong(SegmentRegister.descriptorLimit(low)), ar & 0xF,
                    (ar >>> 5) & 3, (ar & SegmentRegister.AR_P) != 0, (ar & SegmentRegister.AR_AVL) != 0,
                    (ar & SegmentRegister.AR_G) != 0);
        }

        /** Builds LDTR/TR contents from a VMCS base, limit and access-rights triple (usable, S = 0). */
        public static SystemSegment fromVmcs(long base, long limit, int accessRights) {
            checkAccessRights(accessRights);
            if ((accessRights & (SegmentRegister.AR_S | SegmentRegister.AR_L | SegmentRegister.AR_DB)) != 0)
                throw new IllegalArgumentException("access rights " + hex(accessRights) + ": S, L and D/B must be 0 for LDT/TSS");
            return new SystemSegment(base, limit, accessRights & 0xF, (accessRights >>> 5) & 3,
                    (accessRights & SegmentRegister.AR_P) != 0, (accessRights & SegmentRegister.AR_AVL) != 0,
                    (accessRights & SegmentRegister.AR_G) != 0);
        }

        /** VMCS access rights of a usable LDTR/TR loaded from this descriptor. */
        public int accessRights() {
            return SegmentRegister.accessRights(type, false, dpl, p, avl, false, false, g, false);
        }

        @Override
        public Wide encode() {
            SegmentRegister r = new SegmentRegister();
            r.set(0, base, (int) limit, accessRights());
            return new Wide(r.toDescriptor(), (base >>> 32) & LOW32);
        }
    }

    /**
     * Base 63:0 of a 16-byte LDT/TSS descriptor (Figure 7-4), without decoding the rest: for
     * checks on hot paths (the host-state check of every VM exit).
     */
    public static long systemBase(long low, long high) {
        // base0 = bits 31:16 (base 15:0), base1 = bits 39:32 (base 23:16),
        // base2 = bits 63:56 (base 31:24), base3 = high bits 31:0 (base 63:32); all longs.
        long base0 = (low >>> 16) & 0xFFFFL;
        long base1 = (low >>> 32) & 0xFFL;
        long base2 = (low >>> 56) & 0xFFL;
        long base3 = high & LOW32;
        return base0 | base1 << 16 | base2 << 24 | base3 << 32;
    }

    /**
     * A 64-bit call, interrupt or trap gate (SDM Vol. 3A, Figures 5-10 and 6-8). The offset is
     * split over three places: bits 15:0 and 63:48 of the low quadword, bits 31:0 of the high
     * one. IST (bits 34:32) exists only for interrupt and trap gates; a call gate's must be 0.
     */
    public record Gate(int selector, long offset, int ist, int type, int dpl, boolean p) implements SystemDescriptor {
        public Gate {
            if (!isGateType(type)) throw new IllegalArgumentException("type " + hex(type) + " is not a 64-bit gate");
            checkField("selector", selector, 0xFFFF);
            checkField("IST", ist, type == TYPE_CALL_GATE ? 0 : 7);
            checkField("DPL", dpl, 3);
        }

        public static Gate decode(long low, long high) {
            int type = (int) (low >>> 40) & 0xF;
            long offset = (low & 0xFFFFL) | ((low >>> 48) & 0xFFFFL) << 16 | (high & LOW32) << 32;
            int ist = type == TYPE_CALL_GATE ? 0 : (int) (low >>> 32) & 7;
            return new Gate((int) (low >>> 16) & 0xFFFF, offset, ist, type, (int) (low >>> 45) & 3,
                    (low & (1L << 47)) != 0);
        }

        @Override
        public Wide encode() {
            long low = (offset & 0xFFFFL) | (long) selector << 16 | (long) ist << 32 | (long) type << 40
                    | (long) dpl << 45 | (p ? 1L << 47 : 0) | ((offset >>> 16) & 0xFFFFL) << 48;
            return new Wide(low, (offset >>> 32) & LOW32);
        }
    }

    // ---- VMCS access rights (SDM Vol. 3C, 24.4.1)

    /** VMCS access rights of a descriptor (8-byte, or the low quadword of a 16-byte one), usable. */
    public static int accessRights(long descriptor) {
        return SegmentRegister.descriptorAccessRights(descriptor);
    }

    /** VMCS access rights of a descriptor, with the unusable bit (16) as given. */
    public static int accessRights(long descriptor, boolean unusable) {
        return accessRights(descriptor) | (unusable ? AR_UNUSABLE : 0);
    }

    public static boolean isUnusable(int accessRights) {
        return (accessRights & AR_UNUSABLE) != 0;
    }

    // ---- reading tables

    /**
     * A table reader for {@link #segment}, {@link #system} and {@link #trBase}: byte offset in
     * the table → quadword at {@code tableBase + offset} in {@code memory}. Linear addresses wrap
     * modulo 2^64 as in 64-bit mode.
     */
    public static LongUnaryOperator table(LongUnaryOperator memory, long tableBase) {
        return offset -> memory.applyAsLong(tableBase + offset);
    }

    /** Byte offset of the entry a selector names: index (bits 15:3) × 8. TI and RPL are ignored. */
    public static long entryOffset(int selector) {
        return (long) ((selector >>> 3) & 0x1FFF) << 3;
    }

    /** True when {@code size} bytes at {@code offset} lie within a table of limit {@code tableLimit} (unsigned). */
    public static boolean fits(long offset, int size, int tableLimit) {
        return offset + size - 1 <= Integer.toUnsignedLong(tableLimit);
    }

    /** The 8-byte entry a selector names, or empty when index × 8 + 7 exceeds the limit. */
    public static OptionalLong quadword(LongUnaryOperator table, int tableLimit, int selector) {
        long off = entryOffset(selector);
        return fits(off, 8, tableLimit) ? OptionalLong.of(table.applyAsLong(off)) : OptionalLong.empty();
    }

    /** The 16-byte entry a selector names (64-bit mode system descriptor), or empty when index × 8 + 15 exceeds the limit. */
    public static Optional<Wide> wide(LongUnaryOperator table, int tableLimit, int selector) {
        long off = entryOffset(selector);
        if (!fits(off, 16, tableLimit)) return Optional.empty();
        return Optional.of(new Wide(table.applyAsLong(off), table.applyAsLong(off + 8)));
    }

    /** The code/data descriptor a selector names, or empty when out of the table limit. */
    public static Optional<Segment> segment(LongUnaryOperator table, int tableLimit, int selector) {
        OptionalLong q = quadword(table, tableLimit, selector);
        return q.isPresent() ? Optional.of(Segment.decode(q.getAsLong())) : Optional.empty();
    }

    /**
     * The 16-byte system descriptor a selector names, or empty when out of the table limit.
     * Throws {@link DescriptorException} when the entry is not a 64-bit system descriptor.
     */
    public static Optional<SystemDescriptor> system(LongUnaryOperator table, int tableLimit, int selector) {
        return wide(table, tableLimit, selector).map(w -> SystemDescriptor.decode(w.low(), w.high()));
    }

    /** The code/data descriptor a selector names; throws {@link DescriptorException} when out of the table limit. */
    public static Segment requireSegment(LongUnaryOperator table, int tableLimit, int selector) {
        return segment(table, tableLimit, selector).orElseThrow(() -> outOfLimit(selector, 8, tableLimit));
    }

    /** The system descriptor a selector names; throws {@link DescriptorException} when out of limit or not a system descriptor. */
    public static SystemDescriptor requireSystem(LongUnaryOperator table, int tableLimit, int selector) {
        return system(table, tableLimit, selector).orElseThrow(() -> outOfLimit(selector, 16, tableLimit));
    }

    /**
     * The IDT gate for {@code vector} in 64-bit mode: entries are 16 bytes, so vector × 16 + 15
     * must not exceed the IDT limit (SDM Vol. 3A, 6.14.1). Empty when it does.
     */
    public static Optional<Gate> idtGate(LongUnaryOperator idt, int idtLimit, int vector) {
        long off = (long) (vector & 0xFF) << 4;
        if (!fits(off, 16, idtLimit)) return Optional.empty();
        SystemDescriptor d = SystemDescriptor.decode(idt.applyAsLong(off), idt.applyAsLong(off + 8));
        if (d instanceof Gate g && g.type() != TYPE_CALL_GATE) return Optional.of(g);
        throw new DescriptorException("IDT vector " + vector + ": type " + hex(d.type()) + " is not an interrupt or trap gate");
    }

    // ---- per-core host state

    /**
     * The full 64-bit base of the TSS that {@code trSelector} names in a core's GDT: the value
     * for the VMCS {@code HOST_TR_BASE} field. (The host-state area holds no TR limit or access
     * rights; a VM exit loads limit 0x67 and type 11, SDM Vol. 3C, 28.5.2.) The selector must be
     * non-null, in the GDT (TI = 0), and name an available or busy 64-bit TSS within the GDT
     * limit; anything else is a broken host setup and throws {@link DescriptorException}.
     */
    public static long trBase(LongUnaryOperator gdt, int gdtLimit, int trSelector) {
        if ((trSelector & 0xFFF8) == 0) throw new DescriptorException("TR selector " + hex(trSelector) + " is null");
        if ((trSelector & 4) != 0) throw new DescriptorException("TR selector " + hex(trSelector) + " points into the LDT (TI = 1)");
        SystemDescriptor d = requireSystem(gdt, gdtLimit, trSelector);
        if (!(d instanceof SystemSegment s) || s.type() == TYPE_LDT)
            throw new DescriptorException("TR selector " + hex(trSelector) + " names type " + hex(d.type()) + ", not a 64-bit TSS");
        return s.base();
    }

    // ---- errors and checks

    /** A descriptor or table entry that cannot be what the caller asked for. */
    public static final class DescriptorException extends IllegalArgumentException {
        public DescriptorException(String message) {
            super(message);
        }
    }

    private static DescriptorException outOfLimit(int selector, int size, int tableLimit) {
        return new DescriptorException("selector " + hex(selector) + ": bytes " + hex(entryOffset(selector)) + ".."
                + hex(entryOffset(selector) + size - 1) + " exceed the table limit " + hex(Integer.toUnsignedLong(tableLimit)));
    }

    private static void checkLimit(long limit, boolean g) {
        if (g ? (limit & 0xFFF) != 0xFFF || (limit & ~LOW32) != 0 : (limit & ~MAX_RAW_LIMIT) != 0)
            throw new IllegalArgumentException("limit " + hex(limit) + " cannot be encoded with G = " + (g ? 1 : 0));
    }

    private static void checkAccessRights(int ar) {
        if ((ar & AR_UNUSABLE) != 0) throw new IllegalArgumentException("access rights " + hex(ar) + ": segment is unusable");
        if ((ar & ~SegmentRegister.AR_MASK) != 0)
            throw new IllegalArgumentException("access rights " + hex(ar) + ": reserved bits set");
    }

    private static void checkField(String name, int value, int max) {
        if (value < 0 || value > max) throw new IllegalArgumentException(name + " " + hex(value) + " out of range 0.." + hex(max));
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
