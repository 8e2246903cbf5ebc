package org.jvmx.monitor.loader;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest-physical memory map of a PC with {@code ramSize} bytes of RAM from address 0, as a
 * BIOS reports it (INT 15h E820h; Multiboot 0.6.96, 3.3 "mmap_*"): conventional memory up to
 * the extended BIOS data area at 0x9FC00 is available, 0x9FC00-0xFFFFF (EBDA, video memory,
 * option and system ROMs) is reserved, and RAM from 1 MiB on is available.
 */
public final class PcMemoryMap {
    /** End of conventional memory: the EBDA starts here (639 KiB). */
    public static final long CONVENTIONAL_END = 0x9FC00;
    /** Start of extended memory (1 MiB). */
    public static final long EXTENDED_START = 0x100000;
    /** E820 / Multiboot mmap entry types. */
    public static final int AVAILABLE = 1, RESERVED = 2;

    /** One map entry: {@code [base, base + length)} of {@code type}. */
    public record Entry(long base, long length, int type) {
        public long end() {
            return base + length;
        }
    }

    private PcMemoryMap() {
    }

    /** The entries in address order, none empty. */
    public static List<Entry> entries(long ramSize) {
        List<Entry> out = new ArrayList<>(3);
        long low = Math.min(ramSize, CONVENTIONAL_END);
        if (low > 0) out.add(new Entry(0, low, AVAILABLE));
        // the hole is reserved whether or not RAM backs it: it is never the guest's to use
        out.add(new Entry(CONVENTIONAL_END, EXTENDED_START - CONVENTIONAL_END, RESERVED));
        if (ramSize > EXTENDED_START) out.add(new Entry(EXTENDED_START, ramSize - EXTENDED_START, AVAILABLE));
        return out;
    }

    /** Multiboot mem_lower: KiB of memory from 0 (at most 640 KiB). */
    public static long memLowerKiB(long ramSize) {
        return Math.min(ramSize, CONVENTIONAL_END) / 1024;
    }

    /**
     * Multiboot mem_upper: KiB of memory from 1 MiB up to the first hole, a 32-bit field
     * (saturated for very large guests; the mmap holds the exact size).
     */
    public static long memUpperKiB(long ramSize) {
        return Math.min(Math.max(ramSize - EXTENDED_START, 0) / 1024, 0xFFFF_FFFFL);
    }

    /** True when {@code [start, end)} lies in available memory of a guest with {@code ramSize} bytes of RAM. */
    public static boolean available(long start, long end, long ramSize) {
        if (start >= end) return true;
        if (end <= Math.min(ramSize, CONVENTIONAL_END)) return true;
        return start >= EXTENDED_START && end <= ramSize;
    }
}
