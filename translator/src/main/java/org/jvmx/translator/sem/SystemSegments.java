package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * LLDT and LTR: load LDTR or TR from a system-segment descriptor in the GDT (SDM Vol. 2A, LLDT
 * and LTR; Vol. 3A, 3.5 "System Descriptor Types", 8.2.3 "TSS Descriptor in 64-bit mode").
 * In IA-32e mode these descriptors are 16 bytes: the second quadword holds base 63:32 and a type
 * field (its bits 12:8) that must be 0.
 */
final class SystemSegments {
    private SystemSegments() {
    }

    /** System-descriptor types (SDM Vol. 3A, Table 3-2): LDT, available and busy TSS. */
    static final int TYPE_LDT = 2, TYPE_TSS16_AVAILABLE = 1, TYPE_TSS_AVAILABLE = 9, TYPE_BUSY_BIT = 2;

    /** Descriptor bit 44 (S: 1 for code/data, 0 for system) and bit 47 (P). */
    private static final long DESC_S = 1L << 44, DESC_P = 1L << 47;

    /** LLDT, LTR, SLDT, STR are not recognised in real-address and virtual-8086 mode: #UD (SDM LLDT, LTR, SLDT, STR). */
    static void checkProtectedMode(Cpu c) {
        if (!c.state.protectedMode() || c.state.virtual8086()) {
            throw GuestFault.invalidOpcode("descriptor-table instruction outside protected mode");
        }
    }

    /**
     * LLDT (SDM LLDT "Operation"): a null selector leaves LDTR unusable; otherwise the selector
     * must name an LDT descriptor in the GDT, else #GP(selector), and be present, else #NP(selector).
     */
    static void lldt(Cpu c, Instruction i) {
        checkProtectedMode(c);
        c.checkCpl0();
        c.sensitive.descriptorTable(c, i);
        int sel = (int) Operands.read(c, i, 0) & 0xFFFF;
        if ((sel & ~3) == 0) {
            c.state.ldtr.loadNull(sel);
            return;
        }
        long[] d = fetch(c, sel);
        check(c, sel, d, type(d[0]) == TYPE_LDT);
        load(c.state, c.state.ldtr, sel, d);
    }

    /**
     * LTR (SDM LTR "Operation"): the selector must name an available TSS in the GDT (#GP(0) for a
     * null selector); the descriptor is marked busy with a locked read-modify-write and TR is loaded
     * from it, busy type included.
     */
    static void ltr(Cpu c, Instruction i) {
        checkProtectedMode(c);
        c.checkCpl0();
        c.sensitive.descriptorTable(c, i);
        int sel = (int) Operands.read(c, i, 0) & 0xFFFF;
        if ((sel & ~3) == 0) throw GuestFault.generalProtection(0);
        while (true) {
            long[] d = fetch(c, sel);
            int t = type(d[0]);
            // In IA-32e mode only the 64-bit TSS type exists (type 9; SDM Vol. 3A, 8.2.3); 16-bit TSSs are legacy only.
            check(c, sel, d, t == TYPE_TSS_AVAILABLE || !c.state.longMode() && t == TYPE_TSS16_AVAILABLE);
            // The access byte (descriptor byte 5) gets the busy bit atomically; if another vCPU changed it
            // since the read, check again (it may have become busy meanwhile: #GP(selector)).
            long at = c.state.gdtrBase + (sel & ~7) + 5;
            long access = (d[0] >>> 40) & 0xFF;
            if (c.memory.compareAndExchange(at, 1, access, access | TYPE_BUSY_BIT, false) == access) {
                d[0] |= (long) TYPE_BUSY_BIT << 40;
                load(c.state, c.state.tr, sel, d);
                return;
            }
        }
    }

    private static int type(long low) {
        return (int) (low >>> 40) & 0xF;
    }

    /**
     * The descriptor {@code sel} names in the GDT: {low, high} (high = 0 outside IA-32e mode).
     * #GP(selector) for a selector into the LDT or past the GDT limit (the whole 16 bytes in
     * IA-32e mode must lie within it).
     */
    private static long[] fetch(Cpu c, int sel) {
        CpuState s = c.state;
        int size = s.longMode() ? 16 : 8;
        long index = sel & ~7;
        if ((sel & 4) != 0 || index + size - 1 > (s.gdtrLimit & 0xFFFFL)) throw selectorFault(sel);
        long low = c.read(s.gdtrBase + index, 8);
        long high = size == 16 ? c.read(s.gdtrBase + index + 8, 8) : 0;
        return new long[] {low, high};
    }

    /**
     * The common checks, in the order of SDM LLDT/LTR "Operation": a system descriptor of the
     * right type, in IA-32e mode a zero upper type field (bits 12:8 of the upper quadword's high
     * doubleword) and a canonical base, else #GP(selector); then present, else #NP(selector).
     */
    private static void check(Cpu c, int sel, long[] d, boolean rightType) {
        if ((d[0] & DESC_S) != 0 || !rightType) throw selectorFault(sel);
        if (c.state.longMode()) {
            if (((d[1] >>> 40) & 0x1F) != 0) throw selectorFault(sel);
            long base = SegmentRegister.descriptorBase(d[0]) | (d[1] & 0xFFFF_FFFFL) << 32;
            if ((base << 16 >> 16) != base) throw selectorFault(sel);
        }
        if ((d[0] & DESC_P) == 0) throw new GuestFault(GuestFault.NP, sel & 0xFFFC, "#NP(" + (sel & 0xFFFC) + ")");
    }

    private static void load(CpuState s, SegmentRegister r, int sel, long[] d) {
        if (s.longMode()) r.loadSystemDescriptor(sel, d[0], d[1]);
        else r.loadDescriptor(sel, d[0]);
    }

    /** A selector error code: the selector's index and TI, with EXT and IDT (bits 1:0) clear (SDM Vol. 3A, 6.13). */
    private static GuestFault selectorFault(int sel) {
        return GuestFault.generalProtection(sel & 0xFFFC);
    }
}
