package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Semantics;

/**
 * SSE4.1 element insert and extract between XMM registers and general registers or memory
 * (SDM Vol. 2, PEXTRB/PEXTRW/PEXTRD/PEXTRQ, EXTRACTPS, PINSRB/PINSRD/PINSRQ, INSERTPS).
 * Memory operands have the element's size and no alignment rule. A general-register
 * destination receives the element zero-extended to the whole register.
 */
public final class Sse41InsertExtract {
    private Sse41InsertExtract() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.PEXTRB, extract(8));
        in.put(Mnemonic.PEXTRD, extract(32));
        in.put(Mnemonic.PEXTRQ, extract(64));
        in.put(Mnemonic.EXTRACTPS, extract(32));
        in.put(Mnemonic.PINSRB, insert(8));
        in.put(Mnemonic.PINSRD, insert(32));
        in.put(Mnemonic.PINSRQ, insert(64));
        in.put(Mnemonic.INSERTPS, Sse41InsertExtract::insertps);
    }

    /**
     * PEXTRW of SSE4.1 ({@code 66 0F 3A 15}: r32/r64 or m16, xmm, imm8): word imm8[2:0] of the
     * XMM source. The mnemonic PEXTRW is installed with the SSE2 group; it delegates here for
     * this opcode's forms (the register form behaves as SSE2's {@code 66 0F C5}).
     */
    public static void pextrwMem(Cpu c, Instruction i) {
        extractElement(c, i, 16);
    }

    /** Element {@code imm8 mod (128 / bits)} of the XMM operand 1 into operand 0. */
    static Semantics extract(int bits) {
        return (c, i) -> extractElement(c, i, bits);
    }

    private static void extractElement(Cpu c, Instruction i, int bits) {
        c.checkSse();
        int x = Ssse3Xmm.reg(i, 1);
        int n = 128 / bits;
        int k = (int) i.immediate(2) & (n - 1);
        int per = 64 / bits;
        long v = c.state.xmm[2 * x + k / per] >>> (k % per * bits) & Operands.mask(bits);
        if (i.operandKind(0) == OperandKind.REGISTER) {
            Operands.writeReg(c.gpr, i.register(0), v);
        } else {
            Operands.writeMem(c, i, Operands.address(c, i), bits / 8, v);
        }
    }

    /** PINSRx: element {@code imm8 mod (128 / bits)} of the XMM destination from a general register's low bits or memory. */
    static Semantics insert(int bits) {
        return (c, i) -> {
            c.checkSse();
            long v = i.operandKind(1) == OperandKind.REGISTER ? Operands.readReg(c.gpr, i.register(1))
                    : Operands.readMem(c, i, Operands.address(c, i), bits / 8);
            v &= Operands.mask(bits);
            int x = Ssse3Xmm.reg(i, 0);
            int n = 128 / bits, per = 64 / bits;
            int k = (int) i.immediate(2) & (n - 1);
            int q = 2 * x + k / per, sh = k % per * bits;
            c.state.xmm[q] = c.state.xmm[q] & ~(Operands.mask(bits) << sh) | v << sh;
        };
    }

    /**
     * INSERTPS: dword imm8[7:6] of an XMM source (a memory source is the dword itself) into dword
     * imm8[5:4] of the destination, then the dwords flagged in imm8[3:0] cleared.
     */
    static void insertps(Cpu c, Instruction i) {
        c.checkSse();
        int imm = (int) i.immediate(2);
        long v;
        if (i.operandKind(1) == OperandKind.REGISTER) {
            int s = Ssse3Xmm.reg(i, 1);
            int k = imm >> 6 & 3;
            v = c.state.xmm[2 * s + k / 2] >>> (k % 2 * 32);
        } else {
            v = Operands.readMem(c, i, Operands.address(c, i), 4);
        }
        int x = Ssse3Xmm.reg(i, 0);
        long[] d = Ssse3Xmm.lanes(Ssse3Xmm.xmm(c, x), 32, false);
        d[imm >> 4 & 3] = v & 0xFFFF_FFFFL;
        for (int k = 0; k < 4; k++) if ((imm >> k & 1) != 0) d[k] = 0;
        Ssse3Xmm.write(c, x, Ssse3Xmm.pack(d, 32));
    }
}
