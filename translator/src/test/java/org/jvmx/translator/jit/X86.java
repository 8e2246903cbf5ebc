package org.jvmx.translator.jit;

import java.io.ByteArrayOutputStream;

/** A tiny x86-64 encoder for the JIT tests (register numbers in ModRM order). */
final class X86 {
    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7, R8 = 8, R9 = 9, R10 = 10,
            R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
    /** ALU operation numbers (the /digit of 81/83 and bits 5:3 of the r/m,reg opcode). */
    static final int ADD = 0, OR = 1, AND = 4, SUB = 5, XOR = 6, CMP = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final long base;

    X86(long base) {
        this.base = base;
    }

    long here() {
        return base + out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    X86 raw(int... b) {
        for (int x : b) out.write(x);
        return this;
    }

    private void imm(long v, int bytes) {
        for (int k = 0; k < bytes; k++) out.write((int) (v >>> (8 * k)));
    }

    private void rex(boolean w, int reg, int index, int rm, boolean force) {
        int r = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((rm >> 3) & 1);
        if (r != 0x40 || force) out.write(r);
    }

    /** reg-reg ModRM. */
    private void modrmReg(int reg, int rm) {
        out.write(0xC0 | (reg & 7) << 3 | (rm & 7));
    }

    /** [base + disp32] ModRM (+SIB when base is RSP/R12). */
    private void modrmMem(int reg, int baseReg, int disp) {
        if ((baseReg & 7) == 4) {
            out.write(0x80 | (reg & 7) << 3 | 4);
            out.write(0x24);
        } else {
            out.write(0x80 | (reg & 7) << 3 | (baseReg & 7));
        }
        imm(disp, 4);
    }

    /** ALU r64, r64 (op dst, src). bits 64, 32, 16 or 8. */
    X86 alu(int op, int bits, int dst, int src) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, src, 0, dst, bits == 8 && (dst >= 4 || src >= 4));
        out.write(op << 3 | (bits == 8 ? 0 : 1));
        modrmReg(src, dst);
        return this;
    }

    /** ALU r, imm8 (sign-extended). */
    X86 aluImm(int op, int bits, int dst, int imm8) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, 0, 0, dst, bits == 8 && dst >= 4);
        out.write(bits == 8 ? 0x80 : 0x83);
        modrmReg(op, dst);
        out.write(imm8);
        return this;
    }

    /** ALU [base+disp], r (op mem, reg) or ALU r, [base+disp] when {@code toReg}. */
    X86 aluMem(int op, int bits, int reg, int baseReg, int disp, boolean toReg) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, reg, 0, baseReg, bits == 8 && reg >= 4);
        out.write(op << 3 | (toReg ? 2 : 0) | (bits == 8 ? 0 : 1));
        modrmMem(reg, baseReg, disp);
        return this;
    }

    /** TEST r, r. */
    X86 test(int bits, int a, int b) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, b, 0, a, bits == 8 && (a >= 4 || b >= 4));
        out.write(bits == 8 ? 0x84 : 0x85);
        modrmReg(b, a);
        return this;
    }

    /** MOV r, r. */
    X86 mov(int bits, int dst, int src) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, src, 0, dst, bits == 8 && (dst >= 4 || src >= 4));
        out.write(bits == 8 ? 0x88 : 0x89);
        modrmReg(src, dst);
        return this;
    }

    /** MOV r64, imm64. */
    X86 movImm64(int dst, long v) {
        rex(true, 0, 0, dst, false);
        out.write(0xB8 + (dst & 7));
        imm(v, 8);
        return this;
    }

    /** MOV r32, imm32. */
    X86 movImm32(int dst, int v) {
        rex(false, 0, 0, dst, false);
        out.write(0xB8 + (dst & 7));
        imm(v, 4);
        return this;
    }

    /** MOV [base+disp], r (store) or MOV r, [base+disp] (load). */
    X86 movMem(int bits, int reg, int baseReg, int disp, boolean load) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, reg, 0, baseReg, bits == 8 && reg >= 4);
        out.write((bits == 8 ? 0x88 : 0x89) | (load ? 2 : 0));
        modrmMem(reg, baseReg, disp);
        return this;
    }

    /** LEA r64, [base + index*scale + disp32]. */
    X86 lea(int dst, int baseReg, int index, int scale, int disp) {
        rex(true, dst, index, baseReg, false);
        out.write(0x8D);
        out.write(0x80 | (dst & 7) << 3 | 4);
        out.write(Integer.numberOfTrailingZeros(scale) << 6 | (index & 7) << 3 | (baseReg & 7));
        imm(disp, 4);
        return this;
    }

    X86 inc(int bits, int r) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, 0, 0, r, bits == 8 && r >= 4);
        out.write(bits == 8 ? 0xFE : 0xFF);
        modrmReg(0, r);
        return this;
    }

    X86 dec(int bits, int r) {
        if (bits == 16) out.write(0x66);
        rex(bits == 64, 0, 0, r, bits == 8 && r >= 4);
        out.write(bits == 8 ? 0xFE : 0xFF);
        modrmReg(1, r);
        return this;
    }

    X86 push(int r) {
        rex(false, 0, 0, r, false);
        out.write(0x50 + (r & 7));
        return this;
    }

    X86 pop(int r) {
        rex(false, 0, 0, r, false);
        out.write(0x58 + (r & 7));
        return this;
    }

    X86 nop() {
        return raw(0x90);
    }

    /** Jcc rel8 to {@code target}. */
    X86 jcc(int cc, long target) {
        long rel = target - (here() + 2);
        if (rel < -128 || rel > 127) throw new IllegalArgumentException("rel8 out of range");
        return raw(0x70 | cc, (int) rel & 0xFF);
    }

    /** Jcc rel32 to {@code target}. */
    X86 jccNear(int cc, long target) {
        long rel = target - (here() + 6);
        raw(0x0F, 0x80 | cc);
        imm(rel, 4);
        return this;
    }

    X86 jmp(long target) {
        long rel = target - (here() + 5);
        out.write(0xE9);
        imm(rel, 4);
        return this;
    }

    X86 call(long target) {
        long rel = target - (here() + 5);
        out.write(0xE8);
        imm(rel, 4);
        return this;
    }

    X86 ret() {
        return raw(0xC3);
    }

    /** Patches a rel32 at {@code at} (absolute address of the 4 bytes) so the branch ending at {@code end} goes to {@code target}. */
    void patchRel32(long at, long end, long target) {
        byte[] b = out.toByteArray();
        long rel = target - end;
        int o = (int) (at - base);
        out.reset();
        for (int k = 0; k < 4; k++) b[o + k] = (byte) (rel >>> (8 * k));
        out.writeBytes(b);
    }
}
