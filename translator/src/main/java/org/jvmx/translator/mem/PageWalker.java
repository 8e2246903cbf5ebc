package org.jvmx.translator.mem;

/**
 * IA-32e 4-level paging (SDM Vol. 3A, 4.5): translates a linear address through PML4,
 * PDPT, PD and PT in guest-physical memory, to 4 KiB, 2 MiB (PDE.PS) or 1 GiB (PDPTE.PS)
 * pages, checks access rights (4.6), sets accessed and dirty flags (4.8) and raises #PF
 * with the error code of 4.7. Without paging, linear = physical.
 *
 * <p>Accessed and dirty flags are written only when the translation succeeds: the SDM sets
 * them on entries "used as part of linear-address translation", and a faulting access has
 * none. SMEP, SMAP, protection keys and PCIDs are not modelled.
 */
public final class PageWalker {
    static final long PRESENT = 1;
    static final long RW = 1 << 1;
    static final long US = 1 << 2;
    static final long ACCESSED = 1 << 5;
    static final long DIRTY = 1 << 6;
    static final long PS = 1 << 7;
    static final long GLOBAL = 1 << 8;
    static final long XD = 1L << 63;

    private final PhysicalMemory memory;
    private final int maxPhysAddr;
    /** Bits MAXPHYADDR-1:12: the address field of an entry. */
    private final long addressMask;
    /** Bits 51:MAXPHYADDR: reserved in every present entry (SDM Vol. 3A, 4.5.4, Table 4-20). */
    private final long reservedAddressBits;

    /** @param maxPhysAddr MAXPHYADDR (CPUID 80000008H:EAX[7:0]), 32 to 52 */
    public PageWalker(PhysicalMemory memory, int maxPhysAddr) {
        if (maxPhysAddr < 32 || maxPhysAddr > 52) {
            throw new IllegalArgumentException("MAXPHYADDR must be 32..52: " + maxPhysAddr);
        }
        this.memory = memory;
        this.maxPhysAddr = maxPhysAddr;
        this.addressMask = ((1L << maxPhysAddr) - 1) & ~0xFFFL;
        this.reservedAddressBits = ((1L << 52) - 1) & ~((1L << maxPhysAddr) - 1);
    }

    public int maxPhysAddr() {
        return maxPhysAddr;
    }

    /**
     * Translates {@code linear} for an access of {@code kind}; {@code user} is true for a
     * user-mode access (CPL 3, except implicit supervisor accesses such as descriptor-table
     * reads, SDM Vol. 3A, 4.6). The address must be canonical ({@link Canonical}).
     */
    public Translation walk(long linear, Access kind, boolean user, PagingState state) {
        if (!state.paging()) {
            return new Translation(linear, 4096, false);
        }
        if (!Canonical.isCanonical(linear)) {
            throw new IllegalArgumentException(String.format(
                    "non-canonical %#x: the caller raises #GP/#SS first", linear));
        }
        long[] used = new long[4];
        long reservedCommon = reservedAddressBits | (state.nxe() ? 0 : XD);
        long table = state.cr3() & addressMask;
        boolean writable = true;
        boolean userOk = true;
        boolean executeDisabled = false;
        int n = 0;
        long entry;
        long pageSize;
        for (int level = 4; ; level--) {
            int shift = 12 + 9 * (level - 1);
            long entryAddr = table + (((linear >>> shift) & 511) << 3);
            entry = memory.read(entryAddr, 8);
            used[n++] = entryAddr;
            if ((entry & PRESENT) == 0) {
                throw fault(linear, kind, user, state, 0);
            }
            boolean leaf = level == 1 || (level <= 3 && (entry & PS) != 0);
            if ((entry & reserved(level, leaf, reservedCommon)) != 0) {
                throw fault(linear, kind, user, state, PageFault.P | PageFault.RSVD);
            }
            writable &= (entry & RW) != 0;
            userOk &= (entry & US) != 0;
            executeDisabled |= state.nxe() && (entry & XD) != 0;
            if (leaf) {
                pageSize = 1L << shift;
                break;
            }
            table = entry & addressMask;
        }
        if (!allowed(kind, user, state.wp(), writable, userOk, executeDisabled)) {
            throw fault(linear, kind, user, state, PageFault.P);
        }
        // SDM 4.8: A on every entry used; D on the entry that maps the page, on writes.
        for (int i = 0; i < n - 1; i++) {
            setFlags(used[i], ACCESSED);
        }
        setFlags(used[n - 1], kind == Access.WRITE ? ACCESSED | DIRTY : ACCESSED);
        long frame = entry & addressMask & ~(pageSize - 1);
        boolean global = state.pge() && (entry & GLOBAL) != 0;
        return new Translation(frame | (linear & (pageSize - 1)), pageSize, global);
    }

    /** Reserved bits of a present entry at {@code level} (SDM Vol. 3A, 4.5.4, Table 4-20). */
    private static long reserved(int level, boolean leaf, long common) {
        if (level == 4) {
            return common | PS; // PML4E bit 7 must be 0
        }
        if (leaf && level == 3) {
            return common | bits(29, 13); // 1 GiB page: bit 12 is PAT, 29:13 reserved
        }
        if (leaf && level == 2) {
            return common | bits(20, 13); // 2 MiB page: bit 12 is PAT, 20:13 reserved
        }
        return common;
    }

    private static long bits(int hi, int lo) {
        return ((1L << (hi + 1)) - 1) & ~((1L << lo) - 1);
    }

    /** Access rights, SDM Vol. 3A, 4.6.1 (no SMEP, SMAP or protection keys). */
    private static boolean allowed(Access kind, boolean user, boolean wp,
                                   boolean writable, boolean userOk, boolean executeDisabled) {
        if (user && !userOk) {
            return false;
        }
        return switch (kind) {
            case READ -> true;
            case WRITE -> writable || (!user && !wp);
            case EXECUTE -> !executeDisabled;
        };
    }

    /** Error code bits W, U and I describe the access (SDM Vol. 3A, 4.7). */
    private static PageFault fault(long linear, Access kind, boolean user, PagingState state, int base) {
        int code = base;
        if (kind == Access.WRITE) {
            code |= PageFault.W;
        }
        if (user) {
            code |= PageFault.U;
        }
        if (kind == Access.EXECUTE && state.nxe()) {
            code |= PageFault.I;
        }
        return new PageFault(code, linear);
    }

    private void setFlags(long entryAddr, long flags) {
        if ((memory.read(entryAddr, 8) & flags) != flags) {
            memory.orLong(entryAddr, flags);
        }
    }
}
