package org.jvmx.vmx.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** VM exits of sensitive instructions (SDM Vol. 3C, 26.1-26.3, 28.2) through the translator. */
class VmExitTest {
    static final long WP = 1L << 16;
    static final long CODE = 0x1000, IO_A = 0x10000, IO_B = 0x11000, MSRS = 0x12000;

    final PhysicalMemory ram = new PhysicalMemory();
    final Vmcs vmcs = new Vmcs(1);
    Cpu cpu;

    @AfterEach
    void close() {
        ram.close();
    }

    Cpu guest(int proc, int... code) {
        if (ram.regionAt(0) == null) ram.addRam(0, 1 << 20);
        for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
        cpu = Cpu.flat64(ram, false);
        cpu.state.rip = CODE;
        cpu.gpr[CpuState.RSP] = 0x8000;
        vmcs.write(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, proc);
        vmcs.write(VmcsFields.IO_BITMAP_A, IO_A);
        vmcs.write(VmcsFields.IO_BITMAP_B, IO_B);
        vmcs.write(VmcsFields.MSR_BITMAP, MSRS);
        cpu.sensitive = new VmxSensitive(vmcs, ram);
        return cpu;
    }

    Exit run() {
        try (Engine e = new Engine(cpu, Engine.Tier.INTERPRET, null)) {
            return e.run(1);
        }
    }

    /** Runs one instruction expecting a VM exit of {@code reason}; checks length, RIP and the VMCS. */
    VmExit exits(ExitReason reason, int length) {
        Exit x = run();
        assertEquals(Exit.Kind.REQUESTED, x.kind(), x.toString());
        VmExit e = assertInstanceOf(VmExit.class, x.detail());
        assertEquals(reason, e.reason());
        assertEquals(length, e.instructionLength());
        assertEquals(CODE, cpu.state.rip, "RIP stays on the instruction");
        assertEquals(CODE, e.guestRip());
        assertEquals(CODE, vmcs.read(VmcsFields.GUEST_RIP));
        assertEquals(reason.number(), vmcs.read(VmcsFields.VM_EXIT_REASON));
        assertEquals(e.qualification(), vmcs.read(VmcsFields.EXIT_QUALIFICATION));
        assertEquals(length, vmcs.read(VmcsFields.VM_EXIT_INSTRUCTION_LENGTH));
        assertEquals(0x8000, vmcs.read(VmcsFields.GUEST_RSP));
        assertEquals(cpu.state.cr0, vmcs.read(VmcsFields.GUEST_CR0));
        assertEquals(0x08, vmcs.read(VmcsFields.GUEST_CS_SELECTOR));
        assertEquals(0xA09B, vmcs.read(VmcsFields.GUEST_CS_ACCESS_RIGHTS));
        return e;
    }

    /** Leaves IA-32e mode: paging is off in the flat CPU, and a CR0 write with PG = 0 while LMA = 1 is #GP. */
    void leaveLongMode() {
        cpu.state.efer &= ~(org.jvmx.translator.cpu.Msr.EFER_LMA | org.jvmx.translator.cpu.Msr.EFER_LME);
        cpu.refreshMode();
    }

    void runsThrough(int length) {
        Exit x = run();
        assertEquals(Exit.Kind.BUDGET, x.kind(), x.toString());
        assertEquals(CODE + length, cpu.state.rip);
    }

    @Test
    void cpuidAlwaysExits() {
        guest(0, 0x0F, 0xA2);
        exits(ExitReason.CPUID, 2);
    }

    @Test
    void vmcallCarriesTheHypercallNumber() {
        guest(0, 0x0F, 0x01, 0xC1);
        cpu.gpr[CpuState.RAX] = 42;
        assertEquals(42, exits(ExitReason.VMCALL, 3).hypercall());
    }

    @Test
    void hltExitsOnlyUnderHltExiting() {
        guest(Controls.PROC_HLT_EXITING, 0xF4);
        exits(ExitReason.HLT, 1);
        guest(0, 0xF4);
        assertEquals(Exit.Kind.HALTED, run().kind());
    }

    @Test
    void rdtscExitsOrAddsTheOffset() {
        guest(Controls.PROC_RDTSC_EXITING, 0x0F, 0x31);
        exits(ExitReason.RDTSC, 2);
        guest(Controls.PROC_TSC_OFFSETTING, 0x0F, 0x31);
        cpu.state.tscSource = () -> 1000;
        cpu.state.tscOffset = 0;
        vmcs.write(VmcsFields.TSC_OFFSET, 0x1_0000_0000L);
        runsThrough(2);
        assertEquals(1000, cpu.gpr[CpuState.RAX]);
        assertEquals(1, cpu.gpr[CpuState.RDX]);
    }

    @Test
    void outWithUnconditionalIoExiting() {
        guest(Controls.PROC_UNCONDITIONAL_IO_EXITING, 0xE6, 0x80); // out 0x80, al
        cpu.gpr[CpuState.RAX] = 0x1234;
        VmExit e = exits(ExitReason.IO_INSTRUCTION, 2);
        assertEquals(0x80L << 16 | 64, e.qualification(), "size 1, OUT, immediate port");
        assertEquals(0x80, e.ioPort());
        assertEquals(1, e.ioSize());
        assertFalse(e.ioIn());
        assertEquals(0x34, e.value());
    }

    @Test
    void inDxQualification() {
        guest(Controls.PROC_UNCONDITIONAL_IO_EXITING, 0xEC); // in al, dx
        cpu.gpr[CpuState.RDX] = 0x3F8;
        VmExit e = exits(ExitReason.IO_INSTRUCTION, 1);
        assertEquals(0x3F8L << 16 | 8, e.qualification());
        guest(0, 0xEC);
        runsThrough(1);
        assertEquals(0xFF, cpu.gpr[CpuState.RAX] & 0xFF);
    }

    @Test
    void ioBitmapsAcrossTheAToBBoundary() {
        // in eax, dx (ED) at port 0x7FFE: touches 7FFE..8001; only 0x8000 (bitmap B bit 0) is set.
        guest(Controls.PROC_IO_BITMAPS | Controls.PROC_UNCONDITIONAL_IO_EXITING, 0xED);
        cpu.gpr[CpuState.RDX] = 0x7FFE;
        ram.write(IO_B, 1, 1);
        VmExit e = exits(ExitReason.IO_INSTRUCTION, 1);
        assertEquals(4, e.ioSize());
        assertEquals(0x7FFE, e.ioPort());
        // A 1-byte access at 0x7FFF does not exit: the bitmap overrides unconditional exiting.
        guest(Controls.PROC_IO_BITMAPS | Controls.PROC_UNCONDITIONAL_IO_EXITING, 0xEC);
        cpu.gpr[CpuState.RDX] = 0x7FFF;
        runsThrough(1);
        // Port 0x7FFF's bit is the last bit of bitmap A.
        ram.write(IO_A + 0xFFF, 1, 0x80);
        guest(Controls.PROC_IO_BITMAPS, 0xEC);
        cpu.gpr[CpuState.RDX] = 0x7FFF;
        assertEquals(0x7FFF, exits(ExitReason.IO_INSTRUCTION, 1).ioPort());
    }

    @Test
    void msrBitmapRanges() {
        guest(Controls.PROC_MSR_BITMAPS, 0x0F, 0x32); // rdmsr
        VmxSensitive s = (VmxSensitive) cpu.sensitive;
        ram.write(MSRS + 0x1FFF / 8, 1, 0x80);            // read low, MSR 0x1FFF
        ram.write(MSRS + 1024, 1, 0x01);                  // read high, MSR 0xC0000000
        ram.write(MSRS + 3072 + 0x80 / 8, 1, 0x01);       // write high, MSR 0xC0000080 (EFER)
        assertTrue(s.msrExits(0x1FFF, false));
        assertFalse(s.msrExits(0x1FFF, true));
        assertFalse(s.msrExits(0x1FFE, false));
        assertTrue(s.msrExits(0xC000_0000, false));
        assertFalse(s.msrExits(0xC000_0001, false));
        assertTrue(s.msrExits(0xC000_0080, true));
        assertFalse(s.msrExits(0xC000_0080, false));
        assertTrue(s.msrExits(0x2000, false), "outside both ranges");
        assertTrue(s.msrExits(0xC000_2000, true), "outside both ranges");
        cpu.gpr[CpuState.RCX] = 0x1FFF;
        assertEquals(0x1FFF, exits(ExitReason.RDMSR, 2).msr());
        cpu.gpr[CpuState.RCX] = 0xC000_0080L;
        runsThrough(2);
        assertEquals(cpu.state.efer, cpu.gpr[CpuState.RAX] | cpu.gpr[CpuState.RDX] << 32);
    }

    @Test
    void wrmsrExitsWithoutBitmaps() {
        guest(0, 0x0F, 0x30);
        cpu.gpr[CpuState.RCX] = 0x10;
        cpu.gpr[CpuState.RDX] = 1;
        cpu.gpr[CpuState.RAX] = 2;
        VmExit e = exits(ExitReason.WRMSR, 2);
        assertEquals(0x10, e.msr());
        assertEquals(0x1_0000_0002L, e.value());
    }

    @Test
    void movToCr3ExitsUnlessATarget() {
        guest(Controls.PROC_CR3_LOAD_EXITING, 0x0F, 0x22, 0xD8); // mov cr3, rax
        cpu.gpr[CpuState.RAX] = 0x5000;
        VmExit e = exits(ExitReason.CONTROL_REGISTER_ACCESS, 3);
        assertEquals(3, e.qualification(), "CR3, MOV to CR, RAX");
        vmcs.write(VmcsFields.CR3_TARGET_COUNT, 2);
        vmcs.write(VmcsFields.CR3_TARGET_VALUE1, 0x5000);
        runsThrough(3);
        assertEquals(0x5000, cpu.state.cr3);
    }

    @Test
    void movFromCr3ExitsUnderCr3StoreExiting() {
        guest(Controls.PROC_CR3_STORE_EXITING, 0x0F, 0x20, 0xDB); // mov rbx, cr3
        VmExit e = exits(ExitReason.CONTROL_REGISTER_ACCESS, 3);
        assertEquals(3 | 1 << 4 | 3 << 8, e.qualification());
        assertEquals(3, e.gpr());
    }

    @Test
    void cr0ReadsHostOwnedBitsFromTheShadow() {
        guest(0, 0x0F, 0x20, 0xC0); // mov rax, cr0
        vmcs.write(VmcsFields.CR0_GUEST_HOST_MASK, CpuState.CR0_TS | CpuState.CR0_MP);
        vmcs.write(VmcsFields.CR0_READ_SHADOW, CpuState.CR0_TS);
        runsThrough(3);
        long expect = (cpu.state.cr0 & ~(CpuState.CR0_TS | CpuState.CR0_MP)) | CpuState.CR0_TS;
        assertEquals(expect, cpu.gpr[CpuState.RAX]);
    }

    @Test
    void movToCr0ExitsOnlyWhenAHostOwnedBitDiffersFromTheShadow() {
        guest(0, 0x0F, 0x22, 0xC0); // mov cr0, rax
        vmcs.write(VmcsFields.CR0_GUEST_HOST_MASK, CpuState.CR0_TS);
        vmcs.write(VmcsFields.CR0_READ_SHADOW, 0);
        long cr0 = cpu.state.cr0;
        cpu.gpr[CpuState.RAX] = cr0 | CpuState.CR0_TS;
        VmExit e = exits(ExitReason.CONTROL_REGISTER_ACCESS, 3);
        assertEquals(0, e.qualification(), "CR0, MOV to CR, RAX");
        assertEquals(cr0 | CpuState.CR0_TS, e.value());
        // Same host-owned bit (WP = CR0 bit 16) as the shadow: runs, host-owned bits untouched, guest-owned EM set.
        cpu.state.cr0 |= CpuState.CR0_TS; // the real TS differs from the shadow
        leaveLongMode();
        cpu.gpr[CpuState.RAX] = cr0 | WP;
        runsThrough(3);
        assertEquals(cr0 | WP | CpuState.CR0_TS, cpu.state.cr0);
    }

    @Test
    void invlpgQualificationIsTheLinearAddress() {
        guest(Controls.PROC_INVLPG_EXITING, 0x0F, 0x01, 0x38); // invlpg [rax]
        cpu.gpr[CpuState.RAX] = 0xABC000;
        assertEquals(0xABC000, exits(ExitReason.INVLPG, 3).qualification());
        guest(0, 0x0F, 0x01, 0x38);
        runsThrough(3);
    }

    @Test
    void movDrExitsUnderMovDrExiting() {
        guest(Controls.PROC_MOV_DR_EXITING, 0x0F, 0x23, 0xF9); // mov dr7, rcx
        VmExit e = exits(ExitReason.MOV_DR, 3);
        assertEquals(7 | 1 << 8, e.qualification());
        guest(Controls.PROC_MOV_DR_EXITING, 0x0F, 0x21, 0xC2); // mov rdx, dr0
        e = exits(ExitReason.MOV_DR, 3);
        assertEquals(0 | 16 | 2 << 8, e.qualification());
    }

    @Test
    void pauseAndInvd() {
        guest(Controls.PROC_PAUSE_EXITING, 0xF3, 0x90);
        exits(ExitReason.PAUSE, 2);
        guest(0, 0xF3, 0x90);
        runsThrough(2);
        guest(0, 0x0F, 0x08); // invd
        exits(ExitReason.INVD, 2);
        guest(0, 0x0F, 0x09); // wbinvd
        runsThrough(2);
        guest(Controls.PROC_SECONDARY_CONTROLS, 0x0F, 0x09);
        vmcs.write(VmcsFields.SECONDARY_VM_EXEC_CONTROL, Controls.PROC2_WBINVD_EXITING);
        exits(ExitReason.WBINVD_WBNOINVD, 2);
    }

    @Test
    void guestStateRoundTrips() {
        guest(0);
        cpu.state.gdtrBase = 0x1234;
        cpu.state.gdtrLimit = 0x7F;
        cpu.state.sysenterEip = 0x999;
        GuestStateSync.save(cpu.state, 0x4242, vmcs);
        Cpu other = Cpu.flat64(ram, true);
        GuestStateSync.load(vmcs, other.state);
        assertEquals(0x4242, other.state.rip);
        assertEquals(0x1234, other.state.gdtrBase);
        assertEquals(0x7F, other.state.gdtrLimit);
        assertEquals(0x999, other.state.sysenterEip);
        assertEquals(0x08, other.state.cs.selector());
        assertEquals(cpu.state.ss.vmcsAccessRights(), other.state.ss.vmcsAccessRights());
        assertEquals(cpu.state.rflags(), other.state.rflags());
    }

    /** EFER and PAT move only under their save/load controls (28.3.1, 27.3.2.1). */
    @Test
    void eferAndPatFollowTheirControls() {
        guest(0);
        long lma = org.jvmx.translator.cpu.Msr.EFER_LMA, lme = org.jvmx.translator.cpu.Msr.EFER_LME;
        long nxe = org.jvmx.translator.cpu.Msr.EFER_NXE;
        vmcs.write(VmcsFields.GUEST_IA32_EFER, 0x77);
        vmcs.write(VmcsFields.GUEST_IA32_PAT, 0x66);
        vmcs.write(VmcsFields.VM_EXIT_CONTROLS, Controls.EXIT_DEFAULT1);
        GuestStateSync.save(cpu.state, CODE, vmcs);
        assertEquals(0x77, vmcs.read(VmcsFields.GUEST_IA32_EFER), "not saved without \"save IA32_EFER\"");
        assertEquals(0x66, vmcs.read(VmcsFields.GUEST_IA32_PAT));
        vmcs.write(VmcsFields.VM_EXIT_CONTROLS, Controls.EXIT_DEFAULT1 | Controls.EXIT_SAVE_EFER | Controls.EXIT_SAVE_PAT);
        GuestStateSync.save(cpu.state, CODE, vmcs);
        assertEquals(cpu.state.efer, vmcs.read(VmcsFields.GUEST_IA32_EFER));
        assertEquals(cpu.state.pat, vmcs.read(VmcsFields.GUEST_IA32_PAT));
        // Entry without "load IA32_EFER": LMA from "IA-32e mode guest", LME = LMA with paging, the rest kept.
        Cpu other = Cpu.flat64(ram, false);
        other.state.efer = nxe;
        other.state.pat = 0x55;
        vmcs.write(VmcsFields.GUEST_CR0, 0x8000_0031L);
        vmcs.write(VmcsFields.VM_ENTRY_CONTROLS, Controls.ENTRY_DEFAULT1 | Controls.ENTRY_IA32E_MODE_GUEST);
        GuestStateSync.load(vmcs, other.state);
        assertEquals(nxe | lma | lme, other.state.efer);
        assertEquals(0x55, other.state.pat, "PAT kept without \"load IA32_PAT\"");
        vmcs.write(VmcsFields.VM_ENTRY_CONTROLS, Controls.ENTRY_DEFAULT1 | Controls.ENTRY_LOAD_EFER | Controls.ENTRY_LOAD_PAT);
        vmcs.write(VmcsFields.GUEST_IA32_EFER, 0x501);
        GuestStateSync.load(vmcs, other.state);
        assertEquals(0x501, other.state.efer);
        assertEquals(cpu.state.pat, other.state.pat);
    }

    @Test
    void lmswExitsOnAHostOwnedBitAndReportsTheSource() {
        guest(0, 0x0F, 0x01, 0xF0); // lmsw ax
        vmcs.write(VmcsFields.CR0_GUEST_HOST_MASK, CpuState.CR0_TS);
        vmcs.write(VmcsFields.CR0_READ_SHADOW, 0);
        cpu.gpr[CpuState.RAX] = CpuState.CR0_PE | CpuState.CR0_TS;
        VmExit e = exits(ExitReason.CONTROL_REGISTER_ACCESS, 3);
        assertEquals(3, e.crAccessType());
        assertEquals(0, e.crNumber());
        assertEquals(CpuState.CR0_PE | CpuState.CR0_TS, e.lmswSource());
        assertEquals(3L << 4 | 9L << 16, e.qualification());
        // Same TS as the shadow: no exit, only the guest-owned MP changes.
        cpu.gpr[CpuState.RAX] = CpuState.CR0_PE;
        leaveLongMode();
        long before = cpu.state.cr0;
        runsThrough(3);
        assertEquals(before & ~CpuState.CR0_MP, cpu.state.cr0);
    }

    @Test
    void cltsRules() {
        guest(0, 0x0F, 0x06); // clts
        vmcs.write(VmcsFields.CR0_GUEST_HOST_MASK, CpuState.CR0_TS);
        vmcs.write(VmcsFields.CR0_READ_SHADOW, CpuState.CR0_TS);
        assertEquals(2L << 4, exits(ExitReason.CONTROL_REGISTER_ACCESS, 2).qualification());
        // Host-owned and clear in the shadow: no exit, and CR0.TS is left alone.
        vmcs.write(VmcsFields.CR0_READ_SHADOW, 0);
        cpu.state.cr0 |= CpuState.CR0_TS;
        runsThrough(2);
        assertTrue((cpu.state.cr0 & CpuState.CR0_TS) != 0);
        // Guest-owned: CLTS clears it.
        guest(0, 0x0F, 0x06);
        vmcs.write(VmcsFields.CR0_GUEST_HOST_MASK, 0);
        leaveLongMode();
        cpu.state.cr0 |= CpuState.CR0_TS;
        runsThrough(2);
        assertEquals(0, cpu.state.cr0 & CpuState.CR0_TS);
    }

    @Test
    void cr8LoadExiting() {
        guest(Controls.PROC_CR8_LOAD_EXITING, 0x4C, 0x0F, 0x22, 0xC1); // mov cr8, rcx
        cpu.gpr[CpuState.RCX] = 5;
        VmExit e = exits(ExitReason.CONTROL_REGISTER_ACCESS, 4);
        assertEquals(8 | 1 << 8, e.qualification());
        guest(0, 0x4C, 0x0F, 0x22, 0xC1);
        cpu.gpr[CpuState.RCX] = 5;
        runsThrough(4);
        assertEquals(5, cpu.state.cr8);
    }

    @Test
    void interceptedExceptionIsAVmExit() {
        guest(0, 0x0F, 0x0B); // ud2
        vmcs.write(VmcsFields.EXCEPTION_BITMAP, 1 << 6);
        Exit x = run();
        assertEquals(Exit.Kind.REQUESTED, x.kind());
        VmExit e = (VmExit) x.detail();
        assertEquals(ExitReason.EXCEPTION_OR_NMI, e.reason());
        assertEquals(CODE, vmcs.read(VmcsFields.GUEST_RIP));
        assertEquals(0x8000_0306L, vmcs.read(VmcsFields.VM_EXIT_INTERRUPTION_INFO));
        vmcs.write(VmcsFields.EXCEPTION_BITMAP, 0);
        assertEquals(Exit.Kind.FAULT, run().kind(), "not intercepted: the fault leaves for delivery");
    }

    @Test
    void monitorAndRdpmcUnderTheirControls() {
        guest(Controls.PROC_MONITOR_EXITING, 0x0F, 0x01, 0xC8); // monitor
        exits(ExitReason.MONITOR, 3);
        guest(Controls.PROC_MWAIT_EXITING, 0x0F, 0x01, 0xC9); // mwait
        exits(ExitReason.MWAIT, 3);
        guest(Controls.PROC_RDPMC_EXITING, 0x0F, 0x33); // rdpmc
        exits(ExitReason.RDPMC, 2);
    }

    void secondary(int proc2) {
        vmcs.write(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                vmcs.read(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) | Controls.PROC_SECONDARY_CONTROLS);
        vmcs.write(VmcsFields.SECONDARY_VM_EXEC_CONTROL, proc2);
    }

    @Test
    void rdtscpNeedsEnableRdtscpAndExitsUnderRdtscExiting() {
        guest(Controls.PROC_RDTSC_EXITING, 0x0F, 0x01, 0xF9);
        secondary(Controls.PROC2_RDTSCP);
        assertEquals(0, exits(ExitReason.RDTSCP, 3).qualification());
        guest(0, 0x0F, 0x01, 0xF9);
        secondary(Controls.PROC2_RDTSCP);
        cpu.state.tscSource = () -> 0x5_0000_0007L;
        cpu.state.tscOffset = 0;
        runsThrough(3);
        assertEquals(7, cpu.gpr[CpuState.RAX]);
        assertEquals(5, cpu.gpr[CpuState.RDX]);
        guest(0, 0x0F, 0x01, 0xF9);
        secondary(0); // without "enable RDTSCP" the instruction is #UD (26.3)
        Exit x = run();
        assertEquals(Exit.Kind.FAULT, x.kind());
        assertEquals(6, x.vector());
    }

    @Test
    void rdrandAndRdseedExitWithTheirInstructionInformation() {
        guest(0, 0x48, 0x0F, 0xC7, 0xF3); // rdrand rbx
        secondary(Controls.PROC2_RDRAND_EXITING);
        VmExit e = exits(ExitReason.RDRAND, 4);
        assertEquals(3 << 3 | 2 << 11, e.instructionInfo(), "register RBX, 64-bit operand (Table 28-13)");
        assertEquals(e.instructionInfo(), vmcs.read(VmcsFields.VMX_INSTRUCTION_INFO));
        guest(0, 0x0F, 0xC7, 0xF9); // rdseed ecx
        secondary(Controls.PROC2_RDSEED_EXITING);
        assertEquals(1 << 3 | 1 << 11, exits(ExitReason.RDSEED, 3).instructionInfo());
        guest(0, 0x66, 0x0F, 0xC7, 0xF9); // rdseed cx: controls off, runs and sets CF
        secondary(Controls.PROC2_RDRAND_EXITING);
        runsThrough(4);
        assertEquals(1, cpu.state.rflags() & 1);
    }

    @Test
    void getsecAlwaysExits() {
        guest(0, 0x0F, 0x37);
        exits(ExitReason.GETSEC, 2);
    }

    /** A guest's own VMX instructions exit unconditionally (26.1.2): reasons 19-27, 50, 53. */
    @Test
    void vmxInstructionsInTheGuestAlwaysExit() {
        Object[][] cases = {
            {ExitReason.VMCLEAR, new int[] {0x66, 0x0F, 0xC7, 0x33}}, {ExitReason.VMLAUNCH, new int[] {0x0F, 0x01, 0xC2}},
            {ExitReason.VMPTRLD, new int[] {0x0F, 0xC7, 0x33}}, {ExitReason.VMPTRST, new int[] {0x0F, 0xC7, 0x3B}},
            {ExitReason.VMREAD, new int[] {0x0F, 0x78, 0xD8}}, {ExitReason.VMRESUME, new int[] {0x0F, 0x01, 0xC3}},
            {ExitReason.VMWRITE, new int[] {0x0F, 0x79, 0xD8}}, {ExitReason.VMXOFF, new int[] {0x0F, 0x01, 0xC4}},
            {ExitReason.VMXON, new int[] {0xF3, 0x0F, 0xC7, 0x33}},
            {ExitReason.INVEPT, new int[] {0x66, 0x0F, 0x38, 0x80, 0x03}},
            {ExitReason.INVVPID, new int[] {0x66, 0x0F, 0x38, 0x81, 0x03}}};
        for (Object[] k : cases) {
            int[] code = (int[]) k[1];
            guest(0, code);
            exits((ExitReason) k[0], code.length);
        }
        // Qualification = displacement; instruction information: memory operand and registers (Tables 28-9, 28-13, 28-14).
        guest(0, 0x0F, 0xC7, 0x74, 0x8B, 0x10); // vmptrld [rbx+rcx*4+0x10]
        VmExit e = exits(ExitReason.VMPTRLD, 5);
        assertEquals(0x10, e.qualification());
        assertEquals(2 | 2 << 7 | 3 << 15 | 1 << 18 | 3 << 23, e.instructionInfo(), "scale 4, 64-bit address, DS, RCX, RBX");
        guest(0, 0x0F, 0x78, 0xD8); // vmread rax, rbx
        e = exits(ExitReason.VMREAD, 3);
        assertEquals(0, e.qualification());
        assertEquals(1 << 10 | 3L << 28, e.instructionInfo(), "register operand RAX (reg1 = 0), field encoding in RBX");
        guest(0, 0x66, 0x0F, 0x38, 0x80, 0x4D, 0xF8); // invept rcx, [rbp-8]
        e = exits(ExitReason.INVEPT, 6);
        assertEquals(-8, e.qualification());
        assertEquals(2 << 7 | 2 << 15 | 1 << 22 | 5 << 23 | 1L << 28, e.instructionInfo(), "SS, no index, RBP, RCX");
    }

    /** A far JMP to a TSS outside 64-bit mode is a task switch: an unconditional exit, reason 9 (Table 28-2). */
    @Test
    void farJumpToATssIsATaskSwitchExit() {
        guest(0, 0xEA, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00); // jmp 0x28:0 (32-bit code)
        cpu.state.cs.set(0x08, 0, 0xFFFF_FFFF, 0xC09B); // compatibility mode: CS.L = 0, D = 1
        cpu.refreshMode();
        cpu.state.gdtrBase = 0x3000;
        cpu.state.gdtrLimit = 0x2F;
        ram.write(0x3028, 8, 0x0000_8900_5000_0067L); // an available 32-bit TSS at 0x5000
        Exit x = run();
        VmExit e = assertInstanceOf(VmExit.class, x.detail(), x.toString());
        assertEquals(ExitReason.TASK_SWITCH, e.reason());
        assertEquals(0x28 | 2L << 30, e.qualification(), "selector, source JMP");
        assertEquals(7, e.instructionLength());
        assertEquals(CODE, cpu.state.rip);
        cpu.sensitive = new org.jvmx.translator.exec.BareMetal();
        x = run();
        assertEquals(Exit.Kind.FAULT, x.kind());
        assertEquals(13, x.vector(), "bare metal: not modelled, #GP(selector)");
        assertEquals(0x28, x.errorCode());
    }
}
