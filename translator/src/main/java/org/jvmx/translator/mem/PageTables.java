package org.jvmx.translator.mem;

/**
 * Builds 4-level page tables in guest RAM (tests, and monitors that set up a guest's first
 * mappings); tables come from a bump allocator starting at {@code tableArea}.
 */
public final class PageTables {
    public static final long P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100, XD = 1L << 63;
    public static final long ADDR = 0x000F_FFFF_FFFF_F000L;

    private final PhysicalMemory mem;
    private long next;
    public final long cr3;

    public PageTables(PhysicalMemory mem, long tableArea) {
        this.mem = mem;
        this.next = tableArea;
        this.cr3 = alloc();
    }

    private long alloc() {
        long page = next;
        next += 4096;
        for (int i = 0; i < 4096; i += 8) {
            mem.write(page + i, 8, 0);
        }
        return page;
    }

    private static long index(long la, int level) {
        return (la >>> (12 + 9 * (level - 1))) & 511;
    }

    /** Address of the entry at {@code level} (4 = PML4E ... 1 = PTE), creating upper tables. */
    public long entryAddr(long la, int level) {
        long table = cr3 & ADDR;
        for (int l = 4; l > level; l--) {
            long ea = table + index(la, l) * 8;
            long e = mem.read(ea, 8);
            if ((e & P) == 0) {
                e = alloc() | P | RW | US;
                mem.write(ea, 8, e);
            }
            table = e & ADDR;
        }
        return table + index(la, level) * 8;
    }

    public long get(long la, int level) {
        return mem.read(entryAddr(la, level), 8);
    }

    public void set(long la, int level, long value) {
        mem.write(entryAddr(la, level), 8, value);
    }

    public void update(long la, int level, long set, long clear) {
        set(la, level, (get(la, level) | set) & ~clear);
    }

    public void map4k(long la, long pa, long flags) {
        set(la, 1, pa | flags);
    }

    public void map2m(long la, long pa, long flags) {
        set(la, 2, pa | flags | PS);
    }

    public void map1g(long la, long pa, long flags) {
        set(la, 3, pa | flags | PS);
    }
}
