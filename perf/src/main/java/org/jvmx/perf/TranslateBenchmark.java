package org.jvmx.perf;

import java.util.concurrent.TimeUnit;
import org.jvmx.translator.exec.Block;
import org.jvmx.translator.exec.CodeCache;
import org.jvmx.translator.exec.CompiledCode;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.PhysicalMemory;
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
 * The cost of translation: decoding a block into the code cache (tier 1's only cost), and
 * compiling it to a hidden class (tier 2), for the inner block of the sort kernel
 * ({@link GuestKernels#SORT}, 5 instructions) and its whole first block.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TranslateBenchmark {
    private PhysicalMemory ram;
    private Cpu cpu;
    private Engine engine;
    private CodeCache cache;
    private final BytecodeJit jit = new BytecodeJit();

    @Setup(Level.Trial)
    public void setUp() {
        ram = new PhysicalMemory();
        ram.addRam(0, 0x20_0000);
        byte[] code = GuestKernels.SORT;
        for (int k = 0; k < code.length; k++) ram.write(GuestKernels.CODE + k, 1, code[k]);
        cpu = Cpu.flat64(ram, false);
        engine = new Engine(cpu, Engine.Tier.INTERPRET, null);
        cache = engine.cache();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        ram.close();
    }

    /** Decode the sort kernel's first block (from a cleared cache). */
    @Benchmark
    public Block decodeBlock() {
        cache.clear();
        return cache.lookup(GuestKernels.CODE);
    }

    /** Decode, then compile it to bytecode and define the class. */
    @Benchmark
    public CompiledCode decodeAndCompileBlock() {
        cache.clear();
        Block b = cache.lookup(GuestKernels.CODE);
        return jit.compile(b, cache, cpu.stats);
    }
}
