package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PagingState;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * A CPU in 32-bit protected mode (no IA-32e mode) with 32-bit or PAE paging, set up through MOV
 * to CR0/CR3/CR4 (SDM Vol. 3A, 4.1.2: CR0.PG with EFER.LME = 0 never activates IA-32e mode; PDPTE
 * loading and its #GP, 4.4.1), running a program that takes a #PF, whose handler maps the page,
 * INVLPGs and IRETDs, after which the faulting store completes.
 */
class LegacyPagedProgramTest {
    static final long GDT = 0x500, IDT = 0x600, CODE = 0x2000, HANDLER = 0x3000, STACK = 0x8000;
    static final long PD32 = 0x10000, PT32 = 0x11000, PDPT = 0x12000, PAE_PD = 0x13000, PAE_PT0 = 0x14000, PAE_PT1 = 0x15000;
    static final long TARGET = 0x20_0000;
    final PhysicalMemory ram = new PhysicalMemory();
    final Cpu c;

    LegacyPagedProgramTest() {
        ram.addRam(0, 8 << 20);
        ram.write(GDT + 8, 8, 0x00CF_9A00_0000_FFFFL);
        ram.write(GDT + 16, 8, 0x00CF_9200_0000_FFFFL);
        c = Cpu.flat64(ram, false);
        CpuState s = c.state;
        s.efer = 0;
        s.cr4 &= ~CpuState.CR4_PAE;
        s.gdtrBase = GDT;
        s.gdtrLimit = 0x17;
        s.idtrBase = IDT;
        s.idtrLimit = 0x7FF;
        s.cs.set(0x08, 0, 0xFFFF_FFFF, 0xC09B);
        for (var r : new org.jvmx.translator.cpu.SegmentRegister[] {s.ds, s.es, s.ss, s.fs, s.gs}) r.set(0x10, 0, 0xFFFF_FFFF, 0xC093);
        s.setRflags(Rflags.FIXED1);
        c.refreshMode();
        c.gpr[CpuState.RSP] = STACK;
        // #PF: a 32-bit interrupt gate to HANDLER.
        ram.write(IDT + 14 * 8, 8, (HANDLER & 0xFFFF) | 0x08L << 16 | 0x8EL << 40 | (HANDLER >>> 16) << 48);
        // 32-bit tables: identity map of 0..4 MiB except TARGET's page.
        ram.write(PD32, 4, PT32 | 3);
        for (int i = 0; i < 1024; i++) if (i != 0x200) ram.write(PT32 + 4L * i, 4, (long) i << 12 | 3);
        // PAE tables: the same map.
        ram.write(PDPT, 8, PAE_PD | 1);
        ram.write(PAE_PD, 8, PAE_PT0 | 3);
        ram.write(PAE_PD + 8, 8, PAE_PT1 | 3);
        for (int i = 0; i < 1024; i++) if (i != 0x200) ram.write(PAE_PT0 + 8L * i, 8, (long) i << 12 | 3);
    }

    @AfterEach
    void close() {
        ram.close();
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int k = 0; k < b.length; k++) out[k] = (byte) b[k];
        return out;
    }

    void load(long at, byte[] code) {
        for (int k = 0; k < code.length; k++) ram.write(at + k, 1, code[k]);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pageFaultHandlerMapsThePageAndTheStoreCompletes(boolean pae) {
        long pte = pae ? PAE_PT1 : PT32 + 0x200 * 4;
        load(CODE, bytes(
                0xB8, 0x00, 0x00, 0x20, 0x00,             // mov eax, 0x200000
                0xC7, 0x00, 0x78, 0x56, 0x34, 0x12,       // mov dword [eax], 0x12345678
                0x8B, 0x18,                               // mov ebx, [eax]
                0xF4));                                   // hlt
        load(HANDLER, bytes(
                0x50,                                     // push eax
                0x0F, 0x20, 0xD0,                         // mov eax, cr2
                0xC7, 0x05, (int) pte & 0xFF, (int) (pte >>> 8) & 0xFF, (int) (pte >>> 16) & 0xFF, 0,
                0x03, 0x00, 0x20, 0x00,                   // mov dword [pte], 0x200003
                0x0F, 0x01, 0x38,                         // invlpg [eax]
                0x58,                                     // pop eax
                0x83, 0xC4, 0x04,                         // add esp, 4 (the error code)
                0xCF));                                   // iretd
        if (pae) {
            ControlRegisters.write(c, 4, c.state.cr4 | CpuState.CR4_PAE);
            ControlRegisters.write(c, 3, PDPT);
        } else {
            ControlRegisters.write(c, 3, PD32);
        }
        ControlRegisters.write(c, 0, c.state.cr0 | CpuState.CR0_PG | CpuState.CR0_WP);
        assertFalse(c.state.longMode(), "CR0.PG with EFER.LME = 0: no IA-32e mode");
        assertEquals(pae ? PagingState.Mode.PAE : PagingState.Mode.BITS32, c.memory.tlb().state().mode());
        c.state.rip = CODE;
        int faults = 0;
        try (Engine e = new Engine(c, Engine.Tier.INTERPRET, null)) {
            while (true) {
                Exit x = e.run(1000);
                if (x.kind() == Exit.Kind.HALTED) break;
                assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
                assertEquals(GuestFault.PF, x.vector());
                assertEquals(0x2, x.errorCode(), "supervisor write, not present");
                assertEquals(TARGET, c.state.cr2);
                assertEquals(CODE + 5, c.state.rip, "precise: on the store");
                Interrupts.deliver(c, x.vector(), Interrupts.Kind.HARDWARE_EXCEPTION, x.errorCode(), c.state.rip);
                faults++;
                if (faults > 1) throw new AssertionError("the handler did not fix the fault");
            }
        }
        assertEquals(1, faults);
        assertEquals(0x1234_5678, c.gpr[CpuState.RBX]);
        assertEquals(0x1234_5678, ram.read(TARGET, 4));
        assertEquals(TARGET | 3 | 0x60, ram.read(pte, 4), "A and D set on the new PTE");
        assertEquals(STACK, c.gpr[CpuState.RSP]);
        assertEquals(CODE + 14, c.state.rip);
    }

    @Test
    void paePdpteLoadingAndItsGeneralProtection() {
        ControlRegisters.write(c, 3, PDPT);
        ControlRegisters.write(c, 0, c.state.cr0 | CpuState.CR0_PG);
        assertEquals(PagingState.Mode.BITS32, c.memory.tlb().state().mode());
        assertNull(c.memory.tlb().state().pdptes());
        // Setting CR4.PAE loads the PDPTEs from CR3.
        ControlRegisters.write(c, 4, c.state.cr4 | CpuState.CR4_PAE | CpuState.CR4_PSE);
        PagingState st = c.memory.tlb().state();
        assertEquals(PagingState.Mode.PAE, st.mode());
        assertEquals(PAE_PD | 1, st.pdptes().e0());
        // CR0.TS does not reload them: a change in memory stays unseen.
        ram.write(PDPT + 8, 8, 0x7000 | 1);
        ControlRegisters.write(c, 0, c.state.cr0 | CpuState.CR0_TS);
        assertEquals(0, c.memory.tlb().state().pdptes().e1());
        // MOV CR3 reloads them.
        ControlRegisters.write(c, 3, PDPT);
        assertEquals(0x7001, c.memory.tlb().state().pdptes().e1());
        // A reserved bit (bit 1 of a present PDPTE) at MOV CR3: #GP(0), CR3 and the PDPTEs unchanged.
        ram.write(0x20000, 8, PAE_PD | 3);
        GuestFault f = assertThrows(GuestFault.class, () -> ControlRegisters.write(c, 3, 0x20000));
        assertEquals(GuestFault.GP, f.vector());
        assertEquals(PDPT, c.state.cr3);
        assertEquals(PAE_PD | 1, c.memory.tlb().state().pdptes().e0());
        // ... and at MOV CR0 enabling paging, with CR0 unchanged.
        ControlRegisters.write(c, 0, c.state.cr0 & ~CpuState.CR0_PG);
        c.state.cr3 = 0x20000;
        long cr0 = c.state.cr0;
        assertThrows(GuestFault.class, () -> ControlRegisters.write(c, 0, cr0 | CpuState.CR0_PG));
        assertEquals(cr0, c.state.cr0);
        assertEquals(PagingState.Mode.NONE, c.memory.tlb().state().mode());
    }

    @Test
    void pagingModeFollowsTheControlRegisters() {
        ControlRegisters.write(c, 3, PD32);
        ControlRegisters.write(c, 4, c.state.cr4 | CpuState.CR4_PSE);
        ControlRegisters.write(c, 0, c.state.cr0 | CpuState.CR0_PG);
        PagingState st = c.state.pagingState();
        assertEquals(PagingState.Mode.BITS32, st.mode());
        assertEquals(true, st.pse());
        assertEquals(st, c.memory.tlb().state());
        // Paging off again, then IA-32e: LME + PAE + PG gives 4-level paging.
        ControlRegisters.write(c, 0, c.state.cr0 & ~CpuState.CR0_PG);
        assertEquals(PagingState.Mode.NONE, c.memory.tlb().state().mode());
        c.state.efer |= org.jvmx.translator.cpu.Msr.EFER_LME;
        ControlRegisters.write(c, 4, c.state.cr4 | CpuState.CR4_PAE);
        ControlRegisters.write(c, 0, c.state.cr0 | CpuState.CR0_PG);
        assertEquals(PagingState.Mode.LEVEL4, c.memory.tlb().state().mode());
    }
}
