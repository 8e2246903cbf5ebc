package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.mem.GuestFault;

/**
 * Event delivery through the IDT in IA-32e mode (SDM Vol. 3A, 6.14): 16-byte interrupt and trap
 * gates, the target code segment's checks, the stack switch to TSS.RSPn on a privilege change
 * or to an IST stack, the 16-byte-aligned frame SS, RSP, RFLAGS, CS, RIP [, error code], and
 * the RFLAGS changes. A fault while delivering is combined with the first event as Table 6-5
 * says: a double fault (#DF, error code 0), or a triple fault when #DF itself cannot be
 * delivered. Outside IA-32e mode, delivery through 8-byte gates (protected mode) or the
 * interrupt vector table (real mode) is {@link LegacyInterrupts}; the combining logic here
 * serves all modes. Used by the hypervisor for injected events and by the monitor for the
 * guest's own exceptions and interrupts.
 */
public final class Interrupts {
    private Interrupts() {
    }

    /** What is being delivered; it decides the EXT bit, the gate DPL check and error codes. */
    public enum Kind {
        /** An external interrupt (through the PIC/APIC). */
        EXTERNAL,
        /** A non-maskable interrupt (vector 2). */
        NMI,
        /** A fault or trap raised by the processor. */
        HARDWARE_EXCEPTION,
        /** INT n: the gate's DPL must allow the current privilege level. */
        SOFTWARE_INTERRUPT,
        /** INT3 and INTO: as INT n for the DPL check. */
        SOFTWARE_EXCEPTION,
        /** INT1 (ICEBP): no DPL check. */
        PRIVILEGED_SOFTWARE_EXCEPTION
    }

    /** Delivery of #DF failed: the processor shuts down (a triple fault; a VM exit with reason 2 under VMX). */
    public static final class TripleFault extends RuntimeException {
        public TripleFault(String why) {
            super("triple fault: " + why, null, false, false);
        }
    }

    /**
     * A fault raised while delivering an event, which the monitor takes as a VM exit instead of
     * letting the processor combine it with the event (SDM Vol. 3C, 26.2 and 28.2.4: the exit
     * reports the fault, and the event being delivered in the IDT-vectoring information).
     */
    public static final class InterceptedDuringDelivery extends RuntimeException {
        public final GuestFault fault;
        public final int vector;
        public final Kind kind;
        public final int errorCode;

        InterceptedDuringDelivery(GuestFault fault, int vector, Kind kind, int errorCode) {
            super(null, null, false, false);
            this.fault = fault;
            this.vector = vector;
            this.kind = kind;
            this.errorCode = errorCode;
        }
    }

    /**
     * Delivers {@code vector}: pushes the frame with {@code returnRip} and, when
     * {@code errorCode >= 0}, the error code, then continues at the handler. Nothing changes
     * when delivery faults; that fault is then combined with this event (Table 6-5).
     */
    public static void deliver(Cpu c, int vector, Kind kind, int errorCode, long returnRip) {
        deliver(c, vector, kind, errorCode, returnRip, f -> false);
    }

    /**
     * As {@link #deliver(Cpu, int, Kind, int, long)}, but a fault during delivery that
     * {@code intercepted} selects (and a resulting #DF it selects) is thrown as
     * {@link InterceptedDuringDelivery} with nothing changed, for a hypervisor to turn into a VM exit.
     */
    public static void deliver(Cpu c, int vector, Kind kind, int errorCode, long returnRip,
            java.util.function.Predicate<GuestFault> intercepted) {
        try {
            deliverOnce(c, vector, kind, errorCode, returnRip);
        } catch (GuestFault second) {
            if (intercepted.test(second)) throw new InterceptedDuringDelivery(second, vector, kind, errorCode);
            // A #PF raised while delivering loads CR2 like any other (SDM Vol. 3A, 4.7).
            if (second instanceof org.jvmx.translator.mem.PageFault pf) c.state.cr2 = pf.linearAddress();
            int first = kind == Kind.HARDWARE_EXCEPTION ? vector : -1;
            if (first == GuestFault.DF) throw new TripleFault("#DF delivery raised " + second.getMessage());
            if (isDoubleFault(first, second.vector())) {
                GuestFault df = new GuestFault(GuestFault.DF, 0, "#DF");
                if (intercepted.test(df)) throw new InterceptedDuringDelivery(df, vector, kind, errorCode);
                try {
                    deliverOnce(c, GuestFault.DF, Kind.HARDWARE_EXCEPTION, 0, returnRip);
                } catch (GuestFault third) {
                    throw new TripleFault("#DF delivery raised " + third.getMessage());
                }
            } else {
                // Handled serially: the second exception is delivered instead (same RIP).
                deliver(c, second.vector(), Kind.HARDWARE_EXCEPTION,
                        GuestFault.hasErrorCode(second.vector()) ? second.errorCode() : -1, returnRip, intercepted);
            }
        }
    }

    /** SDM Vol. 3A, Table 6-5: contributory after contributory, or anything but benign after #PF. */
    static boolean isDoubleFault(int first, int second) {
        boolean secondContributory = contributory(second);
        if (contributory(first)) return secondContributory;
        if (first == GuestFault.PF) return secondContributory || second == GuestFault.PF;
        return false;
    }

    private static boolean contributory(int v) {
        return v == GuestFault.DE || v == GuestFault.TS || v == GuestFault.NP || v == GuestFault.SS || v == GuestFault.GP;
    }

    private static void deliverOnce(Cpu c, int vector, Kind kind, int errorCode, long returnRip) {
        CpuState s = c.state;
        if (!s.protectedMode()) {
            LegacyInterrupts.deliverReal(c, vector, returnRip); // the IVT (SDM Vol. 3A, 20.1.4)
            return;
        }
        if (!s.longMode()) {
            // Legacy protected mode: 8-byte gates (SDM 6.10-6.13). Compatibility mode stays here (6.14).
            LegacyInterrupts.deliverOnce(c, vector, kind, errorCode, returnRip);
            return;
        }
        boolean software = kind == Kind.SOFTWARE_INTERRUPT || kind == Kind.SOFTWARE_EXCEPTION;
        int ext = software || kind == Kind.PRIVILEGED_SOFTWARE_EXCEPTION ? 0 : 1;
        int idtError = vector << 3 | 2 | ext;
        if ((long) vector * 16 + 15 > (s.idtrLimit & 0xFFFFL)) throw GuestFault.generalProtection(idtError);
        long gateAddr = s.idtrBase + vector * 16L;
        long low = supervisorRead(c, gateAddr), high = supervisorRead(c, gateAddr + 8);
        int type = (int) (low >>> 40) & 0xF;
        if (type != 0xE && type != 0xF) throw GuestFault.generalProtection(idtError);
        int cpl = s.cpl();
        if (software && (int) ((low >>> 45) & 3) < cpl) throw GuestFault.generalProtection(idtError);
        if ((low & 1L << 47) == 0) throw new GuestFault(GuestFault.NP, idtError, "#NP: IDT gate " + vector + " not present");
        long offset = (low & 0xFFFFL) | ((low >>> 48) & 0xFFFFL) << 16 | (high & 0xFFFF_FFFFL) << 32;
        int selector = (int) (low >>> 16) & 0xFFFF;
        int ist = (int) (low >>> 32) & 7;

        // The handler's code segment (SDM 6.12.1.1, 6.14.1): a present 64-bit code segment with DPL <= CPL.
        if ((selector & ~3) == 0) throw GuestFault.generalProtection(ext);
        int selError = selector & 0xFFFC | ext;
        long desc = DescriptorTables.read(c, selector, selError);
        int ar = SegmentRegister.descriptorAccessRights(desc);
        boolean code = (ar & SegmentRegister.AR_S) != 0 && (ar & 8) != 0;
        int dpl = (ar >>> 5) & 3;
        boolean conforming = (ar & 4) != 0;
        if (!code || (ar & SegmentRegister.AR_L) == 0 || (ar & SegmentRegister.AR_DB) != 0 || dpl > cpl) {
            throw GuestFault.generalProtection(selError);
        }
        if ((ar & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, selError, "#NP: handler code segment");
        int newCpl = conforming ? cpl : dpl;

        // The stack: an IST slot, else TSS.RSPn on a privilege change, else the current one; 16-byte aligned.
        long rsp;
        if (ist != 0) rsp = supervisorRead(c, s.tr.base() + 0x24 + 8L * (ist - 1));
        else if (newCpl < cpl) rsp = supervisorRead(c, s.tr.base() + 4 + 8L * newCpl);
        else rsp = c.gpr[CpuState.RSP];
        if ((rsp << 16 >> 16) != rsp) throw GuestFault.stackFault(ext);
        rsp &= ~0xFL;
        long[] frame = errorCode >= 0
                ? new long[] {errorCode & 0xFFFF_FFFFL, returnRip, s.cs.selector(), s.rflags(), c.gpr[CpuState.RSP], s.ss.selector()}
                : new long[] {returnRip, s.cs.selector(), s.rflags(), c.gpr[CpuState.RSP], s.ss.selector()};
        long top = rsp - 8L * frame.length;
        for (int k = 0; k < frame.length; k++) {
            long a = top + 8L * k;
            if ((a << 16 >> 16) != a) throw GuestFault.stackFault(ext);
        }
        c.memory.probeWrite(top, 8 * frame.length, false);
        for (int k = 0; k < frame.length; k++) c.memory.write(top + 8L * k, 8, frame[k], false);

        // Commit (SDM 6.14.2): CS, SS (null with the new RPL on a privilege change), RSP, RIP, RFLAGS.
        if (newCpl < cpl) s.ss.loadNull(newCpl);
        s.cs.loadDescriptor(selector & ~3 | newCpl, c.markDescriptorAccessed(DescriptorTables.address(c, selector), desc));
        c.gpr[CpuState.RSP] = top;
        s.rip = offset;
        long clear = Rflags.TF | Rflags.NT | Rflags.RF | Rflags.VM | (type == 0xE ? Rflags.IF : 0);
        s.setRflags(s.rflags() & ~clear);
        c.refreshMode();
    }

    /** An implicit supervisor-mode access (descriptor tables, TSS, the handler's stack; SDM 4.6). */
    private static long supervisorRead(Cpu c, long linear) {
        if ((linear << 16 >> 16) != linear) throw GuestFault.generalProtection(0);
        return c.memory.read(linear, 8, false);
    }
}
