package org.jvmx.translator.jit;

import static org.jvmx.translator.jit.X86.*;

import java.util.Random;
import java.util.function.Consumer;
import org.jvmx.translator.exec.Cpu;

/**
 * Random loops over the integer instructions the JIT inlines (and some it does not): ALU ops
 * at every size on registers, immediates and memory, MOV/LEA, INC/DEC, PUSH/POP, forward
 * conditional branches (so the loop body is several blocks), CALL/RET to a subroutine.
 * RBX points at data, RSP at the stack, R15 counts the iterations.
 */
final class RandomPrograms {
    private static final int[] REGS = {RAX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14};
    private static final int[] BITS = {8, 16, 32, 64, 64, 64};
    private static final int[] OPS = {ADD, OR, AND, SUB, XOR, CMP};

    /** Other forms, most through the generic path (their registers and memory meet inlined code). */
    private static final int[][] MIXED = {
        {0x48, 0x0F, 0xAF, 0xC1}, // imul rax, rcx
        {0x48, 0xC1, 0xE2, 0x03}, // shl rdx, 3
        {0x48, 0xF7, 0xDE}, // neg rsi
        {0xF7, 0xD7}, // not edi
        {0x48, 0x11, 0xD0}, // adc rax, rdx
        {0x19, 0xF1}, // sbb ecx, esi
        {0x48, 0x0F, 0x44, 0xC2}, // cmove rax, rdx
        {0x0F, 0x92, 0xC1}, // setb cl
        {0x0F, 0xB6, 0x43, 0x10}, // movzx eax, byte [rbx+0x10]
        {0xF0, 0x48, 0x01, 0x43, 0x18}, // lock add [rbx+0x18], rax
        {0x48, 0x87, 0x53, 0x20}, // xchg [rbx+0x20], rdx
        {0x48, 0x0F, 0xBA, 0xE0, 0x05}, // bt rax, 5
        {0x48, 0x63, 0xC1}, // movsxd rax, ecx
        {0x48, 0x83, 0x43, 0x28, 0x07}, // add qword [rbx+0x28], 7
        {0xC6, 0x43, 0x30, 0x7F}, // mov byte [rbx+0x30], 0x7f
        {0xFF, 0x43, 0x34}, // inc dword [rbx+0x34]
        {0xFF, 0x73, 0x08, 0x8F, 0x43, 0x38}, // push qword [rbx+8]; pop qword [rbx+0x38]
        {0x80, 0x7B, 0x11, 0x03}, // cmp byte [rbx+0x11], 3
        {0x85, 0x4B, 0x40}, // test [rbx+0x40], ecx
        {0x66, 0x83, 0x6B, 0x44, 0x01}, // sub word [rbx+0x44], 1
        {0x48, 0x8D, 0x04, 0x4A}, // lea rax, [rdx+rcx*2]
        {0x67, 0x8D, 0x44, 0x4A, 0x10}, // lea eax, [edx+ecx*2+0x10]
        {0x66, 0x52, 0x66, 0x5A}, // push dx; pop dx (16-bit stack)
        {0x86, 0xE0}, // xchg al, ah
    };

    private RandomPrograms() {
    }

    static byte[] program(long seed, int bodyItems) {
        Random r = new Random(seed);
        X86 a = new X86(JitHarness.CODE);
        a.jmp(0); // patched below: over the subroutine
        long sub = a.here();
        a.alu(ADD, 64, RAX, RDX).aluImm(XOR, 32, RSI, 5).ret();
        long main = a.here();
        a.patchRel32(JitHarness.CODE + 1, JitHarness.CODE + 5, main);
        a.movImm32(R15, 1 + r.nextInt(12));
        long loop = a.here();
        for (int k = 0; k < bodyItems; k++) {
            if (r.nextInt(8) == 0) {
                // cmp/test, then a forward Jcc over one item
                // a flag-setting instruction right before the Jcc (compare-and-branch fusion)
                int bits = BITS[r.nextInt(BITS.length)];
                int op = new int[] {CMP, CMP, SUB, ADD, AND, OR, XOR}[r.nextInt(7)];
                switch (r.nextInt(6)) {
                    case 0 -> a.aluImm(op, bits, reg(r), r.nextInt(256));
                    case 1 -> a.aluMem(op, bits, reg(r), RBX, disp(r), r.nextBoolean());
                    case 2 -> a.test(bits, reg(r), reg(r));
                    case 3 -> {
                        if (r.nextBoolean()) a.inc(bits, reg(r));
                        else a.dec(bits, reg(r));
                    }
                    default -> a.alu(op, bits, reg(r), reg(r));
                }
                X86 skipped = new X86(a.here() + 2);
                item(skipped, r, sub);
                byte[] b = skipped.bytes();
                a.jcc(r.nextInt(16), a.here() + 2 + b.length);
                a.raw(toInts(b));
            } else {
                item(a, r, sub);
            }
        }
        a.dec(64, R15);
        a.jccNear(5, loop);
        return a.bytes();
    }

    private static int[] toInts(byte[] b) {
        int[] v = new int[b.length];
        for (int k = 0; k < b.length; k++) v[k] = b[k] & 0xFF;
        return v;
    }

    private static int reg(Random r) {
        return REGS[r.nextInt(REGS.length)];
    }

    private static int disp(Random r) {
        return r.nextInt(4) == 0 ? r.nextInt(2040) : 8 * r.nextInt(255);
    }

    private static void item(X86 a, Random r, long sub) {
        int bits = BITS[r.nextInt(BITS.length)];
        switch (r.nextInt(16)) {
            case 0, 1 -> a.alu(OPS[r.nextInt(OPS.length)], bits, reg(r), reg(r));
            case 2 -> a.aluImm(OPS[r.nextInt(OPS.length)], bits, reg(r), r.nextInt(256));
            case 3 -> a.mov(bits, reg(r), reg(r));
            case 4 -> {
                if (r.nextBoolean()) a.movImm64(reg(r), r.nextLong());
                else a.movImm32(reg(r), r.nextInt());
            }
            case 5 -> a.movMem(bits, reg(r), RBX, disp(r), r.nextBoolean());
            case 6 -> a.aluMem(OPS[r.nextInt(OPS.length)], bits, reg(r), RBX, disp(r), r.nextBoolean());
            case 7 -> {
                if (r.nextBoolean()) a.inc(bits, reg(r));
                else a.dec(bits, reg(r));
            }
            case 8 -> a.lea(reg(r), reg(r), reg(r), 1 << r.nextInt(4), r.nextInt(1000) - 500);
            case 9 -> a.push(reg(r)).alu(ADD, 64, reg(r), reg(r)).pop(reg(r));
            case 10 -> a.test(bits, reg(r), reg(r));
            case 11 -> {
                // high-byte registers: add al, ah / mov ch, dl / sub dh, ah
                int[][] forms = {{0x00, 0xE0}, {0x88, 0xD5}, {0x28, 0xE6}};
                a.raw(forms[r.nextInt(forms.length)]);
            }
            case 12 -> a.call(sub);
            case 13, 14 -> a.raw(MIXED[r.nextInt(MIXED.length)]);
            default -> a.nop();
        }
    }

    static Consumer<Cpu> registers(long seed) {
        return cpu -> {
            Random r = new Random(seed ^ 0x5DEECE66DL);
            for (int g : REGS) cpu.gpr[g] = r.nextInt(3) == 0 ? r.nextInt(16) : r.nextLong();
        };
    }
}
