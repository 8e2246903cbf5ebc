package org.jvmx.guest.host;

import static org.jvmx.guest.host.HostState.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known results of real instructions run natively through the harness (Intel SDM Vol. 2). */
class HostCpuTest {
    private static final HostCpu CPU = HostCpu.get();

    private static HostResult run(HostState s, String asm) {
        return CPU.run(new HostCase(s, Gas.assemble(asm)));
    }

    private static HostState ok(HostResult r) {
        assertFalse(r.faulted(), () -> r.toString());
        return r.state();
    }

    @Test
    void addWithCarryOutSetsCfZfButNotOf() {
        HostState s = ok(run(initial().withGpr(RAX, -1L).withGpr(RCX, 1), "add rax, rcx"));
        assertEquals(0, s.gpr(RAX));
        assertTrue(s.flag(CF) && s.flag(ZF) && s.flag(PF) && s.flag(AF));
        assertFalse(s.flag(OF) || s.flag(SF));
    }

    @Test
    void addSignedOverflowSetsOfSfButNotCf() {
        HostState s = ok(run(initial().withGpr(RAX, Long.MAX_VALUE).withGpr(RCX, 1), "add rax, rcx"));
        assertEquals(Long.MIN_VALUE, s.gpr(RAX));
        assertTrue(s.flag(OF) && s.flag(SF));
        assertFalse(s.flag(CF) || s.flag(ZF));
    }

    @Test
    void flagsFromTheStateAreSeenByAdcAndSbb() {
        String asm = "adc rax, 0\nsbb rcx, 0";
        HostState base = initial().withGpr(RAX, 41).withGpr(RCX, 10);
        HostState set = ok(run(base.withRflags(CF), asm));
        assertEquals(42, set.gpr(RAX));
        assertEquals(10, set.gpr(RCX)); // adc left CF clear
        HostState clear = ok(run(base.withRflags(0), asm));
        assertEquals(41, clear.gpr(RAX));
        // flags loaded verbatim: ZF|SF|OF survive a snippet that touches none of them
        HostState kept = ok(run(initial().withRflags(ZF | SF | OF | PF | AF | CF), "nop"));
        assertEquals(ZF | SF | OF | PF | AF | CF, kept.rflags() & LOADED_FLAGS);
    }

    @Test
    void dfFromTheStateMakesStosbGoDown() {
        long at = SCRATCH_BASE_PLUS(100);
        HostState s = ok(run(initial().withRflags(DF).withGpr(RDI, at).withGpr(RAX, 0xab), "stosb\nstosb"));
        assertEquals(at - 2, s.gpr(RDI));
        assertTrue(s.flag(DF));
        assertEquals((byte) 0xab, s.scratch()[100]);
        assertEquals((byte) 0xab, s.scratch()[99]);
        assertEquals(0, s.scratch()[98]);
    }

    @Test
    void divByZeroIsSigfpeAtTheDivWithTheStateBeforeIt() {
        HostResult r = run(initial().withGpr(RAX, 7), "nop\nnop\nxor edx, edx\ndiv rdx\nmov rax, 1");
        assertEquals(HostResult.SIGFPE, r.signal(), r::toString);
        assertEquals(4, r.ripOffset());
        assertEquals(7, r.state().gpr(RAX));
        assertEquals(0, r.state().gpr(RDX));
    }

    @Test
    void ud2IsSigillAndABadLoadIsSigsegvWithItsAddress() {
        HostResult ill = run(initial().withXmm(9, 0x1234, -2).withMxcsr(MXCSR_DEFAULT | 0x4000).withGpr(R13, 99),
                "nop\nud2");
        assertEquals(HostResult.SIGILL, ill.signal());
        assertEquals(1, ill.ripOffset());
        // the state at a fault comes from the signal frame: XMM, MXCSR and GPRs as before ud2
        assertEquals(0x1234, ill.state().xmmLo(9));
        assertEquals(-2, ill.state().xmmHi(9));
        assertEquals(MXCSR_DEFAULT | 0x4000, ill.state().mxcsr());
        assertEquals(99, ill.state().gpr(R13));
        assertEquals(HostCpu.DEFAULT_RSP, ill.state().gpr(RSP));
        HostResult segv = run(initial().withGpr(RBX, 0x40_0000_0000L), "mov rax, [rbx+8]");
        assertEquals(HostResult.SIGSEGV, segv.signal());
        assertEquals(0, segv.ripOffset());
        assertEquals(0x40_0000_0008L, segv.faultAddr());
    }

    @Test
    void nonCanonicalLoadIsSigsegvWithoutAnAddressAndANonCanonicalStackIsSigbus() {
        // #GP(0): the kernel gives no si_addr, which tells it from a #PF (SDM Vol. 3A, 6.15)
        HostResult gp = run(initial().withGpr(RDX, 0x8000_0000_0000_0000L), "mov rax, [rdx]");
        assertEquals(HostResult.SIGSEGV, gp.signal(), gp::toString);
        assertEquals(0, gp.faultAddr());
        // #SS(0) for a non-canonical stack reference becomes SIGBUS
        HostResult ss = run(initial().withGpr(RSP, 0x8000_0000_0000_0000L), "nop\npush rax");
        assertEquals(HostResult.SIGBUS, ss.signal(), ss::toString);
        assertEquals(1, ss.ripOffset());
    }

    @Test
    void savedCasesReplayFromTheCommandLine(@TempDir Path dir) throws Exception {
        List<HostCase> cases = List.of(new HostCase(initial().withGpr(RAX, 5), Gas.assemble("add rax, rax")),
                new HostCase(initial(), Gas.assemble("ud2")));
        Path file = dir.resolve("cases.bin");
        HostCpu.save(file, cases);
        List<HostCase> back = HostCpu.load(file);
        assertEquals(cases.get(0).state(), back.get(0).state());
        assertArrayEquals(cases.get(1).code(), back.get(1).code());
        Process p = new ProcessBuilder("sh", "-c", CPU.replayCommand(file)).inheritIO().start();
        assertEquals(0, p.waitFor());
        byte[] out = java.nio.file.Files.readAllBytes(Path.of(file + ".out"));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN).position(16);
        assertEquals(10, HostCpu.parse(b).state().gpr(RAX));
        assertEquals(HostResult.SIGILL, HostCpu.parse(b).signal());
    }

    @Test
    void pushPopAndCallGoThroughTheScratchStack() {
        HostState s = ok(run(initial().withGpr(RAX, 0x1111).withGpr(RCX, 0x2222),
                "push rax\npush rcx\npop rdx\npop rsi\ncall 1f\n1: pop rdi"));
        assertEquals(0x2222, s.gpr(RDX));
        assertEquals(0x1111, s.gpr(RSI));
        assertEquals(HostCpu.DEFAULT_RSP, s.gpr(RSP));
        assertEquals(HostCpu.CODE_BASE + 4 + 5, s.gpr(RDI)); // 4 one-byte push/pop, then call rel32
        // the call's return address went where rax was pushed; rcx's slot below is untouched
        assertEquals(HostCpu.CODE_BASE + 9, s.scratchLong(HostCpu.DEFAULT_RSP - 8));
        assertEquals(0x2222, s.scratchLong(HostCpu.DEFAULT_RSP - 16));
    }

    @Test
    void movdquToScratchAppearsInTheDump() {
        HostState s = ok(run(initial().withXmm(3, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L)
                .withGpr(RBX, SCRATCH_BASE_PLUS(0x31)), "movdqu [rbx], xmm3"));
        for (int i = 0; i < 16; i++) assertEquals(i, s.scratch()[0x31 + i]);
        assertEquals(0, s.scratch()[0x30]);
        assertEquals(0, s.scratch()[0x41]);
    }

    @Test
    void xmmAndMxcsrAreLoadedAndSaved() {
        HostState in = initial().withXmm(0, 5, 7).withXmm(1, 10, -7)
                .withXmm(2, Double.doubleToRawLongBits(2.7), 0);
        HostState s = ok(run(in, "paddq xmm0, xmm1\ncvtsd2si rax, xmm2"));
        assertEquals(15, s.xmmLo(0));
        assertEquals(0, s.xmmHi(0));
        assertEquals(3, s.gpr(RAX)); // round to nearest
        assertEquals(MXCSR_DEFAULT | 0x20, s.mxcsr()); // PE: 2.7 was inexact
        HostState trunc = ok(run(in.withMxcsr(MXCSR_DEFAULT | 0x6000), "cvtsd2si rax, xmm2"));
        assertEquals(2, trunc.gpr(RAX)); // RC = toward zero
        assertEquals(MXCSR_DEFAULT | 0x6000 | 0x20, trunc.mxcsr());
    }

    @Test
    void oneBatchSurvivesFaultsAndEndlessLoops() {
        List<byte[]> code = Gas.assemble(List.of("inc rax", "ud2", "1: jmp 1b", "xor ecx, ecx\ndiv ecx",
                "inc rax\ninc rax", "jmp .+30"));
        List<HostResult> rs = CPU.run(code.stream().map(c -> new HostCase(initial().withGpr(RAX, 1), c)).toList());
        assertEquals(List.of(0, HostResult.SIGILL, HostResult.SIGALRM, HostResult.SIGFPE, 0, HostResult.SIGTRAP),
                rs.stream().map(HostResult::signal).toList());
        // a jump past the end (and past the harness's jump back) lands on int3: a trap, RIP after it
        assertEquals(31, rs.get(5).ripOffset());
        assertEquals(2, rs.get(0).state().gpr(RAX));
        assertEquals(3, rs.get(4).state().gpr(RAX));
        assertEquals(HostCpu.CODE_BASE + 6, rs.get(4).rip());
    }

    @Test
    void aMissingCompilerIsOneLineNamingIt() {
        Path src = HostCpu.get().executable().getParent().getParent().getParent().resolve("src/test/c/hostcpu.c");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HostCpu.build(src, src.resolveSibling("never-built"), "no-such-gcc-xyz"));
        assertTrue(e.getMessage().startsWith("hostcpu: cannot run 'no-such-gcc-xyz'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    private static long SCRATCH_BASE_PLUS(int off) { return HostCpu.SCRATCH_BASE + off; }
}
