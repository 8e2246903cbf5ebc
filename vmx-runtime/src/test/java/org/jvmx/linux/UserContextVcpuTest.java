package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HexFormat;
import org.jvmx.linux.signal.FaultSignals;
import org.jvmx.linux.signal.SignalTable;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.junit.jupiter.api.Test;

/**
 * A signal delivered on a real vCPU: #UD exits to the monitor, the SIGILL handler runs in the
 * guest, edits the saved RIP to skip the instruction, returns through its restorer (VMCALL
 * standing for the rt_sigreturn system call), and the interrupted code resumes with every
 * register and the SSE state restored.
 */
class UserContextVcpuTest {
    static final long CODE = 0x10000, HANDLER = 0x11000, RESTORER = 0x12000, DATA = 0x13000;

    @Test
    void sigillHandlerSkipsTheInstructionAndSigreturnRestoresTheVcpu() {
        try (Vm vm = Vm.create()) {
            vm.addRam(0, 2 << 20);
            long cr3 = vm.identityMap(0x1000, 2 << 20);
            HexFormat h = HexFormat.of();
            vm.write(CODE, h.parseHex("0f0b" + "66480f7ec1" + "f4"));          // ud2; movq rcx, xmm0; hlt
            vm.write(HANDLER, h.parseHex("488382a800000002" + "c3"));        // add qword [rdx+168], 2; ret
            vm.write(RESTORER, h.parseHex("b80f000000" + "0f01c1"));         // mov eax, 15; vmcall
            Vcpu cpu = vm.createVcpu();
            cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
            cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
            cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 1 << FaultSignals.UD);
            long rsp = 0x1F_F000 - 0x38;
            cpu.setReg(Reg.RSP, rsp);
            for (Reg r : Reg.values()) if (r != Reg.RSP) cpu.setReg(r, 0x0101_0101_0000_0000L * (r.number() + 1));
            cpu.cpu().state.xmm[0] = 0x1122_3344_5566_7788L;
            cpu.cpu().state.xmm[3] = 0xCAFE_F00DL;

            UserMemory mem = new UserMemory() {
                @Override
                public void read(long va, byte[] dst, int off, int len) {
                    System.arraycopy(vm.read(va, len), 0, dst, off, len);
                }

                @Override
                public void write(long va, byte[] src, int off, int len) {
                    vm.write(va, java.util.Arrays.copyOfRange(src, off, off + len));
                }
            };
            UserContext ctx = new UserContextVcpu(cpu, UserContextVcpu.Mode.TRAP);
            ByteArrayOutputStream diag = new ByteArrayOutputStream();
            LinuxSignals sig = new LinuxSignals(mem, () -> ctx, 1000, 0, new PrintStream(diag));
            SyscallTable t = new SyscallTable();
            sig.install(t);
            vm.write(DATA, java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(HANDLER)
                    .putLong(LinuxSignals.SA_SIGINFO | LinuxSignals.SA_RESTORER).putLong(RESTORER).putLong(0).array());
            assertEquals(0, t.call(13, SignalTable.SIGILL, DATA, 0, 8, 0, 0));

            VmExit x = cpu.run();
            assertEquals(ExitReason.EXCEPTION_OR_NMI, x.reason(), x.toString());
            assertEquals(FaultSignals.UD, x.vector());
            assertEquals(LinuxSignals.CONTINUE, sig.deliverException(ctx, x.vector(), 0, 0));

            x = cpu.run();
            assertEquals(ExitReason.VMCALL, x.reason(), x.toString());
            long frame = cpu.reg(Reg.RSP) - 8;
            assertEquals(8, frame & 15);
            assertEquals(SignalTable.SIGILL, cpu.reg(Reg.RDI));
            assertEquals(frame + 312, cpu.reg(Reg.RSI));
            assertEquals(CODE, mem.readLong(frame + 312 + 16), "si_addr");
            assertEquals(CODE + 2, mem.readLong(frame + 8 + 40 + 128), "the handler moved the saved RIP");
            assertEquals(0, cpu.cpu().state.xmm[0], "the handler started with a clean FPU");

            cpu.setReg(Reg.RAX, t.call(15, 0, 0, 0, 0, 0, 0));
            x = cpu.run();
            assertEquals(ExitReason.HLT, x.reason(), x.toString());
            assertEquals(0x1122_3344_5566_7788L, cpu.reg(Reg.RCX));
            assertEquals(0xCAFE_F00DL, cpu.cpu().state.xmm[3]);
            assertEquals(rsp, cpu.reg(Reg.RSP));
            for (Reg r : Reg.values()) {
                if (r != Reg.RSP && r != Reg.RCX) assertEquals(0x0101_0101_0000_0000L * (r.number() + 1), cpu.reg(r), r.name());
            }
            assertEquals(0, sig.blocked());
        }
    }

    @Test
    void inASystemCallRipAndRflagsAreRcxAndR11() {
        try (Vm vm = Vm.create()) {
            vm.addRam(0, 2 << 20);
            Vcpu cpu = vm.createVcpu();
            cpu.setReg(Reg.RCX, 0x401234);
            cpu.setReg(Reg.R11, 0x246);
            UserContext ctx = new UserContextVcpu(cpu, UserContextVcpu.Mode.SYSCALL);
            assertEquals(0x401234, ctx.rip());
            assertEquals(0x246, ctx.rflags());
            ctx.setRip(0x405000);
            ctx.setRflags(0x3_0000_0000L | 0x10000 | 0x400 | 0x1); // junk high bits dropped, IF kept on
            ctx.setReg(Reg.RCX, 7);                                 // ignored: RCX is the return RIP
            assertEquals(0x405000, cpu.reg(Reg.RCX));
            assertEquals(0x10000 | 0x400 | 0x1 | 0x202, cpu.reg(Reg.R11));
            byte[] fx = ctx.fxsave();
            fx[160] = 0x5A;
            ctx.fxrstor(fx);
            assertEquals(0x5A, cpu.cpu().state.xmm[0]);
            assertEquals(0x1F80, cpu.cpu().state.mxcsr);
        }
    }

    /** A guest that enters user mode through SYSRET with a SYSCALL stub (VMCALL; SYSRETQ) at 0x11000. */
    private static final class SyscallGuest implements AutoCloseable {
        final Vm vm = Vm.create();
        final Vcpu cpu;
        final UserMemory mem;
        final long rsp = 0x1F_F000 - 0x38;
        UserContext current;
        final LinuxSignals sig;
        final SyscallTable t = new SyscallTable();
        int syscalls, exactReturns;

        /** Whether the signals group drives the vCPU itself (Vcpu constructor, finishSyscall, FaultSink). */
        final boolean driven;

        SyscallGuest(String userHex, String handlerHex, long flags) {
            this(userHex, handlerHex, flags, false);
        }

        SyscallGuest(String userHex, String handlerHex, long flags, boolean driven) {
            this.driven = driven;
            vm.addRam(0, 2 << 20);
            long cr3 = vm.identityMap(0x1000, 2 << 20);
            HexFormat h = HexFormat.of();
            long gdt = 0x8000;
            vm.writeValue(gdt + 8, 8, 0x00AF_9A00_0000_FFFFL);  // 0x08 kernel code
            vm.writeValue(gdt + 16, 8, 0x00CF_9200_0000_FFFFL); // 0x10 kernel data
            vm.writeValue(gdt + 40, 8, 0x00CF_F200_0000_FFFFL); // 0x2b user data
            vm.writeValue(gdt + 48, 8, 0x00AF_FA00_0000_FFFFL); // 0x33 user code
            vm.write(CODE, h.parseHex("b9800000c0" + "0f32" + "83c801" + "0f30"   // EFER.SCE
                    + "b9810000c0" + "31c0" + "ba08002000" + "0f30"                  // STAR
                    + "b9820000c0" + "b800100100" + "31d2" + "0f30"                  // LSTAR = 0x11000
                    + "b900200100" + "41bb02020000" + "480f07"));                    // sysretq to 0x12000
            vm.write(0x11000, h.parseHex("0f01c1" + "480f07"));                      // stub: vmcall; sysretq
            vm.write(0x12000, h.parseHex(userHex));
            vm.write(0x13000, h.parseHex(handlerHex));
            vm.write(0x13100, h.parseHex("b80f000000" + "0f05"));                    // restorer: rt_sigreturn
            vm.write(0x14100, java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(0x13000).putLong(flags).putLong(0x13100).putLong(0).array());
            cpu = vm.createVcpu();
            cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
            cpu.vmwrite(VmcsFields.GUEST_GDTR_BASE, gdt);
            cpu.vmwrite(VmcsFields.GUEST_GDTR_LIMIT, 0x3F);
            cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
            cpu.vmwrite(VmcsFields.EXCEPTION_BITMAP, 1 << FaultSignals.UD);
            cpu.setReg(Reg.RSP, rsp);
            mem = new UserMemory() {
                @Override
                public void read(long va, byte[] dst, int off, int len) {
                    System.arraycopy(vm.read(va, len), 0, dst, off, len);
                }

                @Override
                public void write(long va, byte[] src, int off, int len) {
                    vm.write(va, java.util.Arrays.copyOfRange(src, off, off + len));
                }
            };
            sig = driven ? new LinuxSignals(mem, cpu, 1000, 0, null)
                    : new LinuxSignals(mem, () -> current, 1000, 0, new PrintStream(new ByteArrayOutputStream()));
            sig.install(t);
        }

        /** Runs until an exit other than MSR accesses and system calls (those are served as a run loop would). */
        VmExit run() {
            while (true) {
                VmExit x = cpu.run();
                if (x.reason() == ExitReason.RDMSR || x.reason() == ExitReason.WRMSR) {
                    cpu.emulateInstruction();
                } else if (x.reason() == ExitReason.VMCALL) {
                    syscalls++;
                    if (driven) {
                        long r = t.call((int) cpu.reg(Reg.RAX), cpu.reg(Reg.RDI), cpu.reg(Reg.RSI), cpu.reg(Reg.RDX),
                                cpu.reg(Reg.R10), cpu.reg(Reg.R8), cpu.reg(Reg.R9));
                        assertEquals(LinuxSignals.CONTINUE, sig.finishSyscall(r));
                        continue;
                    }
                    UserContextVcpu ctx = new UserContextVcpu(cpu, UserContextVcpu.Mode.SYSCALL);
                    current = ctx;
                    long r = t.call((int) cpu.reg(Reg.RAX), cpu.reg(Reg.RDI), cpu.reg(Reg.RSI), cpu.reg(Reg.RDX),
                            cpu.reg(Reg.R10), cpu.reg(Reg.R8), cpu.reg(Reg.R9));
                    cpu.setReg(Reg.RAX, r);
                    assertEquals(LinuxSignals.CONTINUE, sig.deliverPending(ctx));
                    if (ctx.needsExactReturn()) {
                        exactReturns++;
                        ctx.returnToUser();
                    } else {
                        cpu.skipInstruction();
                    }
                } else {
                    return x;
                }
            }
        }

        @Override
        public void close() {
            vm.close();
        }
    }

    /** rt_sigaction(SIGUSR1 or SIGILL = {@code sig}, 0x14100, NULL, 8): 25 bytes. */
    private static String sigaction(int sig) {
        return "b80d000000" + String.format("bf%02x000000", sig) + "be00410100" + "31d2" + "41ba08000000" + "0f05";
    }

    /**
     * The whole system-call path at CPL 3: SYSCALL enters the stub, the "monitor" serves
     * rt_sigaction and kill, delivers SIGUSR1 after kill, the handler runs in user mode and
     * returns through its restorer's rt_sigreturn, and the program continues after its kill with
     * its registers intact.
     */
    @Test
    void signalDeliveredAfterASystemCallRunsTheHandlerAndReturns() {
        String user = sigaction(SignalTable.SIGUSR1)
                + "49bf8877665544332211"                                          // mov r15, 0x1122334455667788
                + "b83e000000" + "bfe8030000" + "be0a000000" + "0f05"             // kill(1000, SIGUSR1)
                + "0f0b";                                                         // ud2: the end
        // handler: mov [0x14000], rdi; mov [0x14008], rsp; mov r15, 0; ret
        try (SyscallGuest g = new SyscallGuest(user, "48893c2500400100" + "4889242508400100" + "49c7c700000000" + "c3",
                LinuxSignals.SA_SIGINFO | LinuxSignals.SA_RESTORER)) {
            VmExit x = g.run();
            assertEquals(ExitReason.EXCEPTION_OR_NMI, x.reason(), x.toString());
            assertEquals(3, g.syscalls);
            assertEquals(0, g.exactReturns);
            assertEquals(0x12000 + 25 + 10 + 17, x.guestRip(), "at the ud2 after kill");
            assertEquals(0x33, g.cpu.vmread(VmcsFields.GUEST_CS_SELECTOR) & 0xFFFF);
            assertEquals(SignalTable.SIGUSR1, g.vm.readValue(0x14000, 8));
            assertEquals(8, g.vm.readValue(0x14008, 8) & 15);
            assertEquals(0x1122_3344_5566_7788L, g.cpu.reg(Reg.R15));
            assertEquals(0, g.cpu.reg(Reg.RAX), "kill's result");
            assertEquals(g.rsp, g.cpu.reg(Reg.RSP));
            assertEquals(0, g.sig.blocked());
        }
    }

    /**
     * A fault's handler returns with rt_sigreturn: SYSRET could not restore RCX and R11 of the
     * interrupted code, so the monitor returns to user mode itself, and they come back intact.
     */
    @Test
    void sigreturnAfterAFaultRestoresRcxAndR11() {
        String user = sigaction(SignalTable.SIGILL)
                + "b9aaaa0000" + "41bbbbbb0000"                                   // mov ecx, 0xAAAA; mov r11d, 0xBBBB
                + "0f0b" + "0f0b";                                                // ud2 (skipped by the handler); ud2
        try (SyscallGuest g = new SyscallGuest(user, "488382a800000002" + "c3",  // add qword [rdx+168], 2; ret
                LinuxSignals.SA_SIGINFO | LinuxSignals.SA_RESTORER)) {
            VmExit x = g.run();
            assertEquals(ExitReason.EXCEPTION_OR_NMI, x.reason(), x.toString());
            assertEquals(0x12000 + 36, x.guestRip());
            assertEquals(0xAAAA, g.cpu.reg(Reg.RCX), "SYSCALL clobbered it: the first ud2 sees the program's value");
            UserContext trap = new UserContextVcpu(g.cpu, UserContextVcpu.Mode.TRAP);
            assertEquals(LinuxSignals.CONTINUE, g.sig.deliverException(trap, x.vector(), 0, 0));
            x = g.run();
            assertEquals(ExitReason.EXCEPTION_OR_NMI, x.reason(), x.toString());
            assertEquals(0x12000 + 38, x.guestRip(), "the handler skipped the first ud2");
            assertEquals(1, g.exactReturns);
            assertEquals(0xAAAA, g.cpu.reg(Reg.RCX));
            assertEquals(0xBBBB, g.cpu.reg(Reg.R11));
            assertEquals(0x33, g.cpu.vmread(VmcsFields.GUEST_CS_SELECTOR) & 0xFFFF);
            assertEquals(0x2B, g.cpu.vmread(VmcsFields.GUEST_SS_SELECTOR) & 0xFFFF);
            assertEquals(g.rsp, g.cpu.reg(Reg.RSP));
        }
    }

    /** The same with the group driving the vCPU: finishSyscall after each call, faults through FaultSink. */
    @Test
    void theVcpuConstructorServesSyscallsAndFaultsItself() {
        String user = sigaction(SignalTable.SIGILL)
                + "b9aaaa0000" + "41bbbbbb0000" + "0f0b" + "0f0b";
        try (SyscallGuest g = new SyscallGuest(user, "488382a800000002" + "c3",
                LinuxSignals.SA_SIGINFO | LinuxSignals.SA_RESTORER, true)) {
            VmExit x = g.run();
            assertEquals(0x12000 + 36, x.guestRip());
            assertEquals(true, g.sig.deliver(new FaultSink.Fault(SignalTable.SIGILL, 2, x.guestRip(), 6, 0, x.guestRip())));
            x = g.run();
            assertEquals(0x12000 + 38, x.guestRip());
            assertEquals(0xAAAA, g.cpu.reg(Reg.RCX));
            assertEquals(0xBBBB, g.cpu.reg(Reg.R11));
            assertEquals(2, g.syscalls);
            // the second ud2 while SIGILL is not blocked but the handler is reset: the process dies (false)
            g.mem.write(0x14100, new byte[32]);
            assertEquals(0, g.t.call(13, SignalTable.SIGILL, 0x14100, 0, 8, 0, 0));
            assertEquals(false, g.sig.deliver(new FaultSink.Fault(SignalTable.SIGILL, 2, x.guestRip(), 6, 0, x.guestRip())));
        }
    }
}
