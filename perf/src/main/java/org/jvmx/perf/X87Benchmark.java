package org.jvmx.perf;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * x87 execution speed in the compile tier: a guest loop of the x87 instructions that
 * printf/strtod-style code runs (FLD/FMUL/FADD/FDIV with float64 memory operands, FILD,
 * FUCOMIP, FISTP, FSTP), 9 x87 and 2 integer instructions per iteration, 10,000 iterations:
 * <pre>
 *   mov rsi, 0x100000 ; mov ecx, 10000 ; fninit
 * 1: fld qword ptr [rsi] ; fmul qword ptr [rsi+8] ; fadd qword ptr [rsi+16] ; fdiv qword ptr [rsi+24]
 *    fild dword ptr [rsi+32] ; fucomip st, st(1) ; fld st(0) ; fistp dword ptr [rsi+40] ; fstp qword ptr [rsi]
 *    dec ecx ; jnz 1b
 *   hlt
 * </pre>
 * x = (x * 3.7 + 1.3) / 3.9 converges to 6.5 with an inexact result at every step. The
 * {@code x87Instructions} counter (ops/s) gives the x87 instruction rate; the average time per
 * invocation divided by 90,000 is the time per x87 instruction.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xss8m"})
public class X87Benchmark {
    static final byte[] LOOP = GuestKernels.hex("48c7c600001000 b910270000 dbe3 dd06 dc4e08 dc4610 dc7618 db4620 dfe9 d9c0"
            + "db5e28 dd1e ffc9 75e5 f4");
    static final int ITERATIONS = 10_000, X87_PER_ITERATION = 9;

    private PhysicalMemory ram;
    private Cpu cpu;
    private Engine engine;

    /** x87 instructions retired, reported by JMH as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long x87Instructions;

        @Setup(Level.Iteration)
        public void clear() {
            x87Instructions = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        ram = new PhysicalMemory();
        ram.addRam(0, 0x20_0000);
        for (int k = 0; k < LOOP.length; k++) ram.write(GuestKernels.CODE + k, 1, LOOP[k]);
        ram.write(GuestKernels.DATA + 8, 8, Double.doubleToRawLongBits(3.7));
        ram.write(GuestKernels.DATA + 16, 8, Double.doubleToRawLongBits(1.3));
        ram.write(GuestKernels.DATA + 24, 8, Double.doubleToRawLongBits(3.9));
        ram.write(GuestKernels.DATA + 32, 4, 3);
        cpu = Cpu.flat64(ram, false);
        engine = new Engine(cpu, Engine.Tier.COMPILE, new BytecodeJit());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        ram.close();
    }

    @Benchmark
    public double run(Counters counters) {
        ram.write(GuestKernels.DATA, 8, Double.doubleToRawLongBits(1.1));
        cpu.state.rip = GuestKernels.CODE;
        Exit e = engine.run(Long.MAX_VALUE);
        if (e.kind() != Exit.Kind.HALTED) throw new IllegalStateException("x87 loop: " + e + " at " + cpu.state.rip);
        double x = Double.longBitsToDouble(ram.read(GuestKernels.DATA, 8));
        long n = ram.read(GuestKernels.DATA + 40, 4);
        if (Math.abs(x - 6.5) > 1e-9 || n != 6 && n != 7) throw new IllegalStateException("x87 loop computed x=" + x + " n=" + n);
        counters.x87Instructions += (long) ITERATIONS * X87_PER_ITERATION;
        return x;
    }
}
