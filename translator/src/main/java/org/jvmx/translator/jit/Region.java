package org.jvmx.translator.jit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jvmx.decoder.FlowKind;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.VirtClass;
import org.jvmx.translator.exec.Block;
import org.jvmx.translator.exec.CodeCache;

/**
 * The blocks compiled into one method (DESIGN.md, "Regions, not single blocks"): the hot
 * block, then breadth-first the blocks its direct successors start (fall-through, JMP/Jcc
 * targets, CALL targets) that are already decoded and valid, up to a bound. A jump between
 * two blocks of the region stays inside the method, so a loop is a loop for HotSpot.
 *
 * <p>A block whose last instruction is sensitive or invalid has no successors here: it may
 * change the mode or the mapping of code, so the region always leaves after it. Far
 * transfers (the other way CS.D / CS.L change) have no static target, so the region leaves
 * after them too; all blocks of a region are of one code size (64, 32 or 16 bits).
 */
final class Region {
    /** Blocks, the entry first, in breadth-first order (every prefix is connected). */
    final List<Block> blocks;
    private final Map<Long, Integer> index = new HashMap<>();

    private Region(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
        for (int k = 0; k < this.blocks.size(); k++) index.putIfAbsent(this.blocks.get(k).start, k);
    }

    /** Breadth-first from {@code entry}, at most {@code max} blocks. */
    static Region form(Block entry, CodeCache cache, int max) {
        List<Block> out = new ArrayList<>();
        Map<Long, Boolean> seen = new HashMap<>();
        ArrayDeque<Block> work = new ArrayDeque<>();
        work.add(entry);
        seen.put(entry.start, true);
        while (!work.isEmpty() && out.size() < max) {
            Block b = work.poll();
            out.add(b);
            for (long s : candidates(b)) {
                if (seen.containsKey(s)) continue;
                seen.put(s, true);
                Block n = cache.peek(s);
                // Never mix code sizes: the cache is cleared on a mode switch, but a background
                // compile may peek at it after blocks of the new mode have been decoded.
                if (n != null && n.insns[0].bitness() == entry.insns[0].bitness()) work.add(n);
            }
        }
        return new Region(out);
    }

    /** The first {@code n} blocks (still connected: the order is breadth-first). */
    Region prefix(int n) {
        return new Region(blocks.subList(0, Math.max(1, Math.min(n, blocks.size()))));
    }

    int size() {
        return blocks.size();
    }

    /** Index of the block of this region starting at {@code rip}, or -1. */
    int indexOf(long rip) {
        Integer k = index.get(rip);
        return k == null ? -1 : k;
    }

    /**
     * Blocks worth having in the region after {@code b}: its successors, and after a direct
     * CALL also the return site (a RET that comes back there stays in the method).
     */
    static long[] candidates(Block b) {
        long[] s = successors(b);
        Instruction last = b.insns[b.insns.length - 1];
        if (last.flowKind() != FlowKind.CALL || s.length == 0) return s;
        return new long[] {s[0], last.nextIp()};
    }

    /** Return sites of the direct CALLs in the region that are blocks of it (where a RET likely goes). */
    List<Long> returnSites() {
        List<Long> out = new ArrayList<>();
        for (Block b : blocks) {
            Instruction last = b.insns[b.insns.length - 1];
            if (last.flowKind() == FlowKind.CALL && successors(b).length > 0 && indexOf(last.nextIp()) >= 0
                    && !out.contains(last.nextIp())) {
                out.add(last.nextIp());
            }
        }
        return out;
    }

    /** Static successors of a block: where it may continue without leaving the region. */
    static long[] successors(Block b) {
        Instruction last = b.insns[b.insns.length - 1];
        if (last.isInvalid() || last.virtClass() != VirtClass.INNOCUOUS) return new long[0];
        FlowKind f = last.flowKind();
        return switch (f) {
            case NONE -> new long[] {b.end};
            case JUMP, CALL -> hasBranch(last) ? new long[] {last.branchTarget()} : new long[0];
            case CONDITIONAL_JUMP -> hasBranch(last) ? new long[] {last.branchTarget(), last.nextIp()} : new long[] {last.nextIp()};
            default -> new long[0];
        };
    }

    static boolean hasBranch(Instruction i) {
        for (int k = 0; k < i.operandCount(); k++) if (i.operandKind(k) == OperandKind.BRANCH) return true;
        return false;
    }
}
