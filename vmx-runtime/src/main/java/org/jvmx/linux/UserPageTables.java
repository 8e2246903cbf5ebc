package org.jvmx.linux;

import java.util.HashMap;
import java.util.Map;

/**
 * The process's 4-level page tables (SDM Vol. 3A, 4.5: IA-32e paging), held in frames the
 * monitor owns. Intermediate entries are present, writable and user-accessible so that the
 * leaf entry alone decides (4.6: the effective rights are the most restrictive along the walk).
 * A Java-side mirror of the leaves answers lookups without walking guest memory.
 *
 * <p>Leaves are written with A and D already set, so the processor never has to set them
 * (4.8): the monitor tracks dirtiness itself where it matters.
 *
 * <p>Every entry is written through {@link org.jvmx.vm.Vm#writeValue}, which marks the VM's
 * memory as changed by the host: each vCPU flushes its whole soft TLB on the next VM entry (what
 * INVLPG of the changed pages would do, and more), and code translated from a frame that is
 * rewritten is dropped. So unmapping, remapping or changing a page's rights needs no explicit
 * shootdown while the vCPU is stopped at a VM exit, which is the only time the monitor edits them.
 */
final class UserPageTables {
    static final long P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, NX = 1L << 63;
    static final long ADDRESS = 0x000F_FFFF_FFFF_F000L;

    private final Frames frames;
    /** The PML4 frame: CR3. */
    final long root;
    /** Tables below the PML4, keyed by level (3 PDPT, 2 PD, 1 PT) and the address bits above them. */
    private final Map<Long, Long> tables = new HashMap<>();
    /** Leaf entries by virtual page number (va >>> 12). */
    private final Map<Long, Long> leaves = new HashMap<>();

    UserPageTables(Frames frames) {
        this.frames = frames;
        this.root = frames.allocateZeroed();
    }

    /** The leaf entry for {@code va}'s page, or 0 when none was written. */
    long leaf(long va) {
        Long e = leaves.get(va >>> 12);
        return e == null ? 0 : e;
    }

    /** Writes the leaf for {@code va}'s page: frame {@code pa} with {@code flags} (P, RW, US, NX). */
    void set(long va, long pa, long flags) {
        long e = pa & ADDRESS | flags | A | D;
        leaves.put(va >>> 12, e);
        frames.writeLong(table(va) + (va >>> 12 & 511) * 8, e);
    }

    /** Removes the leaf for {@code va}'s page; returns the entry it held (0 when none). */
    long clear(long va) {
        Long e = leaves.remove(va >>> 12);
        if (e == null) return 0;
        frames.writeLong(table(va) + (va >>> 12 & 511) * 8, 0);
        return e;
    }

    /** The page table (level 1) covering {@code va}, created with its parents as needed. */
    private long table(long va) {
        long parent = root;
        for (int level = 3; level >= 1; level--) {
            int shift = 12 + 9 * level;
            long key = (long) level << 56 | (va & 0x0000_FFFF_FFFF_FFFFL) >>> shift;
            Long t = tables.get(key);
            if (t == null) {
                t = frames.allocateZeroed();
                tables.put(key, t);
                frames.writeLong(parent + (va >>> shift & 511) * 8, t | P | RW | US | A);
            }
            parent = t;
        }
        return parent;
    }
}
