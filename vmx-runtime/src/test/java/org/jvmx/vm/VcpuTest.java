package org.jvmx.vm;

import static org.jvmx.vm.GuestMachine.CODE;
import static org.jvmx.vm.GuestMachine.STACK_TOP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.mem.MmioHandler;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmInstructionError;
import org.jvmx.vmx.vmcs.VmcsFields;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The embedding API: a monitor's view of VM entry, guest execution and VM exits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VcpuTest {
    /** The README's example, line for line. */
    @Test
    void readmeExampleRunsToHltAndReadsRax() {
        try (Vm vm = Vm.create()) {
            vm.addRam(0, 2 << 20);
            long cr3 = vm.identityMap(0x8000, 2 << 20);
            vm.write(0x10000, new byte[] {(byte) 0xB8, 42, 0, 0, 0, (byte) 0xF4}); // mov eax, 42; hlt
            Vcpu cpu = vm.createVcpu();
            cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
            cpu.vmwrite(VmcsFields.GUEST_RIP, 0x10000);
            VmExit exit = cpu.run();
            assertEquals(ExitReason.HLT, exit.reason());
            assertEquals(42, cpu.reg(Reg.RAX));
            assertEquals(0x10005, exit.guestRip());
            assertEquals(1, exit.instructionLength());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void hypercallLoopRoundTrips(Engine.Tier tier) {
        try (GuestMachine g = new GuestMachine(tier, "0f01c1 ebfb")) { // 1: vmcall; jmp 1b
            for (int k = 0; k < 2000; k++) {
                VmExit x = g.cpu.run();
                assertEquals(ExitReason.VMCALL, x.reason(), x.toString());
                assertEquals(k, x.hypercall());
                assertEquals(CODE, x.guestRip());
                g.cpu.setReg(Reg.RAX, x.hypercall() + 1);
                g.cpu.skipInstruction();
            }
            assertEquals(2000, g.cpu.reg(Reg.RAX));
            assertEquals(CODE + 3, g.cpu.vmread(VmcsFields.GUEST_RIP));
            assertEquals(ExitReason.VMCALL.number(), g.cpu.vmread(VmcsFields.VM_EXIT_REASON));
            assertEquals(3, g.cpu.vmread(VmcsFields.VM_EXIT_INSTRUCTION_LENGTH));
        }
    }

    @Test
    void guestStateReadsAndWritesBetweenRuns() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "48ffc0 50 f4")) { // inc rax; push rax; hlt
            VmExit x = g.cpu.run();
            assertEquals(ExitReason.HLT, x.reason());
            assertEquals(CODE + 4, g.cpu.vmread(VmcsFields.GUEST_RIP));
            assertEquals(STACK_TOP - 8, g.cpu.reg(Reg.RSP));
            assertEquals(0x2, g.cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x8D7 & ~0x4, "INC 0 -> 1 leaves ZF/SF/OF clear");
            // The monitor sends the guest back to the start: the VMCS state is loaded on entry.
            g.cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
            g.cpu.setReg(Reg.RSP, STACK_TOP - 0x100);
            assertEquals(ExitReason.HLT, g.cpu.run().reason());
            assertEquals(2, g.cpu.reg(Reg.RAX));
            assertEquals(2, g.vm.readValue(STACK_TOP - 0x108, 8));
            assertEquals(1, g.vm.readValue(STACK_TOP - 8, 8));
        }
    }

    @Test
    void ioExitsCarryPortSizeDirectionAndData() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "e680 e460 66ef f4")) { // out 80,al; in al,60; out dx,ax; hlt
            g.cpu.setReg(Reg.RAX, 0x1234);
            g.cpu.setReg(Reg.RDX, 0x3F8);
            VmExit out = g.cpu.run();
            assertEquals(ExitReason.IO_INSTRUCTION, out.reason());
            assertEquals(0x80, out.ioPort());
            assertEquals(1, out.ioSize());
            assertFalse(out.ioIn());
            assertTrue(out.ioImmediate());
            assertEquals(0x34, out.data());
            assertEquals(2, out.instructionLength());
            g.cpu.skipInstruction();
            VmExit in = g.cpu.run();
            assertEquals(0x60, in.ioPort());
            assertTrue(in.ioIn());
            g.cpu.setReg(Reg.RAX, 0x1299);
            g.cpu.skipInstruction();
            VmExit outDx = g.cpu.run();
            assertEquals(0x3F8, outDx.ioPort());
            assertEquals(2, outDx.ioSize());
            assertFalse(outDx.ioImmediate());
            assertEquals(0x1299, outDx.data());
            g.cpu.skipInstruction();
            assertEquals(ExitReason.HLT, g.cpu.run().reason());
        }
    }

    @Test
    void romIgnoresGuestWritesAndMmioReachesItsHandler() {
        // mov byte [0x200000], 0x55; mov al, [0x200000]; mov dword [0x300010], 0x12345678; mov ebx, [0x300020]; hlt
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET,
                "c604250000200055 8a0425000020 00 c70425100030 0078563412 8b1c25200030 00 f4")) {
            g.vm.addRom(0x20_0000, new byte[] {0x11, 0x22});
            List<String> log = new ArrayList<>();
            g.vm.addMmio(0x30_0000, 0x1000, new MmioHandler() {
                @Override
                public long read(long offset, int size) {
                    log.add("read " + offset + "/" + size);
                    return 0xCAFE;
                }

                @Override
                public void write(long offset, int size, long value) {
                    log.add("write " + offset + "/" + size + "=" + Long.toHexString(value));
                }
            });
            assertEquals(ExitReason.HLT, g.cpu.run().reason());
            assertEquals(0x11, g.cpu.reg(Reg.RAX) & 0xFF, "the ROM kept its byte");
            assertEquals(1, g.vm.memory().romWrites());
            assertEquals(List.of("write 16/4=12345678", "read 32/4"), log);
            assertEquals(0xCAFE, g.cpu.reg(Reg.RBX));
            assertArrayEquals(new byte[] {0x11, 0x22}, g.vm.read(0x20_0000, 2));
        }
    }

    @Test
    void badGuestStateIsAnEntryFailureExitAndBadControlsAreVmfailValid7() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "f4")) {
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 0); // bit 1 must be 1 (27.3.1.4)
            VmExit x = g.cpu.run();
            assertTrue(x.entryFailure());
            assertEquals(ExitReason.ENTRY_FAILURE_INVALID_GUEST_STATE, x.reason());
            assertEquals(0x8000_0021L, g.cpu.vmread(VmcsFields.VM_EXIT_REASON));
            g.cpu.vmwrite(VmcsFields.GUEST_RFLAGS, 2);
            long proc = g.cpu.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL);
            // "monitor trap flag" is not modelled: its allowed-1 bit is 0 (27.2.1.1, A.3.2).
            g.cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, proc | Controls.PROC_MONITOR_TRAP_FLAG);
            VmxFailure f = assertThrows(VmxFailure.class, g.cpu::run);
            assertEquals(VmInstructionError.ENTRY_INVALID_CONTROL_FIELDS, f.error());
            assertEquals(7, g.cpu.vmread(VmcsFields.VM_INSTRUCTION_ERROR));
            g.cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, proc);
            assertEquals(ExitReason.HLT, g.cpu.run().reason(), "fixed, it launches");
        }
    }

    @Test
    void msrLoadFailureOnEntryIsReason34WithTheEntryNumber() {
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "f4")) {
            g.vm.writeValue(0x6000, 8, 0x174); // IA32_SYSENTER_CS = 0x10
            g.vm.writeValue(0x6008, 8, 0x10);
            g.vm.writeValue(0x6010, 8, 0xC000_0100L); // IA32_FS_BASE may not be in the list (27.4)
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_MSR_LOAD_ADDR, 0x6000);
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_MSR_LOAD_COUNT, 2);
            VmExit x = g.cpu.run();
            assertTrue(x.entryFailure());
            assertEquals(ExitReason.ENTRY_FAILURE_MSR_LOADING, x.reason());
            assertEquals(2, x.qualification());
            assertEquals(0x8000_0022L, g.cpu.vmread(VmcsFields.VM_EXIT_REASON));
            g.cpu.vmwrite(VmcsFields.VM_ENTRY_MSR_LOAD_COUNT, 1);
            assertEquals(ExitReason.HLT, g.cpu.run().reason());
            assertEquals(0x10, g.cpu.cpu().state.sysenterCs);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.Tier.class)
    void codeTheMonitorRewritesBetweenRunsIsRetranslated(Engine.Tier tier) {
        try (GuestMachine g = new GuestMachine(tier, "b801000000 f4")) { // mov eax, 1; hlt
            for (int k = 1; k <= 100; k++) {
                g.vm.write(CODE + 1, new byte[] {(byte) k});
                g.cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
                assertEquals(ExitReason.HLT, g.cpu.run().reason());
                assertEquals(k, g.cpu.reg(Reg.RAX));
            }
        }
    }

    @Test
    void kickFromAnotherThreadStopsASpinningGuest() throws Exception {
        try (GuestMachine g = new GuestMachine(Engine.Tier.MIXED, "ebfe")) { // jmp $
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                g.cpu.kick();
            });
            t.start();
            VmExit x = g.cpu.run();
            t.join();
            assertEquals(ExitReason.EXTERNAL_INTERRUPT, x.reason());
            assertEquals(0, x.interruptionInfo(), "a host interrupt is not acknowledged for the guest");
            assertEquals(CODE, g.cpu.vmread(VmcsFields.GUEST_RIP));
        }
    }

    @Test
    void emulateInstructionAnswersCpuidAndMsrsAndInjectsTheirFaults() {
        // cpuid; wrmsr; rdmsr; rdmsr; hlt
        try (GuestMachine g = new GuestMachine(Engine.Tier.INTERPRET, "0fa2 0f30 0f32 0f32 f4")) {
            long gp = g.handler(13, 0, "f4");
            g.cpu.setReg(Reg.RAX, 0);
            assertEquals(ExitReason.CPUID, g.cpu.run().reason());
            g.cpu.emulateInstruction();
            assertEquals(0x756E_6547L, g.cpu.reg(Reg.RBX), "Genu");
            assertEquals(0x4965_6E69L, g.cpu.reg(Reg.RDX), "ineI");
            assertEquals(0x6C65_746EL, g.cpu.reg(Reg.RCX), "ntel");
            g.cpu.setReg(Reg.RCX, 0x174); // IA32_SYSENTER_CS
            g.cpu.setReg(Reg.RAX, 0x10);
            g.cpu.setReg(Reg.RDX, 0);
            VmExit w = g.cpu.run();
            assertEquals(ExitReason.WRMSR, w.reason());
            assertEquals(0x174, w.msr());
            assertEquals(0x10, w.data());
            g.cpu.emulateInstruction();
            g.cpu.setReg(Reg.RAX, 0);
            assertEquals(ExitReason.RDMSR, g.cpu.run().reason());
            g.cpu.emulateInstruction();
            assertEquals(0x10, g.cpu.reg(Reg.RAX));
            assertEquals(CODE + 6, g.cpu.vmread(VmcsFields.GUEST_RIP));
            g.cpu.setReg(Reg.RCX, 0x1234_5678); // no such MSR: #GP(0), injected on the next entry
            assertEquals(ExitReason.RDMSR, g.cpu.run().reason());
            g.cpu.emulateInstruction();
            VmExit h = g.cpu.run();
            assertEquals(ExitReason.HLT, h.reason());
            assertEquals(gp, h.guestRip());
            assertEquals(0, g.vm.readValue(g.cpu.reg(Reg.RSP), 8), "error code 0");
            assertEquals(CODE + 6, g.vm.readValue(g.cpu.reg(Reg.RSP) + 8, 8), "the RDMSR faulted");
        }
    }
}
