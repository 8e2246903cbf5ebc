package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Near branches, calls, returns, loops and the stack against the host CPU: every Jcc under
 * all 64 combinations of the flags it can read, LOOP/LOOPE/LOOPNE/JRCXZ/JECXZ at count
 * edges, CALL/RET (incl. RET imm16 and indirect forms), PUSH/POP of registers, immediates and
 * memory (incl. POP into RSP-based memory and 16-bit forms), PUSHF/POPF, ENTER/LEAVE, and
 * faults: #PF on a stack or memory operand outside the mapped scratch area.
 */
class ControlOpsTest implements DirectedCases {
    static final long SCRATCH = HostCpu.SCRATCH_BASE;
    static final String[] JCC = {"jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp", "jnp", "jl",
            "jge", "jle", "jg"};
    /** Status-flag combinations covering every Jcc outcome: each of CF ZF SF OF PF on and off. */
    static final long[] FLAG_SETS;

    static {
        long[] bits = {HostState.CF, HostState.ZF, HostState.SF, HostState.OF, HostState.PF, HostState.AF};
        FLAG_SETS = new long[64];
        for (int m = 0; m < 64; m++) {
            long f = 0;
            for (int b = 0; b < 6; b++) if ((m >> b & 1) != 0) f |= bits[b];
            FLAG_SETS[m] = f;
        }
    }

    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        List<HostState> states = new ArrayList<>();
        Random rnd = new Random(7);
        HostState base = HostState.initial().withGpr(HostState.RBX, SCRATCH + 0x100);
        byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
        rnd.nextBytes(scratch);
        base = base.withScratch(scratch);
        // Jcc: taken skips an int3 (which would end the run with SIGTRAP); rel8 and rel32 forms.
        for (String j : JCC) {
            for (long f : FLAG_SETS) {
                code.add(j + " 1f\nint3\n1:\n");
                states.add(base.withRflags(f));
            }
            code.add(j + " 1f\n.fill 200, 1, 0xcc\n1:\n");
            states.add(base.withRflags(HostState.ZF | HostState.CF));
            code.add(j + " 1f\n.fill 200, 1, 0xcc\n1:\n");
            states.add(base.withRflags(HostState.SF));
        }
        // LOOP family and JRCXZ/JECXZ, counts 0, 1, 2, 2^32, 2^32 + 1 and -1 (the 67 forms use ECX).
        long[] counts = {0, 1, 2, 3, 0x1_0000_0000L, 0x1_0000_0001L, -1};
        for (long n : counts) {
            for (String l : new String[] {"loop", "loope", "loopne", "jrcxz", "jecxz", "addr32 loop"}) {
                for (long f : new long[] {0, HostState.ZF}) {
                    code.add(l + " 1f\nint3\n1:\n");
                    states.add(base.withGpr(HostState.RCX, n).withRflags(f));
                }
            }
            code.add("1: loop 1b\n");
            states.add(base.withGpr(HostState.RCX, Math.max(1, n & 0xFFF))); // 0 would loop 2^64 times
        }
        // CALL/RET: direct, indirect through a register and memory, RET imm16.
        code.add("call 1f\nint3\n1: pop rax\n");
        code.add("lea rax, [rip + 2f]\ncall rax\nint3\n2: pop rcx\n");
        code.add("lea rax, [rip + 2f]\nmov [rbx], rax\ncall qword ptr [rbx]\nint3\n2: pop rcx\n");
        code.add("call 1f\njmp 2f\n1: ret\n2:\n");
        code.add("push 7\npush 8\ncall 1f\njmp 2f\n1: ret 16\n2:\n");
        code.add("lea rax, [rip + 1f]\njmp rax\nint3\n1:\n");
        code.add("lea rax, [rip + 1f]\nmov [rbx+8], rax\njmp qword ptr [rbx+8]\nint3\n1:\n");
        for (int k = 0; k < 7; k++) states.add(base);
        // PUSH/POP: every register, immediates, memory, 16-bit forms, RSP itself.
        for (String r : new String[] {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
                "r12", "r13", "r14", "r15"}) {
            code.add("push " + r + "\npop rax\npush rax\npop " + r + "\n");
            states.add(randomGprs(base, rnd));
        }
        code.add("push -1\npush 0x7f\npush -0x80000000\npush 0x12345678\npop rax\npop rcx\npop rdx\npop rsi\n");
        code.add("push qword ptr [rbx+16]\npop qword ptr [rbx+24]\n");
        code.add("push qword ptr [rsp]\npop qword ptr [rsp+8]\n");
        code.add("pop qword ptr [rsp]\n");
        code.add("pop qword ptr [rsp+8]\n");
        code.add("push ax\npush word ptr [rbx]\npop cx\npop dx\n");
        code.add("pushw 0x1234\npop ax\n");
        code.add("push rsp\npop rax\n");
        code.add("mov rax, rsp\npop rsp\nmov rsp, rax\n");
        for (int k = 0; k < 9; k++) states.add(randomGprs(base, rnd));
        // PUSHF/POPF: all status-flag patterns through the stack; DF too.
        for (long f : FLAG_SETS) {
            code.add("pushfq\npop rax\nand rax, 0xcd5\n");
            states.add(base.withRflags(f | (f & HostState.CF) * 0x400));
            code.add("push rcx\npopfq\npushf\npop ax\n");
            states.add(base.withGpr(HostState.RCX, (f ^ 0xcd5) | 0x202));
        }
        // ENTER/LEAVE at several nesting levels.
        for (int level : new int[] {0, 1, 2, 3, 5, 31, 32}) {
            code.add("enter 0x20, " + level + "\nmov rax, rsp\nmov rcx, rbp\nleave\n");
            states.add(base.withGpr(HostState.RBP, HostCpu.DEFAULT_RSP + 0x100));
        }
        code.add("enter 8, 0\nleave\nenter 0x100, 1\nleave\n");
        states.add(base.withGpr(HostState.RBP, HostCpu.DEFAULT_RSP + 0x40));
        // Faults: #PF pushing below the mapped stack, popping from unmapped memory, calling through it.
        code.add("push rax\n");
        states.add(base.withGpr(HostState.RSP, SCRATCH));
        code.add("pop rax\n");
        states.add(base.withGpr(HostState.RSP, SCRATCH + HostCpu.SCRATCH_SIZE));
        code.add("call qword ptr [rcx]\n");
        states.add(base.withGpr(HostState.RCX, 0x1000));
        code.add("ret\n");
        states.add(base.withGpr(HostState.RSP, 0x5000));
        code.add("push qword ptr [rcx]\n");
        states.add(base.withGpr(HostState.RCX, 0x8000_0000_0000_0000L));
        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> cases = new ArrayList<>();
        for (int k = 0; k < bytes.size(); k++) cases.add(new HostCase(states.get(k), bytes.get(k)));
        return cases;
    }

    static HostState randomGprs(HostState s, Random rnd) {
        for (int r = 0; r < 16; r++) {
            if (r == HostState.RSP || r == HostState.RBX) continue;
            s = s.withGpr(r, rnd.nextLong());
        }
        return s;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
