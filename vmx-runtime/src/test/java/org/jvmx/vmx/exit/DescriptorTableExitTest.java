package org.jvmx.vmx.exit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * "Descriptor-table exiting" (SDM Vol. 3C, 25.6.2 secondary control bit 2; 26.1.3): LGDT, LIDT,
 * SGDT, SIDT exit with reason 46, LLDT, LTR, SLDT, STR with reason 47, before touching their
 * operand; exit qualification = displacement (28.2.1), instruction information per Tables 28-10
 * and 28-11 (28.2.5). Without the control they run with their architectural effect; CPL and UMIP
 * faults take priority over the exit (26.1.1).
 */
class DescriptorTableExitTest {
    static final long CODE = 0x1000, DATA = 0x4000, GDT = 0x20000;
    static final int DT = Controls.PROC2_DESCRIPTOR_TABLE_EXITING, SECONDARY = Controls.PROC_SECONDARY_CONTROLS;
    static final int RAX = 0, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7, R9 = 9, R10 = 10, R12 = 12, R13 = 13;
    static final int ES_ = 0, SS_ = 2, DS_ = 3, FS_ = 4;
    static final long CR4_UMIP = 1L << 11;
    /** Bit 11 of Table 28-10 (operand size) is undefined for exits from 64-bit mode. */
    static final long OPERAND_SIZE_BIT = 1L << 11;

    final PhysicalMemory ram = new PhysicalMemory();
    final Vmcs vmcs = new Vmcs(1);
    Cpu cpu;

    @AfterEach
    void close() {
        ram.close();
    }

    Cpu guest(int proc, long proc2, boolean user, int... code) {
        if (ram.regionAt(0) == null) ram.addRam(0, 1 << 20);
        for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
        cpu = Cpu.flat64(ram, user);
        cpu.state.rip = CODE;
        cpu.gpr[CpuState.RSP] = 0x8000;
        for (int g = 0; g < 16; g++) if (g != CpuState.RSP) cpu.gpr[g] = 0x5A5A_0000_0000_0000L | g;
        cpu.gpr[CpuState.RBX] = DATA;
        cpu.state.gdtrBase = GDT;
        cpu.state.gdtrLimit = 0x7F;
        cpu.state.idtrBase = 0xFFFF_8000_0000_1000L;
        cpu.state.idtrLimit = 0xFFF;
        cpu.state.ldtr.set(0x28, 0, 0, 0x82);
        cpu.state.tr.set(0x38, 0x7000, 0x67, 0x8B);
        for (int k = 0; k < 0x200; k++) ram.write(DATA + k, 1, 0xC0 + k);
        vmcs.write(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, proc);
        vmcs.write(VmcsFields.SECONDARY_VM_EXEC_CONTROL, proc2);
        vmcs.write(VmcsFields.VM_EXIT_REASON, 0);
        cpu.sensitive = new VmxSensitive(vmcs, ram);
        return cpu;
    }

    Exit run() {
        try (Engine e = new Engine(cpu, Engine.Tier.INTERPRET, null)) {
            return e.run(1);
        }
    }

    byte[] snapshot(long base, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) b[k] = (byte) ram.read(base + k, 1);
        return b;
    }

    /**
     * Runs one instruction expecting a VM exit: reason, length, qualification and instruction
     * information (with {@code ignore} masking undefined bits); RIP, the GPRs, the table registers
     * and memory are untouched, and the guest-linear-address field is 0.
     */
    void exits(ExitReason reason, int length, long qual, long info, long ignore) {
        long[] gpr = cpu.gpr.clone();
        String tables = tables();
        byte[] data = snapshot(DATA - 0x200, 0x600), gdt = snapshot(GDT, 0x80);
        vmcs.write(VmcsFields.GUEST_LINEAR_ADDRESS, 0x1234);
        Exit x = run();
        assertEquals(Exit.Kind.REQUESTED, x.kind(), x.toString());
        VmExit e = assertInstanceOf(VmExit.class, x.detail());
        assertEquals(reason, e.reason());
        assertEquals(reason.number(), vmcs.read(VmcsFields.VM_EXIT_REASON));
        assertEquals(length, e.instructionLength());
        assertEquals(length, vmcs.read(VmcsFields.VM_EXIT_INSTRUCTION_LENGTH));
        assertEquals(qual, e.qualification(), "exit qualification");
        assertEquals(qual, vmcs.read(VmcsFields.EXIT_QUALIFICATION));
        assertEquals(Long.toHexString(info), Long.toHexString(vmcs.read(VmcsFields.VMX_INSTRUCTION_INFO) & ~ignore),
                "instruction information");
        assertEquals(0, vmcs.read(VmcsFields.GUEST_LINEAR_ADDRESS));
        assertEquals(CODE, cpu.state.rip, "RIP stays on the instruction");
        assertEquals(CODE, vmcs.read(VmcsFields.GUEST_RIP));
        assertArrayEquals(gpr, cpu.gpr);
        assertEquals(tables, tables());
        assertArrayEquals(data, snapshot(DATA - 0x200, 0x600), "nothing written");
        assertArrayEquals(gdt, snapshot(GDT, 0x80));
    }

    String tables() {
        CpuState s = cpu.state;
        return s.gdtrBase + "/" + s.gdtrLimit + " " + s.idtrBase + "/" + s.idtrLimit + " " + s.ldtr + " " + s.tr;
    }

    /** Table 28-10/28-11 memory form: scaling, address size (0/1/2), segment, index and base (-1: invalid), identity. */
    static long memInfo(int identity, int scaleLog2, int addressSize, int seg, int index, int base) {
        long info = (long) identity << 28 | (long) addressSize << 7 | (long) seg << 15;
        info |= index < 0 ? 1L << 22 : scaleLog2 | (long) index << 18;
        info |= base < 0 ? 1L << 27 : (long) base << 23;
        return info;
    }

    /** Table 28-11 register form: Reg1 in bits 6:3, Mem/Reg (bit 10) = 1, identity. */
    static long regInfo(int identity, int reg1) {
        return (long) identity << 28 | 1L << 10 | (long) reg1 << 3;
    }

    // ---- with the control: VM exits

    @Test
    void lgdtBaseIndexScaleDisplacement() {
        guest(SECONDARY, DT, false, 0x0F, 0x01, 0x94, 0xF3, 0x20, 0x01, 0x00, 0x00); // lgdt [rbx+rsi*8+0x120]
        cpu.gpr[CpuState.RSI] = 2;
        exits(ExitReason.GDTR_IDTR_ACCESS, 8, 0x120, memInfo(2, 3, 2, DS_, RSI, RBX), OPERAND_SIZE_BIT);
    }

    @Test
    void lidtRipRelativeQualificationIsTheAddress() {
        guest(SECONDARY, DT, false, 0x0F, 0x01, 0x1D, 0x00, 0x02, 0x00, 0x00); // lidt [rip+0x200]
        exits(ExitReason.GDTR_IDTR_ACCESS, 7, CODE + 7 + 0x200, memInfo(3, 0, 2, DS_, -1, -1), OPERAND_SIZE_BIT);
    }

    @Test
    void sgdtNegativeDisplacementThroughSs() {
        guest(SECONDARY, DT, false, 0x0F, 0x01, 0x45, 0xF8); // sgdt [rbp-8]
        cpu.gpr[CpuState.RBP] = DATA + 0x100;
        exits(ExitReason.GDTR_IDTR_ACCESS, 4, -8L, memInfo(0, 0, 2, SS_, -1, RBP), OPERAND_SIZE_BIT);
    }

    @Test
    void sidtExtendedBaseAndIndexWithoutDisplacement() {
        guest(SECONDARY, DT, false, 0x43, 0x0F, 0x01, 0x0C, 0x6C); // sidt [r12+r13*2]
        cpu.gpr[12] = DATA;
        cpu.gpr[13] = 8;
        exits(ExitReason.GDTR_IDTR_ACCESS, 5, 0, memInfo(1, 1, 2, DS_, R13, R12), OPERAND_SIZE_BIT);
    }

    @Test
    void sgdtExitsBeforeItsOperandFaults() {
        // Operand faults have lower priority than the VM exit (26.1.1): a non-canonical address still exits.
        guest(SECONDARY, DT, false, 0x0F, 0x01, 0x03); // sgdt [rbx]
        cpu.gpr[CpuState.RBX] = 0x8000_0000_0000_0000L;
        exits(ExitReason.GDTR_IDTR_ACCESS, 3, 0, memInfo(0, 0, 2, DS_, -1, RBX), OPERAND_SIZE_BIT);
    }

    @Test
    void sldtRegisterForms() {
        guest(SECONDARY, DT, false, 0x41, 0x0F, 0x00, 0xC1); // sldt r9d
        exits(ExitReason.LDTR_TR_ACCESS, 4, 0, regInfo(0, R9), 0);
        guest(SECONDARY, DT, false, 0x0F, 0x00, 0xC0); // sldt eax
        exits(ExitReason.LDTR_TR_ACCESS, 3, 0, regInfo(0, RAX), 0);
    }

    @Test
    void strMemory() {
        guest(SECONDARY, DT, false, 0x0F, 0x00, 0x4F, 0x40); // str word ptr [rdi+0x40]
        cpu.gpr[CpuState.RDI] = DATA;
        exits(ExitReason.LDTR_TR_ACCESS, 4, 0x40, memInfo(1, 0, 2, DS_, -1, RDI), 0);
    }

    @Test
    void lldtRegisterAndFsMemory() {
        guest(SECONDARY, DT, false, 0x0F, 0x00, 0xD2); // lldt dx
        exits(ExitReason.LDTR_TR_ACCESS, 3, 0, regInfo(2, RDX), 0);
        guest(SECONDARY, DT, false, 0x64, 0x0F, 0x00, 0x10); // lldt word ptr fs:[rax]
        cpu.gpr[CpuState.RAX] = DATA;
        exits(ExitReason.LDTR_TR_ACCESS, 4, 0, memInfo(2, 0, 2, FS_, -1, RAX), 0);
    }

    @Test
    void ltrRegisterAnd32BitAddress() {
        guest(SECONDARY, DT, false, 0x41, 0x0F, 0x00, 0xDA); // ltr r10w
        exits(ExitReason.LDTR_TR_ACCESS, 4, 0, regInfo(3, R10), 0);
        // ltr word ptr [esp+0x1000]: 67 prefix (address size 32), SS, base RSP.
        guest(SECONDARY, DT, false, 0x67, 0x0F, 0x00, 0x9C, 0x24, 0x00, 0x10, 0x00, 0x00);
        exits(ExitReason.LDTR_TR_ACCESS, 9, 0x1000, memInfo(3, 0, 1, SS_, -1, RSP), 0);
    }

    @Test
    void cplThreeStoresExitToo() {
        // SGDT/SLDT are not privileged: without UMIP they exit at CPL 3 as well.
        guest(SECONDARY, DT, true, 0x0F, 0x01, 0x03); // sgdt [rbx]
        exits(ExitReason.GDTR_IDTR_ACCESS, 3, 0, memInfo(0, 0, 2, DS_, -1, RBX), OPERAND_SIZE_BIT);
        guest(SECONDARY, DT, true, 0x0F, 0x00, 0xC9); // str ecx
        exits(ExitReason.LDTR_TR_ACCESS, 3, 0, regInfo(1, 1), 0);
    }

    // ---- faults that take priority over the exit (26.1.1)

    void faultsGp0() {
        long[] gpr = cpu.gpr.clone();
        String tables = tables();
        Exit x = run();
        assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
        assertEquals(GuestFault.GP, x.vector());
        assertEquals(0, x.errorCode());
        assertEquals(0, vmcs.read(VmcsFields.VM_EXIT_REASON), "no VM exit recorded");
        assertEquals(CODE, cpu.state.rip);
        assertArrayEquals(gpr, cpu.gpr);
        assertEquals(tables, tables());
    }

    @Test
    void cplThreeLgdtFaultsInsteadOfExiting() {
        guest(SECONDARY, DT, true, 0x0F, 0x01, 0x13); // lgdt [rbx]
        faultsGp0();
        guest(SECONDARY, DT, true, 0x0F, 0x00, 0xD0); // lldt ax
        faultsGp0();
        guest(SECONDARY, DT, true, 0x0F, 0x00, 0xD8); // ltr ax
        faultsGp0();
    }

    @Test
    void umipFaultsInsteadOfExiting() {
        guest(SECONDARY, DT, true, 0x0F, 0x01, 0x0B); // sidt [rbx]
        cpu.state.cr4 |= CR4_UMIP;
        faultsGp0();
        guest(SECONDARY, DT, true, 0x0F, 0x00, 0xC0); // sldt eax
        cpu.state.cr4 |= CR4_UMIP;
        faultsGp0();
        // At CPL 0 UMIP does not apply: the exit happens.
        guest(SECONDARY, DT, false, 0x0F, 0x00, 0xC0);
        cpu.state.cr4 |= CR4_UMIP;
        exits(ExitReason.LDTR_TR_ACCESS, 3, 0, regInfo(0, RAX), 0);
    }

    // ---- without the control (or with the secondary controls off): the architectural effect

    /** The two ways the control is off: secondary controls not activated, or bit 2 clear. */
    static final int[][] OFF = {{0, DT}, {SECONDARY, 0}, {SECONDARY, ~DT}};

    void runsThrough(int length) {
        Exit x = run();
        assertEquals(Exit.Kind.BUDGET, x.kind(), x.toString());
        assertEquals(CODE + length, cpu.state.rip);
        assertEquals(0, vmcs.read(VmcsFields.VM_EXIT_REASON));
    }

    @Test
    void loadsRunWithoutTheControl() {
        for (int[] off : OFF) {
            guest(off[0], off[1], false, 0x0F, 0x01, 0x13); // lgdt [rbx]
            ram.write(DATA, 2, 0x1FF);
            ram.write(DATA + 2, 8, 0xFFFF_8000_0040_0000L);
            runsThrough(3);
            assertEquals(0x1FF, cpu.state.gdtrLimit);
            assertEquals(0xFFFF_8000_0040_0000L, cpu.state.gdtrBase);
            guest(off[0], off[1], false, 0x0F, 0x01, 0x1B); // lidt [rbx]
            ram.write(DATA, 2, 0xFF);
            ram.write(DATA + 2, 8, 0x1234_5000L);
            runsThrough(3);
            assertEquals(0xFF, cpu.state.idtrLimit);
            assertEquals(0x1234_5000L, cpu.state.idtrBase);
        }
    }

    @Test
    void storesRunWithoutTheControl() {
        for (int[] off : OFF) {
            guest(off[0], off[1], false, 0x0F, 0x01, 0x03); // sgdt [rbx]
            runsThrough(3);
            assertEquals(0x7F, ram.read(DATA, 2));
            assertEquals(GDT, ram.read(DATA + 2, 8));
            guest(off[0], off[1], false, 0x0F, 0x01, 0x0B); // sidt [rbx]
            runsThrough(3);
            assertEquals(0xFFF, ram.read(DATA, 2));
            assertEquals(0xFFFF_8000_0000_1000L, ram.read(DATA + 2, 8));
            guest(off[0], off[1], false, 0x0F, 0x00, 0x03); // sldt word ptr [rbx]
            runsThrough(3);
            assertEquals(0x28, ram.read(DATA, 2));
            assertEquals(0xC2, ram.read(DATA + 2, 1), "a 16-bit store");
            guest(off[0], off[1], false, 0x0F, 0x00, 0xC9); // str ecx
            runsThrough(3);
            assertEquals(0x38, cpu.gpr[CpuState.RCX], "zero-extended");
            guest(off[0], off[1], false, 0x49, 0x0F, 0x00, 0xC1); // sldt r9
            runsThrough(4);
            assertEquals(0x28, cpu.gpr[9]);
        }
    }

    @Test
    void lldtAndLtrRunWithoutTheControl() {
        long ldtBase = 0xFFFF_8000_1234_5000L, tssBase = 0x0000_0001_0003_0000L;
        for (int[] off : OFF) {
            guest(off[0], off[1], false, 0x0F, 0x00, 0x13); // lldt word ptr [rbx]
            // 16-byte LDT descriptor at 0x30 (limit 0xFFF, type 2, present), TSS at 0x40 (limit 0x67, type 9).
            ram.write(GDT + 0x30, 8, 0x0FFFL | 0x34_5000L << 16 | 0x82L << 40 | 0x12L << 56);
            ram.write(GDT + 0x38, 8, ldtBase >>> 32);
            ram.write(GDT + 0x40, 8, 0x67L | 0x03_0000L << 16 | 0x89L << 40);
            ram.write(GDT + 0x48, 8, tssBase >>> 32);
            ram.write(DATA, 2, 0x30);
            runsThrough(3);
            assertEquals(0x30, cpu.state.ldtr.selector());
            assertEquals(ldtBase, cpu.state.ldtr.base());
            assertEquals(0xFFF, cpu.state.ldtr.limit());
            assertEquals(0x82, cpu.state.ldtr.vmcsAccessRights());
            guest(off[0], off[1], false, 0x0F, 0x00, 0xD8); // ltr ax
            cpu.gpr[CpuState.RAX] = 0x40;
            runsThrough(3);
            assertEquals(0x40, cpu.state.tr.selector());
            assertEquals(tssBase, cpu.state.tr.base());
            assertEquals(0x8B, cpu.state.tr.vmcsAccessRights());
            assertEquals(0x8B, ram.read(GDT + 0x45, 1), "TSS marked busy");
            guest(off[0], off[1], false, 0x0F, 0x00, 0xD0); // lldt ax with a null selector
            cpu.gpr[CpuState.RAX] = 0;
            runsThrough(3);
            assertTrue(cpu.state.ldtr.unusable());
        }
    }
}
