package org.jvmx.guest.sem;

import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.Instruction;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.HostState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.translator.sem.Sse41InsertExtract;
import org.junit.jupiter.api.Test;

/**
 * SSE4.1 insert/extract against the host CPU: every element index (and the ignored high imm8
 * bits), 32- and 64-bit general registers (zero extension), high registers, byte registers'
 * merge rules, and unaligned memory operands of the element size.
 */
class Sse41InsertExtractTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x41E);
        Ssse3Cases b = new Ssse3Cases();
        for (int imm : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0x7f, 0x80, 0xf3, 0xff}) {
            for (String code : List.of(
                    "pextrb eax, xmm1, %d", "pextrb rcx, xmm9, %d", "pextrb r11d, xmm15, %d", "pextrb byte ptr [rbx+3], xmm2, %d",
                    "pextrd edx, xmm1, %d", "pextrd r9d, xmm12, %d", "pextrd dword ptr [rbx+5], xmm4, %d",
                    "pextrq rsi, xmm1, %d", "pextrq r13, xmm10, %d", "pextrq qword ptr [rbx+0x11], xmm6, %d",
                    "extractps eax, xmm3, %d", "extractps r10, xmm3, %d", "extractps dword ptr [rbx+2], xmm7, %d",
                    "pinsrb xmm1, eax, %d", "pinsrb xmm10, r14d, %d", "pinsrb xmm2, byte ptr [rbx+7], %d",
                    "pinsrd xmm1, ecx, %d", "pinsrd xmm13, r8d, %d", "pinsrd xmm2, dword ptr [rbx+9], %d",
                    "pinsrq xmm1, rdx, %d", "pinsrq xmm11, r15, %d", "pinsrq xmm2, qword ptr [rbx-3], %d",
                    "insertps xmm1, dword ptr [rbx+6], %d"))
                for (int k = 0; k < 3; k++) b.add(code.formatted(imm), Ssse3Cases.randomState(r));
        }
        for (int imm = 0; imm < 256; imm++) {
            b.add("insertps xmm1, xmm2, " + imm, Ssse3Cases.randomState(r));
            b.add("insertps xmm4, xmm4, " + imm, Ssse3Cases.randomState(r));
            b.add("insertps xmm9, xmm14, " + imm, Ssse3Cases.randomState(r));
        }
        // Writes to memory that fault leave memory and registers untouched (page beyond scratch).
        b.add("pextrq qword ptr [rbx+0x1ffc], xmm6, 1", Ssse3Cases.randomState(r));
        b.add("pinsrd xmm1, dword ptr [rbx+0x1ffe], 1", Ssse3Cases.randomState(r));
        b.add("pinsrq xmm1, qword ptr [rbx+0x1efa], 1", Ssse3Cases.randomState(r));
        b.add("pextrq qword ptr [rbx+0x1efa], xmm6, 1", Ssse3Cases.randomState(r));
        b.add("pextrd dword ptr [rbx+0x1efe], xmm6, 1", Ssse3Cases.randomState(r));
        b.add("pextrb byte ptr [rbx+0x1eff], xmm6, 1", Ssse3Cases.randomState(r));
        b.add("extractps dword ptr [rbx+0x1efd], xmm6, 1", Ssse3Cases.randomState(r));
        return b.build();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }

    /**
     * PEXTRW's SSE4.1 form (66 0F 3A 15) is installed by the SSE2 group, which delegates to
     * {@link Sse41InsertExtract#pextrwMem}: checked here directly against the host CPU on a flat
     * CPU whose RAM sits at the scratch address.
     */
    @Test
    void pextrwSse41FormMatchesHost() {
        SplittableRandom r = new SplittableRandom(0x3A15);
        Ssse3Cases b = new Ssse3Cases();
        for (int imm : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f, 0xff})
            for (String code : List.of("pextrw word ptr [rbx+3], xmm2, %d", "pextrw word ptr [rbx-0x20], xmm11, %d"))
                for (int k = 0; k < 4; k++) b.add(code.formatted(imm), Ssse3Cases.randomState(r));
        List<HostCase> cases = b.build();
        List<HostResult> host = HostCpu.get().run(cases);
        for (int k = 0; k < cases.size(); k++) {
            HostCase c = cases.get(k);
            HostState in = c.state(), want = host.get(k).state();
            try (PhysicalMemory ram = new PhysicalMemory()) {
                MemorySegment m = ram.addRam(HostCpu.SCRATCH_BASE, HostCpu.SCRATCH_SIZE);
                MemorySegment.copy(in.scratch(), 0, m, ValueLayout.JAVA_BYTE, 0, HostCpu.SCRATCH_SIZE);
                Cpu cpu = Cpu.flat64(ram, true);
                System.arraycopy(in.gpr(), 0, cpu.gpr, 0, 16);
                System.arraycopy(in.xmm(), 0, cpu.state.xmm, 0, 32);
                Instruction insn = new Instruction();
                new Decoder().decode(c.code(), 0, c.code().length, HostCpu.CODE_BASE, insn);
                cpu.state.rip = insn.nextIp();
                Sse41InsertExtract.pextrwMem(cpu, insn);
                assertArrayEquals(want.scratch(), m.toArray(ValueLayout.JAVA_BYTE), "case " + k + " memory");
                assertArrayEquals(want.gpr(), cpu.gpr, "case " + k + " registers");
            }
        }
    }
}
