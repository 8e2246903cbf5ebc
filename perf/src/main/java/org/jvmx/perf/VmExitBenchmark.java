package org.jvmx.perf;

import java.util.concurrent.TimeUnit;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A VM-exit round trip through the embedding API, as a monitor does it: the guest executes
 * VMCALL (an unconditional exit, SDM 26.1.2), the exit records its information in the VMCS and
 * {@link Vcpu#run()} returns it; the monitor's handler answers the hypercall (RAX + 1) and skips
 * the instruction; the next {@code run()} is a VMRESUME and the guest runs on to its next
 * VMCALL (guest code: {@code 1: vmcall; jmp 1b}). One operation is one round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VmExitBenchmark {
    @Param({"INTERPRET", "COMPILE"})
    public String tier;

    private Vm vm;
    private Vcpu cpu;

    @Setup(Level.Trial)
    public void setUp() {
        vm = Vm.create();
        vm.setTier(Engine.Tier.valueOf(tier));
        vm.addRam(0, 0x40_0000);
        long cr3 = vm.identityMap(0x30_0000, 0x40_0000);
        vm.write(GuestKernels.CODE, GuestKernels.hex("0f01c1 ebfb")); // 1: vmcall; jmp 1b
        cpu = vm.createVcpu();
        cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
        cpu.vmwrite(VmcsFields.GUEST_RIP, GuestKernels.CODE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        vm.close();
    }

    @Benchmark
    public long roundTrip() {
        VmExit x = cpu.run();
        if (x.reason() != ExitReason.VMCALL) throw new IllegalStateException("expected a VMCALL exit, got " + x);
        // The monitor's hypercall handler: answer in RAX, skip the VMCALL.
        cpu.setReg(Reg.RAX, x.hypercall() + 1);
        cpu.skipInstruction();
        return x.hypercall();
    }
}
