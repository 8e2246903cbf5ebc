package org.jvmx.vm;

import static org.jvmx.vm.GuestMachine.CODE;
import static org.jvmx.vm.GuestMachine.STACK_TOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MMIO exit regions: accesses leave as EPT-violation exits; reads are answered and replayed, writes posted. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MmioExitTest {
    /** Two exit regions inside the identity map (2-4 MiB is mapped, not RAM). */
    static final long A = 0x30_0000, B = 0x30_1000;

    private static GuestMachine guest(Engine.Tier tier, String hex) {
        GuestMachine g = new GuestMachine(tier, hex);
        g.vm.addMmioExit(A, 0x1000);
        g.vm.addMmioExit(B, 0x1000);
        g.cpu.setReg(Reg.RBX, A);
        return g;
    }

    private static VmExit expectRead(Vcpu cpu, long gpa, int size, long rip) {
        VmExit x = cpu.run();
        assertEquals(ExitReason.EPT_VIOLATION, x.reason(), x.toString());
        assertTrue(x.isRead() && !x.isWrite() && !x.isFetch(), x.toString());
        assertEquals(gpa, x.gpa(), x.toString());
        assertEquals(gpa, x.linear(), "identity-mapped: linear = physical");
        assertEquals(size, x.size(), x.toString());
        assertEquals(rip, x.guestRip(), "a read exits with RIP on the instruction");
        return x;
    }

    private static VmExit expectWrite(Vcpu cpu, long gpa, int size, long value, long rip) {
        VmExit x = cpu.run();
        assertEquals(ExitReason.EPT_VIOLATION, x.reason(), x.toString());
        assertTrue(x.isWrite() && !x.isRead(), x.toString());
        assertEquals(gpa, x.gpa(), x.toString());
        assertEquals(size, x.size(), x.toString());
        assertEquals(value, x.value(), x.toString());
        assertEquals(rip, x.guestRip(), "a posted write exits with RIP after the instruction");
        return x;
    }

    private static void expectHlt(Vcpu cpu) {
        VmExit x = cpu.run();
        assertEquals(ExitReason.HLT, x.reason(), x.toString());
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void movReadsOfEachSize(Engine.Tier tier) {
        // mov cl,[rbx]; mov dx,[rbx+2]; mov esi,[rbx+4]; mov rdi,[rbx+8]; hlt
        try (GuestMachine g = guest(tier, "8a0b 668b5302 8b7304 488b7b08 f4")) {
            g.cpu.setReg(Reg.RCX, -1);
            g.cpu.setReg(Reg.RDX, -1);
            g.cpu.setReg(Reg.RSI, -1);
            expectRead(g.cpu, A, 1, CODE);
            g.cpu.completeMmioRead(0x81);
            expectRead(g.cpu, A + 2, 2, CODE + 2);
            assertEquals(0xFFFF_FFFF_FFFF_FF81L, g.cpu.reg(Reg.RCX));
            g.cpu.completeMmioRead(0x8282);
            expectRead(g.cpu, A + 4, 4, CODE + 6);
            g.cpu.completeMmioRead(0x8383_8383L);
            expectRead(g.cpu, A + 8, 8, CODE + 9);
            g.cpu.completeMmioRead(0x8484_8484_8484_8484L);
            expectHlt(g.cpu);
            assertEquals(0xFFFF_FFFF_FFFF_8282L, g.cpu.reg(Reg.RDX));
            assertEquals(0x8383_8383L, g.cpu.reg(Reg.RSI), "a 32-bit load zero-extends");
            assertEquals(0x8484_8484_8484_8484L, g.cpu.reg(Reg.RDI));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void movWritesOfEachSizeArePosted(Engine.Tier tier) {
        // mov byte [rbx],0x11; mov word [rbx+2],0x2222; mov dword [rbx+4],0x33333333; mov [rbx+8],rax; hlt
        try (GuestMachine g = guest(tier, "c60311 66c743022222 c7430433333333 48894308 f4")) {
            g.cpu.setReg(Reg.RAX, 0x0123_4567_89AB_CDEFL);
            expectWrite(g.cpu, A, 1, 0x11, CODE + 3);
            expectWrite(g.cpu, A + 2, 2, 0x2222, CODE + 9);
            expectWrite(g.cpu, A + 4, 4, 0x3333_3333L, CODE + 16);
            expectWrite(g.cpu, A + 8, 8, 0x0123_4567_89AB_CDEFL, CODE + 20);
            expectHlt(g.cpu);
            assertEquals(-1L, g.vm.readValue(A, 8), "the monitor's own reads see nothing at an exit region");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void readModifyWriteIsAReadThenAPostedWrite(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "83431005 f4")) { // add dword [rbx+0x10], 5; hlt
            expectRead(g.cpu, A + 0x10, 4, CODE);
            g.cpu.completeMmioRead(0xFFFF_FFFEL);
            expectWrite(g.cpu, A + 0x10, 4, 3, CODE + 4);
            expectHlt(g.cpu);
            long f = g.cpu.vmread(VmcsFields.GUEST_RFLAGS);
            assertEquals(1, f & 1, "CF: 0xFFFFFFFE + 5 carries");
            assertEquals(0, f & 0x40, "ZF clear");
            assertEquals(0, f & 0x800, "OF clear");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void lockedAddIsOneReadAndOnePostedWrite(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "f0830303 f4")) { // lock add dword [rbx], 3; hlt
            expectRead(g.cpu, A, 4, CODE);
            g.cpu.completeMmioRead(0xFFFF_FFFF_0000_000AL); // bytes beyond the access size are ignored
            expectWrite(g.cpu, A, 4, 13, CODE + 4);
            expectHlt(g.cpu);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void lockedCmpxchgReadsThenWritesOnlyWhenEqual(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "f00fb10b f4")) { // lock cmpxchg [rbx], ecx; hlt
            g.cpu.setReg(Reg.RAX, 5);
            g.cpu.setReg(Reg.RCX, 9);
            expectRead(g.cpu, A, 4, CODE);
            g.cpu.completeMmioRead(5);
            expectWrite(g.cpu, A, 4, 9, CODE + 4);
            expectHlt(g.cpu);
            assertEquals(0x40, g.cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x40, "equal: ZF set");
        }
        try (GuestMachine g = guest(tier, "f00fb10b f4")) {
            g.cpu.setReg(Reg.RAX, 5);
            expectRead(g.cpu, A, 4, CODE);
            g.cpu.completeMmioRead(6);
            expectHlt(g.cpu); // not equal: no write
            assertEquals(6, g.cpu.reg(Reg.RAX));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void xchgWithAnExitRegion(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "8713 f4")) { // xchg [rbx], edx; hlt
            g.cpu.setReg(Reg.RDX, 0x77);
            expectRead(g.cpu, A, 4, CODE);
            g.cpu.completeMmioRead(0x66);
            expectWrite(g.cpu, A, 4, 0x77, CODE + 2);
            expectHlt(g.cpu);
            assertEquals(0x66, g.cpu.reg(Reg.RDX));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void repStosdPostsOneExitPerElementInOrder(Engine.Tier tier) {
        // mov ecx,4; mov rdi,rbx; mov eax,0xabcd; rep stosd; hlt
        try (GuestMachine g = guest(tier, "b904000000 4889df b8cdab0000 f3ab f4")) {
            long after = CODE + 15;
            for (int k = 0; k < 4; k++) expectWrite(g.cpu, A + 4L * k, 4, 0xABCD, after);
            expectHlt(g.cpu);
            assertEquals(0, g.cpu.reg(Reg.RCX));
            assertEquals(A + 16, g.cpu.reg(Reg.RDI));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void movsdFromOneExitRegionToAnother(Engine.Tier tier) {
        // mov rsi,rbx; lea rdi,[rbx+0x1000]; movsd; hlt
        try (GuestMachine g = guest(tier, "4889de 488dbb00100000 a5 f4")) {
            expectRead(g.cpu, A, 4, CODE + 10);
            g.cpu.completeMmioRead(0xCAFE_F00DL);
            expectWrite(g.cpu, B, 4, 0xCAFE_F00DL, CODE + 11);
            expectHlt(g.cpu);
            assertEquals(A + 4, g.cpu.reg(Reg.RSI));
            assertEquals(B + 4, g.cpu.reg(Reg.RDI));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void cmpsdBetweenTwoExitRegionsExitsTwice(Engine.Tier tier) {
        // mov rsi,rbx; lea rdi,[rbx+0x1000]; cmpsd; hlt
        try (GuestMachine g = guest(tier, "4889de 488dbb00100000 a7 f4")) {
            expectRead(g.cpu, A, 4, CODE + 10);
            g.cpu.completeMmioRead(7);
            expectRead(g.cpu, B, 4, CODE + 10);
            g.cpu.completeMmioRead(7);
            expectHlt(g.cpu);
            assertEquals(0x40, g.cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x40, "equal: ZF set");
            assertEquals(A + 4, g.cpu.reg(Reg.RSI));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void repMovsdFromAnExitRegionKeepsRetiredIterations(Engine.Tier tier) {
        // mov ecx,3; mov rsi,rbx; mov edi,0x1000; rep movsd; hlt
        try (GuestMachine g = guest(tier, "b903000000 4889de bf00100000 f3a5 f4")) {
            long insn = CODE + 13;
            for (int k = 0; k < 3; k++) {
                expectRead(g.cpu, A + 4L * k, 4, insn);
                assertEquals(3 - k, g.cpu.reg(Reg.RCX), "retired iterations stay retired");
                g.cpu.completeMmioRead(0x100 + k);
            }
            expectHlt(g.cpu);
            for (int k = 0; k < 3; k++) assertEquals(0x100 + k, g.vm.readValue(0x1000 + 4L * k, 4));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void pushFromAnExitRegion(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "ff33 f4")) { // push qword [rbx]; hlt
            expectRead(g.cpu, A, 8, CODE);
            assertEquals(STACK_TOP, g.cpu.reg(Reg.RSP), "nothing executed yet");
            g.cpu.completeMmioRead(0x1122_3344_5566_7788L);
            expectHlt(g.cpu);
            assertEquals(STACK_TOP - 8, g.cpu.reg(Reg.RSP));
            assertEquals(0x1122_3344_5566_7788L, g.vm.readValue(STACK_TOP - 8, 8));
        }
    }

    @Test
    void readInACompiledRegionExitsPreciselyAndCompletes() {
        // mov ecx,7; mov eax,[rbx]; add eax,1; hlt
        try (GuestMachine g = guest(Engine.Tier.COMPILE, "b907000000 8b03 83c001 f4")) {
            g.cpu.setReg(Reg.RAX, 0x55);
            expectRead(g.cpu, A, 4, CODE + 5);
            assertTrue(g.cpu.stats().compiled > 0, "the block ran compiled");
            assertEquals(7, g.cpu.reg(Reg.RCX), "the instruction before it retired");
            assertEquals(0x55, g.cpu.reg(Reg.RAX), "the load did not");
            assertEquals(CODE + 5, g.cpu.vmread(VmcsFields.GUEST_RIP));
            g.cpu.completeMmioRead(41);
            expectHlt(g.cpu);
            assertEquals(42, g.cpu.reg(Reg.RAX));
        }
    }

    @Test
    void exitInformationIsInTheVmcs() {
        try (GuestMachine g = guest(Engine.Tier.INTERPRET, "c7430433333333 8b7304 f4")) {
            expectWrite(g.cpu, A + 4, 4, 0x3333_3333L, CODE + 7);
            assertEquals(48, g.cpu.vmread(VmcsFields.VM_EXIT_REASON));
            assertEquals(VmExit.EPT_WRITE | VmExit.EPT_LINEAR_VALID | VmExit.EPT_TRANSLATED,
                    g.cpu.vmread(VmcsFields.EXIT_QUALIFICATION));
            assertEquals(A + 4, g.cpu.vmread(VmcsFields.GUEST_PHYSICAL_ADDRESS));
            assertEquals(A + 4, g.cpu.vmread(VmcsFields.GUEST_LINEAR_ADDRESS));
            assertEquals(CODE + 7, g.cpu.vmread(VmcsFields.GUEST_RIP));
            VmExit r = expectRead(g.cpu, A + 4, 4, CODE + 7);
            assertEquals(0x181, r.qualification(), "read: bits 0, 7, 8");
            assertEquals(VmExit.EPT_READ | VmExit.EPT_LINEAR_VALID | VmExit.EPT_TRANSLATED,
                    g.cpu.vmread(VmcsFields.EXIT_QUALIFICATION));
            assertEquals(A + 4, g.cpu.vmread(VmcsFields.GUEST_PHYSICAL_ADDRESS));
            assertEquals(CODE + 7, g.cpu.vmread(VmcsFields.GUEST_RIP));
            assertThrows(IllegalStateException.class, g.cpu::skipInstruction, "not an instruction exit to skip");
            g.cpu.completeMmioRead(1);
            expectHlt(g.cpu);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void fetchFromAnExitRegionExitsWithBit2(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "ffe3")) { // jmp rbx
            VmExit x = g.cpu.run();
            assertEquals(ExitReason.EPT_VIOLATION, x.reason(), x.toString());
            assertTrue(x.isFetch(), x.toString());
            assertFalse(x.isRead() || x.isWrite(), x.toString());
            assertEquals(A, x.gpa());
            assertEquals(A, x.guestRip());
            assertEquals(VmExit.EPT_FETCH | VmExit.EPT_LINEAR_VALID | VmExit.EPT_TRANSLATED,
                    g.cpu.vmread(VmcsFields.EXIT_QUALIFICATION));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void anAnsweredReadCompletesBeforeAPendingInterrupt(Engine.Tier tier) {
        try (GuestMachine g = guest(tier, "8b03 f4")) { // mov eax,[rbx]; hlt
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202);
            expectRead(g.cpu, A, 4, CODE);
            g.cpu.interrupt(0x40); // external-interrupt exiting (the default controls): an exit
            g.cpu.completeMmioRead(0x1234);
            VmExit x = g.cpu.run();
            assertEquals(ExitReason.EXTERNAL_INTERRUPT, x.reason(), x.toString());
            assertEquals(CODE + 2, x.guestRip(), "taken after the load, which is not read again");
            assertEquals(0x1234, g.cpu.reg(Reg.RAX));
        }
    }

    @Test
    void runningWithoutAnsweringReadsAgain() {
        try (GuestMachine g = guest(Engine.Tier.INTERPRET, "4889de 488dbb00100000 a7 f4")) { // cmpsd
            expectRead(g.cpu, A, 4, CODE + 10);
            g.cpu.completeMmioRead(5);
            expectRead(g.cpu, B, 4, CODE + 10);
            expectRead(g.cpu, B, 4, CODE + 10); // not answered: the same read again
            g.cpu.completeMmioRead(6);
            expectHlt(g.cpu);
            assertEquals(1, g.cpu.vmread(VmcsFields.GUEST_RFLAGS) & 1, "5 - 6 borrows");
        }
    }

    @Test
    void completingWithoutAReadExitIsRefused() {
        try (GuestMachine g = guest(Engine.Tier.INTERPRET, "f4")) {
            assertThrows(IllegalStateException.class, () -> g.cpu.completeMmioRead(0));
        }
    }

    @Test
    void aLoopOfReadsRoundTripsInTheMixedTier() {
        // 1: mov eax,[rbx]; jmp 1b
        try (GuestMachine g = guest(Engine.Tier.MIXED, "8b03 ebfc")) {
            for (int k = 0; k < 3000; k++) {
                expectRead(g.cpu, A, 4, CODE);
                g.cpu.completeMmioRead(k);
            }
            expectRead(g.cpu, A, 4, CODE);
            assertEquals(2999, g.cpu.reg(Reg.RAX));
        }
    }
}
