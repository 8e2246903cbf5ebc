package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * Instructions that load a segment register from memory or the stack: LDS, LES, LFS, LGS, LSS
 * (SDM Vol. 2 "LDS/LES/LFS/LGS/LSS") and PUSH/POP of a segment register (SDM PUSH, POP). The
 * descriptor checks are {@link Segments#load}'s; they come before any register changes, so a
 * faulting load leaves the destination register and the stack pointer as they were.
 */
final class SegmentLoadOps {
    private SegmentLoadOps() {
    }

    /**
     * LFS, LGS, LSS. LDS and LES (C5, C4; not encodable in 64-bit mode) work through the same
     * {@link #loadFar} but are installed only once a 32-bit directed test covers them (the ISA
     * coverage table requires one): {@code in.put(Mnemonic.LDS, (c, i) -> loadFar(c, i, CpuState.DS))}.
     */
    static void install(Isa.Installer in) {
        in.put(Mnemonic.LFS, (c, i) -> loadFar(c, i, CpuState.FS));
        in.put(Mnemonic.LGS, (c, i) -> loadFar(c, i, CpuState.GS));
        in.put(Mnemonic.LSS, (c, i) -> loadFar(c, i, CpuState.SS));
    }

    /** True when operand {@code op} is a segment register (PUSH/POP Sreg). */
    static boolean isSegment(Instruction i, int op) {
        return i.register(op).kind() == Register.Kind.SEGMENT;
    }

    /** The ES..GS number of segment-register operand {@code op}. */
    static int segmentNumber(Instruction i, int op) {
        return i.register(op).ordinal() - Register.ES.ordinal();
    }

    /**
     * LxS r, m16:16/32/64: the memory operand holds an offset of the operand size followed by a
     * selector; the selector is loaded (checked) first, then the register gets the offset.
     */
    private static void loadFar(Cpu c, Instruction i, int seg) {
        long a = Operands.address(c, i);
        int bytes = i.operandSize() / 8;
        long offset = Operands.readMem(c, i, a, bytes);
        int selector = (int) Operands.readMem(c, i, a + bytes, 2) & 0xFFFF;
        Segments.load(c, seg, selector);
        Operands.writeReg(c.gpr, i.register(0), offset);
    }

    /**
     * PUSH Sreg: the stack pointer moves by the operand size, and the selector is stored with a
     * 16-bit move (the upper bytes of the slot are left as they were, as recent processors do;
     * SDM PUSH). The whole slot is checked first.
     */
    static void push(Cpu c, Instruction i, int bytes) {
        int sel = c.state.seg[segmentNumber(i, 0)].selector();
        long sp = (c.gpr[CpuState.RSP] - bytes) & Stack.mask(c);
        c.probeWriteData(CpuState.SS, sp, bytes);
        c.writeData(CpuState.SS, sp, 2, sel);
        Stack.setSp(c, sp);
    }

    /** POP Sreg: the selector is read and loaded (all checks) before the stack pointer moves. */
    static void pop(Cpu c, Instruction i, int bytes) {
        int sel = (int) Stack.read(c, 0, bytes) & 0xFFFF;
        Segments.load(c, segmentNumber(i, 0), sel);
        Stack.release(c, bytes);
    }
}
