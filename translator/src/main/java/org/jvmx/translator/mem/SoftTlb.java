package org.jvmx.translator.mem;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A direct-mapped software TLB in front of {@link PageWalker}, shaped for the JIT's inline
 * fast path: one table per access kind (read, write, execute) and privilege (supervisor,
 * user), each a tag array plus host location arrays. For an access of {@code size} bytes
 * at {@code linear}:
 *
 * <pre>
 *   int i = SoftTlb.slot(kind, user, linear);
 *   if (tags[i] == (linear &amp; ~0xFFF) &amp;&amp; (linear &amp; 0xFFF) &lt;= 4096 - size)
 *       access segments[i] at offset linear + addends[i]
 *   else slow path (miss, page crossing, MMIO, a write into a code page)
 * </pre>
 *
 * An entry exists only for 4 KiB of guest RAM whose translation succeeded for that kind and
 * privilege, so the walker has already set the accessed (and, for writes, dirty) flags and
 * checked the rights. Large pages are cached as 4 KiB slices. Flushing follows SDM Vol. 3A,
 * 4.10.4: INVLPG, MOV to CR3 (global entries kept when CR4.PGE = 1; with PAE paging it also
 * reloads the PDPTE registers), and changes of the paging mode, CR0.WP, CR4.PSE/PGE or
 * EFER.NXE flush everything (the soft TLB may drop more than the
 * hardware must, never less). One TLB per vCPU, used by its thread; the one exception is
 * {@link #dropWritable}, which another vCPU calls when it marks a page as code.
 */
public final class SoftTlb {
    public static final int BITS = 8;
    public static final int ENTRIES = 1 << BITS;
    private static final int TABLES = 6;
    /** A tag no page-aligned address equals. */
    static final long INVALID = 1;

    public final long[] tags = new long[TABLES * ENTRIES];
    public final long[] addends = new long[TABLES * ENTRIES];
    public final MemorySegment[] segments = new MemorySegment[TABLES * ENTRIES];
    private final long[] physicalPages = new long[TABLES * ENTRIES];
    private final boolean[] globals = new boolean[TABLES * ENTRIES];

    private final PageWalker walker;
    private final PhysicalMemory memory;
    private final CodePages codePages;
    private PagingState state;
    /** One aligned range covering every large page cached: an INVLPG inside it flushes all (cheaper than tracking each slice). */
    private long largeBase = -1;
    private long largeMask = 0;
    private long misses;

    public SoftTlb(PageWalker walker, PhysicalMemory memory, CodePages codePages, PagingState state) {
        this.walker = walker;
        this.memory = memory;
        this.codePages = codePages;
        this.state = state;
        codePages.register(this);
        flushAll();
    }

    /** Index of the entry for {@code linear} in the table of {@code kind} and privilege. */
    public static int slot(Access kind, boolean user, long linear) {
        int table = kind.ordinal() * 2 + (user ? 1 : 0);
        return (table << BITS) | (int) ((linear >>> 12) & (ENTRIES - 1));
    }

    /** The fast-path test: the entry maps {@code linear} and the access stays in its page. */
    public boolean hit(int slot, long linear, int size) {
        return tags[slot] == (linear & ~0xFFFL) && (linear & 0xFFF) <= 4096 - size;
    }

    /** Guest-physical page that entry {@code slot} maps (meaningful only while it {@link #hit}s). */
    public long physicalPage(int slot) {
        return physicalPages[slot];
    }

    public PagingState state() {
        return state;
    }

    public PageWalker walker() {
        return walker;
    }

    /** Miss path: walks (may throw {@link PageFault}) and fills the entry when allowed. */
    public Translation translate(long linear, Access kind, boolean user) {
        misses++;
        Translation t = walker.walk(linear, kind, user, state);
        fill(slot(kind, user, linear), linear, kind, t);
        return t;
    }

    private void fill(int slot, long linear, Access kind, Translation t) {
        long page = t.physicalPage();
        PhysicalMemory.Region r = memory.regionAt(page);
        if (r == null || r.ram() == null || (kind == Access.WRITE && (r.readOnly() || codePages.isMarked(page)))) {
            return; // MMIO, unmapped, or code: every access takes the slow path
        }
        long linearPage = linear & ~0xFFFL;
        tags[slot] = linearPage;
        addends[slot] = (page - r.base()) - linearPage;
        segments[slot] = r.ram();
        physicalPages[slot] = page;
        globals[slot] = t.global();
        if (t.pageSize() > 4096) {
            noteLargePage(linear & -t.pageSize(), -t.pageSize());
        }
        if (kind == Access.WRITE) {
            // Another vCPU may have marked the page as code since the check above: its drop
            // (CodePages.mark) may have run before this entry existed. Dekker with mark's fence.
            VarHandle.fullFence();
            if (codePages.isMarked(page)) invalidate(slot);
        }
    }

    private void noteLargePage(long base, long mask) {
        if (largeBase == -1) {
            largeBase = base;
            largeMask = mask;
            return;
        }
        mask &= largeMask;
        while (((largeBase ^ base) & mask) != 0) {
            mask <<= 1;
        }
        largeBase &= mask;
        largeMask = mask;
    }

    /** Misses so far; each one is a page walk. */
    public long misses() {
        return misses;
    }

    public void flushAll() {
        Arrays.fill(tags, INVALID);
        Arrays.fill(segments, null);
        Arrays.fill(globals, false);
        largeBase = -1;
        largeMask = 0;
    }

    /** INVLPG: drops every entry for the page of {@code linear}, global or not (SDM 4.10.4.1). */
    public void flushPage(long linear) {
        if (largeBase != -1 && (linear & largeMask) == largeBase) {
            flushAll(); // the address lies in a cached large page: its slices are spread out
            return;
        }
        long page = linear & ~0xFFFL;
        for (int t = 0; t < TABLES; t++) {
            int i = slot(Access.READ, false, linear) + (t << BITS);
            if (tags[i] == page) {
                invalidate(i);
            }
        }
    }

    /**
     * MOV to CR3: non-global entries go; global ones stay when CR4.PGE = 1 (SDM 4.10.4.1).
     * Under PAE paging it also loads the PDPTE registers from the new CR3 (4.4.1); the caller
     * has checked their reserved bits.
     */
    public void writeCr3(long cr3) {
        state = state.withCr3(cr3);
        if (state.mode() == PagingState.Mode.PAE) {
            state = state.withPdptes(walker.loadPdptes(cr3));
        }
        flushNonGlobal();
    }

    private void flushNonGlobal() {
        for (int i = 0; i < tags.length; i++) {
            if (!globals[i]) {
                invalidate(i);
            }
        }
    }

    /**
     * New paging controls. A change of the paging mode, CR0.WP, CR4.PSE, CR4.PGE or EFER.NXE
     * flushes all (the entries' rights depend on them); a change of CR3 or of the PDPTE
     * registers alone flushes the non-global entries. A PAE state without PDPTEs keeps the
     * loaded ones when neither CR3 nor the controls changed, else loads them from CR3 (what a
     * VM entry or a MOV to CR0/CR4 does, SDM 4.4.1).
     */
    public void setState(PagingState next) {
        PagingState old = state;
        if (next.mode() == PagingState.Mode.PAE && next.pdptes() == null) {
            boolean keep = old.mode() == PagingState.Mode.PAE && old.pdptes() != null
                    && !old.controlsDiffer(next) && old.cr3() == next.cr3();
            next = next.withPdptes(keep ? old.pdptes() : walker.loadPdptes(next.cr3()));
        }
        state = next;
        if (old.controlsDiffer(next)) {
            flushAll();
        } else if (old.cr3() != next.cr3() || !java.util.Objects.equals(old.pdptes(), next.pdptes())) {
            flushNonGlobal();
        }
    }

    /**
     * Drops write entries that map physical page {@code page}, which now holds code. Called
     * from any thread (the vCPU that translated the code): it only clears tags, with release
     * stores, so the owner's fast path sees either the old entry whole (its segment is still
     * the right RAM) or a miss, never a half-cleared entry. A fill racing with this re-checks
     * the mark itself ({@link #fill}).
     */
    void dropWritable(long page) {
        for (int user = 0; user < 2; user++) {
            int base = (Access.WRITE.ordinal() * 2 + user) << BITS;
            for (int i = base; i < base + ENTRIES; i++) {
                if ((long) TAG.getOpaque(tags, i) != INVALID && physicalPages[i] == page) {
                    TAG.setRelease(tags, i, INVALID);
                }
            }
        }
    }

    private static final VarHandle TAG = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    private void invalidate(int i) {
        tags[i] = INVALID;
        segments[i] = null;
        globals[i] = false;
    }
}
