package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseIntInputs.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * SSE/SSE2 data movement against the host CPU: 128-bit moves (aligned ones #GP(0) on a
 * misaligned address, load or store, leaving memory unchanged; unaligned ones not), MOVD/MOVQ
 * in every XMM form, MOVSS, the half moves, sign masks, non-temporal stores, MASKMOVDQU (with
 * rDI misaligned, a 32-bit address, and an unmapped target), PEXTRW (both encodings) and PINSRW.
 */
class SseMoveTest implements DirectedCases {
    /** GPRs a case may write (not RSP, RBX, RDI: they hold the addresses). */
    static final String[] R64 = { "rax", "rcx", "rdx", "rbp", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    static final String[] R32 = { "eax", "ecx", "edx", "ebp", "esi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };

    private final List<String> code = new ArrayList<>();
    private final List<UnaryOperator<HostState>> tweak = new ArrayList<>();

    private void add(String snippet) {
        add(snippet, null);
    }

    private void add(String snippet, UnaryOperator<HostState> t) {
        code.add(snippet);
        tweak.add(t);
    }

    /** A random byte offset from RBX, anywhere in the 256-byte pattern block. */
    private static String any(SplittableRandom r) {
        return "[rbx+" + r.nextInt(240) + "]";
    }

    @Override
    public List<HostCase> cases() {
        code.clear();
        tweak.clear();
        SplittableRandom r = new SplittableRandom(0x30BE);
        for (String m : new String[] { "movdqa", "movaps", "movapd", "movdqu", "movups", "movupd" }) {
            boolean aligned = m.contains("a");
            for (int k = 0; k < 10; k++) add(m + " " + xmm(r) + ", " + xmm(r));
            for (int k = 0; k < 5; k++) add("{store} " + m + " " + xmm(r) + ", " + xmm(r));
            for (int k = 0; k < 10; k++) add(m + " " + xmm(r) + ", xmmword ptr " + aligned(r));
            for (int k = 0; k < 10; k++) add(m + " xmmword ptr " + aligned(r) + ", " + xmm(r));
            for (int k = 0; k < (aligned ? 4 : 10); k++) add(m + " " + xmm(r) + ", xmmword ptr " + misaligned(r));
            for (int k = 0; k < (aligned ? 4 : 10); k++) add(m + " xmmword ptr " + misaligned(r) + ", " + xmm(r));
            // a load, an operation and a store back, across the block
            add(m + " xmm1, xmmword ptr [rbx+32]\npaddb xmm1, xmm2\n" + m + " xmmword ptr [rbx+64], xmm1");
        }
        for (String m : new String[] { "movntdq", "movntps", "movntpd" }) {
            for (int k = 0; k < 10; k++) add(m + " xmmword ptr " + aligned(r) + ", " + xmm(r));
            for (int k = 0; k < 4; k++) add(m + " xmmword ptr " + misaligned(r) + ", " + xmm(r));
        }
        for (int k = 0; k < 12; k++) {
            String g32 = R32[r.nextInt(R32.length)], g64 = R64[r.nextInt(R64.length)];
            add("movd " + xmm(r) + ", " + g32);
            add("movd " + g32 + ", " + xmm(r));
            add("movd " + xmm(r) + ", dword ptr " + any(r));
            add("movd dword ptr " + any(r) + ", " + xmm(r));
            add("movq " + xmm(r) + ", " + g64);
            add("movq " + g64 + ", " + xmm(r));
            add("movq " + xmm(r) + ", qword ptr " + any(r));
            add("movq qword ptr " + any(r) + ", " + xmm(r));
            add("movq " + xmm(r) + ", " + xmm(r));
            add("{store} movq " + xmm(r) + ", " + xmm(r));
            add("movss " + xmm(r) + ", " + xmm(r));
            add("{store} movss " + xmm(r) + ", " + xmm(r));
            add("movss " + xmm(r) + ", dword ptr " + any(r));
            add("movss dword ptr " + any(r) + ", " + xmm(r));
            for (String m : new String[] { "movlps", "movlpd", "movhps", "movhpd" }) {
                add(m + " " + xmm(r) + ", qword ptr " + any(r));
                add(m + " qword ptr " + any(r) + ", " + xmm(r));
            }
            add("movlhps " + xmm(r) + ", " + xmm(r));
            add("movhlps " + xmm(r) + ", " + xmm(r));
            add("movmskps " + g32 + ", " + xmm(r));
            add("movmskps " + g64 + ", " + xmm(r));
            add("movmskpd " + g32 + ", " + xmm(r));
            add("movmskpd " + g64 + ", " + xmm(r));
            add("pmovmskb " + g32 + ", " + xmm(r));
            add("pmovmskb " + g64 + ", " + xmm(r));
            add("movnti dword ptr " + any(r) + ", " + g32);
            add("movnti qword ptr " + any(r) + ", " + g64);
            int imm = r.nextInt(256);
            add("pextrw " + g32 + ", " + xmm(r) + ", " + imm);
            add("pextrw " + g64 + ", " + xmm(r) + ", " + imm);
            add("{store} pextrw " + g32 + ", " + xmm(r) + ", " + imm);
            add("pextrw word ptr " + any(r) + ", " + xmm(r) + ", " + imm);
            add("pinsrw " + xmm(r) + ", " + g32 + ", " + imm);
            add("pinsrw " + xmm(r) + ", " + g64 + ", " + r.nextInt(256));
            add("pinsrw " + xmm(r) + ", word ptr " + any(r) + ", " + r.nextInt(8));
            // MASKMOVDQU: random masks; rDI aligned, misaligned, 32-bit address, unmapped
            add("maskmovdqu " + xmm(r) + ", " + xmm(r));
            long off = r.nextInt(64);
            add("maskmovdqu " + xmm(r) + ", " + xmm(r), s -> s.withGpr(HostState.RDI, DST + off));
            add("addr32 maskmovdqu " + xmm(r) + ", " + xmm(r), s -> s.withGpr(HostState.RDI, DST + off | 0xABCD_0000_0000L));
        }
        // Unmapped target: a mask with a selected byte faults, nothing stored.
        add("maskmovdqu xmm1, xmm2", s -> s.withGpr(HostState.RDI, 0x4000_0000L).withXmm(2, 0x80, 0));
        add("maskmovdqu xmm1, xmm2", s -> s.withGpr(HostState.RDI, 0x4000_0000L).withXmm(2, -1, -1));
        // Selected bytes straddle the end of the scratch area: the fault must store nothing.
        add("maskmovdqu xmm1, xmm2", s -> s.withGpr(HostState.RDI, org.jvmx.guest.host.HostCpu.SCRATCH_BASE
                + org.jvmx.guest.host.HostCpu.SCRATCH_SIZE - 8).withXmm(2, -1, -1));
        // 16-byte stores straddling the end of the scratch area: #PF with memory unchanged.
        long end = org.jvmx.guest.host.HostCpu.SCRATCH_BASE + org.jvmx.guest.host.HostCpu.SCRATCH_SIZE;
        add("movdqu xmmword ptr [rax], xmm3", s -> s.withGpr(HostState.RAX, end - 8));
        add("movups xmmword ptr [rax], xmm3", s -> s.withGpr(HostState.RAX, end - 1));
        add("movdqu xmm3, xmmword ptr [rax]", s -> s.withGpr(HostState.RAX, end - 8));
        // a non-canonical address is #GP(0)
        add("movdqa xmm3, xmmword ptr [rax]", s -> s.withGpr(HostState.RAX, 0x8000_0000_0000_0000L));
        // through SS: alignment is still #GP(0); a non-canonical address is #SS(0)
        add("movdqa xmm1, xmmword ptr [rsp+8]");
        add("movaps xmmword ptr [rsp-24], xmm1");
        add("movdqa xmmword ptr [rsp+16], xmm1\nmovdqu xmm2, xmmword ptr [rsp+9]");
        add("movdqu xmm3, xmmword ptr [rbp]", s -> s.withGpr(HostState.RBP, 0x8000_0000_0000_0000L));
        add("movups xmmword ptr [rbp+8], xmm3", s -> s.withGpr(HostState.RBP, 0x7FFF_FFFF_FFF8L));
        // 16 bytes running from the last canonical page into non-canonical space
        add("movdqu xmm3, xmmword ptr [rax]", s -> s.withGpr(HostState.RAX, 0x7FFF_FFFF_FFF8L));
        add("movdqu xmmword ptr [rax], xmm3", s -> s.withGpr(HostState.RAX, 0x7FFF_FFFF_FFF9L));
        return SseIntInputs.cases(code, tweak, r);
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
