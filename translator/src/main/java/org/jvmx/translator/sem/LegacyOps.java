package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.mem.GuestFault;

/**
 * Instructions that exist only outside 64-bit mode (the decoder makes them #UD there): the
 * decimal adjustments DAA, DAS, AAA, AAS, AAM, AAD (SDM Vol. 2A, each instruction's
 * "Operation") and INTO (#OF as a trap when OF = 1). BOUND is not installed: this machine's CPU
 * (the oracle) answers every BOUND in compatibility mode with #GP, in or out of bounds, so
 * there is nothing trustworthy to compare with; it stays #UD and counted. Flags the SDM leaves undefined are reported as such
 * to the lazy-flags engine, so the differential tests mask exactly those.
 */
final class LegacyOps {
    private LegacyOps() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.DAA, (c, i) -> decimalAdjust(c, true));
        in.put(Mnemonic.DAS, (c, i) -> decimalAdjust(c, false));
        in.put(Mnemonic.AAA, (c, i) -> asciiAdjust(c, true));
        in.put(Mnemonic.AAS, (c, i) -> asciiAdjust(c, false));
        in.put(Mnemonic.AAM, LegacyOps::aam);
        in.put(Mnemonic.AAD, LegacyOps::aad);
        in.put(Mnemonic.INTO, (c, i) -> {
            if ((c.flags.rflags() & Rflags.OF) != 0) throw GuestFault.trap(GuestFault.OF, i.nextIp());
        });
    }

    private static int al(Cpu c) {
        return (int) c.gpr[CpuState.RAX] & 0xFF;
    }

    private static void setAl(Cpu c, int v) {
        c.gpr[CpuState.RAX] = (c.gpr[CpuState.RAX] & ~0xFFL) | (v & 0xFF);
    }

    /** SF, ZF and PF of a byte result. */
    private static long szp(int v) {
        v &= 0xFF;
        long f = 0;
        if (v == 0) f |= Rflags.ZF;
        if ((v & 0x80) != 0) f |= Rflags.SF;
        if ((Integer.bitCount(v) & 1) == 0) f |= Rflags.PF;
        return f;
    }

    /** DAA (add) / DAS (subtract): OF undefined. */
    private static void decimalAdjust(Cpu c, boolean add) {
        long flags = c.flags.rflags();
        int oldAl = al(c), al = oldAl;
        boolean oldCf = (flags & Rflags.CF) != 0, cf = false, af = false;
        if ((al & 0x0F) > 9 || (flags & Rflags.AF) != 0) {
            int r = add ? al + 6 : al - 6;
            cf = oldCf || (add ? r > 0xFF : r < 0);
            al = r & 0xFF;
            af = true;
        }
        if (oldAl > 0x99 || oldCf) {
            al = (add ? al + 0x60 : al - 0x60) & 0xFF;
            cf = true;
        } else if (add) {
            cf = false;
        }
        setAl(c, al);
        c.flags.setDirect(szp(al) | (cf ? Rflags.CF : 0) | (af ? Rflags.AF : 0), Rflags.OF);
    }

    /** AAA (add) / AAS (subtract): OF, SF, ZF, PF undefined. */
    private static void asciiAdjust(Cpu c, boolean add) {
        long flags = c.flags.rflags();
        long ax = c.gpr[CpuState.RAX] & 0xFFFF;
        boolean adjust = (ax & 0x0F) > 9 || (flags & Rflags.AF) != 0;
        if (adjust) {
            if (add) {
                ax = (ax + 0x106) & 0xFFFF;
            } else {
                // AX - 6 borrows from AH, then AH is decremented again (the SDM's literal order, as the host does)
                ax = (ax - 6) & 0xFFFF;
                ax = (ax - 0x100) & 0xFFFF;
            }
        }
        ax &= 0xFF0F;
        c.gpr[CpuState.RAX] = (c.gpr[CpuState.RAX] & ~0xFFFFL) | ax;
        long f = szp((int) ax) | (adjust ? Rflags.AF | Rflags.CF : 0);
        c.flags.setDirect(f, Rflags.OF | Rflags.SF | Rflags.ZF | Rflags.PF);
    }

    /** AAM imm8: AH = AL / imm8, AL = AL mod imm8; #DE for 0; OF, AF, CF undefined. */
    private static void aam(Cpu c, Instruction i) {
        int base = (int) i.immediate(0) & 0xFF;
        if (base == 0) throw GuestFault.divideError();
        int al = al(c);
        int r = al % base;
        c.gpr[CpuState.RAX] = (c.gpr[CpuState.RAX] & ~0xFFFFL) | (long) (al / base) << 8 | r;
        c.flags.setDirect(szp(r), Rflags.OF | Rflags.AF | Rflags.CF);
    }

    /** AAD imm8: AL = (AL + AH * imm8) mod 256, AH = 0; OF, AF, CF undefined. */
    private static void aad(Cpu c, Instruction i) {
        int base = (int) i.immediate(0) & 0xFF;
        long ax = c.gpr[CpuState.RAX];
        int r = ((int) ax & 0xFF) + (int) (ax >>> 8 & 0xFF) * base & 0xFF;
        c.gpr[CpuState.RAX] = (ax & ~0xFFFFL) | r;
        c.flags.setDirect(szp(r), Rflags.OF | Rflags.AF | Rflags.CF);
    }
}
