package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.sem.x87.Float80;

/**
 * x87 control (SDM Vol. 1, 8.3.10 and 8.1.10; Vol. 2A FLDCW, FNSTCW, FNSTSW, FNCLEX, FNINIT,
 * FNSTENV/FLDENV, FNSAVE/FRSTOR, FFREE, FINCSTP/FDECSTP, FNOP, WAIT). The environment image is
 * the protected-mode one (SDM Vol. 1, Figures 8-9 and 8-10): 28 bytes with a 32-bit operand
 * size (also in 64-bit mode), 14 bytes with a 16-bit one. The tag word is stored in its full
 * form, computed from the register contents; a loaded one only says which registers are empty.
 */
final class X87Control {
    private X87Control() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.FLDCW, X87Control::fldcw);
        in.put(Mnemonic.FNSTCW, (c, i) -> {
            FpuState f = X87Stack.beginNoWait(c);
            Operands.write(c, i, 0, f.fcw);
        });
        in.put(Mnemonic.FNSTSW, (c, i) -> {
            FpuState f = X87Stack.beginNoWait(c);
            Operands.write(c, i, 0, f.fsw);
        });
        in.put(Mnemonic.FNCLEX, (c, i) -> X87Stack.beginNoWait(c).fsw &= ~(0xFF | X87Stack.B));
        in.put(Mnemonic.FNINIT, (c, i) -> X87Stack.beginNoWait(c).finit());
        for (Mnemonic m : new Mnemonic[] {Mnemonic.FNENI, Mnemonic.FNDISI, Mnemonic.FNSETPM})
            in.put(m, (c, i) -> X87Stack.beginNoWait(c)); // 8087/287 leftovers: no-ops since the 387
        in.put(Mnemonic.FNOP, (c, i) -> X87Stack.recordPointers(c, X87Stack.begin(c, i), i, -1));
        in.put(Mnemonic.WAIT, X87Control::fwait);
        in.put(Mnemonic.FFREE, (c, i) -> ffree(c, i, false));
        in.put(Mnemonic.FFREEP, (c, i) -> ffree(c, i, true));
        in.put(Mnemonic.FINCSTP, (c, i) -> moveTop(c, i, 1));
        in.put(Mnemonic.FDECSTP, (c, i) -> moveTop(c, i, -1));
        in.put(Mnemonic.FNSTENV, (c, i) -> {
            FpuState f = X87Stack.beginNoWait(c);
            long a = Operands.address(c, i);
            storeEnvironment(c, i, f, a, envBytes(i));
            f.fcw |= 0x3F; // FNSTENV masks every exception after saving (SDM Vol. 2A, FSTENV)
        });
        in.put(Mnemonic.FLDENV, (c, i) -> {
            FpuState f = X87Stack.begin(c, i);
            loadEnvironment(c, i, f, Operands.address(c, i), envBytes(i), null);
        });
        in.put(Mnemonic.FNSAVE, X87Control::fnsave);
        in.put(Mnemonic.FRSTOR, X87Control::frstor);
    }

    private static void fldcw(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        f.fcw = (int) Operands.read(c, i, 0) & 0x1F7F | 0x40;
        summary(f);
    }

    /** ES and B follow the flags left unmasked (after FLDCW, FLDENV, FRSTOR). */
    static void summary(FpuState f) {
        if ((f.fsw & ~f.fcw & 0x3F) != 0) f.fsw |= X87Stack.ES | X87Stack.B;
        else f.fsw &= ~(X87Stack.ES | X87Stack.B);
    }

    /** WAIT/FWAIT: #NM with CR0.MP and CR0.TS, #MF with a pending unmasked exception. */
    private static void fwait(Cpu c, Instruction i) {
        long cr0 = c.state.cr0;
        if ((cr0 & CpuState.CR0_MP) != 0 && (cr0 & CpuState.CR0_TS) != 0) throw GuestFault.deviceNotAvailable();
        X87Stack.checkPending(c);
    }

    private static void ffree(Cpu c, Instruction i, boolean pop) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        f.ftw |= 3 << 2 * f.physical(X87Stack.stIndex(i, 0));
        f.fsw &= ~X87Stack.C1; // C1 cleared (measured on this host; the SDM leaves C0-C3 undefined)
        if (pop) X87Stack.pop(f);
    }

    private static void moveTop(Cpu c, Instruction i, int d) {
        FpuState f = X87Stack.begin(c, i);
        X87Stack.recordPointers(c, f, i, -1);
        X87Stack.setTop(f, f.top() + d);
        f.fsw &= ~X87Stack.C1;
    }

    private static int envBytes(Instruction i) {
        return i.operandSize() == 16 ? 14 : 28;
    }

    /** The full tag word from the register contents (SDM Vol. 1, 8.1.7): empty stays empty. */
    static int fullTags(FpuState f) {
        int ftw = 0;
        for (int r = 0; r < 8; r++) {
            int tag = (f.ftw >>> 2 * r & 3) == 3 ? 3 : new Float80(f.signExponent[r], f.mantissa[r]).tag();
            ftw |= tag << 2 * r;
        }
        return ftw;
    }

    static void storeEnvironment(Cpu c, Instruction i, FpuState f, long a, int bytes) {
        Operands.probeWriteMem(c, i, a, bytes);
        int w = bytes == 14 ? 2 : 4;
        Operands.writeMem(c, i, a, w, f.fcw | (w == 4 ? 0xFFFF0000L : 0));
        Operands.writeMem(c, i, a + w, w, f.fsw | (w == 4 ? 0xFFFF0000L : 0));
        Operands.writeMem(c, i, a + 2L * w, w, fullTags(f) | (w == 4 ? 0xFFFF0000L : 0));
        Operands.writeMem(c, i, a + 3L * w, w, f.fip);
        Operands.writeMem(c, i, a + 4L * w, w, w == 4 ? (long) (f.fop & 0x7FF) << 16 | (f.fcs & 0xFFFF) : f.fcs & 0xFFFF);
        Operands.writeMem(c, i, a + 5L * w, w, f.fdp);
        Operands.writeMem(c, i, a + 6L * w, w, f.fds & 0xFFFF | (w == 4 ? 0xFFFF0000L : 0));
    }

    /** Loads an environment (and, for FRSTOR, the registers read in advance into {@code regs}). */
    static void loadEnvironment(Cpu c, Instruction i, FpuState f, long a, int bytes, long[] regs) {
        int w = bytes == 14 ? 2 : 4;
        int fcw = (int) Operands.readMem(c, i, a, 2), fsw = (int) Operands.readMem(c, i, a + w, 2);
        int ftw = (int) Operands.readMem(c, i, a + 2L * w, 2);
        long fip = Operands.readMem(c, i, a + 3L * w, w), sel = Operands.readMem(c, i, a + 4L * w, w);
        long fdp = Operands.readMem(c, i, a + 5L * w, w);
        int fds = (int) Operands.readMem(c, i, a + 6L * w, 2);
        f.fcw = fcw & 0x1F7F | 0x40;
        f.fsw = fsw;
        f.fip = fip;
        f.fcs = (int) sel & 0xFFFF;
        f.fop = w == 4 ? (int) (sel >>> 16) & 0x7FF : f.fop;
        f.fdp = fdp;
        f.fds = fds;
        if (regs != null) {
            for (int st = 0; st < 8; st++) {
                int r = f.physical(st);
                f.mantissa[r] = regs[2 * st];
                f.signExponent[r] = (short) regs[2 * st + 1];
            }
        }
        int full = 0;
        for (int r = 0; r < 8; r++) {
            boolean empty = (ftw >>> 2 * r & 3) == 3;
            full |= (empty ? 3 : new Float80(f.signExponent[r], f.mantissa[r]).tag()) << 2 * r;
        }
        f.ftw = full;
        summary(f);
    }

    private static void fnsave(Cpu c, Instruction i) {
        FpuState f = X87Stack.beginNoWait(c);
        long a = Operands.address(c, i);
        int env = envBytes(i);
        Operands.probeWriteMem(c, i, a, env + 80);
        storeEnvironment(c, i, f, a, env);
        for (int st = 0; st < 8; st++) {
            int r = f.physical(st);
            Operands.writeMem(c, i, a + env + 10L * st, 8, f.mantissa[r]);
            Operands.writeMem(c, i, a + env + 10L * st + 8, 2, f.signExponent[r]);
        }
        f.finit();
    }

    private static void frstor(Cpu c, Instruction i) {
        FpuState f = X87Stack.begin(c, i);
        long a = Operands.address(c, i);
        int env = envBytes(i);
        long[] regs = new long[16];
        for (int st = 0; st < 8; st++) {
            regs[2 * st] = Operands.readMem(c, i, a + env + 10L * st, 8);
            regs[2 * st + 1] = Operands.readMem(c, i, a + env + 10L * st + 8, 2);
        }
        loadEnvironment(c, i, f, a, env, regs);
    }
}
