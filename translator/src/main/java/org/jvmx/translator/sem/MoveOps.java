package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Semantics;

/**
 * Data movement (SDM Vol. 1, 7.3.1; Vol. 2 pages): MOV (general registers, memory, immediates,
 * moffs, imm64), MOVZX MOVSX MOVSXD, MOVBE, BSWAP, CMOVcc, SETcc, LEA, the sign extensions CBW
 * CWDE CDQE CWD CDQ CQO, XLAT, and the no-operations (NOP in every form, the reserved-NOP hint
 * space, ENDBR32/64). MOV to or from a segment, control or debug register belongs to the system
 * group ({@code movSpecial}).
 */
final class MoveOps {
    private MoveOps() {
    }

    private static final int RAX = 0, RDX = 2, RBX = 3;

    static void install(Isa.Installer in) {
        in.put(Mnemonic.MOV, MoveOps::mov);
        in.put(Mnemonic.MOVZX, (c, i) -> Operands.writeReg(c.gpr, i.register(0), Operands.read(c, i, 1)));
        in.put(Mnemonic.MOVSX, (c, i) -> Operands.writeReg(c.gpr, i.register(0),
                Operands.signExtend(Operands.read(c, i, 1), i.operandBits(1))));
        // MOVSXD Gv,Ez: sign-extends a doubleword under REX.W; without it a plain 32- (or 16-) bit move
        in.put(Mnemonic.MOVSXD, (c, i) -> Operands.writeReg(c.gpr, i.register(0),
                Operands.signExtend(Operands.read(c, i, 1), i.operandBits(1))));
        in.put(Mnemonic.MOVBE, (c, i) -> Operands.write(c, i, 0, byteSwap(Operands.read(c, i, 1), i.operandBits(0))));
        // BSWAP r16 is undefined in the SDM; Intel and AMD processors produce 0 in the low word
        in.put(Mnemonic.BSWAP, (c, i) -> {
            Register r = i.register(0);
            int bits = i.operandBits(0);
            Operands.writeReg(c.gpr, r, bits == 16 ? 0 : byteSwap(Operands.readReg(c.gpr, r), bits));
        });
        in.put(Mnemonic.LEA, MoveOps::lea);
        in.put(Mnemonic.CBW, (c, i) -> Operands.writeGpr(c.gpr, RAX, 16, (byte) c.gpr[RAX]));
        in.put(Mnemonic.CWDE, (c, i) -> Operands.writeGpr(c.gpr, RAX, 32, (short) c.gpr[RAX]));
        in.put(Mnemonic.CDQE, (c, i) -> c.gpr[RAX] = (int) c.gpr[RAX]);
        in.put(Mnemonic.CWD, (c, i) -> Operands.writeGpr(c.gpr, RDX, 16, (short) c.gpr[RAX] >> 15));
        in.put(Mnemonic.CDQ, (c, i) -> Operands.writeGpr(c.gpr, RDX, 32, (int) c.gpr[RAX] >> 31));
        in.put(Mnemonic.CQO, (c, i) -> c.gpr[RDX] = c.gpr[RAX] >> 63);
        in.put(Mnemonic.XLATB, MoveOps::xlat);
        // NOP Ev / the 0F 0D, 0F 18-1F hint space: no memory access, no fault (SDM Vol. 2B, NOP)
        Semantics nop = (c, i) -> { };
        in.put(Mnemonic.NOP, nop);
        in.put(Mnemonic.RESERVEDNOP, nop);
        // ENDBR: a NOP while CET indirect-branch tracking is off (jvmx does not model CET)
        in.put(Mnemonic.ENDBR64, nop);
        in.put(Mnemonic.ENDBR32, nop);
        for (Mnemonic m : Mnemonic.values()) {
            String n = m.name();
            if (n.startsWith("CMOV") && IntAccess.conditionCode(n.substring(4)) >= 0) {
                int cc = IntAccess.conditionCode(n.substring(4));
                in.put(m, (c, i) -> cmov(c, i, cc));
            } else if (n.startsWith("SET") && IntAccess.conditionCode(n.substring(3)) >= 0) {
                int cc = IntAccess.conditionCode(n.substring(3));
                in.put(m, (c, i) -> Operands.write(c, i, 0, c.flags.condition(cc) ? 1 : 0));
            }
        }
    }

    private static void mov(Cpu c, Instruction i) {
        if (special(i, 0) || special(i, 1)) {
            movSpecial(c, i);
            return;
        }
        Operands.write(c, i, 0, Operands.read(c, i, 1));
    }

    /** Operand {@code op} is a register that is not a general-purpose one (Sreg, CRn, DRn). */
    private static boolean special(Instruction i, int op) {
        return i.operandKind(op) == OperandKind.REGISTER && Operands.gprIndex(i.register(op)) < 0;
    }

    /** MOV to/from segment, control and debug registers: privileged and sensitive, so the system group's. */
    private static void movSpecial(Cpu c, Instruction i) {
        SystemOps.movSpecial(c, i);
    }

    /**
     * CMOVcc Gv,Ev: the source is read (and may fault) whatever the condition; a 32-bit destination
     * is zero-extended even when nothing moves (SDM Vol. 2A, CMOVcc; Vol. 1, 3.4.1.1).
     */
    private static void cmov(Cpu c, Instruction i, int cc) {
        long v = Operands.read(c, i, 1);
        Register r = i.register(0);
        if (c.flags.condition(cc)) Operands.writeReg(c.gpr, r, v);
        else if (i.operandBits(0) == 32) Operands.writeReg(c.gpr, r, Operands.readReg(c.gpr, r));
    }

    /**
     * LEA Gv,M: the effective address without segment base, truncated to the address size and then
     * to the operand size (SDM Vol. 2A, LEA, Table 3-54).
     */
    private static void lea(Cpu c, Instruction i) {
        long a = i.memDisplacement();
        if (!i.isRipRelative()) {
            Register b = i.memBase();
            if (b != Register.NONE) a += c.gpr[Operands.gprIndex(b)];
            Register x = i.memIndex();
            if (x != Register.NONE && Operands.gprIndex(x) >= 0) a += c.gpr[Operands.gprIndex(x)] * i.memScale();
        }
        if (i.addressSize() == 32) a &= 0xFFFF_FFFFL;
        Operands.writeReg(c.gpr, i.register(0), a);
    }

    /** XLAT: AL = byte at seg:[rBX + AL] (the index is AL zero-extended, not RAX). */
    private static void xlat(Cpu c, Instruction i) {
        long a = c.gpr[RBX] + (c.gpr[RAX] & 0xFF);
        if (i.addressSize() == 32) a &= 0xFFFF_FFFFL;
        a += Operands.segmentBase(c, i.memSegment());
        Operands.writeGpr(c.gpr, RAX, 8, Operands.readMem(c, i, a, 1));
    }

    /** The low {@code bits} (16, 32 or 64) of v in reversed byte order. */
    static long byteSwap(long v, int bits) {
        return switch (bits) {
            case 64 -> Long.reverseBytes(v);
            case 32 -> Integer.reverseBytes((int) v) & 0xFFFF_FFFFL;
            default -> Short.reverseBytes((short) v) & 0xFFFFL;
        };
    }
}
