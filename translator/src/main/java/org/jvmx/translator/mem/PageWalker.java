package org.jvmx.translator.mem;

/**
 * The page walk of the mode {@link PagingState#mode()} selects: IA-32e 4-level paging
 * (SDM Vol. 3A, 4.5) through PML4, PDPT, PD and PT to 4 KiB, 2 MiB (PDE.PS) or 1 GiB
 * (PDPTE.PS) pages; PAE paging (4.4) from the PDPTE registers through PD and PT to 2 MiB or
 * 4 KiB pages; 32-bit paging (4.3) through a PD and PT of 4-byte entries to 4 KiB pages or,
 * with CR4.PSE, 4 MiB pages (PSE-36: PDE bits 20:13 give physical bits 39:32). Every walk
 * checks access rights (4.6), sets accessed and dirty flags (4.8) and raises #PF with the
 * error code of 4.7. Without paging, linear = physical. Linear addresses outside IA-32e mode
 * are 32 bits wide (the caller wraps them), so only 4-level paging demands canonical ones.
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
        switch (state.mode()) {
            case NONE:
                return new Translation(linear, 4096, false);
            case BITS32:
                return walk32(linear & 0xFFFF_FFFFL, kind, user, state);
            case PAE:
                return walkPae(linear & 0xFFFF_FFFFL, kind, user, state);
            default:
                return walk4(linear, kind, user, state);
        }
    }

    private Translation walk4(long linear, Access kind, boolean user, PagingState state) {
        if (!Canonical.isCanonical(linear)) {
            throw new IllegalArgumentException(String.format(
                    "non-canonical %#x: the caller raises #GP/#SS first", linear));
        }
        return walkTables(linear, kind, user, state, state.cr3() & addressMask, 4,
                reservedAddressBits | (state.nxe() ? 0 : XD));
    }

    /**
     * The walk through tables of 8-byte entries from {@code top} down (4: PML4 of 4-level paging;
     * 2: the page directory a PAE PDPTE names), each level translating 9 bits; a PS entry at
     * level 3 or 2 maps a 1 GiB or 2 MiB page. {@code reservedCommon} are the bits reserved in
     * every present entry.
     */
    private Translation walkTables(long linear, Access kind, boolean user, PagingState state, long table, int top,
            long reservedCommon) {
        long[] used = new long[top];
        boolean writable = true;
        boolean userOk = true;
        boolean executeDisabled = false;
        int n = 0;
        long entry;
        long pageSize;
        for (int level = top; ; level--) {
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
        long frame = entry & addressMask & ~(pageSize - 1);
        return finish(linear, kind, user, state, used, n, 8, writable, userOk, executeDisabled, entry, frame, pageSize);
    }

    /**
     * PAE paging (SDM Vol. 3A, 4.4.2): the PDPTE register for bits 31:30 (no rights of its own;
     * no accessed flag), then the PDE for bits 29:21 (PS: a 2 MiB page) and the PTE for bits
     * 20:12. Bits 62:MAXPHYADDR, and XD when EFER.NXE = 0, are reserved (Tables 4-8 to 4-11).
     */
    private Translation walkPae(long linear, Access kind, boolean user, PagingState state) {
        PagingState.Pdptes pdptes = state.pdptes() != null ? state.pdptes() : loadPdptes(state.cr3());
        long pdpte = pdptes.get((int) (linear >>> 30) & 3);
        if ((pdpte & PRESENT) == 0) {
            throw fault(linear, kind, user, state, 0);
        }
        return walkTables(linear, kind, user, state, pdpte & addressMask, 2, bits(62, maxPhysAddr) | (state.nxe() ? 0 : XD));
    }

    /**
     * 32-bit paging (SDM Vol. 3A, 4.3): the 4-byte PDE for bits 31:22 at CR3[31:12]; with
     * CR4.PSE and PDE.PS it maps a 4 MiB page (bit 21 and bits 20:(M-19) reserved, M =
     * min(MAXPHYADDR, 40), Table 4-4), else the 4-byte PTE for bits 21:12 maps 4 KiB. No other
     * bit is reserved and there is no execute-disable.
     */
    private Translation walk32(long linear, Access kind, boolean user, PagingState state) {
        long[] used = new long[2];
        long pdeAddr = (state.cr3() & 0xFFFF_F000L) | ((linear >>> 22) << 2);
        long pde = memory.read(pdeAddr, 4);
        used[0] = pdeAddr;
        if ((pde & PRESENT) == 0) {
            throw fault(linear, kind, user, state, 0);
        }
        boolean writable = (pde & RW) != 0;
        boolean userOk = (pde & US) != 0;
        if (state.pse() && (pde & PS) != 0) {
            int m = Math.min(maxPhysAddr, 40);
            if ((pde & bits(21, 13 + m - 32)) != 0) {
                throw fault(linear, kind, user, state, PageFault.P | PageFault.RSVD);
            }
            long frame = (pde & 0xFFC0_0000L) | ((pde >>> 13) & 0xFF) << 32;
            return finish(linear, kind, user, state, used, 1, 4, writable, userOk, false, pde, frame, 1L << 22);
        }
        long pteAddr = (pde & 0xFFFF_F000L) | (((linear >>> 12) & 0x3FF) << 2);
        long pte = memory.read(pteAddr, 4);
        used[1] = pteAddr;
        if ((pte & PRESENT) == 0) {
            throw fault(linear, kind, user, state, 0);
        }
        writable &= (pte & RW) != 0;
        userOk &= (pte & US) != 0;
        return finish(linear, kind, user, state, used, 2, 4, writable, userOk, false, pte, pte & 0xFFFF_F000L, 4096);
    }

    /** Rights check, then A/D flags (SDM 4.8: A on every entry used; D on the entry that maps the page, on writes). */
    private Translation finish(long linear, Access kind, boolean user, PagingState state, long[] used, int n,
                               int entrySize, boolean writable, boolean userOk, boolean executeDisabled,
                               long leafEntry, long frame, long pageSize) {
        if (!allowed(kind, user, state.wp(), writable, userOk, executeDisabled)) {
            throw fault(linear, kind, user, state, PageFault.P);
        }
        for (int i = 0; i < n - 1; i++) {
            setFlags(used[i], entrySize, ACCESSED);
        }
        setFlags(used[n - 1], entrySize, kind == Access.WRITE ? ACCESSED | DIRTY : ACCESSED);
        boolean global = state.pge() && (leafEntry & GLOBAL) != 0;
        return new Translation(frame | (linear & (pageSize - 1)), pageSize, global);
    }

    /** Reads the four PDPTEs at CR3[31:5] (SDM Vol. 3A, 4.4.1), without checking them. */
    public PagingState.Pdptes loadPdptes(long cr3) {
        long base = cr3 & 0xFFFF_FFE0L;
        return new PagingState.Pdptes(memory.read(base, 8), memory.read(base + 8, 8),
                memory.read(base + 16, 8), memory.read(base + 24, 8));
    }

    /**
     * Whether a present PDPTE sets a reserved bit (bits 2:1, 8:5 and 63:MAXPHYADDR, Table 4-8):
     * the loading MOV to CR0/CR3/CR4 then raises #GP(0) (SDM Vol. 3A, 4.4.1).
     */
    public boolean pdptesReserved(PagingState.Pdptes p) {
        long reserved = bits(63, maxPhysAddr) | bits(8, 5) | bits(2, 1);
        for (int i = 0; i < 4; i++) {
            long e = p.get(i);
            if ((e & PRESENT) != 0 && (e & reserved) != 0) {
                return true;
            }
        }
        return false;
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
        if (lo > hi) {
            return 0;
        }
        if (hi == 63) {
            return -1L << lo;
        }
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
        if (kind == Access.EXECUTE && state.executeDisable()) {
            code |= PageFault.I;
        }
        return new PageFault(code, linear);
    }

    /** Atomically ORs {@code flags} into the entry (a 4-byte entry as part of its aligned quadword). */
    private void setFlags(long entryAddr, int entrySize, long flags) {
        if ((memory.read(entryAddr, entrySize) & flags) != flags) {
            memory.orLong(entryAddr & ~7L, flags << (8 * (entryAddr & 7)));
        }
    }
}
