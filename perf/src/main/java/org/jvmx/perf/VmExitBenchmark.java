package org.jvmx.perf;

import java.util.concurrent.TimeUnit;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.exit.GuestStateSync;
import org.jvmx.vmx.exit.VmExitInfo;
import org.jvmx.vmx.exit.VmxSensitive;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.Vmcs;
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
 * A VM-exit round trip: the guest executes VMCALL (an unconditional exit, SDM 26.1.2), the exit
 * records its information and saves the guest state in the VMCS, the run loop returns it, the
 * monitor's handler answers the hypercall (RAX + 1) and advances the guest RIP by the
 * instruction length, the guest state is loaded back from the VMCS (as VMRESUME does) and the
 * guest runs on to its next VMCALL (guest code: {@code 1: vmcall; jmp 1b}). One operation is
 * one round trip.
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

    private PhysicalMemory ram;
    private Cpu cpu;
    private Engine engine;
    private Vmcs vmcs;

    @Setup(Level.Trial)
    public void setUp() {
        ram = new PhysicalMemory();
        ram.addRam(0, 0x20_0000);
        byte[] code = GuestKernels.hex("0f01c1 ebfb"); // 1: vmcall; jmp 1b
        for (int k = 0; k < code.length; k++) ram.write(GuestKernels.CODE + k, 1, code[k]);
        cpu = Cpu.flat64(ram, false);
        vmcs = new Vmcs(1);
        cpu.sensitive = new VmxSensitive(vmcs, ram);
        Engine.Tier t = Engine.Tier.valueOf(tier);
        engine = new Engine(cpu, t, t == Engine.Tier.INTERPRET ? null : new BytecodeJit());
        cpu.state.rip = GuestKernels.CODE;
        GuestStateSync.save(cpu.state, cpu.state.rip, vmcs);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        ram.close();
    }

    @Benchmark
    public long roundTrip() {
        GuestStateSync.load(vmcs, cpu.state); // VMRESUME: the guest state comes from the VMCS
        Exit e = engine.run(1_000);
        if (!(e.detail() instanceof VmExitInfo info) || info.reason() != ExitReason.VMCALL) {
            throw new IllegalStateException("expected a VMCALL exit, got " + e);
        }
        // The monitor's hypercall handler: answer in RAX, skip the VMCALL.
        cpu.gpr[CpuState.RAX] = info.hypercall() + 1;
        vmcs.write(VmcsFields.GUEST_RIP, vmcs.read(VmcsFields.GUEST_RIP) + info.instructionLength());
        return cpu.gpr[CpuState.RAX];
    }
}
