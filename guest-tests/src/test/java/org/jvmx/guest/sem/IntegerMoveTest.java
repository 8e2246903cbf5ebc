package org.jvmx.guest.sem;

import static org.jvmx.guest.host.HostState.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * Data movement and flag instructions against the host CPU: MOV (register, memory, immediate,
 * imm64, moffs), MOVZX MOVSX MOVSXD, MOVBE, BSWAP, XCHG (registers), CMOVcc and SETcc (all
 * sixteen conditions, register and memory, the 32-bit CMOV zero-extension when the condition is
 * false), LEA (operand and address sizes, RIP-relative), CBW CWDE CDQE CWD CDQ CQO, XLAT, CLC STC
 * CMC CLD STD LAHF SAHF, NOP forms and ENDBR.
 */
class IntegerMoveTest implements DirectedCases {
    static final String[] CC = { "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g" };

    @Override
    public List<HostCase> cases() {
        IntegerArithTest.Kit k = new IntegerArithTest.Kit(0x30fe_0004L);
        for (int bits : IntegerArithTest.Kit.SIZES) {
            for (int n = 0; n < 6; n++) {
                k.add("mov " + k.a(bits) + ", " + k.c(bits));
                k.add("mov " + k.r9(bits) + ", " + k.mem(bits));
                k.add("mov " + k.mem(bits) + ", " + k.d(bits));
                k.add("mov " + k.mem(bits) + ", " + k.imm(bits));
                k.add("mov " + k.d(bits) + ", " + k.imm(bits));
                k.add("xchg " + k.a(bits) + ", " + k.c(bits));
                k.add("xchg " + k.r9(bits) + ", " + k.d(bits));
                if (bits > 8) k.add("xchg " + k.b(bits) + ", " + k.a(bits)); // 90+r short form
                if (bits == 8) k.add("mov ah, bl\nmov ch, dh\nxchg ah, dh");
            }
            k.add("movabs " + k.a(bits) + ", [" + (IntegerArithTest.Kit.BASE + 8) + "]");
            k.add("movabs [" + (IntegerArithTest.Kit.BASE + 16) + "], " + k.a(bits));
        }
        k.add("movabs rax, 0x8877665544332211\nmovabs r15, 0xfedcba9876543210\nmov r14d, -1");
        k.add("xchg eax, eax\nxchg rcx, rcx\nxchg r8d, eax\n.byte 0x66, 0x90\nnop\n.byte 0x48, 0x90");
        k.add("nop dword ptr [rax+rax*1+0]\nnop word ptr [rax+rax*1+0]\nnop dword ptr [rdx+0x1234]\nnop eax\n"
                + ".byte 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0\n.byte 0x0f, 0x19, 0xc0\nendbr64\nendbr32");
        for (int n = 0; n < 8; n++) {
            for (String src : new String[] { "cl", "byte ptr [rdi+3]", "bh" }) {
                String wide = src.equals("bh") ? "esi" : "r9"; // AH..BH cannot be encoded with REX
                k.add("movzx ax, " + src + "\nmovzx edx, " + src + "\nmovzx " + wide + ", " + src);
                k.add("movsx ax, " + src + "\nmovsx edx, " + src + "\nmovsx " + wide + ", " + src);
            }
            for (String src : new String[] { "cx", "word ptr [rdi+6]" }) {
                k.add("movzx eax, " + src + "\nmovzx r9, " + src + "\nmovsx edx, " + src + "\nmovsx r10, " + src);
            }
            k.add("movsxd rax, ecx\nmovsxd r9, dword ptr [rdi+4]\nmovsxd edx, ebx\n.byte 0x66, 0x63, 0xf1");
            k.add("movbe ax, [rdi+8]\nmovbe edx, [rdi+1]\nmovbe r9, [rdi+16]\nmovbe [rdi+24], cx\nmovbe [rdi+32], ebx\nmovbe [rdi+40], r10");
            k.add("bswap eax\nbswap rdx\nbswap r9d\nbswap r12\n.byte 0x66, 0x0f, 0xc9");
            k.add("cbw\nmov rcx, rax\ncwde\nmov rdx, rax\ncdqe");
            k.add("cwd\nmov r9, rdx\ncdq\nmov r10, rdx\ncqo");
            k.add("lea rax, [rcx+rdx*4+0x7fffffff]\nlea r9d, [rbx+rsi*8-8]\nlea dx, [rcx+rcx*2]\nlea r10, [rip+0x100]"
                    + "\nlea r11d, [ecx+edx*2+5]\nlea r12, [ebx-1]\nlea r13w, [r8d+r9d]\nlea r14, [0x12345678]");
            k.add("xlat", k.state().withGpr(RBX, IntegerArithTest.Kit.BASE - 128));
            k.add("xlatb\nmov r9, rax\naddr32 xlat", k.state().withGpr(RBX, IntegerArithTest.Kit.BASE - 0x7f));
            k.add("clc\nsetc al\nstc\nsetc cl\ncmc\nsetc dl\ncmc\nadc r9, 0");
            k.add("std\nlahf\nmov r9, rax\ncld\nsahf\nadc r10, r10", k.state().withGpr(RAX, k.r.nextLong()));
            k.add("std");
            k.add("sahf\nlahf");
            k.add("add ecx, edx\nlahf");
        }
        for (int n = 0; n < 10; n++) {
            for (String cc : CC) {
                k.add("cmov" + cc + " ax, cx\ncmov" + cc + " edx, dword ptr [rdi+4]\ncmov" + cc + " r9, rbx\ncmov" + cc + " r10d, r11d");
                k.add("cmov" + cc + " r12w, word ptr [rdi+2]\ncmov" + cc + " r13, qword ptr [rdi+8]");
                k.add("set" + cc + " al\nset" + cc + " byte ptr [rdi+1]\nset" + cc + " ah\nset" + cc + " r9b");
                k.add("cmp rcx, rdx\nset" + cc + " al\ncmov" + cc + " ebx, ecx");
            }
        }
        // a CMOV memory source faults even when the condition is false
        k.add("xor eax, eax\ncmovne ecx, dword ptr [rdi+0x4000]");
        return k.cases();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
