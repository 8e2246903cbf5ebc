package org.jvmx.translator.mem;

/**
 * The control-register bits that paging reads (SDM Vol. 3A, 4.1): which paging mode CR0.PG,
 * CR4.PAE and IA32_EFER.LME select (Table 4-1), CR0.WP, CR3, CR4.PSE, CR4.PGE and
 * IA32_EFER.NXE, and for PAE paging the four PDPTE registers (4.4.1), which the processor loads
 * from memory when CR3 is written or the paging controls change, not on every walk.
 * Paging off means linear = physical (flat mode, used by unit tests).
 */
public record PagingState(Mode mode, boolean wp, long cr3, boolean pge, boolean nxe, boolean pse, Pdptes pdptes) {

    /** The paging modes of SDM Vol. 3A, Table 4-1 (5-level paging is not modelled). */
    public enum Mode {
        /** CR0.PG = 0: linear = physical. */
        NONE,
        /** 32-bit paging (4.3): 2 levels of 4-byte entries, 4 MiB pages with CR4.PSE, no XD. */
        BITS32,
        /** PAE paging (4.4): 4 PDPTE registers, then 2 levels of 8-byte entries. */
        PAE,
        /** 4-level paging (4.5), IA-32e mode. */
        LEVEL4
    }

    /** The PDPTE registers PDPTE0..3 of PAE paging (SDM Vol. 3A, 4.4.1). */
    public record Pdptes(long e0, long e1, long e2, long e3) {
        public long get(int i) {
            return switch (i) {
                case 0 -> e0;
                case 1 -> e1;
                case 2 -> e2;
                default -> e3;
            };
        }
    }

    /** Paging off: linear addresses are physical. */
    public static final PagingState FLAT = new PagingState(Mode.NONE, false, 0, false, false, false, null);

    /** Paging off ({@code paging} false) or 4-level paging: the IA-32e view. */
    public PagingState(boolean paging, boolean wp, long cr3, boolean pge, boolean nxe) {
        this(paging ? Mode.LEVEL4 : Mode.NONE, wp, cr3, pge, nxe, false, null);
    }

    /** 4-level paging with CR0.WP = 1, CR4.PGE = 1 and EFER.NXE = 1, the usual long-mode setup. */
    public static PagingState longMode(long cr3) {
        return new PagingState(true, true, cr3, true, true);
    }

    /** 32-bit paging with CR0.WP = 1 and CR4.PSE as given (CR4.PGE = 0). */
    public static PagingState bits32(long cr3, boolean pse) {
        return new PagingState(Mode.BITS32, true, cr3, false, false, pse, null);
    }

    /** PAE paging with CR0.WP = 1 and the given NXE; the PDPTEs still need loading (see {@link PageWalker#loadPdptes}). */
    public static PagingState pae(long cr3, boolean nxe) {
        return new PagingState(Mode.PAE, true, cr3, false, nxe, false, null);
    }

    public boolean paging() {
        return mode != Mode.NONE;
    }

    /** Whether execute-disable applies: PAE or 4-level paging with EFER.NXE (SDM Vol. 3A, 4.1.3 and 4.7 I/D flag). */
    public boolean executeDisable() {
        return nxe && (mode == Mode.PAE || mode == Mode.LEVEL4);
    }

    /** Whether the control bits the TLB's cached rights depend on differ (everything but CR3 and the PDPTEs). */
    public boolean controlsDiffer(PagingState o) {
        return mode != o.mode || wp != o.wp || pge != o.pge || nxe != o.nxe || pse != o.pse;
    }

    public PagingState withCr3(long value) {
        return new PagingState(mode, wp, value, pge, nxe, pse, pdptes);
    }

    public PagingState withWp(boolean value) {
        return new PagingState(mode, value, cr3, pge, nxe, pse, pdptes);
    }

    public PagingState withNxe(boolean value) {
        return new PagingState(mode, wp, cr3, pge, value, pse, pdptes);
    }

    public PagingState withPge(boolean value) {
        return new PagingState(mode, wp, cr3, value, nxe, pse, pdptes);
    }

    public PagingState withPdptes(Pdptes value) {
        return new PagingState(mode, wp, cr3, pge, nxe, pse, value);
    }
}
