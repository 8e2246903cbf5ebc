package org.jvmx.vm;

import static org.jvmx.vm.GuestMachine.CODE;
import static org.jvmx.vm.GuestMachine.STACK_TOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Events around VM entry and between guest instructions (SDM Vol. 3C 26.7, 27.6): each
 * event-driven exit reason is triggered with its control on and runs through with it off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VcpuEventTest {
    static final String HLT = "f4";

    static void or(Vcpu c, VmcsField f, long bits) {
        c.vmwrite(f, c.vmread(f) | bits);
    }

    static void andNot(Vcpu c, VmcsField f, long bits) {
        c.vmwrite(f, c.vmread(f) & ~bits);
    }

    static VmExit runExpect(Vcpu c, ExitReason r) {
        VmExit x = c.run();
        assertEquals(r, x.reason(), x + (x.entryFailure() ? " " + c.failedEntryRule() : ""));
        assertEquals(r.number(), c.vmread(VmcsFields.VM_EXIT_REASON));
        return x;
    }

    /** The quadwords on the guest stack from {@code rsp} up. */
    static long[] frame(GuestMachine g, int n) {
        long rsp = g.cpu.reg(Reg.RSP);
        long[] q = new long[n];
        for (int k = 0; k < n; k++) q[k] = g.vm.readValue(rsp + 8L * k, 8);
        return q;
    }

    // ---- interrupt window (26.7.5)

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void interruptWindowOpensAfterTheStiShadow(Engine.Tier tier) {
        try (GuestMachine g = new GuestMachine(tier, "90 fb 90 90 f4")) { // nop; sti; nop; nop; hlt
            or(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_INTERRUPT_WINDOW_EXITING);
            VmExit x = runExpect(g.cpu, ExitReason.INTERRUPT_WINDOW);
            assertEquals(CODE + 3, x.guestRip(), "the instruction after STI runs in its shadow, then the window exits");
            assertEquals(0, x.instructionLength());
            assertEquals(0, g.cpu.vmread(VmcsFields.GUEST_INTERRUPTIBILITY_STATE));
            andNot(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_INTERRUPT_WINDOW_EXITING);
            assertEquals(CODE + 4, runExpect(g.cpu, ExitReason.HLT).guestRip());
        }
    }

    @Test
    void interruptWindowWithIfSetExitsBeforeTheFirstInstruction() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.MIXED, HLT)) {
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202);
            or(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_INTERRUPT_WINDOW_EXITING);
            assertEquals(CODE, runExpect(g.cpu, ExitReason.INTERRUPT_WINDOW).guestRip());
            // Blocking by STI (interruptibility bit 0) keeps the window shut for one instruction.
            g.cpu.vmwrite(VmcsFields.GUEST_RIP, CODE + 1);
            g.vm.write(CODE + 1, GuestMachine.hex("90 90 f4"));
            g.cpu.vmwrite(VmcsFields.GUEST_INTERRUPTIBILITY_STATE, Controls.INTERRUPTIBILITY_STI);
            assertEquals(CODE + 2, runExpect(g.cpu, ExitReason.INTERRUPT_WINDOW).guestRip());
        }
    }

    // ---- NMI window and NMIs (26.7.6, 26.2)

    @Test
    void nmiWindowExitsUnlessNmisAreBlocked() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, HLT)) {
            or(g.cpu, VmcsFields.PIN_BASED_VM_EXEC_CONTROL, Controls.PIN_NMI_EXITING | Controls.PIN_VIRTUAL_NMIS);
            or(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_NMI_WINDOW_EXITING);
            assertEquals(CODE, runExpect(g.cpu, ExitReason.NMI_WINDOW).guestRip());
            g.cpu.vmwrite(VmcsFields.GUEST_INTERRUPTIBILITY_STATE, Controls.INTERRUPTIBILITY_NMI);
            runExpect(g.cpu, ExitReason.HLT);
            assertEquals(Controls.INTERRUPTIBILITY_NMI, g.cpu.vmread(VmcsFields.GUEST_INTERRUPTIBILITY_STATE));
            g.cpu.vmwrite(VmcsFields.GUEST_INTERRUPTIBILITY_STATE, 0);
            andNot(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_NMI_WINDOW_EXITING);
            g.cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
            runExpect(g.cpu, ExitReason.HLT);
        }
    }

    @Test
    void nmiExitsUnderNmiExitingElseReachesTheGuestHandler() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "ebfe")) { // jmp $
            long h = g.handler(2, 0, HLT);
            g.cpu.nmi();
            VmExit x = runExpect(g.cpu, ExitReason.EXCEPTION_OR_NMI);
            assertEquals(0x8000_0202L, x.interruptionInfo());
            assertEquals(0x8000_0202L, g.cpu.vmread(VmcsFields.VM_EXIT_INTERRUPTION_INFO));
            andNot(g.cpu, VmcsFields.PIN_BASED_VM_EXEC_CONTROL, Controls.PIN_NMI_EXITING);
            g.cpu.nmi();
            assertEquals(h, runExpect(g.cpu, ExitReason.HLT).guestRip());
            assertEquals(CODE, frame(g, 1)[0], "the NMI frame returns to the interrupted jmp");
            assertEquals(Controls.INTERRUPTIBILITY_NMI,
                    g.cpu.vmread(VmcsFields.GUEST_INTERRUPTIBILITY_STATE) & Controls.INTERRUPTIBILITY_NMI,
                    "NMIs blocked until IRET");
        }
    }

    // ---- external interrupts (26.2, 28.2.2)

    @Test
    void externalInterruptExitsAcknowledgedUnderItsControls() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.MIXED, "ebfe")) {
            g.cpu.interrupt(0x40);
            VmExit x = runExpect(g.cpu, ExitReason.EXTERNAL_INTERRUPT);
            assertEquals(0, x.interruptionInfo(), "not acknowledged: no vector");
            or(g.cpu, VmcsFields.VM_EXIT_CONTROLS, Controls.EXIT_ACK_INTERRUPT_ON_EXIT);
            x = runExpect(g.cpu, ExitReason.EXTERNAL_INTERRUPT);
            assertEquals(0x8000_0040L, x.interruptionInfo(), "acknowledged on exit: vector 0x40, type external");
            assertEquals(0x8000_0040L, g.cpu.vmread(VmcsFields.VM_EXIT_INTERRUPTION_INFO));
            assertEquals(CODE, x.guestRip());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void withoutExitingAnInterruptWaitsForIfThenReachesTheGuestIdt(Engine.Tier tier) {
        // cli; nop; sti; nop; jmp $ -- the interrupt is raised before entry, with IF = 0.
        try (GuestMachine g = new GuestMachine(tier, "fa 90 fb 90 ebfe")) {
            long h = g.handler(0x40, 0, "bb01000000 f4"); // mov ebx, 1; hlt
            andNot(g.cpu, VmcsFields.PIN_BASED_VM_EXEC_CONTROL, Controls.PIN_EXTERNAL_INTERRUPT_EXITING);
            g.cpu.interrupt(0x40);
            VmExit x = runExpect(g.cpu, ExitReason.HLT);
            assertEquals(h + 5, x.guestRip());
            assertEquals(1, g.cpu.reg(Reg.RBX));
            long[] f = frame(g, 5);
            assertEquals(CODE + 4, f[0], "delivered after STI's shadow: returns to the jmp");
            assertEquals(0x08, f[1]);
            assertEquals(0x202, f[2] & 0x202);
            assertEquals(STACK_TOP, f[3]);
            assertEquals(0x10, f[4]);
            assertEquals(0, g.cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x200, "an interrupt gate clears IF");
        }
    }

    // ---- VMX-preemption timer (26.5.1, 28.3.4)

    @Test
    void preemptionTimerOfZeroExitsAtOnceAndCountsDownOtherwise() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.MIXED, "ebfe")) {
            or(g.cpu, VmcsFields.PIN_BASED_VM_EXEC_CONTROL, Controls.PIN_PREEMPTION_TIMER);
            or(g.cpu, VmcsFields.VM_EXIT_CONTROLS, Controls.EXIT_SAVE_PREEMPTION_TIMER);
            g.cpu.vmwrite(VmcsFields.VMX_PREEMPTION_TIMER_VALUE, 0);
            assertEquals(CODE, runExpect(g.cpu, ExitReason.PREEMPTION_TIMER_EXPIRED).guestRip());
            // 30,000 ticks of 2^5 TSC cycles: about a millisecond of guest spinning.
            g.cpu.vmwrite(VmcsFields.VMX_PREEMPTION_TIMER_VALUE, 30_000);
            long t0 = System.nanoTime();
            runExpect(g.cpu, ExitReason.PREEMPTION_TIMER_EXPIRED);
            assertTrue(System.nanoTime() - t0 >= 30_000L << 5, "not before the timer ran down");
            assertEquals(0, g.cpu.vmread(VmcsFields.VMX_PREEMPTION_TIMER_VALUE), "saved on exit: 0");
            assertTrue(g.cpu.stats().instructions() > 1000, "the guest ran meanwhile");
            // VMRESUME with no field written reloads the saved value, 0: an exit before any instruction.
            long ran = g.cpu.stats().instructions();
            runExpect(g.cpu, ExitReason.PREEMPTION_TIMER_EXPIRED);
            assertEquals(ran, g.cpu.stats().instructions());
        }
    }

    @Test
    void withoutTheTimerTheGuestSpinsUntilTheHostInterrupts() throws Exception {
        try (GuestMachine g = new GuestMachine(Engine.Tier.MIXED, "ebfe")) {
            g.cpu.vmwrite(VmcsFields.VMX_PREEMPTION_TIMER_VALUE, 0);
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
                g.cpu.kick();
            });
            runExpect(g.cpu, ExitReason.EXTERNAL_INTERRUPT);
            t.join();
        }
    }

    @Test
    void aHaltedGuestWithoutHltExitingWakesForTheTimer() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, HLT)) {
            andNot(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_HLT_EXITING);
            or(g.cpu, VmcsFields.PIN_BASED_VM_EXEC_CONTROL, Controls.PIN_PREEMPTION_TIMER);
            g.cpu.vmwrite(VmcsFields.VMX_PREEMPTION_TIMER_VALUE, 1000);
            VmExit x = runExpect(g.cpu, ExitReason.PREEMPTION_TIMER_EXPIRED);
            assertEquals(CODE + 1, x.guestRip(), "HLT retired");
            assertEquals(Controls.ACTIVITY_HLT, g.cpu.vmread(VmcsFields.GUEST_ACTIVITY_STATE));
        }
    }

    // ---- event injection (27.6) through the embedding API

    @Test
    void injectedPageFaultExternalInterruptAndSoftwareInterruptReachTheirHandlers() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "90 f4")) {
            long pf = g.handler(14, 0, HLT), ext = g.handler(0x30, 1, HLT), sw = g.handler(0x80, 2, HLT);
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, 14 | 3 << 8 | Controls.INTR_INFO_DELIVER_ERROR_CODE
                    | Controls.INTR_INFO_VALID & 0xFFFF_FFFFL);
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE, 6);
            assertEquals(pf, runExpect(g.cpu, ExitReason.HLT).guestRip());
            long[] f = frame(g, 6);
            assertEquals(6, f[0], "error code");
            assertEquals(CODE, f[1]);
            assertEquals(0x08, f[2]);
            assertEquals(STACK_TOP, f[4]);
            assertEquals(0, g.cpu.vmread(VmcsFields.VM_ENTRY_INTERRUPTION_INFO) >>> 31, "valid bit cleared by the exit");

            g.cpu.vmwrite(VmcsFields.GUEST_RSP, STACK_TOP);
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202); // IF must be 1 to inject an external interrupt (27.3.1.4)
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, 0x30 | Controls.INTR_INFO_VALID & 0xFFFF_FFFFL);
            assertEquals(ext, runExpect(g.cpu, ExitReason.HLT).guestRip());
            f = frame(g, 5);
            assertEquals(pf, f[0], "returns where the guest was (a HLT exit leaves RIP on the HLT)");
            assertEquals(0x202, f[2] & 0x202);

            g.cpu.vmwrite(VmcsFields.GUEST_RSP, STACK_TOP);
            g.cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, 0x80 | 4 << 8 | Controls.INTR_INFO_VALID & 0xFFFF_FFFFL);
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_INSTRUCTION_LENGTH, 2);
            assertEquals(sw, runExpect(g.cpu, ExitReason.HLT).guestRip());
            assertEquals(CODE + 2, frame(g, 1)[0], "INT n pushes the RIP after the instruction");
        }
    }

    // ---- faults: exception bitmap, #DF, triple fault (26.2, 28.2.2)

    @Test
    void exceptionBitmapSelectsExitOrGuestDelivery() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "0f0b")) { // ud2
            long h = g.handler(6, 0, HLT);
            g.cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 1 << 6);
            VmExit x = runExpect(g.cpu, ExitReason.EXCEPTION_OR_NMI);
            assertEquals(0x8000_0306L, x.interruptionInfo());
            assertEquals(CODE, x.guestRip());
            g.cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 0);
            assertEquals(h, runExpect(g.cpu, ExitReason.HLT).guestRip());
            assertEquals(CODE, frame(g, 1)[0]);
        }
    }

    @Test
    void aFaultDeliveringAFaultIsADoubleFaultAndOneMoreATripleFaultExit() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "0f0b")) {
            // #UD's gate is not present -> #NP; #NP while delivering #UD is served alone (benign + contributory):
            // make #NP's gate absent too -> #GP while delivering #NP (contributory + contributory) -> #DF.
            long df = g.handler(8, 0, HLT);
            g.vm.writeValue(GuestMachine.IDT + 16 * 6 + 5, 1, 0x0E); // #UD gate: P = 0
            g.vm.writeValue(GuestMachine.IDT + 16 * 11, 8, 0); // #NP: an empty gate -> #GP
            g.vm.writeValue(GuestMachine.IDT + 16 * 13, 8, 0); // #GP: an empty gate too
            assertEquals(df, runExpect(g.cpu, ExitReason.HLT).guestRip());
            assertEquals(0, frame(g, 1)[0], "#DF pushes error code 0");
            // Without a #DF handler the processor shuts down: a triple-fault VM exit (reason 2).
            g.vm.writeValue(GuestMachine.IDT + 16 * 8, 8, 0);
            g.cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
            g.cpu.vmwrite(VmcsFields.GUEST_RSP, STACK_TOP);
            runExpect(g.cpu, ExitReason.TRIPLE_FAULT);
            runExpect(g.cpu, ExitReason.TRIPLE_FAULT); // stays shut down until the monitor resets it
        }
    }

    @Test
    void anInterceptedFaultDuringDeliveryReportsTheEventInIdtVectoringInformation() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "0f0b")) { // ud2
            g.handler(6, 0, HLT);
            g.vm.writeValue(GuestMachine.IDT + 16 * 6 + 5, 1, 0x0E); // #UD gate not present -> #NP(6 << 3 | 2 | 1)
            g.cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 1 << 11);
            VmExit x = runExpect(g.cpu, ExitReason.EXCEPTION_OR_NMI);
            assertEquals(0x8000_0B0BL, x.interruptionInfo(), "#NP with an error code");
            assertEquals(6 << 3 | 2 | 1, x.errorCode(), "IDT, external (hardware exception)");
            assertEquals(0x8000_0306L, g.cpu.vmread(VmcsFields.IDT_VECTORING_INFO), "while delivering #UD");
            assertEquals(CODE, x.guestRip());
            // An injected external interrupt whose IDT is not mapped: #PF at the gate's address.
            g.cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 1 << 14);
            g.cpu.vmwrite(VmcsFields.GUEST_IDTR_BASE, 0x80_0000);
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202);
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, 0x30 | Controls.INTR_INFO_VALID & 0xFFFF_FFFFL);
            x = runExpect(g.cpu, ExitReason.EXCEPTION_OR_NMI);
            assertEquals(0x8000_0B0EL, x.interruptionInfo());
            assertEquals(0x80_0000 + 16 * 0x30, x.qualification(), "the faulting linear address, not loaded into CR2");
            assertEquals(0, g.cpu.cpu().state.cr2);
            assertEquals(0x8000_0030L, g.cpu.vmread(VmcsFields.IDT_VECTORING_INFO));
            // An exit that is not during delivery clears it.
            g.cpu.vmwrite(VmcsFields.GUEST_IDTR_BASE, GuestMachine.IDT);
            g.cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 1 << 6);
            runExpect(g.cpu, ExitReason.EXCEPTION_OR_NMI);
            assertEquals(0, g.cpu.vmread(VmcsFields.IDT_VECTORING_INFO) >>> 31);
        }
    }

    // ---- INT n and IRETQ (SDM Vol. 2A INT n, IRET; Vol. 3A 6.14)

    @Test
    void intNReachesItsHandlerAndIretqReturnsAfterIt() {
        // int 0x30; mov ebx, 7; hlt -- handler: mov ecx, 5; iretq
        try (GuestMachine g = new GuestMachine(Engine.Tier.MIXED, "cd30 bb07000000 f4")) {
            g.handler(0x30, 0, "b905000000 48cf");
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202);
            VmExit x = runExpect(g.cpu, ExitReason.HLT);
            assertEquals(CODE + 7, x.guestRip());
            assertEquals(7, g.cpu.reg(Reg.RBX));
            assertEquals(5, g.cpu.reg(Reg.RCX));
            assertEquals(STACK_TOP, g.cpu.reg(Reg.RSP));
            assertEquals(0x202, g.cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x202, "IF restored by IRETQ");
        }
    }

    @Test
    void iretqEndsNmiBlocking() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "90 f4")) {
            g.handler(2, 0, "48cf"); // iretq
            andNot(g.cpu, VmcsFields.PIN_BASED_VM_EXEC_CONTROL, Controls.PIN_NMI_EXITING);
            g.cpu.nmi();
            runExpect(g.cpu, ExitReason.HLT);
            assertEquals(0, g.cpu.vmread(VmcsFields.GUEST_INTERRUPTIBILITY_STATE) & Controls.INTERRUPTIBILITY_NMI);
            assertEquals(STACK_TOP, g.cpu.reg(Reg.RSP));
        }
    }

    @Test
    void iretqToRing3AndAFaultThereSwitchesToTheTssStack() {
        // push 0x23; push 0x1f0000; push 0x202; push 0x1b; push 0x11000; iretq   -- user code: hlt (#GP at CPL 3)
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET,
                "6a23 6800001f00 6802020000 6a1b 6800100100 48cf")) {
            g.vm.write(0x11000, GuestMachine.hex("f4"));
            long gp = g.handler(13, 0, HLT);
            VmExit x = runExpect(g.cpu, ExitReason.HLT);
            assertEquals(gp, x.guestRip());
            assertEquals(GuestMachine.RSP0 - 48, g.cpu.reg(Reg.RSP));
            long[] f = frame(g, 6);
            assertEquals(0, f[0], "#GP(0)");
            assertEquals(0x11000, f[1]);
            assertEquals(0x1B, f[2]);
            assertEquals(0x202, f[3] & 0x202);
            assertEquals(0x1F_0000, f[4]);
            assertEquals(0x23, f[5]);
            assertEquals(0x08, g.cpu.vmread(VmcsFields.GUEST_CS_SELECTOR));
        }
    }

    /** A long stretch with IF = 0 and an interrupt waiting runs compiled, and the window still opens exactly. */
    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void aLoopWithInterruptsOffRunsAtSpeedUntilPopfSetsIf(Engine.Tier tier) {
        // mov ecx, 200000; 1: dec ecx; jnz 1b; push 0x202; popfq; nop; hlt
        try (GuestMachine g = new GuestMachine(tier, "b9400d0300 ffc9 75fc 6802020000 9d 90 f4")) {
            or(g.cpu, VmcsFields.CPU_BASED_VM_EXEC_CONTROL, Controls.PROC_INTERRUPT_WINDOW_EXITING);
            VmExit x = runExpect(g.cpu, ExitReason.INTERRUPT_WINDOW);
            assertEquals(CODE + 15, x.guestRip(), "right after POPFQ: POPF has no shadow");
            assertEquals(0, g.cpu.reg(Reg.RCX));
            if (tier == Engine.Tier.COMPILE) assertTrue(g.cpu.stats().compiled > 100_000, "ran compiled");
        }
    }
}
