package org.jvmx.vmx.exit;

import java.util.OptionalLong;
import java.util.function.LongUnaryOperator;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.exec.Interrupts;
import org.jvmx.translator.exec.LeaveRequest;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Sensitive;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PageFault;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * The VMX implementation of the translator's sensitive-instruction interface: each sensitive
 * instruction in VMX non-root operation either behaves as modified by the VM-execution
 * controls of the current VMCS (SDM Vol. 3C, 26.3) or causes a VM exit (26.1.2 unconditional,
 * 26.1.3 conditional). A VM exit records the exit information (28.2), saves the guest state
 * (28.3, {@link GuestStateSync}) and leaves the run loop with the instruction not executed.
 */
public final class VmxSensitive implements Sensitive {
    private Vmcs vmcs;
    private final LongUnaryOperator physicalByte;

    /**
     * @param vmcs         the current VMCS
     * @param physicalByte reads one byte of guest-physical memory (for the I/O and MSR bitmaps)
     */
    public VmxSensitive(Vmcs vmcs, LongUnaryOperator physicalByte) {
        this.vmcs = vmcs;
        this.physicalByte = physicalByte;
    }

    /** Bitmaps read from {@code ram}. */
    public VmxSensitive(Vmcs vmcs, PhysicalMemory ram) {
        this(vmcs, pa -> ram.read(pa, 1));
    }

    public Vmcs vmcs() { return vmcs; }

    public void setVmcs(Vmcs vmcs) { this.vmcs = vmcs; }

    // ---- controls

    private int proc() { return (int) vmcs.read(VmcsFields.CPU_BASED_VM_EXEC_CONTROL); }

    private boolean proc(int bit) { return (proc() & bit) != 0; }

    private boolean proc2(int bit) {
        return proc(Controls.PROC_SECONDARY_CONTROLS) && (vmcs.read(VmcsFields.SECONDARY_VM_EXEC_CONTROL) & bit) != 0;
    }

    // ---- the exit itself (28.2, 28.3)

    /**
     * When set, a VM exit does not copy the guest state into the VMCS: the owner (a {@code Vcpu})
     * keeps it in the CPU and calls {@link #saveGuestState} only when the monitor reads the
     * guest-state area. What the monitor sees is the same; an exit it answers from the
     * general-purpose registers alone costs no copy.
     */
    public boolean deferGuestStateSave;

    private VmExit record(Cpu c, long rip, ExitReason r, long qual, int length, long info, long linear, int msr,
            long value, long intrInfo, int errorCode) {
        recordExitInformation(vmcs, r, qual, length, info, linear, intrInfo, errorCode);
        if (!deferGuestStateSave) GuestStateSync.save(c.state, rip, vmcs);
        return new VmExit(r, qual, length, info, linear, rip, msr, value, false, intrInfo, errorCode);
    }

    /**
     * The exit-information fields every VM exit writes (28.2.1-28.2.5): reason, qualification,
     * instruction length and information, guest-linear address, interruption information and
     * error code; IDT-vectoring information invalid (not during event delivery, 28.2.4); and the
     * valid bit of the VM-entry interruption information cleared.
     */
    public static void recordExitInformation(Vmcs vmcs, ExitReason r, long qual, int length, long info, long linear,
            long intrInfo, int errorCode) {
        vmcs.write(VmcsFields.VM_EXIT_REASON, r.fieldValue(false));
        vmcs.write(VmcsFields.EXIT_QUALIFICATION, qual);
        vmcs.write(VmcsFields.VM_EXIT_INSTRUCTION_LENGTH, length);
        vmcs.write(VmcsFields.VMX_INSTRUCTION_INFO, info);
        vmcs.write(VmcsFields.GUEST_LINEAR_ADDRESS, linear);
        vmcs.write(VmcsFields.VM_EXIT_INTERRUPTION_INFO, intrInfo);
        vmcs.write(VmcsFields.VM_EXIT_INTERRUPTION_ERROR_CODE, errorCode & 0xFFFF_FFFFL);
        vmcs.write(VmcsFields.IDT_VECTORING_INFO, 0);
        clearEntryEvent(vmcs);
    }

    /** Every VM exit clears the valid bit of the VM-entry interruption-information field (28.2, "Recording VM-Exit Information and Updating VM-Entry Control Fields"). */
    public static void clearEntryEvent(Vmcs vmcs) {
        long e = vmcs.read(VmcsFields.VM_ENTRY_INTERRUPTION_INFO);
        if (e < 0 || (e & Controls.INTR_INFO_VALID & 0xFFFF_FFFFL) != 0) {
            vmcs.write(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, e & 0x7FFF_FFFFL);
        }
    }

    /** Copies the guest state into the guest-state area now (after an exit taken with {@link #deferGuestStateSave}). */
    public void saveGuestState(Cpu c) {
        GuestStateSync.save(c.state, c.state.rip, vmcs);
    }

    private RuntimeException exit(Cpu c, Instruction i, ExitReason r, long qual, long info, long linear, int msr,
            long value) {
        VmExit e = record(c, i.ip(), r, qual, i.length(), info, linear, msr, value, 0, 0);
        throw new LeaveRequest(Exit.requested(e), false);
    }

    /**
     * A VM exit from a sensitive method the translator calls last in its instruction (CPUID,
     * WRMSR, OUT, HLT, PAUSE and {@link #other}: see {@link org.jvmx.translator.exec.Sensitive}):
     * the run loop is left through {@link Cpu#leave} instead of an exception, the cheap path.
     */
    private void tailExit(Cpu c, Instruction i, ExitReason r, long qual, long info, int msr, long value) {
        VmExit e = record(c, i.ip(), r, qual, i.length(), info, 0, msr, value, 0, 0);
        c.leave(Exit.requested(e));
    }

    private RuntimeException exit(Cpu c, Instruction i, ExitReason r, long qual) {
        return exit(c, i, r, qual, 0, 0, -1, 0);
    }

    private static int gpr(Register r) {
        return r.full64().ordinal() - Register.RAX.ordinal();
    }

    // ---- instructions

    /** CPUID exits unconditionally (26.1.2). */
    @Override
    public void cpuid(Cpu c, Instruction i) {
        tailExit(c, i, ExitReason.CPUID, 0, 0, -1, 0);
    }

    /**
     * RDTSC/RDTSCP: exit under "RDTSC exiting"; RDTSCP is #UD unless "enable RDTSCP" (26.3);
     * otherwise the value plus TSC_OFFSET under "use TSC offsetting" (26.6.5 / 26.3).
     */
    @Override
    public long rdtsc(Cpu c, Instruction i) {
        boolean p = "RDTSCP".equals(i.mnemonic().name());
        if (p && !proc2(Controls.PROC2_RDTSCP)) throw GuestFault.invalidOpcode("RDTSCP without \"enable RDTSCP\"");
        if (proc(Controls.PROC_RDTSC_EXITING)) throw exit(c, i, p ? ExitReason.RDTSCP : ExitReason.RDTSC, 0);
        long t = Sensitive.super.rdtsc(c, i);
        if (proc(Controls.PROC_TSC_OFFSETTING)) t += vmcs.read(VmcsFields.TSC_OFFSET);
        return t;
    }

    /**
     * Whether an RDMSR/WRMSR of {@code msr} exits (26.1.3, 25.6.9): always without "use MSR
     * bitmaps"; with it, the bit of the 1-KiB bitmap for the access and range, and always for an
     * MSR in neither range.
     */
    public boolean msrExits(int msr, boolean write) {
        if (!proc(Controls.PROC_MSR_BITMAPS)) return true;
        long off;
        if (msr >= 0 && msr <= 0x1FFF) off = 0;
        else if (msr >= 0xC000_0000 && msr <= 0xC000_1FFF) off = 1024;
        else return true;
        if (write) off += 2048;
        int bit = msr & 0x1FFF;
        long b = physicalByte.applyAsLong(vmcs.read(VmcsFields.MSR_BITMAP) + off + (bit >>> 3));
        return (b >>> (bit & 7) & 1) != 0;
    }

    @Override
    public long rdmsr(Cpu c, Instruction i, int msr) {
        if (msrExits(msr, false)) throw exit(c, i, ExitReason.RDMSR, 0, 0, 0, msr, 0);
        return Sensitive.super.rdmsr(c, i, msr);
    }

    @Override
    public void wrmsr(Cpu c, Instruction i, int msr, long value) {
        if (msrExits(msr, true)) {
            tailExit(c, i, ExitReason.WRMSR, 0, 0, msr, value);
            return;
        }
        Sensitive.super.wrmsr(c, i, msr, value);
    }

    /**
     * Whether an access of {@code bytes} at {@code port} exits (26.1.3): with "use I/O bitmaps"
     * if the bit of any port touched is set in bitmap A (0-7FFF) or B (8000-FFFF), or the access
     * wraps past FFFF; else under "unconditional I/O exiting".
     */
    public boolean ioExits(int port, int bytes) {
        if (!proc(Controls.PROC_IO_BITMAPS)) return proc(Controls.PROC_UNCONDITIONAL_IO_EXITING);
        for (int p = port; p < port + bytes; p++) {
            if (p > 0xFFFF) return true;
            long base = vmcs.read(p < 0x8000 ? VmcsFields.IO_BITMAP_A : VmcsFields.IO_BITMAP_B);
            int b = p & 0x7FFF;
            if ((physicalByte.applyAsLong(base + (b >>> 3)) >>> (b & 7) & 1) != 0) return true;
        }
        return false;
    }

    private static boolean isString(Instruction i) {
        String n = i.mnemonic().name();
        return n.startsWith("INS") || n.startsWith("OUTS");
    }

    /** Table 28-5: size - 1, direction, string, REP, immediate operand, port. */
    private static long ioQualification(Instruction i, int port, int bytes, boolean in) {
        boolean str = isString(i);
        boolean imm = false;
        for (int k = 0; k < i.operandCount(); k++) imm |= i.operandKind(k) == OperandKind.IMMEDIATE;
        return (bytes - 1) | (in ? 8 : 0) | (str ? 16 : 0) | (str && i.hasRep() ? 32 : 0) | (imm ? 64 : 0)
                | (long) port << 16;
    }

    private RuntimeException ioExit(Cpu c, Instruction i, int port, int bytes, boolean in, long value) {
        boolean str = isString(i);
        long q = ioQualification(i, port, bytes, in);
        long info = 0, linear = 0;
        if (str) {
            // 28.2.5 Table 28-8: address size in bits 9:7, segment (OUTS) in bits 17:15; the
            // guest-linear address of the memory operand (28.2.1).
            int as = i.addressSize() == 16 ? 0 : i.addressSize() == 32 ? 1 : 2;
            int seg = CpuState.ES;
            long off;
            if (in) {
                off = c.gpr[CpuState.RDI];
                linear = off; // ES, base 0 in 64-bit mode
                linear += c.state.mode64() ? 0 : c.state.es.base();
            } else {
                Register sp = i.segmentPrefix();
                seg = sp == Register.NONE ? CpuState.DS : sp.ordinal() - Register.ES.ordinal();
                off = c.gpr[CpuState.RSI];
                linear = off + (c.state.mode64() && seg < CpuState.FS ? 0 : c.state.seg[seg].base());
            }
            if (as == 1) linear &= 0xFFFF_FFFFL;
            info = (long) as << 7 | (long) seg << 15;
        }
        return exit(c, i, ExitReason.IO_INSTRUCTION, q, info, linear, -1, value);
    }

    @Override
    public long in(Cpu c, Instruction i, int port, int bytes) {
        if (ioExits(port, bytes)) throw ioExit(c, i, port, bytes, true, 0);
        return Sensitive.super.in(c, i, port, bytes);
    }

    @Override
    public void out(Cpu c, Instruction i, int port, int bytes, long value) {
        if (ioExits(port, bytes)) {
            if (!isString(i)) {
                tailExit(c, i, ExitReason.IO_INSTRUCTION, ioQualification(i, port, bytes, false), 0, -1, value);
                return;
            }
            throw ioExit(c, i, port, bytes, false, value);
        }
        Sensitive.super.out(c, i, port, bytes, value);
    }

    @Override
    public void hlt(Cpu c, Instruction i) {
        if (proc(Controls.PROC_HLT_EXITING)) {
            tailExit(c, i, ExitReason.HLT, 0, 0, -1, 0);
            return;
        }
        Sensitive.super.hlt(c, i);
    }

    @Override
    public void pause(Cpu c, Instruction i) {
        if (proc(Controls.PROC_PAUSE_EXITING)) {
            tailExit(c, i, ExitReason.PAUSE, 0, 0, -1, 0);
            return;
        }
        Sensitive.super.pause(c, i);
    }

    // ---- control registers (26.1.3, 26.3, Table 28-3)

    private static long crQual(int n, int type, int gpr) {
        return n | type << 4 | gpr << 8;
    }

    /**
     * MOV from CR: CR3 and CR8 stores exit under their controls; CR0/CR4 never exit, and
     * their host-owned bits (set in the guest/host mask) read from the read shadow (26.3).
     */
    @Override
    public long readCr(Cpu c, Instruction i, int n) {
        if (n == 3 && proc(Controls.PROC_CR3_STORE_EXITING)
                || n == 8 && proc(Controls.PROC_CR8_STORE_EXITING)) {
            throw exit(c, i, ExitReason.CONTROL_REGISTER_ACCESS, crQual(n, 1, gpr(i.register(0))));
        }
        long v = Sensitive.super.readCr(c, i, n);
        if (n == 0 || n == 4) {
            long mask = vmcs.read(n == 0 ? VmcsFields.CR0_GUEST_HOST_MASK : VmcsFields.CR4_GUEST_HOST_MASK);
            long shadow = vmcs.read(n == 0 ? VmcsFields.CR0_READ_SHADOW : VmcsFields.CR4_READ_SHADOW);
            v = (v & ~mask) | (shadow & mask);
        }
        return v;
    }

    @Override
    public void writeCr(Cpu c, Instruction i, int n, long v) {
        String m = i.mnemonic().name();
        if ("CLTS".equals(m)) {
            clts(c, i);
            return;
        }
        if ("LMSW".equals(m)) {
            lmsw(c, i);
            return;
        }
        int g = gpr(i.register(1));
        switch (n) {
            case 0, 4 -> {
                long mask = vmcs.read(n == 0 ? VmcsFields.CR0_GUEST_HOST_MASK : VmcsFields.CR4_GUEST_HOST_MASK);
                long shadow = vmcs.read(n == 0 ? VmcsFields.CR0_READ_SHADOW : VmcsFields.CR4_READ_SHADOW);
                if (((v ^ shadow) & mask) != 0) {
                    throw exit(c, i, ExitReason.CONTROL_REGISTER_ACCESS, crQual(n, 0, g), 0, 0, -1, v);
                }
                // Host-owned bits keep their value in the real register (26.3).
                long cur = n == 0 ? c.state.cr0 : c.state.cr4;
                Sensitive.super.writeCr(c, i, n, (v & ~mask) | (cur & mask));
            }
            case 3 -> {
                if (proc(Controls.PROC_CR3_LOAD_EXITING) && !isCr3Target(v)) {
                    throw exit(c, i, ExitReason.CONTROL_REGISTER_ACCESS, crQual(3, 0, g), 0, 0, -1, v);
                }
                Sensitive.super.writeCr(c, i, n, v);
            }
            case 8 -> {
                if (proc(Controls.PROC_CR8_LOAD_EXITING)) {
                    throw exit(c, i, ExitReason.CONTROL_REGISTER_ACCESS, crQual(8, 0, g), 0, 0, -1, v);
                }
                Sensitive.super.writeCr(c, i, n, v);
            }
            default -> Sensitive.super.writeCr(c, i, n, v);
        }
    }

    /** MOV to CR3 does not exit for a value equal to one of the first CR3_TARGET_COUNT targets (26.1.3). */
    private boolean isCr3Target(long v) {
        int count = (int) Math.min(4, vmcs.read(VmcsFields.CR3_TARGET_COUNT));
        var targets = new org.jvmx.vmx.vmcs.VmcsField[] {VmcsFields.CR3_TARGET_VALUE0, VmcsFields.CR3_TARGET_VALUE1,
                VmcsFields.CR3_TARGET_VALUE2, VmcsFields.CR3_TARGET_VALUE3};
        for (int k = 0; k < count; k++) if (vmcs.read(targets[k]) == v) return true;
        return false;
    }

    /** CLTS (26.1.3, 26.3): exits if TS is host-owned and set in the shadow; if host-owned and clear there, no effect. */
    private void clts(Cpu c, Instruction i) {
        long mask = vmcs.read(VmcsFields.CR0_GUEST_HOST_MASK), shadow = vmcs.read(VmcsFields.CR0_READ_SHADOW);
        long ts = CpuState.CR0_TS;
        if ((mask & ts) != 0) {
            if ((shadow & ts) != 0) throw exit(c, i, ExitReason.CONTROL_REGISTER_ACCESS, crQual(0, 2, 0));
            return;
        }
        Sensitive.super.writeCr(c, i, 0, c.state.cr0 & ~ts);
    }

    /**
     * LMSW (26.1.3, 26.3): exits if it would set a host-owned PE that is clear in the shadow or
     * write a host-owned MP/EM/TS different from the shadow; otherwise changes only guest-owned bits.
     */
    private void lmsw(Cpu c, Instruction i) {
        long mask = vmcs.read(VmcsFields.CR0_GUEST_HOST_MASK), shadow = vmcs.read(VmcsFields.CR0_READ_SHADOW);
        boolean mem = Operands.isMemory(i, 0);
        long src = Operands.read(c, i, 0) & 0xFFFF;
        boolean exits = (mask & 1) != 0 && (shadow & 1) == 0 && (src & 1) != 0
                || ((src ^ shadow) & mask & 0xE) != 0;
        if (exits) {
            long q = crQual(0, 3, 0) | (mem ? 64 : 0) | src << 16;
            // Bits 11:8 are 0 for LMSW (Table 28-3); a memory operand's address goes in the guest-linear-address field.
            throw exit(c, i, ExitReason.CONTROL_REGISTER_ACCESS, q, 0, mem ? Operands.address(c, i) : 0, -1, src);
        }
        long cur = c.state.cr0;
        long want = (cur & ~0xEL) | (src & 0xE) | (cur & 1) | (src & 1); // LMSW never clears PE
        Sensitive.super.writeCr(c, i, 0, (want & ~mask) | (cur & mask));
    }

    // ---- debug registers (Table 28-4)

    @Override
    public long readDr(Cpu c, Instruction i, int n) {
        if (proc(Controls.PROC_MOV_DR_EXITING)) {
            throw exit(c, i, ExitReason.MOV_DR, n | 16 | gpr(i.register(0)) << 8);
        }
        return Sensitive.super.readDr(c, i, n);
    }

    @Override
    public void writeDr(Cpu c, Instruction i, int n, long v) {
        if (proc(Controls.PROC_MOV_DR_EXITING)) {
            throw exit(c, i, ExitReason.MOV_DR, n | gpr(i.register(1)) << 8, 0, 0, -1, v);
        }
        Sensitive.super.writeDr(c, i, n, v);
    }

    /** INVLPG: the exit qualification is the linear-address operand (28.2.1). */
    @Override
    public void invlpg(Cpu c, Instruction i, long linear) {
        if (proc(Controls.PROC_INVLPG_EXITING)) throw exit(c, i, ExitReason.INVLPG, linear);
        Sensitive.super.invlpg(c, i, linear);
    }

    /** INVD exits unconditionally (26.1.2); WBINVD/WBNOINVD under "WBINVD exiting". */
    @Override
    public void cacheControl(Cpu c, Instruction i) {
        String m = i.mnemonic().name();
        if ("INVD".equals(m)) throw exit(c, i, ExitReason.INVD, 0);
        if (m.startsWith("WB") && proc2(Controls.PROC2_WBINVD_EXITING)) throw exit(c, i, ExitReason.WBINVD_WBNOINVD, 0);
        Sensitive.super.cacheControl(c, i);
    }

    /**
     * RDRAND/RDSEED under their exiting controls; instruction information (Table 28-13):
     * destination register in bits 6:3, operand size in bits 12:11 (0 = 16, 1 = 32, 2 = 64 bits).
     */
    @Override
    public OptionalLong random(Cpu c, Instruction i, int bits) {
        boolean seed = "RDSEED".equals(i.mnemonic().name());
        if (proc2(seed ? Controls.PROC2_RDSEED_EXITING : Controls.PROC2_RDRAND_EXITING)) {
            long info = (long) gpr(i.register(0)) << 3 | (long) (bits == 16 ? 0 : bits == 32 ? 1 : 2) << 11;
            throw exit(c, i, seed ? ExitReason.RDSEED : ExitReason.RDRAND, 0, info, 0, -1, 0);
        }
        return Sensitive.super.random(c, i, bits);
    }

    // ---- descriptor tables (26.1.3 "descriptor-table exiting"; 28.2.1; 28.2.5 Tables 28-10, 28-11)

    /**
     * LGDT, LIDT, SGDT, SIDT (reason 46) and LLDT, LTR, SLDT, STR (reason 47) exit under the
     * secondary control "descriptor-table exiting". The exit qualification is the memory operand's
     * displacement, sign-extended, or for RIP-relative addressing the displacement plus the RIP of
     * the next instruction, i.e. the address the decoder reports; 0 for a register operand (28.2.1).
     * The guest-linear-address field is not defined for these exits and stays 0.
     */
    @Override
    public void descriptorTable(Cpu c, Instruction i) {
        if (!proc2(Controls.PROC2_DESCRIPTOR_TABLE_EXITING)) return;
        // Instruction identity, bits 29:28 (Tables 28-10 and 28-11).
        String m = i.mnemonic().name();
        int identity = switch (m) {
            case "SGDT", "SLDT" -> 0;
            case "SIDT", "STR" -> 1;
            case "LGDT", "LLDT" -> 2;
            case "LIDT", "LTR" -> 3;
            default -> throw new IllegalArgumentException(m);
        };
        boolean gdtrIdtr = switch (m) {
            case "SGDT", "SIDT", "LGDT", "LIDT" -> true;
            default -> false;
        };
        boolean mem = Operands.isMemory(i, 0);
        long qual = mem ? i.memDisplacement() : 0;
        long info = descriptorTableInfo(i, gdtrIdtr, identity, mem);
        throw exit(c, i, gdtrIdtr ? ExitReason.GDTR_IDTR_ACCESS : ExitReason.LDTR_TR_ACCESS, qual, info, 0, -1, 0);
    }

    /**
     * The VM-exit instruction-information field for the descriptor-table instructions (28.2.5,
     * Table 28-10 for GDTR/IDTR, Table 28-11 for LDTR/TR): scaling 1:0, Reg1 6:3 (register forms),
     * address size 9:7, Mem/Reg 10 (Table 28-11 only), operand size 11 (Table 28-10 only, 0 = 16 and
     * 1 = 32 bits, undefined in 64-bit mode), segment 17:15, index 21:18 + invalid 22, base 26:23 +
     * invalid 27, identity 29:28. Fields the tables call undefined are left 0.
     */
    private static long descriptorTableInfo(Instruction i, boolean gdtrIdtr, int identity, boolean mem) {
        long info = (long) identity << 28;
        if (!mem) return info | 1L << 10 | (long) gpr(i.register(0)) << 3;
        if (gdtrIdtr && i.operandSize() != 16) info |= 1L << 11;
        return info | memoryOperandInfo(i);
    }

    /**
     * The memory-operand part of the VM-exit instruction information shared by Tables 28-9 to
     * 28-14: scaling (1:0), address size (9:7), segment (17:15), index register (21:18, invalid
     * bit 22), base register (26:23, invalid bit 27).
     */
    private static long memoryOperandInfo(Instruction i) {
        int as = i.addressSize();
        long info = (long) (as == 16 ? 0 : as == 32 ? 1 : 2) << 7;
        info |= (long) (i.memSegment().ordinal() - Register.ES.ordinal()) << 15;
        // RIP-relative addressing has neither base nor index register.
        Register x = i.isRipRelative() ? Register.NONE : i.memIndex();
        Register b = i.isRipRelative() ? Register.NONE : i.memBase();
        if (x == Register.NONE) info |= 1L << 22;
        else info |= Integer.numberOfTrailingZeros(i.memScale()) | (long) gpr(x) << 18;
        if (b == Register.NONE) info |= 1L << 27;
        else info |= (long) gpr(b) << 23;
        return info;
    }

    /**
     * Exit qualification and instruction information of a VMX instruction's exit (28.2.1: the
     * memory operand's displacement; Tables 28-9 VMCLEAR/VMPTRLD/VMPTRST/VMXON, 28-13
     * INVEPT/INVVPID (register in 31:28), 28-14 VMREAD/VMWRITE (register operand in 6:3 with
     * bit 10 set, the other register in 31:28)).
     */
    private static long[] vmxInstructionInfo(Instruction i) {
        long qual = 0, info = 0;
        int rm = -1, reg2 = -1;
        switch (i.mnemonic()) {
            case VMCLEAR, VMPTRLD, VMPTRST, VMXON -> rm = 0;
            case VMREAD -> { rm = 0; reg2 = 1; }
            case VMWRITE, INVEPT, INVVPID -> { rm = 1; reg2 = 0; }
            default -> { return new long[] {0, 0}; }
        }
        if (Operands.isMemory(i, rm)) {
            qual = i.memDisplacement();
            info = memoryOperandInfo(i);
        } else {
            info = 1L << 10 | (long) gpr(i.register(rm)) << 3;
        }
        if (reg2 >= 0) info |= (long) gpr(i.register(reg2)) << 28;
        return new long[] {qual, info};
    }

    /**
     * Whether exception {@code f} causes a VM exit: its bit in the exception bitmap, and for #PF
     * the error-code mask/match rule (25.6.3: with the bit set, exit when (code & mask) == match;
     * with it clear, exit when they differ).
     */
    public boolean intercepts(GuestFault f) {
        int v = f.vector();
        if (v > 31 || f.isSoftwareInterrupt()) return false;
        boolean bit = (vmcs.read(VmcsFields.EXCEPTION_BITMAP) >>> v & 1) != 0;
        if (v == GuestFault.PF) {
            long mask = vmcs.read(VmcsFields.PAGE_FAULT_ERROR_CODE_MASK);
            long match = vmcs.read(VmcsFields.PAGE_FAULT_ERROR_CODE_MATCH);
            boolean matches = (f.errorCode() & mask) == match;
            bit = matches == bit;
        }
        return bit;
    }

    /**
     * An exception leaving the run loop: if the exception bitmap selects it (for #PF, with the
     * error-code mask/match rule of 25.6.3), records an exception VM exit (28.2.2 interruption
     * information; qualification = the #PF linear address, 28.2.1) without loading CR2, leaving
     * the run loop with the VM exit. Otherwise bare-metal behaviour.
     */
    @Override
    public void exception(Cpu c, GuestFault f) {
        int v = f.vector();
        if (!intercepts(f)) {
            Sensitive.super.exception(c, f);
            return;
        }
        throw new LeaveRequest(Exit.requested(exceptionExit(c, f)), false);
    }

    /** Records an exception VM exit: interruption information (28.2.2), #PF address as qualification (28.2.1). */
    private VmExit exceptionExit(Cpu c, GuestFault f) {
        int v = f.vector();
        int type = v == GuestFault.BP || v == GuestFault.OF ? Controls.INTR_TYPE_SOFTWARE_EXCEPTION
                : Controls.INTR_TYPE_HARDWARE_EXCEPTION;
        boolean code = GuestFault.hasErrorCode(v);
        long info = (v | (long) type << 8 | (code ? Controls.INTR_INFO_DELIVER_ERROR_CODE : 0) | Controls.INTR_INFO_VALID)
                & 0xFFFF_FFFFL;
        long qual = f instanceof PageFault pf ? pf.linearAddress() : 0;
        return record(c, c.state.rip, ExitReason.EXCEPTION_OR_NMI, qual, 0, 0, 0, -1, 0, info, code ? f.errorCode() : 0);
    }

    /**
     * The VM exit for an intercepted exception raised while delivering an event through the
     * guest IDT (26.2): recorded as an exception exit, with the event being delivered in the
     * IDT-vectoring information and error code (28.2.4).
     */
    public VmExit exceptionDuringDelivery(Cpu c, Interrupts.InterceptedDuringDelivery d) {
        VmExit x = exceptionExit(c, d.fault);
        int type = switch (d.kind) {
            case EXTERNAL -> Controls.INTR_TYPE_EXTERNAL;
            case NMI -> Controls.INTR_TYPE_NMI;
            case HARDWARE_EXCEPTION -> Controls.INTR_TYPE_HARDWARE_EXCEPTION;
            case SOFTWARE_INTERRUPT -> Controls.INTR_TYPE_SOFTWARE_INTERRUPT;
            case PRIVILEGED_SOFTWARE_EXCEPTION -> Controls.INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION;
            case SOFTWARE_EXCEPTION -> Controls.INTR_TYPE_SOFTWARE_EXCEPTION;
        };
        long info = (d.vector | (long) type << 8 | (d.errorCode >= 0 ? Controls.INTR_INFO_DELIVER_ERROR_CODE : 0)
                | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL;
        vmcs.write(VmcsFields.IDT_VECTORING_INFO, info);
        vmcs.write(VmcsFields.IDT_VECTORING_ERROR_CODE, d.errorCode >= 0 ? d.errorCode & 0xFFFF_FFFFL : 0);
        return x;
    }

    /**
     * Task switches exit unconditionally (26.1.2); the qualification gives the selector in bits
     * 15:0 and the source in bits 31:30 (Table 28-2). A tail call: nothing follows in the JMP.
     */
    @Override
    public void taskSwitch(Cpu c, Instruction i, int selector, int source) {
        long qual = (selector & 0xFFFF) | (long) source << 30;
        if (i == null) {
            // A task gate met while delivering an event (source 3): no instruction; RIP is where
            // the event returns to, the instruction length 0 (SDM Vol. 3C, 28.2.5).
            c.leave(Exit.requested(record(c, c.state.rip, ExitReason.TASK_SWITCH, qual, 0, 0, 0, -1, 0, 0, 0)));
            return;
        }
        tailExit(c, i, ExitReason.TASK_SWITCH, qual, 0, -1, 0);
    }

    /**
     * VMCALL, GETSEC, XSETBV and the VMX instructions exit unconditionally (26.1.2); MONITOR,
     * MWAIT and RDPMC under their controls; otherwise bare-metal behaviour.
     */
    @Override
    public void other(Cpu c, Instruction i) {
        ExitReason r = switch (i.mnemonic()) {
            case VMCALL -> ExitReason.VMCALL;
            case GETSEC -> ExitReason.GETSEC;
            case XSETBV -> ExitReason.XSETBV;
            case VMCLEAR, VMLAUNCH, VMPTRLD, VMPTRST, VMREAD, VMRESUME, VMWRITE, VMXOFF, VMXON, INVEPT, INVVPID ->
                    ExitReason.valueOf(i.mnemonic().name());
            case MONITOR -> proc(Controls.PROC_MONITOR_EXITING) ? ExitReason.MONITOR : null;
            case MWAIT -> proc(Controls.PROC_MWAIT_EXITING) ? ExitReason.MWAIT : null;
            case RDPMC -> proc(Controls.PROC_RDPMC_EXITING) ? ExitReason.RDPMC : null;
            default -> null;
        };
        if (r == null) {
            Sensitive.super.other(c, i);
            return;
        }
        long value = switch (r) {
            case VMCALL -> c.gpr[CpuState.RAX]; // the hypercall number
            case XSETBV -> c.gpr[CpuState.RDX] << 32 | (c.gpr[CpuState.RAX] & 0xFFFF_FFFFL);
            default -> 0;
        };
        long[] qi = vmxInstructionInfo(i); // {0, 0} for anything but a VMX instruction with operands
        tailExit(c, i, r, qi[0], qi[1], -1, value);
    }

}
