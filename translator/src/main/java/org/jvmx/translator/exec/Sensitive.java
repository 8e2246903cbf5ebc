package org.jvmx.translator.exec;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.mem.GuestFault;

/**
 * The one narrow interface through which every sensitive instruction leaves the translator
 * (DESIGN.md: the translator knows nothing of VMX). The semantics decode operands, check
 * privilege (CPL, IOPL) and then call here; {@code vmx-runtime} implements it by consulting
 * the current VMCS (emulate in place or VM exit, by throwing {@link LeaveRequest}). The default
 * methods are what the processor does with no hypervisor underneath ({@link BareMetal}), which
 * is what unit tests and the embedding API without VMX get.
 *
 * <p>Tail calls: the semantics of CPUID, WRMSR, OUT (not OUTS), HLT, PAUSE, a far JMP that
 * switches tasks ({@link #taskSwitch}) and every instruction that reaches {@link #other} do
 * nothing after calling here, so these methods may
 * leave through {@link Cpu#leave} and return instead of throwing: the run loop (both tiers)
 * checks for it after the instruction and returns the exit with RIP on the instruction. A
 * semantics that calls one of them must keep that property.
 */
public interface Sensitive {
    /** CPUID with EAX/ECX in {@code c.gpr}: writes {@link Cpu#cpuid}'s answer to EAX, EBX, ECX, EDX (zero-extended). */
    default void cpuid(Cpu c, Instruction i) {
        int leaf = (int) c.gpr[CpuState.RAX], sub = (int) c.gpr[CpuState.RCX];
        int[] r = c.cpuid.answer(leaf, sub);
        c.gpr[CpuState.RAX] = r[0] & 0xFFFF_FFFFL;
        c.gpr[CpuState.RBX] = r[1] & 0xFFFF_FFFFL;
        c.gpr[CpuState.RCX] = r[2] & 0xFFFF_FFFFL;
        c.gpr[CpuState.RDX] = r[3] & 0xFFFF_FFFFL;
    }

    /** RDTSC / RDTSCP / the TSC part of both: the guest's time-stamp counter. */
    default long rdtsc(Cpu c, Instruction i) {
        return c.state.tsc();
    }

    /** RDMSR: the value, or #GP(0) for an MSR that does not exist. */
    default long rdmsr(Cpu c, Instruction i, int msr) {
        return c.state.readMsr(msr).orElseThrow(() -> GuestFault.generalProtection(0));
    }

    /** WRMSR: #GP(0) for a missing MSR or a reserved-bit violation. */
    default void wrmsr(Cpu c, Instruction i, int msr, long value) {
        if (!c.state.writeMsr(msr, value)) throw GuestFault.generalProtection(0);
        if (msr == 0xC000_0080) c.memory.tlb().setState(c.state.pagingState());
    }

    /** IN: {@code bytes} (1, 2, 4) from {@code port}. No devices on bare metal: all ones. */
    default long in(Cpu c, Instruction i, int port, int bytes) {
        return Operands.mask(bytes * 8);
    }

    /** OUT: nothing listens on bare metal. */
    default void out(Cpu c, Instruction i, int port, int bytes, long value) {
    }

    /** HLT at CPL 0: leave the loop until an interrupt. */
    default void hlt(Cpu c, Instruction i) {
        throw new LeaveRequest(Exit.HALTED, true);
    }

    /** PAUSE (a spin-loop hint). */
    default void pause(Cpu c, Instruction i) {
        Thread.onSpinWait();
    }

    /** MOV from CRn. */
    default long readCr(Cpu c, Instruction i, int n) {
        return switch (n) {
            case 0 -> c.state.cr0;
            case 2 -> c.state.cr2;
            case 3 -> c.state.cr3;
            case 4 -> c.state.cr4;
            case 8 -> c.state.cr8;
            default -> throw GuestFault.invalidOpcode("CR" + n);
        };
    }

    /** MOV to CRn, with the paging side effects (TLB flushes, SDM Vol. 3A, 4.10.4). */
    default void writeCr(Cpu c, Instruction i, int n, long v) {
        ControlRegisters.write(c, n, v);
    }

    /** MOV from DRn. */
    default long readDr(Cpu c, Instruction i, int n) {
        return switch (n) {
            case 0, 1, 2, 3 -> c.state.dr[n];
            case 6 -> c.state.dr6;
            case 7 -> c.state.dr7;
            default -> throw GuestFault.invalidOpcode("DR" + n);
        };
    }

    default void writeDr(Cpu c, Instruction i, int n, long v) {
        switch (n) {
            case 0, 1, 2, 3 -> c.state.dr[n] = v;
            case 6 -> c.state.dr6 = v | CpuState.DR6_RESET;
            case 7 -> c.state.dr7 = v | CpuState.DR7_RESET;
            default -> throw GuestFault.invalidOpcode("DR" + n);
        }
    }

    /** INVLPG. */
    default void invlpg(Cpu c, Instruction i, long linear) {
        c.memory.tlb().flushPage(linear);
    }

    /** WBINVD / INVD / other cache and TLB maintenance that has no effect on bare metal. */
    default void cacheControl(Cpu c, Instruction i) {
    }

    /** RDRAND / RDSEED: a random value of {@code bits}, or empty (CF = 0) when none is ready. */
    default java.util.OptionalLong random(Cpu c, Instruction i, int bits) {
        return java.util.OptionalLong.of(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Operands.mask(bits));
    }

    /**
     * LGDT, LIDT, SGDT, SIDT, LLDT, LTR, SLDT, STR, called after the checks that take priority
     * over a VM exit (#UD, the CPL and UMIP #GP; SDM Vol. 3C, 26.1.1) and before the operand is
     * read or written. Nothing happens on bare metal; a hypervisor may exit here
     * ("descriptor-table exiting", SDM Vol. 3C, 26.1.3).
     */
    default void descriptorTable(Cpu c, Instruction i) {
    }

    /**
     * An exception is leaving the run loop for delivery. On bare metal a #PF loads CR2 with the
     * faulting address (SDM Vol. 3A, 4.7); a hypervisor intercepting the exception does not, and
     * throws {@link LeaveRequest} instead, whose exit the run loop returns (a VM exit).
     */
    default void exception(Cpu c, GuestFault f) {
        if (f instanceof org.jvmx.translator.mem.PageFault pf) c.state.cr2 = pf.linearAddress();
    }

    /**
     * A task switch (JMP or CALL far to a TSS or task gate, outside IA-32e mode's 64-bit code):
     * {@code source} 0 CALL, 1 IRET, 2 JMP, 3 a task gate in the IDT (SDM Vol. 3C Table 28-2).
     * Hardware task switching is not modelled: #GP(selector) on bare metal; under VMX it always
     * causes a VM exit (26.1.2).
     */
    default void taskSwitch(Cpu c, Instruction i, int selector, int source) {
        throw GuestFault.generalProtection(selector & 0xFFFC);
    }

    /**
     * Any other sensitive instruction (VMCALL, GETSEC, XSETBV, MONITOR/MWAIT, the VMX
     * instructions, ...): on bare metal without VMX, #UD.
     */
    default void other(Cpu c, Instruction i) {
        throw GuestFault.invalidOpcode(i.mnemonic() + " (no hypervisor underneath)");
    }
}
