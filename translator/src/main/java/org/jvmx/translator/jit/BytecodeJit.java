package org.jvmx.translator.jit;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.jvmx.translator.exec.Block;
import org.jvmx.translator.exec.CodeCache;
import org.jvmx.translator.exec.CompiledCode;
import org.jvmx.translator.exec.ExecStats;
import org.jvmx.translator.exec.Jit;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Tier 2: compiles a hot block, with the region of blocks around it ({@link Region}), into
 * one hidden class ({@link RegionEmitter}). The class holds its blocks, instructions and
 * semantics as class data; nothing refers to it but {@link Block#code}, so it is unloaded
 * with the blocks (DESIGN.md, "Respect HotSpot's limits").
 *
 * <p>Size: HotSpot never compiles a method over 8,000 bytecode bytes ({@code HugeMethodLimit}).
 * The emitted size is measured; a region over {@link #METHOD_LIMIT} is cut to the blocks that
 * fit, and a single block that still does not fit is emitted without inlining.
 *
 * <p>With {@link #verify} (system property {@code jvmx.jit.verify}) every class is checked
 * by ASM's verifier before it is defined. For performance studies, {@code jvmx.jit.methodLimit}
 * and {@code jvmx.jit.maxBlocks} override the region bounds, and {@code jvmx.jit.dump=DIR}
 * writes every generated class there.
 */
public final class BytecodeJit implements Jit {
    /** Blocks per region at most. */
    public static final int MAX_BLOCKS = Integer.getInteger("jvmx.jit.maxBlocks", 32);
    /**
     * Target bytecode size of a region's method. Far below HugeMethodLimit (8,000) on purpose:
     * C2's time grows faster than the method (register allocation over every guest register
     * live across every call), and its inlining budget ({@code DesiredMethodLimit}, 8,000
     * bytes) counts the method's own bytecode, so in a big method the helpers of later
     * instructions stay calls. Measured on busybox gzip, bzip2, md5sum and sort (CPU time of
     * the whole run, see perf/RESULTS.md): 1,500 to 2,000 beat 3,000 and 6,000 by 10 to 35%.
     * A single block larger than this (unrolled code) gets {@link #BLOCK_LIMIT} instead of
     * losing its inline code.
     */
    public static final int METHOD_LIMIT = Integer.getInteger("jvmx.jit.methodLimit", 1500);
    /** The limit for a region of one block that does not fit in {@link #METHOD_LIMIT} (a long, unrolled block). */
    public static final int BLOCK_LIMIT = 6000;

    /** Verify every generated class with ASM's CheckClassAdapter (tests turn it on). */
    public static volatile boolean verify = Boolean.getBoolean("jvmx.jit.verify");

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final String CLASS_NAME = "org/jvmx/translator/jit/CompiledRegion";

    /** Largest method emitted so far (bytes of bytecode), for tests and statistics. */
    public volatile int largestMethod;
    /** Instructions emitted inline and through the generic path, over all compiles. */
    public volatile long inlinedInstructions, genericInstructions, fusedBranches, deadFlagSets;
    private final int maxBlocks;
    private final boolean inline;

    public BytecodeJit() {
        this(MAX_BLOCKS, true);
    }

    /** A JIT with regions of at most {@code maxBlocks} blocks, inlining or not (generic path only). */
    public BytecodeJit(int maxBlocks, boolean inline) {
        this.maxBlocks = Math.max(1, maxBlocks);
        this.inline = inline;
    }

    @Override
    public CompiledCode compile(Block block, CodeCache cache, ExecStats stats) {
        long t0 = System.nanoTime();
        Region region = Region.form(block, cache, maxBlocks);
        boolean inl = inline;
        RegionEmitter e;
        byte[] bytes;
        int limit = METHOD_LIMIT;
        while (true) {
            e = new RegionEmitter(region, inl);
            bytes = e.emit(CLASS_NAME, limit);
            if (bytes != null) break;
            if (region.size() > 1) {
                int fit = 0;
                // The prologue, exits and stubs take room too: keep the blocks that end well inside.
                while (fit < region.size() && e.blockEnd[fit] <= limit * 3 / 4) fit++;
                region = region.prefix(Math.min(fit, region.size() - 1));
            } else if (limit < BLOCK_LIMIT) {
                limit = BLOCK_LIMIT; // one long block (unrolled code): better big than not inlined
            } else if (inl) {
                inl = false;
            } else {
                return null; // cannot happen for a block of CodeCache.MAX_BLOCK instructions: stays interpreted
            }
        }
        if (verify) check(bytes);
        if (DUMP != null) dump(bytes, block);
        CompiledCode code;
        try {
            MethodHandles.Lookup l = LOOKUP.defineHiddenClassWithClassData(bytes, java.util.List.copyOf(e.data), true);
            code = (CompiledCode) l.findConstructor(l.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("JIT: cannot define the class of " + block, t);
        }
        if (e.codeSize > largestMethod) largestMethod = e.codeSize;
        inlinedInstructions += e.inlined;
        genericInstructions += e.generic;
        fusedBranches += e.fused;
        deadFlagSets += e.deadFlags;
        stats.blocksCompiled += region.size();
        stats.regionsCompiled++;
        stats.translateNanos += System.nanoTime() - t0;
        return code;
    }

    private static final String DUMP = System.getProperty("jvmx.jit.dump");

    /** Writes the class file to the directory of {@code jvmx.jit.dump} (inspection with javap). */
    private static void dump(byte[] bytes, Block block) {
        try {
            java.nio.file.Files.write(java.nio.file.Path.of(DUMP, String.format("region-%x.class", block.start)), bytes);
        } catch (java.io.IOException ignored) {
            // inspection only
        }
    }

    private static void check(byte[] bytes) {
        StringWriter out = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(bytes), BytecodeJit.class.getClassLoader(), false, new PrintWriter(out));
        if (!out.toString().isEmpty()) throw new IllegalStateException("JIT: generated class fails verification:\n" + out);
    }
}
