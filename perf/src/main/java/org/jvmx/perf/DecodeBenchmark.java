package org.jvmx.perf;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.Formatter;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.monitor.loader.ElfFile;
import org.jvmx.monitor.loader.ElfSection;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoder throughput on real compiler output: the whole {@code .text} of libc (about 2 MB), decoded
 * start to end into one reused {@link Instruction}, operands included, invalid bytes skipped one at a
 * time (the linear sweep of {@code objdump -d}).
 *
 * <p>One operation is one sweep over the whole section. The {@code bytes} and {@code insns} auxiliary
 * counters are reported as rates: {@code bytes} in ops/s is bytes per second, so divide by 10^6
 * for MB/s. {@code decodeAndFormat} adds the Intel-syntax formatting of every instruction into one
 * reused StringBuilder (the cost of {@code jvmx disasm} minus the output).
 *
 * <pre>
 * java -jar perf/target/benchmarks.jar DecodeBenchmark
 * java -jar perf/target/benchmarks.jar DecodeBenchmark -p file=/bin/busybox -p section=.text
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC"})
public class DecodeBenchmark {
    @Param("/usr/lib/x86_64-linux-gnu/libc.so.6")
    public String file;

    @Param(".text")
    public String section;

    private final Decoder decoder = new Decoder();
    private byte[] code;
    private long base;

    /** Per-thread counters, reported by JMH as rates next to the primary result. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Bytes of code swept: its rate is the decode throughput in bytes/s. */
        public long bytes;
        /** Instructions decoded (valid ones). */
        public long insns;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
            insns = 0;
        }
    }

    @State(Scope.Thread)
    public static class Scratch {
        final Instruction insn = new Instruction();
        final StringBuilder sb = new StringBuilder(128);
    }

    @Setup(Level.Trial)
    public void load() throws Exception {
        ElfFile elf = ElfFile.read(Path.of(file));
        elf.requireX86_64();
        ElfSection s = elf.section(section).orElseThrow(() -> new IllegalArgumentException(file + ": no section " + section));
        code = elf.bytes(s);
        base = s.addr();
        System.out.printf("%n# %s %s: %d bytes (%.2f MB) at 0x%x%n", file, section, code.length, code.length / 1e6, base);
    }

    /**
     * Full decode of every instruction, every operand read back (kind, register, size, immediate or
     * branch target), as a consumer does: the decoder materialises some register operands only when
     * they are read, so reading them is part of the cost. Returns a checksum so that nothing is dead.
     */
    @Benchmark
    public long decode(Scratch s, Counters c) {
        Instruction in = s.insn;
        byte[] b = code;
        int pos = 0, limit = b.length, n = 0;
        long sum = 0;
        while (pos < limit) {
            int len = decoder.decode(b, pos, limit, base + pos, in);
            if (in.isInvalid()) {
                len = 1;
            } else {
                n++;
                sum += in.mnemonic().ordinal() + in.memDisplacement() + in.operandSize();
                for (int k = 0, ops = in.operandCount(); k < ops; k++) {
                    OperandKind kind = in.operandKind(k);
                    sum += kind.ordinal() + in.register(k).ordinal() + in.operandBits(k) + in.immediate(k);
                    if (kind == OperandKind.MEMORY) {
                        sum += in.memBase().ordinal() + in.memIndex().ordinal() + in.memScale() + in.memSegment().ordinal();
                    }
                }
            }
            pos += len;
        }
        c.bytes += limit;
        c.insns += n;
        return sum;
    }

    /**
     * Decode, reading back only what a block scanner needs (length, validity, mnemonic, flow kind):
     * the translator's first pass over guest code, and the cost of the decoder without operand reads.
     */
    @Benchmark
    public long decodeScan(Scratch s, Counters c) {
        Instruction in = s.insn;
        byte[] b = code;
        int pos = 0, limit = b.length, n = 0;
        long sum = 0;
        while (pos < limit) {
            int len = decoder.decode(b, pos, limit, base + pos, in);
            if (in.isInvalid()) {
                len = 1;
            } else {
                n++;
                sum += in.mnemonic().ordinal() + in.flowKind().ordinal();
            }
            pos += len;
        }
        c.bytes += limit;
        c.insns += n;
        return sum;
    }

    /** Decode plus Intel-syntax formatting of each instruction into one reused StringBuilder. */
    @Benchmark
    public long decodeAndFormat(Scratch s, Counters c) {
        Instruction in = s.insn;
        StringBuilder sb = s.sb;
        byte[] b = code;
        int pos = 0, limit = b.length, n = 0;
        long sum = 0;
        while (pos < limit) {
            int len = decoder.decode(b, pos, limit, base + pos, in);
            if (in.isInvalid()) len = 1;
            else n++;
            sb.setLength(0);
            Formatter.INTEL.format(in, sb);
            sum += sb.length();
            pos += len;
        }
        c.bytes += limit;
        c.insns += n;
        return sum;
    }
}
