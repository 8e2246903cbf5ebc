package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PageFault;
import org.jvmx.translator.mem.PageTables;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * The run loop: exits (stop address, HLT, budget, faults with precise state and CR2, traps),
 * instruction-fetch faults, the sensitive-instruction interface (every call reaches it; a
 * {@link LeaveRequest} that did not complete leaves RIP on the instruction, as a VM exit does)
 * and the unimplemented-instruction count.
 */
class EngineTest {
    static final long CODE = 0x40_0000, DATA = 0x80_0000, TABLES = 0x10_0000;

    /** A CPL-0 CPU with paging: code page and one data page mapped, RSP at the top of the data page. */
    static Cpu paged(PhysicalMemory ram, byte[] code) {
        ram.addRam(0, 0x100_0000);
        PageTables pt = new PageTables(ram, TABLES);
        pt.map4k(CODE, CODE, PageTables.P | PageTables.RW);
        pt.map4k(CODE + 0x1000, CODE + 0x1000, PageTables.P);
        pt.map4k(DATA, DATA, PageTables.P | PageTables.RW | PageTables.XD);
        pt.map4k(DATA + 0x1000, DATA + 0x1000, PageTables.P | PageTables.XD); // read-only
        Cpu c = Cpu.flat64(ram, false);
        c.state.cr3 = pt.cr3;
        c.state.cr0 |= CpuState.CR0_PG | CpuState.CR0_WP;
        c.memory.tlb().setState(c.state.pagingState());
        for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
        c.state.rip = CODE;
        c.gpr[CpuState.RSP] = DATA + 0x1000;
        c.stopAt = CODE + code.length;
        return c;
    }

    static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int k = 0; k < b.length; k++) r[k] = (byte) b[k];
        return r;
    }

    @Test
    void pageFaultIsPreciseWithErrorCodeAndCr2() {
        for (Engine.Tier tier : new Engine.Tier[] {Engine.Tier.INTERPRET, Engine.Tier.COMPILE}) {
            try (PhysicalMemory ram = new PhysicalMemory()) {
                // push rax; push rbx; pop qword [rcx] (FF? no: 8F 01) with RCX in the read-only page.
                Cpu c = paged(ram, bytes(0x50, 0x53, 0x8F, 0x01));
                c.gpr[CpuState.RCX] = DATA + 0x1008;
                c.gpr[CpuState.RAX] = 0x1111;
                c.gpr[CpuState.RBX] = 0x2222;
                try (Engine e = engine(c, tier)) {
                    Exit x = e.run(1000);
                    assertEquals(Exit.Kind.FAULT, x.kind(), tier.toString());
                    assertEquals(GuestFault.PF, x.vector());
                    assertEquals(PageFault.P | PageFault.W, x.errorCode());
                    assertEquals(DATA + 0x1008, c.state.cr2);
                    assertEquals(CODE + 2, c.state.rip, "RIP on the POP");
                    assertEquals(DATA + 0x1000 - 16, c.gpr[CpuState.RSP], "RSP as before the POP");
                }
            }
        }
    }

    @Test
    void nonCanonicalAddressIsGeneralProtection() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = paged(ram, bytes(0xFF, 0x31)); // push qword [rcx]
            c.gpr[CpuState.RCX] = 0x0000_8000_0000_0000L;
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                Exit x = e.run(1000);
                assertEquals(GuestFault.GP, x.vector());
                assertEquals(0, x.errorCode());
                assertEquals(CODE, c.state.rip);
            }
        }
    }

    @Test
    void fetchFromANonExecutablePageFaultsWithTheIBit() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = paged(ram, bytes(0xFF, 0xE0)); // jmp rax
            c.gpr[CpuState.RAX] = DATA + 0x10;
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                Exit x = e.run(1000);
                assertEquals(GuestFault.PF, x.vector());
                assertEquals(PageFault.P | PageFault.I, x.errorCode());
                assertEquals(DATA + 0x10, c.state.rip);
                assertEquals(DATA + 0x10, c.state.cr2);
            }
        }
    }

    @Test
    void instructionStraddlingIntoAnUnmappedPageFaultsOnlyWhenReached() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = paged(ram, new byte[0]);
            // A jmp to CODE+0x1FFE: "push rax" (1 byte) then a 2-byte "jmp $" whose 2nd byte is on an unmapped page.
            ram.write(CODE + 0x1FFE, 1, 0x50);
            ram.write(CODE + 0x1FFF, 1, 0xEB);
            c.state.rip = CODE + 0x1FFE;
            c.stopAt = -1;
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                Exit x = e.run(1000);
                assertEquals(GuestFault.PF, x.vector());
                assertEquals(CODE + 0x1FFF, c.state.rip, "the PUSH ran, the JMP faulted");
                assertEquals(CODE + 0x2000, c.state.cr2);
                assertEquals(PageFault.I, x.errorCode() & PageFault.I);
            }
        }
    }

    @Test
    void haltBudgetAndTrap() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = paged(ram, bytes(0xF4, 0xCC, 0xEB, 0xFE)); // hlt; int3; jmp $
            c.stopAt = -1;
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                assertEquals(Exit.Kind.HALTED, e.run(100).kind());
                assertEquals(CODE + 1, c.state.rip);
                Exit t = e.run(100);
                assertEquals(GuestFault.BP, t.vector());
                assertEquals(CODE + 2, c.state.rip, "a trap leaves RIP after the INT3");
                assertEquals(Exit.Kind.BUDGET, e.run(500).kind());
                assertEquals(CODE + 2, c.state.rip);
                assertTrue(c.stats.interpreted >= 500);
            }
        }
    }

    @Test
    void sensitiveInstructionsGoThroughTheInterface() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            // cpuid; rdtsc; in al, dx; out dx, al; rdmsr
            Cpu c = paged(ram, bytes(0x0F, 0xA2, 0x0F, 0x31, 0xEC, 0xEE, 0x0F, 0x32));
            List<String> calls = new ArrayList<>();
            c.sensitive = new Sensitive() {
                @Override
                public void cpuid(Cpu cpu, Instruction i) {
                    calls.add("cpuid " + cpu.gpr[CpuState.RAX]);
                    Sensitive.super.cpuid(cpu, i);
                }

                @Override
                public long rdtsc(Cpu cpu, Instruction i) {
                    calls.add("rdtsc");
                    return 0x1234_5678_9ABC_DEF0L;
                }

                @Override
                public long in(Cpu cpu, Instruction i, int port, int bytes) {
                    calls.add("in " + Integer.toHexString(port) + "/" + bytes);
                    return 0x5A;
                }

                @Override
                public void out(Cpu cpu, Instruction i, int port, int bytes, long value) {
                    calls.add("out " + Integer.toHexString(port) + "/" + bytes + "=" + Long.toHexString(value));
                }

                @Override
                public long rdmsr(Cpu cpu, Instruction i, int msr) {
                    // What a VM exit looks like to the translator: leave, instruction not executed.
                    throw new LeaveRequest(Exit.requested("exit on RDMSR " + Integer.toHexString(msr)), false);
                }
            };
            c.gpr[CpuState.RDX] = 0x3F8;
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                Exit x = e.run(100);
                assertEquals(Exit.Kind.REQUESTED, x.kind());
                assertEquals(CODE + 6, c.state.rip, "RIP on the RDMSR");
                // RDTSC loaded EDX, so DX (the port) is 0x5678 from then on.
                assertEquals(List.of("cpuid 0", "rdtsc", "in 5678/1", "out 5678/1=5a"), calls);
                assertEquals(0x9ABC_DE5AL, c.gpr[CpuState.RAX], "RDTSC then IN AL replaced the low byte");
                assertEquals(0x1234_5678L, c.gpr[CpuState.RDX] & 0xFFFF_FFFFL, "EDX from RDTSC");
            }
        }
    }

    @Test
    void cpuidAnswersFromTheModel() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = paged(ram, bytes(0x0F, 0xA2));
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                e.run(10);
                String vendor = ascii(c.gpr[CpuState.RBX]) + ascii(c.gpr[CpuState.RDX]) + ascii(c.gpr[CpuState.RCX]);
                assertEquals(CpuidModel.VENDOR, vendor);
                assertEquals(7, c.gpr[CpuState.RAX]);
            }
        }
    }

    private static String ascii(long v) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < 4; k++) b.append((char) (v >>> (8 * k) & 0xFF));
        return b.toString();
    }

    @Test
    void unimplementedInstructionsRaiseUdAndAreCounted() {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            Cpu c = paged(ram, bytes(0xC5, 0xF4, 0x58, 0xC2)); // vaddps ymm0, ymm1, ymm2: AVX is not implemented
            try (Engine e = engine(c, Engine.Tier.INTERPRET)) {
                Exit x = e.run(10);
                assertEquals(GuestFault.UD, x.vector());
                assertEquals(CODE, c.state.rip);
                assertEquals(1L, c.stats.unimplementedCounts().get(Mnemonic.VADDPS));
            }
        }
    }

    static Engine engine(Cpu c, Engine.Tier tier) {
        return new Engine(c, tier, tier == Engine.Tier.INTERPRET ? null : new org.jvmx.translator.jit.BytecodeJit());
    }
}
