package org.jvmx.monitor.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The GDT and TSS a loader writes into guest memory so the selectors of the initial state are
 * backed by real descriptors: a kernel that reloads a segment register (or takes an interrupt
 * through a gate naming selector 0x08) before installing its own GDT finds the same flat
 * segments the vCPU starts with.
 *
 * <pre>
 * +0x00  GDT: 0x00 null, 0x08 flat code, 0x10 flat data, 0x18 TSS (16 bytes in long mode)
 * +0x80  TSS: 104 bytes, zero but for the I/O map base, which points past the limit (no bitmap)
 * </pre>
 *
 * Descriptor layout: SDM Vol. 3A, 3.4.5 (Figure 3-8) and 7.2.2 / 7.2.3 (TSS descriptors).
 */
public final class BootGdt {
    public static final int CODE_SELECTOR = 0x08, DATA_SELECTOR = 0x10, TSS_SELECTOR = 0x18;
    /** Offset of the TSS from the start of the block; its size (the minimum 32-bit/64-bit TSS). */
    public static final int TSS_OFFSET = 0x80, TSS_SIZE = 0x68;
    /** Bytes the block occupies. */
    public static final int SIZE = TSS_OFFSET + TSS_SIZE;

    /** Access byte: present, DPL 0, code/data (S), type 11 execute/read accessed. */
    static final int ACCESS_CODE = 0x9B;
    /** Access byte: present, DPL 0, code/data, type 3 read/write accessed. */
    static final int ACCESS_DATA = 0x93;
    /** Access byte: present, DPL 0, system, type 11 busy TSS (32-bit, or 64-bit in IA-32e mode). */
    static final int ACCESS_TSS_BUSY = 0x8B;
    /** Flags nibble (descriptor bits 55:52): G and D/B for 32-bit segments; G and L for 64-bit code. */
    static final int FLAGS_32 = 0xC, FLAGS_64_CODE = 0xA;

    private BootGdt() {
    }

    /** GDTR limit: the last valid byte offset. */
    public static int limit(boolean longMode) {
        return (longMode ? 5 * 8 : 4 * 8) - 1;
    }

    /** The block's bytes for a GDT/TSS at guest-physical {@code base}. */
    public static byte[] build(long base, boolean longMode) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(CODE_SELECTOR, descriptor(0, 0xFFFFF, ACCESS_CODE, longMode ? FLAGS_64_CODE : FLAGS_32));
        b.putLong(DATA_SELECTOR, descriptor(0, 0xFFFFF, ACCESS_DATA, FLAGS_32));
        long tss = base + TSS_OFFSET;
        b.putLong(TSS_SELECTOR, descriptor(tss, TSS_SIZE - 1, ACCESS_TSS_BUSY, 0));
        // in IA-32e mode system descriptors are 16 bytes: the second quadword holds base 63:32 (7.2.3)
        if (longMode) b.putLong(TSS_SELECTOR + 8, tss >>> 32);
        // I/O map base (offset 0x66) past the TSS limit: no I/O permission bitmap (SDM Vol. 1, 19.5.2)
        b.putShort(TSS_OFFSET + 0x66, (short) TSS_SIZE);
        return b.array();
    }

    /** An 8-byte segment descriptor; every part is placed on {@code long}s (no sign smear). */
    static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xFFFFL)
                | (base & 0xFF_FFFFL) << 16
                | (long) (access & 0xFF) << 40
                | (limit >>> 16 & 0xFL) << 48
                | (long) (flags & 0xF) << 52
                | (base >>> 24 & 0xFFL) << 56;
    }
}
