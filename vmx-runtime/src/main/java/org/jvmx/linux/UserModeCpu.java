package org.jvmx.linux;

import static org.jvmx.vmx.vmcs.VmcsFields.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.entry.VmxCapabilityMsrs;
import org.jvmx.vmx.vmcs.Controls;

/**
 * The guest machine under a Linux process: the guest-kernel pages (a GDT laid out for
 * SYSCALL/SYSRET, a 64-bit TSS, and the system-call stub at IA32_LSTAR), the MSRs the stub
 * needs, and the vCPU's state in 64-bit mode at CPL 3.
 *
 * <p>System calls: SYSCALL (SDM Vol. 2B) enters the stub at CPL 0 with RCX = the return RIP
 * and R11 = RFLAGS, clearing the IA32_FMASK flags; the stub is {@code vmcall; sysretq}: the
 * VMCALL exits to the monitor (one VM exit per system call), which serves the call, sets RAX and
 * moves RIP past the VMCALL; SYSRETQ returns to RCX at CPL 3 with RFLAGS from R11. RCX and R11
 * are thus clobbered exactly as Linux clobbers them. Every exception exits (exception bitmap all
 * ones, #PF error-code mask/match 0), so the guest needs no IDT.
 *
 * <p>Selectors as Linux's x86-64 GDT (arch/x86/include/asm/segment.h): kernel CS 0x10, kernel
 * DS 0x18, user 32-bit CS 0x23, user DS 0x2b, user CS 0x33, TSS 0x40. STAR[47:32] = 0x10
 * (SYSCALL: CS 0x10, SS 0x18) and STAR[63:48] = 0x23 (SYSRETQ: CS 0x33, SS 0x2b).
 */
public final class UserModeCpu {
    /** Where the guest-kernel pages live: supervisor-only, in the upper canonical half. */
    public static final long KERNEL_BASE = 0xFFFF_FE00_0000_0000L;
    /** The system-call stub: IA32_LSTAR. */
    public static final long STUB = KERNEL_BASE;
    /** The VMCALL's address: a VMCALL exit from anywhere else is not a system call. */
    public static final long STUB_VMCALL = STUB;
    /** The GDT (and at +0x100 the TSS). */
    public static final long GDT = KERNEL_BASE + 0x1000, TSS = GDT + 0x100;
    public static final int KERNEL_CS = 0x10, KERNEL_DS = 0x18, USER_CS32 = 0x23, USER_DS = 0x2B, USER_CS = 0x33,
            TSS_SELECTOR = 0x40;
    static final int GDT_LIMIT = 0x4F, TSS_LIMIT = 0x67;
    /** vmcall (0F 01 C1); sysretq (48 0F 07). */
    static final byte[] STUB_CODE = {0x0F, 0x01, (byte) 0xC1, 0x48, 0x0F, 0x07};

    /** CR0: PE, MP, ET, NE, WP, PG (what Linux runs user space with). */
    static final long CR0 = 0x8005_0033L;
    /** CR4: PAE, OSFXSR, OSXMMEXCPT. */
    static final long CR4 = 0x620;
    /** EFER: SCE, LME, LMA, NXE. */
    static final long EFER = 0xD01;
    /** IA32_FMASK as Linux sets it: TF, DF, IF, IOPL, NT, AC cleared on SYSCALL (arch/x86/kernel/cpu/common.c). */
    static final long FMASK = 0x100 | 0x400 | 0x200 | 0x3000 | 0x4000 | 0x40000;
    /** VMCS access rights (SDM Vol. 3C, Table 25-2): user 64-bit code (type 11, S, DPL 3, P, L, G); user data (type 3, S, DPL 3, P, D/B, G). */
    static final long AR_USER_CODE64 = 0xA0FB, AR_USER_DATA = 0xC0F3, AR_TSS64_BUSY = 0x8B, AR_UNUSABLE = 0x10000;

    private UserModeCpu() {
    }

    /** Writes the guest-kernel pages into {@code space} and sets the vCPU to CPL 3 at {@code rip} with {@code rsp}. */
    public static void setUp(Vcpu cpu, AddressSpace space, long rip, long rsp) {
        Frames frames = space.frames();
        long stub = frames.allocateZeroed();
        frames.write(stub, STUB_CODE, 0, STUB_CODE.length);
        space.mapSupervisor(STUB, stub, false, true);
        long gdt = frames.allocateZeroed();
        frames.write(gdt, gdtBytes(), 0, 0x100 + 0x68);
        space.mapSupervisor(GDT, gdt, true, false);
        setUpVcpu(cpu, space, rip, rsp);
    }

    /**
     * Sets a vCPU of a process whose guest-kernel pages exist to CPL 3 at {@code rip} with
     * {@code rsp}: MSRs, control registers, segments, the VMCS controls, an FNINIT FPU (a new
     * thread's vCPU; {@link #setUp} for the first).
     */
    public static void setUpVcpu(Vcpu cpu, AddressSpace space, long rip, long rsp) {
        var s = cpu.cpu().state;
        // Linux starts a process in the FNINIT state (FCW 037FH: every x87 exception masked, tags
        // empty); the power-up FCW 0040H would unmask them and turn the first inexact result into #MF.
        s.fpu.finit();
        s.writeMsr(Msr.IA32_STAR, (long) USER_CS32 << 48 | (long) KERNEL_CS << 32);
        s.writeMsr(Msr.IA32_LSTAR, STUB);
        s.writeMsr(Msr.IA32_FMASK, FMASK);

        cpu.vmwrite(GUEST_CR0, CR0);
        cpu.vmwrite(CR0_READ_SHADOW, CR0);
        cpu.vmwrite(GUEST_CR3, space.cr3());
        cpu.vmwrite(CR4_READ_SHADOW, CR4);
        cpu.vmwrite(GUEST_CR4, CR4 | VmxCapabilityMsrs.CR4_FIXED0);
        cpu.vmwrite(GUEST_IA32_EFER, EFER);
        cpu.vmwrite(GUEST_RFLAGS, 0x202);
        cpu.vmwrite(GUEST_RIP, rip);
        cpu.vmwrite(GUEST_RSP, rsp);
        segment(cpu, GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_ACCESS_RIGHTS, USER_CS, AR_USER_CODE64);
        segment(cpu, GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_ACCESS_RIGHTS, USER_DS, AR_USER_DATA);
        // 64-bit user space runs with null DS/ES/FS/GS (FS/GS bases come from arch_prctl)
        segment(cpu, GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_ACCESS_RIGHTS, 0, AR_UNUSABLE);
        segment(cpu, GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_ACCESS_RIGHTS, 0, AR_UNUSABLE);
        segment(cpu, GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_ACCESS_RIGHTS, 0, AR_UNUSABLE);
        segment(cpu, GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_ACCESS_RIGHTS, 0, AR_UNUSABLE);
        cpu.vmwrite(GUEST_TR_SELECTOR, TSS_SELECTOR);
        cpu.vmwrite(GUEST_TR_BASE, TSS);
        cpu.vmwrite(GUEST_TR_LIMIT, TSS_LIMIT);
        cpu.vmwrite(GUEST_TR_ACCESS_RIGHTS, AR_TSS64_BUSY);
        cpu.vmwrite(GUEST_LDTR_SELECTOR, 0);
        cpu.vmwrite(GUEST_LDTR_ACCESS_RIGHTS, AR_UNUSABLE);
        cpu.vmwrite(GUEST_GDTR_BASE, GDT);
        cpu.vmwrite(GUEST_GDTR_LIMIT, GDT_LIMIT);
        cpu.vmwrite(GUEST_IDTR_BASE, 0);
        cpu.vmwrite(GUEST_IDTR_LIMIT, 0);
        cpu.vmwrite(EXCEPTION_BITMAP, 0xFFFF_FFFFL);
        cpu.vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
        cpu.vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
        cpu.vmwrite(VM_ENTRY_CONTROLS, cpu.vmread(VM_ENTRY_CONTROLS) | Controls.ENTRY_IA32E_MODE_GUEST);
    }

    /**
     * Puts the vCPU back in user mode at {@code rip}/{@code rsp}/{@code rflags} directly, not
     * through the stub's SYSRETQ (for a signal handler's entry or rt_sigreturn, where RCX and R11
     * must keep the values the monitor gives them). Call it instead of letting the stub return.
     */
    public static void enterUser(Vcpu cpu, long rip, long rsp, long rflags) {
        cpu.vmwrite(GUEST_RIP, rip);
        cpu.vmwrite(GUEST_RSP, rsp);
        cpu.vmwrite(GUEST_RFLAGS, rflags & 0x3C7FD7L | 2);
        segment(cpu, GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_ACCESS_RIGHTS, USER_CS, AR_USER_CODE64);
        segment(cpu, GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_ACCESS_RIGHTS, USER_DS, AR_USER_DATA);
    }

    private static void segment(Vcpu cpu, org.jvmx.vmx.vmcs.VmcsField sel, org.jvmx.vmx.vmcs.VmcsField base,
            org.jvmx.vmx.vmcs.VmcsField limit, org.jvmx.vmx.vmcs.VmcsField ar, int selector, long rights) {
        cpu.vmwrite(sel, selector);
        if (base != GUEST_FS_BASE && base != GUEST_GS_BASE) cpu.vmwrite(base, 0);
        cpu.vmwrite(limit, 0xFFFF_FFFFL);
        cpu.vmwrite(ar, rights);
    }

    /** The GDT (offset 0) and TSS (offset 0x100) bytes; descriptor format SDM Vol. 3A, 3.4.5 and 8.2.3. */
    static byte[] gdtBytes() {
        ByteBuffer b = ByteBuffer.allocate(0x100 + 0x68).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(KERNEL_CS, descriptor(0, 0xFFFFF, 0x9B, 0xA));
        b.putLong(KERNEL_DS, descriptor(0, 0xFFFFF, 0x93, 0xC));
        b.putLong(USER_CS32 & ~3, descriptor(0, 0xFFFFF, 0xFB, 0xC));
        b.putLong(USER_DS & ~3, descriptor(0, 0xFFFFF, 0xF3, 0xC));
        b.putLong(USER_CS & ~3, descriptor(0, 0xFFFFF, 0xFB, 0xA));
        b.putLong(TSS_SELECTOR, descriptor(TSS, TSS_LIMIT, 0x8B, 0));
        b.putLong(TSS_SELECTOR + 8, TSS >>> 32);
        b.putShort(0x100 + 0x66, (short) 0x68); // no I/O permission bitmap
        return b.array();
    }

    private static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xFFFFL) | (base & 0xFF_FFFFL) << 16 | (long) (access & 0xFF) << 40 | (limit >>> 16 & 0xFL) << 48
                | (long) (flags & 0xF) << 52 | (base >>> 24 & 0xFFL) << 56;
    }
}
