package org.jvmx.sched;

import static org.jvmx.sched.SchedGuests.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.Descriptors;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vCPU scheduler: slices, halts and wake-ups, migration between cores, the host-state check. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SchedulerTest {

    /** Finishes at the VMCALL of {@link SchedGuests#SUM}, checking RAX and the guest's stores. */
    static ExitHandler sumChecker(SchedGuests g, Map<Integer, Long> results) {
        return (v, x) -> {
            if (x.reason() != ExitReason.VMCALL) throw new AssertionError("vCPU " + v.id() + ": unexpected " + x);
            results.put(v.id(), v.reg(Reg.RAX));
            return false;
        };
    }

    @ParameterizedTest(name = "forced migration {0}")
    @ValueSource(booleans = {false, true})
    void moreVcpusThanWorkersAllFinishWithCorrectSums(boolean force) throws Exception {
        try (SchedGuests g = new SchedGuests();
                Scheduler s = new Scheduler(2, Scheduler.Options.defaults().withSliceNanos(50_000).withForceMigration(force))) {
            long code = g.code(0, SchedGuests.SUM);
            Map<Integer, Long> results = new ConcurrentHashMap<>();
            List<Vcpu> vcpus = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                Vcpu v = g.vcpu(code);
                v.setReg(Reg.RCX, 200_000 + 1000L * k);
                vcpus.add(v);
            }
            for (Vcpu v : vcpus) s.add(v, sumChecker(g, results));
            s.await();
            for (Vcpu v : vcpus) {
                long n = 200_000 + 1000L * v.id();
                assertEquals(sum(n), results.get(v.id()), "RAX of vCPU " + v.id());
                assertEquals(sum(n), g.vm.readValue(SchedGuests.data(v), 8), "the last store of vCPU " + v.id());
            }
            assertTrue(s.stats().timerExpiries() > 0, "slices ended by the VMX-preemption timer: " + s.stats());
            long migrations = 0, launches = 0;
            for (Vcpu v : vcpus) {
                migrations += v.migrations();
                launches += v.launches();
            }
            assertEquals(migrations, launches, "a VMLAUNCH after each migration, VMRESUME otherwise");
            if (force) assertEquals(s.stats().slices(), migrations, "every slice on another core than the last");
        }
    }

    @Test
    void haltedVcpuWakesOnInterruptAndNoWorkerSpins() throws Exception {
        try (SchedGuests g = new SchedGuests(); Scheduler s = new Scheduler(2, Scheduler.Options.defaults())) {
            g.gateToIret(0x40);
            Vcpu v = g.vcpu(g.code(0, SchedGuests.HALT_THEN_42));
            v.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202); // IF = 1
            // Interrupts go to the guest's IDT, not to the monitor.
            v.vmwrite(VmcsFields.PIN_BASED_VM_EXEC_CONTROL,
                    v.vmread(VmcsFields.PIN_BASED_VM_EXEC_CONTROL) & ~Controls.PIN_EXTERNAL_INTERRUPT_EXITING);
            AtomicLong hltExits = new AtomicLong();
            AtomicLong rax = new AtomicLong();
            s.add(v, (c, x) -> {
                if (x.reason() == ExitReason.HLT) { // the monitor emulates HLT: the vCPU halts (HLT activity)
                    hltExits.incrementAndGet();
                    c.emulateInstruction();
                    return true;
                }
                assertEquals(ExitReason.VMCALL, x.reason(), x.toString());
                rax.set(c.reg(Reg.RAX));
                return false;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.stats().halts() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(1, s.stats().halts(), "the vCPU halted and left the queue");
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = workerCpu(mx, s), parks0 = s.stats().parks(), slices0 = s.stats().slices();
            Thread.sleep(300);
            long cpuUsed = workerCpu(mx, s) - cpu0;
            assertTrue(cpuUsed < TimeUnit.MILLISECONDS.toNanos(30), "workers used " + cpuUsed / 1000 + " us of CPU while idle");
            assertTrue(s.stats().parks() - parks0 <= 2, "workers park, they do not poll: " + s.stats());
            assertEquals(slices0, s.stats().slices(), "a halted vCPU is not run");
            assertEquals(0, rax.get());
            v.interrupt(0x40);
            assertTrue(s.await(10, TimeUnit.SECONDS));
            assertEquals(42, rax.get());
            assertEquals(1, hltExits.get());
            assertEquals(1, s.stats().wakeups());
        }
    }

    /** Events racing with the halt decision of the worker: no wake-up is lost. */
    @Test
    void everyInterruptWakesTheHaltedVcpuEvenWhenRacingTheHalt() throws Exception {
        int rounds = 2_000;
        try (SchedGuests g = new SchedGuests(); Scheduler s = new Scheduler(2, Scheduler.Options.defaults())) {
            g.gateToIret(0x40);
            Vcpu v = g.vcpu(g.code(0, "f4 0f01c1 ebfa")); // 1: hlt; vmcall; jmp 1b
            v.vmwrite(VmcsFields.GUEST_RFLAGS, 0x202);
            v.vmwrite(VmcsFields.PIN_BASED_VM_EXEC_CONTROL,
                    v.vmread(VmcsFields.PIN_BASED_VM_EXEC_CONTROL) & ~Controls.PIN_EXTERNAL_INTERRUPT_EXITING);
            v.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                    v.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) & ~Controls.PROC_HLT_EXITING);
            AtomicLong calls = new AtomicLong();
            s.add(v, (c, x) -> {
                assertEquals(ExitReason.VMCALL, x.reason(), x.toString());
                c.skipInstruction();
                return calls.incrementAndGet() < rounds;
            });
            for (int k = 1; k <= rounds; k++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (s.stats().halts() < k) { // the worker counted the halt; it may not have parked the vCPU yet
                    if (System.nanoTime() > deadline) throw new AssertionError("round " + k + ": " + s.stats());
                    Thread.yield();
                }
                v.interrupt(0x40);
            }
            assertTrue(s.await(20, TimeUnit.SECONDS), "lost wake-up: " + calls.get() + " calls, " + s.stats());
            assertEquals(rounds, calls.get());
        }
    }

    private static long workerCpu(ThreadMXBean mx, Scheduler s) {
        long t = 0;
        for (Thread w : s.threads()) t += mx.getThreadCpuTime(w.threadId());
        return t;
    }

    @Test
    void forcedMigrationStressKeepsGuestStateAndHostState() throws Exception {
        int perVcpu = 2_000, n = 4;
        try (SchedGuests g = new SchedGuests();
                Scheduler s = new Scheduler(2, Scheduler.Options.defaults().withForceMigration(true).withSliceNanos(20_000))) {
            long code = g.code(0, SchedGuests.SUM_CALLING);
            List<Vcpu> vcpus = new ArrayList<>();
            Map<Integer, Long> expectRcx = new ConcurrentHashMap<>();
            Map<Integer, Long> results = new ConcurrentHashMap<>();
            for (int k = 0; k < n; k++) {
                Vcpu v = g.vcpu(code);
                v.setReg(Reg.RCX, perVcpu);
                expectRcx.put(v.id(), (long) perVcpu);
                vcpus.add(v);
            }
            for (Vcpu v : vcpus) {
                s.add(v, (c, x) -> {
                    if (x.reason() == ExitReason.VMCALL) {
                        // The guest's registers and memory survived every move so far.
                        long rcx = c.reg(Reg.RCX), e = expectRcx.get(c.id());
                        if (rcx != e) throw new AssertionError("vCPU " + c.id() + ": RCX " + rcx + ", expected " + e);
                        long partial = sum(perVcpu) - sum(rcx - 1);
                        if (c.reg(Reg.RAX) != partial || g.vm.readValue(SchedGuests.data(c), 8) != partial)
                            throw new AssertionError("vCPU " + c.id() + ": RAX " + c.reg(Reg.RAX) + ", expected " + partial);
                        expectRcx.put(c.id(), rcx - 1);
                        c.skipInstruction();
                        return true;
                    }
                    assertEquals(ExitReason.HLT, x.reason(), x.toString());
                    results.put(c.id(), c.reg(Reg.RAX));
                    return false;
                });
            }
            s.await();
            long migrations = 0, launches = 0, resumes = 0;
            for (Vcpu v : vcpus) {
                assertEquals(sum(perVcpu), results.get(v.id()));
                assertEquals(0, v.reg(Reg.RCX));
                migrations += v.migrations();
                launches += v.launches();
                resumes += v.resumes();
            }
            System.out.println("forced migration: " + migrations + " migrations, " + launches + " VMLAUNCH, " + s.stats());
            assertTrue(migrations >= 5_000, "migrations: " + migrations);
            // Every run is on another core than the last (the first leaves the private core): all VMLAUNCH.
            assertEquals(migrations, launches, "one VMLAUNCH per migration");
            assertEquals(0, resumes, "never VMRESUME after a move");
            assertTrue(s.stats().slices() >= migrations);
        }
    }

    @Test
    void skippedHostRefreshIsAFatalHostStateCorruption() throws Exception {
        try (SchedGuests g = new SchedGuests();
                Scheduler s = new Scheduler(1, Scheduler.Options.defaults().withFaultSkipHostRefresh(true))) {
            Vcpu v = g.vcpu(g.code(0, SchedGuests.SUM));
            v.setReg(Reg.RCX, 1000);
            s.add(v, (c, x) -> false);
            HostStateCorruption e = assertThrows(HostStateCorruption.class, s::await);
            String m = e.getMessage();
            Core core = s.cores().get(0);
            assertTrue(m.contains("core " + core.id()) && m.contains("vCPU " + v.id()), m);
            assertTrue(m.contains("HOST_TR_BASE expected 0x" + Long.toHexString(core.tssBase())), m);
            assertTrue(m.contains("HOST_GDTR_BASE expected 0x" + Long.toHexString(core.gdtBase())), m);
        }
    }

    /** Closing the scheduler VMCLEARs what its cores hold: the vCPU runs on in its embedder's hands (VMLAUNCH). */
    /**
     * One worker, two vCPUs: the first one's handler waits in the monitor (as a futex wait does)
     * until the second one's guest code has run and exited. Without a spare worker taking over
     * while the only worker waits, that never happens.
     */
    @Test
    void aWorkerWaitingInTheMonitorIsReplacedByASpare() throws Exception {
        try (SchedGuests g = new SchedGuests(); Scheduler s = new Scheduler(1, Scheduler.Options.defaults())) {
            long code = g.code(0, SchedGuests.SUM_CALLING);
            Vcpu waiter = g.vcpu(code), waker = g.vcpu(code);
            waiter.setReg(Reg.RCX, 1);
            waker.setReg(Reg.RCX, 3);
            java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
            AtomicLong waited = new AtomicLong();
            s.add(waiter, (c, x) -> {
                if (x.reason() == ExitReason.VMCALL) {
                    waited.set(Scheduler.blocking(() -> {
                        try {
                            return released.await(20, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
                        } catch (InterruptedException e) {
                            return -1;
                        }
                    }));
                    c.skipInstruction();
                    return true;
                }
                return false;
            });
            s.add(waker, (c, x) -> {
                if (x.reason() == ExitReason.VMCALL) {
                    c.skipInstruction();
                    return true;
                }
                released.countDown(); // HLT: the sum is done
                return false;
            });
            assertTrue(s.await(30, java.util.concurrent.TimeUnit.SECONDS), "both vCPUs finished");
            assertEquals(1, waited.get(), "the waiter was released by the other vCPU, not by the timeout");
            assertTrue(s.sparesStarted() >= 1, "a spare worker ran the other vCPU");
            assertTrue(s.threads().size() <= 2, "one spare at most: " + s.threads());
        }
    }

    @Test
    void vcpuRunsOnAfterTheSchedulerClosed() throws Exception {
        try (SchedGuests g = new SchedGuests()) {
            Vcpu v = g.vcpu(g.code(0, SchedGuests.SUM_CALLING));
            v.setReg(Reg.RCX, 10);
            try (Scheduler s = new Scheduler(2, Scheduler.Options.defaults())) {
                s.add(v, (c, x) -> false);
                s.await();
            }
            long launches = v.launches();
            assertEquals(10, v.reg(Reg.RCX));
            v.skipInstruction();
            assertEquals(ExitReason.VMCALL, v.run().reason());
            assertEquals(9, v.reg(Reg.RCX));
            assertEquals(launches + 1, v.launches());
        }
    }

    @Test
    void handlerExceptionStopsTheSchedulerAndIsRethrown() throws Exception {
        try (SchedGuests g = new SchedGuests(); Scheduler s = new Scheduler(2, Scheduler.Options.defaults())) {
            Vcpu v = g.vcpu(g.code(0, SchedGuests.SUM));
            v.setReg(Reg.RCX, 10);
            s.add(v, (c, x) -> {
                throw new IllegalStateException("monitor bug");
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, s::await);
            assertEquals("monitor bug", e.getMessage());
        }
    }

    /** VMLAUNCH after every move between cores, VMRESUME on the same core; counted by the vCPU. */
    @Test
    void launchAfterMigrationResumeOtherwise() {
        try (SchedGuests g = new SchedGuests()) {
            Vcpu v = g.vcpu(g.code(0, SchedGuests.SUM_CALLING));
            v.setReg(Reg.RCX, 100);
            Core a = Core.create(), b = Core.create();
            try {
                VmExit x = v.run(a);
                assertEquals(ExitReason.VMCALL, x.reason());
                assertEquals(1, v.launches());
                assertEquals(0, v.resumes());
                for (int k = 0; k < 3; k++) {
                    v.skipInstruction();
                    v.run(a);
                }
                assertEquals(1, v.launches());
                assertEquals(3, v.resumes());
                v.skipInstruction();
                v.run(b); // migration: VMCLEAR on a, VMPTRLD on b, host state of b, VMLAUNCH
                assertEquals(2, v.launches());
                assertEquals(3, v.resumes());
                assertEquals(b.tssBase(), v.vmread(VmcsFields.HOST_TR_BASE));
                assertEquals(b.gdtBase(), v.vmread(VmcsFields.HOST_GDTR_BASE));
                v.skipInstruction();
                v.run(b);
                assertEquals(4, v.resumes());
                // Another vCPU runs on b meanwhile: VMPTRLD switches back, still VMRESUME.
                Vcpu w = g.vcpu(g.code(1, SchedGuests.SUM_CALLING));
                w.setReg(Reg.RCX, 5);
                w.run(b);
                v.skipInstruction();
                v.run(b);
                assertEquals(2, v.launches());
                assertEquals(5, v.resumes());
                v.skipInstruction();
                v.run(); // back on its private core: a migration again
                assertEquals(3, v.launches());
                assertEquals(3, v.migrations());
                assertEquals(100 - 7, v.reg(Reg.RCX), "eight VMCALLs, each after the first one decrement later");
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void coresHaveDistinctHostStateAndTheTssDescriptorDecodesToTheFullBase() {
        Core a = Core.create(), b = Core.create();
        try {
            assertTrue(a.gdtBase() != b.gdtBase() && a.tssBase() != b.tssBase());
            for (Core c : List.of(a, b)) {
                assertEquals(0x80, (int) (c.tssBase() >>> 24) & 0xFF, "base 31:24 >= 0x80: the sign-extension trap");
                assertEquals(c.tssBase(), c.decodedTrBase(Core.HOST_TR));
            }
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * The bug this project was born from: HOST_TR_BASE stitched from the TSS descriptor with an
     * {@code int} shift of base 31:24 (0x80 here) sign-extends into bits 63:32; the exit check
     * names it.
     */
    @Test
    void signExtendedTssBaseIsCaughtAtTheExit() {
        Core c = Core.create();
        try {
            Vmcs vmcs = new Vmcs(Vm.VMCS_REVISION);
            c.writeHostState(vmcs::write);
            c.verifyHostState(vmcs, 7, "test exit"); // the real path: no complaint
            Descriptors.Wide d = new Descriptors.SystemSegment(c.tssBase(), 0x67, Descriptors.TYPE_TSS_BUSY, 0, true, false,
                    false).encode();
            long broken = (d.low() >>> 16 & 0xFFFF) | (d.low() >>> 32 & 0xFF) << 16 | (int) (d.low() >>> 56 & 0xFF) << 24
                    | (d.high() & 0xFFFF_FFFFL) << 32; // the narrow signed shift
            assertTrue(broken != c.tssBase(), "the int shift smears ones over bits 63:32");
            vmcs.write(VmcsFields.HOST_TR_BASE, broken);
            HostStateCorruption e = assertThrows(HostStateCorruption.class, () -> c.verifyHostState(vmcs, 7, "test exit"));
            assertTrue(e.getMessage().contains("vCPU 7") && e.getMessage().contains("HOST_TR_BASE expected 0x"
                    + Long.toHexString(c.tssBase()) + " found 0x" + Long.toHexString(broken)), e.getMessage());
        } finally {
            c.close();
        }
    }

    @Test
    void haltReturnsOnlyWhenAsked() {
        try (SchedGuests g = new SchedGuests()) {
            Vcpu v = g.vcpu(g.code(0, "f4 f4"));
            v.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                    v.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) & ~Controls.PROC_HLT_EXITING);
            v.setHaltReturns(true);
            assertNull(v.run(), "halted, nothing pending: back to the caller");
            assertNull(v.run());
            v.kick();
            assertEquals(ExitReason.EXTERNAL_INTERRUPT, v.run().reason());
        }
    }
}
