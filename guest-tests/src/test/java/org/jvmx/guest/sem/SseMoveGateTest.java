package org.jvmx.guest.sem;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.guest.host.Gas;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.translator.sem.SseIntegerOps;

/**
 * What the host CPU cannot show from user mode: the SSE gate (SDM Vol. 1, 13.1.4: CR0.TS
 * gives #NM, CR0.EM or a clear CR4.OSFXSR give #UD) for the SSE integer and move group, MOVNTI
 * (a general-purpose store) not gated, and the MMX-register forms of shared mnemonics gated as
 * MMX is (SDM Vol. 1, 9.6.3: CR0.EM gives #UD, CR0.TS #NM). Every fault leaves XMM registers and
 * memory as they were.
 */
class SseMoveGateTest {
    static final List<String> GATED = List.of(
            "paddb xmm1, xmm2", "pxor xmm3, xmmword ptr [rbx]", "psllw xmm1, 3", "pslldq xmm1, 4", "pshufd xmm1, xmm2, 0x1b",
            "movdqa xmm1, xmmword ptr [rbx]", "movdqu xmmword ptr [rbx], xmm1", "movd eax, xmm1", "movq xmm1, rax",
            "movss xmm1, xmm2", "movhps xmm1, qword ptr [rbx]", "movmskps eax, xmm1", "pextrw eax, xmm1, 2",
            "pinsrw xmm1, eax, 2", "maskmovdqu xmm1, xmm2", "movntdq xmmword ptr [rbx], xmm1", "movlhps xmm1, xmm2");
    static final List<String> MMX = List.of(
            "paddb mm0, mm1", "movq mm0, mm1", "movd mm0, eax", "movq rax, mm1", "pextrw eax, mm1, 1",
            "pinsrw mm1, eax, 1", "psllw mm1, 3", "psrad mm1, mm2", "pmovmskb eax, mm1", "pshufw mm0, mm1, 0",
            "punpcklbw mm0, mm1", "pand mm0, qword ptr [rbx]");

    private static final long DATA = 0x1000;

    private static Instruction decode(byte[] code) {
        Instruction i = new Instruction();
        new Decoder().decode(code, 0, code.length, 0x8000, i);
        assertFalse(i.isInvalid(), Arrays.toString(code));
        return i;
    }

    /** Runs {@code code} (one instruction) on a fresh CPU after {@code setup}; returns the fault vector or -1. */
    private static int run(byte[] code, java.util.function.Consumer<Cpu> setup, Cpu[] out) {
        PhysicalMemory ram = new PhysicalMemory();
        ram.addRam(0, 0x10000);
        Cpu c = Cpu.flat64(ram, false);
        c.gpr[CpuState.RBX] = DATA;
        c.gpr[CpuState.RDI] = DATA + 0x100;
        c.gpr[CpuState.RAX] = 0x1234_5678_9ABC_DEF0L;
        for (int x = 0; x < 32; x++) c.state.xmm[x] = 0x0101_0101_0101_0101L * (x + 1) | 0x8080_8080_8080_8080L;
        setup.accept(c);
        out[0] = c;
        Instruction i = decode(code);
        c.state.rip = i.nextIp();
        try {
            Isa.of(i).execute(c, i);
            return -1;
        } catch (GuestFault f) {
            return f.vector();
        }
    }

    private static void assertFaultChangesNothing(String asm, byte[] code, java.util.function.Consumer<Cpu> setup, int vector) {
        Cpu[] c = new Cpu[1];
        long[] xmmBefore = new long[32];
        for (int x = 0; x < 32; x++) xmmBefore[x] = 0x0101_0101_0101_0101L * (x + 1) | 0x8080_8080_8080_8080L;
        int v = run(code, setup, c);
        assertEquals(vector, v, asm);
        assertArrayEquals(xmmBefore, c[0].state.xmm, asm + ": XMM changed by a faulting instruction");
        for (int k = 0; k < 0x200; k += 8) assertEquals(0, c[0].read(DATA + k, 8), asm + ": memory written");
        assertEquals(0x1234_5678_9ABC_DEF0L, c[0].gpr[CpuState.RAX], asm);
    }

    @Test
    void crossesTheSseGate() {
        List<byte[]> code = Gas.assemble(GATED);
        for (int k = 0; k < GATED.size(); k++) {
            String asm = GATED.get(k);
            assertFaultChangesNothing(asm, code.get(k), c -> c.state.cr0 |= CpuState.CR0_TS, GuestFault.NM);
            assertFaultChangesNothing(asm, code.get(k), c -> c.state.cr0 |= CpuState.CR0_EM, GuestFault.UD);
            assertFaultChangesNothing(asm, code.get(k), c -> c.state.cr4 &= ~Cpu.CR4_OSFXSR, GuestFault.UD);
            Cpu[] c = new Cpu[1];
            assertEquals(-1, run(code.get(k), x -> { }, c), asm + " with SSE enabled");
        }
    }

    @Test
    void movntiIsNotGatedBySse() {
        byte[] code = Gas.assemble("movnti qword ptr [rbx], rax");
        Cpu[] c = new Cpu[1];
        assertEquals(-1, run(code, x -> x.state.cr0 |= CpuState.CR0_TS | CpuState.CR0_EM, c));
        assertEquals(0x1234_5678_9ABC_DEF0L, c[0].read(DATA, 8));
    }

    @Test
    void mmxFormsAreGated() {
        List<byte[]> code = Gas.assemble(MMX);
        for (int k = 0; k < MMX.size(); k++) {
            assertFaultChangesNothing(MMX.get(k), code.get(k), x -> x.state.cr0 |= CpuState.CR0_EM, GuestFault.UD);
            assertFaultChangesNothing(MMX.get(k), code.get(k), x -> x.state.cr0 |= CpuState.CR0_TS, GuestFault.NM);
        }
    }

    @Test
    void movsdXmmIsReadyForTheStringGroup() {
        // MOVSD xmm1, xmm2 through the entry point the string group dispatches to.
        byte[] code = Gas.assemble("movsd xmm1, xmm2");
        Instruction i = decode(code);
        assertEquals(Mnemonic.MOVSD, i.mnemonic());
        PhysicalMemory ram = new PhysicalMemory();
        ram.addRam(0, 0x10000);
        Cpu c = Cpu.flat64(ram, false);
        c.state.setXmm(1, 1, 2);
        c.state.setXmm(2, 3, 4);
        SseIntegerOps.movsdXmm(c, i);
        assertEquals(3, c.state.xmmLow(1));
        assertEquals(2, c.state.xmmHigh(1));
        c.state.cr0 |= CpuState.CR0_TS;
        GuestFault f = assertThrows(GuestFault.class, () -> SseIntegerOps.movsdXmm(c, i));
        assertEquals(GuestFault.NM, f.vector());
    }
}
