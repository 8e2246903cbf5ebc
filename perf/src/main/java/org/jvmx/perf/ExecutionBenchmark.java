package org.jvmx.perf;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.PhysicalMemory;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Guest execution speed: each invocation runs one {@link GuestKernels} program to its HLT, in
 * the interpreter only (INTERPRET), with every block compiled before it first runs (COMPILE:
 * regions hold only blocks already seen, so mostly single blocks), or as in normal use (MIXED:
 * blocks interpreted until hot, then compiled in the background as regions of the blocks
 * around them). The {@code guestInstructions} counter, in ops/s, is guest instructions per
 * second; the primary score is kernel runs per second. Each run's result is checked against
 * the same computation in Java, so a fast wrong translation cannot score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xss8m"})
public class ExecutionBenchmark {
    @Param({"INT_LOOP", "CHECKSUM", "SORT"})
    public String kernel;

    @Param({"INTERPRET", "COMPILE", "MIXED"})
    public String tier;

    private PhysicalMemory ram;
    private Cpu cpu;
    private Engine engine;
    private byte[] code;
    private int[] sortInput, sorted;
    private long expectRax, expectRdx;

    /** Guest instructions retired, reported by JMH as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long guestInstructions;

        @Setup(Level.Iteration)
        public void clear() {
            guestInstructions = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        code = switch (kernel) {
            case "INT_LOOP" -> GuestKernels.INT_LOOP;
            case "CHECKSUM" -> GuestKernels.CHECKSUM;
            case "SORT" -> GuestKernels.SORT;
            default -> throw new IllegalArgumentException(kernel);
        };
        ram = new PhysicalMemory();
        ram.addRam(0, 0x20_0000);
        for (int k = 0; k < code.length; k++) ram.write(GuestKernels.CODE + k, 1, code[k]);
        Random rnd = new Random(42);
        for (int k = 0; k < GuestKernels.CHECKSUM_BYTES; k++) ram.write(GuestKernels.DATA + k, 1, rnd.nextInt());
        sortInput = rnd.ints(GuestKernels.SORT_ELEMENTS).toArray();
        sorted = sortInput.clone();
        java.util.Arrays.sort(sorted);
        expected();
        cpu = Cpu.flat64(ram, false);
        Engine.Tier t = Engine.Tier.valueOf(tier);
        engine = new Engine(cpu, t, t == Engine.Tier.INTERPRET ? null : new BytecodeJit());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        ram.close();
    }

    @Benchmark
    public long run(Counters counters) {
        if (kernel.equals("SORT")) {
            for (int k = 0; k < sortInput.length; k++) ram.write(GuestKernels.DATA + 4L * k, 4, sortInput[k]);
        }
        cpu.state.rip = GuestKernels.CODE;
        long before = cpu.stats.instructions();
        Exit e = engine.run(Long.MAX_VALUE);
        if (e.kind() != Exit.Kind.HALTED) throw new IllegalStateException(kernel + ": " + e + " at " + cpu.state.rip);
        check();
        counters.guestInstructions += cpu.stats.instructions() - before;
        return cpu.gpr[CpuState.RAX];
    }

    /** The results the kernels must produce, computed in Java. */
    private void expected() {
        if (kernel.equals("INT_LOOP")) {
            int eax = 0, edx = 1;
            for (int ecx = 1_000_000; ecx != 0; ecx--) {
                eax += edx;
                edx = edx * 3 + 7;
                eax ^= ecx;
                edx += eax;
            }
            expectRax = eax & 0xFFFF_FFFFL;
        } else if (kernel.equals("CHECKSUM")) {
            int a = 0, b = 0;
            for (int k = 0; k < GuestKernels.CHECKSUM_BYTES; k++) {
                a += (int) ram.read(GuestKernels.DATA + k, 1);
                b += a;
            }
            expectRax = a & 0xFFFF_FFFFL;
            expectRdx = b & 0xFFFF_FFFFL;
        }
    }

    private void check() {
        long[] g = cpu.gpr;
        switch (kernel) {
            case "INT_LOOP" -> expect(g[CpuState.RAX], expectRax);
            case "CHECKSUM" -> {
                expect(g[CpuState.RAX], expectRax);
                expect(g[CpuState.RDX], expectRdx);
            }
            default -> {
                for (int k = 0; k < sorted.length; k += 97) expect(ram.read(GuestKernels.DATA + 4L * k, 4), sorted[k] & 0xFFFF_FFFFL);
            }
        }
    }

    private void expect(long got, long want) {
        if (got != want) {
            throw new IllegalStateException(kernel + " in " + tier + " computed " + Long.toHexString(got) + ", expected "
                    + Long.toHexString(want));
        }
    }
}
