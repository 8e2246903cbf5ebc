package org.jvmx.translator.cpu;

/**
 * One segment register with its hidden (descriptor-cache) part: selector, 64-bit base, 32-bit
 * limit (already scaled by G, as the processor caches it) and access rights (SDM Vol. 3A, 3.4.3
 * and 3.4.5). Also used for LDTR and TR.
 *
 * <p>Access rights are stored in the VMCS guest-segment access-rights format (SDM Vol. 3C,
 * Table 25-2 "Format of Access Rights"), so vmx-runtime copies {@link #vmcsAccessRights()} into
 * the VMCS as is:
 * <pre>
 *  bits 3:0  segment type          bit 12  AVL
 *  bit  4    S (0 system, 1 code/data)   bit 13  L (64-bit code segment)
 *  bits 6:5  DPL                   bit 14  D/B
 *  bit  7    P                     bit 15  G
 *  bits 11:8 reserved (0)          bit 16  segment unusable (1 = unusable)
 *  bits 31:17 reserved (0)
 * </pre>
 * These are the descriptor's bits 47:40 and 55:52 (SDM Vol. 3A, Figure 3-8) with the limit's
 * bits 19:16 squeezed out, plus the "unusable" bit. A null selector loaded into DS/ES/FS/GS
 * (or SS in 64-bit mode) makes the register unusable.
 *
 * <p>Bases are always assembled from {@code long}s: {@code (b & 0xff) << 24} is an {@code int}
 * and sign-extends when widened (DESIGN.md, "Cores are real too").
 */
public final class SegmentRegister {
    /** The defined bits of the VMCS access-rights format. */
    public static final int AR_MASK = 0x1F0FF;
    public static final int AR_S = 1 << 4, AR_P = 1 << 7, AR_AVL = 1 << 12, AR_L = 1 << 13, AR_DB = 1 << 14,
            AR_G = 1 << 15, AR_UNUSABLE = 1 << 16;

    private int selector;
    private long base;
    private int limit;
    private int ar;

    /*
     * The offsets a data access may touch, precomputed whenever the register changes so that the
     * check outside 64-bit mode is two compares (SegmentChecks): an access of n bytes at offset o
     * is allowed when lo <= o and o + n - 1 <= hi. An access the segment's type forbids gets an
     * empty range (lo > hi). SDM Vol. 3A, 5.3 "Limit Checking" and 5.4-5.6 "Type Checking".
     */
    /** Reads in protected mode: unusable (null) and execute-only code segments give an empty range. */
    private long readLo, readHi;
    /** Writes in protected mode: only writable data segments (never code) have a range. */
    private long writeLo, writeHi;
    /** The limit alone, for real-address and virtual-8086 mode, where types are not checked. */
    private long limitLo, limitHi;

    public SegmentRegister() {
        ar = AR_UNUSABLE;
        recompute();
    }

    /**
     * Recomputes the cached ranges from limit and access rights. Expand-up: offsets 0..limit.
     * Expand-down data (type bit 2): limit+1 .. FFFFH, or FFFFFFFFH when B = 1 (SDM Vol. 3A, 3.4.5.1).
     */
    private void recompute() {
        long lim = Integer.toUnsignedLong(limit);
        boolean expandDown = (ar & AR_S) != 0 && (ar & 8) == 0 && (ar & 4) != 0;
        if (expandDown) {
            limitLo = lim + 1;
            limitHi = (ar & AR_DB) != 0 ? 0xFFFF_FFFFL : 0xFFFFL;
        } else {
            limitLo = 0;
            limitHi = lim;
        }
        boolean usable = (ar & AR_UNUSABLE) == 0 && (ar & AR_S) != 0;
        boolean code = (ar & 8) != 0;
        // Type bit 1: R for code, W for data.
        boolean readable = usable && (!code || (ar & 2) != 0);
        boolean writable = usable && !code && (ar & 2) != 0;
        readLo = readable ? limitLo : 1;
        readHi = readable ? limitHi : 0;
        writeLo = writable ? limitLo : 1;
        writeHi = writable ? limitHi : 0;
    }

    /** Lowest offset a read may touch in protected mode (greater than {@link #readHigh()}: no read allowed). */
    public long readLow() { return readLo; }

    /** Highest offset a read may touch in protected mode. */
    public long readHigh() { return readHi; }

    /** Lowest offset a write may touch in protected mode (greater than {@link #writeHigh()}: no write allowed). */
    public long writeLow() { return writeLo; }

    /** Highest offset a write may touch in protected mode. */
    public long writeHigh() { return writeHi; }

    /** Lowest valid offset by the limit alone (expand-down: limit + 1). */
    public long limitLow() { return limitLo; }

    /** Highest valid offset by the limit alone. */
    public long limitHigh() { return limitHi; }

    /** Sets the whole register: selector (16 bits), base, limit (scaled, 32 bits unsigned), VMCS-format access rights. */
    public void set(int selector, long base, int limit, int vmcsAccessRights) {
        this.selector = selector & 0xFFFF;
        this.base = base;
        this.limit = limit;
        this.ar = vmcsAccessRights & AR_MASK;
        recompute();
    }

    public void copyFrom(SegmentRegister o) {
        selector = o.selector;
        base = o.base;
        limit = o.limit;
        ar = o.ar;
        recompute();
    }

    /**
     * Loads the hidden part from an 8-byte code/data (or 32-bit system) descriptor as the
     * processor does on a segment load (SDM Vol. 3A, 3.4.5): base 31:0, limit scaled by G,
     * access rights; the register becomes usable. Privilege and type checks are the caller's.
     */
    public void loadDescriptor(int selector, long descriptor) {
        this.selector = selector & 0xFFFF;
        this.base = descriptorBase(descriptor);
        this.limit = descriptorLimit(descriptor);
        this.ar = descriptorAccessRights(descriptor);
        recompute();
    }

    /**
     * Loads LDTR or TR from a 16-byte IA-32e system descriptor (SDM Vol. 3A, 8.2.3 and
     * Figure 8-4): {@code high}'s bits 31:0 are base 63:32.
     */
    public void loadSystemDescriptor(int selector, long low, long high) {
        loadDescriptor(selector, low);
        this.base |= (high & 0xFFFF_FFFFL) << 32;
    }

    /** A null selector: the register becomes unusable; base, limit and other rights are kept (as VMX shows them). */
    public void loadNull(int selector) {
        this.selector = selector & 0xFFFF;
        this.ar |= AR_UNUSABLE;
        recompute();
    }

    /** Real-address and virtual-8086 mode load: base = selector × 16, limit and rights unchanged (SDM Vol. 3A, "Address Translation in Real-Address Mode"). */
    public void loadReal(int selector) {
        this.selector = selector & 0xFFFF;
        this.base = (long) (selector & 0xFFFF) << 4;
    }

    // ---- descriptor field extraction (all arithmetic on longs)

    /** Base 31:0 of an 8-byte descriptor: bits 39:16 are base 23:0, bits 63:56 base 31:24. */
    public static long descriptorBase(long d) {
        return ((d >>> 16) & 0xFF_FFFFL) | (((d >>> 56) & 0xFFL) << 24);
    }

    /** The limit of a descriptor as the processor caches it: the 20-bit raw limit, scaled to 4 KiB units when G = 1. */
    public static int descriptorLimit(long d) {
        long raw = (d & 0xFFFFL) | (((d >>> 48) & 0xFL) << 16);
        if ((d & (1L << 55)) != 0) raw = (raw << 12) | 0xFFF;
        return (int) raw;
    }

    /** The VMCS-format access rights of a descriptor (usable): bits 47:40 → 7:0, bits 55:52 → 15:12. */
    public static int descriptorAccessRights(long d) {
        return (int) ((d >>> 40) & 0xF0FFL);
    }

    /**
     * An 8-byte descriptor for this register's hidden part (base 31:0 only; the limit is stored
     * in 4 KiB units when G = 1). Used to build GDTs (e.g. the per-core host GDT) and in tests.
     */
    public long toDescriptor() {
        long raw = Integer.toUnsignedLong(limit);
        if (g()) raw >>>= 12;
        long b = base & 0xFFFF_FFFFL;
        return (raw & 0xFFFFL) | ((b & 0xFF_FFFFL) << 16) | ((long) (ar & 0xFF) << 40) | (((raw >>> 16) & 0xFL) << 48)
                | ((long) ((ar >>> 12) & 0xF) << 52) | (((b >>> 24) & 0xFFL) << 56);
    }

    // ---- accessors

    public int selector() { return selector; }

    public void setSelector(int selector) { this.selector = selector & 0xFFFF; }

    /** The requested privilege level, selector bits 1:0. */
    public int rpl() { return selector & 3; }

    public long base() { return base; }

    public void setBase(long base) { this.base = base; }

    /** The scaled limit, 32 bits unsigned (use {@link #limitUnsigned()} to compare). */
    public int limit() { return limit; }

    public long limitUnsigned() { return Integer.toUnsignedLong(limit); }

    public void setLimit(int limit) {
        this.limit = limit;
        recompute();
    }

    /** Access rights in the VMCS format (SDM Vol. 3C, Table 25-2), reserved bits 0. */
    public int vmcsAccessRights() { return ar; }

    /** Sets the access rights from the VMCS format; reserved bits are dropped. */
    public void setVmcsAccessRights(int vmcsAr) {
        this.ar = vmcsAr & AR_MASK;
        recompute();
    }

    public int type() { return ar & 0xF; }

    /** S: 1 for code/data, 0 for system segments. */
    public boolean s() { return (ar & AR_S) != 0; }

    public int dpl() { return (ar >>> 5) & 3; }

    public boolean present() { return (ar & AR_P) != 0; }

    public boolean avl() { return (ar & AR_AVL) != 0; }

    public boolean l() { return (ar & AR_L) != 0; }

    public boolean db() { return (ar & AR_DB) != 0; }

    public boolean g() { return (ar & AR_G) != 0; }

    public boolean unusable() { return (ar & AR_UNUSABLE) != 0; }

    /** Code segment (S = 1, type bit 3 set). */
    public boolean isCode() { return s() && (ar & 8) != 0; }

    /**
     * Builds VMCS-format access rights from fields: type (4 bits), s, dpl, p, avl, l, db, g,
     * unusable.
     */
    public static int accessRights(int type, boolean s, int dpl, boolean p, boolean avl, boolean l, boolean db,
            boolean g, boolean unusable) {
        return (type & 0xF) | (s ? AR_S : 0) | ((dpl & 3) << 5) | (p ? AR_P : 0) | (avl ? AR_AVL : 0)
                | (l ? AR_L : 0) | (db ? AR_DB : 0) | (g ? AR_G : 0) | (unusable ? AR_UNUSABLE : 0);
    }

    @Override
    public String toString() {
        return String.format("sel=%04x base=%016x limit=%08x ar=%05x", selector, base, limit, ar);
    }
}
