package org.jvmx.vm;

import static org.jvmx.vm.GuestMachine.CODE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * INIT and SIPI at a vCPU (SDM Vol. 3C 26.2, 27.6.2): INIT exits (reason 3) from the active
 * state; the wait-for-SIPI state blocks INIT and exits on a SIPI (reason 4, qualification =
 * vector), which the active state discards; {@link Vcpu#emulate} runs guest code in the monitor.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VcpuStartupTest {
    static VmExit run(Vcpu c, ExitReason r) {
        VmExit x = c.run();
        assertEquals(r, x.reason(), x + (x.entryFailure() ? " " + c.failedEntryRule() : ""));
        assertEquals(r.number(), c.vmread(VmcsFields.VM_EXIT_REASON));
        return x;
    }

    @Test
    void initExitsAndSipiStartsOnlyFromWaitForSipi() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "f4 f4")) { // hlt; hlt
            Vcpu c = g.cpu;
            c.init();
            VmExit x = run(c, ExitReason.INIT_SIGNAL);
            assertEquals(CODE, x.guestRip(), "INIT changes no register");
            c.startupIpi(0x12); // active: discarded
            run(c, ExitReason.HLT);
            c.skipInstruction();
            c.vmwrite(VmcsFields.GUEST_ACTIVITY_STATE, Controls.ACTIVITY_WAIT_FOR_SIPI);
            c.init(); // blocked in wait-for-SIPI
            c.startupIpi(0x9A);
            x = run(c, ExitReason.STARTUP_IPI);
            assertEquals(0x9A, x.qualification());
            assertEquals(Controls.ACTIVITY_WAIT_FOR_SIPI, c.vmread(VmcsFields.GUEST_ACTIVITY_STATE));
        }
    }

    @Test
    void aSipiWhileWaitingEndsTheWait() throws Exception {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "f4")) {
            Vcpu c = g.cpu;
            c.vmwrite(VmcsFields.GUEST_ACTIVITY_STATE, Controls.ACTIVITY_WAIT_FOR_SIPI);
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                c.nmi(); // blocked: no exit
                c.startupIpi(0x08);
            });
            VmExit x = run(c, ExitReason.STARTUP_IPI);
            assertEquals(0x08, x.qualification());
            sender.join();
        }
    }

    @Test
    void emulateRunsRealModeCodeAndHandsTheStateToTheVmcs() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "f4")) {
            // 0800:0000 (linear 0x8000): mov ax, 0x1234; inc ax; hlt
            g.vm.write(0x8000, new byte[] {(byte) 0xB8, 0x34, 0x12, 0x40, (byte) 0xF4});
            Vcpu c = g.cpu;
            CpuState s = c.cpu().state;
            s.init();
            s.cs.set(0x0800, 0x8000, 0xFFFF, 0x9B);
            s.rip = 0;
            c.cpu().refreshMode();
            c.cpu().memory.tlb().setState(s.pagingState());
            c.cpu().memory.tlb().flushAll();
            Exit e = c.emulate(cpu -> cpu.state.rip == 4, 100);
            assertEquals(null, e);
            assertEquals(0x1235, c.reg(Reg.RAX));
            assertEquals(4, c.vmread(VmcsFields.GUEST_RIP));
            assertEquals(0x8000, c.vmread(VmcsFields.GUEST_CS_BASE));
            assertEquals(0, c.vmread(VmcsFields.GUEST_CR0) & CpuState.CR0_PE, "the VMCS holds the real-mode state");
        }
    }
}
