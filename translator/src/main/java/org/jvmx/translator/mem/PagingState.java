package org.jvmx.translator.mem;

/**
 * The control-register bits that paging reads (SDM Vol. 3A, 4.1.1 and 4.5): CR0.PG and
 * CR0.WP, CR3, CR4.PGE and IA32_EFER.NXE. Paging off means linear = physical (flat mode,
 * used by unit tests); paging on means IA-32e 4-level paging.
 */
public record PagingState(boolean paging, boolean wp, long cr3, boolean pge, boolean nxe) {
    /** Paging off: linear addresses are physical. */
    public static final PagingState FLAT = new PagingState(false, false, 0, false, false);

    /** 4-level paging with CR0.WP = 1, CR4.PGE = 1 and EFER.NXE = 1, the usual long-mode setup. */
    public static PagingState longMode(long cr3) {
        return new PagingState(true, true, cr3, true, true);
    }

    public PagingState withCr3(long value) {
        return new PagingState(paging, wp, value, pge, nxe);
    }

    public PagingState withWp(boolean value) {
        return new PagingState(paging, value, cr3, pge, nxe);
    }

    public PagingState withNxe(boolean value) {
        return new PagingState(paging, wp, cr3, pge, value);
    }

    public PagingState withPge(boolean value) {
        return new PagingState(paging, wp, cr3, value, nxe);
    }
}
