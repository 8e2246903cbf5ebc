package org.jvmx.translator.exec;

import org.jvmx.decoder.Instruction;

/**
 * A decoded basic block: straight-line instructions from {@link #start} up to and including
 * the first that may change the flow of control or the execution mode, at most
 * {@link CodeCache#MAX_BLOCK} instructions, never continuing past the end of the page it
 * starts in (one instruction may straddle it). Interpreted while cold; once hot, the JIT
 * installs {@link #code}. Invalidated when a guest write overlaps its bytes.
 */
public final class Block {
    /** Linear and guest-physical address of the first instruction. */
    public final long start, physicalStart;
    /** Linear address just past the last instruction. */
    public final long end;
    public final Instruction[] insns;
    public final Semantics[] semantics;
    /** {@code insns[k].nextIp()}, unboxed for the interpreter loop. */
    final long[] next;
    /** Physical pages holding the block's bytes (one, or two when the last instruction straddles). */
    final long[] pages;
    /** Physical byte ranges [from, to) of the block's bytes, one per page. */
    final long[] from, to;
    /** Executions counted while interpreted, for the hot threshold. */
    int hits;
    /** A compile of this block was asked for. */
    boolean queued;
    /** Translated code, once the JIT has installed it. */
    public volatile CompiledCode code;
    /** False once a write overlapped the block's bytes: it must not run again. */
    public volatile boolean valid = true;

    Block(long start, long physicalStart, Instruction[] insns, long[] pages, long[] from, long[] to) {
        this.start = start;
        this.physicalStart = physicalStart;
        this.insns = insns;
        this.semantics = new Semantics[insns.length];
        this.next = new long[insns.length];
        for (int k = 0; k < insns.length; k++) {
            semantics[k] = Isa.of(insns[k]);
            next[k] = insns[k].nextIp();
        }
        this.end = insns[insns.length - 1].nextIp();
        this.pages = pages;
        this.from = from;
        this.to = to;
    }

    public int size() {
        return insns.length;
    }

    /** Whether the block's bytes overlap physical [{@code pa}, {@code pa + size}). */
    boolean overlaps(long pa, int size) {
        for (int k = 0; k < from.length; k++) if (pa < to[k] && pa + size > from[k]) return true;
        return false;
    }

    @Override
    public String toString() {
        return String.format("block %#x..%#x (%d instructions)", start, end, insns.length);
    }
}
