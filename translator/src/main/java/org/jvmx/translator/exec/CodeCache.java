package org.jvmx.translator.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.FlowKind;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.InvalidReason;
import org.jvmx.decoder.VirtClass;
import org.jvmx.translator.mem.CodePages;
import org.jvmx.translator.mem.GuestFault;

/**
 * Decoded blocks of one address space, found by linear start address and checked against the
 * guest-physical page the TLB maps it to now (so a changed mapping never runs stale code).
 * The pages holding decoded code are marked in {@link CodePages}; a guest write into one
 * invalidates exactly the blocks whose bytes it overlaps (self-modifying code, DESIGN.md).
 *
 * <p>Lookup and decoding run on the vCPU's thread; {@link #peek} may be called by the JIT's
 * background thread, and {@link #codeWritten} by any vCPU's thread: the {@link CodePages} are
 * shared by every CPU of the memory, so a store by another vCPU into code this one translated
 * (cross-modifying code, SDM Vol. 3A, 9.1.3) invalidates the blocks here, and this vCPU drops
 * them at its next block boundary. The block bookkeeping ({@link #byPage}, invalidation) is
 * guarded by {@link #lock}; the blocks map is concurrent and a block's {@code valid} is volatile.
 */
public final class CodeCache implements CodePages.Listener {
    public static final int MAX_BLOCK = 64;
    private static final int JUMP_BITS = 12;
    private static final int FETCH_CHUNK = 256;

    private final Cpu cpu;
    /** Blocks are decoded for one code size at a time; a mode switch (a far jump, IRET) drops them all. */
    private Decoder decoder = Decoder.of(64);
    private int bits = 64;
    /**
     * CS.limit the cached blocks were decoded under (outside 64-bit mode a block never extends
     * past it); a change drops them all, like a mode switch.
     */
    private int decodedLimit;
    private final Map<Long, Block> blocks = new ConcurrentHashMap<>();
    /** Blocks by physical page they lie in (guarded by {@link #lock}). */
    private final Map<Long, List<Block>> byPage = new java.util.HashMap<>();
    private final Object lock = new Object();
    /** Decode attempts after which a block whose bytes keep changing is used as it is (it is invalid and runs once). */
    private static final int DECODE_TRIES = 8;
    private final Block[] jump = new Block[1 << JUMP_BITS];
    private final byte[] buf = new byte[4096 + 16];

    public CodeCache(Cpu cpu) {
        this.cpu = cpu;
        cpu.memory.attachCodeCache(this);
    }

    /**
     * The block starting at {@code rip}, decoding it when needed. Throws the fetch fault
     * (#PF with I = 1, #GP for a non-canonical RIP) when the first instruction cannot be fetched.
     * Outside 64-bit mode an instruction must lie within CS.limit, else #GP(0) (SDM Vol. 3A,
     * 5.3): a block starting past the limit faults here, and blocks end before an instruction
     * that would cross it (that instruction faults when it becomes a block's first).
     */
    public Block lookup(long rip) {
        int mode = cpu.state.codeBits();
        if (mode != bits || mode != 64 && cpu.state.cs.limit() != decodedLimit) switchMode(mode);
        if (mode != 64 && rip > cpu.state.cs.limitUnsigned()) throw GuestFault.generalProtection(0);
        if ((rip << 16 >> 16) != rip) throw GuestFault.generalProtection(0);
        long pa = cpu.memory.codeAddress(linear(rip), cpu.user);
        int j = (int) (rip ^ rip >>> JUMP_BITS) & ((1 << JUMP_BITS) - 1);
        Block b = jump[j];
        if (b != null && b.start == rip && b.physicalStart == pa && b.valid) return b;
        b = blocks.get(rip);
        if (b == null || b.physicalStart != pa || !b.valid) {
            b = decode(rip, pa, false);
        }
        jump[j] = b;
        return b;
    }

    /**
     * Decodes ahead (for region building) the block at {@code rip}, which must lie in a page
     * being executed: unlike {@link #lookup} it never touches another page, so a block ends
     * before an instruction that straddles into the next one. Null when none can be decoded.
     */
    public Block predecode(long rip) {
        Block b = blocks.get(rip);
        if (b != null && b.valid) return b;
        if (bits != 64 && rip > Integer.toUnsignedLong(decodedLimit)) return null;
        long pa = cpu.memory.codeAddress(linear(rip), cpu.user);
        return decode(rip, pa, true);
    }

    /** An already decoded, still valid block at {@code rip}, or null (for the JIT's region building). */
    public Block peek(long rip) {
        Block b = blocks.get(rip);
        return b != null && b.valid ? b : null;
    }

    /**
     * The linear address code at offset {@code rip} is fetched from: outside 64-bit mode CS.base
     * plus the offset, wrapping at 4 GiB (SDM Vol. 3A, 3.4 and 20.1.1: real mode too, where the
     * base is selector × 16); in 64-bit mode the offset itself (CS.base is treated as 0, 3.4.4).
     * Blocks stay keyed by offset (branch targets are offsets); the physical address checked on
     * lookup tells apart code at one offset under different CS bases.
     */
    private long linear(long rip) {
        return bits == 64 ? rip : (cpu.state.cs.base() + rip) & 0xFFFF_FFFFL;
    }

    private void switchMode(int mode) {
        clear();
        bits = mode;
        decodedLimit = cpu.state.cs.limit();
        decoder = Decoder.of(mode);
    }

    /** The code size (16, 32, 64) the cached blocks were decoded for. */
    public int bits() {
        return bits;
    }

    /** Number of blocks held. */
    public int size() {
        return blocks.size();
    }

    /**
     * Decodes and registers the block at {@code rip}. A store by another vCPU may land while
     * the bytes are read: once the block is registered (its pages marked, so that later stores
     * reach {@link #codeWritten}), its bytes are read again, and a block whose bytes changed
     * meanwhile is dropped and decoded again.
     */
    private Block decode(long rip, long pa, boolean withinPage) {
        Block b = null;
        for (int attempt = 0; attempt < DECODE_TRIES; attempt++) {
            b = decodeOnce(rip, pa, withinPage);
            if (b == null) return null;
            register(b);
            if (unchanged(b)) return b;
            synchronized (lock) {
                invalidate(b);
            }
        }
        return b;
    }

    /** Adds {@code b} to the maps and marks its pages (this cache's first block on a page marks it once). */
    private void register(Block b) {
        synchronized (lock) {
            for (long page : b.pages) {
                List<Block> list = byPage.get(page);
                if (list == null) {
                    byPage.put(page, list = new ArrayList<>());
                    cpu.memory.codePages().mark(page);
                }
                list.add(b);
            }
            blocks.put(b.start, b);
        }
    }

    /** Whether the guest bytes of {@code b} still are the ones it was decoded from. */
    private boolean unchanged(Block b) {
        int used = (int) (b.end - b.start);
        byte[] now = new byte[used];
        try {
            fetch(linear(b.start), now, 0, used);
        } catch (GuestFault | LeaveRequest f) {
            return false;
        }
        return java.util.Arrays.equals(now, 0, used, buf, 0, used);
    }

    private Block decodeOnce(long rip, long pa, boolean withinPage) {
        long t0 = System.nanoTime();
        long lin = linear(rip);
        int inPage = 4096 - (int) (lin & 0xFFF);
        // Outside 64-bit mode the bytes past CS.limit are not fetched: an instruction reaching
        // them decodes as truncated and ends the block (or faults #GP(0) as its first).
        boolean limitCut = false;
        if (bits != 64) {
            long room = Integer.toUnsignedLong(decodedLimit) - rip + 1;
            if (room < inPage) {
                inPage = (int) room;
                limitCut = true;
            }
        }
        // Bytes are fetched in chunks as the decoder needs them, not the whole rest of the page.
        int have = Math.min(inPage, FETCH_CHUNK);
        fetch(lin, buf, 0, have);
        long secondPage = -1;
        List<Instruction> out = new ArrayList<>();
        int off = 0;
        Instruction in = new Instruction();
        while (out.size() < MAX_BLOCK && off < inPage) {
            int n = decoder.decode(buf, off, have, rip + off, in);
            if (in.isInvalid() && in.invalidReason() == InvalidReason.NO_MORE_BYTES && have < inPage) {
                int more = Math.min(inPage - have, FETCH_CHUNK);
                fetch(lin + have, buf, have, more);
                have += more;
                continue;
            }
            if (in.isInvalid() && in.invalidReason() == InvalidReason.NO_MORE_BYTES && have == inPage && limitCut) {
                if (out.isEmpty()) {
                    if (withinPage) return null;
                    throw GuestFault.generalProtection(0);
                }
                break;
            }
            if (in.isInvalid() && in.invalidReason() == InvalidReason.NO_MORE_BYTES && have == inPage && withinPage) {
                if (out.isEmpty()) return null;
                break;
            }
            if (in.isInvalid() && in.invalidReason() == InvalidReason.NO_MORE_BYTES && have == inPage) {
                // The instruction straddles the page end: fetch the next page's bytes, unless
                // that faults and this is not the first instruction (then the block ends here,
                // and the fault comes when the instruction itself runs).
                try {
                    secondPage = cpu.memory.codeAddress(lin + inPage, cpu.user) & ~0xFFFL;
                    fetch(lin + inPage, buf, inPage, 16);
                    have = inPage + 16;
                } catch (GuestFault | LeaveRequest f) { // a fault, or a fetch from an MMIO exit region
                    if (out.isEmpty()) throw f;
                    break;
                }
                continue;
            }
            Instruction kept = in.copy();
            out.add(kept);
            off += Math.max(n, 1);
            if (in.isInvalid() || endsBlock(in)) break;
        }
        Instruction[] insns = out.toArray(new Instruction[0]);
        int used = (int) (insns[insns.length - 1].nextIp() - rip);
        long[] pages, from, to;
        if (used > inPage) {
            pages = new long[] {pa & ~0xFFFL, secondPage};
            from = new long[] {pa, secondPage};
            to = new long[] {pa + inPage, secondPage + (used - inPage)};
        } else {
            pages = new long[] {pa & ~0xFFFL};
            from = new long[] {pa};
            to = new long[] {pa + used};
        }
        Block b = new Block(rip, pa, insns, pages, from, to);
        cpu.stats.blocksDecoded++;
        cpu.stats.translateNanos += System.nanoTime() - t0;
        return b;
    }

    /** Instructions that end a block: any control transfer, and anything privileged or sensitive (it may change the mode or the mapping of code). */
    static boolean endsBlock(Instruction in) {
        return in.flowKind() != FlowKind.NONE || in.virtClass() != VirtClass.INNOCUOUS;
    }

    private void fetch(long linear, byte[] dst, int at, int n) {
        int k = 0;
        while (k < n) {
            if (((linear + k) & 7) == 0 && n - k >= 8) {
                long v = cpu.memory.fetch(linear + k, 8, cpu.user);
                for (int b = 0; b < 8; b++) dst[at + k + b] = (byte) (v >>> (8 * b));
                k += 8;
            } else {
                dst[at + k] = (byte) cpu.memory.fetch(linear + k, 1, cpu.user);
                k++;
            }
        }
    }

    /** A write by the monitor landed in a code page. */
    @Override
    public void codeWritten(long physical, int size) {
        codeWritten(physical, size, false);
    }

    /**
     * A guest write landed in a code page (on any vCPU's thread): drop exactly the blocks it
     * overlaps. When the write is this vCPU's own, its current block stops after the writing
     * instruction ({@link Cpu#codeWritten}); another vCPU's write is seen at the next block
     * boundary, where the block's validity is checked.
     */
    @Override
    public void codeWritten(long physical, int size, boolean own) {
        boolean any = false;
        synchronized (lock) {
            List<Block> list = byPage.get(physical & ~0xFFFL);
            if (list == null) return;
            for (Block b : list.toArray(new Block[0])) {
                if (b.overlaps(physical, size)) {
                    invalidate(b);
                    any = true;
                }
            }
        }
        if (any && own) cpu.codeWritten = true;
    }

    /** Drops {@code b} (idempotent); the caller holds {@link #lock}. */
    private void invalidate(Block b) {
        b.valid = false;
        b.code = null;
        blocks.remove(b.start, b);
        boolean held = false;
        for (long page : b.pages) {
            List<Block> list = byPage.get(page);
            if (list == null || !list.remove(b)) continue;
            held = true;
            if (list.isEmpty()) {
                byPage.remove(page);
                cpu.memory.codePages().unmark(page);
            }
        }
        if (held) cpu.stats.codeInvalidations++;
    }

    /** Drops every block (e.g. after the guest rewrote code through DMA the cache could not see). */
    public void clear() {
        synchronized (lock) {
            java.util.Set<Block> all = new java.util.HashSet<>(blocks.values());
            for (List<Block> list : byPage.values()) all.addAll(list);
            for (Block b : all) invalidate(b);
        }
        java.util.Arrays.fill(jump, null);
    }

    /**
     * Detaches this vCPU from the memory's shared code pages: it stops listening to code
     * writes and its TLB is no longer told of newly marked pages (the vCPU is gone; the blocks
     * stay readable for whoever still holds the cache). Its pages stay marked: writes there
     * keep taking the slow path.
     */
    public void close() {
        cpu.memory.detach();
    }
}
