package org.jvmx.translator.jit;

import static org.jvmx.translator.jit.Names.*;
import static org.jvmx.translator.jit.RegionEmitter.*;
import static org.objectweb.asm.Opcodes.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Register;
import org.jvmx.translator.exec.Operands;

/**
 * Memory operands of 32- and 16-bit code in generated code: a call to the very
 * {@code Operands.read} / {@code Operands.write} the semantics use, instead of the 64-bit
 * inline TLB path. Outside 64-bit mode the effective address adds the segment's base, wraps
 * at 4 GiB (or 64 KiB offsets for a 16-bit address size) and is checked against the segment's
 * limit and access rights (SDM Vol. 3A, 3.4.5 and 5.3): all of that lives in those methods, so
 * both tiers apply the same checks and raise the same faults. Only the register work around
 * the access (the destination, the flags) stays inline.
 *
 * <p>{@code Operands} reads the base and index registers from {@code cpu.gpr}: the ones whose
 * local is newer are written back first. A fault inside is precise through the instruction's
 * guard range ({@link RegionEmitter#guardEnd}).
 */
final class CheckedAccess {
    private CheckedAccess() {
    }

    private static final String OPERANDS = "org/jvmx/translator/exec/Operands";

    /** [] -> [value]: operand {@code op} (memory) read as the semantics read it, zero-extended. */
    static void read(RegionEmitter e, Instruction i, int op) {
        e.spill(addressRegisters(i));
        e.mv.visitVarInsn(ALOAD, CPU_L);
        e.mv.visitLdcInsn(e.constant(i, "L" + INSN + ";"));
        e.iconst(op);
        e.mv.visitMethodInsn(INVOKESTATIC, OPERANDS, "read", "(" + CPU_D + "L" + INSN + ";I)J", false);
    }

    /** [] -> []: stores local VAL into operand {@code op} (memory) as the semantics store it. */
    static void write(RegionEmitter e, Instruction i, int op) {
        e.spill(addressRegisters(i));
        e.mv.visitVarInsn(ALOAD, CPU_L);
        e.mv.visitLdcInsn(e.constant(i, "L" + INSN + ";"));
        e.iconst(op);
        e.mv.visitVarInsn(LLOAD, VAL);
        e.mv.visitMethodInsn(INVOKESTATIC, OPERANDS, "write", "(" + CPU_D + "L" + INSN + ";IJ)V", false);
    }

    /** GPRs (bit per number) the memory operand's address reads. */
    static int addressRegisters(Instruction i) {
        int set = 0;
        Register b = i.memBase(), x = i.memIndex();
        if (b != Register.NONE && Operands.gprIndex(b) >= 0) set |= 1 << Operands.gprIndex(b);
        if (x != Register.NONE && Operands.gprIndex(x) >= 0) set |= 1 << Operands.gprIndex(x);
        return set;
    }
}
