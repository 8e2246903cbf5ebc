package org.jvmx.translator.jit;

import static org.jvmx.translator.jit.JitHarness.*;
import static org.jvmx.translator.jit.X86.*;
import static org.junit.jupiter.api.Assertions.*;

import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.PageTables;
import org.jvmx.translator.mem.PagingState;
import org.junit.jupiter.api.Test;

class BytecodeJitTest {

    @Test
    void countingLoopAgrees() {
        X86 a = new X86(CODE);
        a.movImm64(RCX, 100).movImm32(RAX, 0);
        long loop = a.here();
        a.alu(ADD, 64, RAX, RCX).aluImm(SUB, 64, RCX, 1).jcc(5, loop);
        byte[] code = a.bytes();
        for (boolean inline : new boolean[] {false, true}) {
            BytecodeJit jit = new BytecodeJit(32, inline);
            Run want = interpret(code, null, 1_000_000);
            Run got = compile(code, null, jit, 1_000_000);
            assertEquals(Exit.STOPPED, got.exit());
            assertEquals(5050, got.gpr(RAX));
            assertSame(want, got, "inline " + inline);
            assertTrue(got.cpu().stats.compiled > 0);
        }
    }

    @Test
    void randomProgramsAgreeWithTheInterpreter() {
        BytecodeJit generic = new BytecodeJit(32, false), inline = new BytecodeJit();
        for (long seed = 1; seed <= 500; seed++) {
            byte[] code = RandomPrograms.program(seed, 4 + (int) (seed % 40));
            Run want = interpret(code, RandomPrograms.registers(seed), 100_000);
            assertEquals(Exit.STOPPED, want.exit(), "seed " + seed);
            assertSame(want, compile(code, RandomPrograms.registers(seed), generic, 100_000), "generic, seed " + seed);
            assertSame(want, compile(code, RandomPrograms.registers(seed), inline, 100_000), "inline, seed " + seed);
        }
        assertTrue(inline.inlinedInstructions > 0);
        assertTrue(inline.fusedBranches > 0);
        assertTrue(inline.deadFlagSets > 0);
        assertEquals(0, generic.inlinedInstructions);
        System.out.printf("random programs: inline JIT inlined %d, generic %d, fused branches %d, dead flag sets %d;"
                + " largest method %d bytes%n", inline.inlinedInstructions, inline.genericInstructions, inline.fusedBranches,
                inline.deadFlagSets, inline.largestMethod);
    }

    private static final BytecodeJit[] BOTH = {new BytecodeJit(32, false), new BytecodeJit()};

    /** Identity paging over the first 256 KiB except the page at {@code hole} (not present) and {@code readOnly}. */
    private static java.util.function.Consumer<Cpu> paging(long hole, long readOnly, java.util.function.Consumer<Cpu> then) {
        return cpu -> {
            PageTables pt = new PageTables(cpu.memory.physical(), 0x30000);
            for (long pa = 0; pa < 0x30000; pa += 4096) {
                if (pa == hole) continue;
                pt.map4k(pa, pa, PageTables.P | (pa == readOnly ? 0 : PageTables.RW));
            }
            cpu.memory.tlb().setState(PagingState.longMode(pt.cr3));
            if (then != null) then.accept(cpu);
        };
    }

    @Test
    void pageFaultInTheMiddleOfALoopIsPrecise() {
        // stores march through memory until they reach the unmapped page 0xA000
        X86 a = new X86(CODE);
        a.movImm32(RCX, 1000).movImm32(RAX, 7);
        long loop = a.here();
        a.alu(ADD, 64, RDX, RAX).movMem(64, RAX, RBX, 0, false);
        long store2 = a.here();
        a.movMem(64, RDX, RBX, 8, false).aluImm(ADD, 64, RBX, 0x40).inc(64, RAX).dec(32, RCX).jcc(5, loop);
        byte[] code = a.bytes();
        var init = paging(0xA000, -1, null);
        Run want = interpret(code, init, 1_000_000);
        assertEquals(Exit.Kind.FAULT, want.exit().kind());
        assertEquals(14, want.exit().vector());
        assertEquals(0xA000, want.exit().faultAddress());
        for (BytecodeJit jit : BOTH) {
            Run got = compile(code, init, jit, 1_000_000);
            assertSame(want, got, "store fault");
            assertEquals(0xA000, got.gpr(RBX));
            assertTrue(got.cpu().stats.compiled > 0);
        }
        // a load from the hole, after one that succeeds in the same block
        X86 b = new X86(CODE);
        b.movImm32(RCX, 1000);
        long loop2 = b.here();
        b.movMem(64, RAX, RBX, 0, true).alu(ADD, 64, RDX, RAX).movMem(32, RSI, RBX, 0x20, true).aluImm(ADD, 64, RBX, 0x40)
                .dec(32, RCX).jcc(5, loop2);
        code = b.bytes();
        want = interpret(code, init, 1_000_000);
        assertEquals(14, want.exit().vector());
        assertNotEquals(store2, want.cpu().state.rip);
        for (BytecodeJit jit : BOTH) assertSame(want, compile(code, init, jit, 1_000_000), "load fault");
        // a read-modify-write on a read-only page, and a push into the hole
        X86 c = new X86(CODE);
        c.movImm32(RAX, 5).aluMem(ADD, 32, RAX, RBX, 0, false).movImm32(RDX, 9).push(RDX);
        code = c.bytes();
        var roInit = paging(0x1F000, 0x8000, cpu -> cpu.gpr[RSP] = 0x20000);
        want = interpret(code, roInit, 1_000_000);
        assertEquals(14, want.exit().vector());
        for (BytecodeJit jit : BOTH) assertSame(want, compile(code, roInit, jit, 1_000_000), "read-only fault");
        var pushInit = paging(0x1F000, -1, cpu -> cpu.gpr[RSP] = 0x20000);
        want = interpret(code, pushInit, 1_000_000);
        assertEquals(14, want.exit().vector());
        assertEquals(0x20000, want.gpr(RSP));
        for (BytecodeJit jit : BOTH) assertSame(want, compile(code, pushInit, jit, 1_000_000), "push fault");
    }

    @Test
    void nonCanonicalAccessIsAPreciseGeneralProtectionFault() {
        X86 a = new X86(CODE);
        a.movImm32(RCX, 3).alu(ADD, 64, RCX, RCX).movMem(64, RAX, RSI, 0, true).movImm32(RDX, 1);
        byte[] code = a.bytes();
        java.util.function.Consumer<Cpu> init = cpu -> cpu.gpr[RSI] = 0x8000_0000_0000_0000L;
        Run want = interpret(code, init, 1000);
        assertEquals(13, want.exit().vector());
        for (BytecodeJit jit : BOTH) {
            Run got = compile(code, init, jit, 1000);
            assertSame(want, got, "#GP");
            assertEquals(6, got.gpr(RCX));
            assertEquals(CODE + 5 + 3, got.cpu().state.rip);
        }
    }

    @Test
    void selfModifyingLoopSeesItsNewImmediate() {
        // loop: mov eax, imm32 (patched) / add rdx, rax / mov [rsi], ecx (rsi -> imm32) / dec ecx / jnz loop
        X86 a = new X86(CODE);
        a.movImm32(RCX, 5);
        long loop = a.here();
        a.movImm32(RAX, 1000);
        a.alu(ADD, 64, RDX, RAX).movMem(32, RCX, RSI, 0, false).dec(32, RCX).jcc(5, loop);
        byte[] code = a.bytes();
        java.util.function.Consumer<Cpu> init = cpu -> cpu.gpr[RSI] = loop + 1;
        Run want = interpret(code, init, 1_000_000);
        assertEquals(1000 + 5 + 4 + 3 + 2, want.gpr(RDX));
        for (BytecodeJit jit : BOTH) {
            Run got = compile(code, init, jit, 1_000_000);
            assertSame(want, got, "SMC");
            assertTrue(got.cpu().stats.codeInvalidations >= 5);
        }
    }

    @Test
    void staleBlockInsideARegionIsNotRun() {
        // A's region (compiled on the second iteration) holds B and W; W patches B's immediate
        // from then on; A is entered through an indirect jump, so the next iteration runs A's
        // region with B stale.
        X86 a = new X86(CODE);
        a.movImm32(RCX, 6).jmp(0);
        long j0 = a.here();
        long blockA = a.here();
        a.aluImm(ADD, 64, RDX, 1).jmp(0);
        long j1 = a.here();
        long blockB = a.here();
        a.movImm32(RAX, 100).alu(ADD, 64, RDI, RAX).call(0);
        long c1 = a.here();
        a.dec(32, RCX).jccNear(4, 0);
        long jz = a.here();
        a.raw(0x41, 0xFF, 0xE0); // jmp r8
        long blockW = a.here();
        a.aluImm(CMP, 32, RCX, 6).jcc(4, a.here() + 2 + 6); // not on the first iteration
        a.movMem(32, RCX, RSI, 0, false).ret();
        long end = a.here();
        a.patchRel32(j0 - 4, j0, blockA);
        a.patchRel32(j1 - 4, j1, blockB);
        a.patchRel32(c1 - 4, c1, blockW);
        a.patchRel32(jz - 4, jz, end);
        byte[] code = a.bytes();
        java.util.function.Consumer<Cpu> init = cpu -> {
            cpu.gpr[RSI] = blockB + 1;
            cpu.gpr[R8] = blockA;
        };
        Run want = interpret(code, init, 1_000_000);
        assertEquals(100 + 100 + 5 + 4 + 3 + 2, want.gpr(RDI));
        for (BytecodeJit jit : BOTH) {
            // predecoded, so A's region is built with B in it
            Run got = run(code, init, org.jvmx.translator.exec.Engine.Tier.COMPILE, jit, 1_000_000, true);
            assertSame(want, got, "stale block");
        }
    }

    @Test
    void budgetExitsAtTheSameBlockBoundaryAsTheInterpreter() {
        X86 a = new X86(CODE);
        a.movImm32(RCX, 100_000);
        long loop = a.here();
        a.aluImm(ADD, 64, RAX, 3).movMem(64, RAX, RBX, 0, false).dec(32, RCX).jcc(5, loop);
        byte[] code = a.bytes();
        for (long budget : new long[] {1, 2, 5, 137, 1000, 4321}) {
            Run want = interpret(code, null, budget);
            assertEquals(Exit.BUDGET, want.exit());
            for (BytecodeJit jit : BOTH) assertSame(want, compile(code, null, jit, budget), "budget " + budget);
        }
    }

    @Test
    void longStraightLineCodeStaysUnderHugeMethodLimit() {
        // 40 blocks of 64 memory read-modify-writes each, falling through: regions must split
        X86 a = new X86(CODE);
        java.util.Random r = new java.util.Random(7);
        for (int k = 0; k < 64 * 40; k++) {
            int op = new int[] {ADD, SUB, XOR, OR}[r.nextInt(4)];
            a.aluMem(op, 64, new int[] {RAX, RCX, RDX, RSI, RDI, R8, R9}[r.nextInt(7)], RBX, 8 * r.nextInt(200), r.nextInt(3) == 0);
        }
        byte[] code = a.bytes();
        var init = RandomPrograms.registers(3);
        Run want = interpret(code, init, 1_000_000);
        BytecodeJit jit = new BytecodeJit();
        Run got = run(code, init, org.jvmx.translator.exec.Engine.Tier.COMPILE, jit, 1_000_000, true);
        assertSame(want, got, "straight line");
        assertTrue(jit.largestMethod < 8000, "largest method " + jit.largestMethod);
        assertTrue(got.cpu().stats.regionsCompiled > 1);
        System.out.printf("straight line: %d regions, %d blocks, largest method %d bytes%n",
                got.cpu().stats.regionsCompiled, got.cpu().stats.blocksCompiled, jit.largestMethod);
        // 64 FS-based read-modify-writes: too big inline for one method, so the block falls back
        // to the generic path
        X86 f = new X86(CODE);
        for (int k = 0; k < 64 * 3; k++) f.raw(0x64, 0x48, 0x01, 0x83).raw(8 * (k % 100), 0, 0, 0);
        code = f.bytes();
        want = interpret(code, init, 1_000_000);
        BytecodeJit fsJit = new BytecodeJit();
        got = run(code, init, org.jvmx.translator.exec.Engine.Tier.COMPILE, fsJit, 1_000_000, true);
        assertSame(want, got, "fs straight line");
        assertTrue(fsJit.largestMethod < 8000, "largest method " + fsJit.largestMethod);
        assertTrue(fsJit.genericInstructions > 0);
        System.out.printf("fs straight line: %d regions, %d blocks, largest method %d bytes, %d inlined, %d generic%n",
                got.cpu().stats.regionsCompiled, got.cpu().stats.blocksCompiled, fsJit.largestMethod,
                fsJit.inlinedInstructions, fsJit.genericInstructions);
    }

    @Test
    void mixedTierCompilesInTheBackground() throws Exception {
        byte[] code = RandomPrograms.program(42, 30);
        X86 a = new X86(CODE);
        a.movImm32(R14, 20000);
        long loop = a.here();
        a.aluImm(ADD, 64, RAX, 1).movMem(64, RAX, RBX, 16, false).aluMem(ADD, 64, RDX, RBX, 16, true).dec(32, R14).jcc(5, loop);
        code = a.bytes();
        Run want = interpret(code, null, 10_000_000);
        Run got = run(code, null, org.jvmx.translator.exec.Engine.Tier.MIXED, new BytecodeJit(), 10_000_000);
        assertSame(want, got, "mixed");
    }

    @Test
    void leaveRequestsKeepTheirRip() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.jvmx.translator.exec.Isa.implemented(org.jvmx.decoder.Mnemonic.HLT));
        // a loop with CPUID (sensitive: the region ends after it), then HLT (completed: RIP after it)
        X86 a = new X86(CODE);
        a.movImm32(RCX, 0).movImm32(RSI, 4);
        long loop = a.here();
        a.movImm32(RAX, 0).raw(0x0F, 0xA2).aluImm(ADD, 64, RDI, 1).dec(32, RSI).jcc(5, loop);
        a.aluImm(ADD, 64, RDX, 9).raw(0xF4).aluImm(ADD, 64, RDX, 1);
        byte[] code = a.bytes();
        Run want = interpret(code, null, 1_000_000);
        assertEquals(Exit.Kind.HALTED, want.exit().kind());
        for (BytecodeJit jit : BOTH) assertSame(want, compile(code, null, jit, 1_000_000), "halt");
        // a VM exit that does not complete the instruction: RIP stays on it
        java.util.function.Consumer<Cpu> exiting = cpu -> cpu.sensitive = new org.jvmx.translator.exec.Sensitive() {
            @Override
            public void hlt(Cpu c, org.jvmx.decoder.Instruction i) {
                throw new org.jvmx.translator.exec.LeaveRequest(Exit.requested("hlt exit"), false);
            }
        };
        want = interpret(code, exiting, 1_000_000);
        assertEquals(Exit.Kind.REQUESTED, want.exit().kind());
        assertEquals(CODE + code.length - 5, want.cpu().state.rip);
        for (BytecodeJit jit : BOTH) assertSame(want, compile(code, exiting, jit, 1_000_000), "hlt exit");
    }

    @Test
    void codeNoLongerReferencedIsUnloaded() throws InterruptedException {
        java.lang.ref.WeakReference<Class<?>> ref = compileAndDrop();
        for (int k = 0; k < 100 && ref.get() != null; k++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the hidden class of a dropped region is unloaded");
    }

    private static java.lang.ref.WeakReference<Class<?>> compileAndDrop() {
        Run r = compile(RandomPrograms.program(5, 10), RandomPrograms.registers(5), new BytecodeJit(), 100_000);
        var b = r.engine().cache().peek(CODE);
        assertNotNull(b.code);
        assertTrue(b.code.getClass().isHidden());
        return new java.lang.ref.WeakReference<>(b.code.getClass());
    }
}
