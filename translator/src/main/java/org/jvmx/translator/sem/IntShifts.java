package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.IntAccess.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * Shifts and rotates (SDM Vol. 2B, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD; Vol. 2B BMI2
 * RORX, SARX/SHLX/SHRX). The count (1, CL or imm8) is masked by the lazy-flags engine to 5 bits
 * (6 for 64-bit operands); a masked count of 0 changes no flag. The BMI2 forms change no flag.
 */
final class IntShifts {
    private IntShifts() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.SHL, (c, i) -> rmw(c, i, SHL, Operands.read(c, i, 1)));
        in.put(Mnemonic.SAL, (c, i) -> rmw(c, i, SHL, Operands.read(c, i, 1)));
        in.put(Mnemonic.SHR, (c, i) -> rmw(c, i, SHR, Operands.read(c, i, 1)));
        in.put(Mnemonic.SAR, (c, i) -> rmw(c, i, SAR, Operands.read(c, i, 1)));
        in.put(Mnemonic.ROL, (c, i) -> rmw(c, i, ROL, Operands.read(c, i, 1)));
        in.put(Mnemonic.ROR, (c, i) -> rmw(c, i, ROR, Operands.read(c, i, 1)));
        in.put(Mnemonic.RCL, (c, i) -> rmw(c, i, RCL, Operands.read(c, i, 1)));
        in.put(Mnemonic.RCR, (c, i) -> rmw(c, i, RCR, Operands.read(c, i, 1)));
        in.put(Mnemonic.SHLD, (c, i) -> doubleShift(c, i, true));
        in.put(Mnemonic.SHRD, (c, i) -> doubleShift(c, i, false));
        // BMI2: count masked to 5/6 bits, no flags
        in.put(Mnemonic.SHLX, (c, i) -> {
            int bits = i.operandBits(0);
            long v = Operands.read(c, i, 1) << (Operands.read(c, i, 2) & (bits - 1));
            Operands.writeReg(c.gpr, i.register(0), v);
        });
        in.put(Mnemonic.SHRX, (c, i) -> {
            int bits = i.operandBits(0);
            long v = Operands.read(c, i, 1) >>> (Operands.read(c, i, 2) & (bits - 1));
            Operands.writeReg(c.gpr, i.register(0), v);
        });
        in.put(Mnemonic.SARX, (c, i) -> {
            int bits = i.operandBits(0);
            long v = Operands.signExtend(Operands.read(c, i, 1), bits) >> (Operands.read(c, i, 2) & (bits - 1));
            Operands.writeReg(c.gpr, i.register(0), v);
        });
        in.put(Mnemonic.RORX, (c, i) -> {
            int bits = i.operandBits(0);
            long a = Operands.read(c, i, 1);
            int k = (int) Operands.read(c, i, 2) & (bits - 1);
            long v = bits == 64 ? Long.rotateRight(a, k) : Integer.rotateRight((int) a, k) & 0xFFFF_FFFFL;
            Operands.writeReg(c.gpr, i.register(0), v);
        });
    }

    /** SHLD/SHRD Ev,Gv,Ib|CL: the destination shifted, filled from the source register. */
    private static void doubleShift(Cpu c, Instruction i, boolean left) {
        int bits = i.operandBits(0);
        long src = Operands.readReg(c.gpr, i.register(1));
        int count = (int) Operands.read(c, i, 2);
        if (i.operandKind(0) == OperandKind.REGISTER) {
            Register r = i.register(0);
            long a = Operands.readReg(c.gpr, r);
            Operands.writeReg(c.gpr, r, left ? c.flags.shld(bits, a, src, count) : c.flags.shrd(bits, a, src, count));
            return;
        }
        long addr = Operands.address(c, i);
        int bytes = bits >>> 3;
        Operands.probeWriteMem(c, i, addr, bytes);
        long a = Operands.readMem(c, i, addr, bytes);
        Operands.writeMem(c, i, addr, bytes, left ? c.flags.shld(bits, a, src, count) : c.flags.shrd(bits, a, src, count));
    }
}
