package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * FXSAVE/FXRSTOR and their REX.W forms: the 512-byte x87/MMX/SSE state image (SDM Vol. 1,
 * 10.5.1, Tables 10-2 and 10-3). Bytes 416-511 are reserved or free for software and are
 * neither written nor read. MXCSR_MASK is 0000FFFFH: every MXCSR bit but the reserved upper
 * half may be set, DAZ included (SDM Vol. 1, 11.6.6).
 */
public final class FxsaveOps {
    private FxsaveOps() {
    }

    public static final int MXCSR_MASK = 0xFFFF;

    public static void install(Isa.Installer in) {
        in.put(Mnemonic.FXSAVE, (c, i) -> save(c, i, false));
        in.put(Mnemonic.FXSAVE64, (c, i) -> save(c, i, true));
        in.put(Mnemonic.FXRSTOR, (c, i) -> restore(c, i, false));
        in.put(Mnemonic.FXRSTOR64, (c, i) -> restore(c, i, true));
    }

    /** #NM with CR0.TS or CR0.EM; #GP(0) unless 16-byte aligned (SDM FXSAVE, protected-mode exceptions). */
    private static long image(Cpu c, Instruction i) {
        if ((c.state.cr0 & (CpuState.CR0_TS | CpuState.CR0_EM)) != 0) throw GuestFault.deviceNotAvailable();
        long a = Operands.address(c, i);
        if ((a & 15) != 0) throw GuestFault.generalProtection(0);
        return a;
    }

    private static void save(Cpu c, Instruction i, boolean wide) {
        long a = image(c, i);
        Operands.probeWriteMem(c, i, a, 416); // fault before writing any byte
        FpuState f = c.state.fpu;
        Operands.writeMem(c, i, a, 2, f.fcw);
        Operands.writeMem(c, i, a + 2, 2, f.fsw);
        Operands.writeMem(c, i, a + 4, 1, abridgedTags(f.ftw));
        Operands.writeMem(c, i, a + 5, 1, 0);
        Operands.writeMem(c, i, a + 6, 2, f.fop & 0x7FF);
        if (wide) {
            Operands.writeMem(c, i, a + 8, 8, f.fip);
            Operands.writeMem(c, i, a + 16, 8, f.fdp);
        } else {
            Operands.writeMem(c, i, a + 8, 4, f.fip);
            Operands.writeMem(c, i, a + 12, 4, f.fcs & 0xFFFF);
            Operands.writeMem(c, i, a + 16, 4, f.fdp);
            Operands.writeMem(c, i, a + 20, 4, f.fds & 0xFFFF);
        }
        Operands.writeMem(c, i, a + 24, 4, c.state.mxcsr);
        Operands.writeMem(c, i, a + 28, 4, MXCSR_MASK);
        for (int st = 0; st < 8; st++) {
            int r = f.physical(st);
            long slot = a + 32 + 16L * st;
            Operands.writeMem(c, i, slot, 8, f.mantissa[r]);
            Operands.writeMem(c, i, slot + 8, 8, f.signExponent[r] & 0xFFFFL);
        }
        for (int x = 0; x < 16; x++) {
            Operands.writeMem(c, i, a + 160 + 16L * x, 8, c.state.xmm[2 * x]);
            Operands.writeMem(c, i, a + 168 + 16L * x, 8, c.state.xmm[2 * x + 1]);
        }
    }

    private static void restore(Cpu c, Instruction i, boolean wide) {
        long a = image(c, i);
        int mxcsr = (int) Operands.readMem(c, i, a + 24, 4);
        if ((mxcsr & ~MXCSR_MASK) != 0) throw GuestFault.generalProtection(0);
        // Read everything before changing anything: a #PF on the image leaves the state intact.
        long[] m = new long[8];
        short[] se = new short[8];
        for (int st = 0; st < 8; st++) {
            m[st] = Operands.readMem(c, i, a + 32 + 16L * st, 8);
            se[st] = (short) Operands.readMem(c, i, a + 40 + 16L * st, 2);
        }
        long[] x = new long[32];
        for (int k = 0; k < 32; k++) x[k] = Operands.readMem(c, i, a + 160 + 8L * k, 8);
        int fcw = (int) Operands.readMem(c, i, a, 2), fsw = (int) Operands.readMem(c, i, a + 2, 2);
        int tags = (int) Operands.readMem(c, i, a + 4, 1), fop = (int) Operands.readMem(c, i, a + 6, 2);
        long fip, fdp;
        int fcs = 0, fds = 0;
        if (wide) {
            fip = Operands.readMem(c, i, a + 8, 8);
            fdp = Operands.readMem(c, i, a + 16, 8);
        } else {
            fip = Operands.readMem(c, i, a + 8, 4);
            fcs = (int) Operands.readMem(c, i, a + 12, 2);
            fdp = Operands.readMem(c, i, a + 16, 4);
            fds = (int) Operands.readMem(c, i, a + 20, 2);
        }
        FpuState f = c.state.fpu;
        f.fcw = fcw;
        f.fsw = fsw;
        f.fop = fop & 0x7FF;
        f.fip = fip;
        f.fdp = fdp;
        f.fcs = fcs;
        f.fds = fds;
        for (int st = 0; st < 8; st++) {
            int r = f.physical(st);
            f.mantissa[r] = m[st];
            f.signExponent[r] = se[st];
        }
        f.ftw = fullTags(f, tags);
        c.state.mxcsr = mxcsr;
        System.arraycopy(x, 0, c.state.xmm, 0, 32);
    }

    /** The abridged tag byte: bit i set when physical register i is not empty (tag != 11b). */
    static int abridgedTags(int ftw) {
        int t = 0;
        for (int r = 0; r < 8; r++) if ((ftw >>> (2 * r) & 3) != 3) t |= 1 << r;
        return t;
    }

    /** Rebuilds the full tag word from the abridged one and the register contents (valid / zero / special). */
    static int fullTags(FpuState f, int abridged) {
        int ftw = 0;
        for (int r = 0; r < 8; r++) {
            int tag;
            if ((abridged >>> r & 1) == 0) {
                tag = 3;
            } else {
                int exp = f.signExponent[r] & 0x7FFF;
                long man = f.mantissa[r];
                if (exp == 0x7FFF) tag = 2;                       // infinity or NaN
                else if (exp == 0) tag = man == 0 ? 1 : 2;        // zero, or denormal
                else tag = man < 0 ? 0 : 2;                        // normal needs the integer bit
            }
            ftw |= tag << (2 * r);
        }
        return ftw;
    }
}
