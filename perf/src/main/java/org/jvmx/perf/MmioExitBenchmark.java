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
 * An MMIO read round trip through the embedding API: the guest loads from an MMIO exit region
 * ({@link Vm#addMmioExit}); the access leaves its tier, the instruction is stepped, the read
 * becomes an EPT-violation exit (SDM Vol. 3C 28.2.1) that {@link Vcpu#run()} returns; the
 * monitor answers with {@link Vcpu#completeMmioRead}; the next {@code run()} replays the load
 * and the guest runs on to its next one (guest code: {@code 1: mov eax, [rbx]; jmp 1b}). One
 * operation is one round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MmioExitBenchmark {
    private static final long MMIO = 0x50_0000;

    @Param({"INTERPRET", "COMPILE"})
    public String tier;

    private Vm vm;
    private Vcpu cpu;
    private long value;

    @Setup(Level.Trial)
    public void setUp() {
        vm = Vm.create();
        vm.setTier(Engine.Tier.valueOf(tier));
        vm.addRam(0, 0x40_0000);
        vm.addMmioExit(MMIO, 0x1000);
        long cr3 = vm.identityMap(0x30_0000, 0x80_0000);
        vm.write(GuestKernels.CODE, GuestKernels.hex("8b03 ebfc")); // 1: mov eax, [rbx]; jmp 1b
        cpu = vm.createVcpu();
        cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
        cpu.vmwrite(VmcsFields.GUEST_RIP, GuestKernels.CODE);
        cpu.setReg(Reg.RBX, MMIO);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        vm.close();
    }

    @Benchmark
    public long roundTrip() {
        VmExit x = cpu.run();
        if (x.reason() != ExitReason.EPT_VIOLATION || !x.isRead()) {
            throw new IllegalStateException("expected an MMIO read exit, got " + x);
        }
        // The monitor's device model: answer the read.
        cpu.completeMmioRead(++value);
        return x.gpa();
    }
}
