package org.jvmx.translator.sem;

import java.lang.invoke.VarHandle;
import java.util.OptionalLong;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * Sensitive, privileged and serialising instructions. Each checks what the processor checks
 * before anything else (CPL for privileged ones, SDM Vol. 3A, 5.9; IOPL for I/O, Vol. 1,
 * 19.5; feature enables in CR4/EFER), then hands the operation to {@link Cpu#sensitive}, the
 * one interface vmx-runtime implements, so that the VMCS decides what exits.
 */
public final class SystemOps {
    private SystemOps() {
    }

    static final long CR4_PCE = 1L << 8, CR4_UMIP = 1L << 11, CR4_FSGSBASE = 1L << 16;

    public static void install(Isa.Installer in) {
        SegmentLoadOps.install(in);
        in.put(Mnemonic.CPUID, (c, i) -> c.sensitive.cpuid(c, i));
        in.put(Mnemonic.RDTSC, (c, i) -> {
            checkTsd(c);
            long t = c.sensitive.rdtsc(c, i);
            c.gpr[CpuState.RAX] = t & 0xFFFF_FFFFL;
            c.gpr[CpuState.RDX] = t >>> 32;
        });
        in.put(Mnemonic.RDTSCP, (c, i) -> {
            checkTsd(c);
            long t = c.sensitive.rdtsc(c, i);
            c.gpr[CpuState.RAX] = t & 0xFFFF_FFFFL;
            c.gpr[CpuState.RDX] = t >>> 32;
            c.gpr[CpuState.RCX] = c.state.tscAux & 0xFFFF_FFFFL;
        });
        in.put(Mnemonic.RDMSR, (c, i) -> {
            c.checkCpl0();
            long v = c.sensitive.rdmsr(c, i, (int) c.gpr[CpuState.RCX]);
            c.gpr[CpuState.RAX] = v & 0xFFFF_FFFFL;
            c.gpr[CpuState.RDX] = v >>> 32;
        });
        in.put(Mnemonic.WRMSR, (c, i) -> {
            c.checkCpl0();
            long v = (c.gpr[CpuState.RDX] << 32) | (c.gpr[CpuState.RAX] & 0xFFFF_FFFFL);
            c.sensitive.wrmsr(c, i, (int) c.gpr[CpuState.RCX], v);
        });
        in.put(Mnemonic.HLT, (c, i) -> {
            c.checkCpl0();
            c.sensitive.hlt(c, i);
        });
        in.put(Mnemonic.PAUSE, (c, i) -> c.sensitive.pause(c, i));
        in.put(Mnemonic.RDRAND, SystemOps::random);
        in.put(Mnemonic.RDSEED, SystemOps::random);
        in.put(Mnemonic.IN, SystemOps::in);
        in.put(Mnemonic.OUT, SystemOps::out);
        in.put(Mnemonic.INVLPG, (c, i) -> {
            c.checkCpl0();
            c.sensitive.invlpg(c, i, Operands.address(c, i));
        });
        for (Mnemonic m : new Mnemonic[] {Mnemonic.WBINVD, Mnemonic.INVD}) {
            in.put(m, (c, i) -> {
                c.checkCpl0();
                c.sensitive.cacheControl(c, i);
            });
        }
        in.put(Mnemonic.CLI, (c, i) -> {
            checkIopl(c);
            c.state.sysFlags &= ~Rflags.IF;
        });
        in.put(Mnemonic.STI, (c, i) -> {
            checkIopl(c);
            boolean wasClear = (c.state.sysFlags & Rflags.IF) == 0;
            c.state.sysFlags |= Rflags.IF;
            c.interruptFlagSet(wasClear, true);
        });
        in.put(Mnemonic.CLTS, (c, i) -> {
            c.checkCpl0();
            c.sensitive.writeCr(c, i, 0, c.state.cr0 & ~CpuState.CR0_TS);
        });
        in.put(Mnemonic.LMSW, (c, i) -> {
            c.checkCpl0();
            long v = Operands.read(c, i, 0) & 0xF;
            // LMSW sets PE but never clears it, and touches only MP, EM, TS (SDM LMSW).
            long cr0 = (c.state.cr0 & ~0xEL) | (v & 0xE) | (c.state.cr0 & 1) | (v & 1);
            c.sensitive.writeCr(c, i, 0, cr0);
        });
        in.put(Mnemonic.SMSW, (c, i) -> {
            checkUmip(c);
            long v = c.state.cr0;
            if (Operands.isMemory(i, 0)) {
                Operands.write(c, i, 0, v & 0xFFFF);
            } else {
                Operands.writeReg(c.gpr, i.register(0), v);
            }
        });
        in.put(Mnemonic.SWAPGS, (c, i) -> {
            c.checkCpl0();
            c.state.swapgs();
        });
        in.put(Mnemonic.RDFSBASE, (c, i) -> fsgsRead(c, i, c.state.fs));
        in.put(Mnemonic.RDGSBASE, (c, i) -> fsgsRead(c, i, c.state.gs));
        in.put(Mnemonic.WRFSBASE, (c, i) -> fsgsWrite(c, i, c.state.fs));
        in.put(Mnemonic.WRGSBASE, (c, i) -> fsgsWrite(c, i, c.state.gs));
        in.put(Mnemonic.LFENCE, (c, i) -> VarHandle.loadLoadFence());
        in.put(Mnemonic.SFENCE, (c, i) -> VarHandle.storeStoreFence());
        in.put(Mnemonic.MFENCE, (c, i) -> VarHandle.fullFence());
        for (Mnemonic m : new Mnemonic[] {Mnemonic.CLFLUSH, Mnemonic.CLFLUSHOPT}) {
            // A flush is a read access for permission and fault purposes (SDM CLFLUSH).
            in.put(m, (c, i) -> Operands.readMem(c, i, Operands.address(c, i), 1));
        }
        for (Mnemonic m : new Mnemonic[] {Mnemonic.PREFETCHNTA, Mnemonic.PREFETCHT0, Mnemonic.PREFETCHT1,
                Mnemonic.PREFETCHT2, Mnemonic.PREFETCHW, Mnemonic.PREFETCH}) {
            in.put(m, (c, i) -> { }); // hints: never fault (SDM PREFETCHh)
        }
        for (Mnemonic m : new Mnemonic[] {Mnemonic.UD0, Mnemonic.UD1, Mnemonic.UD2}) {
            in.put(m, (c, i) -> {
                throw GuestFault.invalidOpcode(i.mnemonic().toString());
            });
        }
        in.put(Mnemonic.INT3, (c, i) -> {
            throw GuestFault.trap(GuestFault.BP, i.nextIp());
        });
        in.put(Mnemonic.SYSCALL, SystemOps::syscall);
        in.put(Mnemonic.SYSRET, SystemOps::sysret);
        in.put(Mnemonic.SYSRETQ, SystemOps::sysret);
        in.put(Mnemonic.SYSENTER, SystemOps::sysenter);
        in.put(Mnemonic.SYSEXITQ, SystemOps::sysexit);
        in.put(Mnemonic.SYSEXIT, SystemOps::sysexit);
        in.put(Mnemonic.LGDT, (c, i) -> {
            long[] t = loadTable(c, i);
            c.state.gdtrLimit = (int) t[0];
            c.state.gdtrBase = t[1];
        });
        in.put(Mnemonic.LIDT, (c, i) -> {
            long[] t = loadTable(c, i);
            c.state.idtrLimit = (int) t[0];
            c.state.idtrBase = t[1];
        });
        in.put(Mnemonic.SGDT, (c, i) -> storeTable(c, i, c.state.gdtrLimit, c.state.gdtrBase));
        in.put(Mnemonic.SIDT, (c, i) -> storeTable(c, i, c.state.idtrLimit, c.state.idtrBase));
        in.put(Mnemonic.SLDT, (c, i) -> storeSelector(c, i, c.state.ldtr.selector()));
        in.put(Mnemonic.STR, (c, i) -> storeSelector(c, i, c.state.tr.selector()));
        in.put(Mnemonic.LLDT, SystemSegments::lldt);
        in.put(Mnemonic.LTR, SystemSegments::ltr);
        FxsaveOps.install(in);
        in.put(Mnemonic.RDPMC, (c, i) -> {
            // #GP(0) at CPL > 0 unless CR4.PCE (SDM RDPMC); then the sensitive interface decides.
            if ((c.state.cr4 & CR4_PCE) == 0 && c.state.cpl() != 0) throw GuestFault.generalProtection(0);
            c.sensitive.other(c, i);
        });
        // XSETBV/XGETBV are not installed: CPUID does not advertise XSAVE, so they are #UD (SDM XSETBV).
        for (Mnemonic m : new Mnemonic[] {Mnemonic.VMCALL, Mnemonic.GETSEC, Mnemonic.MONITOR, Mnemonic.MWAIT}) {
            in.put(m, (c, i) -> c.sensitive.other(c, i));
        }
        // The VMX instructions: in VMX non-root operation they cause VM exits unconditionally
        // (SDM Vol. 3C, 26.1.2); with no hypervisor underneath (CR4.VMXE = 0) they are #UD.
        // Executing them in VMX root operation (nested VMX) is not modelled yet.
        for (Mnemonic m : new Mnemonic[] {Mnemonic.VMXON, Mnemonic.VMXOFF, Mnemonic.VMCLEAR, Mnemonic.VMPTRLD,
                Mnemonic.VMPTRST, Mnemonic.VMREAD, Mnemonic.VMWRITE, Mnemonic.VMLAUNCH, Mnemonic.VMRESUME,
                Mnemonic.INVEPT, Mnemonic.INVVPID}) {
            in.put(m, (c, i) -> c.sensitive.other(c, i));
        }
    }

    /** #GP(0) when CPL > IOPL: I/O instructions, CLI/STI (the TSS I/O bitmap is not modelled yet). */
    static void checkIo(Cpu c) {
        checkIopl(c);
    }

    private static void checkIopl(Cpu c) {
        if (c.state.protectedMode() && c.state.cpl() > c.state.iopl()) throw GuestFault.generalProtection(0);
    }

    /**
     * RDRAND / RDSEED (SDM Vol. 2B): a random value and CF = 1, or 0 and CF = 0 when none is
     * ready; OF, SF, ZF, AF and PF are cleared. The value comes through the sensitive interface,
     * where a hypervisor may take the instruction as a VM exit.
     */
    private static void random(Cpu c, Instruction i) {
        int bits = i.operandBits(0);
        java.util.OptionalLong v = c.sensitive.random(c, i, bits);
        Operands.writeReg(c.gpr, i.register(0), v.orElse(0) & Operands.mask(bits));
        c.flags.setDirect(v.isPresent() ? 1 : 0);
    }

    /** RDTSC at CPL > 0 with CR4.TSD set: #GP(0). */
    private static void checkTsd(Cpu c) {
        if ((c.state.cr4 & 4) != 0 && c.state.cpl() != 0) throw GuestFault.generalProtection(0);
    }

    private static void checkUmip(Cpu c) {
        if ((c.state.cr4 & CR4_UMIP) != 0 && c.state.cpl() != 0) throw GuestFault.generalProtection(0);
    }

    private static int port(Cpu c, Instruction i, int op) {
        return i.operandKind(op) == OperandKind.IMMEDIATE ? (int) (i.immediate(op) & 0xFF)
                : (int) (c.gpr[CpuState.RDX] & 0xFFFF);
    }

    private static void in(Cpu c, Instruction i) {
        checkIo(c);
        int bytes = i.operandBits(0) / 8;
        long v = c.sensitive.in(c, i, port(c, i, 1), bytes);
        Operands.writeGpr(c.gpr, CpuState.RAX, bytes * 8, v);
    }

    private static void out(Cpu c, Instruction i) {
        checkIo(c);
        int bytes = i.operandBits(1) / 8;
        c.sensitive.out(c, i, port(c, i, 0), bytes, c.gpr[CpuState.RAX] & Operands.mask(bytes * 8));
    }

    private static void fsgsRead(Cpu c, Instruction i, SegmentRegister s) {
        if ((c.state.cr4 & CR4_FSGSBASE) == 0) throw GuestFault.invalidOpcode("CR4.FSGSBASE = 0");
        Operands.writeReg(c.gpr, i.register(0), s.base());
    }

    private static void fsgsWrite(Cpu c, Instruction i, SegmentRegister s) {
        if ((c.state.cr4 & CR4_FSGSBASE) == 0) throw GuestFault.invalidOpcode("CR4.FSGSBASE = 0");
        long v = Operands.readReg(c.gpr, i.register(0));
        if ((v << 16 >> 16) != v) throw GuestFault.generalProtection(0);
        s.setBase(v);
    }

    /*
     * The descriptor-table instructions call Sensitive.descriptorTable after the checks that take
     * priority over a VM exit (CPL, UMIP, #UD outside protected mode: SDM Vol. 3C, 26.1.1) and
     * before their operand is touched: the operand fetch and its faults come after the exit.
     */

    /** LGDT/LIDT operand (64-bit mode: 2-byte limit, 8-byte base), read whole before anything changes. */
    private static long[] loadTable(Cpu c, Instruction i) {
        c.checkCpl0();
        c.sensitive.descriptorTable(c, i);
        long a = Operands.address(c, i);
        long limit = Operands.readMem(c, i, a, 2);
        if (!c.state.mode64()) {
            // Outside 64-bit mode the base is 4 bytes, 24 bits of it with a 16-bit operand size (SDM LGDT).
            long base = Operands.readMem(c, i, a + 2, 4) & (i.operandSize() == 16 ? 0xFF_FFFFL : 0xFFFF_FFFFL);
            return new long[] {limit, base};
        }
        return new long[] {limit, Operands.readMem(c, i, a + 2, 8)};
    }

    private static void storeTable(Cpu c, Instruction i, int limit, long base) {
        checkUmip(c);
        c.sensitive.descriptorTable(c, i);
        long a = Operands.address(c, i);
        Operands.probeWriteMem(c, i, a, 10);
        Operands.writeMem(c, i, a, 2, limit);
        Operands.writeMem(c, i, a + 2, 8, base);
    }

    /** SLDT/STR: #UD outside protected mode (SDM SLDT, STR), #GP(0) under UMIP at CPL > 0. */
    private static void storeSelector(Cpu c, Instruction i, int selector) {
        SystemSegments.checkProtectedMode(c);
        checkUmip(c);
        c.sensitive.descriptorTable(c, i);
        if (Operands.isMemory(i, 0)) Operands.write(c, i, 0, selector);
        else Operands.writeReg(c.gpr, i.register(0), selector); // a register gets it zero-extended
    }

    /** SYSCALL (SDM SYSCALL, 64-bit mode): RCX = next RIP, R11 = RFLAGS, CS/SS from STAR[47:32], RIP = LSTAR. */
    private static void syscall(Cpu c, Instruction i) {
        CpuState s = c.state;
        // Intel processors run SYSCALL and SYSRET only in 64-bit mode (SDM SYSCALL: #UD unless CS.L and EFER.LMA).
        if (!s.mode64()) throw GuestFault.invalidOpcode("SYSCALL outside 64-bit mode");
        if ((s.efer & Msr.EFER_SCE) == 0) throw GuestFault.invalidOpcode("SYSCALL with EFER.SCE = 0");
        long target = s.lstar;
        c.gpr[CpuState.RCX] = i.nextIp();
        c.gpr[CpuState.R11] = s.rflags() & ~Rflags.RF;
        int sel = (int) (s.star >>> 32) & 0xFFFC;
        s.cs.set(sel, 0, 0xFFFF_FFFF, 0xA09B);  // 64-bit code, DPL 0, accessed
        s.ss.set(sel + 8, 0, 0xFFFF_FFFF, 0xC093); // data, read/write, DPL 0
        s.setRflags(s.rflags() & ~s.fmask & ~Rflags.RF);
        s.rip = target;
        c.refreshMode();
    }

    /** SYSRET (SDM SYSRET): back to CPL 3, 64-bit with REX.W, else compatibility mode. */
    /**
     * SYSENTER (SDM Vol. 2B; Intel processors run it in IA-32e mode): CPL 0 at IA32_SYSENTER_EIP
     * with IA32_SYSENTER_ESP, CS = IA32_SYSENTER_CS (64-bit code in IA-32e mode), SS = CS + 8;
     * VM, IF and RF cleared. #GP(0) when IA32_SYSENTER_CS selects the null descriptor.
     */
    private static void sysenter(Cpu c, Instruction i) {
        CpuState s = c.state;
        if (!s.protectedMode() || (s.sysenterCs & 0xFFFC) == 0) throw GuestFault.generalProtection(0);
        int sel = (int) s.sysenterCs & 0xFFFC;
        boolean ia32e = s.longMode();
        s.cs.set(sel, 0, 0xFFFF_FFFF, ia32e ? 0xA09B : 0xC09B);
        s.ss.set(sel + 8, 0, 0xFFFF_FFFF, 0xC093);
        s.setRflags(s.rflags() & ~(Rflags.VM | Rflags.IF | Rflags.RF));
        c.gpr[CpuState.RSP] = ia32e ? s.sysenterEsp : s.sysenterEsp & 0xFFFF_FFFFL;
        s.rip = ia32e ? s.sysenterEip : s.sysenterEip & 0xFFFF_FFFFL;
        c.refreshMode();
    }

    /**
     * SYSEXIT (SDM Vol. 2B): back to CPL 3 at RDX with RSP = RCX. With REX.W (SYSEXITQ) to 64-bit
     * code, CS = IA32_SYSENTER_CS + 32 and SS = + 40; otherwise to 32-bit code, CS = + 16 and SS = + 24
     * (plain SYSEXIT is what 32-bit kernels use).
     */
    private static void sysexit(Cpu c, Instruction i) {
        CpuState s = c.state;
        if (!s.protectedMode() || (s.sysenterCs & 0xFFFC) == 0) throw GuestFault.generalProtection(0);
        c.checkCpl0();
        boolean to64 = i.operandSize() == 64;
        long rip = c.gpr[CpuState.RDX], rsp = c.gpr[CpuState.RCX];
        if (to64 && (rip << 16 >> 16) != rip) throw GuestFault.generalProtection(0);
        int base = (int) s.sysenterCs & 0xFFFC;
        if (to64) s.cs.set((base + 32) | 3, 0, 0xFFFF_FFFF, 0xA0FB);
        else s.cs.set((base + 16) | 3, 0, 0xFFFF_FFFF, 0xC0FB);
        s.ss.set((base + (to64 ? 40 : 24)) | 3, 0, 0xFFFF_FFFF, 0xC0F3);
        c.gpr[CpuState.RSP] = to64 ? rsp : rsp & 0xFFFF_FFFFL;
        s.rip = to64 ? rip : rip & 0xFFFF_FFFFL;
        c.refreshMode();
    }

    private static void sysret(Cpu c, Instruction i) {
        CpuState s = c.state;
        if (!s.mode64()) throw GuestFault.invalidOpcode("SYSRET outside 64-bit mode");
        if ((s.efer & Msr.EFER_SCE) == 0) throw GuestFault.invalidOpcode("SYSRET with EFER.SCE = 0");
        c.checkCpl0();
        boolean to64 = i.operandSize() == 64;
        long rip = c.gpr[CpuState.RCX];
        if (to64 && (rip << 16 >> 16) != rip) throw GuestFault.generalProtection(0);
        int base = (int) (s.star >>> 48) & 0xFFFF;
        if (to64) s.cs.set((base + 16) | 3, 0, 0xFFFF_FFFF, 0xA0FB);
        else s.cs.set(base | 3, 0, 0xFFFF_FFFF, 0xC0FB);
        s.ss.setSelector((base + 8) | 3);
        s.ss.setVmcsAccessRights(0xC0F3);
        s.setRflags((c.gpr[CpuState.R11] & 0x3C7FD7L) | 2);
        s.rip = to64 ? rip : rip & 0xFFFF_FFFFL;
        c.refreshMode();
    }

    /**
     * MOV to or from a segment, control or debug register (the MOV forms the integer group
     * passes here). Control and debug registers need CPL 0; loading a segment register reads
     * its descriptor (SDM Vol. 3A, 3.4.3 and 5.10).
     */
    public static void movSpecial(Cpu c, Instruction i) {
        Register dst = i.register(0), src = i.register(1);
        Register.Kind dk = i.operandKind(0) == OperandKind.REGISTER ? dst.kind() : Register.Kind.NONE;
        Register.Kind sk = i.operandKind(1) == OperandKind.REGISTER ? src.kind() : Register.Kind.NONE;
        if (dk == Register.Kind.CONTROL || sk == Register.Kind.CONTROL) {
            c.checkCpl0();
            if (dk == Register.Kind.CONTROL) {
                int n = dst.ordinal() - Register.CR0.ordinal();
                c.sensitive.writeCr(c, i, n, Operands.readReg(c.gpr, src));
            } else {
                int n = src.ordinal() - Register.CR0.ordinal();
                Operands.writeReg(c.gpr, dst, c.sensitive.readCr(c, i, n));
            }
            return;
        }
        if (dk == Register.Kind.DEBUG || sk == Register.Kind.DEBUG) {
            c.checkCpl0();
            if (dk == Register.Kind.DEBUG) {
                c.sensitive.writeDr(c, i, dst.ordinal() - Register.DR0.ordinal(), Operands.readReg(c.gpr, src));
            } else {
                Operands.writeReg(c.gpr, dst, c.sensitive.readDr(c, i, src.ordinal() - Register.DR0.ordinal()));
            }
            return;
        }
        if (sk == Register.Kind.SEGMENT) {
            int sel = c.state.seg[src.ordinal() - Register.ES.ordinal()].selector();
            if (Operands.isMemory(i, 0)) Operands.write(c, i, 0, sel);
            else Operands.writeReg(c.gpr, dst, sel); // 32/64-bit destinations are zero-extended
            return;
        }
        int n = dst.ordinal() - Register.ES.ordinal();
        int sel = (int) Operands.read(c, i, 1) & 0xFFFF;
        Segments.load(c, n, sel);
    }
}
